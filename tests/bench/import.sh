#!/usr/bin/env bash
# Benchmark: importing a large Disqus export (issue #14). gen_disqus.py
# writes a 200,000-comment export (2,000 threads, trees five levels deep,
# every reply BEFORE its parent, ~3% spam and ~3% deleted); parley-import
# loads it into a fresh database, then loads it again (nothing new: it
# must add nothing), then a 400,000-comment one goes into another fresh
# database, to show the importer's memory does not grow with the file.
# For each run: wall time, comments per second (the report's "read" over
# the wall time), the importer's peak RSS (its ru_maxrss, from wait4: no
# /usr/bin/time needed) and its CPU time.
#
# Targets (reported, not asserted): 20,000 comments/s, RSS under 64 MiB.
# Asserted: each import succeeds, its report's counts are the generator's
# (read, imported, dropped deleted ones, no orphans, posts) and the
# database holds the trees as generated (depths, replies, statuses); the
# second run imports nothing. Exit 1 otherwise.
#
# Prints a table and writes it to bench-results/import.md (raw reports:
# import.json). Environment: BENCH_IMPORT_N (default 200000; the large
# file is twice that), BENCH_IMPORT_TIMEOUT (seconds one import may take,
# default 600: beyond that it is stopped and the benchmark fails, as
# something is badly wrong), PARLEY_IMPORT_BIN (default build/parley-import).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/tests/bench"
out_dir="$top/bench-results"
mkdir -p "$out_dir" "$top/build"
n1="${BENCH_IMPORT_N:-200000}"
n2=$((n1 * 2))
threads=$((n1 / 100))
timeout="${BENCH_IMPORT_TIMEOUT:-600}"
bin="${PARLEY_IMPORT_BIN:-$top/build/parley-import}"
db1=parley_bench_import
db2=parley_bench_import_2x

[ -x "$bin" ] || { echo "import: no $bin (make build)" >&2; exit 1; }
work=$(mktemp -d "$top/build/bench-import.XXXXXX")
cleanup() {
	rc=$?
	# The exports are large (~0.9 KB a comment): never kept.
	rm -f "$work"/*.xml
	if [ "$rc" -ne 0 ]; then
		echo "import: failed ($rc); reports and logs kept in $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# shellcheck source=scripts/conninfo.sh
. "$top/scripts/conninfo.sh"
sql() { PARLEY_DB_NAME="$1" "$top/scripts/pg.sh" psql -X -q -v ON_ERROR_STOP=1 -tA -F' ' -c "$2"; }
fail() { echo "import: $*" >&2; exit 1; }

"$top/scripts/pg.sh" start >/dev/null
fsync=$(PARLEY_DB_NAME=postgres "$top/scripts/pg.sh" psql -X -tA -c 'SHOW fsync')
sync_commit=$(PARLEY_DB_NAME=postgres "$top/scripts/pg.sh" psql -X -tA -c 'SHOW synchronous_commit')
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# gen N NAME: the export and its expected counts; prints seconds taken.
gen() {
	local a b
	a=$(date +%s.%N)
	python3 "$here/gen_disqus.py" -n "$1" -t $(($1 / 100)) \
	    -e "$work/$2.expect.json" "$work/$2.xml"
	b=$(date +%s.%N)
	echo "$a $b" | awk '{ printf "%.1f", $2 - $1 }'
}

# run NAME DB FILE: one import under wait4, its report in NAME.json and
# its measures (wall, user, sys, maxrss KiB, exit code, 1 when stopped
# for taking over BENCH_IMPORT_TIMEOUT) in NAME.measure.
run() {
	local name=$1 db=$2 file=$3
	parley_conninfo "$db"
	PARLEY_DATABASE="$conn" python3 - "$timeout" "$work/$name.measure" \
	    "$bin" -f disqus "$file" > "$work/$name.json" 2> "$work/$name.log" <<'PY' ||
import os, signal, sys, time
timeout, out, argv = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
t0 = time.monotonic()
pid = os.spawnv(os.P_NOWAIT, argv[0], argv)
late = []
def stop(*_):
    late.append(1)
    os.kill(pid, signal.SIGTERM)
signal.signal(signal.SIGALRM, stop)
signal.setitimer(signal.ITIMER_REAL, timeout)
_, status, ru = os.wait4(pid, 0)
signal.setitimer(signal.ITIMER_REAL, 0)
wall = time.monotonic() - t0
rc = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write("%.3f %.2f %.2f %d %d %d\n" % (wall, ru.ru_utime, ru.ru_stime,
                                            ru.ru_maxrss, rc, len(late)))
sys.exit(0 if rc == 0 and not late else 1)
PY
	{
		read -r wall _ _ _ rc late < "$work/$name.measure" || true
		if [ "${late:-0}" = 1 ]; then
			# Its server process would go on with the statement.
			sql "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			    WHERE datname = current_database()
			    AND pid <> pg_backend_pid()" >/dev/null || true
			fail "$name: stopped after ${timeout}s (BENCH_IMPORT_TIMEOUT)"
		fi
		cat "$work/$name.log" >&2
		fail "$name: parley-import failed (exit ${rc:-?}): $(cat "$work/$name.json")"
	}
}

# The JSON reports and expectations, flattened into R (R[first.read],
# R[small.expect.skipped_by.deleted]; a list also as one line).
declare -A R
load() {	# NAME (NAME.json)
	local k v
	while IFS='=' read -r k v; do
		R[$1.$k]=$v
	done < <(python3 -c 'import json, sys
def walk(p, v):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(p + [k], x)
    elif isinstance(v, list):
        print(".".join(p) + "=" + " ".join(str(x) for x in v))
    else:
        print(".".join(p) + "=" + str(v).replace("\n", " "))
walk([], json.load(open(sys.argv[1])))' "$work/$1.json")
}
field() { echo "${R[$1.$2]-}"; }

# check_first NAME DB GEN: a first import's report and rows against the
# generator's counts.
check_first() {
	local name=$1 db=$2 g=$3 want got
	[ "$(field "$name" state)" = "done" ] || fail "$name: state $(field "$name" state)"
	for kv in read:read imported:imported skipped:dropped \
	    skipped_by.deleted:dropped posts:posts; do
		want=$(field "$g.expect" "${kv#*:}")
		got=$(field "$name" "${kv%%:*}")
		[ "$got" = "$want" ] ||
		    fail "$name: report ${kv%%:*} $got, generated $want ($(cat "$work/$name.json"))"
	done
	for k in already orphans skipped_by.invalid skipped_by.no_post; do
		[ "$(field "$name" "$k")" = 0 ] ||
		    fail "$name: report $k $(field "$name" "$k"), expected 0"
	done
	# The rows: per depth, replies, statuses, deleted ones emptied.
	got=$(sql "$db" "SELECT count(*), count(parent_id),
	    count(*) FILTER (WHERE status = 'spam'),
	    count(*) FILTER (WHERE status = 'deleted'),
	    count(*) FILTER (WHERE status = 'deleted' AND body <> ''),
	    count(DISTINCT post_id) FROM comments WHERE import_source = 'disqus'")
	read -r rows replies spam deleted full posts <<<"$got"
	by_depth=$(sql "$db" "SELECT string_agg(n::text, ' ' ORDER BY depth)
	    FROM (SELECT depth, count(*) n FROM comments
	     WHERE import_source = 'disqus' GROUP BY depth) x")
	want="$(field "$g.expect" imported) $(field "$g.expect" kept_replies) $(field "$g.expect" spam) $(field "$g.expect" deleted_kept) 0 $(field "$g.expect" posts)"
	[ "$rows $replies $spam $deleted $full $posts" = "$want" ] ||
	    fail "$name: rows, replies, spam, deleted, deleted with a body, posts: $rows $replies $spam $deleted $full $posts; generated $want"
	want=$(field "$g.expect" kept_by_depth | sed 's/\( 0\)*$//')
	[ "$by_depth" = "$want" ] ||
	    fail "$name: comments per depth $by_depth, generated $want"
	# Each reply one level under its parent, on its post, after it.
	got=$(sql "$db" "SELECT count(*) FROM comments c JOIN comments p
	    ON p.id = c.parent_id WHERE c.import_source = 'disqus'
	    AND (c.depth <> p.depth + 1 OR c.post_id <> p.post_id OR c.id < p.id)")
	[ "$got" = 0 ] || fail "$name: $got replies misplaced under their parents"
}

# Runs, in order; each: name, database, generated file.
gen_s1=$(gen "$n1" small)
gen_s2=$(gen "$n2" large)
load small.expect
load large.expect

"$top/scripts/pg.sh" createdb "$db1" >/dev/null
run first "$db1" "$work/small.xml"
load first
check_first first "$db1" small
run again "$db1" "$work/small.xml"
load again
[ "$(field again state)" = "done" ] || fail "again: state $(field again state)"
[ "$(field again imported)" = 0 ] ||
    fail "again: imported $(field again imported) a second time ($(cat "$work/again.json"))"
[ "$(field again already)" = "$(field small.expect imported)" ] ||
    fail "again: already $(field again already), expected $(field small.expect imported)"
[ "$(sql "$db1" "SELECT count(*) FROM comments WHERE import_source = 'disqus'")" = \
    "$(field small.expect imported)" ] || fail "again: the comment count changed"

"$top/scripts/pg.sh" createdb "$db2" >/dev/null
run large "$db2" "$work/large.xml"
load large
check_first large "$db2" large
# The databases are big: drop them (pg.sh createdb remakes them).
for d in "$db1" "$db2"; do
	"$top/scripts/pg.sh" psql -d postgres -q -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1 || true
done

# The table.
row() {	# NAME LABEL FILE
	local wall user rss read per
	read -r wall user _ rss _ _ < "$work/$1.measure"
	read=$(field "$1" read)
	per=$(awk -v n="$read" -v t="$wall" 'BEGIN { printf "%d", n / t }')
	printf '| %-28s | %7s | %8s | %7s | %6s | %10s | %5s | %7.1f |\n' \
	    "$2" "$read" "$(field "$1" imported)" "$(field "$1" already)" \
	    "$(printf '%.1f' "$wall")" "$per" "$(printf '%.1f' "$user")" \
	    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}
mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f MiB", b / 1048576 }'; }
rss1=$(awk '{ print $4 }' "$work/first.measure")
rss2=$(awk '{ print $4 }' "$work/large.measure")
rate1=$(awk -v n="$(field first read)" '{ printf "%d", n / $1 }' "$work/first.measure")
{
	echo "# Importing a Disqus export (issue #14)"
	echo
	echo "Generated by tests/bench/gen_disqus.py: $n1 comments over $threads threads" \
	    "($(mib "$work/small.xml"), made in ${gen_s1}s) and $n2 over $((threads * 2))" \
	    "($(mib "$work/large.xml"), ${gen_s2}s); trees 5 levels deep, every reply" \
	    "before its parent; $(field small.expect spam) spam, $(field small.expect deleted)" \
	    "deleted of which $(field small.expect dropped) without replies (left out)."
	echo "Machine: $(nproc) CPUs shared by the importer and PostgreSQL; load" \
	    "$load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after; PostgreSQL fsync" \
	    "$fsync, synchronous_commit $sync_commit; importer $bin of" \
	    "$(date -r "$bin" '+%F %T'), tree $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?')."
	echo
	echo "| run                          |    read | imported | already | wall s | comments/s | CPU s | RSS MiB |"
	echo "|------------------------------|--------:|---------:|--------:|-------:|-----------:|------:|--------:|"
	row first "$n1, fresh database"
	row again "$n1 again (adds nothing)"
	row large "$n2, fresh database"
	echo
	echo "comments/s: read / wall time of the whole import (parse, stage, place, commit)."
	echo "CPU s: the importer's own (user); the rest of the wall time is PostgreSQL's."
	echo "RSS: the importer's peak (ru_maxrss)."
	echo
	printf 'Targets: >= 20000 comments/s: %s (%s/s); RSS < 64 MiB at either size: %s (%s and %s MiB).\n' \
	    "$([ "$rate1" -ge 20000 ] && echo met || echo MISSED)" "$rate1" \
	    "$([ "$rss1" -lt 65536 ] && [ "$rss2" -lt 65536 ] && echo met || echo MISSED)" \
	    "$(awk -v k="$rss1" 'BEGIN { printf "%.1f", k / 1024 }')" \
	    "$(awk -v k="$rss2" 'BEGIN { printf "%.1f", k / 1024 }')"
	echo "Counts checked: reports and rows match the generator (depths, replies, spam, deleted, posts); the second run added nothing."
} | tee "$out_dir/import.md"
python3 - "$work" "$out_dir/import.json" <<'PY'
import json, sys
w, out = sys.argv[1], sys.argv[2]
res = {}
for name in ("first", "again", "large"):
    wall, user, sys_, rss, rc, late = open("%s/%s.measure" % (w, name)).read().split()
    res[name] = dict(report=json.load(open("%s/%s.json" % (w, name))),
                     wall_s=float(wall), user_s=float(user), sys_s=float(sys_),
                     maxrss_kib=int(rss))
res["generated"] = dict(small=json.load(open(w + "/small.expect.json")),
                        large=json.load(open(w + "/large.expect.json")))
json.dump(res, open(out, "w"), indent=1)
PY
