#!/usr/bin/env bash
# Benchmark: is /healthz held up while logins (argon2id, ~70 ms each) run?
# Password work runs in Kore task threads, so the event loop should keep
# answering other requests. Measures /healthz latency alone, then while
# wrk drives logins at full speed, on the same 2 workers.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out_dir="$top/bench-results"
mkdir -p "$out_dir"
db=parley_bench
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
duration="${BENCH_DURATION:-10}"

"$top/scripts/pg.sh" start >/dev/null
"$top/scripts/pg.sh" createdb "$db" >/dev/null
"$top/scripts/serve.sh" bench "$port" "$db" 2 > "$top/var/bench.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

email=bench@example.org password="bench password 123"
curl -sf -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Bench\"}" \
    "http://127.0.0.1:$port/api/v1/auth/register" >/dev/null

lua=$(mktemp)
cat > "$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"$email","password":"$password"}'
LUA

# wrk's latency block: "50%  1.23ms" lines; requests/sec line.
stat() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
rps() { awk '/Requests\/sec/ { print $2 }' "$1"; }

alone=$(mktemp) during=$(mktemp) logins=$(mktemp)
wrk -t1 -c4 -d"${duration}s" --latency "http://127.0.0.1:$port/healthz" > "$alone"
wrk -t1 -c8 -d"$((duration + 2))s" -s "$lua" "http://127.0.0.1:$port/api/v1/auth/login" > "$logins" &
wrk_logins=$!
sleep 1
wrk -t1 -c4 -d"${duration}s" --latency "http://127.0.0.1:$port/healthz" > "$during"
wait $wrk_logins

non2xx=$(awk '/Non-2xx/ { print $4 }' "$logins")
{
	echo "# /healthz latency while logins run (2 workers, 2 task threads each)"
	printf '%-26s %10s %10s %10s %12s\n' run p50 p90 p99 req/s
	printf '%-26s %10s %10s %10s %12s\n' "healthz alone (c=4)" \
	    "$(stat "$alone" 50%)" "$(stat "$alone" 90%)" "$(stat "$alone" 99%)" "$(rps "$alone")"
	printf '%-26s %10s %10s %10s %12s\n' "healthz during logins" \
	    "$(stat "$during" 50%)" "$(stat "$during" 90%)" "$(stat "$during" 99%)" "$(rps "$during")"
	printf '%-26s %10s %10s %10s %12s\n' "logins (c=8, argon2id)" "" "" "" "$(rps "$logins")"
	echo "login errors (non-2xx): ${non2xx:-0}"
} | tee "$out_dir/logins.txt"
rm -f "$lua" "$alone" "$during" "$logins"
