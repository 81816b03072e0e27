// The widget's side of reply notifications and the comments feed (issue
// #15): "E-mail me replies" where this Parley sends mail (a guest's box
// goes with the comment, a member's is the account's switch), what came
// of it, and the post's Atom feed. A real Parley with a real SMTP relay
// (../integration/smtp_sink.js), and a second Parley without one.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, waitText, w, axeViolations, screenshotPath, harness } = require('./helpers');
const { SmtpSink } = require('../integration/smtp_sink');

const { uniqueKey, call, sleep } = harness;
const PW = 'a long enough password';
let env, off, sink;

before(async () => {
  sink = new SmtpSink();
  await sink.listen();
  // setup() starts Parley with this process's environment.
  process.env.PARLEY_SMTP_URL = sink.url;
  try {
    env = await setup('widget-mail');
  } finally {
    delete process.env.PARLEY_SMTP_URL;
  }
  off = await setup('widget-mail-off');
});
after(async () => {
  await env?.stop();
  await off?.stop();
  await sink?.close();
});

let seq = 0;
const fresh = (who) => `${who}-${process.pid}-${++seq}@example.org`;
const box = (scope) => scope.locator('input[type=checkbox][name=notify]');
const live = (page) => page.locator('#parley [role=status]');
const isPost = (r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/comments');

// Fills the main form as a guest and posts; resolves with the request's
// JSON and the answer's.
async function postAsGuest(page, body, email, notify) {
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill(body);
  await form.locator('input[name=name]').fill('Gina');
  await form.locator('input[name=email]').fill(email);
  await box(form).setChecked(notify);
  const answer = page.waitForResponse(isPost);
  await form.locator('button[type=submit]').click();
  const res = await answer;
  return { sent: res.request().postDataJSON(), got: await res.json() };
}

// A member's account, and a new browser context (with options) logged
// in to it.
async function memberPage(e, name, options = {}) {
  const email = fresh('member');
  const r = await call(e.api, 'POST', '/api/v1/auth/register', { json: { email, password: PW, name } });
  assert.equal(r.status, 201, r.text);
  const context = await e.browser.newContext({ viewport: { width: 1000, height: 900 }, ...options });
  context.setDefaultTimeout(5000);
  await context.addInitScript((token) => {
    localStorage.setItem('parley:token', JSON.stringify(token));
  }, r.json.token);
  return { email, token: r.json.token, context };
}

const meMail = async (token) => {
  const r = await call(env.api, 'GET', '/api/v1/me/mail', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200, r.text);
  return r.json.mail;
};

test('mail on: a guest\'s box, unchecked at first; checked, the comment asks for replies and a confirmation is mailed', async () => {
  const post = uniqueKey('guest');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  const notify = page.getByRole('checkbox', { name: 'E-mail me replies' });
  await notify.waitFor();
  assert.equal(await notify.isChecked(), false);
  assert.equal(await box(form).count(), 1, 'in the main form');

  const email = fresh('guest');
  const { sent, got } = await postAsGuest(page, 'Tell me when someone answers', email, true);
  assert.equal(sent.notify, true);
  assert.equal(got.mail, 'confirming');
  const said = 'We sent you a mail: confirm your address to get replies.';
  await waitText(w.comment(page, 'Tell me when someone answers').locator('.note'), said);
  await waitText(live(page), /confirm your address to get replies/);
  const [mail] = await sink.waitFor(email);
  assert.match(mail.parsed.text, /\/mail\/confirm\?token=/);

  // The box is remembered on this device, with the name and address.
  assert.equal((await page.evaluate(() => JSON.parse(localStorage.getItem('parley:guest')))).notify, true);
  await page.reload();
  await box(w.form(page)).waitFor();
  assert.equal(await box(w.form(page)).isChecked(), true);

  // Reply forms have the box too.
  const c = w.comment(page, 'Tell me when someone answers');
  await c.locator(':scope > article .acts button', { hasText: 'Reply' }).click();
  assert.equal(await box(c.locator(':scope > article .slot form')).isVisible(), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('mail on: a guest who leaves the box unchecked asks for nothing and gets no mail', async () => {
  const page = await env.open(env.postPage({ post: uniqueKey('quiet') }));
  const email = fresh('quiet');
  const { sent, got } = await postAsGuest(page, 'No mail for me', email, false);
  assert.equal(sent.notify, undefined);
  assert.equal(got.mail, undefined);
  await w.comment(page, 'No mail for me').waitFor();
  assert.equal(await w.comment(page, 'No mail for me').locator('.note').count(), 0);
  await sleep(2000);
  assert.equal(sink.to(email).length, 0);
  await page.context().close();
});

test('mail on: a checked box without an e-mail address says one is needed, and sends nothing', async () => {
  const page = await env.open(env.postPage({ post: uniqueKey('noaddr') }));
  const form = w.form(page);
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/comments')) posts++; });
  await form.locator('textarea[name=body]').fill('Where do replies go?');
  await form.locator('input[name=name]').fill('Gina');
  await box(form).check();
  await form.locator('button[type=submit]').click();
  await waitText(form.locator('.err'), 'Give your e-mail address to get replies.');
  const email = form.locator('input[name=email]');
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  assert.equal(await email.evaluate((el) => el.getRootNode().activeElement === el), true);
  // The error line describes the box too.
  const errId = await form.locator('.err').getAttribute('id');
  assert.match(await box(form).getAttribute('aria-describedby'), new RegExp(errId));
  await waitText(live(page), 'Give your e-mail address to get replies.');
  assert.equal(posts, 0);
  await page.context().close();
});

test('mail on: a guest\'s other answers are said: subscribed, suppressed', async () => {
  const page = await env.open(env.postPage({ post: uniqueKey('answers') }));
  let mail;
  await page.route(`${env.api}/api/v1/comments`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const res = await route.fetch();
    return route.fulfill({ response: res, json: { ...await res.json(), mail } });
  });
  const says = { subscribed: 'You will get an e-mail when someone replies.',
    suppressed: 'This address cannot be mailed.' };
  for (const [answer, text] of Object.entries(says)) {
    mail = answer;
    await postAsGuest(page, `Answered ${answer}`, fresh(answer), true);
    await waitText(w.comment(page, `Answered ${answer}`).locator('.note'), text);
  }
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('mail on: a member\'s box is the account\'s switch; changing it changes the account', async () => {
  const m = await memberPage(env, 'Mara Member');
  const page = await m.context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  const asked = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/me/mail')) asked.push(r.method()); });
  const got = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/mail'));
  await page.goto(env.postPage({ post: uniqueKey('member') }));
  const form = w.form(page);
  await waitText(page.locator('#parley .acct strong'), 'Mara Member');
  assert.equal((await got).status(), 200);
  await box(form).waitFor();
  assert.equal(await box(form).isChecked(), false);
  assert.equal((await meMail(m.token)).notify_replies, false);

  // On: the account's address is not confirmed yet, so a mail asks.
  const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
  await box(form).check();
  assert.deepEqual((await patched).request().postDataJSON(), { notify_replies: true });
  await waitText(form.locator('.nt .muted'), 'We sent you a mail: confirm your address to get replies.');
  await waitText(live(page), /confirm your address/);
  const now = await meMail(m.token);
  assert.equal(now.notify_replies, true);
  assert.equal(now.address, 'confirming');
  const [mail] = await sink.waitFor(m.email);
  assert.match(mail.parsed.text, /\/mail\/confirm\?token=/);

  // A reload shows the account's switch.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot
    .querySelector('input[name=notify]').checked);

  // Off again, said so.
  await box(form).uncheck();
  await waitText(form.locator('.nt .muted'), 'You will get no e-mail about replies.');
  assert.equal((await meMail(m.token)).notify_replies, false);

  // Sorting reloads the thread, not the switch: one GET per page load.
  await page.locator('#parley select').selectOption('newest');
  await sleep(300);
  assert.deepEqual(asked.filter((x) => x === 'GET'), ['GET', 'GET']);
  assert.deepEqual(page.errors, []);
  await m.context.close();
});

test('mail on: logging in through the widget shows the account\'s switch; logging out the guest\'s again', async () => {
  const email = fresh('login');
  const r = await call(env.api, 'POST', '/api/v1/auth/register', { json: { email, password: PW, name: 'Lou' } });
  const patch = await call(env.api, 'PATCH', '/api/v1/me/mail', { json: { notify_replies: true },
    headers: { authorization: `Bearer ${r.json.token}` } });
  assert.equal(patch.status, 200, patch.text);
  const page = await env.open(env.postPage({ post: uniqueKey('login') }));
  const form = w.form(page);
  assert.equal(await box(form).isChecked(), false);
  await page.locator('#parley .acct button', { hasText: 'Log in' }).click();
  const auth = page.locator('#parley form.auth');
  await auth.locator('input[name=email]').fill(email);
  await auth.locator('input[name=password]').fill(PW);
  await auth.locator('button[type=submit]').click();
  await waitText(page.locator('#parley .acct strong'), 'Lou');
  await page.waitForFunction(() => document.querySelector('#parley').shadowRoot
    .querySelector('input[name=notify]').checked);
  await page.locator('#parley .acct button', { hasText: 'Log out' }).click();
  await page.waitForFunction(() => !document.querySelector('#parley').shadowRoot
    .querySelector('input[name=notify]').checked);
  await page.context().close();
});

test('mail off: no box for guests or members, and no question about the account\'s mail', async () => {
  const post = uniqueKey('off');
  const thread = await call(off.api, 'GET', `/api/v1/comments?post=${post}`);
  assert.equal(thread.json.mail, false);

  const page = await off.open(off.postPage({ post }));
  assert.equal(await box(w.form(page)).isVisible(), false);
  assert.equal(await page.getByRole('checkbox').count(), 0);
  // A box remembered from elsewhere is not sent.
  await page.evaluate(() => localStorage.setItem('parley:guest', JSON.stringify({ notify: true })));
  await page.reload();
  await w.form(page).locator('textarea[name=body]').waitFor();
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill('Mail is off here');
  await form.locator('input[name=name]').fill('Gina');
  const answer = page.waitForResponse(isPost);
  await form.locator('button[type=submit]').click();
  assert.equal((await answer).request().postDataJSON().notify, undefined);
  await page.context().close();

  const m = await memberPage(off, 'Otto Off');
  const member = await m.context.newPage();
  let asked = 0;
  member.on('request', (r) => { if (r.url().includes('/me/mail')) asked++; });
  await member.goto(off.postPage({ post }));
  await waitText(member.locator('#parley .acct strong'), 'Otto Off');
  await member.locator('#parley .status').waitFor({ state: 'hidden' });
  await sleep(300);
  assert.equal(await box(w.form(member)).isVisible(), false);
  assert.equal(asked, 0);
  await m.context.close();
});

test('the comments feed: a link to the post\'s Atom feed on the Parley server', async () => {
  for (const e of [env, off]) {
    const post = uniqueKey('feed');
    const page = await e.open(e.postPage({ post }));
    const link = page.getByRole('link', { name: 'Comments feed' });
    assert.equal(await link.getAttribute('href'), `${e.api}/feed/comments.atom?post=${post}`);
    assert.equal(await link.getAttribute('type'), 'application/atom+xml');
    const r = await fetch(await link.getAttribute('href'));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/atom\+xml/);
    await page.context().close();
  }
});

test('keyboard: Tab reaches the box after the guest fields, Space toggles it', async () => {
  const page = await env.open(env.postPage({ post: uniqueKey('keys') }));
  const form = w.form(page);
  await form.locator('input[name=url]').focus();
  await page.keyboard.press('Tab');
  const focused = () => page.evaluate(() => {
    const el = document.querySelector('#parley').shadowRoot.activeElement;
    return el && `${el.type}:${el.name}`;
  });
  assert.equal(await focused(), 'checkbox:notify');
  await page.keyboard.press('Space');
  assert.equal(await box(form).isChecked(), true);
  await page.keyboard.press('Space');
  assert.equal(await box(form).isChecked(), false);
  // A visible focus ring.
  assert.notEqual(await box(form).evaluate((el) => getComputedStyle(el).outlineStyle), 'none');
  await page.context().close();
});

test('German and French say it in their language', async () => {
  for (const [lang, label, feed] of [['de', 'Antworten per E-Mail erhalten', 'Kommentar-Feed'],
    ['fr', 'M’avertir des réponses par e-mail', 'Flux des commentaires']]) {
    const page = await env.open(env.postPage({ post: uniqueKey(lang), lang }));
    await page.getByRole('checkbox', { name: label }).waitFor();
    await page.getByRole('link', { name: feed }).waitFor();
    await page.context().close();
  }
});

test('axe finds nothing in light, dark and phone: the box, a member\'s status line, the note under a comment, the feed link', async () => {
  const modes = { light: {}, dark: { colorScheme: 'dark' },
    phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 } };
  for (const [mode, options] of Object.entries(modes)) {
    const page = await env.open(env.postPage({ post: uniqueKey(`axe-${mode}`) }), options);
    await postAsGuest(page, `Noted in ${mode}`, fresh(mode), true);
    await w.comment(page, `Noted in ${mode}`).locator('.note').waitFor();
    await page.locator('#parley .root').screenshot({ path: screenshotPath(`widget-mail-${mode}.png`) });
    assert.deepEqual(await axeViolations(page), [], mode);
    await page.context().close();

    const m = await memberPage(env, `Axel ${mode}`, options);
    const member = await m.context.newPage();
    await member.goto(env.postPage({ post: uniqueKey(`axe-m-${mode}`) }));
    await box(w.form(member)).check();
    await w.form(member).locator('.nt .muted:not(:empty)').waitFor();
    await member.locator('#parley .root').screenshot({ path: screenshotPath(`widget-mail-member-${mode}.png`) });
    assert.deepEqual(await axeViolations(member), [], `${mode}, a member`);
    await m.context.close();
  }
});

test('a link from a mail or a feed (#parley-comment-ID) brings its comment into view', async () => {
  const post = uniqueKey('jump');
  const ids = [];
  for (let i = 0; i < 30; i++) {
    const r = await call(env.api, 'POST', '/api/v1/comments',
      { json: { post, author_name: `Reader ${i}`, body: `comment number ${i}\n\n${'words '.repeat(40)}` } });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.comment.id);
  }
  const last = ids[ids.length - 1];
  const page = await env.open(`${env.postPage({ post })}#parley-comment-${last}`);
  const target = page.locator('#parley .art', { hasText: `comment number ${ids.length - 1}` });
  await target.waitFor().catch(async (e) => {
    console.log((await page.locator('#parley').innerText()).slice(0, 3000));
    throw e;
  });
  const inView = async () => {
    const b = await target.boundingBox();
    return b !== null && b.y >= 0 && b.y < page.viewportSize().height;
  };
  for (let i = 0; !(await inView()); i++) {
    assert.ok(i < 50, 'the linked comment never came into view');
    await sleep(100);
  }
  // Without the fragment the page stays at its top.
  const plain = await env.open(env.postPage({ post }));
  assert.equal(await plain.evaluate(() => window.scrollY), 0);
  await page.context().close();
  await plain.context().close();
});
