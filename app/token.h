/*
 * Bearer secrets: session tokens and guest edit tokens. A token is 32
 * random bytes sent as URL-safe base64 without padding (43 characters);
 * only its BLAKE2b hash is stored, so a database leak yields no usable
 * token.
 */
#ifndef PARLEY_TOKEN_H
#define PARLEY_TOKEN_H

#include <stddef.h>

#define TOKEN_BYTES      32
#define TOKEN_TEXT_LEN   43 /* base64url, no padding */
#define TOKEN_HASH_BYTES 32
/* "\\x" + 64 hex digits + NUL: PostgreSQL's bytea hex input. */
#define TOKEN_HASH_SQL_LEN (2 + 2 * TOKEN_HASH_BYTES + 1)

/* A fresh random token, NUL-terminated. */
void token_new(char out[TOKEN_TEXT_LEN + 1]);
/* Decodes a presented token. 0 if it is exactly TOKEN_TEXT_LEN characters
 * of the URL-safe alphabet decoding to TOKEN_BYTES; -1 otherwise (too
 * short, too long, padding, other alphabet, non-canonical last char). */
int token_decode(const char *, unsigned char out[TOKEN_BYTES]);
/* BLAKE2b-256 of the token's bytes. -1 if the token is malformed. */
int token_hash(const char *, unsigned char out[TOKEN_HASH_BYTES]);
/* The hash as PostgreSQL bytea hex text ("\\x..."). -1 if malformed. */
int token_hash_sql(const char *, char out[TOKEN_HASH_SQL_LEN]);
/* Constant-time: 1 if the presented token hashes to stored (a bytea as
 * PostgreSQL prints it, "\\x" + hex), 0 otherwise (malformed included). */
int token_matches(const char *presented, const char *stored_sql);

#endif
