/*
 * Avatars made by Parley: a symmetric 5x5 identicon in one colour, drawn
 * from a keyed hash of the author's identity. No third-party request, and
 * the hash reveals no e-mail (unlike Gravatar's plain MD5).
 */
#ifndef PARLEY_AVATAR_H
#define PARLEY_AVATAR_H

#include <stddef.h>

#define AVATAR_HASH_BYTES 16
#define AVATAR_HEX_LEN    (2 * AVATAR_HASH_BYTES + 1)

struct buf;

/* Keyed BLAKE2b of seed as hex (key: KEY_AVATAR-sized, 32 bytes). */
void avatar_hash_hex(const unsigned char *key, const char *seed, size_t len,
    char out[AVATAR_HEX_LEN]);
/* Decodes exactly 32 lowercase hex digits; 0, or -1 if malformed. */
int avatar_hex_decode(const char *, unsigned char out[AVATAR_HASH_BYTES]);
/* The SVG image for a hash. */
void avatar_svg(struct buf *, const unsigned char hash[AVATAR_HASH_BYTES]);

#endif
