#!/usr/bin/env bash
# `make admin EMAIL=a@example.org [PASSWORD=...]`: creates the account as an
# admin, or promotes an existing one, and always sets its password: the
# given one, or a generated one printed once. Every session the account
# had ends, so whoever registered the address before it was promoted keeps
# neither a session nor the password.
#   admin.sh EMAIL [PASSWORD] [DBNAME]   database DBNAME (default parley)
#                                        of the local cluster (var/pg)
#   PARLEY_CONF=/etc/parley/parley.conf admin.sh EMAIL [PASSWORD]
#       production: the database of that file's `database` line. Only
#       without a DBNAME, so a PARLEY_CONF left in the environment never
#       sends the test suite's accounts to production.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
email="${1:-}" password="${2:-}" db="${3:-}"
[ -n "$email" ] || { echo "usage: make admin EMAIL=you@example.org [PASSWORD=...]," \
    "or PARLEY_CONF=/etc/parley/parley.conf scripts/admin.sh EMAIL [PASSWORD]" >&2; exit 2; }
[ -x "$top/build/parley-passwd" ] || { echo "admin: run 'make build' first" >&2; exit 1; }

if [ -z "$db" ] && [ -n "${PARLEY_CONF:-}" ]; then
	[ -r "$PARLEY_CONF" ] || { echo "admin: cannot read $PARLEY_CONF" >&2; exit 1; }
	# The last `database = ...` line, as Parley reads it.
	conn=$(sed -n 's/^[[:space:]]*database[[:space:]]*=[[:space:]]*//p' "$PARLEY_CONF" |
	    tail -n 1 | sed 's/[[:space:]]*$//')
	[ -n "$conn" ] || { echo "admin: no 'database' line in $PARLEY_CONF" >&2; exit 1; }
	bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
	psql_bin="$bin/psql"
	[ -x "$psql_bin" ] || psql_bin=psql
	q() { "$psql_bin" -X -q -tA -v ON_ERROR_STOP=1 -d "$conn" "$@"; }
else
	q() { PARLEY_DB_NAME="${db:-parley}" "$top/scripts/pg.sh" psql -X -q -tA \
	    -v ON_ERROR_STOP=1 "$@"; }
fi

exists=$(q -v email="$email" <<'SQL'
SELECT count(*) FROM users WHERE lower(email) = lower(:'email');
SQL
)
generated=""
if [ -n "$password" ]; then
	hash=$(printf '%s\n' "$password" | "$top/build/parley-passwd")
else
	out=$("$top/build/parley-passwd" --generate)
	generated=$(sed -n 1p <<<"$out")
	hash=$(sed -n 2p <<<"$out")
fi

# psql's :'var' quotes each value as a literal: no SQL is built from input.
q -v email="$email" -v hash="$hash" -v name="${email%%@*}" >/dev/null <<'SQL'
SELECT user_make_admin(:'email', :'hash', :'name');
SQL
if [ "$exists" = 0 ]; then
	echo "admin: created $email"
else
	echo "admin: $email is an admin with a new password; its sessions ended"
fi
if [ -n "$generated" ]; then
	echo "admin: password: $generated"
	echo "admin: it is shown only now; log in and keep it somewhere safe."
fi
