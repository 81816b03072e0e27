#!/usr/bin/env bash
# Benchmark: a huge thread (issue #17). One post of BENCH_HUGE_COMMENTS
# (100,000) comments seeded in SQL: 20% top-level, replies down to the
# depth cap (5 levels), 5 of the first top-level comments with 5,000
# replies each, 1% of the replies deleted (placeholders where they have
# replies). One node with 2 workers serves it:
#   - the first page uncached at c=1, BENCH_HUGE_REQUESTS requests: the
#     cache key holds the cursor, so each anonymous request carries a
#     cursor of its own just before the first comment (the first page,
#     checked equal to it) and is read from PostgreSQL: p50 and p99; and
#     as a logged-in reader (Bearer token, never cached), session lookup
#     included;
#   - the first page cached at c=16 with wrk (anonymous readers): req/s;
#   - the RSS of each worker, sampled every 0.2 s through all the reads:
#     the peak;
#   - counts: comment_count is the number of approved comments, and each
#     comment of the first page shows and announces (more_replies_count)
#     exactly its visible replies; one 5,000-reply comment is followed
#     through its cursors to the end.
# Targets (reported, and asserted): p99 under 20 ms; at least 20,000
# req/s; every worker under 32 MiB; counts right. Exit 1 otherwise.
# Prints a table and writes it to bench-results/huge_thread.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out_dir="$top/bench-results"
mkdir -p "$out_dir" "$top/var"
db=parley_bench_huge
n="${BENCH_HUGE_COMMENTS:-100000}"
requests="${BENCH_HUGE_REQUESTS:-2000}"
duration="${BENCH_DURATION:-10}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
key=bench-huge
log="$top/var/bench-huge.log"
work=$(mktemp -d)
server="" sampler=""
cleanup() {
	rc=$?
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null && wait "$sampler" 2>/dev/null || true
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		echo "huge_thread: failed ($rc); raw output in $work, server log $log" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

PARLEY_WITH_BENCH=1 "$top/scripts/deps.sh"
command -v wrk >/dev/null || { echo "huge_thread: no wrk" >&2; exit 1; }

sql() { PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" psql -X -q -v ON_ERROR_STOP=1 -tA "$@"; }
"$top/scripts/pg.sh" start >/dev/null
"$top/scripts/pg.sh" createdb "$db" >/dev/null

# The post, seeded afresh: top-level comments, then each level of replies
# under the one above it, ids and times rising level after level.
t0=$(date +%s.%N)
sql -v n="$n" <<'EOF' >/dev/null
DELETE FROM comments WHERE post_id IN (SELECT id FROM posts WHERE key = 'bench-huge');
DELETE FROM posts WHERE key = 'bench-huge';
INSERT INTO posts (key, title, url) VALUES ('bench-huge', 'A huge thread', '');
CREATE TEMP TABLE plan (depth int, rows int);
-- 20% top level, 5 x 5,000 replies, the rest spread over levels 1-4.
INSERT INTO plan VALUES (0, :n / 5), (1, (:n - :n / 5 - 25000) / 2),
    (2, (:n - :n / 5 - 25000) / 4), (3, (:n - :n / 5 - 25000) / 8);
INSERT INTO plan VALUES (4, :n - :n / 5 - 25000 - (SELECT sum(rows) FROM plan WHERE depth > 0));
CREATE FUNCTION pg_temp.seed(p_depth int, p_rows int, p_parents bigint[]) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO comments (post_id, parent_id, depth, author_name, body,
	    html, status, created_at, score)
	SELECT p.id, CASE WHEN p_depth = 0 THEN NULL
		ELSE p_parents[1 + (g * 7919) % array_length(p_parents, 1)] END,
	    p_depth, 'Reader ' || g, 'Comment ' || g,
	    '<p>Comment ' || g || ' at depth ' || p_depth || '</p>',
	    CASE WHEN p_depth > 0 AND g % 100 = 0 THEN 'deleted' ELSE 'approved' END,
	    timestamptz '2025-01-01' + (p_depth * 1000000 + g) * interval '1 second',
	    (g * 31) % 17
	FROM posts p, generate_series(1, p_rows) g WHERE p.key = 'bench-huge'
	ORDER BY g
$$;
SELECT pg_temp.seed(0, (SELECT rows FROM plan WHERE depth = 0), NULL);
-- The 5,000-reply comments: among the first page.
INSERT INTO comments (post_id, parent_id, depth, author_name, body, html,
    status, created_at)
SELECT c.post_id, c.id, 1, 'Hot ' || g, 'hot ' || g, '<p>hot ' || g || '</p>',
    'approved', timestamptz '2025-01-01' + (500000 + g) * interval '1 second'
FROM (SELECT * FROM comments WHERE post_id = (SELECT id FROM posts WHERE key = 'bench-huge')
      AND depth = 0 ORDER BY created_at, id OFFSET 3 LIMIT 5) c,
    generate_series(1, 5000) g ORDER BY c.id, g;
SELECT pg_temp.seed(d.depth, d.rows, (SELECT array_agg(c.id ORDER BY c.id) FROM comments c
	WHERE c.post_id = (SELECT id FROM posts WHERE key = 'bench-huge')
	  AND c.depth = d.depth - 1 AND c.author_name LIKE 'Reader %'))
FROM plan d WHERE d.depth > 0 ORDER BY d.depth;
-- Where autovacuum brings a table at rest: counts read the index only.
VACUUM ANALYZE comments;
EOF
t1=$(date +%s.%N)
total=$(sql -c "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.key = '$key'")
approved=$(sql -c "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.key = '$key' AND c.status = 'approved'")
maxdepth=$(sql -c "SELECT max(depth) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.key = '$key'")
sql -c "UPDATE settings SET value = '0' WHERE name = 'rate_limit_per_minute'" >/dev/null

"$top/scripts/serve.sh" bench_huge "$port" "$db" 2 > "$log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
kore=$(pgrep -P "$server" -x kore | head -n 1)
idle=$(ps -o rss= --ppid "$kore" | sort -n | tail -n 1)

token=$(curl -sf -H 'content-type: application/json' -H 'x-forwarded-for: 198.18.9.9' \
    -d '{"email":"bench-huge@example.org","password":"correct horse battery","name":"Bench"}' \
    "$base/api/v1/auth/register" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Each worker's RSS, every 0.2 s, from here to the end: every read. (Not
# while registering: hashing the password takes 64 MiB for a moment.)
( while :; do ps -o rss= --ppid "$kore" 2>/dev/null | sort -n | tail -n 1; sleep 0.2; done ) > "$work/rss" &
sampler=$!

python3 - "$base" "$key" "$token" "$requests" "$approved" > "$work/client.json" <<'EOF'
import http.client, json, sys, time, urllib.parse
base, key, token, requests, approved = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
u = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(u.hostname, u.port)
path = "/api/v1/comments?post=" + urllib.parse.quote(key)
def get(p, headers={}):
    conn.request("GET", p, headers=headers)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body[:200])
    return body
auth = {"authorization": "Bearer " + token}
first = json.loads(get(path))["comments"][0]
# Anonymous and uncached: each request asks for the page after a cursor
# of its own just before the first comment (the cache key holds the
# cursor), which is the first page, read from PostgreSQL every time.
import base64, datetime
t0 = datetime.datetime.fromisoformat(first["created_at"].replace("Z", "+00:00"))
us0 = int(t0.timestamp()) * 1000000
def cursor(i):
    plain = f"o.0.{us0 - 1 - i}.1".encode()
    return base64.urlsafe_b64encode(plain).decode().rstrip("=")
def run(make):
    times, size = [], 0
    for i in range(requests + 20):
        p, h = make(i)
        t = time.perf_counter()
        size = len(get(p, h))
        if i >= 20:
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times, size
anon, size = run(lambda i: (path + "&after=" + cursor(i), {}))
anon_page = json.loads(get(path + "&after=" + cursor(10**9)))
assert anon_page["comments"] == json.loads(get(path))["comments"]
times, _ = run(lambda i: (path, auth))
pct = lambda xs, p: xs[min(len(xs) - 1, int(len(xs) * p))]

# Counts: the page's comments against the database's, through the API.
page = json.loads(get(path))
ok = page["post"]["comment_count"] == approved
hot = None
def walk(c):
    global hot
    if c["more_replies_count"] > 0 and (hot is None or c["more_replies_count"] > hot[1]):
        hot = (c["id"], c["more_replies_count"], c["more_replies"], len(c["replies"]))
    for r in c["replies"]:
        walk(r)
shown = []
def collect(c):
    shown.append((c["id"], len(c["replies"]) + c["more_replies_count"]))
    for r in c["replies"]:
        collect(r)
for c in page["comments"]:
    walk(c)
    collect(c)
followed = 0
if hot is not None:
    after, seen = hot[2], set()
    while after is not None:
        r = json.loads(get(f"/api/v1/comments/{hot[0]}/replies?after={urllib.parse.quote(after)}&limit=200"))
        for x in r["replies"]:
            assert x["id"] not in seen
            seen.add(x["id"])
        after = r["next"]
    followed = len(seen) + hot[3]
print(json.dumps({"p50": pct(anon, 0.50), "p99": pct(anon, 0.99), "max": anon[-1],
                  "auth_p50": pct(times, 0.50), "auth_p99": pct(times, 0.99), "bytes": size,
                  "count_ok": ok, "shown": shown, "hot_id": hot[0] if hot else None,
                  "hot_total": followed}))
EOF

# The visible replies of each comment of the page, from the database.
python3 -c 'import json,sys; print(",".join(str(i) for i, _ in json.load(open(sys.argv[1]))["shown"]))' \
    "$work/client.json" > "$work/ids"
sql -c "SELECT c.id, count(r.id) FILTER (WHERE comment_visible(r.id, r.status, r.user_id, NULL))
    FROM comments c LEFT JOIN comments r ON r.parent_id = c.id
    WHERE c.id IN ($(cat "$work/ids")) GROUP BY c.id" > "$work/db_counts"
hot_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hot_id"])' "$work/client.json")
hot_db=$(sql -c "SELECT count(*) FROM comments WHERE parent_id = $hot_id AND comment_visible(id, status, user_id, NULL)")

curl -sf "$base/api/v1/comments?post=$key" >/dev/null # cached now
# As browsers ask for it (the cache keeps the answer gzipped), and plain.
wrk -t2 -c16 -d"${duration}s" -H 'Accept-Encoding: gzip' "$base/api/v1/comments?post=$key" > "$work/wrk"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
wrk -t2 -c16 -d"${duration}s" "$base/api/v1/comments?post=$key" > "$work/wrk_plain"
rps_plain=$(awk '/Requests\/sec/ {print $2}' "$work/wrk_plain")
kill "$sampler"; wait "$sampler" 2>/dev/null || true; sampler=""
peak=$(sort -n "$work/rss" | tail -n 1)

python3 - "$work/client.json" "$work/db_counts" "$out_dir/huge_thread.md" \
    "$total" "$approved" "$maxdepth" "$rps" "$peak" "$hot_db" "$t0" "$t1" \
    "$rps_plain" "$idle" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
db = dict(tuple(map(int, l.split("|"))) for l in open(sys.argv[2]) if l.strip())
out = sys.argv[3]
total, approved, maxdepth = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
rps, peak, hot_db = float(sys.argv[7]), int(sys.argv[8]) / 1024, int(sys.argv[9])
seed = float(sys.argv[11]) - float(sys.argv[10])
rps_plain, idle = float(sys.argv[12]), int(sys.argv[13]) / 1024
bad = [(i, n, db.get(i)) for i, n in c["shown"] if db.get(i, 0) != n]
counts_ok = c["count_ok"] and not bad and c["hot_total"] == hot_db
ok_p99 = c["p99"] < 20
ok_rps = rps >= 20000
ok_rss = peak < 32
rows = [
    "| Huge thread (issue #17) | Measured | Target |",
    "|---|---|---|",
    f"| Post | {total:,} comments ({approved:,} approved), depth 0-{maxdepth}, 5 with 5,000 replies; seeded in {seed:.1f} s | |",
    f"| First page uncached, c=1 (anonymous, a cursor of its own per request), p50 | {c['p50']:.2f} ms | |",
    f"| First page uncached, c=1 (anonymous), p99 | {c['p99']:.2f} ms | < 20 ms: {'met' if ok_p99 else 'MISSED'} |",
    f"| First page uncached, c=1 (logged-in reader, session looked up), p50 / p99 | {c['auth_p50']:.2f} / {c['auth_p99']:.2f} ms | |",
    f"| First page size | {c['bytes']:,} B | |",
    f"| First page cached, c=16 (wrk, Accept-Encoding: gzip) | {rps:,.0f} req/s | >= 20,000: {'met' if ok_rps else 'MISSED'} |",
    f"| First page cached, c=16 (wrk, no gzip) | {rps_plain:,.0f} req/s | |",
    f"| RSS of the largest worker at start | {idle:.1f} MiB | |",
    f"| Peak RSS of any worker (sampled every 0.2 s) | {peak:.1f} MiB | < 32 MiB: {'met' if ok_rss else 'MISSED'} |",
    f"| Counts: comment_count, the page's {len(c['shown'])} comments' replies, a 5,000-reply comment followed through /replies ({c['hot_total']:,} of {hot_db:,}) | {'right' if counts_ok else 'WRONG ' + str(bad[:5])} | right |",
]
text = "\n".join(rows) + "\n"
print(text, end="")
open(out, "w").write(text)
sys.exit(0 if ok_p99 and ok_rps and ok_rss and counts_ok else 1)
EOF
