/*
 * Unit tests for app/edit_policy.c: who may edit or delete a comment, and
 * the half-open edit window, which saturates instead of overflowing (UBSan
 * would stop the run on a signed overflow).
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "edit_policy.h"

#define S   INT64_C(1000000) /* one second in microseconds */
#define T0  INT64_C(1700000000000000)
#define WIN INT64_C(900) /* 15 minutes */

TestSuite(edit_policy);

/* A request inside the window by nobody; tests fill in the rest. */
static struct edit_request
req(void)
{
	struct edit_request r;

	memset(&r, 0, sizeof(r));
	r.created_us = T0;
	r.now_us = T0 + 60 * S;
	r.window_seconds = WIN;
	return (r);
}

static struct edit_request
late(struct edit_request r)
{
	r.now_us = r.created_us + WIN * S;
	return (r);
}

static enum edit_verdict
decide(struct edit_request r)
{
	return (edit_policy_decide(&r));
}

Test(edit_policy, moderator_always_allowed)
{
	struct edit_request r = req();

	r.actor_id = 5;
	r.actor_is_moderator = 1;
	r.author_id = 7;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	cr_assert_eq(decide(late(r)), EDIT_ALLOWED);
	r.window_seconds = 0;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	/* A guest's comment, years later. */
	r.author_id = 0;
	r.now_us = T0 + INT64_C(100000000) * S;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	/* Their own comment too, and with a wrong token on the side. */
	r.author_id = 5;
	r.edit_token_presented = 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
}

Test(edit_policy, author_inside_and_after_window)
{
	struct edit_request r = req();

	r.actor_id = r.author_id = 42;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	cr_assert_eq(decide(late(r)), EDIT_WINDOW_CLOSED);
	/* A stray (wrong) edit token does not demote the author. */
	r.edit_token_presented = 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	cr_assert_eq(decide(late(r)), EDIT_WINDOW_CLOSED);
	/* Nor does a right one extend the window. */
	r.edit_token_matches = 1;
	cr_assert_eq(decide(late(r)), EDIT_WINDOW_CLOSED);
}

Test(edit_policy, author_window_boundary)
{
	struct edit_request r = req();

	r.actor_id = r.author_id = 42;
	r.now_us = T0 + WIN * S - 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	r.now_us = T0 + WIN * S;
	cr_assert_eq(decide(r), EDIT_WINDOW_CLOSED);
	r.now_us = T0 + WIN * S + 1;
	cr_assert_eq(decide(r), EDIT_WINDOW_CLOSED);
	r.now_us = T0;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
}

Test(edit_policy, author_with_no_window)
{
	struct edit_request r = req();

	r.actor_id = r.author_id = 42;
	r.now_us = T0;
	r.window_seconds = 0;
	cr_assert_eq(decide(r), EDIT_WINDOW_CLOSED);
	r.window_seconds = -1;
	cr_assert_eq(decide(r), EDIT_WINDOW_CLOSED);
	/* Even a clock that went back before the comment. */
	r.now_us = T0 - S;
	r.window_seconds = 0;
	cr_assert_eq(decide(r), EDIT_WINDOW_CLOSED);
	r.window_seconds = INT64_MIN;
	cr_assert_eq(decide(r), EDIT_WINDOW_CLOSED);
}

Test(edit_policy, guest_with_matching_token)
{
	struct edit_request r = req();

	r.edit_token_presented = 1;
	r.edit_token_matches = 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	cr_assert_eq(decide(late(r)), EDIT_WINDOW_CLOSED);
	r.now_us = T0 + WIN * S - 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
}

Test(edit_policy, logged_in_non_author_with_guest_token)
{
	struct edit_request r = req();

	/* Wrote it as a guest, logged in since: the token still counts. */
	r.actor_id = 9;
	r.author_id = 0;
	r.edit_token_presented = 1;
	r.edit_token_matches = 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	cr_assert_eq(decide(late(r)), EDIT_WINDOW_CLOSED);
	/* Likewise when the comment has another author on record. */
	r.author_id = 10;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
}

Test(edit_policy, wrong_token_is_not_yours)
{
	struct edit_request r = req();

	r.edit_token_presented = 1;
	r.edit_token_matches = 0;
	cr_assert_eq(decide(r), EDIT_NOT_YOURS);
	cr_assert_eq(decide(late(r)), EDIT_NOT_YOURS);
	r.actor_id = 9;
	r.author_id = 10;
	cr_assert_eq(decide(r), EDIT_NOT_YOURS);
	r.author_id = 0;
	cr_assert_eq(decide(r), EDIT_NOT_YOURS);
}

Test(edit_policy, logged_in_not_author_is_not_yours)
{
	struct edit_request r = req();

	r.actor_id = 9;
	r.author_id = 10;
	cr_assert_eq(decide(r), EDIT_NOT_YOURS);
	cr_assert_eq(decide(late(r)), EDIT_NOT_YOURS);
	/* A guest's comment, no token. */
	r.author_id = 0;
	cr_assert_eq(decide(r), EDIT_NOT_YOURS);
}

Test(edit_policy, no_credentials)
{
	struct edit_request r = req();

	cr_assert_eq(decide(r), EDIT_NO_CREDENTIALS);
	cr_assert_eq(decide(late(r)), EDIT_NO_CREDENTIALS);
	/* A guest's comment: author 0 is not actor 0's. */
	r.author_id = 0;
	cr_assert_eq(decide(r), EDIT_NO_CREDENTIALS);
	r.author_id = 10;
	cr_assert_eq(decide(r), EDIT_NO_CREDENTIALS);
	/* "Matches" without a token presented means nothing. */
	r.edit_token_matches = 1;
	cr_assert_eq(decide(r), EDIT_NO_CREDENTIALS);
}

Test(edit_policy, window_open_half_open)
{
	cr_assert_eq(edit_window_open(T0, T0, WIN), 1);
	cr_assert_eq(edit_window_open(T0, T0 + WIN * S - 1, WIN), 1);
	cr_assert_eq(edit_window_open(T0, T0 + WIN * S, WIN), 0);
	cr_assert_eq(edit_window_open(T0, T0 + WIN * S + 1, WIN), 0);
	/* Clock skew: now before creation is still inside. */
	cr_assert_eq(edit_window_open(T0, T0 - S, WIN), 1);
	cr_assert_eq(edit_window_open(T0, T0, 1), 1);
	cr_assert_eq(edit_window_open(T0, T0 + S, 1), 0);
}

Test(edit_policy, window_zero_or_negative_never_open)
{
	cr_assert_eq(edit_window_open(T0, T0, 0), 0);
	cr_assert_eq(edit_window_open(T0, T0 - S, 0), 0);
	cr_assert_eq(edit_window_open(T0, INT64_MIN, 0), 0);
	cr_assert_eq(edit_window_open(T0, T0, -1), 0);
	cr_assert_eq(edit_window_open(T0, INT64_MIN, -1), 0);
	cr_assert_eq(edit_window_open(T0, T0, INT64_MIN), 0);
	cr_assert_eq(edit_window_end(T0, 0), T0);
	cr_assert_eq(edit_window_end(T0, -5), T0);
	cr_assert_eq(edit_window_end(INT64_MIN, INT64_MIN), INT64_MIN);
}

Test(edit_policy, window_end_plain)
{
	cr_assert_eq(edit_window_end(T0, WIN), T0 + WIN * S);
	cr_assert_eq(edit_window_end(0, 1), S);
	cr_assert_eq(edit_window_end(-10 * S, 3), -7 * S);
}

Test(edit_policy, window_end_saturates)
{
	int64_t maxw = INT64_MAX / S; /* largest window that fits */

	/* window_s * 10^6 alone would overflow. */
	cr_assert_eq(edit_window_end(T0, INT64_MAX), INT64_MAX);
	cr_assert_eq(edit_window_end(0, INT64_MAX), INT64_MAX);
	cr_assert_eq(edit_window_end(INT64_MIN, INT64_MAX), INT64_MAX);
	cr_assert_eq(edit_window_end(T0, maxw + 1), INT64_MAX);
	/* The product fits, the sum does not. */
	cr_assert_eq(edit_window_end(0, maxw), maxw * S);
	cr_assert_eq(edit_window_end(T0, maxw), INT64_MAX);
	cr_assert_eq(edit_window_end(INT64_MAX, 1), INT64_MAX);
	cr_assert_eq(edit_window_end(INT64_MAX - S, 1), INT64_MAX);
	cr_assert_eq(edit_window_end(INT64_MAX - S - 1, 1), INT64_MAX - 1);
	/* Very negative creation plus the largest product still fits. */
	cr_assert_eq(edit_window_end(INT64_MIN, maxw), INT64_MIN + maxw * S);

	/* Saturated windows stay open until the end of time, exclusive. */
	cr_assert_eq(edit_window_open(T0, INT64_MAX - 1, INT64_MAX), 1);
	cr_assert_eq(edit_window_open(T0, INT64_MAX, INT64_MAX), 0);
	cr_assert_eq(edit_window_open(INT64_MAX, INT64_MAX, 1), 0);
}

Test(edit_policy, decide_with_huge_window)
{
	struct edit_request r = req();

	r.actor_id = r.author_id = 42;
	r.window_seconds = INT64_MAX;
	r.now_us = INT64_MAX - 1;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
	r.created_us = INT64_MAX;
	r.window_seconds = INT64_MAX / S;
	cr_assert_eq(decide(r), EDIT_ALLOWED);
}
