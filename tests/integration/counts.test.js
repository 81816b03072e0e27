// Stored counts (sql/032_comment_counts.sql): after every kind of change
// a post's approved comments and each comment's approved replies, as
// stored, equal the same counted afresh. The changes go through Parley
// where Parley makes them (posting, moderation, an author's delete, an
// import, an erasure) and through SQL for the rest (a statement over many
// rows, moves between posts and parents, a post's deletion).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, top } = require('./harness');

const PW = 'a long enough password';
let srv;
let admin;

before(async () => {
  srv = await startParley({ name: 'it-counts' });
  setSettings({ rate_limit_per_minute: 0 });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['counts-boss@example.org', PW, srv.db], { stdio: 'ignore' });
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'counts-boss@example.org', password: PW } });
  assert.equal(login.status, 200, login.text);
  admin = { authorization: `Bearer ${login.json.token}` };
});
after(async () => { await srv.stop(); });

// Every post and comment whose stored count differs from a fresh one.
function wrong() {
  return sql(`SELECT 'post ' || p.id, post_comment_count(p.id), f.n FROM posts p
      CROSS JOIN LATERAL (SELECT count(*)::integer AS n FROM comments c
        WHERE c.post_id = p.id AND c.status = 'approved') f
      WHERE post_comment_count(p.id) <> f.n
    UNION ALL
    SELECT 'comment ' || c.id, reply_count(c.id), f.n FROM comments c
      CROSS JOIN LATERAL (SELECT count(*)::integer AS n FROM comments r
        WHERE r.parent_id = c.id AND r.status = 'approved') f
      WHERE reply_count(c.id) <> f.n
    UNION ALL
    SELECT 'rows of post ' || pc.post_id, pc.approved, NULL FROM post_counts pc
      WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = pc.post_id)`, srv.db);
}
function check(after) {
  assert.deepEqual(wrong(), [], `stored counts after ${after} (what, stored, counted)`);
}

async function post(json) {
  const r = await call(srv.base, 'POST', '/api/v1/comments', { json: { author_name: 'A', ...json } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function moderate(ids, action) {
  const r = await call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: { ids, action }, headers: admin });
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const apiCount = async (key) =>
  (await call(srv.base, 'GET', `/api/v1/counts?post=${encodeURIComponent(key)}`)).json.counts[key];
const fresh = (key) => Number(sql(`SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id
  WHERE p.key = '${key}' AND c.status = 'approved'`, srv.db)[0][0]);

test('posting, moderation and an author\'s delete keep the counts', async () => {
  const key = uniqueKey('counts');
  const a = await post({ post: key, body: 'a' });
  const b = await post({ post: key, body: 'b' });
  const r1 = await post({ post: key, body: 'r1', parent_id: a.comment.id });
  const r2 = await post({ post: key, body: 'r2', parent_id: r1.comment.id });
  check('approved comments and replies');
  assert.equal(await apiCount(key), 4);

  setSettings({ require_approval: true });
  const held = await post({ post: key, body: 'held', parent_id: a.comment.id });
  setSettings({ require_approval: false });
  assert.equal(held.comment.status, 'pending');
  check('a held reply');
  for (const action of ['approve', 'hold', 'approve', 'spam', 'restore', 'trash', 'restore']) {
    assert.deepEqual(await moderate([held.comment.id], action), { updated: 1 }, action);
    check(action);
  }
  // Several posts' comments at once, one of them twice.
  const other = uniqueKey('counts');
  const o = await post({ post: other, body: 'o' });
  await moderate([b.comment.id, o.comment.id, r2.comment.id, b.comment.id], 'spam');
  check('spam over two posts');
  await moderate([b.comment.id, o.comment.id, r2.comment.id], 'restore');
  check('restore over two posts');

  const del = await call(srv.base, 'DELETE', `/api/v1/comments/${r2.comment.id}`, { headers: { 'x-edit-token': r2.edit_token } });
  assert.equal(del.status, 204, del.text);
  check('an author\'s delete');
  const edit = await call(srv.base, 'PATCH', `/api/v1/comments/${b.comment.id}`,
    { json: { body: 'b, edited' }, headers: { 'x-edit-token': b.edit_token } });
  assert.equal(edit.status, 200, edit.text);
  check('an edit');

  // Deleted for good: a's replies move up to the top level, r1's
  // (a placeholder now) under a's parent.
  await moderate([a.comment.id], 'delete');
  check('a comment deleted for good, its replies moved up');
  await moderate([r1.comment.id], 'delete');
  check('a second one');
  assert.equal(await apiCount(key), fresh(key));
  const t = await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`);
  assert.equal(t.json.post.comment_count, fresh(key));
});

test('statements over many rows, moves between posts and a post\'s deletion keep the counts', async () => {
  const key = uniqueKey('bulk');
  const other = uniqueKey('bulk');
  const first = await post({ post: key, body: 'first' });
  await post({ post: other, body: 'elsewhere' });
  const pid = sql(`SELECT post_id FROM comments WHERE id = ${first.comment.id}`, srv.db)[0][0];
  // 300 top-level comments in one statement, then 600 replies in another.
  sql(`INSERT INTO comments (post_id, depth, author_name, body, html, status)
    SELECT ${pid}, 0, 'R' || g, 'b' || g, '<p>b</p>', CASE WHEN g % 7 = 0 THEN 'pending' ELSE 'approved' END
    FROM generate_series(1, 300) g`, srv.db);
  sql(`INSERT INTO comments (post_id, parent_id, depth, author_name, body, html, status)
    SELECT c.post_id, c.id, 1, 'S', 's', '<p>s</p>', CASE WHEN g = 2 THEN 'spam' ELSE 'approved' END
    FROM comments c, generate_series(1, 2) g WHERE c.post_id = ${pid} AND c.depth = 0`, srv.db);
  check('two INSERTs of hundreds of rows');
  sql(`UPDATE comments SET status = CASE status WHEN 'approved' THEN 'deleted' ELSE 'approved' END
    WHERE post_id = ${pid} AND id % 3 = 0`, srv.db);
  check('an UPDATE of many statuses both ways');
  sql(`UPDATE comments SET score = score + 1 WHERE post_id = ${pid}`, srv.db);
  check('an UPDATE of something else');
  sql(`DELETE FROM comments c WHERE c.post_id = ${pid} AND c.parent_id IS NOT NULL AND c.id % 2 = 0`, srv.db);
  check('a DELETE of many leaves');
  // Moves: a thread to the other post, and replies to another parent.
  sql(`WITH RECURSIVE t AS (SELECT id FROM comments WHERE id = (SELECT min(c.id) FROM comments c
      WHERE c.post_id = ${pid} AND c.depth = 0 AND c.status = 'approved'
        AND EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved'))
    UNION ALL SELECT c.id FROM comments c JOIN t ON c.parent_id = t.id)
    UPDATE comments SET post_id = (SELECT id FROM posts WHERE key = '${other}') WHERE id IN (SELECT id FROM t)`, srv.db);
  check('a thread moved to another post');
  sql(`UPDATE comments SET parent_id = ${first.comment.id} WHERE post_id = ${pid} AND parent_id IS NOT NULL AND id % 5 = 0`, srv.db);
  check('replies moved to another parent');
  assert.equal(await apiCount(key), fresh(key));
  assert.equal(await apiCount(other), fresh(other));

  // Parley deletes no post. Its comments' events need the post (hooks,
  // streams): they go first, as the huge thread's benchmark does it.
  sql(`DELETE FROM comments WHERE post_id = ${pid}`, srv.db);
  check('all of a post\'s comments deleted in one statement');
  sql(`DELETE FROM posts WHERE id = ${pid}`, srv.db);
  check('the post deleted');
  assert.deepEqual(sql(`SELECT count(*) FROM post_counts WHERE post_id = ${pid}`, srv.db), [['0']]);
  assert.equal(await apiCount(key), 0);
});

test('an import counts its comments; changes to them after it too', async () => {
  const r = spawnSync(path.join(top, 'scripts', 'import.sh'),
    [path.join(__dirname, 'fixtures', 'wordpress.wxr'), '', '', '', srv.db], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  check('an import');
  assert.equal(await apiCount('198'), fresh('198'));
  assert.ok(fresh('198') > 0);
  // Posting and moderation on the imported post: their shard and the
  // import's add up.
  const top1 = sql(`SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id
    WHERE p.key = '198' AND c.status = 'approved' AND c.parent_id IS NULL ORDER BY c.id LIMIT 1`, srv.db)[0][0];
  await post({ post: '198', body: 'after the import', parent_id: Number(top1) });
  await moderate([Number(top1)], 'trash');
  check('posting and trashing on an imported post');
  const again = spawnSync(path.join(top, 'scripts', 'import.sh'),
    [path.join(__dirname, 'fixtures', 'wordpress.wxr'), '', '', '', srv.db], { encoding: 'utf8', timeout: 60000 });
  assert.equal(again.status, 0, again.stdout + again.stderr);
  check('the same import again');
  assert.equal(await apiCount('198'), fresh('198'));
});

test('an erasure keeps the counts: placeholders and deleted comments', async () => {
  const key = uniqueKey('erase');
  const email = `${uniqueKey('gone')}@example.org`;
  const mine = await post({ post: key, body: 'mine', author_email: email });
  const keep = await post({ post: key, body: 'a reply to it', parent_id: mine.comment.id });
  const leaf = await post({ post: key, body: 'my leaf', author_email: email, parent_id: keep.comment.id });
  await post({ post: key, body: 'my own reply', author_email: email, parent_id: leaf.comment.id });
  check('before the erasure');
  const er = await call(srv.base, 'POST', '/api/v1/admin/privacy/erase', { json: { email }, headers: admin });
  assert.equal(er.status, 200, er.text);
  check('the erasure');
  assert.equal(await apiCount(key), 1);
});

test('a database from before the counts gets them once, where the trigger is made', () => {
  // 032_comment_counts leaves the tables empty beside the comments the
  // database had; the next step of migrate.sh (sql/functions/) fills them.
  sql(`TRUNCATE post_counts, reply_counts`, srv.db);
  assert.notDeepEqual(wrong(), []);
  execFileSync(path.join(top, 'scripts', 'migrate.sh'), [srv.db], { stdio: 'pipe' });
  check('migrate.sh filled them');
  const rows = sql('SELECT count(*), sum(approved) FROM post_counts', srv.db);
  execFileSync(path.join(top, 'scripts', 'migrate.sh'), [srv.db], { stdio: 'pipe' });
  assert.deepEqual(sql('SELECT count(*), sum(approved) FROM post_counts', srv.db), rows, 'and only once');
  check('migrate.sh again');
});
