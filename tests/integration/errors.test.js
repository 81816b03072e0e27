// Bad input over HTTP: every refusal has SPEC.md's error shape and status,
// no worker crashes, and nothing is written.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startParley, call, sql, uniqueKey } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-errors' }); });
after(async () => { await srv.stop(); });

const rowCount = () => sql('SELECT (SELECT count(*) FROM comments) || \':\' || (SELECT count(*) FROM posts)')[0][0];

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(typeof r.json.error.message, 'string');
  assert.ok(r.json.error.message.length > 0);
  if (code) assert.equal(r.json.error.code, code);
  if (field === undefined) return;
  if (field === null) assert.ok(!('field' in r.json.error));
  else assert.equal(r.json.error.field, field);
}

const valid = () => ({
  post: uniqueKey('err'), body: 'hello', author_name: 'Ann', author_email: 'a@example.org',
});
const postRaw = (body, headers = { 'content-type': 'application/json' }) =>
  call(srv.base, 'POST', '/api/v1/comments', { body, headers });

test('wrong content type is 415', async () => {
  const before_ = rowCount();
  assertError(await postRaw(JSON.stringify(valid()), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
  assertError(await postRaw('post=x&body=y', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
  assertError(await postRaw(JSON.stringify(valid()), {}), 415);
  assert.equal(rowCount(), before_);
});

test('malformed JSON and non-objects are 400', async () => {
  const before_ = rowCount();
  for (const body of ['{', '', 'null', '[]', '"x"', '{"post": }', '{"a":1,"a":2}', '\u0000']) {
    assertError(await postRaw(body), 400, 'malformed_json');
  }
  assert.equal(rowCount(), before_);
});

test('\\u escapes are accepted (Kore\'s own parser would refuse them)', async () => {
  const v = valid();
  const raw = JSON.stringify(v).replace('"hello"', '"h\\u00e9llo \\ud83d\\ude00"');
  const r = await postRaw(raw);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.comment.html, '<p>héllo 😀</p>\n');
});

test('invalid UTF-8 is refused with 422 and writes nothing', async () => {
  const before_ = rowCount();
  const v = JSON.stringify(valid());
  const bytes = Buffer.concat([Buffer.from(v.slice(0, -2)), Buffer.from([0x22, 0x2c, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])]);
  const r = await postRaw(bytes);
  assertError(r, 422, 'invalid_utf8');
  // A lone surrogate escape is not Unicode either.
  const r2 = await postRaw(JSON.stringify(valid()).replace('"hello"', '"\\ud800"'));
  assert.ok(r2.status === 400 || r2.status === 422, r2.text);
  assert.equal(rowCount(), before_);
});

test('a body over 64 KiB is 413', async () => {
  const v = valid();
  v.body = 'x'.repeat(70 * 1024);
  assertError(await postRaw(JSON.stringify(v)), 413, 'body_too_large');
});

test('missing and invalid fields are 422 naming the field', async () => {
  const before_ = rowCount();
  const cases = [
    [{ post: undefined }, 'post', 'required'],
    [{ post: '' }, 'post', 'required'],
    [{ post: 'x'.repeat(257) }, 'post', 'invalid_value'],
    [{ post: 'a\u0001b' }, 'post', 'invalid_value'],
    [{ post: 5 }, 'post', 'invalid_type'],
    [{ body: undefined }, 'body', 'required'],
    [{ body: '   \n ' }, 'body', 'required'],
    [{ body: 'x'.repeat(10001) }, 'body', 'too_long'],
    [{ body: ['x'] }, 'body', 'invalid_type'],
    [{ body: 'bell\u0007' }, 'body', 'invalid_value'],
    [{ author_name: undefined }, 'author_name', 'required'],
    [{ author_name: ' ' }, 'author_name', 'required'],
    [{ author_name: 'n'.repeat(81) }, 'author_name', 'invalid_value'],
    [{ author_name: 'a\nb' }, 'author_name', 'invalid_value'],
    [{ author_email: 'not-an-email' }, 'author_email', 'invalid_value'],
    [{ author_url: 'javascript:alert(1)' }, 'author_url', 'invalid_value'],
    [{ author_url: 'http://a b' }, 'author_url', 'invalid_value'],
    [{ post_url: 'ftp://x' }, 'post_url', 'invalid_value'],
    [{ post_title: 't'.repeat(301) }, 'post_title', 'invalid_value'],
    [{ parent_id: 'abc' }, 'parent_id', 'invalid_value'],
    [{ parent_id: -1 }, 'parent_id', 'invalid_value'],
    [{ parent_id: 1.5 }, 'parent_id', 'invalid_value'],
  ];
  for (const [patch, field, code] of cases) {
    const v = { ...valid(), ...patch };
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete v[k];
    const r = await call(srv.base, 'POST', '/api/v1/comments', { json: v });
    assertError(r, 422, code, field);
  }
  assert.equal(rowCount(), before_);
});

test('an unknown parent, or one from another post, is 422 and creates no post', async () => {
  const other = { ...valid() };
  const parent = (await call(srv.base, 'POST', '/api/v1/comments', { json: other })).json.comment;
  const before_ = rowCount();
  const fresh = valid();
  const r1 = await call(srv.base, 'POST', '/api/v1/comments', { json: { ...fresh, parent_id: parent.id } });
  assertError(r1, 422, 'parent_not_found', 'parent_id');
  const r2 = await call(srv.base, 'POST', '/api/v1/comments', { json: { ...fresh, parent_id: 9007199254740991 } });
  assertError(r2, 422, 'parent_not_found', 'parent_id');
  assert.equal(rowCount(), before_);
  assert.equal(sql(`SELECT count(*) FROM posts WHERE key = '${fresh.post}'`)[0][0], '0');
});

test('a closed post refuses comments with 403', async () => {
  const v = valid();
  await call(srv.base, 'POST', '/api/v1/comments', { json: v });
  sql(`UPDATE posts SET open = false WHERE key = '${v.post}'`);
  const before_ = rowCount();
  const r = await call(srv.base, 'POST', '/api/v1/comments', { json: { ...v, body: 'again' } });
  assertError(r, 403, 'post_closed');
  assert.equal(rowCount(), before_);
  const t = await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(v.post)}`);
  assert.equal(t.json.post.open, false);
});

test('absurd query parameters are refused, not obeyed', async () => {
  const key = encodeURIComponent(uniqueKey());
  const get = (q) => call(srv.base, 'GET', `/api/v1/comments?${q}`);
  assertError(await get(''), 422, 'required', 'post');
  assertError(await get(`post=${key}&limit=0`), 422, 'invalid_value', 'limit');
  assertError(await get(`post=${key}&limit=201`), 422, 'invalid_value', 'limit');
  assertError(await get(`post=${key}&limit=-5`), 422, 'invalid_value', 'limit');
  assertError(await get(`post=${key}&limit=99999999999999999999`), 422, 'invalid_value', 'limit');
  assertError(await get(`post=${key}&limit=abc`), 422, 'invalid_value', 'limit');
  assertError(await get(`post=${key}&sort=random`), 422, 'invalid_value', 'sort');
  assertError(await get(`post=${key}&after=garbage!!`), 422, 'invalid_cursor', 'after');
  assertError(await get(`post=${key}&after=${'A'.repeat(300)}`), 422, 'invalid_cursor', 'after');
  // Past Kore's header limit the request never reaches Parley: refused
  // or dropped by Kore, and the server goes on serving.
  const huge = await get(`post=${key}&after=${'A'.repeat(5000)}`).catch(() => ({ status: 0 }));
  assert.ok(huge.status === 0 || (huge.status >= 400 && huge.status < 500));
  assert.equal((await call(srv.base, 'GET', '/healthz')).status, 200);
  assertError(await get(`post=${key}&after=`), 422, 'invalid_cursor', 'after');
  assertError(await get(`post=%zz`), 400, 'malformed_query');
  assertError(await get(`post=a%00b`), 400, 'malformed_query');
  assertError(await get(`post=${'k'.repeat(257)}`), 422, 'invalid_value', 'post');
  // A cursor made for one sort is refused for another.
  const v = { ...valid(), post: decodeURIComponent(key) };
  for (let i = 0; i < 3; i++) await call(srv.base, 'POST', '/api/v1/comments', { json: { ...v, body: `b${i}` } });
  const page = await get(`post=${key}&limit=1&sort=newest`);
  assert.ok(page.json.next);
  assertError(await get(`post=${key}&limit=1&sort=top&after=${page.json.next}`), 422, 'invalid_cursor', 'after');
  assert.equal((await get(`post=${key}&limit=1&sort=newest&after=${page.json.next}`)).status, 200);
});

test('wrong methods get 405 with Allow; unknown API paths 404 as JSON', async () => {
  const r = await call(srv.base, 'DELETE', '/api/v1/comments');
  assertError(r, 405, 'method_not_allowed');
  assert.match(r.headers.get('allow'), /POST/);
  assertError(await call(srv.base, 'GET', '/api/v1/preview'), 405);
  assertError(await call(srv.base, 'POST', '/api/v1/counts?post=a'), 405);
  assertError(await call(srv.base, 'GET', '/api/v2/anything'), 404, 'not_found');
});

test('a flood of malformed requests leaves the workers serving', async () => {
  const junk = ['{', '{"post":{}}', '{"body":1e999}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    '{"post":"x","body":"' + '\\'.repeat(1000) + '"}', JSON.stringify({ post: 'x', body: 'y', author_name: 'z', parent_id: 1e300 })];
  const all = [];
  for (let i = 0; i < 60; i++) all.push(postRaw(junk[i % junk.length]));
  const results = await Promise.all(all);
  for (const r of results) assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text}`);
  const h = await call(srv.base, 'GET', '/healthz');
  assert.equal(h.status, 200);
});
