// Pipeline stage 10: the verdict hook decides, signed, within a timeout,
// without holding up anyone else's request.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Webhook } = require('standardwebhooks');
const { startParley, call, sql, setSettings, uniqueKey, freePort, top } = require('./harness');

let srv;
let admin;
let receiver;
let mode = 'approve';
let seen = [];
let secret;
let hookId;

before(async () => {
  const port = await freePort();
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      seen.push({ headers: req.headers, raw, body: raw.toString('utf8') });
      if (mode === 'hang') return;	// never answers
      if (mode === 'garbage') { res.end('<html>not json'); return; }
      if (mode === 'error') { res.statusCode = 500; res.end('{"verdict":"approve"}'); return; }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ verdict: mode, reason: `said ${mode}` }));
    });
  }).listen(port, '127.0.0.1');
  srv = await startParley({ name: 'it-verdict', env: { PARLEY_DELIVER: '0' } });
  setSettings({ verdict_timeout_ms: 500 });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['v@example.org', 'a long enough password', srv.db], { stdio: 'ignore' });
  const t = (await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'v@example.org', password: 'a long enough password' } })).json.token;
  admin = { authorization: `Bearer ${t}` };
  const h = await call(srv.base, 'POST', '/api/v1/admin/hooks', { json: { url: `http://127.0.0.1:${port}/verdict`, kind: 'verdict' }, headers: admin });
  assert.equal(h.status, 201, h.text);
  secret = h.json.secret;
  hookId = h.json.hook.id;
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
});
after(async () => { await srv.stop(); receiver.close(); });

const stored = (id) => sql(`SELECT status, verdict, reason FROM comments WHERE id = ${id}`)[0];
const post = (key, body) => call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body, author_name: 'Vera' } });

test('the hook\'s approve, hold and spam decide, with their reasons', async () => {
  const key = uniqueKey();
  for (const [m, status, verdict, reason] of [
    ['approve', 'approved', 'approve', 'approved by the verdict hook: said approve'],
    ['hold', 'pending', 'hold', 'held: by the verdict hook: said hold'],
    ['spam', 'spam', 'spam', 'spam: by the verdict hook: said spam'],
  ]) {
    mode = m;
    const r = await post(key, `text for ${m}`);
    assert.equal(r.status, 201);
    assert.equal(r.json.comment.status, status === 'approved' ? 'approved' : 'pending');
    assert.deepEqual(stored(r.json.comment.id), [status, verdict, reason]);
  }
});

test('the request is signed like every hook delivery (Standard Webhooks), over the comment', async () => {
  mode = 'approve';
  seen = [];
  const key = uniqueKey();
  await post(key, 'sign me');
  await post(key, 'and me');
  assert.equal(seen.length, 2);
  const { headers, raw } = seen[0];
  assert.equal(headers['x-parley-event'], 'comment.verdict');
  assert.match(headers['webhook-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const ts = headers['webhook-timestamp'];
  assert.match(ts, /^\d+$/);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 300, `timestamp ${ts}`);
  assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);
  for (const old of ['x-parley-signature', 'x-parley-timestamp', 'x-parley-delivery']) {
    assert.equal(headers[old], undefined, old);
  }
  // Verified as a receiver would: the standardwebhooks library with the
  // secret as shown.
  const j = new Webhook(secret).verify(raw, headers);
  assert.equal(j.type, 'comment.verdict');
  assert.equal(j.data.comment.post, key);
  assert.equal(j.data.comment.body, 'sign me');
  assert.throws(() => new Webhook(secret).verify(Buffer.concat([raw, Buffer.from(' ')]), headers), /No matching signature/);
  // Every call is a message of its own: a fresh webhook-id.
  assert.notEqual(seen[1].headers['webhook-id'], headers['webhook-id']);
  assert.equal(new Webhook(secret).verify(seen[1].raw, seen[1].headers).data.comment.body, 'and me');
});

test('no answer in time, an error status or garbage hold the comment', async () => {
  const key = uniqueKey();
  mode = 'hang';
  const t0 = Date.now();
  const r1 = await post(key, 'waiting');
  assert.ok(Date.now() - t0 < 3000);
  assert.equal(stored(r1.json.comment.id)[0], 'pending');
  assert.match(stored(r1.json.comment.id)[2], /^held: the verdict hook did not answer/);
  mode = 'error';
  const r2 = await post(key, 'erroring');
  assert.deepEqual(stored(r2.json.comment.id), ['pending', 'hold', 'held: the verdict hook answered HTTP 500']);
  mode = 'garbage';
  const r3 = await post(key, 'garbled');
  assert.deepEqual(stored(r3.json.comment.id), ['pending', 'hold', "held: the verdict hook's answer was not understood"]);
});

test('while the hook hangs, readers are not held up', async () => {
  mode = 'hang';
  setSettings({ verdict_timeout_ms: 3000 });
  const key = uniqueKey();
  const slow = post(key, 'slow one');
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) {
    const r = await call(srv.base, 'GET', '/api/v1/comments?post=198');
    assert.equal(r.status, 200);
  }
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 1500, `20 reads took ${elapsed} ms while a verdict was pending`);
  assert.equal((await slow).status, 201);
  setSettings({ verdict_timeout_ms: 500 });
});

test('moderators\' own comments skip the verdict hook', async () => {
  mode = 'spam';
  seen = [];
  const r = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: uniqueKey(), body: 'from the moderator' }, headers: admin });
  assert.equal(r.json.comment.status, 'approved');
  assert.equal(seen.length, 0);
});

test('during a rotation the verdict hook is signed with both secrets, as event deliveries are', async () => {
  mode = 'approve';
  const rot = await call(srv.base, 'PATCH', `/api/v1/admin/hooks/${hookId}`,
    { json: { rotate_secret: true, grace_seconds: 3600 }, headers: admin });
  assert.equal(rot.status, 200, rot.text);
  const fresh = rot.json.secret;
  assert.match(fresh, /^whsec_/);
  seen = [];
  assert.equal((await post(uniqueKey(), 'signed twice')).status, 201);
  assert.equal(seen.length, 1);
  const req = seen[0];
  assert.equal(req.headers['webhook-signature'].split(' ').length, 2, req.headers['webhook-signature']);
  // Each secret's own receiver accepts it, with the library.
  for (const s of [fresh, secret])
    assert.equal(new Webhook(s).verify(req.raw, req.headers).data.comment.body, 'signed twice');
  // After the grace period, the new secret alone.
  sql(`UPDATE hooks SET old_secret_until = now() - interval '1 second' WHERE id = ${hookId}`);
  seen = [];
  await post(uniqueKey(), 'signed once');
  assert.equal(seen[0].headers['webhook-signature'].split(' ').length, 1);
  assert.throws(() => new Webhook(secret).verify(seen[0].raw, seen[0].headers));
  new Webhook(fresh).verify(seen[0].raw, seen[0].headers);
  secret = fresh;
});

test('authors who go away while the verdict hook is asked leave the worker whole', async () => {
  mode = 'hang';
  setSettings({ verdict_timeout_ms: 800 });
  try {
    const key = uniqueKey('gone');
    // Each request is dropped while its verdict call runs in a task
    // thread: Kore frees the request only once the thread is done.
    const gone = Array.from({ length: 12 }, (_, i) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50 + 20 * i);
      return fetch(`${srv.base}/api/v1/comments`, {
        method: 'POST', signal: ac.signal, headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ post: key, body: `gone ${i}`, author_name: 'Gina' }),
      }).then(() => 'answered', () => 'aborted');
    });
    assert.ok((await Promise.all(gone)).includes('aborted'));
    // Past the timeout every call has ended; the workers still serve and
    // still judge (no answer: held), and none died on the way.
    await new Promise((r) => setTimeout(r, 1200));
    mode = 'spam';
    for (let i = 0; i < 4; i++) {
      const r = await call(srv.base, 'POST', '/api/v1/comments',
        { json: { post: key, body: `after ${i}`, author_name: 'Gina' }, headers: { connection: 'close' } });
      assert.equal(r.status, 201, r.text);
      assert.equal(stored(r.json.comment.id)[0], 'spam');
    }
    const fs = require('node:fs');
    const log = fs.readFileSync(path.join(top, 'var', 'it-verdict.log'), 'utf8');
    assert.doesNotMatch(log, /sandbox violation|exited with status|signal 11|AddressSanitizer/);
    // The dropped comments were stored (held) or not at all: never half.
    for (const [status] of sql(`SELECT c.status FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.key = '${key}' AND c.body LIKE 'gone %'`))
      assert.equal(status, 'pending');
  } finally {
    mode = 'approve';
    setSettings({ verdict_timeout_ms: 500 });
  }
});
