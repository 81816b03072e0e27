// Live updates in the widget (issue #16): it holds the post's stream
// (GET /api/v1/stream) while the thread is on screen and the tab
// visible; a new comment waits behind "1 new comment" until the reader
// asks, edits and deletions show at once; data-live="false" turns it
// off; a refused stream falls back to a look at the thread every 60 s.
// Each page counts its EventSources (an init script wraps the
// constructor), the stream's effects are checked through the server.
'use strict';
const http = require('node:http');
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitLoaded, waitText, w, postInWidget, harness } = require('./helpers');

const { uniqueKey, call, sleep } = harness;
let env;
before(async () => { env = await setup('widget-live'); });
after(async () => { await env?.stop(); });

// A page showing the widget, whose EventSources are kept in
// window.streams; with clock, a clock the test moves.
async function open(url, { clock = false } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 900 } });
  context.setDefaultTimeout(5000);
  await context.addInitScript(() => {
    const Native = window.EventSource;
    window.streams = [];
    window.EventSource = class extends Native {
      constructor(...args) {
        super(...args);
        window.streams.push(this);
      }
    };
  });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  if (clock)
    await page.clock.install();
  await page.goto(url);
  await waitLoaded(page);
  return page;
}

// The page's EventSources: how many were made, how many are open or
// opening (not closed).
const streams = (page) => page.evaluate(() => ({
  made: window.streams.length,
  open: window.streams.filter((s) => s.readyState !== EventSource.CLOSED).length,
}));

// Waits until the page holds an open stream (readyState OPEN).
const live = (page) => page.waitForFunction(() =>
  window.streams.some((s) => s.readyState === EventSource.OPEN));

// Makes the page's tab hidden or visible again, as the browser says it.
const setHidden = (page, hidden) => page.evaluate((h) => {
  Object.defineProperty(document, 'visibilityState', { configurable: true,
    get: () => (h ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
  document.dispatchEvent(new Event('visibilitychange'));
}, hidden);

const bar = (page) => page.locator('#parley button.new');
const said = (page) => page.locator('#parley [role=status]');

test('a comment posted on one page shows as "1 new comment" on another, and in place once asked for', async () => {
  const post = uniqueKey('live');
  const first = await postComment(env.api, post, 'The first comment', { author_name: 'Pia' });
  const url = env.postPage({ post });
  const writer = await open(url);
  const reader = await open(url);
  await live(writer);
  await live(reader);
  assert.ok(await bar(reader).isHidden());

  await postInWidget(writer, 'Posted on the other page', 'Gina');
  await waitText(bar(reader), '1 new comment');
  await waitText(said(reader), '1 new comment');
  // The count follows at once; the comment waits for the reader.
  await waitText(w.heading(reader), '2 Comments');
  assert.equal(await w.comment(reader, 'Posted on the other page').count(), 0,
    'not pushed into the thread under the reader\'s eyes');

  // Two more, one a reply: the bar counts them.
  await postComment(env.api, post, 'A reply to the first', { parent_id: first.comment.id });
  await postComment(env.api, post, 'Another top comment', { author_name: 'Olaf' });
  await waitText(bar(reader), '3 new comments');
  await waitText(w.heading(reader), '4 Comments');

  await bar(reader).click();
  await w.comment(reader, 'Posted on the other page').waitFor();
  assert.ok(await bar(reader).isHidden(), 'the bar goes once they are shown');
  assert.deepEqual(await w.topBodies(reader),
    ['The first comment', 'Posted on the other page', 'Another top comment']);
  const replies = w.comment(reader, 'The first comment').locator(':scope > ol.replies > li.c .body');
  assert.deepEqual((await replies.allTextContents()).map((t) => t.trim()), ['A reply to the first'],
    'a reply under its parent');
  const focused = await reader.evaluate(() =>
    document.querySelector('#parley').shadowRoot.activeElement?.textContent);
  const firstShown = w.comment(reader, 'Posted on the other page').locator(':scope > article');
  assert.equal(focused, await firstShown.textContent(), 'the focus goes to the first comment shown');

  // The writer's own comment was on its page already: no bar there, and
  // it shows once; the other two wait behind its bar.
  await waitText(bar(writer), '2 new comments');
  assert.equal(await w.comment(writer, 'Posted on the other page').count(), 1);
  await waitText(w.heading(writer), '4 Comments');
  assert.deepEqual([...writer.errors, ...reader.errors], []);
  await writer.context().close();
  await reader.context().close();
});

test('an edit and a deletion show in place at once, without the bar', async () => {
  const post = uniqueKey('edit');
  const kept = await postComment(env.api, post, 'Kept, then edited', { author_name: 'Ed' });
  const gone = await postComment(env.api, post, 'Soon deleted', { author_name: 'Del' });
  const page = await open(env.postPage({ post }));
  await live(page);
  await waitText(w.heading(page), '2 Comments');

  const r = await call(env.api, 'PATCH', `/api/v1/comments/${kept.comment.id}`,
    { json: { body: 'Edited **live**' }, headers: { 'x-edit-token': kept.edit_token } });
  assert.equal(r.status, 200, r.text);
  const li = page.locator('li.c').filter({ has: page.locator(':scope > article .name', { hasText: 'Ed' }) });
  await waitText(li.locator('.body strong'), 'live');
  await waitText(li.locator(':scope > article .head span.muted'), '(edited)');

  const d = await call(env.api, 'DELETE', `/api/v1/comments/${gone.comment.id}`,
    { headers: { 'x-edit-token': gone.edit_token } });
  assert.ok(d.status < 300, d.text);
  await w.comment(page, 'Soon deleted').waitFor({ state: 'detached' });
  await waitText(w.heading(page), '1 Comment');
  assert.ok(await bar(page).isHidden());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a hidden tab and a thread off screen hold no stream; back, the widget catches up', async () => {
  const post = uniqueKey('hidden');
  await postComment(env.api, post, 'Already there');
  const page = await open(env.postPage({ post }));
  await live(page);
  assert.deepEqual(await streams(page), { made: 1, open: 1 });

  await setHidden(page, true);
  assert.equal((await streams(page)).open, 0, 'closed while the tab is hidden');
  await postComment(env.api, post, 'Written while hidden');
  await sleep(1000);
  assert.ok(await bar(page).isHidden(), 'nothing heard while hidden');
  assert.equal((await streams(page)).made, 1, 'none reopened while hidden');

  await setHidden(page, false);
  await live(page);
  assert.equal((await streams(page)).open, 1);
  // Missed while no stream was open: the widget looked at the thread.
  await waitText(bar(page), '1 new comment');
  await waitText(w.heading(page), '2 Comments');
  await page.context().close();

  // A thread below the fold opens its stream once scrolled to, and
  // closes it when scrolled away.
  const below = await open(env.postPage({ post,
    head: '<style>#parley{margin-top:3000px}</style>' }));
  await sleep(500);
  assert.deepEqual(await streams(below), { made: 0, open: 0 }, 'none while off screen');
  await below.evaluate(() => document.querySelector('#parley').scrollIntoView());
  await live(below);
  await below.evaluate(() => window.scrollTo(0, 0));
  await below.waitForFunction(() => window.streams.every((s) => s.readyState === EventSource.CLOSED));
  assert.deepEqual(await streams(below), { made: 1, open: 0 });
  assert.deepEqual(below.errors, []);
  await below.context().close();
});

test('data-live="false" opens no stream and shows nothing new by itself', async () => {
  const post = uniqueKey('off');
  const page = await open(env.postPage({ post, attrs: { live: 'false' } }));
  await postComment(env.api, post, 'Not shown live');
  await sleep(1500);
  assert.deepEqual(await streams(page), { made: 0, open: 0 });
  assert.equal(await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/api/v1/stream')).length), 0);
  assert.ok(await bar(page).isHidden());
  await waitText(w.heading(page), 'No comments yet');
  await page.context().close();
});

// Opens a stream of post on the server (api: another one's base);
// resolves with its status and a close function.
function holdStream(post, api = env.api) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${api}/api/v1/stream?post=${encodeURIComponent(post)}`,
      { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, close: () => req.destroy() });
      });
    req.on('error', reject);
  });
}

test('a refused stream (429) falls back to a look at the thread every 60 s', async () => {
  const post = uniqueKey('refused');
  // This address's streams, up to its limit on the node (8): the next
  // one is refused wherever it lands.
  const held = [];
  let refusedInARow = 0;
  try {
    for (let i = 0; i < 200 && refusedInARow < 12; i++) {
      const s = await holdStream(uniqueKey('filler'));
      if (s.status === 200) {
        held.push(s);
        refusedInARow = 0;
      } else {
        assert.equal(s.status, 429);
        s.close();
        refusedInARow++;
      }
    }
    assert.equal(refusedInARow, 12, 'every worker is full');

    const page = await open(env.postPage({ post }), { clock: true });
    await page.waitForFunction(() => window.streams[0]?.readyState === EventSource.CLOSED);
    await postComment(env.api, post, 'Seen by the fallback');
    await sleep(1500);
    assert.ok(await bar(page).isHidden(), 'no stream, and not yet time to look');
    await page.clock.fastForward(60000);
    await waitText(bar(page), '1 new comment');
    await waitText(w.heading(page), '1 Comment');
    // With another try at a stream, refused too.
    const s = await streams(page);
    assert.equal(s.made, 2);
    await bar(page).click();
    await w.comment(page, 'Seen by the fallback').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    held.forEach((s) => s.close());
  }
});

test('a stream refused for the node\'s cap (503, Retry-After) falls back to a look at the thread every 60 s too', async () => {
  // A second node on the same database whose cap (stream_max 1, both
  // workers together) one stream fills.
  const full = await harness.startParley({ name: 'browser-widget-live-full', shareDb: env.parley.db,
    env: { PARLEY_ORIGINS: env.blog.origin, PARLEY_STREAM_MAX: '1' } });
  const post = uniqueKey('full');
  const held = await holdStream(uniqueKey('filler'), full.base);
  try {
    assert.equal(held.status, 200);
    const refused = await call(full.base, 'GET', `/api/v1/stream?post=${post}`);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '60');
    // The blog's page, its widget from that node.
    const url = env.postPage({ post });
    const { pathname } = new URL(url);
    env.blog.pages.set(pathname, env.blog.pages.get(pathname).replaceAll(env.api, full.base));
    const page = await open(url, { clock: true });
    await page.waitForFunction(() => window.streams[0]?.readyState === EventSource.CLOSED);
    assert.ok(await page.evaluate((base) => window.streams[0].url.startsWith(base), full.base));
    await postComment(env.api, post, 'Seen by the fallback after a 503');
    await sleep(1500);
    assert.ok(await bar(page).isHidden(), 'no stream, and not yet time to look');
    await page.clock.fastForward(60000);
    await waitText(bar(page), '1 new comment');
    await waitText(w.heading(page), '1 Comment');
    // With another try at a stream, refused too, and closed.
    await page.waitForFunction(() => window.streams.length === 2
      && window.streams.every((x) => x.readyState === EventSource.CLOSED));
    await bar(page).click();
    await w.comment(page, 'Seen by the fallback after a 503').waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  } finally {
    held.close();
    await full.stop();
  }
});
