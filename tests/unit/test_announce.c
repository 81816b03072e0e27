/*
 * Unit tests for app/announce.c: the post keys a worker has yet to
 * announce after their commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "announce.h"

/* Takes what is pending; keys as a string ("*" for every post). */
static void
take(struct announce *a, char *out, size_t outlen, int *deliveries)
{
	char *keys;

	announce_take(a, &keys, deliveries);
	snprintf(out, outlen, "%s", keys == NULL ? "*" : keys);
	free(keys);
}

Test(announce, keys_coalesce_without_repeats)
{
	struct announce a;
	char            got[256];
	int             d;

	announce_init(&a);
	cr_assert_eq(announce_pending(&a), 0);
	announce_post(&a, "/a");
	announce_post(&a, "/b");
	announce_post(&a, "/a");
	announce_post(&a, "/b");
	announce_post(&a, "/a/b");
	cr_assert_eq(announce_pending(&a), 1);
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "/a\n/b\n/a/b");
	cr_assert_eq(d, 0);
	/* Taken means gone: the set starts over. */
	cr_assert_eq(announce_pending(&a), 0);
	announce_post(&a, "/c");
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "/c");
	announce_free(&a);
}

Test(announce, prefix_of_a_key_is_another_key)
{
	struct announce a;
	char            got[256];
	int             d;

	announce_init(&a);
	announce_post(&a, "/ab");
	announce_post(&a, "/a");
	announce_post(&a, "/abc");
	announce_post(&a, "b");
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "/ab\n/a\n/abc\nb");
	announce_free(&a);
}

Test(announce, deliveries_alone)
{
	struct announce a;
	char            got[256];
	int             d;

	announce_init(&a);
	announce_deliveries(&a);
	cr_assert_eq(announce_pending(&a), 1);
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "", "no post keys, not every post");
	cr_assert_eq(d, 1);
	take(&a, got, sizeof(got), &d);
	cr_assert_eq(d, 0);
	announce_free(&a);
}

Test(announce, every_post_for_null_empty_or_newline)
{
	static const char *const everything[] = { NULL, "", "/x\n/y" };
	struct announce          a;
	char                     got[256];
	size_t                   i;
	int                      d;

	for (i = 0; i < 3; i++) {
		announce_init(&a);
		announce_post(&a, "/before");
		announce_post(&a, everything[i]);
		announce_post(&a, "/after");
		take(&a, got, sizeof(got), &d);
		cr_assert_str_eq(got, "*", "case %zu", i);
		/* And back to keys afterwards. */
		announce_post(&a, "/next");
		take(&a, got, sizeof(got), &d);
		cr_assert_str_eq(got, "/next");
		announce_free(&a);
	}
}

Test(announce, too_many_keys_become_every_post)
{
	struct announce a;
	char            key[32], got[8192];
	int             d, i;

	announce_init(&a);
	for (i = 0; i < ANNOUNCE_KEYS_MAX; i++) {
		snprintf(key, sizeof(key), "/k%d", i);
		announce_post(&a, key);
	}
	take(&a, got, sizeof(got), &d);
	cr_assert_neq(strcmp(got, "*"), 0, "%d keys fit", ANNOUNCE_KEYS_MAX);
	for (i = 0; i <= ANNOUNCE_KEYS_MAX; i++) {
		snprintf(key, sizeof(key), "/k%d", i);
		announce_post(&a, key);
	}
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "*");
	announce_free(&a);
}

Test(announce, too_many_bytes_become_every_post)
{
	struct announce a;
	char            key[257], got[8192];
	int             d, i;

	announce_init(&a);
	for (i = 0; i < 20; i++) {
		memset(key, 'a' + i, 256);
		key[256] = '\0';
		announce_post(&a, key);
	}
	/* 20 keys of 256 bytes: 5,139 bytes, over ANNOUNCE_BYTES_MAX. */
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "*");
	for (i = 0; i < 15; i++) {
		memset(key, 'a' + i, 256);
		announce_post(&a, key);
	}
	take(&a, got, sizeof(got), &d);
	cr_assert_eq(strlen(got), 15 * 257 - 1);
	announce_free(&a);
}

Test(announce, a_barrier_alone_goes_out_with_no_key)
{
	struct announce a;
	char            got[64];
	int             d;

	announce_init(&a);
	cr_assert_not(announce_pending(&a));
	announce_barrier(&a);
	cr_assert(announce_pending(&a));
	take(&a, got, sizeof(got), &d);
	/* No key: the announcement tells nothing, only where the WAL is. */
	cr_assert_str_eq(got, "");
	cr_assert_eq(d, 0);
	cr_assert_not(announce_pending(&a));

	/* With keys, the barrier rides along. */
	announce_barrier(&a);
	announce_post(&a, "p1");
	take(&a, got, sizeof(got), &d);
	cr_assert_str_eq(got, "p1");
	cr_assert_not(announce_pending(&a));
	announce_free(&a);
}
