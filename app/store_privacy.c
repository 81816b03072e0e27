/*
 * The privacy feature's SQL on Kore's connections (see store_privacy.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "store_privacy.h"

static const char sql_request[] = "SELECT privacy_request($1)";
static const char sql_peek[] =
    "SELECT email, usable FROM privacy_link_peek($1::bytea)"
    " WHERE email IS NOT NULL";
enum { PEEK_EMAIL, PEEK_USABLE };
static const char sql_link_use[] =
    "SELECT status, result FROM privacy_link_use($1::bytea, $2::boolean)";
static const char sql_export[] =
    "SELECT 'ok', privacy_export(NULL, $1::bigint)";
static const char sql_erase_self[] =
    "SELECT status, result FROM privacy_erase_self($1::bigint)";
static const char sql_for_email[] =
    "SELECT status, result FROM privacy_for_email($1::bigint, $2,"
    " $3::boolean)";
enum { OUTCOME_STATUS, OUTCOME_RESULT };

void
store_privacy_request_query(struct db_query *q, const char *email)
{
	db_query_init(q, sql_request);
	db_param(q, email);
}

void
store_privacy_peek_query(struct db_query *q, const char *hash_sql)
{
	db_query_init(q, sql_peek);
	db_param(q, hash_sql);
}

int
store_privacy_peek_row(struct db_query *q, struct privacy_peek_row *r)
{
	if (db_rows(q) != 1)
		return (-1);
	r->email = db_text(q, 0, PEEK_EMAIL);
	r->usable = db_bool(q, 0, PEEK_USABLE);
	return (0);
}

void
store_privacy_link_use_query(struct db_query *q, const char *hash_sql,
    int erase)
{
	db_query_init(q, sql_link_use);
	db_param(q, hash_sql);
	db_param(q, erase ? "true" : "false");
}

static void
user_query(struct db_query *q, const char *sql, struct store_numbers *nums,
    int64_t user_id)
{
	db_query_init(q, sql);
	snprintf(nums->v[0], sizeof(nums->v[0]), "%" PRId64, user_id);
	db_param(q, nums->v[0]);
}

void
store_privacy_export_query(struct db_query *q, struct store_numbers *nums,
    int64_t user_id)
{
	user_query(q, sql_export, nums, user_id);
}

void
store_privacy_erase_self_query(struct db_query *q, struct store_numbers *nums,
    int64_t user_id)
{
	user_query(q, sql_erase_self, nums, user_id);
}

void
store_privacy_for_email_query(struct db_query *q, struct store_numbers *nums,
    int64_t actor_id, const char *email, int erase)
{
	user_query(q, sql_for_email, nums, actor_id);
	db_param(q, email);
	db_param(q, erase ? "true" : "false");
}

int
store_privacy_outcome_row(struct db_query *q, struct privacy_outcome_row *r)
{
	if (db_rows(q) != 1 || db_text(q, 0, OUTCOME_STATUS) == NULL)
		return (-1);
	r->status = db_text(q, 0, OUTCOME_STATUS);
	r->result = db_text(q, 0, OUTCOME_RESULT);
	return (0);
}
