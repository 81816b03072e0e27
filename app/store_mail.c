/*
 * The mail feature's SQL on Kore's connections (see store_mail.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store_mail.h"

static const char sql_peek[] =
    "SELECT email, usable FROM mail_token_peek($1::bytea, $2)";
enum { PEEK_EMAIL, PEEK_USABLE };
static const char sql_confirm[] = "SELECT mail_confirm($1::bytea)";
static const char sql_unsubscribe[] = "SELECT mail_unsubscribe($1::bytea)";
enum { OUTCOME_CODE };
static const char sql_me_get[] =
    "SELECT notify_replies, mail_held, mail FROM mail_user_get($1::bigint)"
    " WHERE notify_replies IS NOT NULL";
static const char sql_me_set[] =
    "SELECT notify_replies, mail_held, mail"
    " FROM mail_user_set($1::bigint, $2::boolean, $3::boolean)"
    " WHERE notify_replies IS NOT NULL";
enum { ME_NOTIFY, ME_HELD, ME_ADDRESS };

void
store_mail_peek_query(struct db_query *q, const char *hash_sql,
    const char *kind)
{
	db_query_init(q, sql_peek);
	db_param(q, hash_sql);
	db_param(q, kind);
}

int
store_mail_link_row(struct db_query *q, struct mail_link_row *r)
{
	memset(r, 0, sizeof(*r));
	if (db_rows(q) != 1 || (r->email = db_text(q, 0, PEEK_EMAIL)) == NULL)
		return (-1);
	r->usable = db_bool(q, 0, PEEK_USABLE);
	return (0);
}

void
store_mail_confirm_query(struct db_query *q, const char *hash_sql)
{
	db_query_init(q, sql_confirm);
	db_param(q, hash_sql);
}

void
store_mail_unsubscribe_query(struct db_query *q, const char *hash_sql)
{
	db_query_init(q, sql_unsubscribe);
	db_param(q, hash_sql);
}

const char *
store_mail_outcome_row(struct db_query *q)
{
	const char *code;

	if (db_rows(q) != 1 || (code = db_text(q, 0, OUTCOME_CODE)) == NULL)
		return ("unknown");
	return (code);
}

static const char *
switch_param(int v)
{
	return (v < 0 ? NULL : v ? "true" : "false");
}

void
store_me_mail_query(struct db_query *q, struct store_numbers *nums,
    int64_t user_id, int notify_replies, int mail_held)
{
	int set = notify_replies >= 0 || mail_held >= 0;

	db_query_init(q, set ? sql_me_set : sql_me_get);
	snprintf(nums->v[0], sizeof(nums->v[0]), "%" PRId64, user_id);
	db_param(q, nums->v[0]);
	if (set) {
		db_param(q, switch_param(notify_replies));
		db_param(q, switch_param(mail_held));
	}
}

int
store_me_mail_row(struct db_query *q, struct me_mail_row *r)
{
	if (db_rows(q) != 1)
		return (-1);
	r->notify_replies = db_bool(q, 0, ME_NOTIFY);
	r->mail_held = db_bool(q, 0, ME_HELD);
	r->address = db_text(q, 0, ME_ADDRESS);
	return (0);
}
