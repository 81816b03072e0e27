#!/usr/bin/env python3
"""Helpers for tests/bench/readers_writers.sh (standard library only).

  readers_writers.py seed                 the workload as SQL, on stdout
  readers_writers.py sql NAME [N=TEXT...] < store.i
                                          a SQL constant of app/store.c from
                                          the preprocessed source, with $N
                                          replaced by TEXT
  readers_writers.py rss PID LOG          every 100 ms, the summed VmRSS and
                                          PSS of PID and its descendants
  readers_writers.py report DIR JSON      the table (stdout) and the raw
                                          figures as JSON
"""
import html
import json
import os
import random
import re
import signal
import sys
import time

SEED = 198
MAIN_KEY = "/2018/03/post-198"
MAIN_TITLE = "Getting to 'Yes' With North Korea"
MAIN_COMMENTS, MAIN_TOP = 200, 134
MAX_DEPTH = 4			# depth index: 0 top level ... 4
OTHER_POSTS, OTHER_COMMENTS = 19, 5
N_AUTHORS = 40
BODY_MIN, BODY_MAX, BODY_MODE = 80, 720, 250	# triangular: mean 350

FIRST = ("Mina Tom Aiko Lars Priya Jonas Sofia Omar Hana Felix Nadia Pablo "
	 "Ingrid Kwame Yuki Marta Ravi Chloe Dmitri Amara").split()
LAST = ("Park Okafor Tanaka Berg Shah Weber Rossi Haddad Kim Novak").split()

WORDS = """talks summit sanctions diplomacy treaty inspectors verification
regime missile tests freeze envoy negotiation trust sequencing deal
concession leverage allies Seoul Washington Pyongyang Beijing Tokyo
peninsula nuclear program dismantle pledge declaration framework history
agreement failed worked because however while the a of to and in that is
was for on with as it by this be are from at or an they which have not
their more would about could other some what there when only also after
first two years people new time last each same real hard slow steps small
promise reward pressure aid fuel reactor enrichment talks delegation
interim verified phased reciprocal hawks doves analysts article author
point argument reader context background precedent 1994 2005 2018 DMZ
Kim Moon Trump Clinton Bush Agreed Framework Six-Party""".split()


def rng_for(n):
	return random.Random(SEED * 1000 + n)


def sentence(rng):
	w = [rng.choice(WORDS) for _ in range(rng.randint(6, 17))]
	s = " ".join(w)
	return s[0].upper() + s[1:] + rng.choice(".....?!")


def make_body(rng, n):
	"""Plain text, BODY_MIN..BODY_MAX bytes, some with **bold**, a URL or
	a second paragraph."""
	target = int(rng.triangular(BODY_MIN, BODY_MAX, BODY_MODE))
	while True:
		parts = []
		while len(" ".join(parts)) < target:
			parts.append(sentence(rng))
		if rng.random() < 0.35:			# **bold**
			i = rng.randrange(len(parts))
			words = parts[i].split(" ")
			j = rng.randrange(len(words))
			k = min(len(words), j + rng.randint(1, 3))
			words[j] = "**" + words[j]
			words[k - 1] = words[k - 1].rstrip(".?!") + "**" + \
			    (words[k - 1][-1] if words[k - 1][-1] in ".?!" else "")
			parts[i] = " ".join(words)
		if rng.random() < 0.20:			# a URL
			parts.insert(rng.randrange(len(parts) + 1),
			    "See https://example.org/notes/%d-%s for more." %
			    (n, rng.choice(WORDS).lower()))
		text = " ".join(parts)
		if len(parts) > 2 and rng.random() < 0.30:	# two paragraphs
			cut = len(parts) // 2
			text = " ".join(parts[:cut]) + "\n\n" + " ".join(parts[cut:])
		# Trim to the target at a word boundary, keeping markup whole.
		if len(text.encode()) > target + 40:
			cut = text.rfind(" ", 0, target)
			text = text[:cut].rstrip(" ,") + "."
		b = len(text.encode())
		if BODY_MIN <= b <= BODY_MAX and text.count("**") % 2 == 0:
			return text
		target = int(rng.triangular(BODY_MIN, BODY_MAX, BODY_MODE))


URL_RE = re.compile(r"https?://[^\s<]*[^\s<.,]")


def render(body):
	"""HTML as plain as the read path needs: paragraphs, strong, links."""
	out = []
	for p in body.split("\n\n"):
		h = html.escape(p, quote=True)
		h = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", h)
		h = URL_RE.sub(lambda m: '<a href="%s" rel="nofollow ugc '
		    'noopener">%s</a>' % (m.group(0), m.group(0)), h)
		out.append("<p>" + h + "</p>\n")
	return "".join(out)


def q(s):
	if s is None:
		return "NULL"
	return "'" + str(s).replace("'", "''") + "'"


def authors():
	out = []
	for i in range(N_AUTHORS):
		first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
		name = "%s %s" % (first, last)
		email = "%s.%s@example.org" % (first.lower(), last.lower())
		url = ("https://%s-%s.example.net/" % (first.lower(),
		    last.lower())) if i % 4 == 0 else None
		out.append((name, email, url))
	return out


def main_thread_shape():
	"""parent index (or None) and depth per comment: 134 top-level and 66
	replies to earlier comments, nesting down to depth index 4."""
	attempt = 0
	while True:
		rng = rng_for(10000 + attempt)
		replies = set(rng.sample(range(1, MAIN_COMMENTS),
		    MAIN_COMMENTS - MAIN_TOP))
		parent, depth = [], []
		for i in range(MAIN_COMMENTS):
			if i not in replies:
				parent.append(None)
				depth.append(0)
				continue
			# Conversations go on: often a reply to the latest one.
			if depth[i - 1] < MAX_DEPTH and rng.random() < 0.5:
				p = i - 1
			else:
				p = rng.choice([j for j in range(i)
				    if depth[j] < MAX_DEPTH])
			parent.append(p)
			depth.append(depth[p] + 1)
		if max(depth) == MAX_DEPTH:
			return parent, depth
		attempt += 1


def seed():
	rng = rng_for(1)
	au = authors()
	stats = {"bodies": []}
	out = ["BEGIN;"]
	posts = [(MAIN_KEY, MAIN_TITLE)]
	for k in range(179, 179 + OTHER_POSTS):
		month = 1 + (k - 179) * 3 // OTHER_POSTS
		posts.append(("/2018/%02d/post-%d" % (month, k), "Post %d" % k))
	for pid, (key, title) in enumerate(posts, 1):
		out.append("INSERT INTO posts (id, key, title, url, created_at) "
		    "VALUES (%d, %s, %s, %s, '2018-03-01 08:00:00+00');" %
		    (pid, q(key), q(title), q("https://blog.example.org" + key)))

	cid = 0
	rows = []

	def comment(post_id, parent_id, depth, t, n):
		nonlocal cid
		cid += 1
		a = who[n]
		body = make_body(rng, cid)
		stats["bodies"].append(len(body.encode()))
		rows.append("(%d, %d, %s, %d, %s, %s, %s, %s, %s, 'approved', "
		    "%d, '198.51.100.%d', 'approve', 'approved', "
		    "timestamptz '2018-03-14 09:00:00+00' + interval '%d seconds')"
		    % (cid, post_id, "NULL" if parent_id is None else parent_id,
		    depth, q(a[0]), q(a[1]), q(a[2]), q(body), q(render(body)),
		    rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 8)), 1 + n % 250, t))
		return cid

	# Every author speaks at least once; some far more than others.
	total = MAIN_COMMENTS + OTHER_POSTS * OTHER_COMMENTS
	who = [au[i] for i in range(N_AUTHORS)] + rng.choices(au,
	    weights=[1 / (i + 1) ** 0.8 for i in range(N_AUTHORS)],
	    k=total - N_AUTHORS)
	rng.shuffle(who)

	# The main post first: its comments get ids 1..200.
	parent, depth = main_thread_shape()
	t = 0
	ids = []
	for i in range(MAIN_COMMENTS):
		t += 1 + int(rng.expovariate(1 / 600))
		ids.append(comment(1, None if parent[i] is None else
		    ids[parent[i]], depth[i], t, len(ids)))
	n = len(ids)
	for pid in range(2, len(posts) + 1):
		first = None
		for j in range(OTHER_COMMENTS):
			t += 1 + int(rng.expovariate(1 / 900))
			c = comment(pid, first if j == OTHER_COMMENTS - 1 else None,
			    1 if j == OTHER_COMMENTS - 1 else 0, t, n)
			n += 1
			first = first or c
	out.append("INSERT INTO comments (id, post_id, parent_id, depth, "
	    "author_name, author_email, author_url, body, html, status, score, "
	    "ip, verdict, reason, created_at) VALUES\n" + ",\n".join(rows) + ";")
	out.append("SELECT setval('posts_id_seq', (SELECT max(id) FROM posts));")
	out.append("SELECT setval('comments_id_seq', "
	    "(SELECT max(id) FROM comments));")
	# Posting in the benchmark is not held or throttled: it measures the
	# path, not the moderation defaults.
	out.append("UPDATE settings SET value = '0' "
	    "WHERE name = 'rate_limit_per_minute';")
	out.append("UPDATE settings SET value = 'false' "
	    "WHERE name = 'first_comment_approval';")
	out.append("COMMIT;")
	out.append("ANALYZE posts; ANALYZE comments; ANALYZE users;")
	print("\n".join(out))
	b = stats["bodies"]
	mb = b[:MAIN_COMMENTS]
	print(json.dumps({"posts": len(posts), "comments": len(b),
	    "main_comments": MAIN_COMMENTS, "main_top": MAIN_TOP,
	    "main_replies": MAIN_COMMENTS - MAIN_TOP, "max_depth": max(depth),
	    "authors": N_AUTHORS, "body_min": min(mb), "body_max": max(mb),
	    "body_mean": round(sum(mb) / len(mb)),
	    "keys": [p[0] for p in posts]}), file=sys.stderr)


def c_constant(name, text):
	"""The value of `static const char NAME[] = "..." "...";` in
	preprocessed C."""
	m = re.search(r"\b" + re.escape(name) + r"\s*\[\s*\]\s*=\s*((?:\s*\""
	    r"(?:[^\"\\]|\\.)*\")+)\s*;", text)
	if m is None:
		sys.exit("readers_writers.py: no constant %s" % name)
	out = []
	for lit in re.findall(r"\"((?:[^\"\\]|\\.)*)\"", m.group(1)):
		out.append(re.sub(r"\\(.)", lambda e: {"n": "\n", "t": "\t"}.get(
		    e.group(1), e.group(1)), lit))
	return "".join(out)


def descendants(pid):
	out, todo = [], [pid]
	while todo:
		p = todo.pop()
		out.append(p)
		try:
			for t in os.listdir("/proc/%d/task" % p):
				with open("/proc/%d/task/%s/children" % (p, t)) as f:
					todo.extend(int(c) for c in f.read().split())
		except OSError:
			pass
	return out


def status_kib(pid, field):
	try:
		with open("/proc/%d/status" % pid) as f:
			for line in f:
				if line.startswith(field + ":"):
					return int(line.split()[1])
	except OSError:
		pass
	return 0


def pss_kib(pid):
	try:
		with open("/proc/%d/smaps_rollup" % pid) as f:
			for line in f:
				if line.startswith("Pss:"):
					return int(line.split()[1])
	except OSError:
		pass
	return 0


def cmdline(pid):
	try:
		with open("/proc/%d/cmdline" % pid) as f:
			return f.read().replace("\0", " ").strip()
	except OSError:
		return "?"


def rss(pid, log):
	"""One line per sample: epoch seconds, RSS KiB, PSS KiB, processes.
	At the end, LOG.procs: each process's name, highest sampled RSS and
	VmHWM (its own peak, start-up included)."""
	stop = []
	procs = {}
	signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
	with open(log, "w", buffering=1) as f:
		while not stop and os.path.exists("/proc/%d" % pid):
			# Parley's processes: Kore's (its first worker sends the
			# hooks) and any parley-deliver, not the shell scripts
			# that start them.
			ps = [p for p in descendants(pid) if cmdline(p).startswith(
			    "kore") or "parley-deliver" in cmdline(p)]
			total = 0
			for p in ps:
				r = status_kib(p, "VmRSS")
				total += r
				e = procs.setdefault(p, {"name": cmdline(p),
				    "peak_rss_kib": 0, "vmhwm_kib": 0})
				e["peak_rss_kib"] = max(e["peak_rss_kib"], r)
				e["vmhwm_kib"] = max(e["vmhwm_kib"],
				    status_kib(p, "VmHWM"))
			f.write("%.3f %d %d %d\n" % (time.time(), total,
			    sum(pss_kib(p) for p in ps), len(ps)))
			time.sleep(0.1)
	with open(log + ".procs", "w") as f:
		json.dump(procs, f)


# --- report ---------------------------------------------------------------

def ms(v):
	m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
	if not m:
		return None
	return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3,
	    "m": 6e4}[m.group(2)]


def parse_wrk(path):
	t = open(path).read()
	r = {"requests": 0, "rps": 0.0, "p50_ms": None, "p99_ms": None,
	    "non2xx": 0, "socket_errors": 0}
	m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", t)
	if m:
		r["requests"] = int(m.group(1))
		r["read"] = m.group(3)
	m = re.search(r"Requests/sec:\s+([\d.]+)", t)
	if m:
		r["rps"] = float(m.group(1))
	for p in ("50", "99"):
		m = re.search(r"^\s+%s%%\s+(\S+)" % p, t, re.M)
		if m:
			r["p%s_ms" % p] = ms(m.group(1))
	m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
	if m:
		r["non2xx"] = int(m.group(1))
	m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
	    r"timeout (\d+)", t)
	if m:
		r["socket_errors"] = sum(int(x) for x in m.groups())
		r["socket_detail"] = m.group(0)
	r["errors"] = r["non2xx"] + r["socket_errors"]
	return r


def percentile(xs, p):
	if not xs:
		return None
	xs = sorted(xs)
	return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def parse_pgbench(path, logdir):
	t = open(path).read()
	r = {"rps": 0.0, "requests": 0, "errors": 0, "p50_ms": None,
	    "p99_ms": None}
	m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", t)
	if m:
		r["rps"] = float(m.group(1))
	m = re.search(r"number of transactions actually processed: (\d+)", t)
	if m:
		r["requests"] = int(m.group(1))
	m = re.search(r"number of failed transactions: (\d+)", t)
	if m:
		r["errors"] = int(m.group(1))
	if "error" in t.lower() and r["requests"] == 0:
		r["errors"] = max(r["errors"], 1)
	lat = []
	if os.path.isdir(logdir):
		for name in os.listdir(logdir):
			with open(os.path.join(logdir, name)) as f:
				for line in f:
					x = line.split()
					if len(x) >= 3 and x[2].isdigit():
						lat.append(int(x[2]) / 1000)
	r["p50_ms"] = percentile(lat, 50)
	r["p99_ms"] = percentile(lat, 99)
	return r


def read_kv(path):
	d = {}
	if os.path.exists(path):
		for line in open(path):
			if "=" in line:
				k, v = line.rstrip("\n").split("=", 1)
				d[k] = v
	return d


def rss_windows(log, phases):
	samples = []
	if os.path.exists(log):
		for line in open(log):
			x = line.split()
			if len(x) == 4:
				samples.append((float(x[0]), int(x[1]), int(x[2]),
				    int(x[3])))
	out = {}
	for name, (a, b) in phases.items():
		w = [s for s in samples if a <= s[0] <= b + 0.05]
		out[name] = max((s[1] for s in w), default=None)
	whole = {
		"samples": len(samples),
		"peak_rss_kib": max((s[1] for s in samples), default=0),
		"peak_pss_kib": max((s[2] for s in samples), default=0),
		"processes": max((s[3] for s in samples), default=0),
	}
	try:
		whole["per_process"] = json.load(open(log + ".procs"))
	except (OSError, ValueError):
		whole["per_process"] = {}
	return out, whole


def fmt_ms(v):
	return "-" if v is None else ("%.2fms" % v if v < 100 else "%.0fms" % v)


def fmt_mib(kib):
	return "-" if kib is None else "%.1f" % (kib / 1024)


def report(d, json_out):
	meta = read_kv(os.path.join(d, "meta"))
	seedstats = json.load(open(os.path.join(d, "seed.json")))
	phases = {}
	for line in open(os.path.join(d, "phases")):
		name, a, b = line.split()
		phases[name] = (float(a), float(b))
	peaks, whole = rss_windows(os.path.join(d, "rss.log"), phases)

	runs = {}
	for name in phases:
		if os.path.exists(os.path.join(d, name + ".wrk")):
			runs[name] = parse_wrk(os.path.join(d, name + ".wrk"))
		elif os.path.exists(os.path.join(d, name + ".pgbench")):
			runs[name] = parse_pgbench(os.path.join(d, name + ".pgbench"),
			    os.path.join(d, name + ".log"))
		runs[name]["peak_rss_kib"] = peaks.get(name)
	for name in ("post_c1", "post_c16"):
		pk = read_kv(os.path.join(d, name + ".post"))
		if name in runs and pk:
			r = runs[name]
			r["created_201"] = int(pk.get("created", 0))
			r["other_status"] = pk.get("other", "")
			r["bytes_per_response"] = int(pk.get("bytes", 0)) // max(1,
			    r["requests"])
			# Statuses other than 201 count as errors, as do socket errors.
			r["errors"] = r["requests"] - r["created_201"] + \
			    r["socket_errors"]

	embed = runs.get("embed_c16", {}).get("rps") or 0
	sel = runs.get("pgbench_select", {}).get("rps") or 0
	ins = runs.get("pgbench_insert", {}).get("rps") or 0
	lost = int(meta.get("lost", "-1"))
	mib48 = 48 * 1024

	def ratio(x, ceil, label):
		return "%.2f %s" % (x / ceil, label) if ceil else "-"

	# name, key, concurrency, ceiling text, [(target text, ok)]
	rows = []
	for c in (1, 16):
		for gz in ("", "_gz"):
			k = "thread%s_c%d" % (gz, c)
			r = runs.get(k)
			if not r:
				continue
			checks = []
			if gz and c == 16:
				checks = [(">=20000/s", r["rps"] >= 20000),
				    ("p99<=5ms", r["p99_ms"] is not None and
				    r["p99_ms"] <= 5),
				    (">=0.5 embed", embed and r["rps"] / embed >= 0.5)]
			rows.append(("thread 200%s" % (" gzip" if gz else ""), k, c,
			    ratio(r["rps"], embed, "embed") + ", " +
			    ratio(r["rps"], sel, "sql"), checks,
			    meta.get("bytes_thread" + gz, "?") + " " +
			    meta.get("enc_thread" + gz, "")))
	for c in (1, 16):
		k = "counts_c%d" % c
		if k in runs:
			r = runs[k]
			rows.append(("counts 20 posts", k, c, "-",
			    [(">=20000/s", r["rps"] >= 20000)] if c == 16 else [],
			    meta.get("bytes_counts", "?")))
	for c in (1, 16):
		k = "votes_c%d" % c
		if k in runs:
			rows.append(("guest's votes (uncached)", k, c, "-", [], "-"))
	for c in (1, 16):
		k = "post_c%d" % c
		if k in runs:
			r = runs[k]
			checks = []
			if c == 16:
				checks = [(">=2500/s", r["rps"] >= 2500),
				    (">=0.3 insert", ins and r["rps"] / ins >= 0.3),
				    ("none lost", lost == 0)]
			rows.append(("post comment", k, c, ratio(r["rps"], ins,
			    "insert"), checks, str(r.get("bytes_per_response", "?"))))
	rows.append(("ceiling: " + meta.get("embed_path", "/embed.js"),
	    "embed_c16", 16, "", [], meta.get("bytes_embed", "?") + " " +
	    meta.get("enc_embed", "")))
	rows.append(("ceiling: pgbench SELECT", "pgbench_select", 16, "", [],
	    "-"))
	rows.append(("ceiling: pgbench INSERT", "pgbench_insert", 16, "", [],
	    "-"))
	rows.append(("diag: INSERT, 19 posts", "pgbench_insert_spread", 16,
	    "", [], "-"))

	lines = []
	lines.append("# Parley readers and writers: %s (%d comments: %d "
	    "top-level, %d replies, depth index <= %d; bodies %d-%d bytes, mean "
	    "%d; %d authors) + %d posts x %d comments" % (MAIN_KEY,
	    seedstats["main_comments"], seedstats["main_top"],
	    seedstats["main_replies"], seedstats["max_depth"],
	    seedstats["body_min"], seedstats["body_max"],
	    seedstats["body_mean"], seedstats["authors"], OTHER_POSTS,
	    OTHER_COMMENTS))
	lines.append("# %s s per run, 2 Kore workers; c=1: wrk -t1 -c1, c=16: "
	    "wrk -t2 -c16, pgbench -c16 -j2 -M prepared; PostgreSQL fsync=%s "
	    "synchronous_commit=%s; load before start: %s; %s" % (
	    meta.get("duration"), meta.get("fsync"), meta.get("sync_commit"),
	    meta.get("loadavg"), meta.get("cpus", "")))
	lines.append("# build %s; load average at the end %s" % (
	    meta.get("build"), meta.get("loadavg_end")))
	hdr = ("run", "c", "req/s", "p50", "p99", "errors", "bytes/resp",
	    "RSS MiB", "vs ceiling", "target", "result")
	fmt = "%-24s %3s %9s %8s %8s %7s %-18s %7s %-22s %-32s %s"
	lines.append(fmt % hdr)
	verdicts = []
	for label, k, c, vs, checks, nbytes in rows:
		r = runs.get(k)
		if r is None:
			continue
		target = ", ".join(t for t, _ in checks) or "-"
		if checks:
			missed = [t for t, ok in checks if not ok]
			result = "PASS" if not missed else "MISS (%s)" % ", ".join(
			    missed)
			verdicts.append(not missed)
		else:
			result = ""
		m = re.match(r"\d+", nbytes.strip())
		r["bytes_per_response"] = int(m.group(0)) if m else None
		r["encoding"] = nbytes.strip()[m.end():].strip() if m else ""
		r["target"] = target
		r["result"] = result
		lines.append(fmt % (label, c, "%.0f" % r["rps"],
		    fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), r["errors"],
		    nbytes.strip(), fmt_mib(r["peak_rss_kib"]), vs or "-", target,
		    result))
	rss_ok = whole["peak_rss_kib"] <= mib48
	verdicts.append(rss_ok)
	lines.append("peak RSS of all Parley processes (%d: Kore's parent and "
	    "workers, the first of which sends the hooks, and any parley-deliver; "
	    "sampled every 100 ms, %d samples): %s MiB of 48 MiB: %s "
	    "(summed PSS %s MiB)" % (whole["processes"], whole["samples"],
	    fmt_mib(whole["peak_rss_kib"]), "PASS" if rss_ok else "MISS",
	    fmt_mib(whole["peak_pss_kib"])))
	lines.append("per process, sampled peak RSS / VmHWM (own peak since "
	    "start, start-up included), MiB: " + "; ".join(
	    "%s %s / %s" % (e["name"], fmt_mib(e["peak_rss_kib"]),
	    fmt_mib(e["vmhwm_kib"])) for _, e in sorted(
	    whole["per_process"].items(), key=lambda x: x[1]["name"])))
	lines.append("posting, durability: 201 answers %s (c=1 %s + c=16 %s), "
	    "new rows %s (%s with this run's tag); answered but missing: %s; "
	    "stored but unanswered (in flight when wrk stopped): %s; "
	    "comment_count consistent: %s; events: %s" % (
	    meta.get("answered"), runs.get("post_c1", {}).get("created_201"),
	    runs.get("post_c16", {}).get("created_201"), meta.get("new_rows"),
	    meta.get("tagged_rows"), meta.get("lost"), meta.get("unanswered"),
	    meta.get("counts_ok"), meta.get("events", "not checked")))
	lines.append("posted by Parley: %s replies of %s (every third asked "
	    "for one), all approved: %s" % (meta.get("replies_posted"),
	    meta.get("tagged_rows"), meta.get("all_approved")))
	for k in ("post_c1", "post_c16"):
		if runs.get(k, {}).get("other_status"):
			lines.append("%s: non-201 answers by status: %s" % (k,
			    runs[k]["other_status"]))
	for k, r in runs.items():
		if r.get("socket_errors"):
			lines.append("%s: %s" % (k, r["socket_detail"]))
	for k in sorted(meta):
		if k.startswith("note"):
			lines.append("note: " + meta[k])
	lines.append("bytes/resp: body bytes as sent (thread, counts, asset: "
	    "one curl request; posting: mean of the answers); RSS MiB: highest "
	    "sampled sum during the run; errors: non-2xx (posting: not 201) + socket errors, wrk timeout 2 s; vs ceiling: req/s over the ceiling's "
	    "(embed = %s, sql = pgbench SELECT, insert = pgbench INSERT); diag: "
	    "the INSERT spread over the 19 other posts, not a ceiling" %
	    meta.get("embed_path", "/embed.js"))
	lines.append("targets: %d of %d met" % (sum(verdicts), len(verdicts)))
	print("\n".join(lines))
	json.dump({"workload": seedstats, "meta": meta, "runs": runs,
	    "rss": whole, "rss_ok": rss_ok}, open(json_out, "w"), indent=1,
	    default=str)


def main():
	cmd = sys.argv[1] if len(sys.argv) > 1 else ""
	if cmd == "seed":
		seed()
	elif cmd == "sql":
		text = c_constant(sys.argv[2], sys.stdin.read())
		subst = dict(a.split("=", 1) for a in sys.argv[3:])

		def param(m):
			if m.group(1) not in subst:
				sys.exit("readers_writers.py: %s has $%s, not "
				    "given" % (sys.argv[2], m.group(1)))
			return subst[m.group(1)]
		text = re.sub(r"\$(\d+)", param, text)
		# pgbench takes every :name for a variable, even inside a string
		# literal ('HH24:MI:SS'): spell those colons chr(58), which the
		# planner folds back into the same constant.
		text = re.sub(r"'(?:[^']|'')*'", lambda m: re.sub(
		    r":(?=[A-Za-z0-9_])", "' || chr(58) || '", m.group(0)), text)
		print(text + ";")
	elif cmd == "rss":
		rss(int(sys.argv[2]), sys.argv[3])
	elif cmd == "report":
		report(sys.argv[2], sys.argv[3])
	else:
		sys.exit(__doc__)


if __name__ == "__main__":
	main()
