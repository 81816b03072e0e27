// Votes in the widget belong to whoever cast them (issue #19): the
// server tells the widget the reader's votes (GET /api/v1/votes), the
// device remembers none, and nobody is offered a vote on their own
// comment.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, postInWidget, harness } = require('./helpers');

const { uniqueKey, call } = harness;
let env;
before(async () => { env = await setup('widget-votes'); });
after(async () => { await env?.stop(); });

let seq = 0;
async function register(name) {
  const email = `${uniqueKey('voter')}-${++seq}@example.org`;
  const password = 'a long enough password';
  const r = await call(env.api, 'POST', '/api/v1/auth/register', { json: { email, password, name } });
  assert.equal(r.status, 201, r.text);
  return { email, password, token: r.json.token, user: r.json.user };
}

const acct = (page) => page.locator('#parley .acct');
const arrows = (li) => ({
  up: li.locator(':scope > article button[aria-label="Vote up"]'),
  down: li.locator(':scope > article button[aria-label="Vote down"]'),
  score: li.locator(':scope > article .score'),
});

async function logIn(page, m) {
  await acct(page).locator('button', { hasText: 'Log in' }).click();
  const auth = page.locator('#parley form.auth');
  await auth.locator('input[name=email]').fill(m.email);
  await auth.locator('input[name=password]').fill(m.password);
  await auth.locator('button[type=submit]').click();
  await waitText(acct(page), /You are commenting as/);
}

// The votes request of the next load, and whether it carried a session.
const votesRequest = (page) => page.waitForRequest((r) => r.url().includes('/api/v1/votes?'));
// The next load drawn: its thread and votes answered, and a frame after.
const reloaded = (page) => Promise.all(['/api/v1/comments?', '/api/v1/votes?']
  .map((u) => page.waitForResponse((r) => r.url().includes(u))))
  .then(() => page.evaluate(() => new Promise(requestAnimationFrame)));

test('a vote belongs to who cast it: gone from view at logout, a guest click votes (not un-votes), back at login', async () => {
  const post = uniqueKey('owner');
  await postComment(env.api, post, 'Vote on me');
  const m = await register('Vera Voter');
  const page = await env.open(env.postPage({ post }));
  const li = w.comment(page, 'Vote on me');
  const { up, down, score } = arrows(li);

  let asked = votesRequest(page);
  const reload = reloaded(page);
  await logIn(page, m);
  assert.match((await asked).headers().authorization || '', /^Bearer /);
  // A click before the thread is drawn again would be drawn over by
  // the thread as it was read before the vote.
  await reload;
  await up.click();
  await waitText(score, '1');
  assert.equal(await up.getAttribute('aria-pressed'), 'true');

  asked = votesRequest(page);
  await acct(page).locator('button', { hasText: 'Log out' }).click();
  await waitText(acct(page).locator('button').first(), 'Log in');
  assert.equal((await asked).headers().authorization, undefined, 'a guest asks without a session');
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot
    .querySelector('.vote button[aria-pressed=true]') === null);
  assert.equal(await up.getAttribute('aria-pressed'), 'false');
  assert.equal(await down.getAttribute('aria-pressed'), 'false');
  await waitText(score, '1');

  // The guest's own vote: up, not a withdrawal of the member's.
  const sent = page.waitForRequest((r) => r.url().endsWith('/vote'));
  await up.click();
  assert.deepEqual((await sent).postDataJSON(), { value: 1 });
  await waitText(score, '2');
  assert.equal(await up.getAttribute('aria-pressed'), 'true');

  await logIn(page, m);
  await waitText(score, '2');
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot
    .querySelector('.vote button[aria-pressed=true]') !== null);
  assert.equal(await up.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => localStorage.getItem('parley:votes')), null,
    'no votes on the device');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a guest's vote comes from the server: pressed in a fresh browser at the same address, and votes left on the device are forgotten", async () => {
  const post = uniqueKey('fresh');
  const c = await postComment(env.api, post, 'Liked from afar');
  const other = await postComment(env.api, post, 'Not voted on');
  const page = await env.open(env.postPage({ post }));
  const li = w.comment(page, 'Liked from afar');
  await arrows(li).down.click();
  await waitText(arrows(li).score, '-1');
  await page.context().close();

  // A browser that never voted here, holding what an older widget kept.
  const ctx = await env.browser.newContext();
  ctx.setDefaultTimeout(5000);
  await ctx.addInitScript(([a, b]) => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('parley:votes', JSON.stringify({ [a]: 1, [b]: 1 }));
      sessionStorage.setItem('seeded', '1');
    }
  }, [c.comment.id, other.comment.id]);
  const fresh = await ctx.newPage();
  await fresh.goto(env.postPage({ post }));
  const again = w.comment(fresh, 'Liked from afar');
  await waitText(arrows(again).score, '-1');
  await fresh.waitForFunction(() => document.querySelector('#parley').shadowRoot
    .querySelector('.vote button[aria-pressed=true]') !== null);
  assert.equal(await arrows(again).down.getAttribute('aria-pressed'), 'true');
  assert.equal(await arrows(again).up.getAttribute('aria-pressed'), 'false');
  const untouched = arrows(w.comment(fresh, 'Not voted on'));
  assert.equal(await untouched.up.getAttribute('aria-pressed'), 'false');
  assert.equal(await fresh.evaluate(() => localStorage.getItem('parley:votes')), null);
  await ctx.close();
});

test('no arrows on one\'s own comments: a member\'s, even written elsewhere, and a guest\'s written here', async () => {
  const post = uniqueKey('own');
  const m = await register('Olga Own');
  await postComment(env.api, post, 'Written by Olga elsewhere', { token: m.token });
  await postComment(env.api, post, 'Written by someone else');

  const ctx = await env.browser.newContext();
  ctx.setDefaultTimeout(5000);
  await ctx.addInitScript((token) => {
    localStorage.setItem('parley:token', JSON.stringify(token));
  }, m.token);
  const page = await ctx.newPage();
  await page.goto(env.postPage({ post }));
  await waitText(acct(page), /You are commenting as Olga Own/);
  const mine = w.comment(page, 'Written by Olga elsewhere');
  await page.waitForFunction(() => [...document.querySelector('#parley').shadowRoot
    .querySelectorAll('li.c')].some((li) => li.textContent.includes('Olga elsewhere') &&
      !li.querySelector('.vote button')));
  assert.equal(await arrows(mine).up.count(), 0);
  await waitText(arrows(mine).score, '0');
  // The thread marks it as hers: she may edit it here too, in its window.
  assert.equal(await mine.locator(':scope > article button', { hasText: 'Edit' }).count(), 1);
  assert.equal(await arrows(w.comment(page, 'Written by someone else')).up.count(), 1);
  // Nor on what the member writes now.
  await postInWidget(page, 'Olga, just now');
  await waitText(arrows(w.comment(page, 'Olga, just now')).score, '0');
  assert.equal(await arrows(w.comment(page, 'Olga, just now')).up.count(), 0);
  await ctx.close();

  // A guest: the comments whose edit token this device holds.
  const guest = await env.open(env.postPage({ post }));
  await postInWidget(guest, 'A guest wrote this here');
  const own = w.comment(guest, 'A guest wrote this here');
  await waitText(arrows(own).score, '0');
  assert.equal(await arrows(own).up.count(), 0);
  await guest.reload();
  await waitText(arrows(own).score, '0');
  assert.equal(await arrows(own).up.count(), 0);
  assert.equal(await arrows(w.comment(guest, 'Written by Olga elsewhere')).up.count(), 1);
  await guest.context().close();
});

test('a refused vote on one\'s own comment (403 own_comment) says so and takes the arrows away', async () => {
  const post = uniqueKey('own-refused');
  await postComment(env.api, post, 'Mine, from another device');
  const page = await env.open(env.postPage({ post }));
  await page.route(/\/api\/v1\/comments\/\d+\/vote$/, (route) => route.fulfill({ status: 403,
    headers: { 'access-control-allow-origin': env.blog.origin, 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code: 'own_comment', message: 'x' } }) }));
  const li = w.comment(page, 'Mine, from another device');
  await arrows(li).up.click();
  await waitText(li.locator('.verr'), 'You cannot vote on your own comment.');
  assert.equal(await arrows(li).up.count(), 0);
  await waitText(arrows(li).score, '0');
  await page.context().close();
});
