// Each worker caches anonymous thread and count answers; PostgreSQL's
// NOTIFY drops them on every change, on every worker.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startParley, call, sql, uniqueKey, sleep } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-cache', workers: 2 }); });
after(async () => { await srv.stop(); });

// A request on a fresh connection: either worker may take it.
function fresh(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(srv.base + path, { agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

async function allWorkersSee(path, predicate) {
  const deadline = Date.now() + 2000;
  let seen = 0;
  while (Date.now() < deadline && seen < 10) {
    const r = await fresh(path);
    seen = predicate(JSON.parse(r.text)) ? seen + 1 : 0;
    if (seen === 0) await sleep(20);
  }
  return seen >= 10;
}

test('anonymous answers come from the cache until PostgreSQL announces a change', async () => {
  const key = uniqueKey();
  const c = (await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'original', author_name: 'A' } })).json.comment;
  const path = `/api/v1/comments?post=${encodeURIComponent(key)}`;
  // Fill both workers' caches.
  for (let i = 0; i < 10; i++) await fresh(path);
  // A change PostgreSQL does not announce (triggers off) stays unseen...
  sql(`BEGIN; ALTER TABLE comments DISABLE TRIGGER comments_thread_changed;
    UPDATE comments SET html = '<p>silent</p>' WHERE id = ${c.id};
    ALTER TABLE comments ENABLE TRIGGER comments_thread_changed; COMMIT`);
  for (let i = 0; i < 10; i++) {
    const r = JSON.parse((await fresh(path)).text);
    assert.equal(r.comments[0].html, '<p>original</p>\n', 'served from the cache');
  }
  // An announced change reaches every worker.
  sql(`UPDATE comments SET html = '<p>announced</p>' WHERE id = ${c.id}`);
  assert.ok(await allWorkersSee(path, (j) => j.comments[0].html === '<p>announced</p>'));
});

test('a new comment shows at once on every worker; counts too', async () => {
  const key = uniqueKey();
  const path = `/api/v1/comments?post=${encodeURIComponent(key)}`;
  const counts = `/api/v1/counts?post=${encodeURIComponent(key)}`;
  await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'one', author_name: 'A' } });
  for (let i = 0; i < 10; i++) { await fresh(path); await fresh(counts); }
  await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'two', author_name: 'B' } });
  assert.ok(await allWorkersSee(path, (j) => j.comments.length === 2));
  assert.ok(await allWorkersSee(counts, (j) => j.counts[key] === 2));
});

test('once a comment is answered 201, another node serves the thread with it as soon as PostgreSQL tells it', async () => {
  // The posting worker announces the comment after its commit and answers
  // only when the announcement is committed too. PostgreSQL then hands
  // the NOTIFY to every listening connection on its own schedule: the
  // other node (one worker, so its cache surely holds the thread) drops
  // its answer as soon as it hears, not necessarily before the 201.
  const other = await startParley({ name: 'it-cache-b', workers: 1, shareDb: srv.db });
  try {
    const key = uniqueKey();
    const path = `/api/v1/comments?post=${encodeURIComponent(key)}`;
    const counts = `/api/v1/counts?post=${encodeURIComponent(key)}`;
    const get = async (p) => (await call(other.base, 'GET', p)).json;
    const within = async (p, ok) => {
      const deadline = Date.now() + 1000;
      let j;
      while (!ok(j = await get(p)) && Date.now() < deadline) await sleep(5);
      return j;
    };
    for (let n = 1; n <= 5; n++) {
      assert.equal((await get(counts)).counts[key], n - 1);
      assert.equal((await get(path)).comments.length, n - 1);
      const r = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: `comment ${n}`, author_name: 'A' } });
      assert.equal(r.status, 201, r.text);
      assert.equal((await within(path, (j) => j.comments.length === n)).comments.length, n, `the other node after comment ${n}`);
      assert.equal((await within(counts, (j) => j.counts[key] === n)).counts[key], n);
    }
  } finally {
    await other.stop();
  }
});

test('a comment inserted outside Parley is announced by its trigger', async () => {
  const key = uniqueKey();
  const path = `/api/v1/comments?post=${encodeURIComponent(key)}`;
  const c = (await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'first', author_name: 'A' } })).json.comment;
  for (let i = 0; i < 10; i++) await fresh(path);
  sql(`INSERT INTO comments (post_id, depth, author_name, body, html, status)
    SELECT post_id, 0, 'Importer', 'imported', '<p>imported</p>', 'approved' FROM comments WHERE id = ${c.id}`);
  assert.ok(await allWorkersSee(path, (j) => j.comments.length === 2));
});

test('cached answers keep their ETag, gzip and 304', async () => {
  const key = uniqueKey();
  const path = `/api/v1/comments?post=${encodeURIComponent(key)}`;
  await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'x'.repeat(2000), author_name: 'A' } });
  const a = await fresh(path, { 'accept-encoding': 'identity' });
  const b = await fresh(path, { 'accept-encoding': 'identity' });
  assert.equal(a.headers.etag, b.headers.etag);
  assert.equal(a.text, b.text);
  const nm = await fresh(path, { 'accept-encoding': 'identity', 'if-none-match': a.headers.etag });
  assert.equal(nm.status, 304);
  const gz = await fresh(path, { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.notEqual(gz.headers.etag, a.headers.etag);
});
