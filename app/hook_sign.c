#include <stdio.h>
#include <string.h>

#include "hook_sign.h"

void
hook_secret_new(unsigned char raw[HOOK_SECRET_BYTES],
    char                      text[HOOK_SECRET_TEXT_LEN + 1])
{
	const size_t plen = sizeof(HOOK_SECRET_PREFIX) - 1;

	randombytes_buf(raw, HOOK_SECRET_BYTES);
	memcpy(text, HOOK_SECRET_PREFIX, plen);
	sodium_bin2base64(text + plen, HOOK_SECRET_TEXT_LEN + 1 - plen, raw,
	    HOOK_SECRET_BYTES, sodium_base64_VARIANT_ORIGINAL);
}

void
hook_secret_seal(const unsigned char *key,
    const unsigned char raw[HOOK_SECRET_BYTES], char out[HOOK_SEALED_SQL_LEN])
{
	unsigned char sealed[HOOK_SEALED_BYTES];

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
	unsigned char sealed[HOOK_SEALED_BYTES];
	size_t        n;

	if (sealed_sql == NULL ||
	    strlen(sealed_sql) != HOOK_SEALED_SQL_LEN - 1 ||
	    sealed_sql[0] != '\\' || sealed_sql[1] != 'x')
		return (-1);
	if (sodium_hex2bin(sealed, sizeof(sealed), sealed_sql + 2,
	        2 * HOOK_SEALED_BYTES, NULL, &n, NULL) != 0 ||
	    n != sizeof(sealed))
		return (-1);
	if (crypto_secretbox_open_easy(raw,
	        sealed + crypto_secretbox_NONCEBYTES,
	        sizeof(sealed) - crypto_secretbox_NONCEBYTES, sealed,
	        key) != 0) {
		sodium_memzero(raw, HOOK_SECRET_BYTES);
		return (-1);
	}
	return (0);
}

void
hook_id_new(char out[HOOK_ID_LEN + 1])
{
	unsigned char b[16];
	char          hex[33];

	randombytes_buf(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4: random */
	b[8] = (b[8] & 0x3f) | 0x80; /* the RFC 4122 variant */
	sodium_bin2hex(hex, sizeof(hex), b, sizeof(b));
	(void)snprintf(out, HOOK_ID_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s", hex,
	    hex + 8, hex + 12, hex + 16, hex + 20);
}

/* Text and bytes alike, without a cast at every call. */
static void
mac_update(crypto_auth_hmacsha256_state *st, const void *p, size_t len)
{
	crypto_auth_hmacsha256_update(st, p, len);
}

void
hook_sign(const unsigned char key[HOOK_SECRET_BYTES], const char *id,
    const char *ts, const void *body, size_t len, char out[HOOK_SIG_LEN + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char                mac[crypto_auth_hmacsha256_BYTES];

	/* The signed content: id "." timestamp "." body, as sent. */
	crypto_auth_hmacsha256_init(&st, key, HOOK_SECRET_BYTES);
	mac_update(&st, id, strlen(id));
	mac_update(&st, ".", 1);
	mac_update(&st, ts, strlen(ts));
	mac_update(&st, ".", 1);
	mac_update(&st, body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "v1,", 3);
	sodium_bin2base64(out + 3, HOOK_SIG_LEN + 1 - 3, mac, sizeof(mac),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(&st, sizeof(st));
}

void
hook_signatures(const unsigned char current[HOOK_SECRET_BYTES],
    const unsigned char *old, const char *id, const char *ts, const void *body,
    size_t len, char out[HOOK_SIGNATURES_MAX])
{
	hook_sign(current, id, ts, body, len, out);
	if (old != NULL) {
		/* Standard Webhooks lists signatures separated by a space. */
		out[HOOK_SIG_LEN] = ' ';
		hook_sign(old, id, ts, body, len, out + HOOK_SIG_LEN + 1);
	}
}
