// /metrics: Prometheus text on a listener of its own (metrics_listen),
// summed across the workers through the memory they share.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, setSettings, uniqueKey, freePort } = require('./harness');

let srv;
let metricsBase;
before(async () => {
  const port = await freePort();
  metricsBase = `http://127.0.0.1:${port}`;
  // A Kore worker takes connections until it holds
  // worker_max_connections: at 4 a worker, 8 connections open at once are
  // held by both workers.
  srv = await startParley({
    name: 'it-metrics', workers: 2,
    env: { PARLEY_METRICS_LISTEN: `127.0.0.1:${port}`, PARLEY_MAX_CONNECTIONS: '4' },
  });
});
after(async () => { await srv.stop(); });

// A GET on a connection of its own (agent), so that either worker may
// take it; `agent: false` opens a new connection for each request.
function get(base, urlPath, agent = false) {
  return new Promise((resolve, reject) => {
    const req = http.get(base + urlPath, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

async function scrape() {
  const r = await get(metricsBase, '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  return r.text;
}

// "name{labels}" -> value, for every sample line.
function samples(text) {
  const m = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    m.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return m;
}
const value = (m, key) => m.get(key) ?? 0;

function promtool(text) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-metrics-')), 'metrics.txt');
  fs.writeFileSync(file, text);
  try {
    return execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    assert.fail(`promtool check metrics failed (${e.status}): ${e.stdout}${e.stderr}\n(the text is in ${file})`);
  }
  return '';
}

test('/metrics answers on its own listener only: 404 on the public port', async () => {
  assert.equal((await get(srv.base, '/metrics')).status, 404);
  assert.equal((await get(srv.base, '/metrics?x=1')).status, 404);
  // ...and the metrics listener serves nothing else.
  assert.equal((await get(metricsBase, '/healthz')).status, 404);
  assert.equal((await get(metricsBase, '/api/v1/counts?post=a')).status, 404);
  assert.equal((await get(metricsBase, '/metrics')).status, 200);
});

test('request counters add up across both workers, exactly', async () => {
  const key = uniqueKey();
  const route = 'parley_http_requests_total{route="counts",method="GET",code="2xx"}';
  const before = samples(await scrape());
  const N = 120;
  // Eight connections at once, kept alive: more than one worker holds.
  const agents = Array.from({ length: 8 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const jobs = [];
  for (let i = 0; i < N; i++)
    jobs.push(get(srv.base, `/api/v1/counts?post=${encodeURIComponent(key)}`, agents[i % agents.length]));
  const answers = await Promise.all(jobs);
  for (const a of agents) a.destroy();
  assert.ok(answers.every((a) => a.status === 200));
  const after = samples(await scrape());
  assert.equal(value(after, route) - value(before, route), N, 'every answer counted once');
  // Both workers answered some of them, and what each counted adds up.
  const w1 = value(after, 'parley_worker_requests_total{worker="1"}') - value(before, 'parley_worker_requests_total{worker="1"}');
  const w2 = value(after, 'parley_worker_requests_total{worker="2"}') - value(before, 'parley_worker_requests_total{worker="2"}');
  assert.ok(w1 > 0 && w2 > 0, `both workers answered (${w1}, ${w2})`);
  assert.equal(w1 + w2, N);
  // The histogram saw each of them.
  const count = 'parley_http_request_duration_seconds_count{route="counts"}';
  const inf = 'parley_http_request_duration_seconds_bucket{route="counts",le="+Inf"}';
  assert.equal(value(after, count) - value(before, count), N);
  assert.equal(value(after, inf), value(after, count));
  assert.ok(value(after, 'parley_http_request_duration_seconds_sum{route="counts"}') > 0);
  // No URL, no post key in any label.
  assert.ok(!(await scrape()).includes(key));
});

test('comments by verdict: approved, held, spam, refused', async () => {
  const key = uniqueKey();
  const verdicts = ['approved', 'held', 'spam', 'refused'];
  const read = (m) => Object.fromEntries(verdicts.map((v) => [v, value(m, `parley_comments_total{verdict="${v}"}`)]));
  const before = read(samples(await scrape()));
  const post = (body, extra = {}) => call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body, author_name: 'M', ...extra } });
  for (let i = 0; i < 3; i++) assert.equal((await post(`approved ${i}`)).status, 201);
  // A duplicate is refused.
  assert.equal((await post('approved 0')).status, 409);
  // The honeypot filled: spam, answered like a held comment.
  assert.equal((await post('bot', { hp: 'x' })).status, 201);
  setSettings({ require_approval: true }, srv.db);
  try {
    for (let i = 0; i < 2; i++) {
      const r = await post(`held ${i}`);
      assert.equal(r.status, 201);
      assert.equal(r.json.comment.status, 'pending');
    }
  } finally {
    setSettings({ require_approval: false }, srv.db);
  }
  const after = read(samples(await scrape()));
  assert.deepEqual(
    Object.fromEntries(verdicts.map((v) => [v, after[v] - before[v]])),
    { approved: 3, held: 2, spam: 1, refused: 1 });
});

test('cache hits and misses move as the cache is used', async () => {
  const key = uniqueKey();
  await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'cached', author_name: 'C' } });
  const read = (m) => ({ hits: value(m, 'parley_cache_hits_total'), misses: value(m, 'parley_cache_misses_total') });
  const before = read(samples(await scrape()));
  const M = 20;
  // One at a time on fresh connections: each worker misses once (the
  // first time it sees the thread) and hits after.
  for (let i = 0; i < M; i++) {
    const r = await get(srv.base, `/api/v1/comments?post=${encodeURIComponent(key)}`);
    assert.equal(r.status, 200);
  }
  const m = samples(await scrape());
  const after = read(m);
  const misses = after.misses - before.misses;
  const hits = after.hits - before.hits;
  assert.equal(hits + misses, M, `every lookup is a hit or a miss (${hits}, ${misses})`);
  assert.ok(misses >= 1 && misses <= 2, `one miss per worker that answered (${misses})`);
  assert.ok(value(m, 'parley_cache_bytes') > 0);
  assert.ok(value(m, 'parley_cache_entries') >= 1);
});

test('the queues, streams and pools are there; promtool accepts the text', async () => {
  const text = await scrape();
  const m = samples(text);
  assert.equal(value(m, 'parley_database_up'), 1);
  for (const name of ['parley_deliveries_pending', 'parley_deliveries_retrying', 'parley_delivery_failures_last_hour',
    'parley_mail_pending', 'parley_mail_retrying', 'parley_mail_failed_last_hour', 'parley_streams_open',
    'parley_db_queries_total', 'parley_db_pool_waits_total', 'parley_db_errors_total',
    'parley_password_queue_depth', 'parley_password_refused_total']) {
    assert.ok(m.has(name), `${name} is there`);
  }
  assert.ok(value(m, 'parley_db_queries_total') > 0);
  promtool(text);
});

test('open streams are counted across workers', async () => {
  const key = uniqueKey();
  const streams = [];
  for (let i = 0; i < 3; i++) {
    streams.push(await new Promise((resolve, reject) => {
      const req = http.get(`${srv.base}/api/v1/stream?post=${encodeURIComponent(key)}`, { agent: false }, (res) => resolve({ req, res }));
      req.on('error', reject);
    }));
  }
  try {
    assert.ok(streams.every((s) => s.res.statusCode === 200));
    assert.equal(value(samples(await scrape()), 'parley_streams_open'), 3);
  } finally {
    for (const s of streams) s.req.destroy();
  }
});
