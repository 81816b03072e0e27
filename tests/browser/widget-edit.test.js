// Editing and deleting one's own comment in the widget (issue #19): the
// edit token goes with every change, the server's reason is shown when
// the window has closed, Edit and Delete go the moment it closes, and
// the edit form's own manners (actions hidden, Escape, length counter).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitText, w, byAuthor, openWithClock, postInWidget, harness } = require('./helpers');

const { uniqueKey, sql } = harness;
let env;
before(async () => { env = await setup('widget-edit'); });
after(async () => { await env?.stop(); });

// Moves the server's clock for a comment: written minutes ago.
const age = (id, minutes) => sql(`UPDATE comments SET created_at = created_at - interval '${minutes} minutes' WHERE id = ${Number(id)}`);

// How long until the page thinks the edit window of comment id closes.
const msLeft = (page, id) => page.evaluate((i) =>
  Date.parse(JSON.parse(localStorage.getItem('parley:own'))[i].u) - Date.now(), id);

test('past the edit window, Save and Delete send the edit token and show why they fail, not "log in again"', async () => {
  const post = uniqueKey('late');
  const page = await openWithClock(env, env.postPage({ post }));
  const r = await postInWidget(page, 'Written in time');
  const li = byAuthor(page, 'Gina');
  await li.locator('button', { hasText: 'Edit' }).click();
  await li.locator('form textarea').fill('Changed too late');

  // The window closes while the form is open, for the server and the page.
  age(r.comment.id, 20);
  await page.clock.fastForward('16:00');
  const patch = page.waitForRequest((q) => q.method() === 'PATCH');
  await li.locator('form button[type=submit]').click();
  assert.equal((await patch).headers()['x-edit-token'], r.edit_token);
  await waitText(li.locator('form .err'), 'The time to change this comment is over.');
  await waitText(page.locator('#parley [role=status]'), 'The time to change this comment is over.');
  // What was typed stays until the reader cancels; then Edit and Delete are gone.
  assert.equal(await li.locator('form textarea').inputValue(), 'Changed too late');
  await li.locator('form button', { hasText: 'Cancel' }).click();
  await li.locator(':scope > article .body', { hasText: 'Written in time' }).waitFor();
  assert.equal(await li.locator('button', { hasText: 'Edit' }).count(), 0);
  assert.equal(await li.locator('button', { hasText: 'Delete' }).count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // Delete, with the confirmation open as the window closes.
  const post2 = uniqueKey('late-del');
  const page2 = await openWithClock(env, env.postPage({ post: post2 }));
  const r2 = await postInWidget(page2, 'Delete me in time');
  const li2 = byAuthor(page2, 'Gina');
  await li2.locator('button', { hasText: 'Delete' }).click();
  age(r2.comment.id, 20);
  await page2.clock.fastForward('16:00');
  const del = page2.waitForRequest((q) => q.method() === 'DELETE');
  await li2.locator('.confirm button', { hasText: 'Yes' }).click();
  assert.equal((await del).headers()['x-edit-token'], r2.edit_token);
  await waitText(li2.locator('.confirm .err'), 'The time to change this comment is over.');
  await li2.locator('.confirm button', { hasText: 'No' }).click();
  assert.equal(await li2.locator('button', { hasText: /Edit|Delete/ }).count(), 0);
  assert.ok(await li2.isVisible(), 'the comment stays');
  await page2.context().close();
});

test('Edit and Delete go the moment the edit window closes (a timer), not at the next 30 s check', async () => {
  const post = uniqueKey('timer');
  const page = await openWithClock(env, env.postPage({ post }));
  // Away from the widget's 30 s rhythm, so that only a timer can be on time.
  await page.clock.fastForward('00:10');
  const r = await postInWidget(page, 'Mine for a while');
  const li = byAuthor(page, 'Gina');
  await li.locator('button', { hasText: 'Edit' }).waitFor();

  await page.clock.fastForward(await msLeft(page, r.comment.id) - 200);
  assert.equal(await li.locator('button', { hasText: 'Edit' }).count(), 1);
  assert.equal(await li.locator('button', { hasText: 'Delete' }).count(), 1);
  await page.clock.fastForward(400);
  assert.equal(await li.locator('button', { hasText: 'Edit' }).count(), 0);
  assert.equal(await li.locator('button', { hasText: 'Delete' }).count(), 0);
  // Replying and voting stay: they are not bound to the window.
  assert.equal(await li.locator('button', { hasText: 'Reply' }).count(), 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('while a comment is edited its Reply, Edit and Delete are hidden; Escape closes edit and reply forms', async () => {
  const post = uniqueKey('editing');
  const page = await env.open(env.postPage({ post }));
  await postInWidget(page, 'Edit me');
  const li = byAuthor(page, 'Gina');
  const acts = li.locator(':scope > article .acts');
  await acts.locator('button', { hasText: 'Edit' }).click();
  const ta = li.locator('form textarea');
  assert.ok(await ta.evaluate((el) => el.getRootNode().activeElement === el));
  for (const label of ['Reply', 'Edit', 'Delete'])
    assert.ok(await acts.locator('button', { hasText: label }).isHidden(), `${label} hidden`);

  await ta.press('Escape');
  assert.equal(await li.locator('form').count(), 0, 'Escape closes the edit form');
  for (const label of ['Reply', 'Edit', 'Delete'])
    assert.ok(await acts.locator('button', { hasText: label }).isVisible(), `${label} back`);
  assert.ok(await acts.locator('button', { hasText: 'Edit' }).evaluate((el) => el.getRootNode().activeElement === el),
    'the focus goes back to Edit');

  // Saving brings them back too.
  await acts.locator('button', { hasText: 'Edit' }).click();
  await ta.fill('Edited once');
  await li.locator('form button[type=submit]').click();
  await waitText(li.locator(':scope > article .body'), 'Edited once');
  assert.ok(await acts.locator('button', { hasText: 'Reply' }).isVisible());

  // A reply form: Escape closes it and gives the focus back to Reply.
  const reply = acts.locator('button', { hasText: 'Reply' });
  await reply.click();
  await li.locator('.slot form textarea').fill('Never mind');
  await li.locator('.slot form textarea').press('Escape');
  assert.equal(await li.locator('.slot form').count(), 0, 'Escape closes the reply form');
  assert.equal(await reply.getAttribute('aria-expanded'), 'false');
  assert.ok(await reply.evaluate((el) => el.getRootNode().activeElement === el));
  // The main form is not one to close.
  await w.form(page).locator('textarea').press('Escape');
  assert.ok(await w.form(page).isVisible());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a body near the 10,000-character limit shows a counter; past it the counter warns and the API refuses in words', async () => {
  const post = uniqueKey('counter');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  const ta = form.locator('textarea[name=body]');
  const counter = form.locator('.len');
  await ta.fill('x'.repeat(8999));
  assert.ok(await counter.isHidden(), 'no counter far from the limit');
  // Characters as the API counts them: an emoji is one.
  await ta.fill('😀'.repeat(9500));
  await waitText(counter, /^Characters used: 9,500 \/ 10,000$/);
  assert.ok(await counter.isVisible());
  assert.equal(await counter.evaluate((el) => el.classList.contains('over')), false);
  const described = (await ta.getAttribute('aria-describedby')).split(' ');
  assert.ok(described.includes(await counter.getAttribute('id')), 'the textarea names the counter');

  await ta.fill('y'.repeat(10001));
  await waitText(counter, /10,001 \/ 10,000$/);
  assert.equal(await counter.evaluate((el) => el.classList.contains('over')), true);
  await form.locator('input[name=name]').fill('Gina');
  await form.locator('button[type=submit]').click();
  await waitText(form.locator('.err'), 'A comment may have at most 10,000 characters.');
  assert.equal(await ta.getAttribute('aria-invalid'), 'true');

  await ta.fill('Short again');
  assert.ok(await counter.isHidden());
  await page.context().close();
});
