/*
 * Parley's export to a file (export.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <zlib.h>

#include "export.h"

/* One statement: one snapshot, so the lines agree with each other. */
static const char sql_export[] = "SELECT line FROM export_lines()";

static int
db_fail(PGconn *db, const char *what, char *err, size_t errlen)
{
	(void)snprintf(err, errlen, "%s: %s", what, PQerrorMessage(db));
	err[strcspn(err, "\n")] = '\0';
	return (-1);
}

/* Sends every row into gz; 0, or -1 with err filled. */
static int
rows_write(PGconn *db, gzFile gz, char *err, size_t errlen)
{
	PGresult *res;
	int       rc = 0, len;

	if (!PQsendQuery(db, sql_export) || !PQsetSingleRowMode(db))
		return (db_fail(db, "export", err, errlen));
	/* Read to the end even after a failure: the connection stays
	 * usable, and nothing is left unread. */
	while ((res = PQgetResult(db)) != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			len = PQgetlength(res, 0, 0);
			if (rc == 0 &&
			    (gzwrite(gz, PQgetvalue(res, 0, 0),
			         (unsigned)len) != len ||
			        gzputc(gz, '\n') == -1)) {
				(void)snprintf(err, errlen, "%s",
				    "cannot write the export");
				rc = -1;
			}
			break;
		case PGRES_TUPLES_OK:
			break;
		default:
			if (rc == 0) {
				(void)snprintf(err, errlen, "export: %s",
				    PQresultErrorMessage(res));
				err[strcspn(err, "\n")] = '\0';
			}
			rc = -1;
			break;
		}
		PQclear(res);
	}
	return (rc);
}

int
export_write(const char *conninfo, int fd, char *err, size_t errlen)
{
	PGconn *db;
	gzFile  gz;
	int     own, rc;

	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK) {
		rc = db_fail(db, "database", err, errlen);
		PQfinish(db);
		return (rc);
	}
	if ((own = dup(fd)) == -1 || (gz = gzdopen(own, "wb6")) == NULL) {
		if (own != -1)
			close(own);
		PQfinish(db);
		(void)snprintf(err, errlen, "%s", "cannot write the export");
		return (-1);
	}
	rc = rows_write(db, gz, err, errlen);
	if (gzclose(gz) != Z_OK && rc == 0) {
		(void)snprintf(err, errlen, "%s", "cannot write the export");
		rc = -1;
	}
	PQfinish(db);
	return (rc);
}
