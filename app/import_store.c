/*
 * The importer's storage (see import_store.h).
 *
 * An import reads its file twice. The first reading stages each record's
 * place (ids of the record, its post and its parent; its status and
 * account), without bodies, in one temporary table through one COPY
 * (posts and comments interleave in a WXR file, and a connection copies
 * into one table at a time). Then, in SQL:
 *   1. posts are created, or keep their title and URL when they have one;
 *   2. the comments new to this source are placed from the roots of the
 *      file's tree down (replies may come first in the file): each gets
 *      its parent by source id, deeper than max_depth attaching to the
 *      deepest allowed ancestor as posted comments do; a missing parent,
 *      or a cycle, leaves it at the top level (an orphan);
 *   3. they get ids, a parent's smaller than its replies' as for posted
 *      comments (thread.c counts on it), and otherwise as close to the
 *      file's order as that allows: the second reading writes them in
 *      that order, and indexes take ascending ids fastest.
 * The second reading renders each body and COPYs the comment straight
 * into comments, beside a cursor over the places in the file's order:
 * PostgreSQL writes while the importer renders. Then:
 *   4. deleted comments without replies go: nothing of them is shown;
 *   5. the posts' and parents' stored counts get the new approved
 *      comments, and each post's cached thread is announced stale.
 * The import's transaction says parley.importing: imported comments are
 * history, not news, so no hook events are made for them (comments_events
 * in sql/functions/hooks.sql) and no announcement per row (announce_later).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"
#include "import_store.h"
#include "import_xml.h"

/* Imports run one at a time (import_lock_key() in
 * sql/functions/import.sql): a session lock, let go of when the
 * connection closes, however it does. */
static const char sql_lock_try[] =
    "SELECT pg_try_advisory_lock(import_lock_key())";

/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (256 * 1024)

struct import_store {
	PGconn     *db;
	char       *source;
	struct buf  row;
	char        error[512];
	int         copying;
	const char *phase; /* what a COPY's error is called */
	/* The second reading: the places fetched, and the next one. */
	PGresult *places;
	int       place, nplaces;
	int64_t   towrite; /* comments new to this source */
};

static const char sql_begin[] =
    "BEGIN;"
    " SET LOCAL parley.importing = 'on';"
    " SET LOCAL parley.announce_later = 'on';"
    /* Placing joins and sorts a few hundred thousand rows at once:
     * in memory, not in batches on disk, and without compiling its
     * expressions (JIT took longer than it saved). */
    " SET LOCAL work_mem = '32MB';"
    " SET LOCAL jit = off;"
    /* Replies may be written before their parents (the file's order),
     * in several COPYs: their parents are checked at the commit
     * (sql/033_import_indexes.sql). */
    " SET CONSTRAINTS comments_parent_id_fkey DEFERRED;"
    /* Source ids are sorted, indexed and joined byte by byte (COLLATE
     * "C"): the database's collation costs more and means nothing for
     * ids. Where they meet comments.import_id, they take its collation
     * (COLLATE "default"), so that its index serves. */
    " CREATE TEMP TABLE import_stage ("
    "  n bigserial, kind char NOT NULL, source_id text COLLATE \"C\","
    "  post_source text COLLATE \"C\", parent_source text COLLATE \"C\","
    "  key text, url text,"
    "  title text, open boolean, created_at timestamptz, status text,"
    "  user_email text, data jsonb"
    " ) ON COMMIT DROP;"
    " COPY import_stage (kind, source_id, post_source, parent_source, key,"
    "  url, title, open, created_at, status, user_email, data)"
    " FROM STDIN";

/* Parley's own export: settings, accounts (that can log in only after a
 * new password is set: '!' is no hash) and bans, before the comments
 * that name their accounts. */
static const char sql_records[] =
    "UPDATE settings t SET value = s.data->'value', updated_at = now()"
    " FROM import_stage s WHERE s.kind = 's'"
    "  AND t.name = s.data->>'name';"
    " INSERT INTO users (email, name, role, password_hash, created_at)"
    " SELECT data->>'email', data->>'name', data->>'role', '!',"
    "  coalesce((data->>'created_at')::timestamptz, now())"
    " FROM import_stage WHERE kind = 'u' ORDER BY n"
    " ON CONFLICT (lower(email)) DO NOTHING;"
    " INSERT INTO bans (kind, value, reason, expires_at, created_at)"
    " SELECT data->>'kind', data->>'value', coalesce(data->>'reason', ''),"
    "  (data->>'expires_at')::timestamptz,"
    "  coalesce((data->>'created_at')::timestamptz, now())"
    " FROM import_stage s WHERE kind = 'b' AND NOT EXISTS (SELECT 1"
    "  FROM bans b WHERE b.kind = s.data->>'kind'"
    "  AND b.value = s.data->>'value') ORDER BY n";

/* Steps 1 to 3: posts, then the places of the comments new to this
 * source (import_new), and a cursor over every staged comment's place in
 * the file's order for the second reading. */
static const char sql_place[] =
    "INSERT INTO posts (key, title, url, open, created_at)"
    " SELECT key, title, coalesce(url, ''), open,"
    "  coalesce(created_at, now())"
    " FROM (SELECT DISTINCT ON (key) * FROM import_stage"
    "  WHERE kind = 'p' ORDER BY key, n) s ORDER BY n"
    " ON CONFLICT (key) DO UPDATE SET"
    "  title = CASE WHEN posts.title = '' THEN EXCLUDED.title"
    "   ELSE posts.title END,"
    "  url = CASE WHEN posts.url = '' THEN EXCLUDED.url ELSE posts.url END;"
    " CREATE TEMP TABLE import_posts ON COMMIT DROP AS"
    "  SELECT DISTINCT ON (s.source_id) s.source_id, p.id AS post_id, p.key"
    "  FROM import_stage s JOIN posts p ON p.key = s.key"
    "  WHERE s.kind = 'p' ORDER BY s.source_id, s.n;"
    /* The staged comments, each marked when an earlier import of this
     * source has it. */
    " CREATE TEMP TABLE import_seen ON COMMIT DROP AS"
    "  SELECT s.n, s.source_id, s.post_source, s.parent_source, s.status,"
    "   s.user_email, EXISTS (SELECT 1 FROM comments c"
    "    WHERE c.import_source = $1"
    "    AND c.import_id = s.source_id COLLATE \"default\") AS had"
    "  FROM import_stage s WHERE s.kind = 'c';"
    /* The comments new to this source, on posts that came. */
    " CREATE TEMP TABLE import_todo ON COMMIT DROP AS"
    "  SELECT DISTINCT ON (s.source_id) s.source_id, s.parent_source,"
    "   s.n, m.post_id"
    "  FROM import_seen s JOIN import_posts m"
    "   ON m.source_id = s.post_source"
    "  WHERE NOT s.had"
    "  ORDER BY s.source_id, s.n;"
    " CREATE INDEX ON import_todo (source_id);"
    " CREATE INDEX ON import_todo (parent_source);"
    " ANALYZE import_todo;"
    /* Where each goes, from the roots of this file down: its level in
     * the file's tree, its depth under the cap, and its parent (by
     * source id, or an earlier import's comment). A reply past
     * max_depth goes where its parent went, beside it. NOT EXISTS, not
     * NOT IN: an anti-join, where NOT IN over more than work_mem
     * compares every pair. What no root reaches hangs in a cycle.
     * k is the latest place in the file of the comment and its
     * ancestors: ordered by k, then level, a parent still comes before
     * its replies, and a file that has parents first is in order. */
    " CREATE TEMP TABLE import_place ON COMMIT DROP AS"
    "  WITH RECURSIVE maxd AS (SELECT coalesce((SELECT value::text::int"
    "   FROM settings WHERE name = 'max_depth'), 5) AS d),"
    "  lv (n, source_id, post_id, level, k, depth, src_parent, db_parent)"
    "  AS ("
    "   SELECT t.n, t.source_id, t.post_id, 0, t.n,"
    "    CASE WHEN o.id IS NULL THEN 0 WHEN o.depth + 1 >= maxd.d"
    "     THEN o.depth ELSE o.depth + 1 END,"
    "    NULL::bigint,"
    "    CASE WHEN o.id IS NULL THEN NULL WHEN o.depth + 1 >= maxd.d"
    "     THEN o.parent_id ELSE o.id END"
    "   FROM import_todo t CROSS JOIN maxd"
    "   LEFT JOIN comments o ON o.import_source = $1"
    "    AND o.import_id = t.parent_source COLLATE \"default\""
    "    AND o.post_id = t.post_id"
    "   WHERE t.parent_source IS NULL OR NOT EXISTS (SELECT 1"
    "    FROM import_todo p WHERE p.source_id = t.parent_source"
    "    AND p.post_id = t.post_id)"
    "   UNION ALL"
    "   SELECT t.n, t.source_id, t.post_id, lv.level + 1,"
    "    greatest(lv.k, t.n),"
    "    CASE WHEN lv.depth + 1 >= maxd.d THEN lv.depth"
    "     ELSE lv.depth + 1 END,"
    "    CASE WHEN lv.depth + 1 >= maxd.d THEN lv.src_parent"
    "     ELSE lv.n END,"
    "    CASE WHEN lv.depth + 1 >= maxd.d THEN lv.db_parent END"
    "   FROM lv JOIN import_todo t ON t.parent_source = lv.source_id"
    "    AND t.post_id = lv.post_id CROSS JOIN maxd)"
    "  SELECT * FROM lv;"
    " CREATE TEMP TABLE import_ids ON COMMIT DROP AS"
    "  SELECT o.*, nextval('comments_id_seq') AS id FROM ("
    "   SELECT t.n, t.post_id, t.parent_source, p.level, p.depth,"
    "    p.src_parent, p.db_parent FROM import_todo t"
    "   LEFT JOIN import_place p ON p.n = t.n"
    "   ORDER BY p.k NULLS LAST, p.level, t.n) o;"
    " ANALYZE import_ids;"
    /* Each new comment's row but for what the second reading brings.
     * A deleted comment is written without its text: kept, it is a
     * placeholder for its replies. */
    " CREATE TEMP TABLE import_new ON COMMIT DROP AS"
    "  SELECT i.n, i.id, i.post_id, coalesce(pi.id, i.db_parent)"
    "   AS parent_id, pi.id IS NOT NULL AS parent_new,"
    "   coalesce(i.depth, 0) AS depth, s.status, u.id AS user_id"
    "  FROM import_ids i JOIN import_seen s ON s.n = i.n"
    "  LEFT JOIN import_ids pi ON pi.n = i.src_parent"
    "  LEFT JOIN users u ON lower(u.email) = lower(s.user_email);"
    " ANALYZE import_new;"
    /* Every staged comment in the file's order; no id: not to write
     * (an earlier import's, a later duplicate, or its post refused). */
    " DECLARE import_out NO SCROLL CURSOR FOR"
    "  SELECT s.source_id, w.id, w.post_id, w.parent_id, w.depth,"
    "   w.user_id FROM import_seen s LEFT JOIN import_new w ON w.n = s.n"
    "  ORDER BY s.n";
enum { OUT_SOURCE_ID, OUT_ID, OUT_POST, OUT_PARENT, OUT_DEPTH, OUT_USER };

/* The second reading fetches this many places at a time, and writes
 * their comments in one COPY. */
static const char sql_fetch[] = "FETCH 20000 FROM import_out";

/* The second reading's rows, in the order of place_row's fields. */
static const char sql_write[] =
    "COPY comments (id, post_id, parent_id, depth, author_name,"
    " author_email, author_url, body, html, status, ip, created_at,"
    " edited_at, score, verdict, reason, user_id, import_source,"
    " import_id) FROM STDIN";

/* Orphans: a parent named but not had, so placed at the top level (no
 * place: in a cycle; or placed with no parent of either kind); and the
 * comments to write. */
static const char sql_placed[] =
    "SELECT count(*) FILTER (WHERE parent_source IS NOT NULL"
    " AND (level IS NULL OR (src_parent IS NULL AND db_parent IS NULL))),"
    " count(*) FROM import_ids";

/* Step 4: deleted comments without replies, leaves first, again and
 * again until none is left (a deleted reply to a deleted comment).
 * OFFSET 0 keeps NOT EXISTS a probe of comments_parent_id for each of
 * the few deleted ones: as an anti-join, the planner sorted every
 * comment by parent_id on each pass. */
static const char sql_drop_deleted[] =
    "WITH gone AS (DELETE FROM comments c USING import_new n"
    " WHERE n.status = 'deleted' AND c.id = n.id"
    "  AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id"
    "   OFFSET 0)"
    " RETURNING c.id) SELECT count(*) FROM gone";

/* Step 5, and the stored counts: the import's transaction skips their
 * trigger, so its approved comments are added here, in the shard of
 * imports (sql/032_comment_counts.sql), just before the commit. */
static const char sql_announce[] =
    "INSERT INTO post_counts AS pc (post_id, shard, approved)"
    " SELECT post_id, 1, count(*) FROM import_new"
    " WHERE status = 'approved' GROUP BY post_id ORDER BY post_id"
    " ON CONFLICT (post_id, shard)"
    " DO UPDATE SET approved = pc.approved + EXCLUDED.approved;"
    /* A parent new in this import has no count yet: no ON CONFLICT,
     * which costs a third more. */
    " INSERT INTO reply_counts (comment_id, shard, approved)"
    " SELECT parent_id, 1, count(*) FROM import_new"
    " WHERE status = 'approved' AND parent_new"
    " GROUP BY parent_id ORDER BY parent_id;"
    " INSERT INTO reply_counts AS rc (comment_id, shard, approved)"
    " SELECT parent_id, 1, count(*) FROM import_new"
    " WHERE status = 'approved' AND parent_id IS NOT NULL"
    " AND NOT parent_new GROUP BY parent_id ORDER BY parent_id"
    " ON CONFLICT (comment_id, shard)"
    " DO UPDATE SET approved = rc.approved + EXCLUDED.approved;"
    " SELECT pg_notify('parley_thread', key) FROM import_posts"
    " WHERE post_id IN (SELECT post_id FROM import_new)";

/* Already: rows of comments an earlier import brought (import_seen
 * looked before this one's were written). */
static const char sql_counts[] =
    "SELECT (SELECT count(*) FROM import_new),"
    " (SELECT count(*) FROM import_seen WHERE had),"
    " (SELECT count(*) FROM import_seen s"
    "  WHERE NOT EXISTS (SELECT 1 FROM import_posts m"
    "   WHERE m.source_id = s.post_source)),"
    " (SELECT count(DISTINCT post_id) FROM import_new)";

static void
set_error(struct import_store *s, const char *what, PGresult *res)
{
	const char *msg =
	    res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(s->db);

	(void)snprintf(s->error, sizeof(s->error), "%s: %s", what,
	    msg != NULL && *msg != '\0' ? msg : "failed");
	s->error[strcspn(s->error, "\n")] = '\0';
}

/* Runs sql with the source as $1; the last result, or NULL (error set).
 * Several statements are allowed only without parameters, so those with
 * one run as a single statement each. */
static PGresult *
run(struct import_store *s, const char *what, const char *sql, int nparams)
{
	const char *params[1] = { s->source };
	PGresult   *res;

	if (nparams == 0)
		res = PQexec(s->db, sql);
	else
		res = PQexecParams(s->db, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		set_error(s, what, res);
		PQclear(res);
		return (NULL);
	}
	return (res);
}

/* Runs each ';'-separated statement of sql (none holds a ';' of its
 * own); the last one's result, or NULL. */
static PGresult *
run_each(struct import_store *s, const char *what, const char *sql)
{
	struct buf  one;
	const char *p = sql, *e;
	PGresult   *res = NULL;

	buf_init(&one);
	while (*p != '\0') {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		buf_reset(&one);
		buf_append(&one, p, (size_t)(e - p));
		buf_putc(&one, '\0');
		PQclear(res);
		if ((res = run(s, what, one.data,
		         strstr(one.data, "$1") != NULL)) == NULL)
			break;
		p = *e == ';' ? e + 1 : e;
		while (*p == ' ')
			p++;
	}
	buf_free(&one);
	return (res);
}

/* One COPY text field: \N for NULL, else escaped; runs without a byte
 * to escape go in whole. */
static void
copy_field(struct buf *b, const char *v, int last)
{
	size_t n;

	if (v == NULL)
		buf_append(b, "\\N", 2);
	while (v != NULL && *v != '\0') {
		n = strcspn(v, "\\\t\n\r");
		buf_append(b, v, n);
		v += n;
		switch (*v) {
		case '\0':
			continue;
		case '\\':
			buf_append(b, "\\\\", 2);
			break;
		case '\t':
			buf_append(b, "\\t", 2);
			break;
		case '\n':
			buf_append(b, "\\n", 2);
			break;
		default:
			buf_append(b, "\\r", 2);
		}
		v++;
	}
	buf_putc(b, last ? '\n' : '\t');
}

static int
flush(struct import_store *s, int force)
{
	if (s->row.len == 0 || (!force && s->row.len < COPY_CHUNK))
		return (0);
	if (PQputCopyData(s->db, s->row.data, (int)s->row.len) != 1) {
		set_error(s, s->phase, NULL);
		return (-1);
	}
	buf_reset(&s->row);
	return (0);
}

static int
take_lock(struct import_store *s, char *err, size_t errlen)
{
	PGresult *res;
	int       ok;

	res = PQexec(s->db, sql_lock_try);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		(void)snprintf(err, errlen, "database: %s",
		    PQresultErrorMessage(res));
		err[strcspn(err, "\n")] = '\0';
	} else if (!ok) {
		(void)snprintf(err, errlen, "%s",
		    "another import is running; try again once it is done");
	}
	PQclear(res);
	return (ok ? 0 : -1);
}

struct import_store *
import_store_open(const char *conninfo, const char *source, int locked,
    char *err, size_t errlen)
{
	struct import_store *s;
	PGresult            *res;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->source = strdup(source)) == NULL) {
		free(s);
		(void)snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	buf_init(&s->row);
	s->phase = "staging";
	s->db = PQconnectdb(conninfo);
	if (PQstatus(s->db) != CONNECTION_OK) {
		(void)snprintf(err, errlen, "database: %s",
		    PQerrorMessage(s->db));
		err[strcspn(err, "\n")] = '\0';
		import_store_close(s);
		return (NULL);
	}
	if (!locked && take_lock(s, err, errlen) == -1) {
		import_store_close(s);
		return (NULL);
	}
	res = PQexec(s->db, sql_begin);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		set_error(s, "staging", res);
		(void)snprintf(err, errlen, "%s", s->error);
		PQclear(res);
		import_store_close(s);
		return (NULL);
	}
	PQclear(res);
	s->copying = 1;
	return (s);
}

/* The columns of a staged row, in sql_begin's COPY order. */
enum stage_col {
	ST_KIND,
	ST_SOURCE_ID,
	ST_POST_SOURCE,
	ST_PARENT_SOURCE,
	ST_KEY,
	ST_URL,
	ST_TITLE,
	ST_OPEN,
	ST_CREATED_AT,
	ST_STATUS,
	ST_USER_EMAIL,
	ST_DATA,
	ST_NCOLS
};

/* Stages one row: v holds each column's text or NULL. */
static int
stage(struct import_store *s, const char *v[ST_NCOLS])
{
	int i;

	for (i = 0; i < ST_NCOLS; i++)
		copy_field(&s->row, v[i], i == ST_NCOLS - 1);
	return (flush(s, 0));
}

int
import_store_post(struct import_store *s, const struct import_post *p)
{
	const char *v[ST_NCOLS] = { NULL };

	v[ST_KIND] = "p";
	v[ST_SOURCE_ID] = p->source_id;
	v[ST_KEY] = p->key;
	v[ST_URL] = p->url;
	v[ST_TITLE] = p->title;
	v[ST_OPEN] = p->open ? "t" : "f";
	v[ST_CREATED_AT] = p->created_at;
	return (stage(s, v));
}

int
import_store_shape(struct import_store *s, const struct import_comment *c)
{
	const char *v[ST_NCOLS] = { NULL };

	v[ST_KIND] = "c";
	v[ST_SOURCE_ID] = c->source_id;
	v[ST_POST_SOURCE] = c->post_source_id;
	v[ST_PARENT_SOURCE] = c->parent_source_id;
	v[ST_STATUS] = c->status;
	v[ST_USER_EMAIL] = c->user_email;
	return (stage(s, v));
}

int
import_store_record(struct import_store *s, char kind, const char *json)
{
	const char *v[ST_NCOLS] = { NULL };
	char        k[2] = { kind, '\0' };

	v[ST_KIND] = k;
	v[ST_DATA] = json;
	return (stage(s, v));
}

/* Sends what libpq holds, waiting for the socket, and makes the
 * connection blocking again: 0, or -1. */
static int
send_all(PGconn *db)
{
	struct pollfd p = { PQsocket(db), POLLIN | POLLOUT, 0 };
	int           left;

	while ((left = PQflush(db)) == 1) {
		if (poll(&p, 1, -1) == -1 && errno != EINTR)
			return (-1);
		/* What the server says meanwhile (an error) is read, as
		 * libpq does when it waits itself. */
		if ((p.revents & POLLIN) && PQconsumeInput(db) == 0)
			return (-1);
	}
	return (left == 0 ? PQsetnonblocking(db, 0) : -1);
}

/* Ends a COPY: 0, or -1 with the error set. */
static int
end_copy(struct import_store *s)
{
	PGresult *res;
	int       ok;

	s->copying = 0;
	if (flush(s, 1) == -1 || send_all(s->db) == -1 ||
	    PQputCopyEnd(s->db, NULL) != 1) {
		set_error(s, s->phase, NULL);
		return (-1);
	}
	res = PQgetResult(s->db);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		set_error(s, s->phase, res);
	PQclear(res);
	while ((res = PQgetResult(s->db)) != NULL)
		PQclear(res);
	return (ok ? 0 : -1);
}

static int64_t
count_of(PGresult *res, int col)
{
	return (res != NULL && PQntuples(res) > 0 ?
	        strtoll(PQgetvalue(res, 0, col), NULL, 10) :
	        0);
}

int
import_store_place(struct import_store *s, struct import_counts *n)
{
	PGresult *res;

	memset(n, 0, sizeof(*n));
	if (end_copy(s) == -1)
		return (-1);
	/* Only Parley's own export has them: three scans of the staging
	 * table saved otherwise. */
	if (strcmp(s->source, "parley") == 0) {
		if ((res = run_each(s, "accounts, settings, bans",
		         sql_records)) == NULL)
			return (-1);
		PQclear(res);
	}
	if ((res = run_each(s, "placing", sql_place)) == NULL)
		return (-1);
	PQclear(res);
	if ((res = run(s, "threading", sql_placed, 0)) == NULL)
		return (-1);
	n->orphans = count_of(res, 0);
	n->imported = s->towrite = count_of(res, 1);
	PQclear(res);
	s->phase = "writing";
	return (0);
}

/* The next comment's place (s->place in s->places): the COPY of the
 * places fetched before ends first, as a statement ends before the next
 * one starts. 0, or -1 with the error set; none left is an error (the
 * file changed between its readings). */
static int
next_place(struct import_store *s)
{
	if (s->places != NULL && ++s->place < s->nplaces)
		return (0);
	if (s->copying && end_copy(s) == -1)
		return (-1);
	PQclear(s->places);
	if ((s->places = run(s, "writing", sql_fetch, 0)) == NULL)
		return (-1);
	s->place = 0;
	s->nplaces = PQntuples(s->places);
	if (s->nplaces == 0) {
		(void)snprintf(s->error, sizeof(s->error), "%s",
		    "the file changed while it was imported (more comments "
		    "on its second reading)");
		return (-1);
	}
	return (0);
}

static const char *
place_field(const struct import_store *s, int col)
{
	return (PQgetisnull(s->places, s->place, col) ?
	        NULL :
	        PQgetvalue(s->places, s->place, col));
}

/* The columns of a written comment, in sql_write's order. */
enum write_col {
	WR_ID,
	WR_POST,
	WR_PARENT,
	WR_DEPTH,
	WR_NAME,
	WR_EMAIL,
	WR_AUTHOR_URL,
	WR_BODY,
	WR_HTML,
	WR_STATUS,
	WR_IP,
	WR_CREATED_AT,
	WR_EDITED_AT,
	WR_SCORE,
	WR_VERDICT,
	WR_REASON,
	WR_USER,
	WR_SOURCE,
	WR_SOURCE_ID,
	WR_NCOLS
};

int
import_store_next(struct import_store *s, const struct import_comment *c)
{
	if (next_place(s) == -1)
		return (-1);
	if (strcmp(place_field(s, OUT_SOURCE_ID), c->source_id) != 0) {
		(void)snprintf(s->error, sizeof(s->error), "%s",
		    "the file changed while it was imported (another comment "
		    "on its second reading)");
		return (-1);
	}
	return (place_field(s, OUT_ID) != NULL);
}

int
import_store_comment(struct import_store *s, const struct import_comment *c,
    const char *markdown, const char *html)
{
	const char *v[WR_NCOLS];
	char        score[32];
	int         deleted, i;

	if (!s->copying) {
		PGresult *res = PQexec(s->db, sql_write);

		if (PQresultStatus(res) != PGRES_COPY_IN) {
			set_error(s, "writing", res);
			PQclear(res);
			return (-1);
		}
		PQclear(res);
		s->copying = 1;
		/* The rows go to libpq's buffer without waiting for the
		 * socket (at most the places fetched: a few MiB), so that
		 * rendering never stops because PostgreSQL is busy, nor
		 * PostgreSQL because a body took long: end_copy sends the
		 * rest. */
		if (PQsetnonblocking(s->db, 1) == -1) {
			set_error(s, "writing", NULL);
			return (-1);
		}
	}
	deleted = strcmp(c->status, "deleted") == 0;
	(void)snprintf(score, sizeof(score), "%lld", c->score);
	v[WR_ID] = place_field(s, OUT_ID);
	v[WR_POST] = place_field(s, OUT_POST);
	v[WR_PARENT] = place_field(s, OUT_PARENT);
	v[WR_DEPTH] = place_field(s, OUT_DEPTH);
	v[WR_NAME] = c->author_name;
	v[WR_EMAIL] = c->author_email;
	v[WR_AUTHOR_URL] = c->author_url;
	v[WR_BODY] = deleted ? "" : markdown;
	v[WR_HTML] = deleted ? "" : html;
	v[WR_STATUS] = c->status;
	v[WR_IP] = c->ip;
	v[WR_CREATED_AT] = c->created_at;
	v[WR_EDITED_AT] = c->edited_at;
	v[WR_SCORE] = score;
	v[WR_VERDICT] = c->verdict;
	v[WR_REASON] = c->reason;
	v[WR_USER] = place_field(s, OUT_USER);
	v[WR_SOURCE] = s->source;
	v[WR_SOURCE_ID] = c->source_id;
	for (i = 0; i < WR_NCOLS; i++)
		copy_field(&s->row, v[i], i == WR_NCOLS - 1);
	return (flush(s, 0));
}

/* After the second reading: every place was read (none left). */
static int
places_all_read(struct import_store *s)
{
	PGresult *res;
	int       left;

	if (s->places != NULL && s->place + 1 < s->nplaces)
		left = 1;
	else if ((res = run(s, "writing", "FETCH 1 FROM import_out", 0)) ==
	    NULL)
		return (-1);
	else {
		left = PQntuples(res) > 0;
		PQclear(res);
	}
	if (left)
		(void)snprintf(s->error, sizeof(s->error), "%s",
		    "the file changed while it was imported (fewer comments "
		    "on its second reading)");
	return (left ? -1 : 0);
}

int
import_store_finish(struct import_store *s, struct import_counts *n)
{
	PGresult *res;
	int64_t   gone;

	if (s->copying && end_copy(s) == -1)
		return (-1);
	/* With nothing to write, the file is not read again. */
	if (s->towrite > 0 && places_all_read(s) == -1)
		return (-1);
	do {
		if ((res = run(s, "deleted", sql_drop_deleted, 0)) == NULL)
			return (-1);
		gone = count_of(res, 0);
		n->dropped += gone;
		PQclear(res);
	} while (gone > 0);
	if ((res = run(s, "counting", sql_counts, 0)) == NULL)
		return (-1);
	n->imported = count_of(res, 0) - n->dropped;
	n->already = count_of(res, 1);
	n->no_post = count_of(res, 2);
	n->posts = count_of(res, 3);
	PQclear(res);
	if ((res = run_each(s, "announcing", sql_announce)) == NULL)
		return (-1);
	PQclear(res);
	/* The deferred parent checks run here. */
	if ((res = run(s, "commit", "COMMIT", 0)) == NULL)
		return (-1);
	PQclear(res);
	return (0);
}

const char *
import_store_error(const struct import_store *s)
{
	return (s->error);
}

void
import_store_close(struct import_store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL) {
		if (s->copying)
			(void)PQputCopyEnd(s->db, "import stopped");
		PQfinish(s->db);
	}
	PQclear(s->places);
	buf_free(&s->row);
	free(s->source);
	free(s);
}
