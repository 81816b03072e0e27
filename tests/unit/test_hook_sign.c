/*
 * Unit tests for app/hook_sign.c: sealing secrets, the secret's text and
 * the Standard Webhooks signature, against a known answer computed
 * outside Parley (openssl, and the standardwebhooks npm package).
 */
#include <ctype.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "hook_sign.h"

static unsigned char key[32], other[32];

static void
setup(void)
{
	cr_assert(sodium_init() >= 0);
	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
}

TestSuite(hook_sign, .init = setup);

Test(hook_sign, secret_text_is_whsec_and_standard_base64_of_raw)
{
	unsigned char raw[HOOK_SECRET_BYTES], back[HOOK_SECRET_BYTES];
	char          text[HOOK_SECRET_TEXT_LEN + 1];
	const char   *b64 = text + 6;
	size_t        n;
	int           i, standard = 0;

	/* Standard base64 shows '+' and '/' (base64url: '-' and '_'). */
	for (i = 0; i < 64; i++) {
		hook_secret_new(raw, text);
		cr_assert_eq(strlen(text), HOOK_SECRET_TEXT_LEN);
		cr_assert(strncmp(text, "whsec_", 6) == 0, "%s", text);
		cr_assert_eq(text[HOOK_SECRET_TEXT_LEN - 1], '=', "padded");
		cr_assert_eq(sodium_base642bin(back, sizeof(back), b64,
		                 strlen(b64), NULL, &n, NULL,
		                 sodium_base64_VARIANT_ORIGINAL),
		    0);
		cr_assert_eq(n, HOOK_SECRET_BYTES);
		cr_assert_eq(memcmp(raw, back, n), 0);
		cr_assert(strpbrk(b64, "-_") == NULL, "%s", text);
		standard |= strpbrk(b64, "+/") != NULL;
	}
	cr_assert(standard, "no '+' or '/' in 64 secrets");
}

Test(hook_sign, seal_and_open)
{
	unsigned char raw[HOOK_SECRET_BYTES], back[HOOK_SECRET_BYTES];
	char          text[HOOK_SECRET_TEXT_LEN + 1], a[HOOK_SEALED_SQL_LEN],
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

/*
 * Key bytes 0x00..0x1f (the secret whsec_AAECAwQFBgcICQoLDA0ODxAREhMU
 * FRYXGBkaGxwdHh8=). The answer came from
 *   printf '%s' 'ID.1700000000.{"id":1}' | openssl dgst -sha256 -mac HMAC \
 *     -macopt hexkey:000102...1f -binary | base64
 * and new Webhook(secret).sign(ID, new Date(1700000000e3), '{"id":1}')
 * of the standardwebhooks npm package agrees.
 */
Test(hook_sign, signature_matches_a_known_answer)
{
	unsigned char k[HOOK_SECRET_BYTES];
	char          sig[HOOK_SIG_LEN + 1];
	size_t        i;

	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)i;
	hook_sign(k, "5d1a4c3e-1f7b-4c2a-9e8d-7b6a5c4d3e2f", "1700000000",
	    "{\"id\":1}", 8, sig);
	cr_assert_str_eq(sig,
	    "v1,7r8CggApRRAo2vVXZCJG+ERZiohffho/zGPqnyBFOQA=");
	cr_assert_eq(strlen(sig), HOOK_SIG_LEN);
}

Test(hook_sign, every_part_of_the_signed_content_counts)
{
	char base[HOOK_SIG_LEN + 1], sig[HOOK_SIG_LEN + 1];

	hook_sign(key, "id", "12", "body", 4, base);
	hook_sign(key, "id2", "12", "body", 4, sig);
	cr_assert_str_neq(sig, base, "the id is signed");
	hook_sign(key, "id", "13", "body", 4, sig);
	cr_assert_str_neq(sig, base, "the timestamp is signed");
	hook_sign(key, "id", "12", "body ", 5, sig);
	cr_assert_str_neq(sig, base, "the body is signed");
	hook_sign(other, "id", "12", "body", 4, sig);
	cr_assert_str_neq(sig, base, "the key is used");
	/* The dots keep the parts apart: "id" "12" is not "id1" "2". */
	hook_sign(key, "id1", "2", "body", 4, sig);
	cr_assert_str_neq(sig, base);
	/* Bodies are bytes: a NUL inside counts. */
	hook_sign(key, "id", "12", "bo\0y", 4, sig);
	cr_assert_str_neq(sig, base);
}

Test(hook_sign, rotation_signs_with_both_space_separated)
{
	unsigned char cur[HOOK_SECRET_BYTES], old[HOOK_SECRET_BYTES];
	char          both[HOOK_SIGNATURES_MAX], one[HOOK_SIG_LEN + 1],
	    two[HOOK_SIG_LEN + 1], solo[HOOK_SIGNATURES_MAX];

	memset(cur, 1, sizeof(cur));
	memset(old, 2, sizeof(old));
	hook_signatures(cur, old, "id", "12", "body", 4, both);
	hook_sign(cur, "id", "12", "body", 4, one);
	hook_sign(old, "id", "12", "body", 4, two);
	cr_assert_eq(strlen(both), 2 * HOOK_SIG_LEN + 1);
	cr_assert(strncmp(both, one, HOOK_SIG_LEN) == 0);
	cr_assert_eq(both[HOOK_SIG_LEN], ' ');
	cr_assert_str_eq(both + HOOK_SIG_LEN + 1, two);
	hook_signatures(cur, NULL, "id", "12", "body", 4, solo);
	cr_assert_str_eq(solo, one);
}

Test(hook_sign, ids_are_random_v4_uuids)
{
	char a[HOOK_ID_LEN + 1], b[HOOK_ID_LEN + 1];
	int  i;

	hook_id_new(a);
	hook_id_new(b);
	cr_assert_str_neq(a, b);
	cr_assert_eq(strlen(a), HOOK_ID_LEN);
	for (i = 0; i < HOOK_ID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			cr_assert_eq(a[i], '-', "%s", a);
		else
			cr_assert(isxdigit((unsigned char)a[i]) &&
			        !isupper((unsigned char)a[i]),
			    "%s", a);
	}
	cr_assert_eq(a[14], '4', "version 4: %s", a);
	cr_assert(strchr("89ab", a[19]) != NULL, "variant: %s", a);
}
