// Parley through a real PgBouncer (Debian's 1.18) in transaction mode:
// `database` points at PgBouncer with prepared_statements = no, and
// `database_listen` is a direct connection to PostgreSQL for each
// worker's LISTEN and the deliverer. A clear subset of the suite runs
// through it: comments and threads on two workers (their caches kept
// coherent by NOTIFY), accounts (argon2 and sessions), votes, moderation
// through the admin API and a hook delivery. Then a second node on the
// same PgBouncer with the default prepared_statements = yes shows why the
// setting exists: its named statements, prepared on one server connection,
// are executed on another, and requests fail.
//
// PgBouncer runs with server_round_robin = 1 and min_pool_size = 3: each
// transaction takes the server connection idle longest, so consecutive
// statements of one client land on different servers, as they do on a
// busy production pool.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, sleep, freePort, top } = require('./harness');
const { startReceiver } = require('./hook_receiver');

const PGBOUNCER = '/usr/sbin/pgbouncer';
const PG_PORT = process.env.PARLEY_PG_PORT || '54329';
const PG_DIR = process.env.PARLEY_PG_DIR || path.join(top, 'var', 'pg');
const ROLE_PW = fs.readFileSync(path.join(PG_DIR, 'parley.password'), 'utf8').trim();
const DB = `${process.env.TEST_DB || 'parley_test'}_it_pgb`;
const PASSWORD = 'correct horse battery';

let bouncer;		// { port, proc, dir, log }
let srv;		// Parley through PgBouncer, prepared_statements = no
let receiver;
let admin;		// its admin's Bearer header

const direct = (db) =>
  `host=127.0.0.1 port=${PG_PORT} dbname=${db} user=parley password=${ROLE_PW} connect_timeout=3`;
const viaBouncer = (db) =>
  `host=127.0.0.1 port=${bouncer.port} dbname=${db} user=parley password=${ROLE_PW} connect_timeout=3`;

// PgBouncer's admin console (SHOW ...): rows of columns.
function bouncerShow(command) {
  const out = execFileSync('psql', ['-X', '-q', '-tA', '-F', '\t', '-c', command,
    `host=127.0.0.1 port=${bouncer.port} dbname=pgbouncer user=parley password=${ROLE_PW}`],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

async function startBouncer() {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pgbouncer-'));
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"parley" "${ROLE_PW}"\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), `[databases]
* = host=127.0.0.1 port=${PG_PORT}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${dir}/userlist.txt
admin_users = parley
pool_mode = transaction
default_pool_size = 6
min_pool_size = 3
server_round_robin = 1
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
`);
  // PgBouncer refuses to run as root: as root it runs as postgres (the
  // cluster's owner, scripts/pg.sh), which must read its files.
  const args = [];
  if (process.getuid() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, f), uid, gid);
    args.push('-u', 'postgres');
  }
  const logPath = path.join(top, 'var', 'it-pgbouncer.pgbouncer.log');
  const log = fs.openSync(logPath, 'w');
  const proc = spawn(PGBOUNCER, [...args, path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  bouncer = { port, proc, dir, logPath };
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`pgbouncer exited: ${fs.readFileSync(logPath, 'utf8')}`);
    try {
      bouncerShow('SHOW VERSION');
      return;
    } catch (_) { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('pgbouncer did not start');
    await sleep(100);
  }
}

// A request on a fresh connection: either worker may take it.
function fresh(server, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get(server.base + urlPath, { agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

// Ten answers in a row on fresh connections (both workers) satisfy pred.
async function allWorkersSee(server, urlPath, pred) {
  const deadline = Date.now() + 3000;
  let seen = 0;
  while (Date.now() < deadline && seen < 10) {
    const r = await fresh(server, urlPath);
    seen = r.status === 200 && pred(JSON.parse(r.text)) ? seen + 1 : 0;
    if (seen === 0) await sleep(20);
  }
  return seen >= 10;
}

async function until(what, fn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const threadPath = (key) => `/api/v1/comments?post=${encodeURIComponent(key)}`;

before(async () => {
  await startBouncer();
  srv = await startParley({
    name: 'it-pgb',
    workers: 2,
    env: {
      PARLEY_DATABASE: viaBouncer(DB),
      // Named, so the test can find these connections in pg_stat_activity.
      PARLEY_DATABASE_LISTEN: `${direct(DB)} application_name=parley-listen`,
      PARLEY_PREPARED_STATEMENTS: 'no',
    },
  });
  assert.equal(srv.db, DB);
  receiver = await startReceiver();
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PASSWORD, srv.db], { stdio: 'ignore' });
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  admin = bearer(login.json.token);
});

after(async () => {
  if (receiver) await receiver.stop();
  if (srv) await srv.stop();
  if (bouncer) {
    bouncer.proc.kill('SIGTERM');
    await Promise.race([new Promise((r) => bouncer.proc.once('exit', r)), sleep(3000)]);
    fs.rmSync(bouncer.dir, { recursive: true, force: true });
  }
});

test('queries go through PgBouncer; each worker\'s LISTEN and the deliverer connect directly', async () => {
  assert.equal((await call(srv.base, 'GET', threadPath(uniqueKey()))).status, 200);
  // Parley's pooled connections are PgBouncer's clients...
  const clients = bouncerShow('SHOW CLIENTS').filter((r) => r.includes(DB));
  assert.ok(clients.length >= 1, 'no Parley connection at PgBouncer');
  // ...while LISTEN (one a worker) and the deliverer reach PostgreSQL
  // itself, named by database_listen's application_name (the deliverer
  // sets its own).
  const direct = () => sql(`SELECT application_name, count(*) FROM pg_stat_activity
    WHERE datname = '${DB}' AND application_name LIKE 'parley-%' GROUP BY 1 ORDER BY 1`);
  const rows = await until('the direct connections', () => {
    const r = direct();
    return r.length === 2 && r[1][1] === '2' ? r : null;
  });
  assert.deepEqual(rows, [['parley-deliver', '1'], ['parley-listen', '2']]);
  // PgBouncer's server connections prepared nothing by name.
  assert.equal(fs.readFileSync(path.join(top, 'var', 'it-pgb.log'), 'utf8').match(/prepared statement/g), null);
});

test('comments and threads on two workers: NOTIFY keeps both caches coherent', async () => {
  const key = uniqueKey('pgb');
  const p = threadPath(key);
  const counts = `/api/v1/counts?post=${encodeURIComponent(key)}`;
  const one = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'one', author_name: 'A' } });
  assert.equal(one.status, 201, one.text);
  // Fill both workers' caches.
  for (let i = 0; i < 10; i++) { await fresh(srv, p); await fresh(srv, counts); }
  const two = await call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: key, body: 'two', author_name: 'B', parent_id: one.json.comment.id } });
  assert.equal(two.status, 201, two.text);
  const three = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'three', author_name: 'C' } });
  assert.equal(three.status, 201, three.text);
  assert.ok(await allWorkersSee(srv, p, (j) => j.comments.length === 2 &&
    j.comments.some((c) => (c.replies || []).length === 1)), 'a worker served a stale thread');
  assert.ok(await allWorkersSee(srv, counts, (j) => j.counts[key] === 3), 'a worker served a stale count');
  // A change made in the database by hand is announced too.
  sql(`UPDATE comments SET html = '<p>changed</p>' WHERE id = ${three.json.comment.id}`, DB);
  assert.ok(await allWorkersSee(srv, p, (j) => j.comments.some((c) => c.html === '<p>changed</p>')));
});

test('accounts: register, login (argon2), the session, votes, logout', async () => {
  const email = `${uniqueKey('u')}@example.org`;
  const reg = await call(srv.base, 'POST', '/api/v1/auth/register',
    { json: { email, password: PASSWORD, name: 'Member' }, headers: { 'x-forwarded-for': '198.18.9.1' } });
  assert.equal(reg.status, 201, reg.text);
  assert.equal((await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email, password: 'wrong password!' } })).status, 401);
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email, password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  const tok = login.json.token;
  // The session works on either worker.
  for (let i = 0; i < 4; i++) {
    const me = await call(srv.base, 'GET', '/api/v1/auth/me', { headers: { ...bearer(tok), connection: 'close' } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.name, 'Member');
  }
  const key = uniqueKey('votes');
  const c = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'vote on me', author_name: 'G' } });
  assert.equal(c.status, 201, c.text);
  const id = c.json.comment.id;
  const v = await call(srv.base, 'POST', `/api/v1/comments/${id}/vote`, { json: { value: 1 }, headers: bearer(tok) });
  assert.deepEqual(v.json, { score: 1, my_vote: 1 }, v.text);
  const mine = await call(srv.base, 'GET', `/api/v1/votes?post=${encodeURIComponent(key)}`, { headers: bearer(tok) });
  assert.deepEqual(mine.json, { votes: { [id]: 1 }, own: [] }, mine.text);
  assert.ok(await allWorkersSee(srv, threadPath(key), (j) => j.comments[0].score === 1));
  assert.equal((await call(srv.base, 'POST', '/api/v1/auth/logout', { json: {}, headers: bearer(tok) })).status, 204);
  assert.equal((await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(tok) })).status, 401);
});

test('moderation through the admin API, and its hook deliveries', async (t) => {
  const hook = await call(srv.base, 'POST', '/api/v1/admin/hooks', {
    json: { url: `${receiver.url}/pgb`, kind: 'event', events: ['comment.created', 'comment.approved'], enabled: true },
    headers: admin,
  });
  assert.equal(hook.status, 201, hook.text);
  setSettings({ first_comment_approval: true }, DB);
  t.after(() => setSettings({ first_comment_approval: false }, DB));
  const key = uniqueKey('held');
  const held = await call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: key, body: 'held for a moderator', author_name: 'New', author_email: `${uniqueKey('n')}@example.org` } });
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.comment.status, 'pending');
  const id = held.json.comment.id;
  assert.ok(await allWorkersSee(srv, threadPath(key), (j) => j.comments.length === 0));
  const mod = await call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: { ids: [id], action: 'approve' }, headers: admin });
  assert.deepEqual(mod.json, { updated: 1 }, mod.text);
  assert.ok(await allWorkersSee(srv, threadPath(key), (j) => j.comments.length === 1 && j.comments[0].id === id),
    'a worker still hides the approved comment');
  // The deliverer (on its direct connection, woken by NOTIFY) sends both.
  await receiver.waitUntil((reqs) => reqs.filter((r) => r.path === '/pgb').length >= 2, 15000, 'both events');
  const got = receiver.requests.filter((r) => r.path === '/pgb').map((r) => [r.json.type, r.json.data.comment.id]);
  assert.deepEqual(got.sort(), [['comment.approved', id], ['comment.created', id]]);
  await until('the deliveries recorded', async () => {
    const r = await call(srv.base, 'GET', `/api/v1/admin/hooks/${hook.json.hook.id}/deliveries?limit=10`, { headers: admin });
    return r.json.deliveries.length === 2 && r.json.deliveries.every((d) => d.state === 'success');
  });
});

// Reads (some concurrent) and writes against a node: every status.
async function burst(server, keys) {
  const statuses = [];
  for (let round = 0; round < 3; round++) {
    // Concurrent requests: several server connections are busy at once.
    const rs = await Promise.all(keys.map((k) => fresh(server, threadPath(k))));
    for (const r of rs) statuses.push(r.status);
    const posted = await call(server.base, 'POST', '/api/v1/comments',
      { json: { post: keys[round], body: `round ${round}`, author_name: 'R' } });
    statuses.push(posted.status);
    for (const k of keys) statuses.push((await call(server.base, 'GET', `/api/v1/counts?post=${encodeURIComponent(k)}`)).status);
  }
  return statuses;
}

test('prepared_statements = yes through PgBouncer in transaction mode fails; no does not', async () => {
  // Several server connections in the pool, taken in turn.
  await until('PgBouncer\'s pool to hold several server connections',
    () => bouncerShow('SHOW SERVERS').filter((r) => r.includes(DB)).length >= 2);
  const keys = Array.from({ length: 6 }, () => uniqueKey('burst'));
  const ok = await burst(srv, keys);
  assert.deepEqual(ok.filter((s) => s !== 200 && s !== 201), [], 'prepared_statements = no: every request succeeds');

  const yes = await startParley({
    name: 'it-pgb-yes',
    workers: 2,
    shareDb: DB,
    env: { PARLEY_DATABASE: viaBouncer(DB), PARLEY_DATABASE_LISTEN: direct(DB), PARLEY_DELIVER: '0' },
  });
  try {
    const statuses = await burst(yes, keys);
    const failed = statuses.filter((s) => s >= 500);
    assert.ok(failed.length > 0, `prepared_statements = yes: expected failures, got ${statuses}`);
    // Kore logs why: a statement prepared on one server connection is
    // not there on the next.
    const log = fs.readFileSync(path.join(top, 'var', 'it-pgb-yes.log'), 'utf8');
    assert.match(log, /prepared statement "p\d+" (does not exist|already exists)/);
  } finally {
    await yes.stop();
  }
});
