// Accessibility of the moderators' page (/admin): axe-core, injected into
// the page, checks the login view and then, logged in as an admin, every
// section and every tab of the comment list (with rows of each status,
// an expired address, bans, a hook and its deliveries, audit entries,
// users, field errors, a privacy summary), and the shortcuts dialog and
// the erasure's, in light and in dark mode. Any violation fails, with the
// rule, the elements and axe's explanation.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN } = h;
let srv;
let browser;

// A server of its own: its database holds one of everything.
before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-a11y-admin', env: { PARLEY_DELIVER: '0' } }));
  await seed();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function adminCall(method, urlPath, json) {
  const tok = await h.token(srv, ADMIN);
  const r = await harness.call(srv.base, method, `/api/v1${urlPath}`,
    { headers: { authorization: `Bearer ${tok}` }, json });
  assert.ok(r.status < 300, `${method} ${urlPath}: ${r.text}`);
  return r.json;
}

// Comments of every status (one with its address expired), a reply, a
// ban, a hook with a delivery, a closed post: each kind of row the page
// draws, and audit entries.
async function seed() {
  const post = 'a11y';
  const ids = [];
  for (const name of ['Held Hana', 'Approved Abe', 'Spam Sam', 'Trashed Tia'])
    ids.push((await h.guestComment(srv, { post, name,
      body: `A comment by ${name} with [a link](https://example.org/${ids.length}) and *emphasis*.` })).json.comment.id);
  const [held, approved, spam, trashed] = ids;
  // An address the retention job cleared: "address expired".
  harness.sql(`UPDATE comments SET ip = NULL, created_at = now() - interval '400 days' WHERE id = ${held}`);
  await adminCall('POST', '/admin/comments/moderate', { ids: [approved], action: 'approve' });
  await adminCall('POST', '/admin/comments/moderate', { ids: [spam], action: 'spam' });
  await adminCall('POST', '/admin/comments/moderate', { ids: [trashed], action: 'trash' });
  await h.guestComment(srv, { post, name: 'Reply Rae', body: 'A held reply.', parent: approved });
  await h.guestComment(srv, { post, name: 'Links Lou', body: 'See https://a.example/ and https://b.example/ too.' });
  await adminCall('POST', '/admin/bans', { kind: 'email', value: 'troll@example.net', reason: 'Trolling' });
  await adminCall('POST', '/admin/bans', { kind: 'ip', value: '198.51.100.0/24', reason: 'Expired',
    expires_at: '2001-01-01T00:00:00Z' });
  const { hook } = await adminCall('POST', '/admin/hooks', { url: 'http://127.0.0.1:9/hook',
    kind: 'event', events: [], enabled: true });
  await adminCall('POST', `/admin/hooks/${hook.id}/ping`, {});
  await adminCall('PATCH', `/admin/settings`, { max_links: 3 });
  await adminCall('PATCH', `/admin/posts?key=${post}`, { open: false });
}

// axe's violations on the page as it is now, one line each.
async function violations(page) {
  await page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`) }));
  });
  return found.map((v) => `${v.id} (${v.help}):\n    ${v.nodes.join('\n    ')}`);
}

// The toast fades; axe would judge it half drawn.
async function quiet(page) {
  await harness.sleep(100);
  await h.eventually(async () => assert.equal(await page.locator('#status').textContent(), ''), 10000);
}

async function check(page, where, out) {
  await h.idle(page);
  for (const v of await violations(page))
    out.push(`${where}: ${v}`);
}

async function injectAxe(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
}

// The status line as it reads out a success, then an error (the server
// refuses the next moderation).
async function toasts(page, where, out) {
  const toast = page.locator('#status');
  const row = page.locator('#queue-list .row').first();
  await row.getByRole('button', { name: 'Spam', exact: true }).click();
  await h.eventually(async () => assert.match(await toast.textContent(), /spam/));
  await check(page, `${where}, a message`, out);
  await page.route('**/api/v1/admin/comments/moderate', (r) => r.fulfill({ status: 503,
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: 'unavailable', message: 'The database is unavailable.' } }) }));
  await page.locator('#queue-list .row').first().getByRole('button', { name: 'Trash' }).click();
  await h.eventually(async () => assert.match(await toast.textContent(), /unavailable/));
  await check(page, `${where}, an error message`, out);
  await page.unroute('**/api/v1/admin/comments/moderate');
}

// The Privacy section's states before its own check: a summary of a
// download, the erasure's dialog (checked open), and a field error.
async function privacyViews(page, scheme, out) {
  const field = page.getByLabel('E-mail address', { exact: true });
  await field.fill('held-hana@example.net');
  await Promise.all([page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download data' }).click()]);
  await page.locator('#privacy-result p').waitFor();
  await page.getByRole('button', { name: 'Erase data…' }).click();
  await page.locator('#privacy-confirm').waitFor();
  await check(page, `${scheme} privacy dialog`, out);
  await page.keyboard.press('Escape');
  await field.fill('not-an-address');
  await page.getByRole('button', { name: 'Download data' }).click();
  await page.locator('#pv-email[aria-invalid=true]').waitFor();
}

// Every view of the page, in one color scheme; returns the violations.
async function walk(scheme) {
  const out = [];
  // axe is injected as an inline script: the page's CSP would refuse it.
  const { context, page, problems } = await h.openPage(browser, srv,
    { colorScheme: scheme, bypassCSP: true });
  try {
    await page.locator('#login-form').waitFor();
    await injectAxe(page);
    await check(page, `${scheme} login`, out);
    await h.loginAsModerator(page, ADMIN);

    for (const tab of ['pending', 'all', 'approved', 'spam', 'deleted']) {
      await page.locator(`[role=tab][data-status=${tab}]`).click();
      await h.idle(page);
      await page.locator('#queue-list .row').first().waitFor();
      await check(page, `${scheme} comments/${tab}`, out);
    }
    // A highlighted and a checked row, an open editor and ban form.
    await page.locator('[role=tab][data-status=pending]').click();
    await h.idle(page);
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    const first = page.locator('#queue-list .row').first();
    await first.getByRole('button', { name: 'Ban e-mail' }).click();
    await page.locator('#queue-list .row').nth(1).getByRole('button', { name: 'Edit' }).click();
    await check(page, `${scheme} comments/forms`, out);
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 2, y: 300 } });
    await page.keyboard.press('?');
    await page.locator('#help').waitFor();
    await check(page, `${scheme} shortcuts dialog`, out);
    await page.keyboard.press('Escape');
    await toasts(page, `${scheme} comments`, out);

    for (const section of ['settings', 'bans', 'posts', 'sites', 'users', 'hooks', 'privacy', 'audit']) {
      await page.locator(`.sections a[data-section=${section}]`).click();
      await page.locator(`#${section}`).waitFor();
      await harness.sleep(300);	// the section's listing
      if (section === 'hooks') {
        await page.getByLabel('URL').fill('http://127.0.0.1:9/another');
        await page.getByRole('button', { name: 'Add hook' }).click();
        await page.locator('#hook-secret').waitFor();
        await page.locator('#hooks-list .hook').first().waitFor();
        await page.locator('#hooks-list .deliveries > summary').first().click();
        await page.locator('#hooks-list .delivery').first().waitFor();
      }
      if (section === 'settings') {
        await page.getByLabel('Deepest reply level').fill('99');
        await page.getByRole('button', { name: 'Save rules' }).click();
        await page.locator('#s-max_depth[aria-invalid=true]').waitFor();
      }
      if (section === 'privacy')
        await privacyViews(page, scheme, out);
      if (section === 'audit')
        await page.locator('#audit-body tr').first().waitFor();
      if (section === 'users')
        await page.locator('#users-body tr').first().waitFor();
      await quiet(page);
      await check(page, `${scheme} ${section}`, out);
    }
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
  return out;
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds nothing on the admin page, ${scheme} mode`, async () => {
    const found = await walk(scheme);
    assert.equal(found.length, 0, `axe-core found:\n${found.join('\n')}`);
  });
}
