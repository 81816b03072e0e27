#include <string.h>

#include <sodium.h>

#include "avatar.h"
#include "buf.h"

void
avatar_hash_hex(const unsigned char *key, const char *seed, size_t len,
    char out[AVATAR_HEX_LEN])
{
	unsigned char h[AVATAR_HASH_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)seed, len, key,
	    32);
	sodium_bin2hex(out, AVATAR_HEX_LEN, h, sizeof(h));
}

int
avatar_hex_decode(const char *hex, unsigned char out[AVATAR_HASH_BYTES])
{
	size_t i, n;

	if (strlen(hex) != 2 * AVATAR_HASH_BYTES)
		return (-1);
	for (i = 0; hex[i] != '\0'; i++) {
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		        (hex[i] >= 'a' && hex[i] <= 'f')))
			return (-1);
	}
	if (sodium_hex2bin(out, AVATAR_HASH_BYTES, hex, 2 * AVATAR_HASH_BYTES,
	        NULL, &n, NULL) != 0 ||
	    n != AVATAR_HASH_BYTES)
		return (-1);
	return (0);
}

void
avatar_svg(struct buf *b, const unsigned char h[AVATAR_HASH_BYTES])
{
	unsigned int hue, row, col, bit;

	/* Hue from two bytes; fixed saturation and lightness read well on
	 * light and dark pages alike. */
	hue = ((unsigned int)h[0] << 8 | h[1]) % 360;
	buf_printf(b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 5 5\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"5\" height=\"5\" fill=\"hsl(%u,45%%,92%%)\"/>"
	    "<g fill=\"hsl(%u,55%%,45%%)\">",
	    hue, hue);
	/* 15 bits fill the left three columns; the right two mirror them. */
	for (row = 0; row < 5; row++) {
		for (col = 0; col < 3; col++) {
			bit = row * 3 + col;
			if (!(h[2 + bit / 8] >> (bit % 8) & 1))
				continue;
			buf_printf(b,
			    "<rect x=\"%u\" y=\"%u\" width=\"1\" "
			    "height=\"1\"/>",
			    col, row);
			if (col < 2)
				buf_printf(b,
				    "<rect x=\"%u\" y=\"%u\" "
				    "width=\"1\" height=\"1\"/>",
				    4 - col, row);
		}
	}
	buf_puts(b, "</g></svg>");
}
