// The rules (Settings) of the moderators' page (/admin), in Chromium
// against a real Parley: a save with several bad values marks every one
// at once, each named by its label on the page rather than its key, and
// focuses the first where the sticky header does not hide it; an answer
// that names one field only still marks that one.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('./admin-helpers');

const { ADMIN } = h;
let srv;
let browser;

before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-settings' }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Runs body with a fresh page (admin-helpers.js).
const withPage = (body, options) => h.withPage(browser, srv, body, options);

const text = (loc) => loc.textContent();

const LINKS = 'Hold comments with at least this many links';
const DEPTH = 'Deepest reply level';
const RATE = 'Comments a minute per IP and per account';

async function openSettings(page) {
  await h.loginAsModerator(page, ADMIN);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await h.eventually(async () => assert.equal(await page.getByLabel(LINKS).inputValue(), '2'));
}

async function storedSettings() {
  return (await h.adminGet(srv, await h.token(srv, ADMIN), '/api/v1/admin/settings')).settings;
}

// The element's box, and the sticky header's bottom edge.
async function underHeader(page, selector) {
  return page.evaluate((sel) => {
    const header = document.querySelector('header.top').getBoundingClientRect();
    const box = document.querySelector(sel).getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, headerBottom: header.bottom, viewport: innerHeight };
  }, selector);
}

test('three bad values: all marked with their labels, the first focused in view', async () => {
  await withPage(async (page) => {
    await openSettings(page);
    await page.getByLabel(LINKS).fill('-1');
    await page.getByLabel(RATE).fill('5000');
    await page.getByLabel(DEPTH).fill('99');
    // The first bad field is just behind the sticky header when the form
    // is sent (a click on the button here would scroll the page).
    await page.evaluate(() => window.scrollBy(0,
      document.getElementById('s-max_links').getBoundingClientRect().top - 10));
    await page.getByRole('button', { name: 'Save rules' }).evaluate((b) => b.click());

    await page.locator('#s-max_links[aria-invalid=true]').waitFor();
    for (const [id, label] of [['max_links', LINKS], ['rate_limit_per_minute', RATE], ['max_depth', DEPTH]]) {
      assert.equal(await page.locator(`#s-${id}`).getAttribute('aria-invalid'), 'true', id);
      const msg = await text(page.locator(`#s-${id}-err`));
      assert.ok(msg.includes(`“${label}”`), `${id}: ${msg}`);
      assert.ok(!msg.includes(id), `${id}: no key in "${msg}"`);
    }
    const summary = await text(page.locator('#settings-error'));
    assert.match(summary, /Nothing was saved\. Fix the 3 rules marked above/);
    assert.ok(!/max_links|max_depth|rate_limit/.test(summary), summary);

    // The first in the form has the focus, below the sticky header, with
    // its label.
    assert.equal(await page.evaluate(() => document.activeElement.id), 's-max_links');
    const label = await underHeader(page, 'label[for=s-max_links]');
    const field = await underHeader(page, '#s-max_links');
    assert.ok(label.top >= label.headerBottom, `label under the header: ${JSON.stringify(label)}`);
    assert.ok(field.bottom <= field.viewport, 'field in the viewport');

    const s = await storedSettings();
    assert.equal(s.max_links, 2, 'nothing was stored');
    assert.equal(s.max_depth, 5);
  });
});

test('an answer that lists no errors still marks its one field', async () => {
  await withPage(async (page) => {
    await openSettings(page);
    // As a server without the list answers: one field.
    await page.route('**/api/v1/admin/settings', (r) => {
      if (r.request().method() !== 'PATCH')
        return r.continue();
      return r.fulfill({ status: 422, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid_value',
          message: 'max_depth must be an integer from 1 to 10.', field: 'max_depth' } }) });
    });
    await page.getByLabel(DEPTH).fill('0');
    await page.getByRole('button', { name: 'Save rules' }).click();
    const err = page.locator('#s-max_depth-err');
    await h.eventually(async () => assert.equal(await text(err), `“${DEPTH}” must be an integer from 1 to 10.`));
    assert.equal(await page.evaluate(() => document.activeElement.id), 's-max_depth');
    assert.equal(await text(page.locator('#settings-error')), '', 'one field: no summary');

    // A list wins over the single field; an entry naming no field of the
    // form is shown above the button.
    await page.unroute('**/api/v1/admin/settings');
    await page.route('**/api/v1/admin/settings', (r) => {
      if (r.request().method() !== 'PATCH')
        return r.continue();
      return r.fulfill({ status: 422, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid_value', message: 'max_links must be an integer from 0 to 100.',
          field: 'max_links', errors: [
            { field: 'max_links', message: 'max_links must be an integer from 0 to 100.' },
            { field: 'hold_words', message: 'Word list entries must not be empty.' },
            { field: 'no_such_rule', message: 'no_such_rule is not a setting.' },
          ] } }) });
    });
    await page.getByRole('button', { name: 'Save rules' }).click();
    await h.eventually(async () => assert.equal(await text(page.locator('#s-hold_words-err')),
      'Word list entries must not be empty.'));
    assert.equal(await text(page.locator('#s-max_links-err')), `“${LINKS}” must be an integer from 0 to 100.`);
    assert.equal(await text(page.locator('#s-max_depth-err')), '', 'the last answer\'s errors only');
    assert.match(await text(page.locator('#settings-error')),
      /Fix the 2 rules marked above: “Hold comments with at least this many links”, “Hold words”\. no_such_rule is not a setting\./);
    assert.equal(await page.evaluate(() => document.activeElement.id), 's-max_links');
  });
});
