// A streaming replica for reads (database_replica), on a real hot standby.
//
// This file runs on a primary cluster of its own (scripts/pg.sh with
// PARLEY_PG_DIR and PARLEY_PG_PORT pointed at a temporary folder), not
// the suite's: it pauses, stops and promotes servers. The standby is a
// pg_basebackup of that primary, started as a hot standby streaming from
// it. Parley runs with database_replica pointing at the standby, and
// /metrics on, whose parley_db_replica_queries_total counts the reads
// sent there. The tests show:
//   - anonymous reads are served by the standby: with its replay paused,
//     a change made on the primary without a notification stays out of
//     anonymous answers (a logged-in reader, on the primary, sees it);
//   - a writer sees its comment at once while replay is paused, and so
//     does everyone: the notification sends that post's reads to the
//     primary until the standby has replayed the write, while other
//     posts' reads stay on the standby;
//   - X-Parley-Written: the writer's next read with ?written= is not
//     answered by the standby before it has replayed the write;
//   - a pooled connection to the standby that dies: the read on it is
//     answered by the primary, the next ones reconnect;
//   - a standby that goes down: every read still answers 200, from the
//     primary, and reads go back to the standby once it is up;
//   - failover with synchronous_standby_names: the primary dies under a
//     posting load, the standby is promoted, a node pointed at it has
//     every comment that was acknowledged with a 201.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-replica-'));
// Before the harness reads them: this file's own primary.
process.env.PARLEY_PG_DIR = path.join(work, 'primary');

const { startParley, call, sql, uniqueKey, sleep, freePort, top } = require('./harness');

const PG_BIN = fs.readdirSync('/usr/lib/postgresql').sort()
  .map((v) => path.join('/usr/lib/postgresql', v, 'bin')).pop();
const asOwner = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
const STANDBY_NAME = 'parley_standby';
const PASSWORD = 'correct horse battery';

let primary;		// { port, sock }
let standby;		// { port, sock, data }
let srv;		// Parley with database_replica
let metricsPort;
let token;		// a logged-in reader's Bearer token
let rolePw;

function run(argv, opts = {}) {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

// SQL as the superuser, on either server's socket.
function su(server, query, db = 'postgres') {
  return run([path.join(PG_BIN, 'psql'), '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1',
    '-h', server.sock, '-p', String(server.port), '-U', 'postgres', '-d', db, '-c', query]).trim();
}

function conninfo(server, db) {
  return `host=127.0.0.1 port=${server.port} dbname=${db} user=parley password=${rolePw} connect_timeout=2`;
}

async function startStandby() {
  const dir = path.join(work, 'standby');
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'run');
  fs.mkdirSync(sock, { recursive: true });
  fs.mkdirSync(path.join(dir, 'log'), { recursive: true });
  if (process.getuid() === 0) run(['chown', '-R', 'postgres', dir]);
  run([...asOwner, path.join(PG_BIN, 'pg_basebackup'), '-h', primary.sock, '-p', String(primary.port),
    '-U', 'postgres', '-D', data, '-X', 'stream', '-R', '-c', 'fast']);
  const port = await freePort();
  fs.appendFileSync(path.join(data, 'postgresql.auto.conf'), `
port = ${port}
unix_socket_directories = '${sock}'
primary_conninfo = 'host=${primary.sock} port=${primary.port} user=postgres application_name=${STANDBY_NAME}'
hot_standby = on
hot_standby_feedback = on
`);
  standby = { port, sock, data, log: path.join(dir, 'log', 'server.log') };
  pgCtl(standby, 'start');
}

function pgCtl(server, action, ...args) {
  run([...asOwner, path.join(PG_BIN, 'pg_ctl'), '-D', server.data, '-l', server.log,
    '-w', '-t', '30', action, ...args]);
}

// Waits until the standby has replayed everything the primary wrote.
async function caughtUp() {
  const target = su(primary, 'SELECT pg_current_wal_insert_lsn()');
  for (let i = 0; i < 200; i++) {
    const ok = su(standby, `SELECT pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`);
    if (ok === 't') return;
    await sleep(50);
  }
  throw new Error('the standby did not catch up');
}

async function metric(name) {
  const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  const line = (await r.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const replicaReads = () => metric('parley_db_replica_queries_total');

// An anonymous read no cache holds yet: each limit and sort is a cache
// key of its own, 600 of them (a post read more often than that within
// one test would need another post).
let readSeq = 0;
async function freshRead(key, extra = '') {
  readSeq++;
  const limit = 1 + (readSeq % 200);
  const sort = ['oldest', 'newest', 'top'][Math.floor(readSeq / 200) % 3];
  return call(srv.base, 'GET',
    `/api/v1/comments?post=${encodeURIComponent(key)}&sort=${sort}&limit=${limit}${extra}`);
}

const post = (key, body, headers = {}) =>
  call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body, author_name: 'Reader' }, headers });

before(async () => {
  primary = { port: await freePort() };
  process.env.PARLEY_PG_PORT = String(primary.port);
  run([path.join(top, 'scripts', 'pg.sh'), 'start']);
  primary.sock = path.join(process.env.PARLEY_PG_DIR, 'run');
  primary.data = path.join(process.env.PARLEY_PG_DIR, 'data');
  primary.log = path.join(process.env.PARLEY_PG_DIR, 'log', 'server.log');
  rolePw = fs.readFileSync(path.join(process.env.PARLEY_PG_DIR, 'parley.password'), 'utf8').trim();
  // startParley makes the database on the primary; the standby
  // replays its creation.
  const name = 'it-replica';
  const db = `${process.env.TEST_DB || 'parley_test'}_it_replica`;
  await startStandby();
  metricsPort = await freePort();
  srv = await startParley({
    name, workers: 2,
    env: {
      PARLEY_DATABASE_REPLICA: conninfo(standby, db),
      PARLEY_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
    },
  });
  run([path.join(top, 'scripts', 'admin.sh'), 'replica-reader@example.org', PASSWORD, srv.db]);
  const login = await call(srv.base, 'POST', '/api/v1/auth/login',
    { json: { email: 'replica-reader@example.org', password: PASSWORD } });
  assert.equal(login.status, 200, login.text);
  token = login.json.token;
});

after(async () => {
  if (srv) await srv.stop();
  for (const server of [standby, primary]) {
    try { pgCtl(server, 'stop', '-m', 'immediate'); } catch (_) { /* not running */ }
  }
  fs.rmSync(work, { recursive: true, force: true });
});

test('anonymous reads are served by the standby; a logged-in reader by the primary', async () => {
  const key = uniqueKey('replica-reads');
  const c = await post(key, 'as written');
  assert.equal(c.status, 201, c.text);
  await caughtUp();
  // The watch polls every 20 ms: let it see the replay.
  await sleep(200);

  const before = await replicaReads();
  for (let i = 0; i < 10; i++) {
    const r = await freshRead(key);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.comments.length, 1);
  }
  assert.ok(await replicaReads() >= before + 10, 'ten uncached anonymous reads went to the standby');
  // A guest's votes (never cached) too; a member's on the primary.
  const votesBefore = await replicaReads();
  assert.equal((await call(srv.base, 'GET', `/api/v1/votes?post=${encodeURIComponent(key)}`)).status, 200);
  assert.equal(await replicaReads(), votesBefore + 1, 'a guest\'s votes read on the standby');
  assert.equal((await call(srv.base, 'GET', `/api/v1/votes?post=${encodeURIComponent(key)}`,
    { headers: { authorization: `Bearer ${token}` } })).status, 200);
  assert.equal(await replicaReads(), votesBefore + 1, 'a member\'s on the primary');

  // Replay paused, the primary changes the comment without telling
  // anyone (its notification trigger off inside the transaction).
  su(standby, 'SELECT pg_wal_replay_pause()');
  try {
    sql(`BEGIN;
      ALTER TABLE comments DISABLE TRIGGER comments_thread_changed;
      UPDATE comments SET html = '<p>changed on the primary</p>' WHERE id = ${c.json.comment.id};
      ALTER TABLE comments ENABLE TRIGGER comments_thread_changed;
      COMMIT`);
    const anon = await freshRead(key);
    assert.equal(anon.status, 200);
    assert.match(anon.json.comments[0].html, /as written/, 'the standby answered, without the change');
    const member = await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`,
      { headers: { authorization: `Bearer ${token}` } });
    assert.equal(member.status, 200);
    assert.match(member.json.comments[0].html, /changed on the primary/, 'a logged-in reader reads the primary');
  } finally {
    su(standby, 'SELECT pg_wal_replay_resume()');
  }
  await caughtUp();
  await sleep(100);
  const later = await freshRead(key);
  assert.match(later.json.comments[0].html, /changed on the primary/, 'replayed: the standby has it too');
});

test('while replay is paused, a new comment shows at once; other posts stay on the standby', async () => {
  const key = uniqueKey('replica-ryw');
  const other = uniqueKey('replica-other');
  assert.equal((await post(other, 'elsewhere')).status, 201);
  await caughtUp();
  await sleep(200);
  // Cached before the write: the write must empty it.
  assert.equal((await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`)).json.comments.length, 0);

  su(standby, 'SELECT pg_wal_replay_pause()');
  try {
    const c = await post(key, 'my own words');
    assert.equal(c.status, 201, c.text);
    const written = c.headers.get('x-parley-written');
    assert.match(written ?? '', /^[0-9A-F]+\/[0-9A-F]+$/, 'the write tells where it is');
    assert.ok(su(standby, `SELECT pg_last_wal_replay_lsn() < '${written}'::pg_lsn`) === 't',
      'the standby has not replayed it');

    const replicaBefore = await replicaReads();
    // The writer, with its token and without; and any other reader, on
    // either worker, cached or not.
    for (const q of [`&written=${encodeURIComponent(written)}`, '', '']) {
      const r = await freshRead(key, q);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.comments.map((x) => x.id), [c.json.comment.id]);
    }
    for (let i = 0; i < 4; i++) {
      const r = await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`);
      assert.deepEqual(r.json.comments.map((x) => x.id), [c.json.comment.id]);
      const n = await call(srv.base, 'GET', `/api/v1/counts?post=${encodeURIComponent(key)}`);
      assert.equal(n.status, 200, n.text);
      assert.equal(n.json.counts[key], 1);
    }
    assert.equal(await replicaReads(), replicaBefore, 'none of those went to the standby');

    // A post nobody touched is still read there.
    const o = await freshRead(other);
    assert.equal(o.json.comments.length, 1);
    assert.equal(await replicaReads(), replicaBefore + 1, 'an untouched post reads from the standby');

    // The token alone keeps a read off a standby behind it, whatever
    // the post.
    const t = await freshRead(other, `&written=${encodeURIComponent(written)}`);
    assert.equal(t.status, 200);
    assert.equal(await replicaReads(), replicaBefore + 1, 'a writer\'s read waits for the replay');

    // A guest's vote and edit, announced by their triggers, tell where
    // they are too, and show at once.
    const vote = await call(srv.base, 'POST', `/api/v1/comments/${o.json.comments[0].id}/vote`, { json: { value: 1 } });
    assert.equal(vote.status, 200, vote.text);
    assert.match(vote.headers.get('x-parley-written') ?? '', /^[0-9A-F]+\/[0-9A-F]+$/);
    const voted = await freshRead(other, `&written=${encodeURIComponent(vote.headers.get('x-parley-written'))}`);
    assert.equal(voted.json.comments[0].score, 1);
    const mine = await call(srv.base, 'GET', `/api/v1/votes?post=${encodeURIComponent(other)}`);
    assert.equal(mine.json.votes[o.json.comments[0].id], 1, 'the voter sees the vote');
    const edit = await call(srv.base, 'PATCH', `/api/v1/comments/${c.json.comment.id}`,
      { json: { body: 'my own words, edited' }, headers: { 'x-edit-token': c.json.edit_token } });
    assert.equal(edit.status, 200, edit.text);
    const editedAt = edit.headers.get('x-parley-written');
    assert.ok(su(standby, `SELECT pg_last_wal_replay_lsn() < '${editedAt}'::pg_lsn`) === 't');
    const edited = await freshRead(key, `&written=${encodeURIComponent(editedAt)}`);
    assert.match(edited.json.comments[0].html, /edited/);
  } finally {
    su(standby, 'SELECT pg_wal_replay_resume()');
  }
  await caughtUp();
  await sleep(200);
  const replicaBefore = await replicaReads();
  const r = await freshRead(key);
  assert.equal(r.json.comments.length, 1);
  assert.equal(await replicaReads(), replicaBefore + 1, 'replayed: the post reads from the standby again');
});

test('a standby that goes down: every read answers from the primary, then the standby again', async () => {
  const key = uniqueKey('replica-down');
  const later = uniqueKey('replica-back');
  assert.equal((await post(key, 'still here')).status, 201);
  assert.equal((await post(later, 'read once it is back')).status, 201);
  await caughtUp();
  await sleep(200);

  // The standby's end of the pooled connections dies (the watch's
  // lives): the read on one answers from the primary, and the next
  // reads reconnect to the standby.
  for (let i = 0; i < 6; i++) assert.equal((await freshRead(key)).status, 200);
  const killed = su(standby, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE usename = 'parley' AND query NOT LIKE '%pg_last_wal_replay_lsn%'`);
  assert.ok(Number(killed) >= 1, `pooled connections on the standby: ${killed}`);
  const fallbacks = await metric('parley_db_replica_fallbacks_total');
  for (let i = 0; i < 6; i++) {
    const r = await freshRead(key);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.comments.length, 1);
  }
  assert.ok(await metric('parley_db_replica_fallbacks_total') > fallbacks, 'a read failed there and the primary answered');
  let again = false;
  for (let i = 0; i < 40 && !again; i++) {
    await sleep(50);
    const before = await replicaReads();
    const before2 = await metric('parley_db_replica_fallbacks_total');
    assert.equal((await freshRead(key)).status, 200);
    again = await replicaReads() > before && await metric('parley_db_replica_fallbacks_total') === before2;
  }
  assert.ok(again, 'reads reconnected to the standby');

  pgCtl(standby, 'stop', '-m', 'immediate');
  try {
    const statuses = [];
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const r = await freshRead(key);
      statuses.push(r.status);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.comments.length, 1);
    }
    assert.ok(statuses.length > 20, `${statuses.length} reads while it was down`);
  } finally {
    pgCtl(standby, 'start');
  }
  // Back: once its watch answers, reads go there again.
  let back = false;
  for (let i = 0; i < 100 && !back; i++) {
    await sleep(100);
    const before = await replicaReads();
    assert.equal((await freshRead(later)).status, 200);
    back = await replicaReads() > before;
  }
  assert.ok(back, 'reads went back to the standby');
});

test('failover: with synchronous_standby_names, the promoted standby has every acknowledged comment', async () => {
  su(primary, `ALTER SYSTEM SET synchronous_standby_names = '${STANDBY_NAME}'`);
  su(primary, 'SELECT pg_reload_conf()');
  for (let i = 0; ; i++) {
    if (su(primary, `SELECT sync_state FROM pg_stat_replication WHERE application_name = '${STANDBY_NAME}'`) === 'sync') break;
    if (i > 100) throw new Error('the standby did not become synchronous');
    await sleep(100);
  }
  const key = uniqueKey('replica-failover');
  const acknowledged = [];
  let failures = 0;
  let stop = false;
  // Four writers post until the primary is gone.
  const writers = [0, 1, 2, 3].map(async (w) => {
    for (let i = 0; !stop; i++) {
      let r;
      try {
        r = await post(key, `writer ${w} comment ${i}`);
      } catch (_) {
        failures++;
        continue;
      }
      if (r.status === 201) acknowledged.push(r.json.comment.id);
      else failures++;
    }
  });
  while (acknowledged.length < 40) await sleep(20);
  // The primary dies without a shutdown checkpoint.
  pgCtl(primary, 'stop', '-m', 'immediate');
  await sleep(300);
  stop = true;
  await Promise.all(writers);
  await srv.stop();
  srv = null;
  assert.ok(failures > 0, 'writes failed once the primary was gone');

  // Promote the standby; point a node at it.
  pgCtl(standby, 'promote');
  assert.equal(su(standby, 'SELECT pg_is_in_recovery()'), 'f');
  const db = `${process.env.TEST_DB || 'parley_test'}_it_replica`;
  const node = await startParley({
    name: 'it-replica-promoted', workers: 2, shareDb: db,
    env: { PARLEY_DATABASE: conninfo(standby, db) },
  });
  try {
    const ids = new Set();
    let after = '';
    for (;;) {
      const r = await call(node.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}&limit=200${after}`);
      assert.equal(r.status, 200, r.text);
      for (const c of r.json.comments) ids.add(c.id);
      if (!r.json.next) break;
      after = `&after=${encodeURIComponent(r.json.next)}`;
    }
    const lost = acknowledged.filter((id) => !ids.has(id));
    assert.deepEqual(lost, [], `${acknowledged.length} acknowledged, none lost`);
    // The promoted standby takes writes.
    const c = await call(node.base, 'POST', '/api/v1/comments',
      { json: { post: key, body: 'after the failover', author_name: 'Reader' } });
    assert.equal(c.status, 201, c.text);
  } finally {
    await node.stop();
  }
});
