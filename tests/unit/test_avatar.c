/*
 * Unit tests for app/avatar.c: keyed hashes, hex decoding, the SVG.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "avatar.h"
#include "buf.h"

static unsigned char key1[32], key2[32];

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	memset(key1, 1, sizeof(key1));
	memset(key2, 2, sizeof(key2));
}

TestSuite(avatar, .init = setup);

Test(avatar, hash_is_keyed_and_deterministic)
{
	char a[AVATAR_HEX_LEN], b[AVATAR_HEX_LEN], c[AVATAR_HEX_LEN];

	avatar_hash_hex(key1, "e:ann@example.org", 17, a);
	avatar_hash_hex(key1, "e:ann@example.org", 17, b);
	avatar_hash_hex(key2, "e:ann@example.org", 17, c);
	cr_assert_eq(strlen(a), 32);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
	avatar_hash_hex(key1, "e:bob@example.org", 17, b);
	cr_assert_str_neq(a, b);
}

Test(avatar, hex_decode_is_strict)
{
	unsigned char h[AVATAR_HASH_BYTES];

	cr_assert_eq(avatar_hex_decode("00112233445566778899aabbccddeeff", h),
	    0);
	cr_assert_eq(h[0], 0x00);
	cr_assert_eq(h[15], 0xff);
	cr_assert_eq(avatar_hex_decode("00112233445566778899AABBCCDDEEFF", h),
	    -1);
	cr_assert_eq(avatar_hex_decode("00112233445566778899aabbccddeef", h),
	    -1);
	cr_assert_eq(avatar_hex_decode("00112233445566778899aabbccddeeff0", h),
	    -1);
	cr_assert_eq(avatar_hex_decode("0011223344556677889zaabbccddeeff", h),
	    -1);
	cr_assert_eq(avatar_hex_decode("", h), -1);
}

Test(avatar, svg_is_symmetric_and_self_contained)
{
	unsigned char h[AVATAR_HASH_BYTES];
	struct buf    b;
	int           row, col, left, right;
	char          cell[64];

	memset(h, 0, sizeof(h));
	h[2] = 0x01; /* row 0, column 0 only */
	buf_init(&b);
	avatar_svg(&b, h);
	cr_assert(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
	              39) == 0);
	cr_assert(strstr(b.data, "</svg>") != NULL);
	cr_assert_null(strstr(b.data, "href"));
	cr_assert_null(strstr(b.data, "<script"));
	for (row = 0; row < 5; row++) {
		for (col = 0; col < 2; col++) {
			snprintf(cell, sizeof(cell), "<rect x=\"%d\" y=\"%d\" ",
			    col, row);
			left = strstr(b.data, cell) != NULL;
			snprintf(cell, sizeof(cell), "<rect x=\"%d\" y=\"%d\" ",
			    4 - col, row);
			right = strstr(b.data, cell) != NULL;
			cr_assert_eq(left, right, "row %d col %d", row, col);
			cr_assert_eq(left, row == 0 && col == 0);
		}
	}
	buf_free(&b);
}
