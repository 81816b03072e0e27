# Sourced by scripts that reach Parley's database: sets $conn, a libpq
# connection string, from (in this order) PARLEY_MIGRATE_URL, a database
# name of the local cluster (var/pg, as the app role on its socket), or
# the file PARLEY_CONF names: its `database_listen` line (a direct
# connection, when `database` goes through PgBouncer: migrations, imports
# and exports hold a session) or else its `database` line. A database name
# always means the local cluster, so a PARLEY_CONF left in the
# environment never sends the test suite's work to production.
#   parley_conninfo DBNAME|""  (returns 1 with a message when none)

# conf_database FILE [NAME]: the value of the last `NAME = ...` line
# (NAME: database unless given) of a Parley configuration file (the last
# one wins there too).
conf_database() {
	sed -n "s/^[[:space:]]*${2:-database}[[:space:]]*=[[:space:]]*//p" "$1" |
	    tail -n 1 | sed 's/[[:space:]]*$//'
}

parley_conninfo() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [ -n "${PARLEY_MIGRATE_URL:-}" ]; then
		conn="$PARLEY_MIGRATE_URL"
	elif [ -n "$1" ]; then
		conn="host=${PARLEY_PG_DIR:-$top/var/pg}/run port=${PARLEY_PG_PORT:-54329} user=parley dbname=$1"
	elif [ -n "${PARLEY_CONF:-}" ]; then
		[ -r "$PARLEY_CONF" ] || { echo "cannot read $PARLEY_CONF" >&2; return 1; }
		conn=$(conf_database "$PARLEY_CONF" database_listen)
		[ -n "$conn" ] || conn=$(conf_database "$PARLEY_CONF")
		[ -n "$conn" ] || { echo "no 'database' line in $PARLEY_CONF" >&2; return 1; }
	else
		return 1
	fi
}
