// The readers' API over HTTP against a real Parley and PostgreSQL:
// posting, threading, the depth cap, placeholders, sorting, paging, ETags.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startParley, call, sql, uniqueKey } = require('./harness');

let srv;
// The blog these tests post from: posts may only link to allowed sites.
before(async () => {
  srv = await startParley({ name: 'it-comments', settings: { max_depth: 3 },
    env: { PARLEY_ORIGINS: 'https://blog.example.org' } });
});
after(async () => { await srv.stop(); });

const post = (json) => call(srv.base, 'POST', '/api/v1/comments', { json });
const thread = (q) => call(srv.base, 'GET', `/api/v1/comments?${q}`);
const guest = (key, body, extra = {}) => post({
  post: key, post_title: 'A title', post_url: 'https://blog.example.org/p',
  body, author_name: 'Ann', author_email: 'ann@example.org', ...extra,
});

test('an unknown post is an empty thread, not an error', async () => {
  const key = uniqueKey();
  const r = await thread(`post=${encodeURIComponent(key)}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {
    post: { key, title: null, url: null, comment_count: 0, open: true },
    comments: [], next: null, mail: false,
  });
});

test('the first comment creates the post with its title and URL', async () => {
  const key = uniqueKey();
  const r = await guest(key, 'Hello **there**', { author_url: 'https://ann.example.org' });
  assert.equal(r.status, 201);
  const c = r.json.comment;
  assert.equal(typeof c.id, 'number');
  assert.equal(c.parent_id, null);
  assert.equal(c.status, 'approved');
  assert.equal(c.html, '<p>Hello <strong>there</strong></p>\n');
  assert.deepEqual(c.author, { name: 'Ann', url: 'https://ann.example.org', avatar: c.author.avatar, role: 'guest' });
  assert.match(c.author.avatar, /^\/avatar\/[0-9a-f]{32}\.svg$/);
  assert.match(c.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(c.edited_at, null);
  assert.deepEqual(c.replies, []);

  const t = await thread(`post=${encodeURIComponent(key)}`);
  assert.equal(t.json.post.title, 'A title');
  assert.equal(t.json.post.url, 'https://blog.example.org/p');
  assert.equal(t.json.post.comment_count, 1);
  assert.equal(t.json.comments.length, 1);
  assert.equal(t.json.comments[0].id, c.id);
  // The e-mail is never shown to readers.
  assert.ok(!t.text.includes('ann@example.org'));
  // A later comment does not rename the post.
  await guest(key, 'second', { post_title: 'Renamed' });
  const t2 = await thread(`post=${encodeURIComponent(key)}`);
  assert.equal(t2.json.post.title, 'A title');
});

test('replies nest, and past max_depth attach to the deepest allowed ancestor', async () => {
  const key = uniqueKey();
  const a = (await guest(key, 'level 1')).json.comment;
  const b = (await guest(key, 'level 2', { parent_id: a.id })).json.comment;
  const c = (await guest(key, 'level 3', { parent_id: b.id })).json.comment;
  // max_depth is 3 here: a reply to c would be level 4, so it becomes c's sibling.
  const d = (await guest(key, 'level 4 asked', { parent_id: c.id })).json.comment;
  assert.equal(b.parent_id, a.id);
  assert.equal(c.parent_id, b.id);
  assert.equal(d.parent_id, b.id);

  const t = (await thread(`post=${encodeURIComponent(key)}`)).json;
  assert.equal(t.comments.length, 1);
  const [top] = t.comments;
  assert.equal(top.id, a.id);
  assert.equal(top.replies.length, 1);
  assert.deepEqual(top.replies[0].replies.map((x) => x.id), [c.id, d.id]);
  assert.equal(top.replies[0].replies[0].replies.length, 0);
  const depth = sql(`SELECT depth FROM comments WHERE id = ${d.id}`)[0][0];
  assert.equal(depth, '2');
});

test('a deleted comment with replies stays as a placeholder; without replies it goes', async () => {
  const key = uniqueKey();
  const a = (await guest(key, 'to be deleted')).json.comment;
  const b = (await guest(key, 'a reply', { parent_id: a.id })).json.comment;
  const lone = (await guest(key, 'deleted, alone')).json.comment;
  sql(`UPDATE comments SET status = 'deleted' WHERE id IN (${a.id}, ${lone.id})`);

  const r = await thread(`post=${encodeURIComponent(key)}`);
  const t = r.json;
  assert.equal(t.comments.length, 1);
  const ph = t.comments[0];
  assert.equal(ph.id, a.id);
  assert.equal(ph.status, 'deleted');
  assert.equal(ph.html, '');
  assert.equal(ph.author.name, '');
  assert.equal(ph.replies[0].id, b.id);
  assert.ok(!r.text.includes('to be deleted'));
  assert.equal(t.post.comment_count, 1);
});

test('sort oldest, newest and top order top-level comments; replies stay oldest first', async () => {
  const key = uniqueKey();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await guest(key, `c${i}`)).json.comment.id);
  const r1 = (await guest(key, 'r1', { parent_id: ids[0] })).json.comment.id;
  const r2 = (await guest(key, 'r2', { parent_id: ids[0] })).json.comment.id;
  sql(`UPDATE comments SET score = 5 WHERE id = ${ids[1]}`);
  sql(`UPDATE comments SET score = 2 WHERE id = ${ids[2]}`);

  const get = async (sort) => (await thread(`post=${encodeURIComponent(key)}&sort=${sort}`)).json.comments;
  assert.deepEqual((await get('oldest')).map((c) => c.id), ids);
  const newest = await get('newest');
  assert.deepEqual(newest.map((c) => c.id), [...ids].reverse());
  assert.deepEqual(newest[2].replies.map((c) => c.id), [r1, r2]);
  assert.deepEqual((await get('top')).map((c) => c.id), [ids[1], ids[2], ids[0]]);
});

test('paging with limit and after walks every top-level comment once, to the end', async () => {
  const key = uniqueKey();
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await guest(key, `p${i}`)).json.comment.id);
  for (const sort of ['oldest', 'newest', 'top']) {
    const seen = [];
    let after = null;
    let pages = 0;
    do {
      const q = `post=${encodeURIComponent(key)}&sort=${sort}&limit=3${after ? `&after=${after}` : ''}`;
      const r = await thread(q);
      assert.equal(r.status, 200);
      seen.push(...r.json.comments.map((c) => c.id));
      after = r.json.next;
      pages += 1;
    } while (after !== null && pages < 10);
    assert.equal(pages, 3, sort);
    assert.deepEqual([...seen].sort((x, y) => x - y), ids, sort);
  }
});

test('GET sends an ETag and answers If-None-Match with 304 until the thread changes', async () => {
  const key = uniqueKey();
  await guest(key, 'first');
  const q = `post=${encodeURIComponent(key)}`;
  const r1 = await thread(q);
  const etag = r1.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}(-gz)?"$/);
  const r2 = await call(srv.base, 'GET', `/api/v1/comments?${q}`, { headers: { 'if-none-match': etag } });
  assert.equal(r2.status, 304);
  assert.equal(r2.text, '');
  await guest(key, 'second');
  const r3 = await call(srv.base, 'GET', `/api/v1/comments?${q}`, { headers: { 'if-none-match': etag } });
  assert.equal(r3.status, 200);
  assert.notEqual(r3.headers.get('etag'), etag);
});

test('counts answer approved comments per key, unknown keys as 0, in one call', async () => {
  const k1 = uniqueKey();
  const k2 = uniqueKey();
  await guest(k1, 'one');
  await guest(k1, 'two');
  const gone = (await guest(k1, 'three')).json.comment.id;
  sql(`UPDATE comments SET status = 'spam' WHERE id = ${gone}`);
  const r = await call(srv.base, 'GET',
    `/api/v1/counts?post=${encodeURIComponent(k1)}&post=${encodeURIComponent(k2)}&post=%2F2018%2F03%2Fx%2F`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { counts: { [k1]: 2, [k2]: 0, '/2018/03/x/': 0 } });
});

test('counts take up to 100 keys and refuse more', async () => {
  const keys = Array.from({ length: 100 }, (_, i) => `post=k${i}`).join('&');
  const ok = await call(srv.base, 'GET', `/api/v1/counts?${keys}`);
  assert.equal(ok.status, 200);
  assert.equal(Object.keys(ok.json.counts).length, 100);
  const tooMany = await call(srv.base, 'GET', `/api/v1/counts?${keys}&post=k100`);
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.json.error.field, 'post');
  const none = await call(srv.base, 'GET', '/api/v1/counts');
  assert.equal(none.status, 422);
});

test('preview renders Markdown like a posted comment, and stores nothing', async () => {
  const before = sql('SELECT count(*) FROM comments')[0][0];
  const r = await call(srv.base, 'POST', '/api/v1/preview', { json: { body: '*hi* <b>x</b> [a](javascript:alert(1))' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.html, '<p><em>hi</em> &lt;b&gt;x&lt;/b&gt; a</p>\n');
  assert.equal(sql('SELECT count(*) FROM comments')[0][0], before);
});

test('thread.html serves the approved thread as a page and as a fragment, escaped', async () => {
  const key = uniqueKey();
  await guest(key, 'Visible <script>alert(1)</script>', { author_name: '<img src=x onerror=alert(1)>' });
  const hidden = (await guest(key, 'not approved')).json.comment.id;
  sql(`UPDATE comments SET status = 'pending' WHERE id = ${hidden}`);
  const page = await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, /^<!doctype html>/);
  assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!page.text.includes('<script'));
  assert.ok(!page.text.includes('<img'));
  assert.ok(!page.text.includes('not approved'));
  assert.ok(page.text.includes('1 comment<'));
  assert.match(page.text, /<main>.*<\/main>/s);
  // Dates for people, the exact time for machines.
  const at = /<time datetime="(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d):\d\dZ">([^<]*)<\/time>/.exec(page.text);
  assert.ok(at, 'a <time datetime> element');
  const month = new Date(`${at[1]}-${at[2]}-01T00:00:00Z`).toLocaleString('en', { month: 'long', timeZone: 'UTC' });
  assert.equal(at[5], `${month} ${Number(at[3])}, ${at[1]}, ${at[4]} UTC`);
  const de = await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}&lang=de-DE`);
  assert.match(de.text, /<html lang="de">/);
  assert.ok(de.text.includes('1 Kommentar<'));
  assert.match(de.text, new RegExp(`>${Number(at[3])}\\. \\S+ ${at[1]}, ${at[4]} UTC</time>`));
  const fr = await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}&lang=fr`);
  assert.ok(fr.text.includes('Commentaires sur'));
  assert.ok(fr.text.includes(' à '));
  assert.ok((await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}`)).text.includes('1 comment<'),
    'each language is cached apart');
  const frag = await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}&fragment=1`);
  assert.equal(frag.status, 200);
  assert.ok(!frag.text.includes('<html'));
  assert.ok(!frag.text.includes('<main'), 'the blog\'s page has its own main');
  assert.match(frag.text, /^<section class="parley-static">/);
  // A missing post is a page that says what to ask for, not JSON.
  for (const [query, words] of [['', 'Name the post'], ['?lang=fr', 'Indiquez'], ['?post=&lang=de', 'Nennen Sie']]) {
    const bad = await call(srv.base, 'GET', `/thread.html${query}`);
    assert.equal(bad.status, 422);
    assert.match(bad.headers.get('content-type'), /^text\/html/);
    assert.match(bad.text, /^<!doctype html>/);
    assert.ok(bad.text.includes(words), bad.text);
    assert.ok(bad.headers.get('content-security-policy'));
  }
});

test('the demo page, healthz and unknown API paths', async () => {
  const home = await call(srv.base, 'GET', '/');
  assert.equal(home.status, 200);
  assert.match(home.text, /Getting to 'Yes' With North Korea/);
  assert.ok(home.headers.get('etag'));
  const h = await call(srv.base, 'GET', '/healthz');
  assert.deepEqual(h.json, { status: 'ok', database: 'ok' });
  const nf = await call(srv.base, 'GET', '/api/v1/nope');
  assert.equal(nf.status, 404);
  assert.equal(nf.json.error.code, 'not_found');
});
