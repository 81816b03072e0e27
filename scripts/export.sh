#!/usr/bin/env bash
# Writes Parley's data as gzipped JSON lines to stdout, all read from one
# snapshot: `make export > parley-export.jsonl.gz` (the admin API's
# GET /api/v1/admin/export gives the same).
#   export.sh DBNAME   a database of the local cluster; "" with
#                      PARLEY_CONF set: production's, as for migrate.sh
# Line 1 is a header {"format":"parley-export","version":1,
# "exported_at","counts"}; then one object a line, each with a "type":
# setting, user (never a password hash), post, comment (its Markdown
# source, status, times, score, author), ban. Comments come in id order,
# but an importer must not count on a parent coming first.
# `make import FILE=parley-export.jsonl.gz FORMAT=parley` reads it back.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
psql_bin="$bin/psql"
[ -x "$psql_bin" ] || psql_bin=psql
. "$top/scripts/conninfo.sh"
parley_conninfo "${1:-}" || { echo "usage: export.sh DBNAME" >&2; exit 2; }
if [ -t 1 ]; then
	echo "export: stdout is a terminal; redirect it to a file" >&2
	exit 2
fi

# FETCH_COUNT: psql reads through a cursor, a few thousand rows at a
# time, so memory stays flat whatever the size of the database.
set -o pipefail
# export_lines() (sql/functions/import.sql) is the export, the admin
# API's too: one statement, so one snapshot.
"$psql_bin" -X -q -At -v ON_ERROR_STOP=1 -v FETCH_COUNT=2000 -d "$conn" \
    -c 'SELECT line FROM export_lines()' | gzip -6
