#!/usr/bin/env bash
# Benchmark: readers and writers on a busy thread. Seeds post
# /2018/03/post-198 with 200 comments (134 top-level, 66 replies down to
# depth index 4) and 19 posts with 5 comments each, then drives Parley
# (2 workers) with wrk: the whole thread (limit 200, with and without
# Accept-Encoding: gzip), counts for the 20 posts, a guest's votes on the
# post (never cached: a database read each), and guests posting
# unique comments (a third of them replies) with durable commits, at c=1
# and c=16. Ceilings in the same run: /embed.js from memory, and pgbench
# running Parley's own thread SELECT and comment_create transaction. Samples
# the RSS of every Parley process every 100 ms. Prints a table and writes
# it to bench-results/readers_writers.txt (raw figures: .json).
# Helpers: readers_writers.py (seed, SQL, RSS sampler, report) and
# readers_writers_post.lua (the posting client).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/tests/bench"
out_dir="$top/bench-results"
mkdir -p "$out_dir"
db=parley_bench_rw
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
duration="${BENCH_DURATION:-10}"
helper="$here/readers_writers.py"
key=/2018/03/post-198
log="$top/var/bench-rw.log"
base="http://127.0.0.1:$port"

work=$(mktemp -d)
server="" sampler=""
cleanup() {
	rc=$?
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null && wait "$sampler" 2>/dev/null
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		echo "readers_writers: failed ($rc); raw output kept in $work, server log $log" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

PARLEY_WITH_BENCH=1 "$top/scripts/deps.sh"
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbench" ] || { echo "readers_writers: no pgbench (postgresql-contrib)" >&2; exit 1; }

sql() { PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" psql -X -q -v ON_ERROR_STOP=1 -tA "$@"; }
meta() { echo "$1=$2" >> "$work/meta"; }
now() { date +%s.%N; }

"$top/scripts/pg.sh" start >/dev/null
"$top/scripts/pg.sh" createdb "$db" >/dev/null
meta duration "$duration"
meta loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
meta cpus "$(nproc) CPUs shared by wrk, pgbench, Parley and PostgreSQL"
meta fsync "$(sql -c 'SHOW fsync')"
meta sync_commit "$(sql -c 'SHOW synchronous_commit')"
meta build "$(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'), build/parley.so of $(date -r "$top/build/parley.so" '+%F %T')"

# The workload: deterministic, straight into the tables.
python3 "$helper" seed > "$work/seed.sql" 2> "$work/seed.json"
sql -f "$work/seed.sql" >/dev/null
read -r n_main n_count <<<"$(sql -F' ' -c "SELECT (SELECT count(*) FROM comments c
    WHERE c.post_id = p.id), post_comment_count(p.id) FROM posts p WHERE p.key = '$key'")"
[ "$n_main" = 200 ] && [ "$n_count" = 200 ] ||
    { echo "readers_writers: seeding gave $n_main comments, count $n_count" >&2; exit 1; }

"$top/scripts/serve.sh" bench_rw "$port" "$db" 2 > "$log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$base/healthz" >/dev/null ||
    { echo "readers_writers: Parley did not come up; see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
python3 "$helper" rss "$server" "$work/rss.log" &
sampler=$!

enc_keys=$(python3 -c 'import json, sys, urllib.parse
print("&".join("post=" + urllib.parse.quote(k, safe="")
    for k in json.load(open(sys.argv[1]))["keys"]))' "$work/seed.json")
thread_url="$base/api/v1/comments?post=%2F2018%2F03%2Fpost-198&limit=200"
counts_url="$base/api/v1/counts?$enc_keys"
embed_path=/embed.js
for p in /embed.js /count.js /; do
	if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$p")" = 200 ]; then
		embed_path=$p
		break
	fi
done
[ "$embed_path" = /embed.js ] || meta note_embed "/embed.js is not served (404): the asset ceiling uses $embed_path"
meta embed_path "$embed_path"

# Bytes of one answer's body as sent, and its encoding.
measure() {	# NAME URL [curl args]
	local name=$1 url=$2 n enc
	shift 2
	curl -sf -D "$work/h" -o "$work/b" "$@" "$url"
	n=$(stat -c %s "$work/b")
	enc=$(tr -d '\r' < "$work/h" | awk -F': ' 'tolower($1) == "content-encoding" { print $2 }')
	meta "bytes_$name" "$n"
	if [ -n "$enc" ]; then
		meta "enc_$name" "$enc"
	elif [ "$*" != "" ]; then
		meta "enc_$name" "(not gzipped)"
	fi
}
measure thread "$thread_url"
measure thread_gz "$thread_url" -H 'Accept-Encoding: gzip'
measure counts "$counts_url"
measure embed "$base$embed_path" -H 'Accept-Encoding: gzip'

# The thread as Parley answers it: all 200 comments, 134 at the top.
curl -sf "$thread_url" | python3 -c 'import json, sys
d = json.load(sys.stdin)
def n(cs): return sum(1 + n(c.get("replies", [])) for c in cs)
top, total = len(d["comments"]), n(d["comments"])
if (top, total) != (134, 200):
    sys.exit("readers_writers: the thread answer has %d top-level, %d in all" % (top, total))'

# And the counts: 200 for the thread, 5 for each other post.
curl -sf "$counts_url" | python3 -c 'import json, sys
c = json.load(sys.stdin)["counts"]
want = dict((k, 200 if k.endswith("post-198") else 5)
    for k in json.load(open(sys.argv[1]))["keys"])
if c != want:
    sys.exit("readers_writers: counts answer %r" % c)' "$work/seed.json"

run_wrk() {	# NAME CONCURRENCY URL [wrk args]
	local name=$1 c=$2 url=$3 t=1 a
	shift 3
	[ "$c" -gt 1 ] && t=2
	a=$(now)
	wrk -t"$t" -c"$c" -d"${duration}s" --latency "$@" "$url" > "$work/$name.wrk"
	echo "$name $a $(now)" >> "$work/phases"
}

run_pgbench() {	# NAME SCRIPT [pgbench args]
	local name=$1 script=$2 a
	shift 2
	mkdir -p "$work/$name.log"
	a=$(now)
	PGHOST=$pg_host PGPORT=$pg_port PGUSER=$pg_user PGPASSWORD=$pg_password \
	    PGDATABASE=$db "$pgbench" -n -M prepared -c16 -j2 -T "$duration" \
	    -l --log-prefix="$work/$name.log/tx" -f "$script" "$@" \
	    > "$work/$name.pgbench" 2>&1 ||
	    { echo "readers_writers: pgbench $name failed" >&2; cat "$work/$name.pgbench" >&2; exit 1; }
	echo "$name $a $(now)" >> "$work/phases"
}

# pgbench connects like Parley: the app role, over TCP, with its password.
for kv in $("$top/scripts/pg.sh" conninfo "$db"); do
	case $kv in
	host=*) pg_host=${kv#*=} ;;
	port=*) pg_port=${kv#*=} ;;
	user=*) pg_user=${kv#*=} ;;
	password=*) pg_password=${kv#*=} ;;
	esac
done

# Parley's own statements, from app/store.c after the preprocessor.
# shellcheck disable=SC2046
cc -E -P $(cat /usr/share/kore/features 2>/dev/null) -D_GNU_SOURCE \
    "$top/app/store.c" > "$work/store.i"
# The first page of the thread as GET /api/v1/comments?limit=200 reads it
# (store_thread_page_query: oldest first, 50 replies per comment).
python3 "$helper" sql sql_thread_page 1=:key 2=NULL::bigint 3="'oldest'" \
    4=NULL 5=NULL 6=NULL 7=200 8=50 < "$work/store.i" > "$work/select.sql"
# comment_create as a guest's post calls it (no title or URL sent, no
# account, no website, rate limit off): every third one a reply. Bodies are
# unique: the run's tag, the client and a random number.
create() {	# KEY PARENT
	python3 "$helper" sql sql_comment_create 1="$1" 2="''" 3="''" \
	    4="$2" 5=5 6=NULL 7=:name 8=:email 9=NULL \
	    10="(:body::text || ' [' || :tag::text || ' c' || :client_id || ' n' || :n || ']')" \
	    11=:html 12=:status 13=:ip 14=:tok 15=:verdict 16=:reason 17=0 \
	    18=false \
	    < "$work/store.i"
}
insert_script() {	# KEY PARENT [pgbench lines first]
	local k=$1 parent=$2
	shift 2
	printf '%s\n' '\set n random(1, 1000000000)' "$@" '\set r random(0, 2)' '\if :r = 0'
	create "$k" "$parent"
	printf '%s\n' '\else'
	create "$k" NULL
	printf '%s\n' '\endif'
}
insert_script :key :parent '\set parent random(:pmin, :pmax)' > "$work/insert.sql"
# Diagnostic: the same over the 19 other posts (ids 2-20, their comments
# 5 each from id 201, as seeded), to tell the one post's row lock from
# the commit itself.
insert_script "(SELECT key FROM posts WHERE id = :pid)" :parent \
    '\set pid random(2, 20)' '\set parent 201 + (:pid - 2) * 5 + random(0, 4)' \
    > "$work/insert_spread.sql"
read -r pmin pmax parents <<<"$(sql -F' ' -c "SELECT min(c.id), max(c.id),
    string_agg(c.id::text, ',' ORDER BY c.id) FROM comments c JOIN posts p
    ON p.id = c.post_id WHERE p.key = '$key' AND c.status = 'approved'")"
text='Verification is what turns a statement into an agreement. Without inspectors on the ground both sides are left guessing, and the **sequencing** problem comes back: who gives first, and what does the other side get for waiting? The 1994 framework stalled on exactly that question.'
tag="rw$(date +%s)"

# The read ceilings and the readers first, then the writers and the
# INSERT ceiling (they grow the thread, so they come last).
run_wrk embed_c16 16 "$base$embed_path" -H 'Accept-Encoding: gzip'
run_pgbench pgbench_select "$work/select.sql" -D key="$key"
for c in 1 16; do
	run_wrk "thread_c$c" "$c" "$thread_url"
	run_wrk "thread_gz_c$c" "$c" "$thread_url" -H 'Accept-Encoding: gzip'
done
for c in 1 16; do
	run_wrk "counts_c$c" "$c" "$counts_url"
done
# A guest's votes on the post: the widget asks on every page view, and no
# cache keeps it (per reader): a database read each time.
for c in 1 16; do
	run_wrk "votes_c$c" "$c" "$base/api/v1/votes?post=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$key")"
done

outbox=$(sql -c "SELECT string_agg(table_name, ' ') FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name ~ '(outbox|event)'")
rows_of() { local t n=0; for t in $outbox; do n=$((n + $(sql -c "SELECT count(*) FROM $t"))); done; echo $n; }
before=$(sql -c 'SELECT count(*) FROM comments')
events_before=$(rows_of)
for c in 1 16; do
	RW_POST=$key RW_TAG="$tag-c$c" RW_PARENTS=$parents RW_OUT="$work/post_c$c" \
	    run_wrk "post_c$c" "$c" "$base/api/v1/comments" -s "$here/readers_writers_post.lua"
done
sleep 0.5	# requests cut off when wrk stopped may still commit
after=$(sql -c 'SELECT count(*) FROM comments')
events_after=$(rows_of)
tagged=$(sql -c "SELECT count(*) FROM comments WHERE body LIKE '%[$tag-c%'")
answered=$(cat "$work/post_c1.ids" "$work/post_c16.ids" | wc -l)
lost=$(sql <<SQL
CREATE TEMP TABLE answered (id bigint);
\copy answered FROM '$work/post_c1.ids'
\copy answered FROM '$work/post_c16.ids'
SELECT count(*) + (SELECT count(*) - count(DISTINCT id) FROM answered)
    FROM answered a WHERE NOT EXISTS (SELECT 1 FROM comments c
    WHERE c.id = a.id AND c.status = 'approved' AND c.body LIKE '%[$tag-c%');
SQL
)
read -r replies approved <<<"$(sql -F' ' -c "SELECT count(parent_id), bool_and(status = 'approved')
    FROM comments WHERE body LIKE '%[$tag-c%'")"
meta replies_posted "$replies"
meta all_approved "$([ "$approved" = t ] && echo yes || echo no)"
meta answered "$answered"
meta new_rows "$((after - before))"
meta tagged_rows "$tagged"
meta lost "$lost"
meta unanswered "$((tagged - answered))"
if [ -n "$outbox" ]; then
	meta events "$outbox: +$((events_after - events_before)) rows for $((after - before)) new comments"
else
	meta events "no outbox table in the schema yet, not checked"
fi

tok="\\x$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
for run in pgbench_insert pgbench_insert_spread; do
	script="$work/insert.sql"
	[ "$run" = pgbench_insert_spread ] && script="$work/insert_spread.sql"
	run_pgbench "$run" "$script" -D key="$key" \
	    -D pmin="$pmin" -D pmax="$pmax" -D name="Bench Guest" \
	    -D email=bench.guest@example.org -D body="$text" \
	    -D html="<p>$text</p>" -D tag="$tag-$run" -D status=approved \
	    -D ip=127.0.0.1 -D tok="$tok" -D verdict=approve -D reason=approved
done

# The stored counts (sql/functions/counts.sql) after all that posting,
# concurrent on one post and spread: each post's and each comment's equal
# to a fresh count.
read -r posts_off replies_off <<<"$(sql -F' ' -c "SELECT
    (SELECT count(*) FROM posts p WHERE post_comment_count(p.id) <> (SELECT
	count(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'approved')),
    (SELECT count(*) FROM comments c WHERE reply_count(c.id) <> (SELECT
	count(*) FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved'))")"
if [ "$posts_off" = 0 ] && [ "$replies_off" = 0 ]; then
	meta counts_ok "yes (every post's and comment's stored count equals a fresh one)"
else
	meta counts_ok "NO: $posts_off posts and $replies_off comments have stored counts unlike fresh ones"
fi

meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
kill "$sampler" && wait "$sampler" || true
sampler=""
kill "$server" && wait "$server" || true
server=""
# Anything alarming in Parley's log (crashes, database errors).
alarm='fatal|signal|segv|abort|error|restart|unavailable'
problems=$(grep -ciE "$alarm" "$log" || true)
[ "$problems" -eq 0 ] || meta note_log "$problems alarming lines in $log, e.g. $(grep -iE "$alarm" "$log" | head -n 1)"

python3 "$helper" report "$work" "$out_dir/readers_writers.json" |
    tee "$out_dir/readers_writers.txt"
