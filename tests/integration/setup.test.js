// The set-up scripts on a machine where the ports are already taken (by
// another checkout's cluster or Parley): they must name the port and the
// way out, not just fail.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { freePort, top } = require('./harness');

// Listens on 127.0.0.1:port until closed.
async function occupy() {
  const port = await freePort();
  const srv = net.createServer((s) => s.destroy());
  await new Promise((resolve) => srv.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => srv.close(resolve)) };
}

test('pg.sh start names a taken port and the ways out', async () => {
  const taken = await occupy();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  try {
    const r = spawnSync(path.join(top, 'scripts', 'pg.sh'), ['start'], {
      env: { ...process.env, PARLEY_PG_PORT: String(taken.port), PARLEY_PG_DIR: path.join(dir, 'pg') },
      encoding: 'utf8', timeout: 60000,
    });
    assert.notEqual(r.status, 0, 'it must fail');
    assert.ok(r.stderr.includes(`127.0.0.1:${taken.port}`), r.stderr);
    assert.match(r.stderr, /already in use/);
    assert.match(r.stderr, /make stop-db/);
    assert.match(r.stderr, /PARLEY_PG_PORT=\d+/);
    assert.ok(!fs.existsSync(path.join(dir, 'pg', 'data', 'PG_VERSION')), 'nothing was set up before the check');
  } finally {
    await taken.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('make run names a taken HTTP port and PORT=', async () => {
  const taken = await occupy();
  try {
    const r = spawnSync(path.join(top, 'scripts', 'run.sh'), [String(taken.port), 'parley_test_setup_unused'], {
      encoding: 'utf8', timeout: 60000,
    });
    assert.notEqual(r.status, 0, 'it must fail');
    assert.ok(r.stderr.includes(`127.0.0.1:${taken.port}`), r.stderr);
    assert.match(r.stderr, /PORT=\d+/);
  } finally {
    await taken.close();
  }
});

test('the build reads Kore\'s flags when it compiles, not when make parses', () => {
  // A bare machine's first `make test` installs Kore during the run: a
  // Makefile that read /usr/share/kore/features at parse time compiled
  // without them.
  const mk = fs.readFileSync(path.join(top, 'Makefile'), 'utf8');
  for (const line of mk.split('\n')) {
    if (/:=|\?=|^[A-Z_]+\s*=/.test(line))
      assert.doesNotMatch(line, /\$\(shell/, `parse-time shell in the Makefile: ${line}`);
  }
});

// A shell file's logical lines: continuations joined, comments dropped.
function shellLines(text) {
  return text.replace(/\\\n/g, ' ').split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter((l) => l !== '');
}

// The words of every `NAME=(...)` and `NAME+=(...)` array in a shell file.
function shellArrays(text, name) {
  const out = [];
  const re = new RegExp(`\\b${name}\\+?=\\(([^)]*)\\)`, 'g');
  for (const m of text.replace(/#[^\n]*/g, '').matchAll(re)) out.push(...m[1].split(/\s+/).filter(Boolean));
  return out;
}

// The Makefile's explicit targets whose recipe, or a prerequisite's, runs
// scripts/deps.sh (installs packages).
function targetsRunningDeps(mk) {
  const rules = new Map();
  let cur = null;
  for (const line of mk.replace(/\\\n/g, ' ').split('\n')) {
    if (line.startsWith('\t')) {
      if (cur) for (const t of cur) rules.get(t).recipe += `${line}\n`;
      continue;
    }
    const m = /^([^\s:=#][^:=]*):(?!=)(.*)$/.exec(line);
    if (!m) { if (line.trim() !== '' && !line.startsWith('#')) cur = null; continue; }
    cur = m[1].trim().split(/\s+/);
    const prereqs = m[2].replace(/\|/, ' ').replace(/;.*$/, '').trim().split(/\s+/).filter(Boolean);
    for (const t of cur) {
      if (!rules.has(t)) rules.set(t, { recipe: '', prereqs: [] });
      rules.get(t).prereqs.push(...prereqs);
    }
  }
  const memo = new Map();
  const runs = (t, seen = new Set()) => {
    if (memo.has(t)) return memo.get(t);
    if (seen.has(t) || !rules.has(t)) return false;
    seen.add(t);
    const r = rules.get(t);
    const v = /deps\.sh/.test(r.recipe) || r.prereqs.some((p) => runs(p, seen));
    memo.set(t, v);
    return v;
  };
  return new Set([...rules.keys()].filter((t) => runs(t)));
}

// What set-up installs that CI may leave installed, and why. Everything
// else scripts/deps.sh installs is read by the build (a compiler, a
// header, pkg-config, Kore's flags, clang-format) and .ci/run removes it.
const KEPT = {
  make: 'it runs the build: a bare machine needs it first (README: apt-get install git make)',
  postgresql: 'the tests\' server, not read by the build; removing it would stop and purge the machine\'s clusters',
  nodejs: 'the tests\' runtime, not read by the C build; may come from outside Debian (deps.sh accepts any node)',
  npm: 'as nodejs; removing Debian\'s npm removes hundreds of node-* packages',
  chromium: 'the browser tests\' browser, not read by the build; a large download',
  curl: 'a command-line tool, not read by the build (libcurl4-openssl-dev is removed)',
  openssl: 'a command-line tool; ca-certificates depends on it',
  nginx: 'the proxy test runs it; the build does not read it',
  pgbouncer: 'test tool (the PgBouncer test runs it in transaction mode); the build does not read it',
  'libxml2-utils': 'xmllint for tests; the build does not read it',
  prometheus: 'test tool (promtool), the build does not read it',
  wrk: 'benchmarks only (make bench), not in CI',
  'postgresql-contrib': 'benchmarks only (make bench), not in CI',
  python3: 'benchmarks only; apt tools depend on it',
};

test('CI takes a bare machine\'s path: it removes what set-up installs and the build reads, then runs make test first', () => {
  const deps = fs.readFileSync(path.join(top, 'scripts', 'deps.sh'), 'utf8');
  const ciText = fs.readFileSync(path.join(top, '.ci', 'run'), 'utf8');
  const installed = new Set(shellArrays(deps, 'packages'));
  assert.ok(installed.has('kore') && installed.has('libpq-dev') && installed.has('clang'),
    `deps.sh's packages parsed: ${[...installed]}`);
  const removed = new Set(shellArrays(ciText, 'remove'));
  for (const p of installed) {
    if (Object.hasOwn(KEPT, p)) {
      assert.doesNotMatch(p, /-dev$/, `${p}: a -dev package is read by the build and cannot be kept`);
      continue;
    }
    assert.ok(removed.has(p), `.ci/run must remove ${p} (scripts/deps.sh installs it and the build reads it), or KEPT here must say why not`);
  }
  // pkg-config is a transitional package: the binary is pkgconf's.
  for (const p of ['pkgconf', 'pkgconf-bin']) assert.ok(removed.has(p), `.ci/run must remove ${p} (/usr/bin/pkg-config)`);

  const lines = shellLines(ciText);
  const rm = lines.findIndex((l) => /\bapt-get\b.*\bremove\b/.test(l));
  assert.ok(rm >= 0, '.ci/run removes packages');
  assert.match(lines[rm], /"\$\{remove\[@\]\}"/, 'the remove command takes the whole list');
  const test = lines.findIndex((l) => /^make\s+test\b/.test(l));
  assert.ok(test > rm, '`make test` runs after the removal');
  const between = lines.slice(rm + 1, test);
  assert.ok(between.some((l) => /\brm -rf\b.*\bbuild\b.*\bnode_modules\b/.test(l)), 'the build and node_modules go too');
  const installing = targetsRunningDeps(fs.readFileSync(path.join(top, 'Makefile'), 'utf8'));
  assert.ok(installing.has('lint') && installing.has('test'), `Makefile targets parsed: ${[...installing]}`);
  for (const l of between) {
    assert.doesNotMatch(l, /deps\.sh|apt-get\s+install|apt\s+install/, `installs before make test: ${l}`);
    const m = /^make\b(.*)$/.exec(l);
    if (!m) continue;
    const targets = m[1].split(/\s+/).filter((w) => w && !w.startsWith('-') && !w.includes('='));
    for (const t of targets.length ? targets : ['all'])
      assert.ok(!installing.has(t), `make ${t} runs scripts/deps.sh between the removal and make test: ${l}`);
  }
});
