/*
 * Unit tests for app/token.c: bearer tokens as 43 characters of base64url,
 * their strict decoding, and the stored BLAKE2b hash as bytea text.
 */
#include <ctype.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "token.h"

/* bytes 0..31, encoded, and BLAKE2b-256 of them (from Python's hashlib). */
#define SEQ_TOKEN "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define SEQ_HASH                                                               \
	"cb2f5160fc1f7e05a55ef49d340b48da2e5a78099d53393351cd579dd42503d6"
#define SEQ_SQL "\\x" SEQ_HASH
/* 32 zero bytes. */
#define ZERO_TOKEN "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define ZERO_HASH                                                              \
	"89eb0d6a8a691dae2cd15ed0369931ce0a949ecafa5c3f93f8121833646e15c3"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
token_setup(void)
{
	cr_assert_geq(sodium_init(), 0, "sodium_init failed");
}

TestSuite(token, .init = token_setup);

/* The text must be refused by every entry point. */
static void
refuse(const char *text)
{
	unsigned char raw[TOKEN_BYTES], h[TOKEN_HASH_BYTES];
	char          sql[TOKEN_HASH_SQL_LEN];

	cr_assert_eq(token_decode(text, raw), -1, "decode accepted \"%s\"",
	    text == NULL ? "(null)" : text);
	cr_assert_eq(token_hash(text, h), -1, "hash accepted \"%s\"",
	    text == NULL ? "(null)" : text);
	cr_assert_eq(token_hash_sql(text, sql), -1, "hash_sql accepted \"%s\"",
	    text == NULL ? "(null)" : text);
	cr_assert_eq(token_matches(text, SEQ_SQL), 0, "matches accepted \"%s\"",
	    text == NULL ? "(null)" : text);
}

Test(token, new_is_43_urlsafe_chars_and_round_trips)
{
	char          t[TOKEN_TEXT_LEN + 1], again[TOKEN_TEXT_LEN + 1];
	unsigned char raw[TOKEN_BYTES];
	size_t        i;

	memset(t, 'Z', sizeof(t));
	token_new(t);
	cr_assert_eq(strlen(t), TOKEN_TEXT_LEN);
	for (i = 0; i < TOKEN_TEXT_LEN; i++)
		cr_assert_neq(strchr(b64url, t[i]), NULL, "char %zu: %c", i,
		    t[i]);
	cr_assert_eq(token_decode(t, raw), 0);
	sodium_bin2base64(again, sizeof(again), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	cr_assert_str_eq(again, t);
}

Test(token, new_tokens_differ)
{
	char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1];

	token_new(a);
	token_new(b);
	cr_assert_str_neq(a, b);
}

Test(token, decode_known_bytes)
{
	unsigned char raw[TOKEN_BYTES];
	size_t        i;

	cr_assert_eq(token_decode(SEQ_TOKEN, raw), 0);
	for (i = 0; i < TOKEN_BYTES; i++)
		cr_assert_eq(raw[i], i);
	cr_assert_eq(token_decode(ZERO_TOKEN, raw), 0);
	for (i = 0; i < TOKEN_BYTES; i++)
		cr_assert_eq(raw[i], 0);
}

Test(token, hash_is_blake2b_256_and_deterministic)
{
	unsigned char h1[TOKEN_HASH_BYTES], h2[TOKEN_HASH_BYTES];
	unsigned char raw[TOKEN_BYTES], want[TOKEN_HASH_BYTES];
	char          hex[2 * TOKEN_HASH_BYTES + 1];
	char          t[TOKEN_TEXT_LEN + 1];

	cr_assert_eq(token_hash(SEQ_TOKEN, h1), 0);
	sodium_bin2hex(hex, sizeof(hex), h1, sizeof(h1));
	cr_assert_str_eq(hex, SEQ_HASH);

	/* A random token: same hash twice, equal to the library's own. */
	token_new(t);
	cr_assert_eq(token_hash(t, h1), 0);
	cr_assert_eq(token_hash(t, h2), 0);
	cr_assert_eq(memcmp(h1, h2, sizeof(h1)), 0);
	cr_assert_eq(token_decode(t, raw), 0);
	crypto_generichash(want, sizeof(want), raw, sizeof(raw), NULL, 0);
	cr_assert_eq(memcmp(h1, want, sizeof(h1)), 0);
}

Test(token, hash_sql_format)
{
	char   sql[TOKEN_HASH_SQL_LEN];
	char   t[TOKEN_TEXT_LEN + 1];
	size_t i;

	cr_assert_eq(TOKEN_HASH_SQL_LEN, 67);
	cr_assert_eq(token_hash_sql(SEQ_TOKEN, sql), 0);
	cr_assert_str_eq(sql, SEQ_SQL);
	cr_assert_eq(token_hash_sql(ZERO_TOKEN, sql), 0);
	cr_assert_str_eq(sql, "\\x" ZERO_HASH);

	token_new(t);
	cr_assert_eq(token_hash_sql(t, sql), 0);
	cr_assert_eq(strlen(sql), 66);
	cr_assert_eq(sql[0], '\\');
	cr_assert_eq(sql[1], 'x');
	for (i = 2; i < 66; i++)
		cr_assert(isdigit((unsigned char)sql[i]) ||
		        (sql[i] >= 'a' && sql[i] <= 'f'),
		    "char %zu: %c", i, sql[i]);
}

Test(token, matches_right_token)
{
	char t[TOKEN_TEXT_LEN + 1], sql[TOKEN_HASH_SQL_LEN];

	cr_assert_eq(token_matches(SEQ_TOKEN, SEQ_SQL), 1);
	token_new(t);
	cr_assert_eq(token_hash_sql(t, sql), 0);
	cr_assert_eq(token_matches(t, sql), 1);
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 0);
	cr_assert_eq(token_matches(t, SEQ_SQL), 0);
}

Test(token, matches_uppercase_stored_hex)
{
	char   sql[TOKEN_HASH_SQL_LEN];
	size_t i;

	strcpy(sql, SEQ_SQL);
	for (i = 2; sql[i] != '\0'; i++)
		sql[i] = (char)toupper((unsigned char)sql[i]);
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 1);
}

Test(token, one_char_off_does_not_match)
{
	char   t[TOKEN_TEXT_LEN + 1];
	size_t i;

	/* Every position but the last, which has its own test. */
	for (i = 0; i < TOKEN_TEXT_LEN - 1; i++) {
		strcpy(t, SEQ_TOKEN);
		t[i] = t[i] == 'Q' ? 'R' : 'Q';
		cr_assert_eq(token_matches(t, SEQ_SQL), 0, "position %zu", i);
	}
	strcpy(t, SEQ_TOKEN);
	t[TOKEN_TEXT_LEN - 1] = 'A'; /* canonical, other bytes */
	cr_assert_eq(token_matches(t, SEQ_SQL), 0);
}

Test(token, wrong_lengths_refused)
{
	char t[2 * TOKEN_TEXT_LEN + 1];

	refuse("");
	strcpy(t, SEQ_TOKEN);
	t[42] = '\0';
	refuse(t); /* 42 */
	strcpy(t, SEQ_TOKEN);
	strcat(t, "A");
	refuse(t); /* 44 */
	strcpy(t, SEQ_TOKEN);
	strcat(t, SEQ_TOKEN);
	refuse(t); /* 86 */
	refuse("AAAA");
}

Test(token, padding_refused)
{
	char t[TOKEN_TEXT_LEN + 8];

	strcpy(t, SEQ_TOKEN);
	strcat(t, "=");
	refuse(t); /* standard padded form */
	strcpy(t, SEQ_TOKEN);
	t[42] = '=';
	refuse(t); /* 43 chars ending in '=' */
	strcpy(t, SEQ_TOKEN);
	t[20] = '=';
	refuse(t);
}

Test(token, other_alphabets_and_junk_refused)
{
	char       t[TOKEN_TEXT_LEN + 1];
	const char bad[] = "+/ .\t\n\r=%~*\"\\\x7f\x80\xff";
	size_t     i, pos;

	for (pos = 0; pos < TOKEN_TEXT_LEN; pos += 21) {
		for (i = 0; i < sizeof(bad) - 1; i++) {
			strcpy(t, SEQ_TOKEN);
			t[pos] = bad[i];
			refuse(t);
		}
	}
	/* A real token in the standard alphabet. */
	refuse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+");
	refuse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/");
	refuse(" AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
}

Test(token, embedded_nul_is_a_short_token)
{
	char t[TOKEN_TEXT_LEN + 1];

	strcpy(t, SEQ_TOKEN);
	t[10] = '\0';
	refuse(t);
}

/* 43 characters carry 258 bits: the last one's two low bits must be zero. */
Test(token, non_canonical_last_char_refused)
{
	char   t[TOKEN_TEXT_LEN + 1], sql[TOKEN_HASH_SQL_LEN];
	size_t i, idx;
	int    k;

	/* SEQ_TOKEN ends in '8' (index 60): '9', '-' and '_' alias it. */
	strcpy(t, SEQ_TOKEN);
	t[42] = '9';
	refuse(t);
	t[42] = '-';
	refuse(t);
	t[42] = '_';
	refuse(t);

	/* Every alphabet character in the last place, on a random token. */
	for (k = 0; k < 8; k++) {
		token_new(t);
		cr_assert_eq(token_hash_sql(t, sql), 0);
		for (i = 0; i < 64; i++) {
			t[42] = b64url[i];
			idx = i;
			if ((idx & 3) == 0)
				cr_assert_eq(token_decode(t,
				                 (unsigned char[TOKEN_BYTES]){
				                     0 }),
				    0, "canonical %c refused", b64url[i]);
			else
				refuse(t);
		}
	}
}

Test(token, null_presented_is_no_match)
{
	refuse(NULL);
	cr_assert_eq(token_matches(NULL, NULL), 0);
}

Test(token, malformed_stored_is_no_match)
{
	char sql[TOKEN_HASH_SQL_LEN + 8];

	cr_assert_eq(token_matches(SEQ_TOKEN, NULL), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, ""), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, "\\x"), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, SEQ_HASH), 0); /* no \x */
	cr_assert_eq(token_matches(SEQ_TOKEN, "\\X" SEQ_HASH), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, "x" SEQ_HASH), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, "\\\\x" SEQ_HASH), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, " \\x" SEQ_HASH), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, SEQ_SQL "\n"), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, SEQ_SQL "00"), 0);
	cr_assert_eq(token_matches(SEQ_TOKEN, SEQ_SQL "0"), 0);

	strcpy(sql, SEQ_SQL);
	sql[65] = '\0'; /* 63 hex */
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 0);
	sql[64] = '\0'; /* 62 hex */
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 0);

	strcpy(sql, SEQ_SQL);
	sql[30] = 'g';
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 0);
	strcpy(sql, SEQ_SQL);
	sql[30] = ' ';
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 0);
	strcpy(sql, SEQ_SQL);
	sql[30] = ':';
	cr_assert_eq(token_matches(SEQ_TOKEN, sql), 0);

	/* Well-formed but another hash. */
	cr_assert_eq(token_matches(SEQ_TOKEN, "\\x" ZERO_HASH), 0);
}

Test(token, decode_failure_leaves_no_bytes)
{
	unsigned char raw[TOKEN_BYTES], zero[TOKEN_BYTES] = { 0 };
	char          t[TOKEN_TEXT_LEN + 1];

	strcpy(t, SEQ_TOKEN);
	t[42] = '9';
	memset(raw, 0xaa, sizeof(raw));
	cr_assert_eq(token_decode(t, raw), -1);
	cr_assert_eq(memcmp(raw, zero, sizeof(raw)), 0);
}
