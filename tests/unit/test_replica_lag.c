/*
 * Unit tests for app/replica_lag.c: WAL positions as text, and which
 * posts the replica may not show yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "replica_lag.h"

Test(replica_lag, lsn_text_round_trips)
{
	uint64_t v;
	char     out[LSN_TEXT_MAX];

	cr_assert_eq(lsn_parse("16/B374D848", &v), 0);
	cr_assert_eq(v, 0x16B374D848ULL);
	lsn_format(v, out);
	cr_assert_str_eq(out, "16/B374D848");
	cr_assert_eq(lsn_parse("0/0", &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(lsn_parse("FFFFFFFF/FFFFFFFF", &v), 0);
	cr_assert_eq(v, UINT64_MAX);
	cr_assert_eq(lsn_parse("0/3000060", &v), 0);
	cr_assert_eq(v, 0x3000060);
	cr_assert_eq(lsn_parse("a/b", &v), 0);
	cr_assert_eq(v, 0xA0000000BULL);
}

Test(replica_lag, malformed_lsn_refused)
{
	const char *bad[] = { "", "/", "1/", "/1", "1", "1/2/3", "g/1",
		"123456789/1", "1/123456789", "-1/1", " 1/1", "1/1 ", NULL };
	uint64_t    v;
	int         i;

	for (i = 0; bad[i] != NULL; i++)
		cr_assert_eq(lsn_parse(bad[i], &v), -1, "%s", bad[i]);
	cr_assert_eq(lsn_parse(NULL, &v), -1);
}

Test(replica_lag, a_changed_post_waits_for_the_position_then_the_replay)
{
	struct lag l;
	uint64_t   r;

	lag_init(&l);
	cr_assert(lag_fresh(&l, "a", 0));
	cr_assert_not(lag_wants_query(&l));

	lag_mark(&l, "a");
	cr_assert(lag_wants_query(&l));
	/* Not known yet: not even a replica far ahead will do. */
	cr_assert_not(lag_fresh(&l, "a", UINT64_MAX));
	cr_assert(lag_fresh(&l, "b", 0));
	cr_assert_not(lag_fresh(&l, NULL, UINT64_MAX));

	r = lag_asked(&l);
	cr_assert_not(lag_wants_query(&l));
	lag_answered(&l, r, 1000);
	cr_assert_eq(l.heard, 1000);
	cr_assert_not(lag_fresh(&l, "a", 999));
	cr_assert(lag_fresh(&l, "a", 1000));
	cr_assert_not(lag_fresh(&l, NULL, 999));

	lag_prune(&l, 999);
	cr_assert_eq(l.n, 1);
	lag_prune(&l, 1000);
	cr_assert_eq(l.n, 0);
	cr_assert(lag_fresh(&l, NULL, 0));
	lag_free(&l);
}

Test(replica_lag, a_mark_after_a_query_left_waits_for_the_next)
{
	struct lag l;
	uint64_t   r1, r2;

	lag_init(&l);
	lag_mark(&l, "a");
	r1 = lag_asked(&l);
	/* Heard while the first query was out: its answer may be older. */
	lag_mark(&l, "b");
	cr_assert(lag_wants_query(&l));
	lag_answered(&l, r1, 500);
	cr_assert(lag_fresh(&l, "a", 500));
	cr_assert_not(lag_fresh(&l, "b", UINT64_MAX));
	r2 = lag_asked(&l);
	lag_answered(&l, r2, 600);
	cr_assert_not(lag_fresh(&l, "b", 599));
	cr_assert(lag_fresh(&l, "b", 600));

	/* Marked again after its position was known: unknown again. */
	lag_mark(&l, "a");
	cr_assert_not(lag_fresh(&l, "a", UINT64_MAX));
	lag_free(&l);
}

Test(replica_lag, every_post_and_overflow)
{
	struct lag l;
	char       key[16];
	uint64_t   r;
	int        i;

	lag_init(&l);
	lag_mark(&l, NULL);
	cr_assert_not(lag_fresh(&l, "x", UINT64_MAX));
	r = lag_asked(&l);
	lag_answered(&l, r, 70);
	cr_assert_not(lag_fresh(&l, "x", 69));
	cr_assert(lag_fresh(&l, "x", 70));
	lag_prune(&l, 70);
	cr_assert_eq(l.all.round, 0);

	/* More posts than the table holds: every post waits. */
	for (i = 0; i <= LAG_KEYS_MAX; i++) {
		snprintf(key, sizeof(key), "p%d", i);
		lag_mark(&l, key);
	}
	cr_assert_eq(l.n, 0);
	cr_assert_not(lag_fresh(&l, "unrelated", UINT64_MAX));
	r = lag_asked(&l);
	lag_answered(&l, r, 90);
	cr_assert(lag_fresh(&l, "unrelated", 90));
	/* "" is every post too (the trigger's payload for users). */
	lag_mark(&l, "");
	cr_assert_not(lag_fresh(&l, "y", UINT64_MAX));
	lag_free(&l);
}
