// Starts a real Parley (scripts/serve.sh) on a free port against the test
// database of the local cluster, and talks to it over HTTP.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const fs = require('node:fs');

const top = path.resolve(__dirname, '..', '..');
const TEST_DB = process.env.TEST_DB || 'parley_test';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Moderation defaults that would get in the way of most tests: a guest's
// first comment is published, and one machine may post quickly. Tests of
// those rules set them back.
const TEST_SETTINGS = { first_comment_approval: false, rate_limit_per_minute: 0 };

// The database sql() talks to: the last started server's.
let currentDb = TEST_DB;

// Starts Parley on a fresh database of its own (parley_test_NAME, migrated,
// with TEST_SETTINGS and the given settings); resolves once /healthz
// answers (200 or 503).
// shareDb: the database of a running server, for a second node on it.
// wrap: a command (and its arguments) that runs scripts/serve.sh, e.g.
// setpriv with a capability set.
async function startParley({ name = 'test', workers = 2, env = {}, settings = {}, shareDb, wrap = [] } = {}) {
  const db = shareDb || `${TEST_DB}_${name.replace(/[^a-z0-9]/gi, '_')}`;
  if (!shareDb) {
    execFileSync(path.join(top, 'scripts', 'pg.sh'), ['createdb', db], { stdio: 'ignore' });
    currentDb = db;
    setSettings({ ...TEST_SETTINGS, ...settings });
  }
  const port = await freePort();
  const logPath = path.join(top, 'var', `${name}.log`);
  fs.writeFileSync(logPath, '');
  // Append mode: the parent and its workers share this file.
  const log = fs.openSync(logPath, 'a');
  const serve = [path.join(top, 'scripts', 'serve.sh'), name, String(port), db, String(workers)];
  const argv = [...wrap, ...serve];
  const child = spawn(argv[0], argv.slice(1),
    // The suite's hook receivers listen on loopback: allowed unless a
    // test says otherwise (PARLEY_HOOK_ALLOW_PRIVATE: '0').
    { env: { ...process.env, PARLEY_HOOK_ALLOW_PRIVATE: '1', ...env }, stdio: ['ignore', log, log], detached: true });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`parley exited: ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200 || r.status === 503) break;
    } catch (_) { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('parley did not start');
    await sleep(100);
  }
  return {
    base,
    port,
    db,
    // Points sql() and setSettings() back at this server's database.
    use() { currentDb = db; },
    // The last lines of its log, for a failure's message.
    logTail(lines = 15) { return fs.readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n'); },
    // A crash: SIGKILL to the whole process group (serve.sh, Kore's
    // parent, its workers); resolves once serve.sh is gone.
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid, 'SIGKILL');
      await done;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch (_) { return; }
      await Promise.race([done, sleep(5000)]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

// An HTTP call: JSON in and out by default.
async function call(base, method, urlPath, { json, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] ??= 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(base + urlPath, init);
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch (_) { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json: data };
}

// Runs SQL on the current test database; returns rows as arrays of strings.
function sql(query, db = currentDb) {
  const out = execFileSync(path.join(top, 'scripts', 'pg.sh'),
    ['psql', '-X', '-q', '-tA', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', query],
    { env: { ...process.env, PARLEY_DB_NAME: db }, encoding: 'utf8' });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

// Changes moderation settings in the database; every worker reads them
// on each request, so they apply at once.
function setSettings(values, db = currentDb) {
  for (const [k, v] of Object.entries(values)) {
    const json = JSON.stringify(v).replace(/'/g, "''");
    sql(`UPDATE settings SET value = '${json}'::jsonb WHERE name = '${k.replace(/'/g, "''")}'`, db);
  }
}

function pg(command) {
  execFileSync(path.join(top, 'scripts', 'pg.sh'), [command],
    { env: { ...process.env, PARLEY_DB_NAME: TEST_DB }, stdio: 'ignore' });
}

let keySeq = 0;
// A post key no other test uses.
function uniqueKey(prefix = 'post') {
  keySeq += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${keySeq}`;
}

module.exports = { startParley, call, sql, setSettings, pg, uniqueKey, sleep, freePort, top };
