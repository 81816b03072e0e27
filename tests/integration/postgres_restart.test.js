// PostgreSQL stopped and started under a running Parley: requests get a
// quick 503 meanwhile, and Parley recovers by itself once it is back.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startParley, call, pg, uniqueKey, sleep } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-pg', workers: 2 }); });
after(async () => {
  pg('start');	// whatever happened, leave the cluster running
  await srv.stop();
});

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return { r, ms: performance.now() - t0 };
}

test('503 quickly while PostgreSQL is down, recovery within seconds after', async () => {
  const key = uniqueKey('pg');
  const json = { post: key, body: 'before the outage', author_name: 'Ann' };
  assert.equal((await call(srv.base, 'POST', '/api/v1/comments', { json })).status, 201);
  // Warm every worker's pool so the outage hits live connections.
  for (let i = 0; i < 8; i++) await call(srv.base, 'GET', `/api/v1/comments?post=${key}`);

  pg('stop');
  for (let i = 0; i < 6; i++) {
    const { r, ms } = await timed(() => call(srv.base, 'GET', `/api/v1/comments?post=${key}`));
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'database_unavailable');
    assert.ok(r.headers.get('retry-after'));
    assert.ok(ms < 1000, `503 took ${ms} ms`);
  }
  const w = await call(srv.base, 'POST', '/api/v1/comments', { json: { ...json, body: 'during' } });
  assert.equal(w.status, 503);
  const h = await call(srv.base, 'GET', '/healthz');
  assert.equal(h.status, 503);
  assert.deepEqual(h.json, { status: 'degraded', database: 'unavailable' });
  // Requests that need no database still work.
  assert.equal((await call(srv.base, 'POST', '/api/v1/preview', { json: { body: 'x' } })).status, 200);

  pg('start');
  const t0 = Date.now();
  let ok = 0;
  while (Date.now() - t0 < 10000 && ok < 8) {
    const r = await call(srv.base, 'GET', `/api/v1/comments?post=${key}`);
    ok = r.status === 200 ? ok + 1 : 0;
    if (r.status !== 200) await sleep(200);
  }
  assert.equal(ok, 8, 'Parley did not recover within 10 s');
  const p = await call(srv.base, 'POST', '/api/v1/comments', { json: { ...json, body: 'after' } });
  assert.equal(p.status, 201);
  const t = await call(srv.base, 'GET', `/api/v1/comments?post=${key}`);
  assert.deepEqual(t.json.comments.map((c) => c.html), ['<p>before the outage</p>\n', '<p>after</p>\n']);
});
