#!/usr/bin/env bash
# `make run`: the local cluster, the demo post and Parley in the foreground
# on http://127.0.0.1:$PORT until Ctrl-C; then it stops what it started
# (the cluster too, if it was not running before).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
port="${1:-8080}" db="${2:-parley}"

# Say so before anything starts, and how to get out of it.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	cat >&2 <<MSG
run: cannot serve on 127.0.0.1:$port: something already listens there
  (another Parley, perhaps another checkout's \`make run\`). Stop it, or
  choose another port: make run PORT=$((port + 1))
MSG
	exit 1
fi

started_pg=0
if ! "$top/scripts/pg.sh" status >/dev/null 2>&1; then
	started_pg=1
fi
PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" start
"$top/scripts/seed-demo.sh" "$db"

# A demo admin, made once; its generated password is printed that once
# (make admin would set a new one on every run).
admin_email=admin@example.org
if [ "$(PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" psql -X -q -tA -c \
    "SELECT count(*) FROM users WHERE email = '$admin_email'")" = 0 ]; then
	admin_note=$("$top/scripts/admin.sh" "$admin_email" "" "$db" |
	    sed '2,$s/^/  /')
else
	admin_note="with the password the first make run printed"
fi

cleanup() {
	[ "$started_pg" = 1 ] && "$top/scripts/pg.sh" stop && echo "run: PostgreSQL stopped"
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

metrics="${PARLEY_METRICS_LISTEN:-127.0.0.1:9181}"
cat <<MSG
Parley is starting on http://127.0.0.1:$port/
  demo blog page (post #198):  http://127.0.0.1:$port/
  thread without JavaScript:   http://127.0.0.1:$port/thread.html?post=198
  API:                         http://127.0.0.1:$port/api/v1/comments?post=198
  moderation (admin page):     http://127.0.0.1:$port/admin
  metrics (Prometheus):        http://$metrics/metrics
Log in as admin: $admin_email
  $admin_note
  (make admin EMAIL=$admin_email [PASSWORD=...] sets a new password;
   POST /api/v1/auth/login {"email","password"} returns a Bearer token)
Ctrl-C stops Parley$( [ "$started_pg" = 1 ] && echo " and the local PostgreSQL" ).
MSG
# Not exec: the trap above must run when Kore exits.
PARLEY_METRICS_LISTEN="$metrics" "$top/scripts/serve.sh" dev "$port" "$db" ||
    true
