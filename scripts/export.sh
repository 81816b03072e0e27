#!/usr/bin/env bash
# Writes Parley's data as gzipped JSON lines to stdout, all read from one
# snapshot (REPEATABLE READ): `make export > parley-export.jsonl.gz`.
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
"$psql_bin" -X -q -At -v ON_ERROR_STOP=1 -v FETCH_COUNT=2000 -d "$conn" <<'SQL' | gzip -6
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT json_build_object('format', 'parley-export', 'version', 1,
    'exported_at', rfc3339(now()),
    'counts', json_build_object(
	'settings', (SELECT count(*) FROM settings),
	'users', (SELECT count(*) FROM users),
	'posts', (SELECT count(*) FROM posts),
	'comments', (SELECT count(*) FROM comments),
	'bans', (SELECT count(*) FROM bans)));
SELECT json_build_object('type', 'setting', 'name', name, 'value', value)
    FROM settings ORDER BY name;
SELECT json_build_object('type', 'user', 'id', id, 'email', email,
    'name', name, 'role', role, 'created_at', rfc3339(created_at))
    FROM users ORDER BY id;
SELECT json_build_object('type', 'post', 'key', key, 'title', title,
    'url', url, 'open', open, 'created_at', rfc3339(created_at))
    FROM posts ORDER BY id;
SELECT json_build_object('type', 'comment', 'id', c.id,
    'post', p.key, 'parent_id', c.parent_id,
    'author_name', c.author_name, 'author_email', c.author_email,
    'author_url', c.author_url, 'user_id', c.user_id, 'ip', host(c.ip),
    'body', c.body, 'status', c.status,
    'created_at', rfc3339(c.created_at), 'edited_at', rfc3339(c.edited_at),
    'score', c.score, 'verdict', c.verdict, 'reason', c.reason)
    FROM comments c JOIN posts p ON p.id = c.post_id ORDER BY c.id;
SELECT json_build_object('type', 'ban', 'kind', kind, 'value', value,
    'reason', reason, 'expires_at', rfc3339(expires_at),
    'created_at', rfc3339(created_at))
    FROM bans ORDER BY id;
COMMIT;
SQL
