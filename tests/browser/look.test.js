// How the widget looks and is used without a mouse: dark mode, keyboard,
// and screenshots (tests/screenshots/, light and dark, desktop and phone)
// for people to look at.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, w, screenshotPath, harness } = require('./helpers');

const { uniqueKey, call, sql } = harness;
let env;
before(async () => { env = await setup('look'); });
after(async () => { await env?.stop(); });

const rootStyle = (page) => page.locator('#parley .root').evaluate((el) => {
  const s = getComputedStyle(el);
  return { bg: s.backgroundColor, fg: s.color, accent: s.getPropertyValue('--accent').trim() };
});

test('dark mode: from prefers-color-scheme, and from data-theme', async () => {
  const post = uniqueKey('dark');
  await postComment(env.api, post, 'In the dark');
  const light = await env.open(env.postPage({ post }));
  const lightStyle = await rootStyle(light);
  const dark = await env.open(env.postPage({ post }), { colorScheme: 'dark' });
  const darkStyle = await rootStyle(dark);
  const forced = await env.open(env.postPage({ post, attrs: { theme: 'dark' } }), { colorScheme: 'light' });
  const forcedStyle = await rootStyle(forced);
  const keptLight = await env.open(env.postPage({ post, attrs: { theme: 'light' } }), { colorScheme: 'dark' });
  const keptLightStyle = await rootStyle(keptLight);

  assert.notEqual(lightStyle.bg, darkStyle.bg);
  assert.notEqual(lightStyle.fg, darkStyle.fg);
  assert.notEqual(lightStyle.accent, darkStyle.accent);
  assert.deepEqual(forcedStyle, darkStyle);
  assert.deepEqual(keptLightStyle, lightStyle);
  // Dark means dark: the background is darker than the text.
  const lum = (rgb) => rgb.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0);
  assert.ok(lum(darkStyle.bg) < lum(darkStyle.fg));
  assert.ok(lum(lightStyle.bg) > lum(lightStyle.fg));

  // "auto" follows the system when it changes.
  await light.emulateMedia({ colorScheme: 'dark' });
  // Restyling happens on a later frame: wait for it (2 s at most).
  let now = await rootStyle(light);
  for (let i = 0; i < 40 && JSON.stringify(now) !== JSON.stringify(darkStyle); i++) {
    await light.waitForTimeout(50);
    now = await rootStyle(light);
  }
  assert.deepEqual(now, darkStyle);
  for (const p of [light, dark, forced, keptLight]) await p.context().close();
});

test('a blog can set the colours through --parley-* custom properties', async () => {
  const post = uniqueKey('themed');
  const page = await env.open(env.postPage({ post,
    head: '<style>#parley{--parley-accent:#b00b69;--parley-bg:#fffbe8}</style>' }));
  const s = await rootStyle(page);
  assert.equal(s.bg, 'rgb(255, 251, 232)');
  const btnBg = await w.form(page).locator('button[type=submit]').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(btnBg, 'rgb(176, 11, 105)');
  await page.context().close();
});

test('keyboard: Tab reaches the textarea and the submit button, never the honeypot', async () => {
  const post = uniqueKey('keys');
  await postComment(env.api, post, 'A comment to tab past');
  const page = await env.open(env.postPage({ post }));
  const hp = w.form(page).locator('input[name=hp]');
  assert.equal(await hp.getAttribute('tabindex'), '-1');
  assert.equal(await hp.getAttribute('aria-hidden'), 'true');
  assert.equal(await hp.getAttribute('autocomplete'), 'off');
  assert.equal(await hp.locator('xpath=ancestor::div[1]').getAttribute('aria-hidden'), 'true');
  const box = await hp.boundingBox();
  assert.ok(!box || box.x + box.width <= 0 || box.width <= 1, `off-screen: ${JSON.stringify(box)}`);

  const seen = [];
  await page.locator('h1').click();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    seen.push(await page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return 'body';
      const label = el.getAttribute('aria-label') || el.name || el.textContent.trim();
      return `${el.tagName.toLowerCase()}${el.type ? `[${el.type}]` : ''}:${label}`;
    }));
  }
  const order = seen.join('\n');
  assert.match(order, /^select\[select-one\]:/m);
  assert.match(order, /button\[button\]:Vote up/);
  assert.match(order, /button\[button\]:Reply to Ann/);
  assert.match(order, /textarea\[textarea\]:Comment/);
  assert.match(order, /input\[text\]:name/);
  assert.match(order, /button\[submit\]:Post Comment/);
  assert.doesNotMatch(order, /:hp$/m);
  assert.ok(order.indexOf('textarea') < order.indexOf('Post Comment'));

  // A visible focus ring.
  const ta = w.form(page).locator('textarea[name=body]');
  await ta.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const outline = await ta.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, 'none');

  // Enter on a focused button works: reply, type, submit with the keyboard.
  const reply = w.comment(page, 'A comment to tab past').locator('.acts button', { hasText: 'Reply' });
  await reply.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.type('Typed with the keyboard only');
  await page.keyboard.press('Tab'); // name
  await page.keyboard.type('Kim');
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    const t = await page.evaluate(() => document.querySelector('#parley').shadowRoot.activeElement?.type);
    if (t === 'submit') break;
  }
  await page.keyboard.press('Enter');
  await w.comment(page, 'Typed with the keyboard only').waitFor();
  await page.context().close();
});

test('screenshots of a realistic thread: light and dark, desktop and phone', async () => {
  const post = uniqueKey('shots');
  const a = await postComment(env.api, post,
    'A useful summary. The part about **sequencing** (what each side gives first) is where past talks stalled.',
    { author_name: 'Mina Park', author_email: 'mina@example.org', author_url: 'https://mina.example.org' });
  const b = await postComment(env.api, post,
    'Agreed. Verification is what turns a statement into an agreement; without inspectors on the ground both sides are left guessing.',
    { author_name: 'Tom Okafor', author_email: 'tom@example.org', parent_id: a.comment.id });
  const regd = await call(env.api, 'POST', '/api/v1/auth/register', { json: {
    email: `${uniqueKey('mod')}@example.org`, password: 'a long enough password', name: 'Rosa Díaz' } });
  sql(`UPDATE users SET role = 'moderator' WHERE id = ${Number(regd.json.user.id)}`);
  // The change of role ended its session: log in again.
  const modToken = (await call(env.api, 'POST', '/api/v1/auth/login', { json: {
    email: regd.json.user.email, password: 'a long enough password' } })).json.token;
  await postComment(env.api, post, 'Please keep it civil, and cite sources where you can:\n\n> Trust, but verify.',
    { parent_id: b.comment.id, token: modToken });
  const c = await postComment(env.api, post, 'Does anyone have a link to the `2018` joint statement?',
    { author_name: 'Jae-won Lee', author_email: 'jw@example.org' });
  await call(env.api, 'PATCH', `/api/v1/comments/${c.comment.id}`, {
    json: { body: 'Does anyone have a link to the `2018` joint statement? It was short.' },
    headers: { 'x-edit-token': c.edit_token } });
  await call(env.api, 'POST', `/api/v1/comments/${a.comment.id}/vote`, { json: { value: 1 } });

  for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['light', 390], ['dark', 390]]) {
    const page = await env.open(env.postPage({ post, title: "Getting to 'Yes' With North Korea" }),
      { colorScheme: scheme, viewport: { width, height: 900 } });
    await page.evaluate(() => document.fonts.ready);
    await page.locator('#parley').screenshot({
      path: screenshotPath(`widget-${scheme}-${width < 500 ? 'phone' : 'desktop'}.png`) });
    // Nothing sticks out sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at ${width}px`);
    await page.context().close();
  }

  // The interactive parts: an inline reply form with an error, a held
  // comment, the log-in form.
  const page = await env.open(env.postPage({ post }), { viewport: { width: 900, height: 900 } });
  await w.comment(page, 'Agreed. Verification').locator(':scope > article .acts button', { hasText: 'Reply' }).click();
  await w.comment(page, 'Agreed. Verification').locator(':scope > article form button[type=submit]').click();
  await page.locator('#parley .slot .err:not(:empty)').waitFor();
  await page.route(`${env.api}/api/v1/comments`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const res = await route.fetch();
    const json = await res.json();
    json.comment.status = 'pending';
    await route.fulfill({ response: res, json });
  });
  await w.form(page).locator('textarea[name=body]').fill('Held for a moment, *politely*.');
  await w.form(page).locator('input[name=name]').fill('Pat');
  await w.form(page).locator('button[type=submit]').click();
  await page.locator('#parley .note').waitFor();
  await page.locator('#parley .acct button', { hasText: 'Log in' }).click();
  await page.locator('#parley').screenshot({ path: screenshotPath('widget-forms-light-desktop.png') });
  await page.context().close();
});
