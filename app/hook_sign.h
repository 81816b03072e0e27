/*
 * Hook secrets and signatures. A hook's secret is 32 random bytes, shown
 * to the admin once as URL-safe base64 and kept encrypted at rest
 * (crypto_secretbox under the server's KEY_SECRETBOX key). Deliveries are
 * signed X-Parley-Signature: v1=HEX(HMAC-SHA256(secret, timestamp + "." +
 * body)); during a rotation both secrets sign, comma-separated.
 */
#ifndef PARLEY_HOOK_SIGN_H
#define PARLEY_HOOK_SIGN_H

#include <stddef.h>

#include <sodium.h>

#define HOOK_SECRET_BYTES	32
#define HOOK_SECRET_TEXT_LEN	43	/* base64url, no padding */
/* nonce || MAC || ciphertext */
#define HOOK_SEALED_BYTES	(crypto_secretbox_NONCEBYTES + \
				    crypto_secretbox_MACBYTES + HOOK_SECRET_BYTES)
/* "\\x" + hex of the sealed bytes + NUL: PostgreSQL bytea input. */
#define HOOK_SEALED_SQL_LEN	(2 + 2 * HOOK_SEALED_BYTES + 1)
/* "v1=" + 64 hex digits */
#define HOOK_SIG_LEN		(3 + 64)
/* Two signatures and a comma, NUL included. */
#define HOOK_SIGNATURES_MAX	(2 * HOOK_SIG_LEN + 2)

/* A fresh secret: raw bytes and their text for the admin. */
void	hook_secret_new(unsigned char raw[HOOK_SECRET_BYTES],
	    char text[HOOK_SECRET_TEXT_LEN + 1]);
/* Encrypts raw under key (32 bytes) as bytea hex text for SQL. */
void	hook_secret_seal(const unsigned char *key,
	    const unsigned char raw[HOOK_SECRET_BYTES],
	    char out[HOOK_SEALED_SQL_LEN]);
/* Decrypts a sealed secret as PostgreSQL prints bytea ("\\x..."). 0, or
 * -1 if it is malformed or was not sealed with key. */
int	hook_secret_open(const unsigned char *key, const char *sealed_sql,
	    unsigned char raw[HOOK_SECRET_BYTES]);
/* "v1=HEX(HMAC-SHA256(secret, ts "." body))" */
void	hook_sign(const unsigned char secret[HOOK_SECRET_BYTES],
	    const char *ts, const void *body, size_t len,
	    char out[HOOK_SIG_LEN + 1]);
/* The header value: current signature, then the old one if given. */
void	hook_signatures(const unsigned char current[HOOK_SECRET_BYTES],
	    const unsigned char *old_or_null, const char *ts, const void *body,
	    size_t len, char out[HOOK_SIGNATURES_MAX]);

#endif
