#!/usr/bin/env bash
# The project-local PostgreSQL cluster under var/pg: created on first use,
# listening on 127.0.0.1:$PARLEY_PG_PORT (default 54329) and on a private
# unix socket. Run as root, the server runs as the 'postgres' user, since
# initdb refuses root. PARLEY_PG_DIR puts the cluster elsewhere (default
# var/pg).
#
#   pg.sh start            create if needed, start, ensure role and database
#   pg.sh stop             stop it (fast shutdown)
#   pg.sh status           exit 0 if it is running
#   pg.sh createdb NAME    (re)create database NAME owned by the app role, migrated
#   pg.sh conninfo NAME    libpq connection string Parley uses for NAME
#   pg.sh psql [ARGS]      psql as the app role on the socket
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export PGOPTIONS="-c client_min_messages=warning"
base="${PARLEY_PG_DIR:-$top/var/pg}"
data="$base/data"
sock="$base/run"
port="${PARLEY_PG_PORT:-54329}"
role=parley
db="${PARLEY_DB_NAME:-parley}"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[ -x "$bin/pg_ctl" ] || { echo "pg.sh: no PostgreSQL server binaries found" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	as_owner() { runuser -u "$owner" -- "$@"; }
else
	owner=$(id -un)
	as_owner() { "$@"; }
fi

password_file="$base/$role.password"

# The server user must reach var/pg. A clone in a private folder (mktemp -d
# makes them 0700) would stop it at the door: give others search
# permission (x, not read) on the folders in the way, and say so.
let_owner_in() {
	local d="$base" missing=()
	[ "$owner" = "$(id -un)" ] && return 0
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		runuser -u "$owner" -- test -x "$d" || missing+=("$d")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "pg.sh: letting '$owner' through ${missing[*]} (chmod o+x)" >&2
		chmod o+x "${missing[@]}"
	fi
}

init_cluster() {
	mkdir -p "$base"
	let_owner_in
	[ -f "$password_file" ] || {
		(umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$password_file")
	}
	mkdir -p "$data" "$sock" "$base/log"
	chown "$owner" "$data" "$sock" "$base/log"
	chmod 700 "$data" "$sock"
	# Socket connections are trusted (the socket's folder is private);
	# TCP connections need the role's password.
	as_owner "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
	    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
	cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
max_connections = 200
fsync = on
synchronous_commit = on
logging_collector = off
CONF
}

# 0 when something accepts connections on 127.0.0.1:$1.
port_taken() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Our cluster is not running, yet its port answers: most often another
# checkout's cluster, left running by its `make test`.
port_conflict() {
	cat >&2 <<MSG
pg.sh: cannot start PostgreSQL: 127.0.0.1:$port is already in use.
  Another checkout's cluster (left running by its make test or make run)
  is the usual cause: run \`make stop-db\` in that checkout. Or give this
  one another port: PARLEY_PG_PORT=$((port + 1)) make run  (or make test).
MSG
	exit 1
}

is_running() {
	as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

su_psql() {
	"$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres "$@"
}

ensure_role() {
	local pw
	pw=$(cat "$password_file")
	su_psql -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'" |
	    grep -q 1 || su_psql -d postgres -c "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$pw'"
}

ensure_db() {
	su_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" |
	    grep -q 1 || su_psql -d postgres -c "CREATE DATABASE \"$1\" OWNER $role"
	"$top/scripts/migrate.sh" "$1"
}

case "${1:-}" in
start)
	if ! { [ -f "$data/PG_VERSION" ] && is_running; }; then
		port_taken "$port" && port_conflict
	fi
	[ -f "$data/PG_VERSION" ] || init_cluster
	let_owner_in
	if ! is_running; then
		# -p: PARLEY_PG_PORT applies to a cluster made with another.
		as_owner "$bin/pg_ctl" -D "$data" -l "$base/log/server.log" \
		    -o "-p $port" -w -t 30 start >/dev/null || {
			echo "pg.sh: PostgreSQL did not start; the end of" \
			    "$base/log/server.log:" >&2
			tail -n 5 "$base/log/server.log" >&2
			exit 1
		}
	fi
	ensure_role
	ensure_db "$db"
	;;
status)
	[ -f "$data/PG_VERSION" ] && is_running
	;;
stop)
	if [ -f "$data/PG_VERSION" ] && is_running; then
		as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
	;;
createdb)
	name="${2:?database name}"
	su_psql -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
	ensure_db "$name"
	;;
conninfo)
	echo "host=127.0.0.1 port=$port dbname=${2:-$db} user=$role password=$(cat "$password_file") connect_timeout=3"
	;;
psql)
	shift
	"$bin/psql" -X -h "$sock" -p "$port" -U "$role" -d "$db" "$@"
	;;
*)
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
