/*
 * What the outbox senders share (see outbox.h).
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "outbox.h"

void
outbox_log_db(const char *who, const char *what, const char *msg)
{
	fprintf(stderr, "%s: %s: %.*s\n", who, what, (int)strcspn(msg, "\n"),
	    msg);
}

void
outbox_release(PGconn *conn, const char *sql, const PGresult *claim, int id_col,
    int from, int n, const char *who)
{
	struct buf  ids;
	const char *v[1];
	PGresult   *r;
	int         i;

	buf_init(&ids);
	buf_putc(&ids, '{');
	for (i = from; i < n; i++)
		buf_printf(&ids, "%s%s", i > from ? "," : "",
		    PQgetvalue(claim, i, id_col));
	buf_putc(&ids, '}');
	v[0] = ids.data;
	r = PQexecParams(conn, sql, 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		outbox_log_db(who, "cannot give claimed rows back",
		    PQerrorMessage(conn));
	PQclear(r);
	buf_free(&ids);
}
