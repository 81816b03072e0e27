// Huge threads paged in SQL: each comment carries at most 50 replies per
// level, "more_replies" is the cursor for the rest and
// GET /api/v1/comments/ID/replies returns them, capped the same way.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startParley, call, sql, uniqueKey } = require('./harness');

let srv;
before(async () => {
  srv = await startParley({ name: 'it-paging', settings: { max_depth: 3 },
    env: { PARLEY_ORIGINS: 'https://blog.example.org' } });
});
after(async () => { await srv.stop(); });

const get = (p) => call(srv.base, 'GET', p);
const thread = (key, q = '') => get(`/api/v1/comments?post=${encodeURIComponent(key)}${q}`);
const replies = (id, q = '') => get(`/api/v1/comments/${id}/replies${q}`);
const guest = (key, body, extra = {}) => call(srv.base, 'POST', '/api/v1/comments', {
  json: { post: key, post_title: 'T', post_url: 'https://blog.example.org/p',
    body, author_name: 'Ann', author_email: 'ann@example.org', ...extra },
});

// n replies under parent, straight into the database (the rate limit
// would stop as many posts), a millisecond apart; returns their ids.
function seedReplies(parent, n, { status = 'approved', depth = 1 } = {}) {
  return sql(`INSERT INTO comments (post_id, parent_id, depth, author_name,
      body, html, status, created_at)
    SELECT c.post_id, c.id, ${depth}, 'R' || g, 'r' || g, '<p>r' || g || '</p>',
      '${status}', now() + g * interval '1 millisecond'
    FROM comments c, generate_series(1, ${n}) g WHERE c.id = ${parent}
    ORDER BY g RETURNING id`).map((r) => Number(r[0]));
}

// Every reply of id through the cursors, checking each page's shape.
async function allReplies(id, cursor, limit = 50) {
  const ids = [];
  let after = cursor;
  for (let i = 0; i < 100 && after !== null; i++) {
    const r = await replies(id, `?after=${encodeURIComponent(after)}&limit=${limit}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.replies.length <= limit);
    for (const c of r.json.replies) {
      assert.equal(c.parent_id, id);
      ids.push(c.id);
    }
    after = r.json.next;
  }
  return ids;
}

test('a comment with 120 replies shows 50, and the cursor gives the other 70 once, in order', async () => {
  const key = uniqueKey();
  const top = (await guest(key, 'top')).json.comment.id;
  const ids = seedReplies(top, 120);
  // Hidden replies are neither shown nor counted.
  seedReplies(top, 3, { status: 'spam' });
  const count = Number(sql(`SELECT count(*) FROM comments c JOIN posts p
    ON p.id = c.post_id WHERE p.key = '${key}' AND c.status = 'approved'`)[0][0]);

  const t = await thread(key);
  assert.equal(t.status, 200);
  assert.equal(t.json.post.comment_count, count);
  assert.equal(count, 121);
  const c = t.json.comments[0];
  assert.equal(c.id, top);
  assert.deepEqual(c.replies.map((r) => r.id), ids.slice(0, 50));
  assert.equal(c.more_replies_count, 70);
  assert.equal(typeof c.more_replies, 'string');
  for (const r of c.replies) {
    assert.equal(r.more_replies, null);
    assert.equal(r.more_replies_count, 0);
  }

  assert.deepEqual(await allReplies(top, c.more_replies), ids.slice(50));
  assert.deepEqual(await allReplies(top, c.more_replies, 7), ids.slice(50));
  // From the start, without a cursor.
  const first = await replies(top, '?limit=200');
  assert.deepEqual(first.json.replies.map((r) => r.id), ids);
  assert.equal(first.json.next, null);
});

test('nested levels are capped the same way, in the thread and in /replies', async () => {
  const key = uniqueKey();
  const top = (await guest(key, 'top')).json.comment.id;
  const level1 = seedReplies(top, 55);
  const level2 = seedReplies(level1[0], 60, { depth: 2 });
  const t = await thread(key);
  const c = t.json.comments[0];
  assert.equal(c.replies.length, 50);
  assert.equal(c.more_replies_count, 5);
  const r0 = c.replies[0];
  assert.deepEqual(r0.replies.map((r) => r.id), level2.slice(0, 50));
  assert.equal(r0.more_replies_count, 10);
  assert.deepEqual(await allReplies(level1[0], r0.more_replies), level2.slice(50));
  // /replies of the top comment: its replies, each capped again.
  const r = await replies(top, '?limit=2');
  assert.deepEqual(r.json.replies.map((x) => x.id), level1.slice(0, 2));
  assert.equal(r.json.replies[0].replies.length, 50);
  assert.equal(r.json.replies[0].more_replies_count, 10);
  assert.deepEqual(await allReplies(level1[0], r.json.replies[0].more_replies), level2.slice(50));
});

test('top-level paging in every sort returns each comment once, each with capped replies', async () => {
  const key = uniqueKey();
  const tops = [];
  for (let i = 0; i < 4; i++) {
    tops.push((await guest(key, `top ${i}`)).json.comment.id);
    seedReplies(tops[i], 52);
  }
  sql(`UPDATE comments SET score = ${'CASE id'} ${tops.map((id, i) => `WHEN ${id} THEN ${i % 2}`).join(' ')} END WHERE id IN (${tops.join(',')})`);
  const want = {
    oldest: tops,
    newest: [...tops].reverse(),
    top: [tops[1], tops[3], tops[0], tops[2]],
  };
  for (const sort of ['oldest', 'newest', 'top']) {
    const seen = [];
    let after = null;
    for (let i = 0; i < 10; i++) {
      const q = `&sort=${sort}&limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const t = await thread(key, q);
      assert.equal(t.status, 200, t.text);
      for (const c of t.json.comments) {
        seen.push(c.id);
        assert.equal(c.replies.length, 50);
        assert.equal(c.more_replies_count, 2);
      }
      after = t.json.next;
      if (after === null) break;
    }
    assert.deepEqual(seen, want[sort], sort);
  }
});

test('placeholders keep their visible replies; hidden comments without any are left out', async () => {
  const key = uniqueKey();
  const a = (await guest(key, 'a')).json.comment.id;
  const b = (await guest(key, 'b')).json.comment.id;
  const c = (await guest(key, 'c')).json.comment.id;
  const [reply] = seedReplies(a, 1);
  const [deep] = seedReplies(reply, 1, { depth: 2 });
  sql(`UPDATE comments SET status = 'deleted' WHERE id IN (${a}, ${reply})`);
  sql(`UPDATE comments SET status = 'spam' WHERE id = ${b}`);
  const t = await thread(key, '&limit=1');
  assert.equal(t.json.comments.length, 1);
  assert.equal(t.json.comments[0].id, a);
  assert.equal(t.json.comments[0].status, 'deleted');
  assert.equal(t.json.comments[0].replies[0].id, reply);
  assert.equal(t.json.comments[0].replies[0].replies[0].id, deep);
  assert.notEqual(t.json.next, null);
  const t2 = await thread(key, `&limit=1&after=${encodeURIComponent(t.json.next)}`);
  assert.deepEqual(t2.json.comments.map((x) => x.id), [c]);
  assert.equal(t2.json.next, null);
});

test('a new reply drops the cached pages: counts and cursors follow', async () => {
  const key = uniqueKey();
  const top = (await guest(key, 'top')).json.comment.id;
  const ids = seedReplies(top, 60);
  // Cached after these (anonymous readers).
  const t1 = await thread(key);
  assert.equal(t1.json.comments[0].more_replies_count, 10);
  const cursor = t1.json.comments[0].more_replies;
  const r1 = await replies(top, `?after=${encodeURIComponent(cursor)}`);
  assert.deepEqual(r1.json.replies.map((x) => x.id), ids.slice(50));
  const etag = r1.headers.get('etag');
  assert.ok(etag);
  const r304 = await call(srv.base, 'GET', `/api/v1/comments/${top}/replies?after=${encodeURIComponent(cursor)}`,
    { headers: { 'if-none-match': etag } });
  assert.equal(r304.status, 304);

  const n = await guest(key, 'a new reply', { parent_id: top });
  assert.equal(n.status, 201);
  const t2 = await thread(key);
  assert.equal(t2.json.comments[0].more_replies_count, 11);
  assert.equal(t2.json.post.comment_count, t1.json.post.comment_count + 1);
  const r2 = await replies(top, `?after=${encodeURIComponent(cursor)}`);
  assert.deepEqual(r2.json.replies.map((x) => x.id), [...ids.slice(50), n.json.comment.id]);
});

test('/replies refuses bad requests', async () => {
  assert.equal((await replies(999999999999)).status, 404);
  const key = uniqueKey();
  const top = (await guest(key, 'top')).json.comment.id;
  assert.equal((await replies(top, '?after=nope')).status, 422);
  assert.equal((await replies(top, '?limit=0')).status, 422);
  const r = await replies(top);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { replies: [], next: null });
  assert.equal((await call(srv.base, 'POST', `/api/v1/comments/${top}/replies`, { json: {} })).status, 405);
});

test('thread.html pages the same way with plain links', async () => {
  const key = uniqueKey();
  const top = (await guest(key, 'top')).json.comment.id;
  const ids = seedReplies(top, 60);
  const page = await get(`/thread.html?post=${encodeURIComponent(key)}&lang=en`);
  assert.equal(page.status, 200);
  for (const id of ids.slice(0, 50)) assert.ok(page.text.includes(`id="c${id}"`));
  assert.ok(!page.text.includes(`id="c${ids[50]}"`));
  const m = page.text.match(/<p class="parley-more"><a href="([^"]+)">Show 10 more replies<\/a>/);
  assert.ok(m, page.text.slice(-2000));
  const href = m[1].replace(/&amp;/g, '&');
  assert.match(href, new RegExp(`^thread\\.html\\?post=.*&lang=en&replies=${top}&after=`));
  const more = await get(`/${href}`);
  assert.equal(more.status, 200);
  for (const id of ids.slice(50)) assert.ok(more.text.includes(`id="c${id}"`));
  assert.ok(!more.text.includes(`id="c${ids[0]}"`));
  assert.ok(!more.text.includes('parley-next'));

  // Top-level pages: 50 per page, then a link to the next.
  const key2 = uniqueKey();
  const first = (await guest(key2, 'first')).json.comment.id;
  sql(`INSERT INTO comments (post_id, depth, author_name, body, html, status, created_at)
    SELECT c.post_id, 0, 'T' || g, 't', '<p>t</p>', 'approved', now() + g * interval '1 millisecond'
    FROM comments c, generate_series(1, 55) g WHERE c.id = ${first}`);
  const p1 = await get(`/thread.html?post=${encodeURIComponent(key2)}&lang=de`);
  assert.equal((p1.text.match(/class="parley-comment"/g) || []).length, 50);
  const n = p1.text.match(/<p class="parley-next"><a href="([^"]+)">Weitere Kommentare<\/a>/);
  assert.ok(n);
  const p2 = await get(`/${n[1].replace(/&amp;/g, '&')}`);
  assert.equal((p2.text.match(/class="parley-comment"/g) || []).length, 6);
  assert.ok(!p2.text.includes('parley-next'));
  assert.equal((await get(`/thread.html?post=${encodeURIComponent(key2)}&after=bad`)).status, 400);
});
