// The moderators' page in a browser: a real Parley on a fresh database
// (tests/integration/harness.js), its accounts, and Debian's Chromium
// driven by playwright-core.
'use strict';
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { chromium } = require('playwright-core');
const harness = require('../integration/harness');

// Without these, Chromium tries to reach Google's services at start.
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu',
  '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const SCREENSHOTS = path.join(harness.top, 'tests', 'screenshots');

const ADMIN = { email: 'admin@example.org', password: 'admin-pass-12345', name: 'admin' };
const MODERATOR = { email: 'mona@example.org', password: 'moderator-pass-1', name: 'Mona Moderator' };
const READER = { email: 'rita@example.org', password: 'reader-pass-123', name: 'Rita Reader' };

// Parley with first-comment approval on, an admin (from the command
// line, as an operator makes one), a moderator and a reader; and Chromium.
// Another name, environment or settings make a server of its own.
async function setup(options) {
  const srv = await startServer(options);
  return { srv, browser: await launch() };
}

async function startServer({ name = 'browser-admin', env = {},
  settings = { first_comment_approval: true } } = {}) {
  const srv = await harness.startParley({ name, env, settings });
  execFileSync(path.join(harness.top, 'scripts', 'admin.sh'),
    [ADMIN.email, ADMIN.password, srv.db], { stdio: 'ignore' });
  for (const u of [MODERATOR, READER]) {
    const r = await harness.call(srv.base, 'POST', '/api/v1/auth/register',
      { json: { email: u.email, password: u.password, name: u.name } });
    assert.equal(r.status, 201, r.text);
  }
  harness.sql(`UPDATE users SET role = 'moderator' WHERE email = '${MODERATOR.email}'`);
  return srv;
}

// Debian's Chromium, headless.
function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

let guestSeq = 0;

// A guest comment through the public API (a new e-mail each time unless
// given, so first-comment approval holds it); returns the 201 answer.
async function guestComment(srv, { post, body, name = 'Guest', email, parent, title } = {}) {
  guestSeq += 1;
  const r = await harness.call(srv.base, 'POST', '/api/v1/comments', {
    json: {
      post, body, parent_id: parent ?? null,
      post_title: title ?? `Post ${post}`, post_url: `http://blog.example/${encodeURIComponent(post)}`,
      author_name: name,
      author_email: email ?? `guest${guestSeq}-${process.pid}@example.net`,
    },
  });
  return r;
}

// The approved thread as readers get it: a flat list of comment ids.
async function threadIds(srv, post) {
  const r = await harness.call(srv.base, 'GET',
    `/api/v1/comments?post=${encodeURIComponent(post)}&limit=200`);
  assert.equal(r.status, 200, r.text);
  const ids = [];
  const walk = (list) => {
    for (const c of list) {
      if (c.status === 'approved') ids.push(c.id);
      walk(c.replies || []);
    }
  };
  walk(r.json.comments);
  return ids;
}

// A logged-in token for direct API checks.
async function token(srv, who) {
  const r = await harness.call(srv.base, 'POST', '/api/v1/auth/login',
    { json: { email: who.email, password: who.password } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

async function adminGet(srv, tok, urlPath) {
  const r = await harness.call(srv.base, 'GET', urlPath,
    { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// A fresh browser context and page that records script errors, CSP
// violations and console errors (but not the console's note on an HTTP
// error status, which some tests cause on purpose). Confirmations are
// accepted unless options.onDialog answers them instead.
async function openPage(browser, srv, { onDialog, ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 },
    ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', onDialog || ((d) => d.accept()));
  await page.goto(`${srv.base}/admin`);
  return { context, page, problems };
}

async function login(page, who) {
  await page.locator('#login-email').fill(who.email);
  await page.locator('#login-password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

// Logs in and waits for the queue's first answer.
async function loginAsModerator(page, who) {
  await login(page, who);
  await page.locator('#app-view').waitFor();
  await idle(page);
}

// Waits for the queue's latest listing to arrive.
async function idle(page) {
  await page.waitForFunction(() => !document.querySelector('#queue-list[aria-busy=true]'));
}

// The queue row showing a comment.
function row(page, id) {
  return page.locator(`#queue-list .row[data-id="${id}"]`);
}

async function heldBadge(page) {
  return Number(await page.locator('#held-count').textContent());
}

// Retries an assertion until it holds (the page updates asynchronously).
async function eventually(check, timeout = 5000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await harness.sleep(50);
    }
  }
}

// Runs body(page, context) with a fresh page of the admin page; fails on
// script errors or CSP violations.
async function withPage(browser, srv, body, options) {
  const { context, page, problems } = await openPage(browser, srv, options);
  try {
    await body(page, context);
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
}

module.exports = { withPage, setup, startServer, launch, eventually, guestComment, threadIds, token, adminGet, openPage,
  login, loginAsModerator, idle, row, heldBadge, SCREENSHOTS, ADMIN, MODERATOR, READER };
