// Atom feeds of comments (/feed/comments.atom): a post's and the site's,
// parsed by a feed reader's parser (@rowanmanning/feed-parser) and checked
// for well-formedness by libxml2 (xmllint); caching, 304s and
// invalidation like threads; only approved comments; names, never
// e-mails; replies with thr:in-reply-to; hostile text everywhere; the
// links from thread.html.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { execFileSync, spawnSync } = require('node:child_process');
const { parseFeed } = require('@rowanmanning/feed-parser');
const { startParley, call, sql, uniqueKey, sleep } = require('./harness');

const BLOG = 'http://blog.example.test';
// Where Parley says it is (parley.conf's public_url): under a path, as
// behind a proxy, and not where the tests reach it.
const PUBLIC = 'https://comments.example.test/parley';
const tag = 'tag:comments.example.test,2026:';
const ATOM_TYPE = 'application/atom+xml; charset=utf-8';
const THR = 'http://purl.org/syndication/thread/1.0';
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;

let srv;
// One worker: what one request leaves in the cache, the next one sees.
before(async () => {
  srv = await startParley({ name: 'it-feed', workers: 1, env: { PARLEY_ORIGINS: BLOG, PARLEY_PUBLIC_URL: PUBLIC } });
});
after(async () => { await srv.stop(); });

const feedPath = (key) => (key === undefined ? '/feed/comments.atom' : `/feed/comments.atom?post=${encodeURIComponent(key)}`);

// A GET on a fresh connection, with any headers (Host included).
function get(path, headers = {}, base = srv.base) {
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { agent: false, headers: { connection: 'close', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
}

// libxml2's verdict on the document: throws with its message when not
// well-formed.
function wellFormed(xml) {
  if (!haveXmllint) return;
  const r = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
  assert.equal(r.status, 0, `xmllint: ${r.stderr}\n${xml}`);
}

// The string value of an XPath over the document, as libxml2 reads it.
// el('entry') names an element whatever its namespace prefix.
const el = (name) => `*[local-name()='${name}']`;
function xpath(xml, expr) {
  // xmllint ends what it prints with a newline of its own.
  return execFileSync('xmllint', ['--xpath', `string(${expr})`, '-'], { input: xml, encoding: 'utf8' }).replace(/\n$/, '');
}

// The feed, checked for what every answer must be, and parsed.
async function feed(key, headers, base) {
  const r = await get(feedPath(key), headers, base);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], ATOM_TYPE);
  assert.match(r.text, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
  wellFormed(r.text);
  return { ...r, feed: parseFeed(r.text) };
}

const comment = (key, body, extra = {}) => call(srv.base, 'POST', '/api/v1/comments', {
  json: { post: key, body, author_name: 'Ann', ...extra },
});

async function posted(key, body, extra) {
  const r = await comment(key, body, extra);
  assert.equal(r.status, 201, r.text);
  return r.json.comment;
}

const inReplyTo = (item) => {
  const e = item.element.findElementWithName('in-reply-to');
  return e && e.namespaceUri === THR ? e.getAttribute('ref') : null;
};

// Retries until the feed satisfies ok (announcements of changes made in
// SQL arrive on their own).
async function feedUntil(key, ok) {
  const deadline = Date.now() + 3000;
  let f;
  while (Date.now() < deadline) {
    f = await feed(key);
    if (ok(f)) return f;
    await sleep(20);
  }
  return f;
}

test('a post\'s feed: its approved comments, newest first, names only, replies linked', async () => {
  const key = uniqueKey('feed');
  const url = `${BLOG}/2018/03/getting-to-yes/`;
  const first = await posted(key, 'The *first* word.', {
    post_title: 'Getting to \'Yes\' With North Korea', post_url: url,
    author_name: 'Alice', author_email: 'alice-secret@example.org', author_url: 'https://alice.example/',
  });
  const reply = await posted(key, 'A reply & more', { parent_id: first.id, author_name: 'Bob', author_email: 'bob-secret@example.org' });
  const held = await posted(key, 'held back', { author_name: 'Carl' });
  const spam = await posted(key, 'buy things', { author_name: 'Spammer' });
  sql(`UPDATE comments SET status = 'pending' WHERE id = ${held.id}`);
  sql(`UPDATE comments SET status = 'spam' WHERE id = ${spam.id}`);

  const r = await feedUntil(key, (f) => f.feed.items.length === 2);
  const f = r.feed;
  assert.equal(f.meta.type, 'atom');
  assert.equal(f.title, 'Comments on Getting to \'Yes\' With North Korea');
  assert.equal(f.url, url, 'the feed\'s alternate is the post');
  assert.equal(f.self, `${PUBLIC}/feed/comments.atom?post=${encodeURIComponent(key)}`);
  assert.deepEqual(f.items.map((i) => i.id), [`${tag}comment-${reply.id}`, `${tag}comment-${first.id}`]);
  const [b, a] = f.items;
  assert.equal(b.url, `${url}#parley-comment-${reply.id}`);
  assert.equal(b.title, `Bob on Getting to 'Yes' With North Korea`);
  assert.deepEqual(b.authors, [{ name: 'Bob', email: null, url: null }]);
  assert.equal(inReplyTo(b), `${tag}comment-${first.id}`);
  assert.equal(inReplyTo(a), null, 'a top-level comment replies to nothing');
  assert.deepEqual(a.authors, [{ name: 'Alice', email: null, url: null }]);
  assert.equal(a.published.toISOString(), new Date(first.created_at).toISOString());
  assert.equal(a.updated.toISOString(), new Date(first.created_at).toISOString());
  assert.ok(f.updated >= a.updated);

  for (const secret of ['secret@', 'alice.example', 'held back', 'buy things', 'Carl', 'Spammer'])
    assert.ok(!r.text.includes(secret), `${secret} must not be in the feed`);
  if (haveXmllint) {
    // The stored HTML, exactly, as the content's text.
    const html = JSON.parse(sql(`SELECT to_json(html) FROM comments WHERE id = ${reply.id}`)[0][0]);
    assert.equal(xpath(r.text, `/${el('feed')}/${el('entry')}[1]/${el('content')}[@type='html']`), html);
    assert.equal(xpath(r.text, `/${el('feed')}/${el('entry')}[1]/${el('updated')}`), reply.created_at);
  }
});

test('an edit changes the entry\'s updated, not its published', async () => {
  const key = uniqueKey('feed-edit');
  const c = await posted(key, 'before');
  sql(`UPDATE comments SET html = '<p>after</p>', edited_at = created_at + interval '1 hour' WHERE id = ${c.id}`);
  const r = await feedUntil(key, (f) => f.text.includes('after'));
  const [item] = r.feed.items;
  assert.equal(item.published.toISOString(), new Date(c.created_at).toISOString());
  assert.equal(item.updated.getTime() - item.published.getTime(), 3600 * 1000);
  assert.equal(r.feed.updated.getTime(), item.updated.getTime(), 'the feed is as new as its newest change');
});

test('ETag and 304; cached until its post changes; a new approved comment shows', async () => {
  const key = uniqueKey('feed-cache');
  const c = await posted(key, 'cached words');
  const one = await feed(key, { origin: 'https://elsewhere.example' });
  const etag = one.headers.etag;
  assert.ok(etag);
  assert.equal(one.headers['cache-control'], 'no-cache');
  assert.equal(one.headers['access-control-allow-origin'], 'https://elsewhere.example', 'public, readable from any origin');
  const not = await get(feedPath(key), { 'if-none-match': etag });
  assert.equal(not.status, 304);
  assert.equal(not.text, '');

  // A change nobody announces: the cached feed is what comes back.
  sql(`BEGIN; ALTER TABLE comments DISABLE TRIGGER comments_thread_changed;
    UPDATE comments SET html = '<p>silent</p>' WHERE id = ${c.id};
    ALTER TABLE comments ENABLE TRIGGER comments_thread_changed; COMMIT`);
  const again = await feed(key);
  assert.equal(again.text, one.text, 'from the cache');
  assert.equal(again.headers.etag, etag);

  // A new comment through the API: announced, the feed is made again.
  const c2 = await posted(key, 'new words');
  const after2 = await feedUntil(key, (f) => f.feed.items.length === 2);
  assert.equal(after2.feed.items[0].id, `${tag}comment-${c2.id}`);
  assert.notEqual(after2.headers.etag, etag);
  assert.ok(after2.text.includes('silent'), 'made again from the database');
  assert.equal((await get(feedPath(key), { 'if-none-match': etag })).status, 200, 'the old tag is stale');

  // A held comment leaves it as it was (its content, at least).
  const held = await posted(key, 'not yet');
  sql(`UPDATE comments SET status = 'pending' WHERE id = ${held.id}`);
  const f3 = await feedUntil(key, (f) => !f.text.includes('not yet'));
  assert.equal(f3.feed.items.length, 2);
  // Approving it adds it.
  sql(`UPDATE comments SET status = 'approved' WHERE id = ${held.id}`);
  const f4 = await feedUntil(key, (f) => f.feed.items.length === 3);
  assert.equal(f4.feed.items[0].id, `${tag}comment-${held.id}`);
  // And moderation taking it back removes it.
  sql(`UPDATE comments SET status = 'spam' WHERE id = ${held.id}`);
  const f5 = await feedUntil(key, (f) => f.feed.items.length === 2);
  assert.ok(!f5.text.includes('not yet'));

  // HEAD: the headers without the body.
  const head = await new Promise((resolve, reject) => {
    http.request(srv.base + feedPath(key), { method: 'HEAD', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    }).on('error', reject).end();
  });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-type'], ATOM_TYPE);
  assert.equal(head.headers.etag, f5.headers.etag);
});

test('at most the 50 newest comments', async () => {
  const key = uniqueKey('feed-many');
  const c = await posted(key, 'the newest of many');
  // 55 older ones (in the past, so the site's feed stays the others').
  sql(`INSERT INTO comments (post_id, author_name, body, html, status, created_at)
    SELECT post_id, 'Many ' || n, 'n' || n, '<p>number ' || n || '</p>', 'approved',
      now() - interval '1 day' + n * interval '1 second'
    FROM comments, generate_series(1, 55) n WHERE id = ${c.id}`);
  const r = await feedUntil(key, (f) => f.feed.items.length === 50);
  const names = r.feed.items.map((i) => i.authors[0].name);
  assert.equal(names.length, 50);
  assert.equal(names[0], 'Ann', 'newest first');
  assert.equal(names[1], 'Many 55');
  assert.equal(names[49], 'Many 7');
  assert.ok(!r.text.includes('number 6<'));
});

test('the site\'s feed: the newest comments across posts, each linked to its post', async () => {
  const k1 = uniqueKey('site-a'), k2 = uniqueKey('site-b');
  const a = await posted(k1, 'on post A', { post_title: 'Post A', post_url: `${BLOG}/a` });
  const b = await posted(k2, 'on post B', { post_title: 'Post B' });
  const f = await feedUntil(undefined, (x) => x.feed.items.some((i) => i.id === `${tag}comment-${b.id}`));
  assert.equal(f.feed.self, `${PUBLIC}/feed/comments.atom`);
  assert.equal(f.feed.url, `${PUBLIC}/`);
  assert.ok(f.feed.items.length <= 50);
  const byId = new Map(f.feed.items.map((i) => [i.id, i]));
  const ia = byId.get(`${tag}comment-${a.id}`), ib = byId.get(`${tag}comment-${b.id}`);
  assert.ok(ia && ib, 'both posts');
  assert.equal(ia.title, 'Ann on Post A');
  assert.equal(ia.url, `${BLOG}/a#parley-comment-${a.id}`);
  // A post without a URL: Parley's own page of the thread.
  assert.equal(ib.url, `${PUBLIC}/thread.html?post=${encodeURIComponent(k2)}#c${b.id}`);
  const times = f.feed.items.map((i) => i.published.getTime());
  assert.deepEqual(times, [...times].sort((x, y) => y - x), 'newest first');

  // Cached, and dropped when any post changes.
  const etag = f.headers.etag;
  assert.equal((await get(feedPath(), { 'if-none-match': etag })).status, 304);
  const c = await posted(uniqueKey('site-c'), 'on post C');
  const g = await feedUntil(undefined, (x) => x.feed.items[0]?.id === `${tag}comment-${c.id}`);
  assert.equal(g.feed.items[0].id, `${tag}comment-${c.id}`);
  assert.notEqual(g.headers.etag, etag);
  assert.equal((await get(feedPath(), { 'if-none-match': etag })).status, 200);
});

test('hostile names, titles, URLs and bodies stay text in a well-formed feed', async () => {
  const key = uniqueKey('feed-<&"\'>');
  const c = await posted(key, 'x', { post_title: 'ok' });
  const r2 = await posted(key, 'y', { parent_id: c.id });
  // Stored as an import could store them: controls, noncharacters,
  // right-to-left overrides, markup, a CDATA end.
  const evil = '<script>alert(1)</script> & ]]> \u0001\u0008\u001f\uFFFE\uFFFF \u202Egnp.exe "q" \'a\'';
  const lit = `E'${evil.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/[\u0000-\u001f\uFFFE\uFFFF]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
  sql(`UPDATE posts SET title = ${lit}, url = 'javascript:alert(1)' WHERE key = '${key.replace(/'/g, "''")}'`);
  sql(`UPDATE comments SET author_name = ${lit}, html = ${lit} WHERE id IN (${c.id}, ${r2.id})`);
  const clean = evil.replace(/[\u0001\u0008\u001f\uFFFE\uFFFF]/g, '');

  const r = await feedUntil(key, (f) => f.text.includes('alert'));
  assert.ok(!r.text.includes('<script'), 'no markup from users');
  assert.ok(!/[\u0001\u0008\u001f\uFFFE\uFFFF]/.test(r.text), 'nothing XML forbids');
  assert.ok(r.text.includes('\u202E'), 'what XML allows stays');
  assert.ok(!r.text.includes('javascript:'), 'no script links');
  assert.equal(r.feed.items.length, 2);
  assert.equal(r.feed.title, `Comments on ${clean}`);
  assert.equal(r.feed.url, `${PUBLIC}/thread.html?post=${encodeURIComponent(key).replace(/'/g, '%27')}`);
  assert.equal(inReplyTo(r.feed.items[0]), `${tag}comment-${c.id}`);
  if (haveXmllint) {
    const entry = `/${el('feed')}/${el('entry')}[1]`;
    assert.equal(xpath(r.text, `${entry}/${el('author')}/${el('name')}`), clean);
    assert.equal(xpath(r.text, `${entry}/${el('content')}`), clean);
    assert.equal(xpath(r.text, `${entry}/${el('title')}`), `${clean} on ${clean}`);
  }
});

test('an unknown post is an empty feed; a bad request is a JSON error', async () => {
  const key = uniqueKey('feed-none');
  const r = await feed(key);
  assert.equal(r.feed.items.length, 0);
  assert.equal(r.feed.title, `Comments on ${key}`);
  assert.equal(r.feed.updated.toISOString(), '1970-01-01T00:00:00.000Z');
  // Its first comment drops the cached empty feed.
  const c = await posted(key, 'the first');
  const f = await feedUntil(key, (x) => x.feed.items.length === 1);
  assert.equal(f.feed.items[0].id, `${tag}comment-${c.id}`);

  for (const [q, status, code] of [
    ['?post=', 422, 'invalid_value'],
    ['?post=%01x', 422, 'invalid_value'],
    [`?post=${'k'.repeat(257)}`, 422, 'invalid_value'],
    ['?post=%zz', 400, 'malformed_query'],
  ]) {
    const bad = await call(srv.base, 'GET', `/feed/comments.atom${q}`);
    assert.equal(bad.status, status, q);
    assert.match(bad.headers.get('content-type'), /^application\/json/);
    assert.equal(bad.json.error.code, code, q);
    if (status === 422) assert.equal(bad.json.error.field, 'post');
  }
  const post = await call(srv.base, 'POST', '/feed/comments.atom', { json: {} });
  assert.equal(post.status, 405);
  assert.match(post.headers.get('allow'), /GET/);
});

test('links and ids follow public_url, whatever Host a client sends', async () => {
  const key = uniqueKey('feed-public');
  const c = await posted(key, 'public');
  const r = await feed(key, { host: 'evil.example:8443' });
  assert.equal(r.feed.self, `${PUBLIC}/feed/comments.atom?post=${encodeURIComponent(key)}`);
  assert.equal(r.feed.items[0].id, `${tag}comment-${c.id}`);
  assert.ok(!r.text.includes('evil.example'));
});

test('thread.html links to its post\'s feed, in its head and in its text', async () => {
  const key = uniqueKey('feed page&');
  await posted(key, 'on the page', { post_title: 'A <b>title</b>' });
  const path = `/feed/comments.atom?post=${encodeURIComponent(key).replace(/'/g, '%27')}`;
  const page = await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}`);
  assert.equal(page.status, 200);
  const head = page.text.slice(0, page.text.indexOf('</head>'));
  const link = /<link rel="alternate" type="application\/atom\+xml" title="([^"]*)" href="([^"]*)">/.exec(head);
  assert.ok(link, head);
  assert.equal(link[1], 'Comments on A &lt;b&gt;title&lt;/b&gt;');
  assert.equal(link[2], PUBLIC + path);
  const visible = `<a type="application/atom+xml" href="${PUBLIC}${path}">Comments feed</a>`;
  assert.ok(page.text.includes(visible));
  // The link leads to the feed.
  const f = await feed(key);
  assert.equal(f.feed.items.length, 1);
  // A fragment, in the blog's page, links to Parley where it is.
  const frag = await call(srv.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}&fragment=1`);
  assert.match(frag.text, /^<section class="parley-static">/);
  assert.ok(frag.text.includes(visible));
  // The page for a missing post has no feed to link to.
  const none = await call(srv.base, 'GET', '/thread.html');
  assert.ok(!none.text.includes('feed/comments.atom'));
});

test('without public_url, links follow the Host asked for, ids its host; a Host that is no host is refused', async () => {
  // serve.sh writes a blank PARLEY_PUBLIC_URL as it is: parley.conf
  // reads a blank value as unset.
  const node = await startParley({ name: 'it-feed-host', workers: 1, shareDb: srv.db, env: { PARLEY_PUBLIC_URL: ' ' } });
  try {
    const key = uniqueKey('feed-host');
    const c = await posted(key, 'hosted');
    const r = await feed(key, { host: 'Comments.Example.ORG:8443' }, node.base);
    assert.equal(r.feed.self, `http://comments.example.org:8443/feed/comments.atom?post=${encodeURIComponent(key)}`);
    assert.equal(r.feed.items[0].id, `tag:comments.example.org,2026:comment-${c.id}`, 'ids name the host, not the port');
    // Each address has its own cached feed.
    const local = await feed(key, {}, node.base);
    assert.equal(local.feed.self, `${node.base}/feed/comments.atom?post=${encodeURIComponent(key)}`);
    assert.equal(local.feed.items[0].id, `tag:127.0.0.1,2026:comment-${c.id}`);
    // An IPv6 address is no DNS name: ids fall back to localhost.
    const v6 = await feed(key, { host: '[::1]:8080' }, node.base);
    assert.equal(v6.feed.items[0].id, `tag:localhost,2026:comment-${c.id}`);
    for (const host of ['a b', 'x"><y', 'bad_host:99999']) {
      const bad = await get(feedPath(key), { host }, node.base);
      assert.equal(bad.status, 400, host);
      assert.equal(JSON.parse(bad.text).error.code, 'malformed_host');
    }
    // thread.html: links relative to Parley in its own page, none in a
    // fragment (it lives in the blog's page).
    const page = await call(node.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}`);
    assert.ok(page.text.includes(`href="/feed/comments.atom?post=${encodeURIComponent(key)}">Comments feed</a>`));
    const frag = await call(node.base, 'GET', `/thread.html?post=${encodeURIComponent(key)}&fragment=1`);
    assert.ok(!frag.text.includes('feed/comments.atom'));
  } finally {
    await node.stop();
  }
});
