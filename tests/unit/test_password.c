/*
 * Unit tests for app/password.c: what passwords are acceptable, argon2id
 * hashing and verification, rehash detection and the dummy hash. Each
 * interactive hash costs about 70 ms and 64 MiB, so few are made.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "password.h"

#define PW "correct horse battery staple"

static void
password_setup(void)
{
	cr_assert_geq(sodium_init(), 0, "sodium_init failed");
}

TestSuite(password, .init = password_setup);

static int
acceptable(const char *s)
{
	return (password_acceptable(s, strlen(s)));
}

Test(password, acceptable_length_in_characters)
{
	cr_assert_eq(acceptable(""), 0);
	cr_assert_eq(acceptable("123456789"), 0);
	cr_assert_eq(acceptable("1234567890"), 1);
	cr_assert_eq(acceptable(PW), 1);
	/* 10 characters in 20 bytes; 9 in 18 are still too few. */
	cr_assert_eq(strlen("éééééééééé"), 20);
	cr_assert_eq(acceptable("éééééééééé"), 1);
	cr_assert_eq(acceptable("ééééééééé"), 0);
	/* 4-byte characters: 9 of them are 36 bytes and still too few. */
	cr_assert_eq(acceptable("😀😀😀😀😀😀😀😀😀"), 0);
	cr_assert_eq(acceptable("😀😀😀😀😀😀😀😀😀😀"), 1);
	/* len, not strlen, decides. */
	cr_assert_eq(password_acceptable("1234567890", 9), 0);
	cr_assert_eq(password_acceptable(NULL, 0), 0);
}

Test(password, acceptable_byte_limit)
{
	char buf[PASSWORD_MAX_BYTES + 2];

	memset(buf, 'a', sizeof(buf));
	cr_assert_eq(password_acceptable(buf, PASSWORD_MAX_BYTES), 1);
	cr_assert_eq(password_acceptable(buf, PASSWORD_MAX_BYTES + 1), 0);
	cr_assert_eq(password_acceptable(buf, PASSWORD_MAX_BYTES + 2), 0);
	/* A multibyte character may not straddle the limit either. */
	memcpy(buf + PASSWORD_MAX_BYTES - 1, "é", 2);
	cr_assert_eq(password_acceptable(buf, PASSWORD_MAX_BYTES + 1), 0);
	cr_assert_eq(password_acceptable(buf, PASSWORD_MAX_BYTES), 0);
}

Test(password, acceptable_needs_valid_utf8)
{
	cr_assert_eq(acceptable("abcdefghij\xff"), 0);
	cr_assert_eq(acceptable("abcdefghij\xc3"), 0); /* truncated */
	cr_assert_eq(acceptable("abcdefghij\xc0\xaf"), 0); /* overlong */
	cr_assert_eq(acceptable("abcdefghij\xed\xa0\x80"), 0); /* surrogate */
	cr_assert_eq(acceptable("abcdefghij\xf4\x90\x80\x80"), 0); /* >10FFFF */
	cr_assert_eq(acceptable("\x80"
	                        "abcdefghij"),
	    0);
	cr_assert_eq(acceptable("abcdefghij\xc3\xa9"), 1);
}

Test(password, acceptable_refuses_nul)
{
	cr_assert_eq(password_acceptable("abcde\0fghijk", 12), 0);
	cr_assert_eq(password_acceptable("abcdefghijk\0", 12), 0);
	cr_assert_eq(password_acceptable("abcdefghijk\0", 11), 1);
}

Test(password, hash_and_verify)
{
	char h[PASSWORD_HASH_MAX];

	cr_assert_eq(password_hash(PW, strlen(PW), h), 0);
	cr_assert_eq(strncmp(h, "$argon2id$", 10), 0, "hash: %s", h);
	cr_assert_lt(strlen(h), sizeof(h));
	cr_assert_eq(password_verify(PW, strlen(PW), h), 1);
	cr_assert_eq(password_verify("correct horse battery stapl",
	                 strlen(PW) - 1, h),
	    0);
	cr_assert_eq(password_verify("Correct horse battery staple", strlen(PW),
	                 h),
	    0);
	cr_assert_eq(password_verify("", 0, h), 0);
	cr_assert_eq(password_verify(NULL, 0, h), 0);
	/* Fresh hashes need no rehash. */
	cr_assert_eq(password_needs_rehash(h), 0);
}

Test(password, verify_refuses_oversized_and_malformed)
{
	char big[PASSWORD_MAX_BYTES + 1];
	char h[PASSWORD_HASH_MAX];

	memset(big, 'a', sizeof(big));
	/* A real hash of the long string, so only the limit can refuse it. */
	cr_assert_eq(crypto_pwhash_str_alg(h, big, sizeof(big),
	                 crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
	                 crypto_pwhash_ALG_ARGON2ID13),
	    0);
	cr_assert_eq(crypto_pwhash_str_verify(h, big, sizeof(big)), 0);
	cr_assert_eq(password_verify(big, sizeof(big), h), 0);

	cr_assert_eq(password_verify(PW, strlen(PW), ""), 0);
	cr_assert_eq(password_verify(PW, strlen(PW), "garbage"), 0);
	cr_assert_eq(password_verify(PW, strlen(PW), "$argon2id$v=19$"), 0);
	cr_assert_eq(password_verify(PW, strlen(PW), NULL), 0);
}

Test(password, needs_rehash_for_weaker_or_other)
{
	char h[PASSWORD_HASH_MAX];

	cr_assert_eq(crypto_pwhash_str_alg(h, PW, strlen(PW),
	                 crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
	                 crypto_pwhash_ALG_ARGON2ID13),
	    0);
	cr_assert_eq(password_needs_rehash(h), 1);
	/* Still a valid hash for login until it is replaced. */
	cr_assert_eq(password_verify(PW, strlen(PW), h), 1);

	/* argon2i (its minimum ops is 3). */
	cr_assert_eq(crypto_pwhash_str_alg(h, PW, strlen(PW),
	                 crypto_pwhash_argon2i_OPSLIMIT_MIN,
	                 crypto_pwhash_MEMLIMIT_MIN,
	                 crypto_pwhash_ALG_ARGON2I13),
	    0);
	cr_assert_eq(strncmp(h, "$argon2i$", 9), 0);
	cr_assert_eq(password_needs_rehash(h), 1);

	cr_assert_eq(password_needs_rehash(""), 1);
	cr_assert_eq(password_needs_rehash("garbage"), 1);
	cr_assert_eq(password_needs_rehash("$argon2id$"), 1);
	cr_assert_eq(
	    password_needs_rehash(
	        "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"),
	    1);
	cr_assert_eq(password_needs_rehash(NULL), 1);
}

/* The length of "$argon2id$v=19$m=...,t=...,p=...$" at the start of h. */
static size_t
params_len(const char *h)
{
	const char *p = h;
	int         dollars = 0;

	while (*p != '\0' && dollars < 4)
		if (*p++ == '$')
			dollars++;
	return ((size_t)(p - h));
}

Test(password, dummy_hash_is_stable_and_matches_nothing_common)
{
	static const char *const common[] = {
		"",
		"password",
		"1234567890",
		"0000000000000000000000000000"
		"000000000000000000000000000000000000",
		PW,
	};
	char   a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
	size_t i;

	cr_assert_eq(password_dummy_hash(a), 0);
	cr_assert_eq(password_dummy_hash(b), 0);
	cr_assert_str_eq(a, b);
	cr_assert_eq(strncmp(a, "$argon2id$", 10), 0, "hash: %s", a);
	cr_assert_eq(password_needs_rehash(a), 0);
	/* Shaped like a real hash, parameters, salt and tag lengths alike,
	 * so that verifying against it costs a full argon2id run. */
	cr_assert_eq(password_hash(PW, strlen(PW), b), 0);
	cr_assert_eq(strlen(a), strlen(b), "%s vs %s", a, b);
	cr_assert_eq(strncmp(a, b, params_len(b)), 0, "%s vs %s", a, b);
	cr_assert_eq(strrchr(a, '$') - a, strrchr(b, '$') - b);
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		cr_assert_eq(password_verify(common[i], strlen(common[i]), a),
		    0, "dummy matched \"%s\"", common[i]);
}
