// Avatars, and how assets are served (origins and CORS: origins.test.js).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const zlib = require('node:zlib');
const fs = require('node:fs');
const path = require('node:path');
const { startParley, call, uniqueKey, top } = require('./harness');

const BLOG = 'http://blog.example.test';
let srv;
before(async () => { srv = await startParley({ name: 'it-site', env: { PARLEY_ORIGINS: BLOG } }); });
after(async () => { await srv.stop(); });

test('comments carry a Parley avatar that hides the e-mail and is stable', async () => {
  const key = uniqueKey();
  let n = 0;
  const post = (email, name) => call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: key, body: `hi ${n++}`, author_name: name, author_email: email } });
  const a = (await post('Same@Example.org', 'A')).json.comment;
  const b = (await post('same@example.org', 'B')).json.comment;
  const c = (await post('other@example.org', 'A')).json.comment;
  assert.match(a.author.avatar, /^\/avatar\/[0-9a-f]{32}\.svg$/);
  assert.equal(a.author.avatar, b.author.avatar, 'same e-mail, any case: same avatar');
  assert.notEqual(a.author.avatar, c.author.avatar);
  const t = await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`);
  assert.equal(t.json.comments[0].author.avatar, a.author.avatar, 'thread and POST agree');
  const md5 = require('node:crypto').createHash('md5').update('same@example.org').digest('hex');
  assert.ok(!a.author.avatar.includes(md5), 'not a Gravatar hash');

  const img = await fetch(srv.base + a.author.avatar);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/svg+xml');
  assert.match(img.headers.get('cache-control'), /immutable/);
  const svg = await img.text();
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((await fetch(`${srv.base}/avatar/${'g'.repeat(32)}.svg`)).status, 404);
});

test('assets come with ETag, Cache-Control, and gzip when accepted', async () => {
  const plain = await fetch(`${srv.base}/`, { headers: { 'accept-encoding': 'identity' } });
  const body = Buffer.from(await plain.arrayBuffer());
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.deepEqual(body, fs.readFileSync(path.join(top, 'assets', 'index.html')));
  const etag = plain.headers.get('etag');
  assert.ok(etag);
  assert.ok(plain.headers.get('cache-control'));

  // fetch() would decode gzip itself: use node:http to see the bytes.
  const http = require('node:http');
  const raw = await new Promise((resolve, reject) => {
    http.get(`${srv.base}/`, { headers: { 'accept-encoding': 'gzip, deflate' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, data: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  assert.equal(raw.res.headers['content-encoding'], 'gzip');
  assert.match(raw.res.headers.vary, /Accept-Encoding/);
  assert.ok(raw.data.length < body.length);
  assert.deepEqual(zlib.gunzipSync(raw.data), body);
  assert.notEqual(raw.res.headers.etag, etag, 'another representation, another tag');

  const again = await fetch(`${srv.base}/`, { headers: { 'accept-encoding': 'identity', 'if-none-match': etag } });
  assert.equal(again.status, 304);
});

test('pages have one route each, with their own headers: no HTML through the asset route', async () => {
  const page = await fetch(`${srv.base}/admin`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  // The same page under its file name would skip those headers.
  for (const p of ['/admin.html', '/index.html', '/ADMIN.html'.toLowerCase()]) {
    const r = await call(srv.base, 'GET', p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.text.includes('<html'), `${p} must not serve a page`);
  }
  // The admin page's script and style still come from the asset route.
  for (const p of ['/admin.js', '/admin.css', '/embed.js'])
    assert.equal((await fetch(`${srv.base}${p}`)).status, 200, p);
});
