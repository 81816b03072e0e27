/*
 * Passwords: argon2id through libsodium's crypto_pwhash_str, at its
 * interactive limits (about 70 ms and 64 MiB here: run it in a task, never
 * on Kore's event loop).
 */
#ifndef PARLEY_PASSWORD_H
#define PARLEY_PASSWORD_H

#include <stddef.h>

#include <sodium.h>

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 1024
#define PASSWORD_HASH_MAX  crypto_pwhash_STRBYTES /* with NUL */

/* 1 if the password is acceptable: valid UTF-8, at least
 * PASSWORD_MIN_CHARS characters, at most PASSWORD_MAX_BYTES bytes. */
int password_acceptable(const char *, size_t);
/* 0, or -1 when out of memory. */
int password_hash(const char *, size_t, char out[PASSWORD_HASH_MAX]);
/* 1 if the password matches the stored hash, 0 if not (or the hash is
 * malformed). */
int password_verify(const char *, size_t, const char *hash);
/* 1 if the stored hash uses weaker parameters (or another algorithm)
 * than password_hash would now. */
int password_needs_rehash(const char *hash);
/* A hash of a random password, for answering unknown e-mails with the
 * same work as wrong passwords. Computed once; 0 or -1. */
int password_dummy_hash(char out[PASSWORD_HASH_MAX]);

#endif
