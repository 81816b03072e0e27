#include <string.h>

#include <sodium.h>

#include "token.h"

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

void
token_new(char out[TOKEN_TEXT_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TOKEN_TEXT_LEN + 1, raw, sizeof(raw), B64URL);
	sodium_memzero(raw, sizeof(raw));
}

static int
b64url_char(char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_');
}

int
token_decode(const char *text, unsigned char out[TOKEN_BYTES])
{
	char        again[TOKEN_TEXT_LEN + 1];
	const char *end;
	size_t      i, n;
	int         ok;

	if (text == NULL || strnlen(text, TOKEN_TEXT_LEN + 1) != TOKEN_TEXT_LEN)
		return (-1);
	/* Our own alphabet check: never lean on the decoder's ignore rules. */
	for (i = 0; i < TOKEN_TEXT_LEN; i++)
		if (!b64url_char(text[i]))
			return (-1);
	if (sodium_base642bin(out, TOKEN_BYTES, text, TOKEN_TEXT_LEN, NULL, &n,
	        &end, B64URL) != 0 ||
	    n != TOKEN_BYTES || end != text + TOKEN_TEXT_LEN) {
		sodium_memzero(out, TOKEN_BYTES);
		return (-1);
	}

	/*
	 * 43 characters carry 258 bits: the last one's low two bits must be
	 * zero, or four spellings would name one token. Re-encoding gives the
	 * single canonical spelling whatever the decoder tolerates.
	 */
	sodium_bin2base64(again, sizeof(again), out, TOKEN_BYTES, B64URL);
	ok = memcmp(again, text, TOKEN_TEXT_LEN) == 0;
	sodium_memzero(again, sizeof(again));
	if (!ok) {
		sodium_memzero(out, TOKEN_BYTES);
		return (-1);
	}
	return (0);
}

int
token_hash(const char *text, unsigned char out[TOKEN_HASH_BYTES])
{
	unsigned char raw[TOKEN_BYTES];

	if (token_decode(text, raw) == -1)
		return (-1);
	crypto_generichash(out, TOKEN_HASH_BYTES, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return (0);
}

int
token_hash_sql(const char *text, char out[TOKEN_HASH_SQL_LEN])
{
	unsigned char h[TOKEN_HASH_BYTES];

	if (token_hash(text, h) == -1)
		return (-1);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, TOKEN_HASH_SQL_LEN - 2, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
	return (0);
}

/* "\\x" and exactly 64 hex digits (either case), as PostgreSQL prints bytea. */
static int
parse_stored(const char *s, unsigned char out[TOKEN_HASH_BYTES])
{
	size_t n;

	if (s == NULL ||
	    strnlen(s, TOKEN_HASH_SQL_LEN) != TOKEN_HASH_SQL_LEN - 1)
		return (-1);
	if (s[0] != '\\' || s[1] != 'x')
		return (-1);
	/* No ignore set and no end pointer: any stray character fails. */
	if (sodium_hex2bin(out, TOKEN_HASH_BYTES, s + 2, 2 * TOKEN_HASH_BYTES,
	        NULL, &n, NULL) != 0 ||
	    n != TOKEN_HASH_BYTES)
		return (-1);
	return (0);
}

int
token_matches(const char *presented, const char *stored_sql)
{
	unsigned char want[TOKEN_HASH_BYTES], got[TOKEN_HASH_BYTES];
	int           match;

	if (parse_stored(stored_sql, want) == -1)
		return (0);
	if (token_hash(presented, got) == -1) {
		sodium_memzero(want, sizeof(want));
		return (0);
	}
	match = sodium_memcmp(want, got, sizeof(want)) == 0;
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return (match);
}
