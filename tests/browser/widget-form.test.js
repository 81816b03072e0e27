// The writing side of the widget (issue #19): a closed post, the
// account forms, the website field, the sort remembered, touch targets;
// and the demo page's favicon.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, postInWidget, harness } = require('./helpers');

const { uniqueKey, call, sql } = harness;
let env;
before(async () => { env = await setup('widget-form'); });
after(async () => { await env?.stop(); });

const acct = (page) => page.locator('#parley .acct');
const guestName = (page) => w.form(page).locator('input[name=name]');

test('a closed post shows only "Comments are closed." where one would write, to guests and members', async () => {
  const post = uniqueKey('closed');
  await postComment(env.api, post, 'Said before closing');
  sql(`UPDATE posts SET open = false WHERE key = '${post}'`);
  const page = await env.open(env.postPage({ post }));
  await w.comment(page, 'Said before closing').waitFor();
  const leave = page.locator('#parley section.leave');
  await waitText(leave.locator('p.muted'), 'Comments are closed.');
  assert.equal((await leave.innerText()).trim(), 'Comments are closed.');
  assert.ok(await leave.locator('h3').isHidden(), 'no "Leave a Reply"');
  assert.ok(await acct(page).isHidden(), 'no "Log in · Register or comment as a guest"');
  await page.context().close();

  const r = await call(env.api, 'POST', '/api/v1/auth/register', { json: {
    email: `${uniqueKey('m')}@example.org`, password: 'a long enough password', name: 'Cleo' } });
  const ctx = await env.browser.newContext();
  ctx.setDefaultTimeout(5000);
  await ctx.addInitScript((token) => localStorage.setItem('parley:token', JSON.stringify(token)), r.json.token);
  const member = await ctx.newPage();
  await member.goto(env.postPage({ post }));
  await w.comment(member, 'Said before closing').waitFor();
  await member.waitForFunction(() => document.querySelector('#parley').shadowRoot.querySelector('.status').hidden);
  assert.equal((await member.locator('#parley section.leave').innerText()).trim(), 'Comments are closed.');
  await ctx.close();
});

test('Register and Log in open without the guest fields under them; Register states the password rule first', async () => {
  const post = uniqueKey('auth');
  const page = await env.open(env.postPage({ post }));
  assert.ok(await guestName(page).isVisible());
  await acct(page).locator('button', { hasText: 'Register' }).click();
  const auth = page.locator('#parley form.auth');
  await auth.waitFor();
  assert.ok(await guestName(page).isHidden(), 'no guest fields under the Register form');
  // The rule before any error, as part of the field's label.
  const password = auth.locator('input[name=password]');
  assert.match(await password.evaluate((el) => el.labels[0].textContent), /^Password \(at least 10 characters\)$/);
  assert.equal(await auth.locator('.err').textContent(), '');
  await auth.locator('button', { hasText: 'Cancel' }).click();
  assert.equal(await auth.count(), 0);
  assert.ok(await guestName(page).isVisible(), 'the guest fields come back');

  await acct(page).locator('button', { hasText: 'Log in' }).click();
  assert.ok(await guestName(page).isHidden());
  assert.doesNotMatch(await auth.locator('input[name=password]').evaluate((el) => el.labels[0].textContent), /least/);
  await auth.locator('input[name=email]').press('Escape');
  assert.equal(await auth.count(), 0, 'Escape closes it');
  assert.ok(await guestName(page).isVisible());
  await page.context().close();
});

test('a website typed as example.com is sent as https://example.com; full addresses are left alone', async () => {
  const post = uniqueKey('site');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  const url = form.locator('input[name=url]');
  await url.fill('example.com/blog');
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/comments'));
  await postInWidget(page, 'With a bare website', 'Sam');
  assert.equal((await sent).postDataJSON().author_url, 'https://example.com/blog');
  const li = w.comment(page, 'With a bare website');
  assert.equal(await li.locator('a.name').getAttribute('href'), 'https://example.com/blog');
  assert.equal(await url.inputValue(), 'https://example.com/blog');

  await url.fill('http://plain.example.org');
  const sent2 = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/comments'));
  await postInWidget(page, 'With a full address', 'Sam');
  assert.equal((await sent2).postDataJSON().author_url, 'http://plain.example.org');
  await page.context().close();
});

test('the sort chosen is remembered on the device, over the blog\'s data-sort', async () => {
  const post = uniqueKey('sort');
  for (const n of [1, 2, 3])
    await postComment(env.api, post, `Comment ${n}`);
  const page = await env.open(env.postPage({ post }));
  assert.deepEqual(await w.topBodies(page), ['Comment 1', 'Comment 2', 'Comment 3']);
  await page.locator('#parley select').selectOption('newest');
  await waitText(page.locator('ol.thread > li .body').first(), 'Comment 3');
  await page.reload();
  await waitText(page.locator('ol.thread > li .body').first(), 'Comment 3');
  assert.equal(await page.locator('#parley select').inputValue(), 'newest');
  // The reader's choice wins over the blog's default.
  await page.goto(env.postPage({ post, attrs: { sort: 'oldest' } }));
  await waitText(page.locator('ol.thread > li .body').first(), 'Comment 3');
  await page.context().close();

  // A device without a choice takes the blog's.
  const other = await env.open(env.postPage({ post, attrs: { sort: 'newest' } }));
  assert.equal(await other.locator('#parley select').inputValue(), 'newest');
  await other.context().close();
});

test('on a touch screen every control is at least 44 px tall, and small buttons 44 px wide', async () => {
  const post = uniqueKey('touch');
  await postComment(env.api, post, 'Tap around here');
  const page = await env.open(env.postPage({ post }),
    { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await postInWidget(page, 'My own, with Edit and Delete', 'Tia');
  await w.comment(page, 'My own').locator('button', { hasText: 'Edit' }).waitFor();
  const small = [];
  const controls = page.locator('#parley :is(button, select, input:not([name=hp]))');
  for (let i = 0; i < await controls.count(); i++) {
    const c = controls.nth(i);
    if (!await c.isVisible()) continue;
    const box = await c.boundingBox();
    const name = await c.evaluate((el) => `${el.tagName.toLowerCase()}.${el.className}:${el.getAttribute('aria-label') || el.name || el.textContent.trim()}`);
    const narrow = await c.evaluate((el) => el.matches('.act, .link, .vote button'));
    if (box.height < 44 || (narrow && box.width < 44))
      small.push(`${name} ${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  assert.deepEqual(small, []);
  await page.context().close();
});

test("Parley's demo page has a favicon, and it is served", async () => {
  const page = await env.open(`${env.api}/`);
  const href = await page.locator('link[rel=icon]').getAttribute('href');
  assert.equal(href, '/favicon.svg');
  const r = await call(env.api, 'GET', href);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(r.text, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  await page.context().close();
});
