// A guest's held comment stays in view on the device that wrote it
// (issue #19): after a reload, in its place, marked as awaiting
// moderation, until it is published (then the server's copy, once), a
// change with its token finds it gone (404), or a week has passed.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, byAuthor, postInWidget, harness } = require('./helpers');

const { uniqueKey, call, sql, setSettings } = harness;
let env, modToken;
before(async () => {
  env = await setup('widget-held');
  const email = `${uniqueKey('mod')}@example.org`;
  const password = 'a long enough password';
  const r = await call(env.api, 'POST', '/api/v1/auth/register', { json: { email, password, name: 'Mo' } });
  sql(`UPDATE users SET role = 'moderator' WHERE id = ${Number(r.json.user.id)}`);
  modToken = (await call(env.api, 'POST', '/api/v1/auth/login', { json: { email, password } })).json.token;
});
after(async () => { await env?.stop(); });

async function moderate(ids, action) {
  const r = await call(env.api, 'POST', '/api/v1/admin/comments/moderate', {
    json: { ids, action }, headers: { authorization: `Bearer ${modToken}` } });
  assert.equal(r.status, 200, r.text);
}

// Every comment posted inside fn is held for moderation.
async function held(fn) {
  setSettings({ require_approval: true });
  try {
    return await fn();
  } finally {
    setSettings({ require_approval: false });
  }
}

const stored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('parley:own')) || {});
const notes = (li) => li.locator(':scope > article .note');

test('a held comment survives a reload, in its place and marked; once published it shows once, as the server\'s', async () => {
  const post = uniqueKey('held');
  await postComment(env.api, post, 'The parent', { author_name: 'Pia' });
  await postComment(env.api, post, 'An older top comment', { author_name: 'Olaf' });
  const page = await env.open(env.postPage({ post }));
  const [top, reply] = await held(async () => {
    const t = await postInWidget(page, 'Held at the top level');
    const p = w.comment(page, 'The parent');
    await p.locator(':scope > article .acts button', { hasText: 'Reply' }).click();
    const form = p.locator(':scope > article .slot form');
    await form.locator('textarea').fill('Held as a reply');
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/comments'));
    await form.locator('button[type=submit]').click();
    return [t, await (await answer).json()];
  });
  assert.equal(top.comment.status, 'pending');
  assert.equal(reply.comment.status, 'pending');

  await page.reload();
  await w.comment(page, 'An older top comment').waitFor();
  await waitText(notes(w.comment(page, 'Held at the top level')), 'Your comment is awaiting moderation.');
  await waitText(notes(w.comment(page, 'Held as a reply')), 'Your comment is awaiting moderation.');
  // In its place: the reply under its parent, the top comment last (oldest first).
  assert.equal(await w.comment(page, 'The parent').locator(':scope > ol.replies > li.c .body', { hasText: 'Held as a reply' }).count(), 1);
  assert.deepEqual(await w.topBodies(page), ['The parent', 'An older top comment', 'Held at the top level']);
  await waitText(w.heading(page), '2 Comments');
  // No vote and no reply on a held comment; its author may still edit it.
  const heldTop = w.comment(page, 'Held at the top level');
  assert.equal(await heldTop.locator('button[aria-label="Vote up"]').count(), 0);
  assert.equal(await heldTop.locator('button', { hasText: 'Reply' }).count(), 0);
  assert.equal(await heldTop.locator('button', { hasText: 'Edit' }).count(), 1);
  // Newest first: at the top.
  await page.locator('#parley select').selectOption('newest');
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.status').hidden);
  assert.equal((await w.topBodies(page))[0], 'Held at the top level');
  await page.locator('#parley select').selectOption('oldest');

  // Another post's page does not show it.
  const elsewhere = await env.open(env.postPage({ post: uniqueKey('elsewhere') }));
  assert.equal(await w.comment(elsewhere, 'Held').count(), 0);
  await elsewhere.context().close();

  await moderate([top.comment.id, reply.comment.id], 'approve');
  await page.reload();
  await waitText(w.heading(page), '4 Comments');
  for (const text of ['Held at the top level', 'Held as a reply']) {
    assert.equal(await w.comment(page, text).count(), 1, `${text} once`);
    assert.equal(await notes(w.comment(page, text)).count(), 0, `${text} published`);
  }
  const own = await stored(page);
  assert.equal(own[top.comment.id].c, undefined, 'the copy is dropped once published');
  assert.equal(own[reply.comment.id].c, undefined);
  assert.equal(own[top.comment.id].t, top.edit_token, 'the edit token stays');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a held comment that was removed is forgotten when its edit finds it gone (404)', async () => {
  const post = uniqueKey('removed');
  const page = await env.open(env.postPage({ post }));
  const r = await held(() => postInWidget(page, 'Held, then removed', 'Rita'));
  await page.reload();
  const li = byAuthor(page, 'Rita');
  await waitText(notes(li), 'Your comment is awaiting moderation.');

  await moderate([r.comment.id], 'trash');
  await li.locator('button', { hasText: 'Edit' }).click();
  await li.locator('form textarea').fill('Still here?');
  await li.locator('form button[type=submit]').click();
  await waitText(li.locator('form .err'), 'This comment no longer exists.');
  assert.equal((await stored(page))[r.comment.id], undefined);
  await page.reload();
  await waitText(w.heading(page), 'No comments yet');
  assert.equal(await byAuthor(page, 'Rita').count(), 0);
  await page.context().close();
});

test('a held comment is kept a week after its edit window, then no longer drawn', async () => {
  const post = uniqueKey('week');
  const page = await env.open(env.postPage({ post }));
  const r = await held(() => postInWidget(page, 'Held for long', 'Wim'));
  const age = (days) => page.evaluate(([id, d]) => {
    const own = JSON.parse(localStorage.getItem('parley:own'));
    own[id].u = new Date(Date.now() - d * 86400000).toISOString();
    localStorage.setItem('parley:own', JSON.stringify(own));
  }, [r.comment.id, days]);

  await age(6.9);
  await page.reload();
  await waitText(notes(byAuthor(page, 'Wim')), 'Your comment is awaiting moderation.');
  assert.equal(await byAuthor(page, 'Wim').locator('button', { hasText: 'Edit' }).count(), 0,
    'no Edit after the window');
  await age(7.1);
  await page.reload();
  await waitText(w.heading(page), 'No comments yet');
  assert.equal(await byAuthor(page, 'Wim').count(), 0);
  assert.equal((await stored(page))[r.comment.id], undefined);
  await page.context().close();
});
