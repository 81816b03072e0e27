#!/usr/bin/env bash
# Applies the numbered migrations sql/NNN_*.sql in file-name order, each
# file once and in its own transaction, recording it in schema_migrations;
# then every function and trigger, sql/functions/*.sql, each defined once
# there with CREATE OR REPLACE, in one transaction on every run. Re-running
# applies nothing new and changes nothing.
#   migrate.sh DBNAME   database DBNAME of the local cluster (var/pg), as
#                       the app role on its socket, unless
#                       PARLEY_MIGRATE_URL (any libpq connection string)
#                       says otherwise
#   migrate.sh          production: PARLEY_MIGRATE_URL, or else the
#                       `database` line of the file PARLEY_CONF names, e.g.
#       PARLEY_CONF=/etc/parley/parley.conf scripts/migrate.sh
# A DBNAME always means the local cluster, so a PARLEY_CONF left in the
# environment never sends the test suite's migrations to production.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dbname="${1:-}"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
psql_bin="$bin/psql"
[ -x "$psql_bin" ] || psql_bin=psql

. "$top/scripts/conninfo.sh"
if ! parley_conninfo "$dbname"; then
	echo "usage: migrate.sh DBNAME (local cluster)," \
	    "or PARLEY_CONF=/etc/parley/parley.conf migrate.sh" >&2
	exit 2
fi

export PGOPTIONS="-c client_min_messages=warning"
q() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d "$conn" "$@"; }

# The name in messages: the one given, or the one the server reports.
[ -n "$dbname" ] || dbname=$(q -tAc "SELECT current_database()")

q -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now())"

# A database migrated before 000_baseline squashed 001-021 has all of
# them recorded and the baseline's schema already: record the baseline.
q -c "INSERT INTO schema_migrations (version)
	SELECT '000_baseline' WHERE (SELECT count(*) FROM schema_migrations
	    WHERE version ~ '^0(0[1-9]|1[0-9]|2[01])_') = 21
	ON CONFLICT DO NOTHING"

applied=$(q -tAc "SELECT version FROM schema_migrations")
for f in "$top"/sql/[0-9]*.sql; do
	v=$(basename "$f" .sql)
	grep -qxF "$v" <<<"$applied" && continue
	# One transaction for the file and its record: both or neither.
	q --single-transaction -f "$f" \
	    -c "INSERT INTO schema_migrations (version) VALUES ('$v')"
	echo "migrate: $dbname: applied $v"
done

# Functions and triggers, all at once: bodies are checked when they run,
# not when they are created, since the files (one per area) call each
# other in any order. A signature change needs its DROP in a numbered
# migration first (CREATE OR REPLACE cannot change a result type).
fargs=()
for f in "$top"/sql/functions/*.sql; do fargs+=(-f "$f"); done
q --single-transaction -c "SET LOCAL check_function_bodies = off" \
    "${fargs[@]}"
