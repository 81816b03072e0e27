// Reading large threads: Parley's own thread statement (its text from
// app/store.c after the preprocessor, as the benchmark takes it) must not
// turn linear work quadratic, and a post with thousands of comments is
// served whole.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, uniqueKey, top } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-plans' }); });
after(async () => { await srv.stop(); });

// A statement of app/store.c with its $n replaced by SQL literals.
function storeStatement(name, subst) {
  const file = '/usr/share/kore/features';
  const features = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split(/\s+/).filter(Boolean) : [];
  const pre = execFileSync('cc', ['-E', '-P', ...features, '-D_GNU_SOURCE', path.join(top, 'app', 'store.c')], { encoding: 'utf8' });
  return execFileSync('python3', [path.join(top, 'tests', 'bench', 'readers_writers.py'), 'sql', name,
    ...Object.entries(subst).map(([k, v]) => `${k}=${v}`)], { input: pre, encoding: 'utf8' });
}

test('reading a thread counts the post\'s comments once, not once per comment', async () => {
  const key = uniqueKey('plans');
  for (let i = 0; i < 30; i++) {
    const r = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: `comment ${i}`, author_name: 'A' } });
    assert.equal(r.status, 201, r.text);
  }
  // The first page, as GET /api/v1/comments reads it (store_thread_page_query).
  const stmt = storeStatement('sql_thread_page', {
    1: `'${key}'`, 2: 'NULL::bigint', 3: "'oldest'", 4: 'NULL', 5: 'NULL', 6: 'NULL', 7: 50, 8: 50,
  }).trim().replace(/;$/, '');
  // Function calls are counted (track_functions, a superuser's setting)
  // and read back in the same transaction.
  const out = execFileSync(path.join(top, 'scripts', 'pg.sh'), ['psql', '-U', 'postgres', '-d', srv.db,
    '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-c',
    `SET LOCAL track_functions = 'all'; SELECT count(*) FROM (${stmt}) t WHERE t::text <> '';
     SELECT pg_stat_get_xact_function_calls('post_comment_count(bigint)'::regprocedure)`],
  { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(out, ['30', '1'], 'rows of the thread, then calls of the count');
});

test('a post with 5,000 comments is read, paged and counted', async () => {
  // Inserted directly: 5,000 requests would test the rate of posting.
  const key = uniqueKey('big');
  const first = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'the first', author_name: 'A' } });
  assert.equal(first.status, 201, first.text);
  sql(`INSERT INTO comments (post_id, depth, author_name, body, html, status, created_at)
    SELECT c.post_id, 0, 'Reader ' || g, 'comment ' || g, '<p>comment ' || g || '</p>', 'approved',
      now() - interval '1 hour' + g * interval '1 ms'
    FROM comments c, generate_series(1, 4999) g WHERE c.id = ${first.json.comment.id}`);
  const q = `post=${encodeURIComponent(key)}`;
  const page = await call(srv.base, 'GET', `/api/v1/comments?${q}&limit=200`);
  assert.equal(page.status, 200, page.text);
  assert.equal(page.json.comments.length, 200);
  assert.equal(page.json.comments[0].author.name, 'Reader 1');
  assert.ok(page.json.next, 'a cursor to the next page');
  const next = await call(srv.base, 'GET', `/api/v1/comments?${q}&limit=200&after=${encodeURIComponent(page.json.next)}`);
  assert.equal(next.status, 200, next.text);
  assert.equal(next.json.comments[0].author.name, 'Reader 201');
  const counts = await call(srv.base, 'GET', `/api/v1/counts?${q}`);
  assert.equal(counts.json.counts[key], 5000);
});
