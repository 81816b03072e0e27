/*
 * Who may change or delete a comment, and until when. Pure: the handler
 * gathers the facts (who asks, whose comment, when it was made, which
 * credentials came) and this decides.
 */
#ifndef PARLEY_EDIT_POLICY_H
#define PARLEY_EDIT_POLICY_H

#include <stdint.h>

enum edit_verdict {
	EDIT_ALLOWED,
	EDIT_NO_CREDENTIALS, /* 401: neither a session nor an edit token */
	EDIT_NOT_YOURS, /* 403: credentials, but not this comment's */
	EDIT_WINDOW_CLOSED, /* 403: the author, too late */
};

struct edit_request {
	int64_t actor_id; /* logged-in caller, 0 if none */
	int     actor_is_moderator; /* role moderator or admin */
	int     edit_token_presented; /* an X-Edit-Token came */
	int     edit_token_matches; /* ... and matches the comment's */
	int64_t author_id; /* comment's account, 0 for guests */
	int64_t created_us; /* comment's creation, microseconds */
	int64_t now_us;
	int64_t window_seconds; /* the edit window setting */
};

enum edit_verdict edit_policy_decide(const struct edit_request *);
/* 1 while now is before created + window (the window is half-open). */
int edit_window_open(int64_t created_us, int64_t now_us, int64_t window_s);
/* created + window, in microseconds, saturating instead of overflowing. */
int64_t edit_window_end(int64_t created_us, int64_t window_s);

#endif
