#include <string.h>

#include "hook_sign.h"

void
hook_secret_new(unsigned char raw[HOOK_SECRET_BYTES],
    char text[HOOK_SECRET_TEXT_LEN + 1])
{
	randombytes_buf(raw, HOOK_SECRET_BYTES);
	sodium_bin2base64(text, HOOK_SECRET_TEXT_LEN + 1, raw,
	    HOOK_SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
hook_secret_seal(const unsigned char *key,
    const unsigned char raw[HOOK_SECRET_BYTES], char out[HOOK_SEALED_SQL_LEN])
{
	unsigned char	sealed[HOOK_SEALED_BYTES];

	randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, raw,
	    HOOK_SECRET_BYTES, sealed, key);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, HOOK_SEALED_SQL_LEN - 2, sealed,
	    sizeof(sealed));
}

int
hook_secret_open(const unsigned char *key, const char *sealed_sql,
    unsigned char raw[HOOK_SECRET_BYTES])
{
	unsigned char	sealed[HOOK_SEALED_BYTES];
	size_t		n;

	if (sealed_sql == NULL || strlen(sealed_sql) !=
	    HOOK_SEALED_SQL_LEN - 1 || sealed_sql[0] != '\\' ||
	    sealed_sql[1] != 'x')
		return (-1);
	if (sodium_hex2bin(sealed, sizeof(sealed), sealed_sql + 2,
	    2 * HOOK_SEALED_BYTES, NULL, &n, NULL) != 0 ||
	    n != sizeof(sealed))
		return (-1);
	if (crypto_secretbox_open_easy(raw, sealed + crypto_secretbox_NONCEBYTES,
	    sizeof(sealed) - crypto_secretbox_NONCEBYTES, sealed, key) != 0) {
		sodium_memzero(raw, HOOK_SECRET_BYTES);
		return (-1);
	}
	return (0);
}

void
hook_sign(const unsigned char secret[HOOK_SECRET_BYTES], const char *ts,
    const void *body, size_t len, char out[HOOK_SIG_LEN + 1])
{
	crypto_auth_hmacsha256_state	st;
	unsigned char			mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, secret, HOOK_SECRET_BYTES);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
	    strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1=", 3);
	sodium_bin2hex(out + 3, HOOK_SIG_LEN + 1 - 3, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

void
hook_signatures(const unsigned char current[HOOK_SECRET_BYTES],
    const unsigned char *old, const char *ts, const void *body, size_t len,
    char out[HOOK_SIGNATURES_MAX])
{
	hook_sign(current, ts, body, len, out);
	if (old != NULL) {
		out[HOOK_SIG_LEN] = ',';
		hook_sign(old, ts, body, len, out + HOOK_SIG_LEN + 1);
	}
}
