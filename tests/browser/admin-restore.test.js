// Taking a comment back on the moderators' page (/admin), in Chromium
// against a real Parley: Restore on the Trash tab puts a comment back
// where it was (a held one in the Held tab, not in the public thread);
// the Spam tab asks "Not spam: approve" or "Not spam: hold"; and a row
// tells the comment's status now from the pipeline's earlier verdict.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN, MODERATOR } = h;
let srv;
let browser;

before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-restore' }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Runs body with a fresh page (admin-helpers.js).
const withPage = (body, options) => h.withPage(browser, srv, body, options);

const text = (loc) => loc.textContent();

async function tab(page, name) {
  await page.getByRole('tab', { name }).click();
  await h.idle(page);
}

// The held comments of a post, as the API lists them.
async function heldIds(post) {
  const tok = await h.token(srv, ADMIN);
  const d = await h.adminGet(srv, tok, `/api/v1/admin/comments?status=pending&post=${encodeURIComponent(post)}`);
  return d.comments.map((c) => c.id);
}

async function moderate(ids, action) {
  const r = await harness.call(srv.base, 'POST', '/api/v1/admin/comments/moderate', {
    headers: { authorization: `Bearer ${await h.token(srv, ADMIN)}` }, json: { ids, action } });
  assert.equal(r.status, 200, r.text);
}

test('a held comment trashed then restored is held again, not public', async () => {
  const post = harness.uniqueKey('p1');
  const c = (await h.guestComment(srv, { post, name: 'Tess Trash', body: 'Held, then trashed.' })).json.comment;
  assert.equal(c.status, 'pending');

  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    const r = h.row(page, c.id);
    await r.getByRole('button', { name: 'Trash', exact: true }).click();
    await r.waitFor({ state: 'detached' });

    await tab(page, 'Trash');
    await r.getByRole('button', { name: 'Restore', exact: true }).click();
    await r.waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Restored 1 comment.'));

    await tab(page, /Held/);
    await r.waitFor();
    assert.equal(await text(r.locator('.reason')), 'held: first comment from this e-mail');
  });
  assert.deepEqual(await h.threadIds(srv, post), [], 'not in the public thread');
  assert.deepEqual(await heldIds(post), [c.id]);
});

test('in the All tab, a restored row shows the status it went back to', async () => {
  const post = harness.uniqueKey('p2');
  const c = (await h.guestComment(srv, { post, name: 'Alma All', body: 'Held, spammed, restored.' })).json.comment;
  await moderate([c.id], 'spam');

  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await tab(page, 'All');
    const r = h.row(page, c.id);
    await r.click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('r');
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Restored 1 comment.'));
    await h.eventually(async () => assert.match(await r.getAttribute('class'), /status-pending/));
    assert.match(await text(r.locator('.meta')), /held/);
    assert.match(await r.getAttribute('class'), /is-current/, 'the highlight stays on it');
  });
  assert.deepEqual(await heldIds(post), [c.id]);
});

test('the Spam tab asks: not spam, approve or hold', async () => {
  const post = harness.uniqueKey('p3');
  const toHold = (await h.guestComment(srv, { post, name: 'Hal Hold', body: 'Not spam, but held.' })).json.comment;
  const toApprove = (await h.guestComment(srv, { post, name: 'Ada Approve', body: 'Not spam at all.' })).json.comment;

  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    for (const c of [toHold, toApprove]) {
      await h.row(page, c.id).getByRole('button', { name: 'Spam', exact: true }).click();
      await h.row(page, c.id).waitFor({ state: 'detached' });
    }

    await tab(page, /Spam/);
    const held = h.row(page, toHold.id);
    await held.waitFor();
    const buttons = await held.locator('.actions button').allTextContents();
    assert.ok(buttons.includes('Not spam: approve'), buttons.join(', '));
    assert.ok(buttons.includes('Not spam: hold'), buttons.join(', '));
    assert.ok(!buttons.includes('Restore') && !buttons.includes('Not spam'), 'no plain Restore');
    // The bulk bar offers the same choice, and no Restore.
    const bulk = await page.locator('#bulk button:visible').allTextContents();
    assert.deepEqual(bulk, ['Not spam: approve', 'Not spam: hold', 'Trash', 'Delete forever']);

    await held.getByRole('button', { name: 'Not spam: hold', exact: true }).click();
    await held.waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Held 1 comment for review.'));
    await h.row(page, toApprove.id).getByRole('button', { name: 'Not spam: approve', exact: true }).click();
    await h.row(page, toApprove.id).waitFor({ state: 'detached' });

    await tab(page, /Held/);
    await held.waitFor();
    assert.equal(await h.row(page, toApprove.id).count(), 0);
  });
  assert.deepEqual(await h.threadIds(srv, post), [toApprove.id]);
  assert.deepEqual(await heldIds(post), [toHold.id]);
});

test('a comment held for its links, then marked spam, shows spam now and the hold as history', async () => {
  const post = harness.uniqueKey('p4');
  const c = (await h.guestComment(srv, { post, name: 'Lena Links',
    body: 'See https://a.example/ and https://b.example/ and https://c.example/.' })).json.comment;
  assert.equal(c.status, 'pending');

  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    const r = h.row(page, c.id);
    assert.equal(await text(r.locator('.reason')), 'held: 3 links (limit 2)');
    await r.getByRole('button', { name: 'Spam', exact: true }).click();
    await r.waitFor({ state: 'detached' });

    await tab(page, /Spam/);
    await r.waitFor();
    assert.equal(await r.locator('.reason').count(), 0, 'no red "held" reason on a spam comment');
    assert.equal(await text(r.locator('.verdict .pill')), 'spam');
    assert.equal(await text(r.locator('.verdict .history')), 'earlier: held — 3 links (limit 2)');
    // The history is muted, unlike a reason.
    const color = (sel) => page.evaluate((s) => getComputedStyle(document.querySelector(s)).color, sel);
    assert.equal(await color(`.row[data-id="${c.id}"] .verdict .history`), await color('#audit .muted'));

    // Back to the queue: held again, its reason current once more.
    await r.getByRole('button', { name: 'Not spam: hold', exact: true }).click();
    await r.waitFor({ state: 'detached' });
    await tab(page, /Held/);
    await r.waitFor();
    assert.equal(await text(r.locator('.reason')), 'held: 3 links (limit 2)');
    assert.equal(await r.locator('.verdict').count(), 0);

    // Approved by a moderator: the hold is history there too.
    await r.getByRole('button', { name: 'Approve', exact: true }).click();
    await r.waitFor({ state: 'detached' });
    await tab(page, 'Approved');
    await r.waitFor();
    assert.equal(await text(r.locator('.verdict .history')), 'earlier: held — 3 links (limit 2)');
    assert.equal(await r.locator('.reason').count(), 0);
  });
});
