// Live streams (GET /api/v1/stream, Server-Sent Events) on two nodes of
// one database: a comment posted on node A reaches a stream held on node
// B; held comments send nothing until approved; edits and deletions
// arrive; a reconnect with Last-Event-ID is sent exactly what it missed,
// also after the listening connection was killed.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const { execFileSync, spawn } = require('node:child_process');
const { startParley, call, sql, uniqueKey, sleep, top } = require('./harness');

const PW = 'a long enough password';
let a;
let b;
let admin;

before(async () => {
  a = await startParley({ name: 'it-stream-a' });
  b = await startParley({ name: 'it-stream-b', shareDb: a.db });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, a.db], { stdio: 'ignore' });
  const r = await call(a.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
  admin = r.json.token;
});
after(async () => {
  await b.stop();
  await a.stop();
});

// Opens a stream; events arrive in .events as {id, event, data}, and
// .beats counts the heartbeats (comment lines).
function open(srv, key, headers = {}) {
  return new Promise((resolve, reject) => {
    const s = { events: [], status: 0, headers: {}, raw: '', beats: 0 };
    const req = http.get(`${srv.base}/api/v1/stream?post=${encodeURIComponent(key)}`,
      { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        s.status = res.statusCode;
        s.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          s.raw += chunk;
          let i;
          while ((i = s.raw.indexOf('\n\n')) >= 0) {
            const block = s.raw.slice(0, i);
            s.raw = s.raw.slice(i + 2);
            const ev = {};
            if (block === ': heartbeat') s.beats += 1;
            for (const line of block.split('\n')) {
              const m = line.match(/^(id|event|data): ?(.*)$/);
              if (m) ev[m[1]] = m[2];
            }
            if (ev.event) s.events.push({ id: Number(ev.id), event: ev.event, data: JSON.parse(ev.data) });
          }
        });
        res.on('close', () => { s.closed = true; });
        resolve(s);
      });
    req.on('error', reject);
    s.close = () => req.destroy();
  });
}

async function until(s, predicate, ms = 1000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = s.events.find(predicate);
    if (found) return found;
    await sleep(10);
  }
  return null;
}

const post = (srv, key, body, extra = {}) => call(srv.base, 'POST', '/api/v1/comments',
  { json: { post: key, body, author_name: 'Reader', ...extra } });
const moderate = (ids, action) => call(a.base, 'POST', '/api/v1/admin/comments/moderate',
  { json: { ids, action }, headers: { authorization: `Bearer ${admin}` } });

test('a comment posted on node A reaches a stream on node B within a second, with the count', async () => {
  const key = uniqueKey('live');
  const s = await open(b, key);
  assert.equal(s.status, 200);
  assert.match(s.headers['content-type'], /^text\/event-stream/);
  assert.equal(s.headers['x-accel-buffering'], 'no');
  await sleep(100);
  const t0 = Date.now();
  const r = await post(a, key, 'Hello *live*');
  assert.equal(r.status, 201, r.text);
  const ev = await until(s, (e) => e.event === 'comment' && e.data.id === r.json.comment.id);
  assert.ok(ev, `no comment event in 1 s: ${JSON.stringify(s.events)}`);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(ev.data.html, '<p>Hello <em>live</em></p>\n');
  assert.equal(ev.data.parent_id, null);
  assert.equal(ev.data.author.name, 'Reader');
  assert.equal(ev.data.status, 'approved');
  const count = await until(s, (e) => e.event === 'count');
  assert.equal(count.data.count, 1);
  assert.equal(count.id, ev.id);
  s.close();
});

test('a held comment sends nothing until it is approved; edits and deletions arrive', async () => {
  const key = uniqueKey('held');
  sql("UPDATE settings SET value = 'true' WHERE name = 'require_approval'", a.db);
  let held;
  const s = await open(b, key);
  try {
    await sleep(100);
    held = await post(a, key, 'wait for me');
    assert.equal(held.json.comment.status, 'pending', held.text);
    await sleep(500);
    assert.deepEqual(s.events, [], 'nothing for a pending comment');
  } finally {
    sql("UPDATE settings SET value = 'false' WHERE name = 'require_approval'", a.db);
  }
  const id = held.json.comment.id;
  assert.equal((await moderate([id], 'approve')).status, 200);
  assert.ok(await until(s, (e) => e.event === 'comment' && e.data.id === id), JSON.stringify(s.events));
  sql(`UPDATE comments SET body = 'changed', html = '<p>changed</p>' || chr(10), edited_at = now() WHERE id = ${id}`, a.db);
  const edit = await until(s, (e) => e.event === 'edit');
  assert.ok(edit, JSON.stringify(s.events));
  assert.deepEqual([edit.data.id, edit.data.html], [id, '<p>changed</p>\n']);
  assert.equal((await moderate([id], 'spam')).status, 200);
  const del = await until(s, (e) => e.event === 'delete');
  assert.ok(del, JSON.stringify(s.events));
  assert.equal(del.data.id, id);
  const ids = s.events.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'ids increase');
  // Deleted for good by a moderator: the row is gone, the event names it.
  const gone = await post(a, key, 'delete me for good');
  assert.ok(await until(s, (e) => e.event === 'comment' && e.data.id === gone.json.comment.id));
  assert.equal((await moderate([gone.json.comment.id], 'delete')).status, 200);
  assert.ok(await until(s, (e) => e.event === 'delete' && e.data.id === gone.json.comment.id), JSON.stringify(s.events.slice(-3)));
  s.close();
});

test('Last-Event-ID replays exactly the missed events, also after the listening connection was killed', async () => {
  const key = uniqueKey('replay');
  const first = await post(a, key, 'one');
  const s1 = await open(b, key);
  await sleep(100);
  const second = await post(a, key, 'two');
  const seen = await until(s1, (e) => e.event === 'comment' && e.data.id === second.json.comment.id);
  assert.ok(seen);
  s1.close();
  // Missed while away: three comments, one of them on node B.
  const missed = [await post(a, key, 'three'), await post(b, key, 'four'), await post(a, key, 'five')];
  const s2 = await open(b, key, { 'last-event-id': String(seen.id) });
  for (const m of missed) {
    assert.ok(await until(s2, (e) => e.event === 'comment' && e.data.id === m.json.comment.id), JSON.stringify(s2.events));
  }
  await sleep(200);
  const comments = s2.events.filter((e) => e.event === 'comment').map((e) => e.data.id);
  assert.deepEqual(comments, missed.map((m) => m.json.comment.id), 'each missed one once, nothing older');
  assert.ok(!comments.includes(first.json.comment.id));

  // The workers' listening connections die; a comment made meanwhile
  // still arrives once they are back.
  const killed = await killListeners(a.db);
  assert.ok(Number(killed) >= 4, `the four workers' listening connections: ${killed}`);
  const during = await post(a, key, 'six');
  assert.equal(during.status, 201, during.text);
  assert.ok(await until(s2, (e) => e.event === 'comment' && e.data.id === during.json.comment.id, 5000), JSON.stringify(s2.events));
  assert.equal(s2.events.filter((e) => e.event === 'comment' && e.data.id === during.json.comment.id).length, 1);
  s2.close();
});

// The workers' listening connections (both nodes), by their last query.
const LISTENERS = `FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
    AND (query LIKE '%parley_thread%' OR query LIKE '%stream_since%' OR query LIKE 'SELECT announce(%')`;
// Kills every worker's listening connection; how many. Those killed by
// an earlier test reconnect a second later: it waits for all four first.
async function killListeners(db) {
  for (let i = 0; i < 50 && Number(sql(`SELECT count(*) ${LISTENERS}`, db)[0][0]) < 4; i++) await sleep(100);
  return Number(sql(`SELECT count(pg_terminate_backend(pid)) ${LISTENERS}`, db)[0][0]);
}

test('a reader away while the listening connections were killed reconnects with Last-Event-ID: the missed events once each', async () => {
  const key = uniqueKey('rekill');
  await post(a, key, 'old');
  const s1 = await open(b, key);
  await sleep(100);
  const seenPost = await post(a, key, 'seen live');
  const seen = await until(s1, (e) => e.event === 'comment' && e.data.id === seenPost.json.comment.id);
  assert.ok(seen, JSON.stringify(s1.events));
  // The reader goes (a network change) as the workers' listening
  // connections die; comments are made on both nodes meanwhile.
  s1.close();
  assert.ok(await killListeners(a.db) >= 4);
  const missed = [await post(a, key, 'missed on A'), await post(b, key, 'missed on B')];
  for (const m of missed) assert.equal(m.status, 201, m.text);
  // The browser comes back, as EventSource does, with the last id it saw;
  // a worker still without its channel says 503: try again.
  let s2;
  const deadline = Date.now() + 10000;
  for (;;) {
    s2 = await open(b, key, { 'last-event-id': String(seen.id) });
    if (s2.status === 200 || Date.now() > deadline) break;
    s2.close();
    await sleep(200);
  }
  assert.equal(s2.status, 200);
  const ids = missed.map((m) => m.json.comment.id);
  for (const id of ids) {
    assert.ok(await until(s2, (e) => e.event === 'comment' && e.data.id === id, 5000), JSON.stringify(s2.events));
  }
  // And it follows on live.
  const later = await post(a, key, 'after the reconnect');
  assert.ok(await until(s2, (e) => e.event === 'comment' && e.data.id === later.json.comment.id, 5000), JSON.stringify(s2.events));
  await sleep(300);
  const got = s2.events.filter((e) => e.event === 'comment');
  assert.deepEqual(got.map((e) => e.data.id), [...ids, later.json.comment.id], 'each once, nothing seen before');
  const eids = got.map((e) => e.id);
  assert.deepEqual(eids, [...eids].sort((x, y) => x - y));
  assert.ok(eids[0] > seen.id);
  s2.close();
});

// A psql session left open: run() sends SQL and resolves with the next
// line of output (each statement ends with a marker line), end() ends it.
function session(db) {
  const child = spawn(path.join(top, 'scripts', 'pg.sh'),
    ['psql', '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1'],
    { env: { ...process.env, PARLEY_DB_NAME: db }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiting = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    out += chunk;
    let i;
    while (waiting.length && (i = out.indexOf('--done--\n')) >= 0) {
      const text = out.slice(0, i).trim();
      out = out.slice(i + 9);
      waiting.shift()(text);
    }
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    run(query) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${query}\nSELECT '--done--';\n`);
      });
    },
    async end() { child.stdin.end(); await exited; },
  };
}

test('two transactions on one post that commit out of their ids\' order: the stream gets both, in id order, once each; so does a replay', async () => {
  const key = uniqueKey('race');
  const first = await post(a, key, 'before both');
  assert.equal(first.status, 201, first.text);
  const s = await open(b, key);
  await sleep(100);
  // An approved comment whose transaction stays open: its event is
  // numbered, not yet committed.
  const held = session(a.db);
  await held.run('BEGIN;');
  const heldId = Number(await held.run(`INSERT INTO comments (post_id, depth, author_name, body, html, status)
    SELECT post_id, 0, 'Slow', 'slow', '<p>slow</p>', 'approved' FROM comments
    WHERE id = ${first.json.comment.id} RETURNING id;`));
  assert.ok(heldId > 0);
  // Meanwhile a comment through the API on the same post.
  const quick = post(a, key, 'quick');
  await sleep(500);
  await held.run('COMMIT;');
  await held.end();
  const q = await quick;
  assert.equal(q.status, 201, q.text);
  const want = [heldId, q.json.comment.id];
  for (const id of want) {
    assert.ok(await until(s, (e) => e.event === 'comment' && e.data.id === id, 2000),
      `comment ${id} reached the stream: ${JSON.stringify(s.events.map((e) => [e.id, e.event, e.data.id]))}`);
  }
  await sleep(200);
  const got = s.events.filter((e) => e.event === 'comment');
  assert.deepEqual(got.map((e) => e.data.id), want, 'each once, in the order of their ids');
  assert.ok(got[0].id < got[1].id, 'event ids increase');
  s.close();
  // A reconnect from before both is sent both.
  const from = got[0].id - 1;
  const r = await open(b, key, { 'last-event-id': String(from) });
  for (const id of want) {
    assert.ok(await until(r, (e) => e.event === 'comment' && e.data.id === id, 2000), JSON.stringify(r.events));
  }
  await sleep(200);
  assert.deepEqual(r.events.filter((e) => e.event === 'comment').map((e) => e.data.id), want);
  r.close();
});

// Opens n streams one after the other, each a connection of its own;
// a refused one is closed at once.
async function openMany(srv, key, n, headers = () => ({})) {
  const all = [];
  for (let i = 0; i < n; i++) {
    const x = await open(srv, key, headers(i));
    if (x.status !== 200) x.close();
    all.push(x);
  }
  return all;
}
const statuses = (all) => all.map((x) => x.status).sort().join(',');
const closeAll = async (all) => {
  for (const x of all) x.close();
  await sleep(300);
};

// The caps count the node's streams, whichever worker holds them. A
// Kore worker keeps taking connections until it holds
// worker_max_connections: at 7 a worker, more than 7 streams are held by
// both workers. Counted per worker, each would have let 8 streams of one
// address and stream_max streams through.
let caps;
const capsNode = async () => {
  caps ??= await startParley({
    name: 'it-stream-caps', shareDb: a.db, workers: 2,
    env: { PARLEY_MAX_CONNECTIONS: '7', PARLEY_STREAM_MAX: '10', PARLEY_TRUSTED_PROXIES: '127.0.0.1' },
  });
  return caps;
};
after(async () => { if (caps) await caps.stop(); });

test('refusals: no post; one address holds 8 streams on the node, over both workers', async () => {
  const srv = await capsNode();
  const none = await call(srv.base, 'GET', '/api/v1/stream');
  assert.equal(none.status, 400);
  const key = uniqueKey('cap');
  const all = await openMany(srv, key, 12, () => ({ 'x-forwarded-for': '192.0.2.77' }));
  try {
    assert.equal(statuses(all), '200,200,200,200,200,200,200,200,429,429,429,429');
    const refused = all.find((x) => x.status === 429);
    assert.equal(refused.headers['retry-after'], '60');
    // Someone else is not refused.
    const other = await open(srv, key, { 'x-forwarded-for': '192.0.2.78' });
    assert.equal(other.status, 200);
    other.close();
  } finally {
    await closeAll(all);
  }
  const again = await open(srv, key, { 'x-forwarded-for': '192.0.2.77' });
  assert.equal(again.status, 200, 'closed streams free their places');
  await closeAll([again]);
});

test('an IPv6 /64 is one address for the stream cap', async () => {
  const srv = await capsNode();
  const key = uniqueKey('cap6');
  // Each stream from another address of 2001:db8:16:1::/64.
  const all = await openMany(srv, key, 10, (i) => ({ 'x-forwarded-for': `2001:db8:16:1:${i.toString(16)}::${i + 1}` }));
  try {
    assert.equal(statuses(all), '200,200,200,200,200,200,200,200,429,429');
    const next = await open(srv, key, { 'x-forwarded-for': '2001:db8:16:2::1' });
    assert.equal(next.status, 200, 'the next /64 is someone else');
    next.close();
  } finally {
    await closeAll(all);
  }
});

test('past stream_max streams on the node, over both workers, new streams get 503 with Retry-After', async () => {
  const srv = await capsNode();
  const key = uniqueKey('capped');
  const all = await openMany(srv, key, 12, (i) => ({ 'x-forwarded-for': `198.51.100.${i + 1}` }));
  try {
    assert.equal(statuses(all), '200,200,200,200,200,200,200,200,200,200,503,503');
    const refused = all.find((x) => x.status === 503);
    assert.equal(refused.headers['retry-after'], '60');
  } finally {
    await closeAll(all);
  }
  const again = await open(srv, key, { 'x-forwarded-for': '198.51.100.1' });
  assert.equal(again.status, 200, 'places freed are taken again');
  await closeAll([again]);
});

test('a worker that dies leaves no counts behind: its slot starts empty when Kore starts it again', async () => {
  const srv = await capsNode();
  const key = uniqueKey('died');
  const from = { 'x-forwarded-for': '192.0.2.99' };
  const all = await openMany(srv, key, 8, () => from);
  try {
    assert.equal(statuses(all), '200,200,200,200,200,200,200,200');
    // Kill the first worker (Kore names its pid in the parent's children).
    const parent = fs.readFileSync(path.join(top, 'var', 'run', 'it-stream-caps', 'kore.pid'), 'utf8').trim();
    const workers = fs.readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(workers.length, 2);
    process.kill(workers[0], 'SIGKILL');
    const t0 = Date.now();
    while (!all.some((x) => x.closed) && Date.now() - t0 < 3000) await sleep(20);
    const alive = all.filter((x) => !x.closed).length;
    assert.ok(alive < 8, 'the dead worker held some of them');
    // Kore starts it again; the address may have 8 - alive more, no fewer.
    await sleep(500);
    const more = await openMany(srv, key, 8 - alive + 1, () => from);
    all.push(...more);
    assert.equal(statuses(more), `${'200,'.repeat(8 - alive)}429`);
  } finally {
    await closeAll(all);
  }
});

test('a reader more than 200 events behind is told to reload (reset), then follows on', async () => {
  const key = uniqueKey('far');
  const first = await post(a, key, 'before');
  const s1 = await open(b, key);
  await sleep(100);
  const seen = await post(a, key, 'seen');
  const last = await until(s1, (e) => e.event === 'comment' && e.data.id === seen.json.comment.id);
  assert.ok(last);
  s1.close();
  // 250 comments while away, straight into the table (each an event).
  sql(`INSERT INTO comments (post_id, depth, author_name, body, html, status)
    SELECT post_id, 0, 'Many', 'n' || g, '<p>n' || g || '</p>', 'approved'
    FROM comments, generate_series(1, 250) g WHERE id = ${first.json.comment.id}`, a.db);
  const s2 = await open(b, key, { 'last-event-id': String(last.id) });
  assert.equal(s2.status, 200, JSON.stringify(s2.headers));
  const reset = await until(s2, (e) => e.event === 'reset', 5000);
  // What came instead, if anything, and what the server logged (it
  // failed once in a full run, never alone).
  assert.ok(reset, JSON.stringify({ events: s2.events.slice(0, 3), raw: s2.raw.slice(0, 200), log: b.logTail() }));
  assert.equal(s2.events.filter((e) => e.event === 'comment').length, 0, 'no partial replay before the reset');
  const after = await post(a, key, 'after the reset');
  assert.ok(await until(s2, (e) => e.event === 'comment' && e.data.id === after.json.comment.id, 3000), 'followed on');
  s2.close();
});

test('an idle stream hears a heartbeat every stream_heartbeat_ms (15 s unless set)', async () => {
  const beat = await startParley({ name: 'it-stream-beat', shareDb: a.db, workers: 1, env: { PARLEY_STREAM_HEARTBEAT_MS: '300' } });
  try {
    const s = await open(beat, uniqueKey('beat'));
    assert.equal(s.status, 200);
    const t0 = Date.now();
    while (s.beats < 3 && Date.now() - t0 < 3000) await sleep(20);
    assert.ok(s.beats >= 3, `3 heartbeats in ${Date.now() - t0} ms: ${s.beats}`);
    assert.deepEqual(s.events, [], 'a heartbeat is no event');
    // Heartbeats keep Kore's idle timer (3 beats) from closing it: it
    // hears three more, however late a loaded machine sends them.
    const t1 = Date.now();
    while (s.beats < 6 && !s.closed && Date.now() - t1 < 4000) await sleep(20);
    assert.ok(s.beats >= 6 && !s.closed, `still open: ${s.beats} beats, closed: ${!!s.closed}`);
    s.close();
  } finally {
    await beat.stop();
  }
});
