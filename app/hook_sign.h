/*
 * Hook secrets and signatures, by the Standard Webhooks specification
 * (standardwebhooks.com), so that receivers verify with an existing
 * library ("standardwebhooks" for Node, Python, Go, Ruby, PHP, ...).
 *
 * A hook's key is 32 random bytes. The admin sees it once, as the secret
 * "whsec_" + standard base64 (padded) of the key; receivers' libraries
 * take that text as it is, and anyone verifying by hand must use the
 * base64-decoded bytes after "whsec_" as the HMAC key, not the text.
 * At rest the key is sealed (crypto_secretbox under the server's
 * KEY_SECRETBOX key).
 *
 * Each request carries
 *	webhook-id: ID			(the same on every attempt)
 *	webhook-timestamp: TS		(unix seconds)
 *	webhook-signature: v1,BASE64(HMAC-SHA256(key, ID "." TS "." body))
 * and during a rotation webhook-signature holds the current signature,
 * a space, and the old key's: a receiver accepts either.
 */
#ifndef PARLEY_HOOK_SIGN_H
#define PARLEY_HOOK_SIGN_H

#include <stddef.h>

#include <sodium.h>

#define HOOK_SECRET_BYTES  32
#define HOOK_SECRET_PREFIX "whsec_"
/* "whsec_" + standard base64 of 32 bytes, padded (44 characters). */
#define HOOK_SECRET_TEXT_LEN (6 + 44)
/* nonce || MAC || ciphertext */
#define HOOK_SEALED_BYTES                                                      \
	(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +             \
	    HOOK_SECRET_BYTES)
/* "\\x" + hex of the sealed bytes + NUL: PostgreSQL bytea input. */
#define HOOK_SEALED_SQL_LEN (2 + 2 * HOOK_SEALED_BYTES + 1)
/* A webhook-id that Parley makes itself: a random (v4) UUID. */
#define HOOK_ID_LEN 36
/* "v1," + standard base64 of the 32-byte MAC, padded. */
#define HOOK_SIG_LEN (3 + 44)
/* Two signatures and a space, NUL included. */
#define HOOK_SIGNATURES_MAX (2 * HOOK_SIG_LEN + 2)

/* A fresh key: raw bytes and the secret text shown to the admin. */
void hook_secret_new(unsigned char raw[HOOK_SECRET_BYTES],
    char                           text[HOOK_SECRET_TEXT_LEN + 1]);
/* Encrypts raw under key (32 bytes) as bytea hex text for SQL. */
void hook_secret_seal(const unsigned char *key,
    const unsigned char raw[HOOK_SECRET_BYTES], char out[HOOK_SEALED_SQL_LEN]);
/* Decrypts a sealed secret as PostgreSQL prints bytea ("\\x..."). 0, or
 * -1 if it is malformed or was not sealed with key. */
int hook_secret_open(const unsigned char *key, const char *sealed_sql,
    unsigned char raw[HOOK_SECRET_BYTES]);
/* A random webhook-id, for calls that have no delivery id of their own. */
void hook_id_new(char out[HOOK_ID_LEN + 1]);
/* "v1," + BASE64(HMAC-SHA256(key, id "." ts "." body)) */
void hook_sign(const unsigned char key[HOOK_SECRET_BYTES], const char *id,
    const char *ts, const void *body, size_t len, char out[HOOK_SIG_LEN + 1]);
/* The webhook-signature value: the current key's signature, then a
 * space and the old key's if given. */
void hook_signatures(const unsigned char current[HOOK_SECRET_BYTES],
    const unsigned char *old_or_null, const char *id, const char *ts,
    const void *body, size_t len, char out[HOOK_SIGNATURES_MAX]);

#endif
