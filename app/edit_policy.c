#include <stdint.h>

#include "edit_policy.h"

#define US_PER_S INT64_C(1000000)

enum edit_verdict
edit_policy_decide(const struct edit_request *r)
{
	int inside;

	/* Moderators tidy up at any time, window or not. */
	if (r->actor_is_moderator)
		return (EDIT_ALLOWED);

	inside = edit_window_open(r->created_us, r->now_us, r->window_seconds);

	/* actor_id 0 is "nobody": guests' comments have author_id 0 too. */
	if (r->actor_id != 0 && r->actor_id == r->author_id)
		return (inside ? EDIT_ALLOWED : EDIT_WINDOW_CLOSED);
	if (r->edit_token_presented && r->edit_token_matches)
		return (inside ? EDIT_ALLOWED : EDIT_WINDOW_CLOSED);
	if (r->actor_id == 0 && !r->edit_token_presented)
		return (EDIT_NO_CREDENTIALS);
	return (EDIT_NOT_YOURS);
}

int
edit_window_open(int64_t created_us, int64_t now_us, int64_t window_s)
{
	/* No window at all: authors can never edit. */
	if (window_s <= 0)
		return (0);
	return (now_us < edit_window_end(created_us, window_s));
}

int64_t
edit_window_end(int64_t created_us, int64_t window_s)
{
	int64_t w;

	if (window_s <= 0)
		return (created_us);
	/* Saturate: a huge setting means "forever", not a wrapped past. */
	if (window_s > INT64_MAX / US_PER_S)
		return (INT64_MAX);
	w = window_s * US_PER_S;
	if (created_us > INT64_MAX - w)
		return (INT64_MAX);
	return (created_us + w);
}
