// Issue #12, findings 2 and 11 over HTTP: nesting bombs stay small, a vote
// keeps other posts' cached answers, thread.html is cached like the JSON,
// previews are throttled per address (IPv6 by /64), and word filters read
// the rendered, normalised text.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const zlib = require('node:zlib');
const { startParley, call, sql, setSettings, uniqueKey, sleep } = require('./harness');

let srv;
// One worker: what one request leaves in the cache, the next one sees.
// 127.0.0.1 is a trusted proxy, so tests can speak for other addresses.
before(async () => {
  srv = await startParley({ name: 'it-hardening-content', workers: 1,
    env: { PARLEY_TRUSTED_PROXIES: '127.0.0.1' } });
});
after(async () => { await srv.stop(); });

// A GET on a fresh connection, body as bytes (gzip left as it came).
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(srv.base + path, { agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, raw, text: raw.toString() });
      });
    });
    req.on('error', reject);
  });
}

// A comment by a guest from addr (X-Forwarded-For; 127.0.0.1 forwards).
const postComment = (key, body, addr = '192.0.2.1') => call(srv.base, 'POST', '/api/v1/comments', {
  json: { post: key, body, author_name: 'Ann' }, headers: { 'x-forwarded-for': addr },
});

// Changes a comment's HTML without the trigger that announces it: only a
// cached answer keeps showing the old HTML afterwards.
function silentHtml(id, html) {
  sql(`BEGIN; ALTER TABLE comments DISABLE TRIGGER comments_thread_changed;
    UPDATE comments SET html = '${html}' WHERE id = ${id};
    ALTER TABLE comments ENABLE TRIGGER comments_thread_changed; COMMIT`);
}

const threadPath = (key) => `/api/v1/comments?post=${encodeURIComponent(key)}`;
const pagePath = (key, fragment) => `/thread.html?post=${encodeURIComponent(key)}${fragment ? '&fragment=1' : ''}`;

test('a 9,990-character quote bomb is stored and served small', async () => {
  const key = uniqueKey('bomb');
  const body = '>'.repeat(9990);
  const r = await postComment(key, body);
  assert.equal(r.status, 201, r.text);
  const html = r.json.comment.html;
  assert.equal((html.match(/<blockquote>/g) || []).length, 8);
  const stored = sql(`SELECT length(html) FROM comments WHERE id = ${r.json.comment.id}`)[0][0];
  assert.ok(Number(stored) <= 8 * 9990 + 1024, `${stored} bytes stored`);
  const list = await postComment(key, `${'- '.repeat(4990)}x`, '192.0.2.2');
  assert.equal(list.status, 201, list.text);
  assert.equal((list.json.comment.html.match(/<ul>/g) || []).length, 8);
  const t = await get(threadPath(key));
  assert.ok(t.raw.length < 100000, `thread of two bombs: ${t.raw.length} bytes`);
});

test('a vote drops only its own post from the cache', async () => {
  const keyA = uniqueKey('cached');
  const keyB = uniqueKey('voted');
  const a = (await postComment(keyA, 'original')).json.comment;
  const b = (await postComment(keyB, 'vote for me', '192.0.2.3')).json.comment;
  await get(threadPath(keyA));
  await get(pagePath(keyA));
  assert.equal(JSON.parse((await get(threadPath(keyB))).text).comments[0].score, 0);
  silentHtml(a.id, '<p>silent</p>\n');
  const v = await call(srv.base, 'POST', `/api/v1/comments/${b.id}/vote`, {
    json: { value: 1 }, headers: { 'x-forwarded-for': '198.51.100.9' },
  });
  assert.equal(v.status, 200, v.text);
  assert.deepEqual(v.json, { score: 1, my_vote: 1 });
  // The voter sees the new score at once...
  assert.equal(JSON.parse((await get(threadPath(keyB))).text).comments[0].score, 1);
  // ...and the other post is still answered from the cache.
  assert.equal(JSON.parse((await get(threadPath(keyA))).text).comments[0].html, '<p>original</p>\n');
  assert.match((await get(pagePath(keyA))).text, /original/);
});

test('thread.html is cached, the page and the fragment apart, and dropped with its post', async () => {
  const key = uniqueKey('page');
  const c = (await postComment(key, 'first words')).json.comment;
  const page = await get(pagePath(key));
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.text, /^<!doctype html>/);
  assert.match(page.text, /first words/);
  const frag = await get(pagePath(key, true));
  assert.equal(frag.status, 200);
  assert.doesNotMatch(frag.text, /<!doctype/, 'the fragment is not the page');
  assert.match(frag.text, /^<section class="parley-static">/);

  silentHtml(c.id, '<p>silent</p>\n');
  const again = await get(pagePath(key));
  assert.equal(again.text, page.text, 'the page came from the cache');
  assert.equal(again.headers.etag, page.headers.etag);
  assert.equal((await get(pagePath(key, true))).text, frag.text, 'so did the fragment');
  // Cached answers keep the page's policy, 304 and gzip.
  assert.match(again.headers['content-security-policy'], /default-src 'none'/);
  assert.equal((await get(pagePath(key), { 'if-none-match': page.headers.etag })).status, 304);
  await postComment(key, 'x'.repeat(3000), '192.0.2.4');
  const gz = await get(pagePath(key), { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.match(zlib.gunzipSync(gz.raw).toString(), /x{3000}/);

  // An announced change drops both.
  sql(`UPDATE comments SET html = '<p>announced</p>' || chr(10) WHERE id = ${c.id}`);
  const deadline = Date.now() + 2000;
  let seen;
  while (Date.now() < deadline) {
    seen = [(await get(pagePath(key))).text, (await get(pagePath(key, true))).text];
    if (seen.every((t) => t.includes('announced'))) break;
    await sleep(20);
  }
  assert.ok(seen.every((t) => t.includes('announced') && !t.includes('silent')));
});

const preview = (addr, body = 'a *preview*') => call(srv.base, 'POST', '/api/v1/preview', {
  json: { body }, headers: { 'x-forwarded-for': addr },
});

// Previews from addr until one is refused; the number allowed.
async function previewsAllowed(addr, max = 100) {
  for (let n = 0; n < max; n++) {
    const r = await preview(addr);
    if (r.status === 429) return { n, r };
    assert.equal(r.status, 200, r.text);
  }
  return { n: max, r: null };
}

test('previews are throttled per address, with Retry-After', async () => {
  const { n, r } = await previewsAllowed('203.0.113.10');
  assert.ok(r !== null, 'never throttled');
  assert.ok(n >= 10 && n <= 40, `${n} previews allowed`);
  assert.equal(r.json.error.code, 'rate_limited');
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  // Another address is not affected.
  assert.equal((await preview('203.0.113.11')).status, 200);
});

test('IPv6 previews are throttled by /64', async () => {
  // Every request from another address of one /64.
  let refused = null;
  for (let i = 1; i < 100 && refused === null; i++) {
    const r = await preview(`2001:db8:aa:bb::${i.toString(16)}`);
    if (r.status === 429) refused = i;
    else assert.equal(r.status, 200, r.text);
  }
  assert.ok(refused !== null, 'a /64 is one address');
  // The next /64 is someone else.
  assert.equal((await preview('2001:db8:aa:bc::1')).status, 200);
});

test('word filters read the rendered text, normalised', async () => {
  setSettings({ disallowed_words: ['viagra'], hold_words: ['casino'] });
  try {
    const cases = [
      ['buy via*g*ra now', 'spam'],
      ['buy v\u00adiagra now', 'spam'],
      ['buy vi\u200bagra now', 'spam'],
      ['buy \uff56\uff49\uff41\uff47\uff52\uff41 now', 'spam'],
      ['the best ca**s**ino', 'pending'],
      ['the best [site](https://casino.example/)', 'pending'],
      ['viagrafalls and casinos', 'approved'],
    ];
    for (const [i, [body, want]] of cases.entries()) {
      const r = await postComment(uniqueKey('words'), body, `192.0.2.${50 + i}`);
      assert.equal(r.status, 201, r.text);
      const status = sql(`SELECT status FROM comments WHERE id = ${r.json.comment.id}`)[0][0];
      assert.equal(status, want, body);
    }
  } finally {
    setSettings({ disallowed_words: [], hold_words: [] });
  }
});
