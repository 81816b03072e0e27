/*
 * Unit tests for app/hook_sign.c: sealing secrets and the signature an
 * independent HMAC implementation must agree with.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "hook_sign.h"

static unsigned char	key[32], other[32];

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
}

TestSuite(hook_sign, .init = setup);

Test(hook_sign, secret_text_is_base64url_of_raw)
{
	unsigned char	raw[HOOK_SECRET_BYTES], back[HOOK_SECRET_BYTES];
	char		text[HOOK_SECRET_TEXT_LEN + 1];
	size_t		n;

	hook_secret_new(raw, text);
	cr_assert_eq(strlen(text), HOOK_SECRET_TEXT_LEN);
	cr_assert_eq(sodium_base642bin(back, sizeof(back), text, strlen(text),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	cr_assert_eq(n, HOOK_SECRET_BYTES);
	cr_assert_eq(memcmp(raw, back, n), 0);
}

Test(hook_sign, seal_and_open)
{
	unsigned char	raw[HOOK_SECRET_BYTES], back[HOOK_SECRET_BYTES];
	char		text[HOOK_SECRET_TEXT_LEN + 1], a[HOOK_SEALED_SQL_LEN],
			b[HOOK_SEALED_SQL_LEN];

	hook_secret_new(raw, text);
	hook_secret_seal(key, raw, a);
	hook_secret_seal(key, raw, b);
	cr_assert_eq(strlen(a), HOOK_SEALED_SQL_LEN - 1);
	cr_assert(strncmp(a, "\\x", 2) == 0);
	cr_assert_str_neq(a, b, "a fresh nonce each time");
	cr_assert_eq(hook_secret_open(key, a, back), 0);
	cr_assert_eq(memcmp(raw, back, sizeof(raw)), 0);
	cr_assert_eq(hook_secret_open(other, a, back), -1, "another key");
	a[40] = a[40] == '0' ? '1' : '0';
	cr_assert_eq(hook_secret_open(key, a, back), -1, "tampered");
	cr_assert_eq(hook_secret_open(key, "\\x00", back), -1);
	cr_assert_eq(hook_secret_open(key, NULL, back), -1);
}

Test(hook_sign, signature_is_hmac_sha256_of_ts_dot_body)
{
	unsigned char	secret[HOOK_SECRET_BYTES];
	unsigned char	mac[crypto_auth_hmacsha256_BYTES];
	char		sig[HOOK_SIG_LEN + 1], want[HOOK_SIG_LEN + 1];
	const char	*msg = "1700000000.{\"id\":1}";
	crypto_auth_hmacsha256_state st;

	memset(secret, 0x42, sizeof(secret));
	hook_sign(secret, "1700000000", "{\"id\":1}", 8, sig);
	/* The same HMAC computed in one piece. */
	crypto_auth_hmacsha256_init(&st, secret, sizeof(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg,
	    strlen(msg));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(want, "v1=", 3);
	sodium_bin2hex(want + 3, sizeof(want) - 3, mac, sizeof(mac));
	cr_assert_str_eq(sig, want);
	cr_assert_eq(strlen(sig), HOOK_SIG_LEN);
}

Test(hook_sign, rotation_signs_with_both)
{
	unsigned char	cur[HOOK_SECRET_BYTES], old[HOOK_SECRET_BYTES];
	char		both[HOOK_SIGNATURES_MAX], one[HOOK_SIG_LEN + 1],
			two[HOOK_SIG_LEN + 1], solo[HOOK_SIGNATURES_MAX];

	memset(cur, 1, sizeof(cur));
	memset(old, 2, sizeof(old));
	hook_signatures(cur, old, "12", "body", 4, both);
	hook_sign(cur, "12", "body", 4, one);
	hook_sign(old, "12", "body", 4, two);
	cr_assert_eq(strlen(both), 2 * HOOK_SIG_LEN + 1);
	cr_assert(strncmp(both, one, HOOK_SIG_LEN) == 0);
	cr_assert_eq(both[HOOK_SIG_LEN], ',');
	cr_assert_str_eq(both + HOOK_SIG_LEN + 1, two);
	hook_signatures(cur, NULL, "12", "body", 4, solo);
	cr_assert_str_eq(solo, one);
}
