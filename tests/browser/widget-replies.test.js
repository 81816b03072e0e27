// Huge threads in the widget (issue #17): a comment carries at most 50
// replies, and "Show M more replies" fetches the rest from
// GET /api/v1/comments/ID/replies and appends them.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, harness } = require('./helpers');

const { uniqueKey, sql } = harness;
let env;
before(async () => { env = await setup('widget-replies'); });
after(async () => { await env?.stop(); });

test('a comment with 60 replies shows 50 and a button that loads the other 10', async () => {
  const post = uniqueKey('replies');
  const top = (await postComment(env.api, post, 'The parent')).comment.id;
  sql(`INSERT INTO comments (post_id, parent_id, depth, author_name, body, html, status, created_at)
    SELECT c.post_id, c.id, 1, 'R', 'reply ' || g, '<p>reply ' || g || '</p>', 'approved',
      now() + g * interval '1 millisecond'
    FROM comments c, generate_series(1, 60) g WHERE c.id = ${top}`);
  const page = await env.open(env.postPage({ post }));
  const li = w.comment(page, 'The parent');
  const replies = li.locator(':scope > ol.replies > li');
  await waitText(li.locator(':scope > button.mr'), /^Show 10 more replies$/);
  assert.equal(await replies.count(), 50);
  await li.locator(':scope > button.mr').click();
  await waitText(replies.nth(59), /reply 60/);
  assert.equal(await replies.count(), 60);
  assert.equal(await li.locator(':scope > button.mr').count(), 0);
  await waitText(replies.nth(50), /reply 51/);
});
