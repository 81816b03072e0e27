#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avatar.h"
#include "edit_policy.h"
#include "keys.h"
#include "store.h"

/*
 * Times are read through rfc3339() and avatars through avatar_seed(), both
 * in sql/functions/common.sql; PostgreSQL inlines them into each plan.
 */

/*
 * The SQL and its column enums below are laid out by hand, to read as
 * SQL and as the list of columns it selects.
 */
/* clang-format off */
/*
 * Each statement's columns are named by an enum beside it, and only its
 * reader below uses them.
 */

static const char sql_health[] = "SELECT 1";

enum {
	TH_TITLE, TH_URL, TH_COUNT, TH_OPEN, TH_ID, TH_PARENT, TH_STATUS,
	TH_NAME, TH_AUTHOR_URL, TH_HTML, TH_CREATED, TH_EDITED, TH_CREATED_US,
	TH_SCORE, TH_ROLE, TH_OWN, TH_AVATAR, TH_EDIT_WINDOW, TH_MORE, TH_KEY
};

/*
 * A page of a thread (thread_page_ids in sql/functions/thread.sql): the
 * post's columns, repeated on every row, then each comment's (approved
 * ones in full, and the viewer's own held ones ($2); the others only as
 * their place in the tree, so a removed comment's text never leaves the
 * database on the readers' path), how many of its replies were left out,
 * and the post's key. A post without comments on the page gives one row
 * whose comment columns are NULL.
 */
#define SQL_PAGE_COLUMNS \
	"SELECT p.title, p.url, p.approved, p.open," \
	" c.id, c.parent_id, c.status," \
	" CASE WHEN v.shown THEN coalesce(u.name, c.author_name) ELSE '' END," \
	" CASE WHEN v.shown THEN c.author_url END," \
	" CASE WHEN v.shown THEN c.html ELSE '' END," \
	" rfc3339(c.created_at), rfc3339(c.edited_at)," \
	" (extract(epoch FROM c.created_at) * 1000000)::bigint, c.score," \
	" coalesce(u.role, 'guest'), coalesce(c.user_id = $2, false)," \
	" CASE WHEN v.shown" \
	"  THEN avatar_seed(c.user_id, c.author_email, c.author_name) END," \
	" (SELECT value::text FROM settings" \
	"  WHERE name = 'edit_window_seconds')::bigint, t.more, p.key"
#define SQL_PAGE_JOINS \
	" LEFT JOIN comments c ON c.id = t.id" \
	" LEFT JOIN users u ON u.id = c.user_id" \
	" CROSS JOIN LATERAL (SELECT c.status = 'approved' OR" \
	"  (c.status = 'pending' AND c.user_id = $2) AS shown) v"
/* $1 the post's key, $2 the viewer, $3 the sort, $4-$6 the cursor
 * (score, created_us, id), $7 the limit, $8 the replies per comment. */
static const char sql_thread_page[] =
	SQL_PAGE_COLUMNS
	" FROM (SELECT p.*, post_comment_count(p.id) AS approved"
	"  FROM posts p WHERE p.key = $1 OFFSET 0) p"
	" LEFT JOIN LATERAL thread_page_ids(p.id, NULL, $2::bigint, $3,"
	"  $4::bigint, $5::bigint, $6::bigint, $7::integer, $8::integer) t"
	"  ON true"
	SQL_PAGE_JOINS;
/* $1 the comment, $2 the viewer, $3 the reply after which to start, $4 the
 * limit, $5 the replies per reply. No row: no such comment. */
static const char sql_replies_page[] =
	SQL_PAGE_COLUMNS
	" FROM (SELECT p.*, r.id AS root, 0 AS approved FROM comments r"
	"  JOIN posts p ON p.id = r.post_id WHERE r.id = $1::bigint) p"
	" LEFT JOIN LATERAL thread_page_ids(p.id, p.root, $2::bigint,"
	"  'oldest', NULL, NULL, $3::bigint, $4::integer, $5::integer) t"
	"  ON true"
	SQL_PAGE_JOINS;

static const char sql_comment_create[] =
	"SELECT r.err, r.comment_id, r.parent_id, rfc3339(r.created_at),"
	" (extract(epoch FROM r.created_at) * 1000000)::bigint, r.avatar_seed,"
	" r.mail, deliveries_unannounced()"
	" FROM comment_create($1, $2, $3, $4::bigint, $5::integer, $6::bigint,"
	" $7, $8, $9, $10, $11, $12, $13::inet, $14::bytea, $15, $16,"
	" $17::integer, $18::boolean) r";
/* The last column is read after comment_create ran (see
 * deliveries_unannounced in sql/). */
enum {
	CREATE_ERR, CREATE_ID, CREATE_PARENT_ID, CREATE_CREATED_AT,
	CREATE_CREATED_US, CREATE_AVATAR_SEED, CREATE_MAIL, CREATE_DELIVERIES
};

static const char sql_comment_facts[] =
	"SELECT f.settings::text, f.post_open, f.ban_kind, f.ban_reason,"
	" f.rate_wait, f.duplicate, f.prior_approved, v.url, v.secret,"
	" v.old_secret"
	" FROM comment_facts($1, $2::bigint, $3, $4::inet, $5, $6) f"
	" LEFT JOIN LATERAL verdict_hook() v ON true";
enum {
	FACTS_SETTINGS, FACTS_POST_OPEN, FACTS_BAN_KIND, FACTS_BAN_REASON,
	FACTS_RATE_WAIT, FACTS_DUPLICATE, FACTS_PRIOR_APPROVED,
	FACTS_VERDICT_URL, FACTS_VERDICT_SECRET, FACTS_VERDICT_OLD_SECRET
};

/*
 * Moderators' listing: every filter optional ($1 status, $2 post key,
 * $3 text, $4 e-mail, $5 address or block, $6 page before this id), with
 * the held and spam counts the admin page always shows (on a row of its
 * own with NULL comment columns when nothing matches). The text search
 * escapes LIKE's wildcards so they match literally.
 */
static const char sql_admin_comments[] =
	"WITH q AS (SELECT '%' || replace(replace(replace(coalesce($3, ''),"
	"  '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pattern),"
	" n AS (SELECT (SELECT count(*) FROM comments"
	"  WHERE status = 'pending') AS pending,"
	"  (SELECT count(*) FROM comments WHERE status = 'spam') AS spam,"
	"  now() - make_interval(days => coalesce((SELECT value::text::integer"
	"  FROM settings WHERE name = 'ip_retention_days'), 90)) AS kept_since)"
	" SELECT c.id, c.parent_id, c.status, coalesce(u.name, c.author_name),"
	" c.author_url, c.html, rfc3339(c.created_at),"
	" rfc3339(c.edited_at),"
	" (extract(epoch FROM c.created_at) * 1000000)::bigint, c.score,"
	" coalesce(u.role, 'guest'),"
	" avatar_seed(c.user_id, c.author_email, c.author_name), p.key,"
	" c.author_email, host(c.ip), c.verdict, c.reason,"
	" coalesce(pu.name, pc.author_name), pc.html, n.pending, n.spam,"
	" c.user_id, p.open, c.ip IS NULL AND c.created_at < n.kept_since"
	" FROM n CROSS JOIN q"
	" LEFT JOIN (comments c JOIN posts p ON p.id = c.post_id"
	"  LEFT JOIN users u ON u.id = c.user_id"
	"  LEFT JOIN comments pc ON pc.id = c.parent_id"
	"  LEFT JOIN users pu ON pu.id = pc.user_id)"
	" ON ($1::text IS NULL OR c.status = $1)"
	" AND ($2::text IS NULL OR p.key = $2)"
	" AND ($3::text IS NULL OR c.body ILIKE q.pattern"
	"  OR c.author_name ILIKE q.pattern OR c.author_email ILIKE q.pattern"
	"  OR u.name ILIKE q.pattern)"
	" AND ($4::text IS NULL OR lower(c.author_email) = lower($4))"
	" AND ($5::inet IS NULL OR c.ip <<= $5::inet)"
	" AND ($6::bigint IS NULL OR c.id < $6)"
	" ORDER BY c.id DESC NULLS LAST LIMIT $7::integer";
enum {
	ADM_ID, ADM_PARENT_ID, ADM_STATUS, ADM_AUTHOR_NAME, ADM_AUTHOR_URL,
	ADM_HTML, ADM_CREATED_AT, ADM_EDITED_AT, ADM_CREATED_US, ADM_SCORE,
	ADM_ROLE, ADM_AVATAR_SEED, ADM_POST, ADM_EMAIL, ADM_IP, ADM_VERDICT,
	ADM_REASON, ADM_PARENT_AUTHOR, ADM_PARENT_HTML, ADM_PENDING, ADM_SPAM,
	ADM_USER_ID, ADM_POST_OPEN, ADM_IP_EXPIRED
};

/* An account's columns, in the order of enum user_col. */
#define USER_COLS	"id, name, email, role"
enum user_col { USER_ID, USER_NAME, USER_EMAIL, USER_ROLE, USER_CREATED_AT };

static const char sql_session_user[] =
	"SELECT " USER_COLS " FROM session_user_get($1::bytea, $2::integer,"
	" $3::integer)";
static const char sql_user_register[] =
	"SELECT err, " USER_COLS " FROM user_register($1, $2, $3, $4::bytea,"
	" $5::integer, $6)";
/* err (NULL: done), then the account's columns from ERR_USER on; the same
 * for sql_user_role. */
enum { ERR_COL, ERR_USER };
static const char sql_register_attempt[] =
	"SELECT retry_after FROM register_attempt($1)";
enum { ATTEMPT_RETRY_AFTER };
static const char sql_login_lookup[] =
	"SELECT id, password_hash, name, email, role, retry_after"
	" FROM login_lookup($1, $2, $3::boolean)";
enum {
	LOGIN_ID, LOGIN_PASSWORD_HASH, LOGIN_NAME, LOGIN_EMAIL, LOGIN_ROLE,
	LOGIN_RETRY_AFTER
};
/* The account's columns, as sql_session_user. */
static const char sql_session_create[] =
	"SELECT " USER_COLS " FROM session_create($1::bigint, $2::bytea,"
	" $3::integer, $4, $5)";
static const char sql_session_delete[] =
	"DELETE FROM sessions WHERE token_hash = $1::bytea";
static const char sql_password_set[] =
	"SELECT user_password_set($1::bigint, $2, $3::bytea, $4)";
static const char sql_comment_get[] =
	"SELECT c.user_id, c.edit_token_hash,"
	" (extract(epoch FROM c.created_at) * 1000000)::bigint, c.status,"
	" coalesce(u.name, c.author_name), c.author_url,"
	" rfc3339(c.created_at), rfc3339(c.edited_at), c.score,"
	" c.parent_id, coalesce(u.role, 'guest'),"
	" avatar_seed(c.user_id, c.author_email, c.author_name),"
	" (SELECT value::text FROM settings WHERE name = 'edit_window_seconds'),"
	" settings_json()::text, p.key, c.author_email, host(c.ip), v.url, v.secret,"
	" v.old_secret"
	" FROM comments c LEFT JOIN users u ON u.id = c.user_id"
	" JOIN posts p ON p.id = c.post_id LEFT JOIN verdict_hook() v ON true"
	" WHERE c.id = $1::bigint";
enum {
	GET_USER_ID, GET_EDIT_TOKEN_HASH, GET_CREATED_US, GET_STATUS,
	GET_AUTHOR_NAME, GET_AUTHOR_URL, GET_CREATED_AT, GET_EDITED_AT,
	GET_SCORE, GET_PARENT_ID, GET_ROLE, GET_AVATAR_SEED, GET_EDIT_WINDOW,
	GET_SETTINGS, GET_POST, GET_AUTHOR_EMAIL, GET_IP, GET_VERDICT_URL,
	GET_VERDICT_SECRET, GET_VERDICT_OLD_SECRET,
};
static const char sql_comment_change[] =
	"SELECT rfc3339(edited_at), status FROM comment_change($1::bigint,"
	" $2::bigint, $3::boolean, $4::boolean, $5, $6, $7, $8, $9)";
enum { CHANGED_EDITED_AT, CHANGED_STATUS };
static const char sql_vote[] =
	"SELECT err, score, post FROM vote_set($1::bigint, $2, $3::integer,"
	" $4::bigint)";
enum { VOTE_ERR, VOTE_SCORE, VOTE_POST };
/* A caller's votes on a post's published comments (own false), then the
 * caller's own comments there (own true, value 0). Found from the voter's
 * and the author's side (indexes votes_voter, comments_user_created), so a post of any
 * size costs what the caller did on it. */
static const char sql_votes_of[] =
	"SELECT v.comment_id, v.value, false FROM votes v"
	" JOIN comments c ON c.id = v.comment_id AND c.status = 'approved'"
	" JOIN posts p ON p.id = c.post_id AND p.key = $1"
	" WHERE v.voter = $2"
	" UNION ALL"
	" SELECT c.id, 0, true FROM comments c"
	" JOIN posts p ON p.id = c.post_id AND p.key = $1"
	" WHERE $3::bigint IS NOT NULL AND c.user_id = $3::bigint"
	" AND c.status IN ('approved', 'pending')";
enum { VOTES_COMMENT, VOTES_VALUE, VOTES_OWN };

static const char sql_moderate[] =
	"SELECT comments_moderate($1::bigint, $2::bigint[], $3)";
enum { MODERATE_UPDATED };
/* No row when there is no such comment. */
static const char sql_moderator_edit[] =
	"SELECT rfc3339(edited_at) FROM comment_moderator_edit($1::bigint,"
	" $2::bigint, $3, $4)";
enum { MODEDIT_EDITED_AT };

/* Statements that answer one JSON document as text (see store_json). */
enum { JSON_TEXT };
static const char sql_settings[] = "SELECT settings_json()::text";
static const char sql_settings_update[] =
	"SELECT settings_update($1::bigint, $2::jsonb)::text";

/* Statements that answer whether their row was there (see store_found). */
enum { FOUND };

#define BAN_COLS \
	"b.id, b.kind, b.value, b.reason, rfc3339(b.expires_at),"	\
	" rfc3339(b.created_at),"					\
	" b.expires_at IS NULL OR b.expires_at > now(),"		\
	" (SELECT name FROM users WHERE id = b.created_by)"
enum {
	BAN_ID, BAN_KIND, BAN_VALUE, BAN_REASON, BAN_EXPIRES_AT,
	BAN_CREATED_AT, BAN_ACTIVE, BAN_CREATED_BY
};
static const char sql_bans[] =
	"SELECT " BAN_COLS " FROM bans b ORDER BY b.id DESC LIMIT 1000";
static const char sql_ban_create[] =
	"SELECT " BAN_COLS " FROM ban_create($1::bigint, $2, $3, $4,"
	" $5::timestamptz) b";
/* FOUND. */
static const char sql_ban_delete[] =
	"SELECT ban_delete($1::bigint, $2::bigint)";
/* No row when there is no such post. */
static const char sql_post_update[] =
	"SELECT key, title, url, comment_count, open FROM post_update("
	"$1::bigint, $2, $3::boolean, $4)";
enum { POST_KEY, POST_TITLE, POST_URL, POST_COUNT, POST_OPEN };
/* The account's columns (enum user_col), created_at included. */
static const char sql_users[] =
	"SELECT id, name, email, role, rfc3339(created_at) FROM users"
	" WHERE $1::text IS NULL OR name ILIKE '%' || $1 || '%'"
	" OR email ILIKE '%' || $1 || '%' ORDER BY id LIMIT 200";
/* err, then the account's columns, as sql_user_register. */
static const char sql_user_role[] =
	"SELECT err, id, name, email, role FROM user_set_role($1::bigint,"
	" $2::bigint, $3)";
static const char sql_audit[] =
	"SELECT id, actor_id, actor_name, action, target_type, target_id,"
	" before::text, after::text, rfc3339(at) FROM audit_log"
	" WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC"
	" LIMIT $2::integer";
enum {
	AUDIT_ID, AUDIT_ACTOR_ID, AUDIT_ACTOR_NAME, AUDIT_ACTION,
	AUDIT_TARGET_TYPE, AUDIT_TARGET_ID, AUDIT_BEFORE, AUDIT_AFTER, AUDIT_AT
};

/* Hooks: JSON_TEXT, unless said otherwise. */
static const char sql_hooks[] =
	"SELECT coalesce(jsonb_agg(hook_json(h) ORDER BY h.id), '[]')::text"
	" FROM hooks h";
static const char sql_hook_create[] =
	"SELECT hook_create($1::bigint, $2, $3, $4::text[], $5::boolean,"
	" $6::bytea)::text";
static const char sql_hook_update[] =
	"SELECT hook_update($1::bigint, $2::bigint, $3, $4::text[],"
	" $5::boolean, $6::bytea, $7::integer)::text";
/* FOUND. */
static const char sql_hook_delete[] =
	"SELECT hook_delete($1::bigint, $2::bigint)";
static const char sql_hook_deliveries[] =
	"SELECT CASE WHEN EXISTS (SELECT 1 FROM hooks WHERE id = $1::bigint)"
	" THEN coalesce((SELECT jsonb_agg(x ORDER BY x.id DESC) FROM ("
	"  SELECT d.id, d.uuid, jsonb_build_object('uuid', e.uuid, 'type',"
	"  e.type, 'created_at', e.created_at) AS event, d.state, d.attempts,"
	"  d.next_at, d.last_status, d.last_error, coalesce((SELECT"
	"  jsonb_agg(jsonb_build_object('at', a.at, 'status', a.status,"
	"  'duration_ms', a.duration_ms, 'error', a.error, 'response',"
	"  a.response) ORDER BY a.id) FROM delivery_attempts a"
	"  WHERE a.delivery_id = d.id), '[]') AS log"
	"  FROM deliveries d JOIN events e ON e.id = d.event_id"
	"  WHERE d.hook_id = $1::bigint ORDER BY d.id DESC"
	"  LIMIT $2::integer) x), '[]')::text END";
static const char sql_hook_ping[] =
	"SELECT hook_ping($1::bigint, $2::bigint)";
enum { PING_DELIVERY_ID };
/* FOUND. */
static const char sql_redeliver[] =
	"SELECT delivery_redeliver($1::bigint, $2::bigint)";

static const char sql_counts[] =
	"SELECT k.key, CASE WHEN p.id IS NULL THEN 0"
	" ELSE post_comment_count(p.id) END"
	" FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS k(key, n)"
	" LEFT JOIN posts p ON p.key = k.key ORDER BY k.n";
enum { COUNT_KEY, COUNT_APPROVED };

/* Imports and exports (sql/functions/import.sql). The new job's id, or
 * NULL while another import runs. */
static const char sql_import_start[] =
	"SELECT import_job_start($1, $2, $3::bigint, $4::bigint)";
/* The job's columns (enum import_job_col); no row: no such job. */
static const char sql_import_job[] =
	"SELECT id, format, state, bytes, bytes_read, read, imported,"
	" skipped, already, orphans, errors::text, rfc3339(created_at),"
	" rfc3339(finished_at) FROM import_job_get($1::bigint)";
enum import_job_col {
	IJ_ID, IJ_FORMAT, IJ_STATE, IJ_BYTES, IJ_BYTES_READ, IJ_READ,
	IJ_IMPORTED, IJ_SKIPPED, IJ_ALREADY, IJ_ORPHANS, IJ_ERRORS,
	IJ_CREATED_AT, IJ_FINISHED_AT
};
static const char sql_export_audit[] = "SELECT export_audit($1::bigint)";

/* clang-format on */

void
store_health_query(struct db_query *q)
{
	db_query_init(q, sql_health);
}

/* Formats n into slot i of nums and adds it; 0 becomes SQL NULL. */
static void
param_id(struct db_query *q, struct store_numbers *nums, int i, int64_t n)
{
	if (n == 0) {
		db_param(q, NULL);
		return;
	}
	snprintf(nums->v[i], sizeof(nums->v[i]), "%" PRId64, n);
	db_param(q, nums->v[i]);
}

static void
param_int(struct db_query *q, struct store_numbers *nums, int i, int64_t n)
{
	snprintf(nums->v[i], sizeof(nums->v[i]), "%" PRId64, n);
	db_param(q, nums->v[i]);
}

static const char *sort_names[] = {
	[SORT_OLDEST] = "oldest",
	[SORT_NEWEST] = "newest",
	[SORT_TOP] = "top",
};

void
store_thread_page_query(struct db_query *q, struct store_numbers *nums,
    const char *key, int64_t viewer_id, enum thread_sort sort,
    const struct cursor *after, size_t limit, size_t replies)
{
	db_query_init(q, sql_thread_page);
	db_param(q, key);
	param_id(q, nums, 0, viewer_id);
	db_param(q, sort_names[sort]);
	if (after != NULL) {
		param_int(q, nums, 1, after->score);
		param_int(q, nums, 2, after->created_us);
		param_int(q, nums, 3, after->id);
	} else {
		db_param(q, NULL);
		db_param(q, NULL);
		db_param(q, NULL);
	}
	param_int(q, nums, 4, (int64_t)limit);
	param_int(q, nums, 5, (int64_t)replies);
}

void
store_replies_query(struct db_query *q, struct store_numbers *nums,
    int64_t comment_id, int64_t viewer_id, int64_t after_id, size_t limit,
    size_t replies)
{
	db_query_init(q, sql_replies_page);
	param_int(q, nums, 0, comment_id);
	param_id(q, nums, 1, viewer_id);
	param_id(q, nums, 2, after_id);
	param_int(q, nums, 3, (int64_t)limit);
	param_int(q, nums, 4, (int64_t)replies);
}

const char *
store_page_key(struct db_query *q)
{
	return (db_rows(q) > 0 ? db_text(q, 0, TH_KEY) : NULL);
}

void
store_avatar(struct comment *c, const char *seed)
{
	if (seed == NULL) {
		c->avatar[0] = '\0';
		return;
	}
	avatar_hash_hex(keys_get(KEY_AVATAR), seed, strlen(seed), c->avatar);
}

int
store_thread_read(struct db_query *q, struct post_info *post,
    struct comment **itemsp, size_t *np)
{
	struct comment *items, *c;
	int             row, rows;
	size_t          n;

	*itemsp = NULL;
	*np = 0;
	rows = db_rows(q);
	if (rows == 0)
		return (0);
	post->title = db_text(q, 0, TH_TITLE);
	post->url = db_text(q, 0, TH_URL);
	post->comment_count = db_int(q, 0, TH_COUNT);
	post->open = db_bool(q, 0, TH_OPEN);

	if ((items = calloc((size_t)rows, sizeof(*items))) == NULL)
		abort();
	n = 0;
	for (row = 0; row < rows; row++) {
		if (db_text(q, row, TH_ID) == NULL)
			continue; /* the post has no comments */
		c = &items[n];
		c->id = db_int(q, row, TH_ID);
		c->parent_id = db_int(q, row, TH_PARENT);
		if (comment_status_parse(db_text(q, row, TH_STATUS),
		        &c->status) == -1)
			continue;
		c->author_name = db_text(q, row, TH_NAME);
		c->author_url = db_text(q, row, TH_AUTHOR_URL);
		c->author_role = db_text(q, row, TH_ROLE);
		c->own = db_bool(q, row, TH_OWN);
		store_avatar(c, db_text(q, row, TH_AVATAR));
		c->html = db_text(q, row, TH_HTML);
		c->created_at = db_text(q, row, TH_CREATED);
		c->edited_at = db_text(q, row, TH_EDITED);
		c->created_us = db_int(q, row, TH_CREATED_US);
		if (c->own)
			c->edit_until_us = edit_window_end(c->created_us,
			    db_int(q, row, TH_EDIT_WINDOW));
		c->score = db_int(q, row, TH_SCORE);
		/* The page holds only comments this reader sees. */
		c->listed = 1;
		c->more = db_int(q, row, TH_MORE);
		n++;
	}
	*itemsp = items;
	*np = n;
	return (1);
}

void
store_comment_create_query(struct db_query *q, struct store_numbers *nums,
    const struct comment_create *cc)
{
	db_query_init(q, sql_comment_create);
	db_param(q, cc->in->post);
	db_param(q, cc->in->post_title);
	db_param(q, cc->in->post_url);
	param_id(q, nums, 0, cc->in->parent_id);
	param_int(q, nums, 1, cc->max_depth);
	param_id(q, nums, 2, cc->user_id);
	db_param(q, cc->author_name);
	db_param(q, cc->in->author_email);
	db_param(q, cc->in->author_url);
	db_param_len(q, cc->in->body, cc->in->body_len);
	db_param(q, cc->html);
	db_param(q, cc->status);
	db_param(q, cc->ip);
	db_param(q, cc->edit_token_hash_sql);
	db_param(q, cc->verdict);
	db_param(q, cc->reason);
	param_int(q, nums, 3, cc->rate_limit);
	db_param(q, cc->notify ? "true" : "false");
}

const char *
store_comment_create_read(struct db_query *q, struct comment *c)
{
	const char *err;

	if (db_rows(q) != 1)
		return ("no_row");
	if ((err = db_text(q, 0, CREATE_ERR)) != NULL)
		return (err);
	c->id = db_int(q, 0, CREATE_ID);
	c->parent_id = db_int(q, 0, CREATE_PARENT_ID);
	c->created_at = db_text(q, 0, CREATE_CREATED_AT);
	c->created_us = db_int(q, 0, CREATE_CREATED_US);
	store_avatar(c, db_text(q, 0, CREATE_AVATAR_SEED));
	return (NULL);
}

int
store_comment_create_ok(struct db_query *q)
{
	return (db_rows(q) == 1 && db_text(q, 0, CREATE_ERR) == NULL);
}

const char *
store_comment_create_mail(struct db_query *q)
{
	return (db_rows(q) == 1 ? db_text(q, 0, CREATE_MAIL) : NULL);
}

int
store_comment_create_deliveries(struct db_query *q)
{
	return (db_rows(q) == 1 && db_bool(q, 0, CREATE_DELIVERIES));
}

/* Returns the primary's WAL position after the commits it announces
 * (sql/functions/announce.sql). */
const char store_sql_announce[] = "SELECT announce($1, $2)";

/* The primary's WAL position now, past every commit whose notification
 * arrived before it was asked (replica_lag.h). */
const char store_sql_wal_position[] =
    "SELECT pg_current_wal_insert_lsn()::text";
/* How far a standby has replayed; NULL on a server not in recovery. */
const char store_sql_replay_position[] =
    "SELECT pg_last_wal_replay_lsn()::text";

/* Announcements are notifications, not data: their transactions need not
 * wait for the disk, so they hold NOTIFY's commit lock only briefly. */
const char store_sql_listen[] =
    "SET synchronous_commit TO off;"
    " BEGIN; LISTEN parley_thread; LISTEN parley_sites; COMMIT;"
    " SELECT coalesce((SELECT value::text FROM settings"
    " WHERE name = 'allowed_origins'), '[]')";

void
store_votes_of_query(struct db_query *q, struct store_numbers *nums,
    const char *key, const char *voter, int64_t user_id)
{
	db_query_init(q, sql_votes_of);
	db_param(q, key);
	db_param(q, voter);
	param_id(q, nums, 0, user_id);
}

int
store_votes_of_row(struct db_query *q, int row, struct votes_of_row *r)
{
	if (row >= db_rows(q))
		return (-1);
	r->comment_id = db_int(q, row, VOTES_COMMENT);
	r->value = (int)db_int(q, row, VOTES_VALUE);
	r->own = db_bool(q, row, VOTES_OWN);
	return (0);
}

void
store_counts_query(struct db_query *q, const char *keys_json)
{
	db_query_init(q, sql_counts);
	db_param(q, keys_json);
}

int
store_count_row(struct db_query *q, int row, struct count_row *r)
{
	if (row >= db_rows(q))
		return (-1);
	r->key = db_text(q, row, COUNT_KEY);
	r->count = db_int(q, row, COUNT_APPROVED);
	return (0);
}

void
store_session_user_query(struct db_query *q, struct store_numbers *nums,
    const char *token_hash_sql, int ttl_seconds, int staff_max_age)
{
	db_query_init(q, sql_session_user);
	db_param(q, token_hash_sql);
	param_int(q, nums, 0, ttl_seconds);
	if (staff_max_age > 0)
		param_int(q, nums, 1, staff_max_age);
	else
		db_param(q, NULL);
}

/* The account whose columns (enum user_col) start at first; -1 when the
 * row is not there or names no account. */
static int
user_read(struct db_query *q, int row, int first, struct user_row *u)
{
	memset(u, 0, sizeof(*u));
	if (row >= db_rows(q) || db_text(q, row, first + USER_ID) == NULL)
		return (-1);
	u->id = db_int(q, row, first + USER_ID);
	u->name = db_text(q, row, first + USER_NAME);
	u->email = db_text(q, row, first + USER_EMAIL);
	u->role = db_text(q, row, first + USER_ROLE);
	return (0);
}

int
store_session_user_row(struct db_query *q, struct user_row *u)
{
	return (user_read(q, 0, USER_ID, u));
}

/* An error code, or NULL and the account after it (ERR_USER). */
static const char *
err_user_read(struct db_query *q, struct user_row *u)
{
	const char *err;

	memset(u, 0, sizeof(*u));
	if (db_rows(q) != 1)
		return ("no_row");
	if ((err = db_text(q, 0, ERR_COL)) != NULL)
		return (err);
	if (user_read(q, 0, ERR_USER, u) == -1)
		return ("no_row");
	return (NULL);
}

const char *
store_user_register_row(struct db_query *q, struct user_row *u)
{
	return (err_user_read(q, u));
}

void
store_user_register_query(struct db_query *q, struct store_numbers *nums,
    const char *email, const char *name, const char *hash,
    const char *token_hash_sql, int ttl_seconds, const char *net)
{
	db_query_init(q, sql_user_register);
	db_param(q, email);
	db_param(q, name);
	db_param(q, hash);
	db_param(q, token_hash_sql);
	param_int(q, nums, 0, ttl_seconds);
	db_param(q, net);
}

void
store_register_attempt_query(struct db_query *q, const char *net)
{
	db_query_init(q, sql_register_attempt);
	db_param(q, net);
}

int64_t
store_register_attempt_wait(struct db_query *q)
{
	return (db_int(q, 0, ATTEMPT_RETRY_AFTER));
}

void
store_login_lookup_query(struct db_query *q, const char *email, const char *net,
    int ceiling)
{
	db_query_init(q, sql_login_lookup);
	db_param(q, email);
	db_param(q, net);
	db_param(q, ceiling ? "true" : "false");
}

int
store_login_row(struct db_query *q, struct login_row *r)
{
	memset(r, 0, sizeof(*r));
	if (db_rows(q) != 1)
		return (-1);
	r->user_id = db_int(q, 0, LOGIN_ID);
	r->password_hash = db_text(q, 0, LOGIN_PASSWORD_HASH);
	r->name = db_text(q, 0, LOGIN_NAME);
	r->email = db_text(q, 0, LOGIN_EMAIL);
	r->role = db_text(q, 0, LOGIN_ROLE);
	r->retry_after = db_int(q, 0, LOGIN_RETRY_AFTER);
	return (0);
}

void
store_session_create_query(struct db_query *q, struct store_numbers *nums,
    int64_t user_id, const char *token_hash_sql, int ttl_seconds,
    const char *new_hash, const char *net)
{
	db_query_init(q, sql_session_create);
	param_id(q, nums, 0, user_id);
	db_param(q, token_hash_sql);
	param_int(q, nums, 1, ttl_seconds);
	db_param(q, new_hash);
	db_param(q, net);
}

void
store_session_delete_query(struct db_query *q, const char *token_hash_sql)
{
	db_query_init(q, sql_session_delete);
	db_param(q, token_hash_sql);
}

void
store_password_set_query(struct db_query *q, struct store_numbers *nums,
    int64_t user_id, const char *hash, const char *keep_token_hash_sql,
    const char *net)
{
	db_query_init(q, sql_password_set);
	param_id(q, nums, 0, user_id);
	db_param(q, hash);
	db_param(q, keep_token_hash_sql);
	db_param(q, net);
}

void
store_comment_get_query(struct db_query *q, struct store_numbers *nums,
    int64_t id)
{
	db_query_init(q, sql_comment_get);
	param_id(q, nums, 0, id);
}

int
store_comment_stored_row(struct db_query *q, struct comment_stored_row *r)
{
	if (db_rows(q) != 1)
		return (-1);
	r->user_id = db_int(q, 0, GET_USER_ID);
	r->edit_token_hash = db_text(q, 0, GET_EDIT_TOKEN_HASH);
	r->created_us = db_int(q, 0, GET_CREATED_US);
	r->status = db_text(q, 0, GET_STATUS);
	r->author_name = db_text(q, 0, GET_AUTHOR_NAME);
	r->author_url = db_text(q, 0, GET_AUTHOR_URL);
	r->created_at = db_text(q, 0, GET_CREATED_AT);
	r->edited_at = db_text(q, 0, GET_EDITED_AT);
	r->score = db_int(q, 0, GET_SCORE);
	r->parent_id = db_int(q, 0, GET_PARENT_ID);
	r->role = db_text(q, 0, GET_ROLE);
	r->avatar_seed = db_text(q, 0, GET_AVATAR_SEED);
	r->edit_window_seconds = db_int(q, 0, GET_EDIT_WINDOW);
	r->settings = db_text(q, 0, GET_SETTINGS);
	r->post = db_text(q, 0, GET_POST);
	r->author_email = db_text(q, 0, GET_AUTHOR_EMAIL);
	r->ip = db_text(q, 0, GET_IP);
	r->verdict_url = db_text(q, 0, GET_VERDICT_URL);
	r->verdict_secret = db_text(q, 0, GET_VERDICT_SECRET);
	r->verdict_old_secret = db_text(q, 0, GET_VERDICT_OLD_SECRET);
	return (0);
}

void
store_comment_change_query(struct db_query *q, struct store_numbers *nums,
    const struct comment_change *c)
{
	db_query_init(q, sql_comment_change);
	param_id(q, nums, 0, c->id);
	param_id(q, nums, 1, c->actor_id);
	db_param(q, c->as_moderator ? "true" : "false");
	db_param(q, c->remove ? "true" : "false");
	if (c->body != NULL)
		db_param_len(q, c->body, c->body_len);
	else
		db_param(q, NULL);
	db_param(q, c->html);
	db_param(q, c->status);
	db_param(q, c->verdict);
	db_param(q, c->reason);
}

int
store_comment_changed_row(struct db_query *q, struct comment_changed_row *r)
{
	if (db_rows(q) != 1)
		return (-1);
	r->edited_at = db_text(q, 0, CHANGED_EDITED_AT);
	r->status = db_text(q, 0, CHANGED_STATUS);
	return (0);
}

void
store_vote_query(struct db_query *q, struct store_numbers *nums,
    int64_t comment_id, const char *voter, int value, int64_t user_id)
{
	db_query_init(q, sql_vote);
	param_id(q, nums, 0, comment_id);
	db_param(q, voter);
	param_int(q, nums, 1, value);
	param_id(q, nums, 2, user_id);
}

const char *
store_vote_row(struct db_query *q, struct vote_row *r)
{
	const char *err;

	memset(r, 0, sizeof(*r));
	if (db_rows(q) != 1)
		return ("no_row");
	if ((err = db_text(q, 0, VOTE_ERR)) != NULL)
		return (err);
	r->score = db_int(q, 0, VOTE_SCORE);
	r->post = db_text(q, 0, VOTE_POST);
	return (NULL);
}

void
store_comment_facts_query(struct db_query *q, struct store_numbers *nums,
    const char *key, int64_t user_id, const char *email, const char *ip,
    const char *body, size_t body_len, const char *author_name)
{
	db_query_init(q, sql_comment_facts);
	db_param(q, key);
	param_id(q, nums, 0, user_id);
	db_param(q, email);
	db_param(q, ip);
	db_param_len(q, body, body_len);
	db_param(q, author_name);
}

int
store_comment_facts_row(struct db_query *q, struct comment_facts_row *r)
{
	memset(r, 0, sizeof(*r));
	if (db_rows(q) != 1)
		return (-1);
	r->settings = db_text(q, 0, FACTS_SETTINGS);
	r->post_open = db_bool(q, 0, FACTS_POST_OPEN);
	r->ban_kind = db_text(q, 0, FACTS_BAN_KIND);
	r->ban_reason = db_text(q, 0, FACTS_BAN_REASON);
	r->rate_wait = db_int(q, 0, FACTS_RATE_WAIT);
	r->duplicate = db_bool(q, 0, FACTS_DUPLICATE);
	r->prior_approved = db_bool(q, 0, FACTS_PRIOR_APPROVED);
	r->verdict_url = db_text(q, 0, FACTS_VERDICT_URL);
	r->verdict_secret = db_text(q, 0, FACTS_VERDICT_SECRET);
	r->verdict_old_secret = db_text(q, 0, FACTS_VERDICT_OLD_SECRET);
	return (0);
}

void
store_admin_comments_query(struct db_query *q, struct store_numbers *nums,
    const struct admin_filter *f)
{
	db_query_init(q, sql_admin_comments);
	db_param(q, f->status);
	db_param(q, f->post);
	db_param(q, f->q);
	db_param(q, f->email);
	db_param(q, f->ip);
	param_id(q, nums, 0, f->before_id);
	param_int(q, nums, 1, f->limit);
}

int
store_admin_comment_row(struct db_query *q, int row,
    struct admin_comment_row *r)
{
	struct comment *c = &r->comment;

	memset(r, 0, sizeof(*r));
	if (db_text(q, row, ADM_ID) == NULL)
		return (-1);
	c->id = db_int(q, row, ADM_ID);
	c->parent_id = db_int(q, row, ADM_PARENT_ID);
	if (comment_status_parse(db_text(q, row, ADM_STATUS), &c->status) == -1)
		return (-1);
	c->author_name = db_text(q, row, ADM_AUTHOR_NAME);
	c->author_url = db_text(q, row, ADM_AUTHOR_URL);
	c->html = db_text(q, row, ADM_HTML);
	c->created_at = db_text(q, row, ADM_CREATED_AT);
	c->edited_at = db_text(q, row, ADM_EDITED_AT);
	c->created_us = db_int(q, row, ADM_CREATED_US);
	c->score = db_int(q, row, ADM_SCORE);
	c->author_role = db_text(q, row, ADM_ROLE);
	store_avatar(c, db_text(q, row, ADM_AVATAR_SEED));
	c->reveal = 1;
	r->post = db_text(q, row, ADM_POST);
	r->post_open = db_bool(q, row, ADM_POST_OPEN);
	r->user_id = db_int(q, row, ADM_USER_ID);
	r->email = db_text(q, row, ADM_EMAIL);
	r->ip = db_text(q, row, ADM_IP);
	r->ip_expired = db_bool(q, row, ADM_IP_EXPIRED);
	r->verdict = db_text(q, row, ADM_VERDICT);
	r->reason = db_text(q, row, ADM_REASON);
	r->parent_author = db_text(q, row, ADM_PARENT_AUTHOR);
	r->parent_html = db_text(q, row, ADM_PARENT_HTML);
	return (0);
}

void
store_admin_counts(struct db_query *q, struct admin_counts *n)
{
	/* Every row carries them, the counts-only row too. */
	n->pending = db_int(q, 0, ADM_PENDING);
	n->spam = db_int(q, 0, ADM_SPAM);
}

void
store_moderate_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, const char *ids_literal, const char *action)
{
	db_query_init(q, sql_moderate);
	param_id(q, nums, 0, actor);
	db_param(q, ids_literal);
	db_param(q, action);
}

int64_t
store_moderate_updated(struct db_query *q)
{
	return (db_int(q, 0, MODERATE_UPDATED));
}

void
store_moderator_edit_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id, const char *body, size_t len, const char *html)
{
	db_query_init(q, sql_moderator_edit);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
	db_param_len(q, body, len);
	db_param(q, html);
}

const char *
store_moderator_edited_at(struct db_query *q)
{
	return (db_text(q, 0, MODEDIT_EDITED_AT));
}

const char *
store_json(struct db_query *q)
{
	return (db_text(q, 0, JSON_TEXT));
}

int
store_found(struct db_query *q)
{
	return (db_bool(q, 0, FOUND));
}

void
store_settings_query(struct db_query *q)
{
	db_query_init(q, sql_settings);
}

void
store_settings_update_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, const char *changes_json)
{
	db_query_init(q, sql_settings_update);
	param_id(q, nums, 0, actor);
	db_param(q, changes_json);
}

void
store_bans_query(struct db_query *q)
{
	db_query_init(q, sql_bans);
}

void
store_ban_create_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, const char *kind, const char *value, const char *reason,
    const char *expires_at)
{
	db_query_init(q, sql_ban_create);
	param_id(q, nums, 0, actor);
	db_param(q, kind);
	db_param(q, value);
	db_param(q, reason);
	db_param(q, expires_at);
}

int
store_ban_row(struct db_query *q, int row, struct ban_row *r)
{
	memset(r, 0, sizeof(*r));
	if (row >= db_rows(q))
		return (-1);
	r->id = db_int(q, row, BAN_ID);
	r->kind = db_text(q, row, BAN_KIND);
	r->value = db_text(q, row, BAN_VALUE);
	r->reason = db_text(q, row, BAN_REASON);
	r->expires_at = db_text(q, row, BAN_EXPIRES_AT);
	r->created_at = db_text(q, row, BAN_CREATED_AT);
	r->active = db_bool(q, row, BAN_ACTIVE);
	r->created_by = db_text(q, row, BAN_CREATED_BY);
	return (0);
}

void
store_ban_delete_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id)
{
	db_query_init(q, sql_ban_delete);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
}

void
store_post_update_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, const char *key, const char *open, const char *title)
{
	db_query_init(q, sql_post_update);
	param_id(q, nums, 0, actor);
	db_param(q, key);
	db_param(q, open);
	db_param(q, title);
}

int
store_post_row(struct db_query *q, struct post_info *p)
{
	memset(p, 0, sizeof(*p));
	if (db_rows(q) != 1)
		return (-1);
	p->key = db_text(q, 0, POST_KEY);
	p->title = db_text(q, 0, POST_TITLE);
	p->url = db_text(q, 0, POST_URL);
	p->comment_count = db_int(q, 0, POST_COUNT);
	p->open = db_bool(q, 0, POST_OPEN);
	return (0);
}

void
store_users_query(struct db_query *q, const char *text)
{
	db_query_init(q, sql_users);
	db_param(q, text);
}

int
store_users_row(struct db_query *q, int row, struct user_row *u)
{
	if (user_read(q, row, USER_ID, u) == -1)
		return (-1);
	u->created_at = db_text(q, row, USER_CREATED_AT);
	return (0);
}

void
store_user_role_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id, const char *role)
{
	db_query_init(q, sql_user_role);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
	db_param(q, role);
}

const char *
store_user_role_row(struct db_query *q, struct user_row *u)
{
	return (err_user_read(q, u));
}

void
store_audit_query(struct db_query *q, struct store_numbers *nums,
    int64_t before_id, int limit)
{
	db_query_init(q, sql_audit);
	param_id(q, nums, 0, before_id);
	param_int(q, nums, 1, limit);
}

int
store_audit_row(struct db_query *q, int row, struct audit_row *r)
{
	memset(r, 0, sizeof(*r));
	if (row >= db_rows(q))
		return (-1);
	r->id = db_int(q, row, AUDIT_ID);
	r->actor_id = db_int(q, row, AUDIT_ACTOR_ID);
	r->actor_name = db_text(q, row, AUDIT_ACTOR_NAME);
	r->action = db_text(q, row, AUDIT_ACTION);
	r->target_type = db_text(q, row, AUDIT_TARGET_TYPE);
	r->target_id = db_text(q, row, AUDIT_TARGET_ID);
	r->before = db_text(q, row, AUDIT_BEFORE);
	r->after = db_text(q, row, AUDIT_AFTER);
	r->at = db_text(q, row, AUDIT_AT);
	return (0);
}

void
store_hooks_query(struct db_query *q)
{
	db_query_init(q, sql_hooks);
}

void
store_hook_create_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, const char *url, const char *kind,
    const char *events_literal, int enabled, const char *sealed_sql)
{
	db_query_init(q, sql_hook_create);
	param_id(q, nums, 0, actor);
	db_param(q, url);
	db_param(q, kind);
	db_param(q, events_literal);
	db_param(q, enabled ? "true" : "false");
	db_param(q, sealed_sql);
}

void
store_hook_update_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id, const char *url, const char *events_literal,
    int enabled, const char *sealed_sql, int grace_seconds)
{
	db_query_init(q, sql_hook_update);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
	db_param(q, url);
	db_param(q, events_literal);
	db_param(q, enabled < 0 ? NULL : enabled ? "true" : "false");
	db_param(q, sealed_sql);
	param_int(q, nums, 2, grace_seconds);
}

void
store_hook_delete_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id)
{
	db_query_init(q, sql_hook_delete);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
}

void
store_hook_deliveries_query(struct db_query *q, struct store_numbers *nums,
    int64_t id, int limit)
{
	db_query_init(q, sql_hook_deliveries);
	param_id(q, nums, 0, id);
	param_int(q, nums, 1, limit);
}

void
store_hook_ping_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id)
{
	db_query_init(q, sql_hook_ping);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
}

int64_t
store_hook_ping_delivery(struct db_query *q)
{
	return (db_int(q, 0, PING_DELIVERY_ID));
}

void
store_redeliver_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor, int64_t id)
{
	db_query_init(q, sql_redeliver);
	param_id(q, nums, 0, actor);
	param_id(q, nums, 1, id);
}

void
store_import_start_query(struct db_query *q, struct store_numbers *nums,
    const char *format, const char *key, int64_t bytes, int64_t user_id)
{
	db_query_init(q, sql_import_start);
	db_param(q, format);
	db_param(q, key);
	param_id(q, nums, 2, bytes);
	param_id(q, nums, 3, user_id);
}

int64_t
store_import_started(struct db_query *q)
{
	if (db_rows(q) != 1 || db_text(q, 0, 0) == NULL)
		return (0);
	return (db_int(q, 0, 0));
}

void
store_import_job_query(struct db_query *q, struct store_numbers *nums,
    int64_t id)
{
	db_query_init(q, sql_import_job);
	param_id(q, nums, 0, id);
}

int
store_import_job_row(struct db_query *q, struct import_job_row *r)
{
	memset(r, 0, sizeof(*r));
	if (db_rows(q) != 1)
		return (-1);
	r->id = db_int(q, 0, IJ_ID);
	r->format = db_text(q, 0, IJ_FORMAT);
	r->state = db_text(q, 0, IJ_STATE);
	r->bytes = db_int(q, 0, IJ_BYTES);
	r->bytes_read = db_int(q, 0, IJ_BYTES_READ);
	r->read = db_int(q, 0, IJ_READ);
	r->imported = db_int(q, 0, IJ_IMPORTED);
	r->skipped = db_int(q, 0, IJ_SKIPPED);
	r->already = db_int(q, 0, IJ_ALREADY);
	r->orphans = db_int(q, 0, IJ_ORPHANS);
	r->errors = db_text(q, 0, IJ_ERRORS);
	r->created_at = db_text(q, 0, IJ_CREATED_AT);
	r->finished_at = db_text(q, 0, IJ_FINISHED_AT);
	return (0);
}

void
store_export_audit_query(struct db_query *q, struct store_numbers *nums,
    int64_t user_id)
{
	db_query_init(q, sql_export_audit);
	param_id(q, nums, 0, user_id);
}

/* Live streams (sql/functions/stream.sql), read on the listening
 * connection (listen.c) with $1 the post's key, $2 the last event seen,
 * $3 the most rows; columns: enum stream_col. */
const char store_sql_stream_since[] =
    "SELECT event_id, kind, id, parent_id, status, author_name, author_url,"
    " html, created_at, edited_at, created_us, score, role, avatar_seed,"
    " approved, head, comment_id"
    " FROM stream_since($1, $2::bigint, $3::int)";
enum stream_col {
	SC_EVENT_ID,
	SC_KIND,
	SC_ID,
	SC_PARENT_ID,
	SC_STATUS,
	SC_AUTHOR_NAME,
	SC_AUTHOR_URL,
	SC_HTML,
	SC_CREATED_AT,
	SC_EDITED_AT,
	SC_CREATED_US,
	SC_SCORE,
	SC_ROLE,
	SC_AVATAR_SEED,
	SC_APPROVED,
	SC_HEAD,
	SC_COMMENT_ID
};

static const char sql_stream_head[] = "SELECT stream_head($1)";

static const char *
pq_text(PGresult *r, int row, int col)
{
	return (PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col));
}

static int64_t
pq_int(PGresult *r, int row, int col)
{
	return (PQgetisnull(r, row, col) ?
	        0 :
	        strtoll(PQgetvalue(r, row, col), NULL, 10));
}

int
store_stream_row(PGresult *r, int row, struct stream_row *out)
{
	const char *status;

	memset(out, 0, sizeof(*out));
	if (row >= PQntuples(r) || PQnfields(r) != SC_COMMENT_ID + 1)
		return (-1);
	out->event_id = pq_int(r, row, SC_EVENT_ID);
	out->kind = pq_text(r, row, SC_KIND);
	out->count = pq_int(r, row, SC_APPROVED);
	out->head = pq_int(r, row, SC_HEAD);
	out->comment_id = pq_int(r, row, SC_COMMENT_ID);
	/* The comment may be gone since (deleted for good): none then. */
	if ((out->has_comment = !PQgetisnull(r, row, SC_ID)) == 0)
		return (0);
	out->c.id = pq_int(r, row, SC_ID);
	out->c.parent_id = pq_int(r, row, SC_PARENT_ID);
	status = pq_text(r, row, SC_STATUS);
	if (status == NULL ||
	    comment_status_parse(status, &out->c.status) == -1)
		out->c.status = STATUS_DELETED;
	out->c.author_name = pq_text(r, row, SC_AUTHOR_NAME);
	out->c.author_url = pq_text(r, row, SC_AUTHOR_URL);
	out->c.html = pq_text(r, row, SC_HTML);
	out->c.created_at = pq_text(r, row, SC_CREATED_AT);
	out->c.edited_at = pq_text(r, row, SC_EDITED_AT);
	out->c.created_us = pq_int(r, row, SC_CREATED_US);
	out->c.score = pq_int(r, row, SC_SCORE);
	out->c.author_role = pq_text(r, row, SC_ROLE);
	store_avatar(&out->c, pq_text(r, row, SC_AVATAR_SEED));
	return (0);
}

void
store_stream_head_query(struct db_query *q, const char *key)
{
	db_query_init(q, sql_stream_head);
	db_param(q, key);
}

int64_t
store_stream_head(struct db_query *q)
{
	return (db_rows(q) == 1 ? db_int(q, 0, 0) : 0);
}
