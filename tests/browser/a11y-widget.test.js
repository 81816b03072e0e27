// Accessibility of the widget and of Parley's demo page, as axe-core
// (npm) judges it: no violation at all, in light mode, dark mode and on
// a phone, with the thread and with each form the widget opens.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, axeViolations, harness } = require('./helpers');

const { uniqueKey, call, sql } = harness;
let env;
before(async () => { env = await setup('a11y'); });
after(async () => { await env?.stop(); });

const MODES = {
  light: { colorScheme: 'light' },
  dark: { colorScheme: 'dark' },
  phone: { colorScheme: 'light', viewport: { width: 390, height: 844 },
    isMobile: true, hasTouch: true, deviceScaleFactor: 3 },
};

// Fails with every finding of axe on page, what names the state.
async function assertClean(page, what, include) {
  const found = await axeViolations(page, include);
  assert.deepEqual(found, [], `${what}:\n  ${found.join('\n  ')}`);
}

// A thread with all a comment can show: a link, a reply, a moderator's
// badge, an edit, a vote, a placeholder for a deleted comment.
async function richThread() {
  const post = uniqueKey('a11y');
  const a = await postComment(env.api, post, 'A *useful* summary with a [link](https://example.org).',
    { author_name: 'Mina Park', author_url: 'https://mina.example.org' });
  await postComment(env.api, post, 'Agreed, and `code` too:\n\n> quoted',
    { author_name: 'Tom', parent_id: a.comment.id });
  const email = `${uniqueKey('mod')}@example.org`;
  const reg = await call(env.api, 'POST', '/api/v1/auth/register',
    { json: { email, password: 'a long enough password', name: 'Rosa Díaz' } });
  sql(`UPDATE users SET role = 'moderator' WHERE id = ${Number(reg.json.user.id)}`);
  const login = await call(env.api, 'POST', '/api/v1/auth/login',
    { json: { email, password: 'a long enough password' } });
  await postComment(env.api, post, 'Please keep it civil.', { token: login.json.token });
  const gone = await postComment(env.api, post, 'To be deleted');
  await postComment(env.api, post, 'Reply to a deleted one', { parent_id: gone.comment.id });
  await call(env.api, 'DELETE', `/api/v1/comments/${gone.comment.id}`,
    { headers: { 'x-edit-token': gone.edit_token } });
  const c = await postComment(env.api, post, 'First version');
  await call(env.api, 'PATCH', `/api/v1/comments/${c.comment.id}`,
    { json: { body: 'Second version' }, headers: { 'x-edit-token': c.edit_token } });
  return post;
}

for (const [mode, options] of Object.entries(MODES)) {
  test(`axe finds nothing in the widget (${mode}): thread, forms, errors, held comment`, async () => {
    const post = await richThread();
    const page = await env.open(env.postPage({ post }), options);
    await w.comment(page, 'Second version').waitFor();
    await assertClean(page, 'the thread');

    // A guest's own comment, held, with Edit and Delete; a vote cast.
    await page.route(`${env.api}/api/v1/comments`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const res = await route.fetch();
      if (!res.ok()) return route.fulfill({ response: res });
      const json = await res.json();
      json.comment.status = 'pending';
      await route.fulfill({ response: res, json });
    });
    const form = w.form(page);
    await form.locator('textarea[name=body]').fill('Held for a moment');
    await form.locator('input[name=name]').fill('Pat');
    await form.locator('button[type=submit]').click();
    // Found by its author: its body gives way to the edit form below.
    const held = page.locator('li.c').filter({ has: page.locator(':scope > article .name', { hasText: 'Pat' }) });
    await held.locator('.note').waitFor();
    await w.comment(page, 'Please keep it civil').locator('button[aria-label="Vote up"]').click();
    await waitText(w.comment(page, 'Please keep it civil').locator(':scope > article .score'), '1');
    await assertClean(page, 'a held comment and a vote');

    // An inline reply form with an error, and the preview.
    const mina = w.comment(page, 'A useful summary');
    await mina.locator(':scope > article .acts button', { hasText: 'Reply' }).click();
    const reply = mina.locator(':scope > article .slot form');
    await reply.locator('textarea').fill('*Preview* me');
    await reply.locator('button', { hasText: 'Preview' }).click();
    await reply.locator('.preview em').waitFor();
    await reply.locator('input[name=name]').fill('');
    await reply.locator('button[type=submit]').click();
    await reply.locator('.err:not(:empty)').waitFor();
    await assertClean(page, 'a reply form with a preview and an error');
    await reply.locator('button', { hasText: 'Cancel' }).click();

    // Editing one's own comment; the delete confirmation.
    await held.locator('button', { hasText: 'Edit' }).click();
    await held.locator('form textarea').waitFor();
    await assertClean(page, 'an edit form');
    await held.locator('form button', { hasText: 'Cancel' }).click();
    await held.locator('button', { hasText: 'Delete' }).click();
    await held.locator('.confirm').waitFor();
    await assertClean(page, 'the delete confirmation');
    await held.locator('.confirm button', { hasText: 'No' }).click();

    // The register form with an error, then the log-in form.
    await page.locator('#parley .acct button', { hasText: 'Register' }).click();
    const auth = page.locator('#parley form.auth');
    await auth.locator('input[name=password]').fill('short');
    await auth.locator('button[type=submit]').click();
    await auth.locator('.err:not(:empty)').waitFor();
    await assertClean(page, 'the register form with an error');
    await page.locator('#parley .acct button', { hasText: 'Log in' }).click();
    await auth.locator('input[name=email]').waitFor();
    await assertClean(page, 'the log-in form');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

test('axe finds nothing in a closed thread, nor with a member logged in', async () => {
  const post = uniqueKey('a11y-closed');
  await postComment(env.api, post, 'Said before closing');
  sql(`UPDATE posts SET open = false WHERE key = '${post}'`);
  for (const options of Object.values(MODES)) {
    const page = await env.open(env.postPage({ post }), options);
    await w.comment(page, 'Said before closing').waitFor();
    await assertClean(page, `a closed post (${options.colorScheme})`);
    await page.context().close();
  }

  const open = uniqueKey('a11y-member');
  await postComment(env.api, open, 'Someone else');
  const email = `${uniqueKey('member')}@example.org`;
  const reg = await call(env.api, 'POST', '/api/v1/auth/register',
    { json: { email, password: 'a long enough password', name: 'Hana' } });
  for (const options of Object.values(MODES)) {
    const ctx = await env.browser.newContext(options);
    ctx.setDefaultTimeout(5000);
    await ctx.addInitScript((token) => {
      localStorage.setItem('parley:token', JSON.stringify(token));
    }, reg.json.token);
    const page = await ctx.newPage();
    await page.goto(env.postPage({ post: open }));
    await waitText(page.locator('#parley .acct'), /You are commenting as Hana/);
    await w.comment(page, 'Someone else').waitFor();
    await assertClean(page, `a member's view (${options.colorScheme})`);
    await ctx.close();
  }
});

test("axe finds nothing on Parley's demo page, light and dark", async () => {
  await postComment(env.api, '198', 'On the demo post');
  for (const options of Object.values(MODES)) {
    const page = await env.open(`${env.api}/`, options);
    await page.locator('#parley li.c').first().waitFor();
    await assertClean(page, `the demo page (${options.colorScheme})`, 'html');
    await page.context().close();
  }
});
