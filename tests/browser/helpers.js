// Browser tests of the widget: a real Parley (tests/integration/harness.js)
// on one origin, a tiny blog on another (node:http, pages registered by the
// tests), and Debian's Chromium driven by playwright-core.
'use strict';
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const { chromium } = require('playwright-core');
const harness = require('../integration/harness');

// Without these, Chromium tries to reach Google's services at start.
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu',
  '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const SCREENSHOTS = path.join(harness.top, 'tests', 'screenshots');

const esc = (s) => String(s).replace(/[&<>"']/g,
  (c) => `&#${c.charCodeAt(0)};`);

// A blog on its own origin; pages maps a path to its HTML.
async function startBlog(port) {
  const pages = new Map();
  const srv = http.createServer((req, res) => {
    const html = pages.get(new URL(req.url, 'http://blog').pathname);
    res.writeHead(html ? 200 : 404, {
      'content-type': html ? 'text/html; charset=utf-8' : 'text/plain',
      'cache-control': 'no-store',
    });
    res.end(html || 'not found');
  });
  await new Promise((resolve) => srv.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    pages,
    close: () => new Promise((resolve) => {
      srv.closeAllConnections();
      srv.close(resolve);
    }),
  };
}

// The whole set-up for one test file: Parley, the blog, a browser.
async function setup(name, settings = {}) {
  const blogPort = await harness.freePort();
  const blogOrigin = `http://127.0.0.1:${blogPort}`;
  // The demo page that Parley serves itself is same-origin and needs no
  // CORS; the blog's origin does.
  const parley = await harness.startParley({
    name: `browser-${name}`,
    env: { PARLEY_ORIGINS: blogOrigin },
    settings,
  });
  const blog = await startBlog(blogPort);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS });
  const api = parley.base;
  let seq = 0;

  const env = {
    api, blog, browser, parley,

    // Registers a blog post page embedding the widget; returns its URL.
    // attrs are extra data- attributes (without the prefix).
    postPage({ post, title = 'A post', attrs = {}, head = '', lang = 'en' }) {
      const p = `/post-${++seq}.html`;
      const data = Object.entries({ post, title, ...attrs })
        .map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
      blog.pages.set(p, `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{margin:0 auto;max-width:46rem;padding:1rem;font:17px/1.6 Georgia,serif}</style>
${head}</head><body>
<h1>${esc(title)}</h1>
<p>The post's text.</p>
<div id="parley"${data}></div>
<script src="${api}/embed.js" async></script>
</body></html>`);
      return blog.origin + p;
    },

    // A page (new context unless given one) showing the widget, loaded.
    async open(url, contextOptions = {}) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 },
        ...contextOptions });
      context.setDefaultTimeout(5000);
      const page = await context.newPage();
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(e));
      await page.goto(url);
      await waitLoaded(page);
      return page;
    },

    async stop() {
      await browser.close().catch(() => {});
      await blog.close();
      await parley.stop();
    },
  };
  return env;
}

// Resolves when locator shows text (a string for an exact match, or a
// RegExp), or fails with what it showed instead.
async function waitText(locator, text) {
  const re = typeof text === 'string' ? new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : text;
  try {
    await locator.filter({ hasText: re }).first().waitFor();
  } catch (e) {
    const now = await locator.allTextContents().catch(() => []);
    throw new Error(`expected ${re} but found ${JSON.stringify(now)}`);
  }
}

// Waits until the widget has shown its first page of comments.
async function waitLoaded(page) {
  await page.locator('#parley h2').waitFor();
  await page.waitForFunction(() => {
    const root = document.querySelector('#parley')?.shadowRoot;
    const status = root?.querySelector('.status');
    return status && status.hidden;
  });
}

// A guest comment over the API; returns the whole answer's JSON.
async function postComment(api, post, body, extra = {}) {
  const r = await harness.call(api, 'POST', '/api/v1/comments', {
    json: { post, post_title: 'A post', body, author_name: 'Ann',
      author_email: 'ann@example.org', ...extra },
    headers: extra.token ? { authorization: `Bearer ${extra.token}` } : {},
  });
  if (r.status !== 201) throw new Error(`post: ${r.status} ${r.text}`);
  return r.json;
}

// The widget's pieces; Playwright's CSS selectors pierce open shadow roots.
const w = {
  // The <li> of the comment whose own body contains text.
  comment: (page, text) => page.locator('li.c').filter({
    has: page.locator(':scope > article .body', { hasText: text }) }),
  heading: (page) => page.locator('#parley h2'),
  form: (page) => page.locator('#parley section.leave > form.form'),
  // Top-level comment bodies, in order.
  topBodies: async (page) => (await page.locator('ol.thread > li > article .body').allTextContents()).map((s) => s.trim()),
};

function screenshotPath(name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, name);
}

module.exports = { setup, startBlog, postComment, waitLoaded, waitText, w, screenshotPath, harness };

// axe-core's findings on page (WCAG 2.x A and AA, and axe's best
// practices), inside include (a selector; axe looks into open shadow
// roots): [] when it finds nothing. Each finding is one line, naming the
// rule, what it says and the elements at fault, for the test's message.
async function axeViolations(page, include = '#parley') {
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded)
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate((sel) => window.axe.run(
    { include: [sel] }, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' >> ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`) }))),
  include);
  return violations.map((v) => `${v.id} (${v.help}):\n    ${v.nodes.join('\n    ')}`);
}

module.exports.axeViolations = axeViolations;

// The <li> of the comment whose author is name: it stays found while
// the comment's body gives way to an edit form.
const byAuthor = (page, name) => page.locator('li.c').filter({
  has: page.locator(':scope > article .name', { hasText: name }) });

// A page whose clock the test moves (page.clock), showing the widget.
async function openWithClock(env, url, contextOptions = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 900 },
    ...contextOptions });
  context.setDefaultTimeout(5000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  await page.clock.install();
  await page.goto(url);
  await waitLoaded(page);
  return page;
}

// Posts body as the guest name through the widget's main form; resolves
// with the POST's answer.
async function postInWidget(page, body, name = 'Gina') {
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill(body);
  if (await form.locator('input[name=name]').isVisible())
    await form.locator('input[name=name]').fill(name);
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' &&
    r.url().endsWith('/api/v1/comments'));
  await form.locator('button[type=submit]').click();
  return (await answer).json();
}

Object.assign(module.exports, { byAuthor, openWithClock, postInWidget });
