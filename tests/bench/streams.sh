#!/usr/bin/env bash
# Benchmark: live streams (issue #16). One node with 2 workers holds
# BENCH_STREAMS (10,000) streams on one post, opened by streams.js from
# many loopback addresses; then comments are posted one at a time and
# each stream's arrival time is taken from the moment the POST was sent:
# fan-out p50/p99 and the share delivered within 1 s. Meanwhile: the RSS
# of every Parley process (before, with the streams open: per 1,000
# streams), and thread reads with wrk at c=16 without and with the
# streams open.
#
# Targets (reported, and asserted): 99% of deliveries within 1 s; all
# Parley processes together within 128 MiB RSS; thread reads with the
# streams open at least 80% of the rate without. Exit 1 otherwise.
# Prints a table and writes it to bench-results/streams.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/tests/bench"
out_dir="$top/bench-results"
mkdir -p "$out_dir" "$top/var"
db=parley_bench_streams
n="${BENCH_STREAMS:-10000}"
comments="${BENCH_STREAM_COMMENTS:-10}"
duration="${BENCH_DURATION:-10}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
key=bench-live
log="$top/var/bench-streams.log"
work=$(mktemp -d)
server="" client=""
cleanup() {
	rc=$?
	# Their own exit status (a killed server's) is not the benchmark's.
	[ -n "$client" ] && kill "$client" 2>/dev/null && wait "$client" 2>/dev/null || true
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
	if [ "$rc" -ne 0 ]; then
		echo "streams: failed ($rc); raw output in $work, server log $log" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

PARLEY_WITH_BENCH=1 PARLEY_WITH_NODE=1 "$top/scripts/deps.sh"
command -v wrk >/dev/null || { echo "streams: no wrk" >&2; exit 1; }
# The client holds every stream in one process.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((n + 1000)) ] || { echo "streams: $n streams need more than $(ulimit -n) descriptors" >&2; exit 1; }

sql() { PARLEY_DB_NAME="$db" "$top/scripts/pg.sh" psql -X -q -v ON_ERROR_STOP=1 -tA "$@"; }
"$top/scripts/pg.sh" start >/dev/null
"$top/scripts/pg.sh" createdb "$db" >/dev/null
sql -c "UPDATE settings SET value = '0' WHERE name = 'rate_limit_per_minute'" \
    -c "UPDATE settings SET value = 'false' WHERE name IN ('require_approval', 'first_comment_approval')" >/dev/null

# Room for the streams: connections and descriptors per worker (with
# slack for an uneven spread over the workers), and the node's stream cap.
PARLEY_MAX_CONNECTIONS=$((n + 512)) PARLEY_STREAM_MAX=$n \
    "$top/scripts/serve.sh" bench_streams "$port" "$db" 2 > "$log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$base/healthz" >/dev/null || { echo "streams: Parley did not come up; see $log" >&2; exit 1; }

# A thread to read: 50 comments.
for i in $(seq 50); do
	curl -sf -o /dev/null -H 'content-type: application/json' \
	    -d "{\"post\":\"$key\",\"body\":\"seed $i\",\"author_name\":\"Seed\"}" "$base/api/v1/comments"
done
thread_url="$base/api/v1/comments?post=$key"

rss_kib() { # every Parley process: Kore's parent and its workers
	local kore
	kore=$(pgrep -P "$server" -x kore | head -n 1)
	ps -o rss= -p "$kore" --ppid "$kore" | awk '{s += $1} END {print s}'
}
reads() { # requests per second at c=16
	wrk -t2 -c16 -d"${duration}s" "$thread_url" | awk '/Requests\/sec/ {print $2}'
}

rss0=$(rss_kib)
r0=$(reads)
HOLD_FILE="$work/hold" node "$here/streams.js" "$base" "$key" "$n" "$comments" > "$work/result.json" &
client=$!
for _ in $(seq 600); do [ -f "$work/hold" ] && break; sleep 0.5; done
[ -f "$work/hold" ] || { echo "streams: the streams did not open in 5 minutes" >&2; exit 1; }
open=$(cat "$work/hold")
sleep 2
rss1=$(rss_kib)
r1=$(reads)
rss2=$(rss_kib)
touch "$work/hold.go"
wait "$client"
client=""
cat "$work/result.json" >&2

python3 - "$work/result.json" "$out_dir/streams.md" "$n" "$open" "$rss0" "$rss1" "$rss2" "$r0" "$r1" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$top" describe --always --dirty 2>/dev/null || echo '?')" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))
out, n, opened = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rss0, rss1, rss2 = (int(x) / 1024 for x in sys.argv[5:8])
r0, r1 = float(sys.argv[8]), float(sys.argv[9])
peak = max(rss1, rss2)
per1000 = (peak - rss0) / max(opened, 1) * 1000
ratio = r1 / r0 if r0 else 0
ok_fan = res["within_1s"] >= 0.99 and opened == n
# Held past 15 s, every stream has heard one.
ok_fan = ok_fan and (res["held_seconds"] < 16 or res["heartbeats"] == opened)
ok_rss = peak <= 128
ok_reads = ratio >= 0.8
lines = [
    "# Live streams (issue #16)",
    "",
    f"One node, 2 workers, on the same 2 CPUs as PostgreSQL and the clients; load {sys.argv[10]}; tree {sys.argv[11]}.",
    f"{opened} of {n} streams open (in {res['open_seconds']:.1f} s), from {n // 4} loopback addresses; "
    f"{res['comments']} comments posted one at a time, 1.5 s apart.",
    "",
    "| measure | value | target |",
    "|---|---:|---|",
    f"| fan-out p50 (POST sent to event read) | {res['p50_ms']:.0f} ms | |",
    f"| fan-out p99 | {res['p99_ms']:.0f} ms | |",
    f"| deliveries within 1 s | {res['within_1s'] * 100:.2f}% of {res['deliveries']} ({res['missed']} missed) | >= 99%: {'met' if ok_fan else 'MISSED'} |",
    f"| RSS of all Parley processes, no streams | {rss0:.1f} MiB | |",
    f"| RSS with the streams open (peak of two samples) | {peak:.1f} MiB | <= 128 MiB: {'met' if ok_rss else 'MISSED'} |",
    f"| RSS per 1,000 streams | {per1000:.2f} MiB | |",
    f"| streams that got a heartbeat (held {res['held_seconds']:.0f} s; one every 15 s) | {res['heartbeats']} of {opened} | |",
    f"| thread reads c=16, no streams | {r0:.0f} req/s | |",
    f"| thread reads c=16, streams open | {r1:.0f} req/s ({ratio * 100:.0f}%) | >= 80%: {'met' if ok_reads else 'MISSED'} |",
]
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
sys.exit(0 if ok_fan and ok_rss and ok_reads else 1)
PY
