#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <unistr.h>

#include "password.h"

/*
 * The algorithm is named rather than left to crypto_pwhash_ALG_DEFAULT, so
 * that password_needs_rehash, which only accepts argon2id at these limits,
 * agrees with what password_hash makes whatever libsodium's default.
 */
#define PW_ALG      crypto_pwhash_ALG_ARGON2ID13
#define PW_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* Hashing runs in Kore task threads: the first dummy hash is guarded. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char            dummy[PASSWORD_HASH_MAX];
static int             dummy_ready;

int
password_acceptable(const char *pw, size_t len)
{
	if (pw == NULL || len > PASSWORD_MAX_BYTES)
		return (0);
	/* A NUL would be cut off by any C-string path on the way back in. */
	if (memchr(pw, '\0', len) != NULL)
		return (0);
	if (u8_check((const uint8_t *)pw, len) != NULL)
		return (0);
	return (u8_mbsnlen((const uint8_t *)pw, len) >= PASSWORD_MIN_CHARS);
}

int
password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
	if (crypto_pwhash_str_alg(out, pw, len, PW_OPSLIMIT, PW_MEMLIMIT,
	        PW_ALG) != 0)
		return (-1);
	return (0);
}

int
password_verify(const char *pw, size_t len, const char *hash)
{
	/* Refuse before hashing: no argon2 work for oversized input. */
	if (pw == NULL || hash == NULL || len > PASSWORD_MAX_BYTES)
		return (0);
	return (crypto_pwhash_str_verify(hash, pw, len) == 0);
}

int
password_needs_rehash(const char *hash)
{
	if (hash == NULL)
		return (1);
	/*
	 * The argon2id variant answers -1 for argon2i or garbage, where the
	 * generic one would accept an argon2i string at equal limits.
	 */
	return (crypto_pwhash_argon2id_str_needs_rehash(hash, PW_OPSLIMIT,
	            PW_MEMLIMIT) != 0);
}

/*
 * A hash of no password at all: a random salt and a random tag, encoded
 * under our parameters. Verifying against it runs a full argon2id (the
 * tag is computed, then compared), so an unknown account costs what a
 * known one does, and it matches nothing. Making it costs nothing: no
 * process spends 64 MiB at start-up on it.
 */
static int
dummy_make(char out[PASSWORD_HASH_MAX])
{
	unsigned char salt[crypto_pwhash_SALTBYTES], tag[32];
	char          salt64[sodium_base64_ENCODED_LEN(sizeof(salt),
	             sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char          tag64[sodium_base64_ENCODED_LEN(sizeof(tag),
	             sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	int           n;

	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(tag, sizeof(tag));
	sodium_bin2base64(salt64, sizeof(salt64), salt, sizeof(salt),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(tag64, sizeof(tag64), tag, sizeof(tag),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	n = snprintf(out, PASSWORD_HASH_MAX,
	    "$argon2id$v=19$m=%zu,t=%llu,p=1$%s$%s",
	    (size_t)(PW_MEMLIMIT / 1024), (unsigned long long)PW_OPSLIMIT,
	    salt64, tag64);
	if (n < 0 || (size_t)n >= PASSWORD_HASH_MAX)
		return (-1);
	/* libsodium parses it as argon2id at exactly our limits. */
	return (password_needs_rehash(out) ? -1 : 0);
}

int
password_dummy_hash(char out[PASSWORD_HASH_MAX])
{
	int rc = 0;

	if (pthread_mutex_lock(&dummy_lock) != 0)
		return (-1);
	if (!dummy_ready) {
		if (dummy_make(dummy) == 0)
			dummy_ready = 1;
		else
			rc = -1;
	}
	if (rc == 0)
		memcpy(out, dummy, sizeof(dummy));
	pthread_mutex_unlock(&dummy_lock);
	return (rc);
}
