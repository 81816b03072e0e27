#!/usr/bin/env bash
# Runs Parley in the foreground against the local cluster:
#   serve.sh NAME PORT DBNAME [WORKERS]
# Writes var/run/NAME/{kore.conf,parley.conf} and execs kore. As root the
# workers chroot into an empty folder and run as the 'parley' system user;
# otherwise they run as you, without chroot. Env: PARLEY_DATABASE (a libpq
# connection string instead of the local cluster's), PARLEY_DATABASE_LISTEN
# (a direct connection string for LISTEN, the deliverer and imports; default:
# the database's), PARLEY_PREPARED_STATEMENTS (yes; no: unnamed statements,
# for PgBouncer in transaction mode), PARLEY_BIND (127.0.0.1),
# PARLEY_ORIGINS (allowed origins), PARLEY_SESSION_TTL (30 days),
# PARLEY_TRUSTED_PROXIES (none), PARLEY_KEY_FILE (var/run/NAME/parley.key,
# made on the first start; nodes of one database share one),
# PARLEY_SECCOMP_TRACING (no), PARLEY_DELIVER (1; 0: the first worker
# sends no event hooks, for tests that run their own build/parley-deliver), PARLEY_HOOK_CA_FILE (none; a PEM file of CAs
# that hooks' https trusts besides the system's, e.g. a private CA),
# PARLEY_IMPORT_MAX_MIB (256: the admin API's largest import),
# PARLEY_STREAM_MAX (10000 live streams on the node), PARLEY_MAX_CONNECTIONS (1024
# a worker; its descriptors are twice that and 256),
# PARLEY_STREAM_HEARTBEAT_MS (15000: how often streams hear a heartbeat;
# shorter only for tests),
# PARLEY_HOOK_ALLOW_PRIVATE (0; 1: hooks may reach loopback and private
# addresses, hook_allow_private_networks = yes: the tests' receivers),
# PARLEY_PUBLIC_URL (http://127.0.0.1:PORT: links in mail and feeds; set
# but empty: none, feeds link to the address each request asked for),
# PARLEY_SMTP_URL (none: no mail; e.g. smtp://127.0.0.1:2525),
# PARLEY_SMTP_USER and PARLEY_SMTP_PASSWORD (none), PARLEY_MAIL_FROM
# (Parley <parley@localhost> when PARLEY_SMTP_URL is set),
# PARLEY_METRICS_LISTEN (off: /metrics' own listener, e.g. 127.0.0.1:9181;
# off by default here so that several Parleys, tests among them, can run
# at once; make run sets it).
# Moderation settings (edit window, depth, ...) live in the database.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name="${1:?name}" port="${2:?port}" db="${3:?database}" workers="${4:-2}"
dir="$top/var/run/$name"
mkdir -p "$dir/root"

cat > "$dir/parley.conf" <<CONF
database = ${PARLEY_DATABASE:-$("$top/scripts/pg.sh" conninfo "$db")}
prepared_statements = $(case "${PARLEY_PREPARED_STATEMENTS:-yes}" in no|0) echo no;; *) echo yes;; esac)
assets_dir = $top/build/assets
allowed_origins = ${PARLEY_ORIGINS:-http://127.0.0.1:$port http://localhost:$port}
session_ttl_seconds = ${PARLEY_SESSION_TTL:-2592000}
trusted_proxies = ${PARLEY_TRUSTED_PROXIES:-}
key_file = ${PARLEY_KEY_FILE:-$dir/parley.key}
deliver_hooks = $([ "${PARLEY_DELIVER:-1}" = 0 ] && echo no || echo yes)
hook_allow_private_networks = $([ "${PARLEY_HOOK_ALLOW_PRIVATE:-0}" = 1 ] && echo yes || echo no)
import_max_mib = ${PARLEY_IMPORT_MAX_MIB:-256}
stream_max = ${PARLEY_STREAM_MAX:-10000}
stream_heartbeat_ms = ${PARLEY_STREAM_HEARTBEAT_MS:-15000}
public_url = ${PARLEY_PUBLIC_URL-http://127.0.0.1:$port}
metrics_listen = ${PARLEY_METRICS_LISTEN:-off}
CONF
if [ -n "${PARLEY_SMTP_URL:-}" ]; then
	cat >> "$dir/parley.conf" <<CONF
smtp_url = $PARLEY_SMTP_URL
smtp_user = ${PARLEY_SMTP_USER:-}
smtp_password = ${PARLEY_SMTP_PASSWORD:-}
mail_from = ${PARLEY_MAIL_FROM:-Parley <parley@localhost>}
CONF
fi
if [ -n "${PARLEY_DATABASE_LISTEN:-}" ]; then
	echo "database_listen = $PARLEY_DATABASE_LISTEN" >> "$dir/parley.conf"
fi
if [ -n "${PARLEY_DATABASE_REPLICA:-}" ]; then
	echo "database_replica = $PARLEY_DATABASE_REPLICA" >> "$dir/parley.conf"
fi
if [ -n "${PARLEY_HOOK_CA_FILE:-}" ]; then
	echo "hook_ca_file = $PARLEY_HOOK_CA_FILE" >> "$dir/parley.conf"
fi
chmod 600 "$dir/parley.conf"

flags=(-f)
if [ "$(id -u)" -eq 0 ]; then
	id parley >/dev/null 2>&1 ||
	    useradd --system --no-create-home --shell /usr/sbin/nologin parley
	runas=parley
else
	runas=$(id -un)
	flags+=(-n -r)
fi

# Descriptors: twice the connections and 256 for the worker's own
# (database, files), within what this shell may give.
nofiles=$(( ${PARLEY_MAX_CONNECTIONS:-1024} * 2 + 256 ))
hard=$(ulimit -Hn)
[ "$hard" != unlimited ] && [ "$nofiles" -gt "$hard" ] && nofiles=$hard
sed -e "s|@BIND@|${PARLEY_BIND:-127.0.0.1}|" -e "s|@PORT@|$port|" \
    -e "s|@MODULE@|$top/build/parley.so|" -e "s|@ROOT@|$dir/root|" \
    -e "s|@RUNAS@|$runas|" -e "s|@WORKERS@|$workers|" \
    -e "s|@PIDFILE@|$dir/kore.pid|" -e "s|@PG_CONNS@|${PARLEY_PG_CONNS:-8}|" \
    -e "s|@SECCOMP_TRACING@|${PARLEY_SECCOMP_TRACING:-no}|" \
    -e "s|@MAX_CONNS@|${PARLEY_MAX_CONNECTIONS:-1024}|" \
    -e "s|@NOFILES@|$nofiles|" \
    "$top/conf/kore.conf.in" > "$dir/kore.conf"

export PARLEY_CONF="$dir/parley.conf"

stop() {
	[ -n "${kore_pid:-}" ] && kill "$kore_pid" 2>/dev/null
	wait 2>/dev/null
}
trap 'stop; exit 0' TERM INT
trap stop EXIT
stdbuf -oL -eL kore "${flags[@]}" -c "$dir/kore.conf" &
kore_pid=$!
wait "$kore_pid"
