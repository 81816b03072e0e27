#!/usr/bin/env bash
# Applies sql/*.sql to database $1 in file-name order, each file once and in
# its own transaction, recording it in schema_migrations. Re-running applies
# nothing new. Connects as the app role on the local cluster's socket unless
# PARLEY_MIGRATE_URL (any libpq connection string) says otherwise.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dbname="${1:?database name}"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
psql_bin="$bin/psql"
[ -x "$psql_bin" ] || psql_bin=psql
conn="${PARLEY_MIGRATE_URL:-host=$top/var/pg/run port=${PARLEY_PG_PORT:-54329} user=parley dbname=$dbname}"

export PGOPTIONS="-c client_min_messages=warning"
q() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 "$conn" "$@"; }

q -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	version text PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now())"

applied=$(q -tAc "SELECT version FROM schema_migrations")
for f in "$top"/sql/*.sql; do
	v=$(basename "$f" .sql)
	grep -qxF "$v" <<<"$applied" && continue
	# One transaction for the file and its record: both or neither.
	q --single-transaction -f "$f" \
	    -c "INSERT INTO schema_migrations (version) VALUES ('$v')"
	echo "migrate: $dbname: applied $v"
done
