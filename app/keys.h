/*
 * Server secrets. One 32-byte master key lives in a key file, created on
 * first start (mode 0600) and read in Kore's parent process before the
 * workers drop privileges; purpose-specific keys are derived from it with
 * crypto_kdf, so one file serves every use.
 */
#ifndef PARLEY_KEYS_H
#define PARLEY_KEYS_H

#include <stddef.h>

#include <sodium.h>

#define KEY_BYTES 32

enum key_purpose {
	KEY_VOTER_IP, /* keyed hash of guests' IPs for votes */
	KEY_SECRETBOX, /* encryption of hook secrets at rest */
	KEY_AVATAR, /* avatar seeds: no e-mail can be read back */
	KEY_PURPOSE_COUNT
};

/* Reads the key file, creating it (0600, exclusive create) if it does not
 * exist. The file holds the key as 64 hex digits and a newline. Refuses a
 * file that is readable by group or others, or malformed. 0, or -1 with a
 * message in err. */
int keys_load(const char *path, char *err, size_t errlen);
/* The key for a purpose (valid after keys_load; crypto_kdf subkeys). */
const unsigned char *keys_get(enum key_purpose);
/* Keyed BLAKE2b of an IP address string as 64 hex digits + NUL. */
void keys_voter_ip_hash(const char *ip, char out[65]);
void keys_wipe(void);

#endif
