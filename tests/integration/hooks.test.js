// Event hooks end to end: the admin hook API, the outbox written by the
// database, and the deliverer (in Kore's first worker, or as
// build/parley-deliver) POSTing signed events to a receiver
// of ours. Signatures (Standard Webhooks) are checked with the
// standardwebhooks library, as a receiver would, not with Parley's code.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const { execFileSync, spawn } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, sleep, top } = require('./harness');
const { startReceiver, verify, verifies } = require('./hook_receiver');

const PW = 'a long enough password';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
// "whsec_" + standard base64 of the 32-byte key.
const SECRET_RE = /^whsec_[A-Za-z0-9+/]{43}=$/;
const SIG = 'v1,[A-Za-z0-9+/]{43}=';

let srv;		// the main Parley, delivering from its first worker
let admin;		// its admin's Bearer header
const receivers = [];
const deliverers = new Set();
const servers = [];

async function receiver() {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function adminOf(server) {
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, server.db], { stdio: 'ignore' });
  const login = await call(server.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
  assert.equal(login.status, 200, login.text);
  return { authorization: `Bearer ${login.json.token}` };
}

before(async () => {
  srv = await startParley({ name: 'it-hooks' });
  admin = await adminOf(srv);
});

after(async () => {
  for (const d of deliverers) d.kill('SIGKILL');
  for (const r of receivers) await r.stop();
  for (const s of servers) await s.stop();
  await srv.stop();
});

const api = (method, urlPath, json, server = srv, headers = admin) =>
  call(server.base, method, urlPath, { json, headers });

async function makeHook(url, events = [], extra = {}, server = srv, headers = admin) {
  const r = await api('POST', '/api/v1/admin/hooks', { url, kind: 'event', events, enabled: true, ...extra }, server, headers);
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, SECRET_RE);
  return { ...r.json.hook, secret: r.json.secret };
}

async function dropHook(id, server = srv, headers = admin) {
  const r = await api('DELETE', `/api/v1/admin/hooks/${id}`, undefined, server, headers);
  assert.equal(r.status, 204, r.text);
}

async function deliveries(hookId, server = srv, headers = admin) {
  const r = await api('GET', `/api/v1/admin/hooks/${hookId}/deliveries?limit=100`, undefined, server, headers);
  assert.equal(r.status, 200, r.text);
  return r.json.deliveries;
}

// Polls the deliveries list until one matches (recording follows the
// receiver's answer by a moment).
async function waitDelivery(hookId, pred, what, { timeoutMs = 15000, server = srv, headers = admin } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await deliveries(hookId, server, headers);
    const found = list.find(pred);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(list)}`);
    await sleep(100);
  }
}

// Polls the deliveries list until pred holds for all of it.
async function waitDeliveries(hookId, pred, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await deliveries(hookId);
    if (pred(list)) return list;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(list)}`);
    await sleep(100);
  }
}

function guestComment(server, json) {
  return call(server.base, 'POST', '/api/v1/comments', { json: { author_name: 'Guest', ...json } });
}

// Runs build/parley-deliver against a server's database, as serve.sh
// would; its output goes to var/NAME-deliver-TAG.log.
function startDeliverer(name, tag) {
  const logPath = path.join(top, 'var', `${name}-deliver-${tag}.log`);
  const log = fs.openSync(logPath, 'w');
  const child = spawn(path.join(top, 'build', 'parley-deliver'), [],
    { env: { ...process.env, PARLEY_CONF: path.join(top, 'var', 'run', name, 'parley.conf') }, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  deliverers.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => { deliverers.delete(child); resolve({ code, signal }); }));
  return {
    child,
    // The attempts it logged ("deliver: UUID TYPE -> URL: ...").
    attempts: () => fs.readFileSync(logPath, 'utf8').split('\n').filter((l) => /^deliver: [0-9a-f-]{36} /.test(l)),
    log: () => fs.readFileSync(logPath, 'utf8'),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

// Kills a server started by startParley at once (serve.sh, Kore and its
// workers: serve.sh leads their process group), with no chance to clean up.
function killServer(name) {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m && m[1] === m[2] && /scripts\/serve\.sh /.test(m[3]) && m[3].split(/\s+/).includes(name)) {
      process.kill(-Number(m[2]), 'SIGKILL');
      return;
    }
  }
  throw new Error(`no serve.sh process group for ${name}`);
}

// Checks one received delivery: shape, headers and, with the
// standardwebhooks library, a signature for each given secret (both
// during a rotation: each secret's own Webhook must accept it).
function assertSigned(req, secrets) {
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['user-agent'], 'Parley-Hooks/1');
  assert.ok(req.json, `body is not JSON: ${req.body}`);
  assert.deepEqual(Object.keys(req.json), ['id', 'type', 'created_at', 'data']);
  assert.match(req.json.id, UUID_RE);
  assert.match(req.json.created_at, RFC3339_RE);
  assert.equal(req.headers['x-parley-event'], req.json.type);
  assert.match(req.headers['webhook-id'], UUID_RE);
  const ts = req.headers['webhook-timestamp'];
  assert.match(ts, /^\d+$/);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 300, `timestamp ${ts}`);
  // One signature per secret, separated by a space.
  assert.match(req.headers['webhook-signature'], new RegExp(`^${secrets.map(() => SIG).join(' ')}$`));
  for (const secret of secrets) assert.deepEqual(verify(secret, req), req.json);
  // The headers of before Standard Webhooks are gone.
  for (const old of ['x-parley-signature', 'x-parley-timestamp', 'x-parley-delivery']) {
    assert.equal(req.headers[old], undefined, old);
  }
}

test('each event type reaches the hooks that want it, signed and shaped as documented', async (t) => {
  const rcv = await receiver();
  const all = await makeHook(`${rcv.url}/all`);
  const some = await makeHook(`${rcv.url}/some`, ['comment.approved', 'post.closed']);
  const off = await makeHook(`${rcv.url}/off`, [], { enabled: false });
  t.after(async () => { for (const h of [all, some, off]) await dropHook(h.id); setSettings({ first_comment_approval: false }); });
  assert.deepEqual(some.events, ['comment.approved', 'post.closed']);
  assert.equal(off.enabled, false);
  assert.deepEqual(all.deliveries, { pending: 0, failed: 0, success: 0 });

  srv.use();
  setSettings({ first_comment_approval: true });
  const key = uniqueKey('hooked');
  const email = `${uniqueKey('g')}@example.org`;
  const moderate = async (id, action) => {
    const r = await api('POST', '/api/v1/admin/comments/moderate', { ids: [id], action });
    assert.deepEqual(r.json, { updated: 1 }, r.text);
  };

  const held = await guestComment(srv, { post: key, body: 'first words', author_email: email });
  assert.equal(held.status, 201, held.text);
  assert.equal(held.json.comment.status, 'pending');
  const c1 = held.json.comment.id;
  await moderate(c1, 'approve');
  await moderate(c1, 'spam');
  // No API action sends a comment back to pending; the trigger still
  // reports it when it happens.
  sql(`UPDATE comments SET status = 'pending' WHERE id = ${c1}`);

  setSettings({ first_comment_approval: false });
  const second = await guestComment(srv, { post: key, body: 'to be edited' });
  assert.equal(second.status, 201, second.text);
  const c2 = second.json.comment.id;
  const tok = { 'x-edit-token': second.json.edit_token };
  const edit = await call(srv.base, 'PATCH', `/api/v1/comments/${c2}`, { json: { body: 'edited words' }, headers: tok });
  assert.equal(edit.status, 200, edit.text);
  const del = await call(srv.base, 'DELETE', `/api/v1/comments/${c2}`, { headers: tok });
  assert.equal(del.status, 204, del.text);
  const close = await api('PATCH', `/api/v1/admin/posts?key=${key}`, { open: false });
  assert.equal(close.status, 200, close.text);

  const expected = [
    ['comment.created', c1, 'pending'], ['comment.approved', c1, 'approved'], ['comment.spammed', c1, 'spam'],
    ['comment.held', c1, 'pending'], ['comment.created', c2, 'approved'], ['comment.edited', c2, 'approved'],
    ['comment.deleted', c2, 'deleted'], ['post.closed', null, null],
  ];
  // The outbox fanned out in each change's transaction: the counts are final.
  const count = (hook) => Number(sql(`SELECT count(*) FROM deliveries WHERE hook_id = ${hook.id}`)[0][0]);
  assert.equal(count(all), expected.length);
  assert.equal(count(some), 2);
  assert.equal(count(off), 0);

  await rcv.waitUntil((reqs) => reqs.filter((r) => r.path === '/all').length >= expected.length &&
    reqs.filter((r) => r.path === '/some').length >= 2, 20000, 'all events');
  const got = rcv.requests.filter((r) => r.path === '/all');
  assert.equal(got.length, expected.length);
  for (const req of got) assertSigned(req, [all.secret]);
  const summary = (r) => [r.json.type, r.json.data.comment?.id ?? null, r.json.data.comment?.status ?? null];
  const sortKey = (a) => JSON.stringify(a);
  assert.deepEqual(got.map(summary).sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    expected.slice().sort((a, b) => sortKey(a).localeCompare(sortKey(b))));
  const byType = (type) => got.find((r) => r.json.type === type).json;
  assert.equal(byType('comment.edited').data.comment.body, 'edited words');
  assert.equal(byType('comment.created').data.comment.post, key);
  assert.equal(byType('post.closed').data.post.key, key);
  // One event id per event; every delivery its own id.
  assert.equal(new Set(got.map((r) => r.json.id)).size, expected.length);
  assert.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, expected.length);

  const someGot = rcv.requests.filter((r) => r.path === '/some');
  assert.deepEqual(someGot.map((r) => r.json.type).sort(), ['comment.approved', 'post.closed']);
  for (const req of someGot) assertSigned(req, [some.secret]);
  // The same event has the same id for every hook.
  assert.equal(someGot.find((r) => r.json.type === 'post.closed').json.id, byType('post.closed').id);
  assert.equal(rcv.requests.filter((r) => r.path === '/off').length, 0);

  // The admin's view agrees with what arrived.
  const recorded = await waitDeliveries(all.id, (list) => list.length === expected.length &&
    list.every((d) => d.state === 'success'), 'every delivery recorded');
  for (const d of recorded) {
    const req = got.find((r) => r.headers['webhook-id'] === d.uuid);
    assert.ok(req, `delivery ${d.uuid} was not received`);
    assert.equal(d.event.uuid, req.json.id);
    assert.equal(d.event.type, req.json.type);
    assert.ok(Math.abs(Date.parse(d.event.created_at) - Date.parse(req.json.created_at)) < 1000,
      `${d.event.created_at} vs ${req.json.created_at}`);
    assert.equal(d.state, 'success');
    assert.equal(d.attempts, 1);
    assert.equal(d.last_status, 200);
    assert.equal(d.log.length, 1);
    assert.equal(d.log[0].status, 200);
    assert.equal(d.log[0].response, 'thanks');
  }
  // The library is not fooled by a changed body, id or time, nor
  // satisfied by another hook's secret.
  const one = got[0];
  assert.throws(() => verify(all.secret, { ...one, raw: Buffer.from(`${one.body} `) }), /No matching signature/);
  assert.throws(() => verify(all.secret, { ...one, headers: { ...one.headers, 'webhook-id': got[1].headers['webhook-id'] } }),
    /No matching signature/);
  assert.throws(() => verify(all.secret, { ...one, headers: { ...one.headers,
    'webhook-timestamp': String(Number(one.headers['webhook-timestamp']) + 1) } }), /No matching signature/);
  assert.ok(!verifies(some.secret, one));
});

test('failures are retried with backoff, each attempt logged, until the receiver answers 2xx', async (t) => {
  const rcv = await receiver();
  rcv.setMode('fail');
  const hook = await makeHook(`${rcv.url}/flaky`, ['comment.created']);
  t.after(() => dropHook(hook.id));
  srv.use();
  const r = await guestComment(srv, { post: uniqueKey('flaky'), body: 'retry me' });
  assert.equal(r.status, 201, r.text);

  const first = await rcv.waitFor(() => true, 15000, 'the first attempt');
  let d = await waitDelivery(hook.id, (x) => x.attempts === 1, 'the first attempt recorded');
  assert.equal(d.state, 'pending');
  assert.equal(d.last_status, 500);
  assert.equal(d.last_error, 'HTTP 500');
  const due = (x) => new Date(x.next_at).getTime() - new Date(x.log.at(-1).at).getTime();
  // 5 s with ±25% jitter after the first failure (times are shown to
  // the second, hence the wider bounds).
  assert.ok(due(d) >= 2500 && due(d) <= 7500, `next attempt ${due(d)} ms after the first`);
  // Not sooner than that: no second request within a second.
  await sleep(1000);
  assert.equal(rcv.requests.length, 1);

  // Instead of waiting out the backoff, bring the retry forward.
  sql(`UPDATE deliveries SET next_at = now() WHERE id = ${d.id}`);
  await rcv.waitUntil((reqs) => reqs.length >= 2, 10000, 'the second attempt');
  d = await waitDelivery(hook.id, (x) => x.attempts === 2, 'the second attempt recorded');
  assert.equal(d.state, 'pending');
  assert.equal(d.last_status, 500);
  // The wait doubles: 10 s ± 25%.
  assert.ok(due(d) >= 6000 && due(d) <= 14000, `next attempt ${due(d)} ms after the second`);
  assert.equal(d.log.length, 2);
  for (const a of d.log) {
    assert.equal(a.status, 500);
    assert.equal(a.error, 'HTTP 500');
    assert.equal(a.response, 'receiver says no\n');
    assert.equal(typeof a.duration_ms, 'number');
    assert.match(a.at, RFC3339_RE);
  }

  rcv.setMode('ok');
  sql(`UPDATE deliveries SET next_at = now() WHERE id = ${d.id}`);
  await rcv.waitUntil((reqs) => reqs.length >= 3, 10000, 'the third attempt');
  d = await waitDelivery(hook.id, (x) => x.state === 'success', 'success');
  assert.equal(d.attempts, 3);
  assert.equal(d.last_status, 200);
  assert.equal(d.last_error, null);
  assert.deepEqual(d.log.map((a) => a.status), [500, 500, 200]);
  // The same delivery and event on every attempt, each signed afresh.
  assert.equal(rcv.requests.length, 3);
  for (const req of rcv.requests) {
    assert.equal(req.headers['webhook-id'], first.headers['webhook-id']);
    assert.equal(req.headers['webhook-id'], d.uuid);
    assert.equal(req.json.id, first.json.id);
    assert.equal(req.body, first.body);
    assertSigned(req, [hook.secret]);
  }
  const listed = (await api('GET', '/api/v1/admin/hooks')).json.hooks.find((h) => h.id === hook.id);
  assert.deepEqual(listed.deliveries, { pending: 0, failed: 0, success: 1 });
});

test('an acknowledged comment keeps its event through a crash of the server and of a deliverer', async () => {
  const name = 'it-hooks-durable';
  const s = await startParley({ name, env: { PARLEY_DELIVER: '0' } });
  servers.push(s);
  srv.use();
  const headers = await adminOf(s);
  const rcv = await receiver();
  rcv.setMode('hang');
  const hook = await makeHook(`${rcv.url}/durable`, ['comment.created'], {}, s, headers);

  const r = await guestComment(s, { post: uniqueKey('durable'), body: 'do not lose me' });
  assert.equal(r.status, 201, r.text);
  killServer(name);
  const id = r.json.comment.id;
  const [eventUuid] = sql(`SELECT uuid FROM events WHERE type = 'comment.created' AND (data->'comment'->>'id')::bigint = ${id}`, s.db)[0];
  assert.match(eventUuid, UUID_RE);
  assert.deepEqual(sql(`SELECT state, attempts FROM deliveries WHERE hook_id = ${hook.id}`, s.db), [['pending', '0']]);
  assert.equal(rcv.requests.length, 0);

  // A deliverer takes it, and dies while the receiver has not answered.
  const d1 = startDeliverer(name, 'crash');
  const req1 = await rcv.waitFor(() => true, 15000, 'the first try');
  assert.equal(req1.json.id, eventUuid);
  assertSigned(req1, [hook.secret]);
  // Claimed under a lease: no other deliverer sends it meanwhile.
  const [[leased]] = sql(`SELECT next_at > now() + interval '45 seconds' FROM deliveries WHERE hook_id = ${hook.id}`, s.db);
  assert.equal(leased, 't');
  assert.deepEqual(await d1.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  rcv.dropHanging();
  rcv.setMode('ok');
  assert.deepEqual(sql(`SELECT state, attempts FROM deliveries WHERE hook_id = ${hook.id}`, s.db), [['pending', '0']]);

  // The lease would run out by itself in a minute; end it now.
  sql(`UPDATE deliveries SET next_at = now() WHERE hook_id = ${hook.id}`, s.db);
  const d2 = startDeliverer(name, 'after');
  const req2 = await rcv.waitFor((q) => q !== req1, 15000, 'the delivery after the crash');
  assert.equal(req2.json.id, eventUuid);
  assert.equal(req2.headers['webhook-id'], req1.headers['webhook-id']);
  assert.equal(req2.body, req1.body);
  assertSigned(req2, [hook.secret]);
  const deadline = Date.now() + 5000;
  while (sql(`SELECT state FROM deliveries WHERE hook_id = ${hook.id}`, s.db)[0][0] !== 'success' && Date.now() < deadline) await sleep(100);
  assert.deepEqual(sql(`SELECT state, attempts, last_status FROM deliveries WHERE hook_id = ${hook.id}`, s.db), [['success', '1', '200']]);
  assert.deepEqual(await d2.stop(), { code: 0, signal: null });
  assert.equal(d2.attempts().length, 1);
});

// The process of Kore's first worker of server name (it runs the deliverer).
function firstWorkerPid(name) {
  const parent = fs.readFileSync(path.join(top, 'var', 'run', name, 'kore.pid'), 'utf8').trim();
  const out = execFileSync('ps', ['--ppid', parent, '-o', 'pid=,args='], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => /\[wrk 1\]/.test(l));
  assert.ok(line, `no first worker under ${parent}: ${out}`);
  return Number(line.trim().split(/\s+/)[0]);
}

test('the first worker delivers; killed mid-delivery, it is restarted and sends again', async () => {
  const name = 'it-hooks-worker';
  const s = await startParley({ name });
  servers.push(s);
  srv.use();
  const headers = await adminOf(s);
  const rcv = await receiver();
  rcv.setMode('hang');
  const hook = await makeHook(`${rcv.url}/worker`, ['comment.created'], {}, s, headers);
  const r = await guestComment(s, { post: uniqueKey('worker'), body: 'delivered from inside Kore' });
  assert.equal(r.status, 201, r.text);

  // No deliverer process runs beside Kore: the worker's thread sends it.
  const out = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  assert.ok(!out.split('\n').some((l) => l.includes('parley-deliver') && l.includes(name)));
  const req1 = await rcv.waitFor(() => true, 15000, 'the first try, from the worker');
  assertSigned(req1, [hook.secret]);
  const before = firstWorkerPid(name);
  process.kill(before, 'SIGKILL');
  rcv.dropHanging();
  rcv.setMode('ok');
  assert.deepEqual(sql(`SELECT state, attempts FROM deliveries WHERE hook_id = ${hook.id}`, s.db), [['pending', '0']]);

  // Kore starts a new first worker, and with it a new deliverer; the
  // lease would run out by itself in a minute: end it now.
  let after = before;
  for (const deadline = Date.now() + 10000; after === before && Date.now() < deadline;) {
    await sleep(100);
    try { after = firstWorkerPid(name); } catch { /* not yet */ }
  }
  assert.notEqual(after, before, 'Kore restarted the first worker');
  sql(`UPDATE deliveries SET next_at = now() WHERE hook_id = ${hook.id}`, s.db);
  const req2 = await rcv.waitFor((q) => q !== req1, 15000, 'the delivery after the restart');
  assert.equal(req2.headers['webhook-id'], req1.headers['webhook-id']);
  assert.equal(req2.body, req1.body);
  const deadline = Date.now() + 5000;
  while (sql(`SELECT state FROM deliveries WHERE hook_id = ${hook.id}`, s.db)[0][0] !== 'success' && Date.now() < deadline) await sleep(100);
  assert.deepEqual(sql(`SELECT state, attempts, last_status FROM deliveries WHERE hook_id = ${hook.id}`, s.db), [['success', '1', '200']]);
  // The server still answers readers.
  assert.equal((await call(s.base, 'GET', '/healthz')).status, 200);
});

test('two deliverers racing send each of 30 events exactly once', async () => {
  const name = 'it-hooks-race';
  const s = await startParley({ name, env: { PARLEY_DELIVER: '0' } });
  servers.push(s);
  srv.use();
  const headers = await adminOf(s);
  const rcv = await receiver();
  // Slow answers keep each deliverer busy, so both must take work.
  rcv.setMode({ delay: 100 });
  const hook = await makeHook(`${rcv.url}/race`, ['comment.created'], {}, s, headers);
  const key = uniqueKey('race');
  const post = async (i) => {
    const r = await guestComment(s, { post: key, body: `comment number ${i}` });
    assert.equal(r.status, 201, r.text);
  };

  for (let i = 0; i < 20; i++) await post(i);
  const a = startDeliverer(name, 'a');
  const b = startDeliverer(name, 'b');
  for (let i = 20; i < 30; i++) await post(i);

  await rcv.waitUntil((reqs) => new Set(reqs.map((r) => r.headers['webhook-id'])).size >= 30, 30000, '30 deliveries');
  // Anything sent twice would come now.
  await sleep(1500);
  const ids = rcv.requests.map((r) => r.headers['webhook-id']);
  assert.equal(ids.length, 30, `${ids.length} requests for 30 deliveries`);
  assert.equal(new Set(ids).size, 30);
  assert.equal(new Set(rcv.requests.map((r) => r.json.id)).size, 30);
  for (const req of rcv.requests) assertSigned(req, [hook.secret]);
  assert.deepEqual(sql(`SELECT state, attempts, count(*) FROM deliveries WHERE hook_id = ${hook.id} GROUP BY 1, 2`, s.db),
    [['success', '1', '30']]);
  assert.ok(a.attempts().length > 0 && b.attempts().length > 0,
    `both deliverers worked: ${a.attempts().length} + ${b.attempts().length}`);
  assert.equal(a.attempts().length + b.attempts().length, 30);
  // SIGTERM: each finishes what it is doing and exits 0.
  assert.deepEqual(await a.stop(), { code: 0, signal: null });
  assert.deepEqual(await b.stop(), { code: 0, signal: null });
  await s.stop();
});

test('a rotated secret signs next to the old one during the grace period, then alone', async (t) => {
  const rcv = await receiver();
  const hook = await makeHook(`${rcv.url}/rotate`, ['comment.created']);
  t.after(() => dropHook(hook.id));
  srv.use();
  const key = uniqueKey('rotate');
  const next = async (body) => {
    const before = rcv.requests.length;
    const r = await guestComment(srv, { post: key, body });
    assert.equal(r.status, 201, r.text);
    await rcv.waitUntil((reqs) => reqs.length > before, 15000, body);
    return rcv.requests[before];
  };

  assertSigned(await next('before rotation'), [hook.secret]);
  // The secret is shown once, and is stored only sealed.
  const listed = (await api('GET', '/api/v1/admin/hooks')).json.hooks.find((h) => h.id === hook.id);
  assert.equal(listed.secret, undefined);
  assert.ok(!JSON.stringify(listed).includes(hook.secret));
  const [[stored]] = sql(`SELECT encode(secret, 'hex') FROM hooks WHERE id = ${hook.id}`);
  // The key is the bytes after "whsec_", base64-decoded.
  const keyHex = Buffer.from(hook.secret.slice('whsec_'.length), 'base64').toString('hex');
  assert.equal(keyHex.length, 64);
  assert.ok(!stored.includes(keyHex));

  // Other changes keep the secret.
  const plain = await api('PATCH', `/api/v1/admin/hooks/${hook.id}`, { enabled: true });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.json.secret, undefined);

  const rot = await api('PATCH', `/api/v1/admin/hooks/${hook.id}`, { rotate_secret: true, grace_seconds: 3600 });
  assert.equal(rot.status, 200, rot.text);
  const s2 = rot.json.secret;
  assert.match(s2, SECRET_RE);
  assert.notEqual(s2, hook.secret);
  const until = new Date(rot.json.hook.rotating_until).getTime();
  assert.ok(Math.abs(until - Date.now() - 3600e3) < 60e3, rot.json.hook.rotating_until);
  const both = await next('during rotation');
  assert.match(both.headers['webhook-signature'], new RegExp(`^${SIG} ${SIG}$`));
  // A receiver still on the old secret and one already on the new both
  // accept it, each with its own Webhook.
  assertSigned(both, [s2, hook.secret]);
  assert.ok(verifies(hook.secret, both) && verifies(s2, both));

  // A second rotation with a 1 s grace: s2 signs beside s3 for a second.
  const rot2 = await api('PATCH', `/api/v1/admin/hooks/${hook.id}`, { rotate_secret: true, grace_seconds: 1 });
  assert.equal(rot2.status, 200, rot2.text);
  const s3 = rot2.json.secret;
  await sleep(1500);
  const after2 = (await api('GET', '/api/v1/admin/hooks')).json.hooks.find((h) => h.id === hook.id);
  assert.equal(after2.rotating_until, null);
  const alone = await next('after the grace period');
  assert.match(alone.headers['webhook-signature'], new RegExp(`^${SIG}$`));
  assertSigned(alone, [s3]);
  assert.ok(!verifies(s2, alone), 'the old secret no longer signs');
  assert.ok(!verifies(hook.secret, alone));
});

test('ping and redeliver send again, with the same delivery id', async (t) => {
  const rcv = await receiver();
  // Subscribed to one type: a ping comes all the same.
  const hook = await makeHook(`${rcv.url}/ping`, ['post.closed']);
  t.after(() => dropHook(hook.id));

  const ping = await api('POST', `/api/v1/admin/hooks/${hook.id}/ping`);
  assert.equal(ping.status, 202, ping.text);
  const id = ping.json.delivery_id;
  assert.ok(Number.isInteger(id), ping.text);
  const req = await rcv.waitFor(() => true, 15000, 'the ping');
  assert.equal(req.json.type, 'ping');
  assertSigned(req, [hook.secret]);
  let d = await waitDelivery(hook.id, (x) => x.id === id && x.state === 'success', 'the ping recorded');
  assert.equal(d.uuid, req.headers['webhook-id']);
  assert.equal(d.event.type, 'ping');

  const again = await api('POST', `/api/v1/admin/deliveries/${id}/redeliver`);
  assert.equal(again.status, 202, again.text);
  await rcv.waitUntil((reqs) => reqs.length >= 2, 15000, 'the redelivery');
  const req2 = rcv.requests[1];
  assert.equal(req2.headers['webhook-id'], req.headers['webhook-id']);
  assert.equal(req2.json.id, req.json.id);
  assert.equal(req2.body, req.body);
  assertSigned(req2, [hook.secret]);
  d = await waitDelivery(hook.id, (x) => x.id === id && x.attempts === 2, 'the redelivery recorded');
  assert.equal(d.state, 'success');
  assert.equal(d.log.length, 2);

  assert.equal((await api('POST', '/api/v1/admin/deliveries/999999999/redeliver')).status, 404);
  assert.equal((await api('POST', '/api/v1/admin/hooks/999999999/ping')).status, 404);
  // Only admins.
  const anon = await call(srv.base, 'POST', `/api/v1/admin/hooks/${hook.id}/ping`);
  assert.equal(anon.status, 401);
  assert.equal(rcv.requests.length, 2);
});

test("a hanging receiver does not slow readers' requests", async (t) => {
  const rcv = await receiver();
  rcv.setMode('hang');
  const hook = await makeHook(`${rcv.url}/hang`);
  t.after(async () => { rcv.setMode('ok'); rcv.dropHanging(); await dropHook(hook.id); });
  srv.use();
  const key = uniqueKey('hang');
  const timed = async (fn) => { const t0 = performance.now(); const r = await fn(); return [r, performance.now() - t0]; };

  // Each comment is another delivery stuck behind the hanging one.
  const times = [];
  for (let i = 0; i < 20; i++) {
    const [r, ms] = await timed(() => guestComment(srv, { post: key, body: `while hanging ${i}` }));
    assert.equal(r.status, 201, r.text);
    times.push(ms);
  }
  await rcv.waitFor(() => true, 15000, 'the deliverer to be stuck');
  const [[pending]] = sql(`SELECT count(*) FROM deliveries WHERE hook_id = ${hook.id} AND state = 'pending'`);
  assert.ok(Number(pending) >= 15, `${pending} pending`);
  for (let i = 0; i < 20; i++) {
    const [r, ms] = await timed(() => call(srv.base, 'GET', `/api/v1/comments?post=${key}&limit=200`));
    assert.equal(r.status, 200);
    times.push(ms);
    const [w, wms] = await timed(() => guestComment(srv, { post: key, body: `still hanging ${i}` }));
    assert.equal(w.status, 201, w.text);
    times.push(wms);
  }
  // A delivery in the request would take the deliverer's 10 s timeout.
  assert.ok(Math.max(...times) < 1000, `slowest request ${Math.max(...times).toFixed(0)} ms`);
  assert.ok(rcv.requests.length >= 1 && rcv.requests.length <= 2, `${rcv.requests.length} requests to the hanging receiver`);
});

test('hook URLs must be http(s); the deliverer follows no redirect', async (t) => {
  for (const url of ['ftp://example.org/hook', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://example.org/',
    'example.org/hook', 'http://', '', 'http://exa mple.org/', 'ldap://127.0.0.1/', 123, null]) {
    const r = await api('POST', '/api/v1/admin/hooks', { url, kind: 'event', events: [], enabled: true });
    assert.equal(r.status, 422, `${JSON.stringify(url)}: ${r.text}`);
    assert.equal(r.json.error.field, 'url');
  }
  const bad = await api('POST', '/api/v1/admin/hooks', { url: 'http://example.org/', kind: 'event', events: ['comment.nope'], enabled: true });
  assert.equal(bad.status, 422, bad.text);
  assert.equal(bad.json.error.field, 'events');
  const before = (await api('GET', '/api/v1/admin/hooks')).json.hooks.length;

  const target = await receiver();
  const redirector = await receiver();
  redirector.setMode({ redirect: `${target.url}/landed` });
  const hook = await makeHook(`${redirector.url}/moved`, ['post.closed']);
  t.after(() => dropHook(hook.id));
  assert.equal((await api('GET', '/api/v1/admin/hooks')).json.hooks.length, before + 1);
  const patch = await api('PATCH', `/api/v1/admin/hooks/${hook.id}`, { url: 'file:///etc/passwd' });
  assert.equal(patch.status, 422, patch.text);
  assert.equal(patch.json.error.field, 'url');

  const ping = await api('POST', `/api/v1/admin/hooks/${hook.id}/ping`);
  assert.equal(ping.status, 202, ping.text);
  await redirector.waitFor(() => true, 15000, 'the ping');
  const d = await waitDelivery(hook.id, (x) => x.attempts === 1, 'the redirected attempt');
  assert.equal(d.last_status, 302);
  assert.equal(d.state, 'pending');
  assert.equal(d.last_error, 'HTTP 302');
  await sleep(1000);
  assert.equal(target.requests.length, 0);
});
