// Two Parley nodes on one database behind a real nginx, the shipped site
// (conf/nginx-parley.conf, its upstream given both nodes; nginx.js) with
// one line added for the test: X-Upstream, the node that answered.
// Caches stay coherent across nodes; a node killed (SIGKILL, every process
// of it) during a posting load loses no acknowledged comment and no
// event, and the other node keeps serving.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, uniqueKey, sleep, top } = require('./harness');
const { makeCertificates, startNginx } = require('./nginx');
const { startReceiver, verify } = require('./hook_receiver');

const dir = path.join(top, 'var', 'nodes-test');
const PW = 'a long enough password';

let a;			// node A: killed in the second test
let b;			// node B
let nginx;		// { ports, stop() }
let caPem;
let agent;		// keep-alive https to nginx
let rcv;		// the event hook's receiver
let hook;		// { id, secret, ... }

before(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  caPem = makeCertificates(dir);
  const env = { PARLEY_TRUSTED_PROXIES: '127.0.0.1' };
  a = await startParley({ name: 'it-nodes-a', workers: 2, env });
  // One key file for both: hook secrets are sealed under it.
  b = await startParley({ name: 'it-nodes-b', workers: 2, shareDb: a.db,
    env: { ...env, PARLEY_KEY_FILE: path.join(top, 'var', 'run', 'it-nodes-a', 'parley.key') } });
  nginx = await startNginx({ dir, parley: [a.port, b.port],
    edit: (s) => s.replace(/\n([ \t]*)proxy_pass http:\/\/parley;/,
      '\n$1proxy_pass http://parley;\n$1add_header X-Upstream $upstream_addr always;') });
  agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: caPem });

  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['nodes-admin@example.org', PW, a.db], { stdio: 'ignore' });
  const login = await call(a.base, 'POST', '/api/v1/auth/login',
    { json: { email: 'nodes-admin@example.org', password: PW } });
  assert.equal(login.status, 200, login.text);
  rcv = await startReceiver();
  const r = await call(a.base, 'POST', '/api/v1/admin/hooks', {
    headers: { authorization: `Bearer ${login.json.token}` },
    json: { url: `${rcv.url}/events`, kind: 'event', events: ['comment.created'], enabled: true },
  });
  assert.equal(r.status, 201, r.text);
  hook = { ...r.json.hook, secret: r.json.secret };
});

after(async () => {
  agent?.destroy();
  if (nginx) await nginx.stop();
  if (rcv) await rcv.stop();
  if (a) await a.stop();
  if (b) await b.stop();
});

// One request; resolves { status, headers, json } or { error } (a
// connection refused, reset or cut short), never rejects.
// to: 'nginx' (https, kept alive) or a node (plain http, a fresh
// connection, so that either of its workers may take it).
function request(method, urlPath, { to = 'nginx', json } = {}) {
  const body = json === undefined ? undefined : JSON.stringify(json);
  const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve) => {
    const opts = to === 'nginx'
      ? { host: '127.0.0.1', port: nginx.ports.https, agent, method, path: urlPath, headers }
      : { host: '127.0.0.1', port: to.port, agent: false, method, path: urlPath, headers: { ...headers, connection: 'close' } };
    const req = (to === 'nginx' ? https : http).request(opts, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (error) => resolve({ error }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let data = null;
        try { data = JSON.parse(text); } catch (_) { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json: data });
      });
    });
    req.setTimeout(15000, () => req.destroy(new Error('no answer in 15 s')));
    req.on('error', (error) => resolve({ error }));
    req.end(body);
  });
}

const threadPath = (key) => `/api/v1/comments?post=${encodeURIComponent(key)}&sort=newest&limit=200`;
const countsPath = (keys) => `/api/v1/counts?${keys.map((k) => `post=${encodeURIComponent(k)}`).join('&')}`;
// The node that answered: nginx lists every node it tried ("A, B" when A
// refused the connection and B answered).
const nodeOf = (r) => r.headers?.['x-upstream']?.split(', ').at(-1);

test('caches stay coherent: a comment posted through either node shows on every node within a second', async () => {
  const key = uniqueKey('nodes');
  const first = await request('POST', '/api/v1/comments', { json: { post: key, body: 'the first', author_name: 'A' } });
  assert.equal(first.status, 201, first.text);

  // nginx spreads reads over both nodes.
  const seen = new Set();
  for (let i = 0; i < 10; i++) {
    const r = await request('GET', threadPath(key));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.comments.map((c) => c.id), [first.json.comment.id]);
    seen.add(nodeOf(r));
  }
  assert.deepEqual([...seen].sort(), [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort(), 'reads went to both nodes');

  const posters = new Set();
  const ids = [first.json.comment.id];
  for (let round = 0; round < 4; round++) {
    // Every worker of both nodes has the thread and the count cached.
    for (const node of [a, b]) {
      for (let i = 0; i < 6; i++) {
        const r = await request('GET', threadPath(key), { to: node });
        assert.deepEqual(r.json.comments.map((c) => c.id), [...ids].reverse());
        const n = await request('GET', countsPath([key]), { to: node });
        assert.equal(n.json.counts[key], ids.length);
      }
    }
    const posted = await request('POST', '/api/v1/comments', { json: { post: key, body: `round ${round}`, author_name: 'A' } });
    assert.equal(posted.status, 201, posted.text);
    const t0 = Date.now();
    posters.add(nodeOf(posted));
    ids.push(posted.json.comment.id);
    // README: other nodes drop their copy as soon as PostgreSQL hands
    // them the NOTIFY, usually within a millisecond. Allow a second; then
    // every worker of every node must show it, read after read.
    for (const node of [a, b]) {
      let agreeing = 0;
      while (agreeing < 8) {
        const r = await request('GET', threadPath(key), { to: node });
        const n = await request('GET', countsPath([key]), { to: node });
        const fresh = r.json.comments[0]?.id === posted.json.comment.id && n.json.counts[key] === ids.length;
        agreeing = fresh ? agreeing + 1 : 0;
        if (!fresh) {
          assert.ok(Date.now() - t0 < 1000, `node ${node.port} still shows the thread without comment ${posted.json.comment.id} after 1 s`);
          await sleep(10);
        }
      }
    }
  }
  assert.equal(posters.size, 2, `posts went to both nodes: ${[...posters]}`);
});

test('a node killed during a posting load: every 201 is stored and its event delivered once; the other node serves on', async () => {
  const keys = [0, 1, 2, 3].map(() => uniqueKey('nodes-load'));
  const results = [];		// { key, body, t, status, id, node, error }
  const reads = [];		// { t, status, error }
  let stopAt = Infinity;
  let killedAt = Infinity;

  const poster = async (c) => {
    for (let n = 0; Date.now() < stopAt; n++) {
      const key = keys[(c + n) % keys.length];
      const body = `load ${process.pid} client ${c} comment ${n}`;
      const t = Date.now();
      const r = await request('POST', '/api/v1/comments', { json: { post: key, body, author_name: `Client ${c}` } });
      results.push({ key, body, t, status: r.status, id: r.json?.comment?.id, node: nodeOf(r), error: r.error?.message });
      // A refused request comes back at once: do not spin on it.
      if (r.status !== 201) await sleep(20);
    }
  };
  const reader = async (c) => {
    for (let n = 0; Date.now() < stopAt; n++) {
      const t = Date.now();
      const r = await request('GET', n % 2 ? countsPath(keys) : threadPath(keys[(c + n) % keys.length]));
      reads.push({ t, status: r.status, error: r.error?.message });
    }
  };
  const load = [...Array.from({ length: 8 }, (_, c) => poster(c)), reader(0), reader(1)];
  await sleep(1500);
  killedAt = Date.now();
  await a.kill();
  const killTook = Date.now() - killedAt;
  stopAt = Date.now() + 2500;
  await Promise.all(load);

  const before = results.filter((r) => r.t < killedAt);
  const afterKill = results.filter((r) => r.t > killedAt + killTook);
  const ok = results.filter((r) => r.status === 201);
  const failed = results.filter((r) => r.status !== 201);
  // Failures are clean: nginx's 502 (or 503, 504), or a connection error;
  // never anything else, and never a 201 without an id.
  for (const r of failed) {
    assert.ok([502, 503, 504].includes(r.status) || r.error, `a failed post: ${JSON.stringify(r)}`);
  }
  for (const r of ok) assert.ok(Number.isInteger(r.id), JSON.stringify(r));
  assert.ok(before.filter((r) => r.status === 201).length > 20, 'posts were acknowledged before the kill');
  assert.ok(afterKill.filter((r) => r.status === 201).length > 20, 'posts were acknowledged after the kill');
  const afterNodes = new Set(afterKill.filter((r) => r.status === 201).map((r) => r.node));
  assert.deepEqual([...afterNodes], [`127.0.0.1:${b.port}`], 'after the kill, the other node took the posts');
  assert.ok(reads.filter((r) => r.t > killedAt + killTook && r.status === 200).length > 0, 'reads went on');
  for (const r of reads) assert.ok(r.status === 200 || [502, 503, 504].includes(r.status) || r.error, JSON.stringify(r));

  // Every 201 is stored, by id and body; whatever else is stored was sent
  // and answered with an error (the node died between its commit and its
  // answer).
  const stored = new Map(sql(`SELECT c.id, c.body FROM comments c JOIN posts p ON p.id = c.post_id
    WHERE p.key IN (${keys.map((k) => `'${k}'`).join(',')})`, a.db).map(([id, body]) => [Number(id), body]));
  for (const r of ok) assert.equal(stored.get(r.id), r.body, `comment ${r.id} (201) is stored with its body`);
  const okIds = new Set(ok.map((r) => r.id));
  const failedBodies = new Set(failed.map((r) => r.body));
  const storedUnacked = [...stored].filter(([id]) => !okIds.has(id));
  for (const [id, body] of storedUnacked) assert.ok(failedBodies.has(body), `comment ${id} was stored but never sent: ${body}`);
  assert.equal(new Set(stored.values()).size, stored.size, 'no body stored twice');

  // Node B's caches (filled by the reads during the load) hold what is
  // stored, comments node A stored just before it died included.
  const counts = Object.fromEntries(keys.map((k) => [k, 0]));
  const newest = {};
  for (const [k, n, last] of sql(`SELECT p.key, count(*), max(c.id) FROM comments c JOIN posts p ON p.id = c.post_id
    WHERE p.key IN (${keys.map((k) => `'${k}'`).join(',')}) AND c.status = 'approved' GROUP BY p.key`, a.db)) {
    counts[k] = Number(n);
    newest[k] = Number(last);
  }
  for (let i = 0; i < 8; i++) {
    const r = await request('GET', countsPath(keys), { to: b });
    assert.deepEqual(r.json.counts, counts, 'node B\'s counts are the database\'s');
    const key = keys[i % keys.length];
    const t = await request('GET', threadPath(key), { to: b });
    assert.equal(t.json.comments[0]?.id, newest[key], `node B's thread ${key} shows its newest comment`);
  }

  // Every stored comment's comment.created event reaches the receiver,
  // from node B's deliverer alone once A is dead. Deliveries node A had
  // claimed are leased to it for a minute (DELIVERY_LEASE_S): once B has
  // sent all it can, end those leases as the clock would.
  let leasesEnded = 0;
  const waitFrom = Date.now();
  // The events of this test's posts (the first test's come here too).
  const events = () => rcv.requests.filter((q) => q.path === '/events' && keys.includes(q.json?.data?.comment?.post));
  const delivered = () => new Set(events().map((q) => q.json.data.comment.id));
  // The deliverer records each attempt durably, one after the other: on
  // a busy 2-core machine some 50 a second.
  const deadline = Date.now() + 40000;
  let lastCount = -1;
  let quietSince = Date.now();
  // A delivery node A sent but did not get to record is sent again, by
  // B, once its lease ends: the same webhook-id, a repeat to drop.
  const unrecorded = () => Number(sql(`SELECT count(*) FROM deliveries WHERE hook_id = ${hook.id} AND state <> 'success'`, a.db)[0][0]);
  for (;;) {
    const got = delivered();
    if ([...stored.keys()].every((id) => got.has(id)) && unrecorded() === 0) break;
    assert.ok(Date.now() < deadline, `delivered ${got.size} of ${stored.size} comments' events; ${unrecorded()} deliveries not recorded as sent`);
    if (rcv.requests.length !== lastCount) {
      lastCount = rcv.requests.length;
      quietSince = Date.now();
    } else if (Date.now() - quietSince > 1500) {
      const [[due]] = sql(`SELECT count(*) FROM deliveries WHERE hook_id = ${hook.id} AND state = 'pending' AND next_at <= now()`, a.db);
      if (due === '0') {
        leasesEnded += Number(sql(`WITH e AS (UPDATE deliveries SET next_at = now()
          WHERE hook_id = ${hook.id} AND state = 'pending' AND next_at > now() RETURNING 1) SELECT count(*) FROM e`, a.db)[0][0]);
        quietSince = Date.now();
      }
    }
    await sleep(100);
  }
  const deliveryWaitMs = Date.now() - waitFrom;
  // Nothing more is coming.
  await sleep(1000);
  assert.equal(unrecorded(), 0);

  // Exactly once, as a receiver counts it: repeats of a webhook-id are
  // dropped; no comment comes under two webhook-ids, none is unknown.
  const byId = new Map();
  let repeats = 0;
  const seenWebhookIds = new Set();
  for (const q of events()) {
    const payload = verify(hook.secret, q);
    assert.equal(payload.type, 'comment.created');
    const wid = q.headers['webhook-id'];
    if (seenWebhookIds.has(wid)) { repeats += 1; continue; }
    seenWebhookIds.add(wid);
    const id = payload.data.comment.id;
    assert.ok(stored.has(id), `an event for comment ${id}, which is not stored`);
    assert.ok(!byId.has(id), `comment ${id} delivered under two webhook-ids: ${byId.get(id)}, ${wid}`);
    byId.set(id, wid);
    assert.equal(payload.data.comment.body ?? stored.get(id), stored.get(id));
  }
  assert.equal(byId.size, stored.size, 'one event for each stored comment');

  // Node B serves on, through nginx: reads and posts.
  for (let i = 0; i < 6; i++) {
    const r = await request('GET', threadPath(keys[i % keys.length]));
    assert.equal(r.status, 200, r.text);
    const p = await request('POST', '/api/v1/comments', { json: { post: keys[i % keys.length], body: `after the load ${i}`, author_name: 'Late' } });
    assert.equal(p.status, 201, p.text);
    assert.equal(nodeOf(p), `127.0.0.1:${b.port}`);
  }
  const figures = {
    sent: results.length, acknowledged: ok.length, failed: failed.length,
    failedBy: failed.reduce((m, r) => { const k = r.status ?? r.error; m[k] = (m[k] || 0) + 1; return m; }, {}),
    stored: stored.size, storedUnacknowledged: storedUnacked.length,
    delivered: byId.size, repeatedWebhookIds: repeats, leasesEnded,
    reads: reads.length, killTookMs: killTook, deliveryWaitMs,
  };
  console.log(`# ${JSON.stringify(figures)}`);
});
