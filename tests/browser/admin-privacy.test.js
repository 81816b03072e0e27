// Privacy on the moderators' page (/admin), in Chromium against a real
// Parley: a moderator downloads a commenter's data as a file and erases
// it after a dialog that says what goes (Cancel and Escape erase
// nothing); a staff address and a bad address are refused next to the
// field; readers never see the section. Around it: the comment list says
// "address expired" for an address the retention job cleared, Settings
// saves ip_retention_days, hooks may ask for commenter.erased, and the
// audit log reads erasures as sentences.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN, MODERATOR, READER } = h;
const { sql } = harness;
let srv;
let browser;

// No deliverer: its retention job would clear the seeded addresses.
before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-privacy', env: { PARLEY_DELIVER: '0' } }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const withPage = (body, options) => h.withPage(browser, srv, body, options);
const text = async (loc) => (await loc.textContent()).replace(/\s+/g, ' ').trim();
const sha256 = (s) => crypto.createHash('sha256').update(s.toLowerCase()).digest('hex');
const esc = (s) => s.replace(/'/g, "''");

let seq = 0;
function address(who) {
  seq += 1;
  return `${who}-${seq}-${process.pid}@example.net`;
}

async function adminCall(method, urlPath, json) {
  const tok = await h.token(srv, ADMIN);
  const r = await harness.call(srv.base, method, `/api/v1${urlPath}`,
    { headers: { authorization: `Bearer ${tok}` }, json });
  assert.ok(r.status < 300, `${method} ${urlPath}: ${r.status} ${r.text}`);
  return r.json;
}

async function comment(opts) {
  const r = await h.guestComment(srv, opts);
  assert.equal(r.status, 201, r.text);
  return r.json.comment.id;
}

const commentsBy = (email) => Number(sql(`SELECT count(*) FROM comments WHERE lower(author_email) = lower('${esc(email)}')`)[0][0]);

async function openPrivacy(page, who = MODERATOR) {
  await h.loginAsModerator(page, who);
  await page.getByRole('link', { name: 'Privacy', exact: true }).click();
  await page.locator('#privacy').waitFor();
  assert.equal(await page.locator('.sections a[aria-current=page]').textContent(), 'Privacy');
}

const field = (page) => page.getByLabel('E-mail address', { exact: true });
const fieldError = (page) => page.locator('#pv-email-err');
const result = (page) => page.locator('#privacy-result');
const dialog = (page) => page.getByRole('dialog');

test('a moderator downloads a commenter\'s data as a file, with a summary', async () => {
  const email = address('ann');
  const post = harness.uniqueKey('privacy');
  const id = await comment({ post, name: 'Ann Export', email, body: 'My seeded words for the export.' });
  await withPage(async (page) => {
    await openPrivacy(page);
    await field(page).fill(email);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download data' }).click(),
    ]);
    const name = download.suggestedFilename();
    assert.match(name, /^parley-data-ann-\d+-\d+-at-example\.net-\d{4}-\d\d-\d\d\.json$/);
    const data = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(data.format, 'parley-personal-data/1');
    assert.equal(data.email, email);
    assert.deepEqual(data.comments.map((c) => [c.id, c.body, c.post.key]),
      [[id, 'My seeded words for the export.', post]]);
    assert.equal(data.account, null);
    await h.eventually(async () => assert.equal(await text(result(page)),
      `Downloaded ${name} for ${email}: 1 comment; account: no.`));
    assert.equal(await fieldError(page).textContent(), '');
    // Nothing was erased by it.
    assert.equal(commentsBy(email), 1);
  });
});

test('erasing, by keyboard, after a dialog that names the address: comments go, counts shown', async () => {
  const email = address('eve');
  const post = harness.uniqueKey('privacy');
  const replied = await comment({ post, name: 'Eve Erased', email, body: 'Eve\'s comment with a reply.' });
  await adminCall('POST', '/admin/comments/moderate', { ids: [replied], action: 'approve' });
  const alone = await comment({ post, name: 'Eve Erased', email, body: 'Eve\'s comment alone.' });
  const reply = await comment({ post, name: 'Rob Replier', body: 'A reply to Eve.', parent: replied });
  await withPage(async (page) => {
    await openPrivacy(page);
    await field(page).focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'pv-erase');
    await page.keyboard.press('Enter');
    const d = dialog(page);
    await d.waitFor();
    assert.equal(await text(d.getByRole('heading')), `Erase the data of ${email}?`);
    const says = await text(d);
    for (const what of [/comments written with this address.*are deleted/, /with replies stay as empty placeholders/,
      /votes are removed/, /account/, /never mails the address again/, /cannot be undone/])
      assert.match(says, what);
    // Cancel has the focus: Enter there would erase nothing.
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Erase for good');
    await page.keyboard.press('Enter');
    await h.eventually(async () => assert.match(await text(result(page)),
      new RegExp(`^Erased the data of ${email.replace(/[.+]/g, '\\$&')}: 1 comment deleted, ` +
        '1 kept as an empty placeholder \\(it has replies\\), no account\\.\\s*Parley will not mail')));
    assert.equal(await dialog(page).isVisible(), false);
    assert.equal(await field(page).inputValue(), '');
  });
  assert.equal(commentsBy(email), 0);
  const rows = sql(`SELECT id, author_name, body, status FROM comments WHERE id IN (${replied}, ${alone}, ${reply}) ORDER BY id`);
  assert.deepEqual(rows, [[String(replied), '', '', 'deleted'], [String(reply), 'Rob Replier', 'A reply to Eve.', 'pending']]);
  const after = await adminCall('POST', '/admin/privacy/export', { email });
  assert.deepEqual(after.comments, []);
});

test('Cancel or Escape in the dialog erases nothing', async () => {
  const email = address('kim');
  await comment({ post: harness.uniqueKey('privacy'), name: 'Kim Kept', email, body: 'Kim stays.' });
  let erasures = 0;
  await withPage(async (page) => {
    page.on('request', (r) => { if (r.url().endsWith('/admin/privacy/erase')) erasures += 1; });
    await openPrivacy(page);
    await field(page).fill(email);
    await page.getByRole('button', { name: 'Erase data…' }).click();
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'pv-erase', 'focus back on the button');
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden' });
    await harness.sleep(300);
    assert.equal(await text(result(page)), '');
    assert.equal(await field(page).inputValue(), email);
  });
  assert.equal(erasures, 0);
  assert.equal(commentsBy(email), 1);
});

test('a staff address, a bad and an empty address are refused next to the field', async () => {
  await withPage(async (page) => {
    await openPrivacy(page);
    // Empty: asked for, without a request.
    await page.getByRole('button', { name: 'Download data' }).click();
    assert.equal(await fieldError(page).textContent(), 'Enter the e-mail address of the commenter.');
    assert.equal(await field(page).getAttribute('aria-invalid'), 'true');

    // 422 from the server.
    await field(page).fill('not-an-address');
    assert.equal(await field(page).getAttribute('aria-invalid'), null, 'typing clears the mark');
    await page.getByRole('button', { name: 'Download data' }).click();
    await h.eventually(async () => assert.equal(await fieldError(page).textContent(),
      'That is not an e-mail address. Enter one such as ann@example.org.'));
    assert.equal(await page.evaluate(() => document.activeElement.id), 'pv-email');

    // 409 staff_account: the moderator's own address.
    await field(page).fill(MODERATOR.email);
    await page.getByRole('button', { name: 'Erase data…' }).click();
    await dialog(page).getByRole('button', { name: 'Erase for good' }).click();
    await h.eventually(async () => assert.match(await fieldError(page).textContent(),
      /^That address belongs to a moderator or an admin, so it is not erased here\./));
    assert.equal(await field(page).getAttribute('aria-invalid'), 'true');
    assert.equal(await text(result(page)), '');
    // The account is still there.
    assert.equal(sql(`SELECT role FROM users WHERE email = '${MODERATOR.email}'`)[0][0], 'moderator');
  });
});

test('a reader does not see the section', async () => {
  await withPage(async (page) => {
    await page.goto(`${srv.base}/admin#/privacy`);
    await h.login(page, READER);
    await page.locator('#denied-view').waitFor();
    assert.equal(await page.locator('#privacy').isVisible(), false);
    assert.equal(await page.getByRole('link', { name: 'Privacy', exact: true }).isVisible(), false);
  });
  const tok = await h.token(srv, READER);
  const r = await harness.call(srv.base, 'POST', '/api/v1/admin/privacy/export',
    { headers: { authorization: `Bearer ${tok}` }, json: { email: 'x@example.org' } });
  assert.equal(r.status, 403);
});

test('the comment list says "address expired" where the retention job cleared it', async () => {
  const post = harness.uniqueKey('retained');
  const old = await comment({ post, name: 'Old Olga', body: 'Posted long ago.' });
  const fresh = await comment({ post, name: 'New Nia', body: 'Posted today.' });
  sql(`UPDATE comments SET ip = NULL, created_at = now() - interval '400 days' WHERE id = ${old}`);
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    const was = h.row(page, old), now = h.row(page, fresh);
    await was.waitFor();
    const expired = was.locator('.meta .ip-expired');
    assert.equal(await text(expired), 'address expired');
    assert.equal(await expired.evaluate((e) => getComputedStyle(e).color),
      await was.locator('.meta').evaluate((e) => getComputedStyle(e).color), 'muted like the rest of the line');
    assert.equal(await was.getByRole('button', { name: 'Ban IP' }).count(), 0);
    assert.equal(await now.locator('.ip-expired').count(), 0);
    assert.equal(await text(now.locator('.meta .ip')), '127.0.0.1');
  });
});

const RETENTION = 'Keep network addresses for (days)';

async function openSettings(page) {
  await h.loginAsModerator(page, ADMIN);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const input = page.getByLabel(RETENTION);
  await h.eventually(async () => assert.equal(await input.inputValue(), '90'));
  return input;
}

test('Settings shows ip_retention_days, refuses a value out of range by its label, and sends a change', async () => {
  await withPage(async (page) => {
    const input = await openSettings(page);
    assert.equal(await input.getAttribute('type'), 'number');
    await input.fill('0');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await h.eventually(async () => assert.equal(await input.getAttribute('aria-invalid'), 'true'));
    const err = await page.locator('#s-ip_retention_days-err').textContent();
    assert.match(err, /“Keep network addresses for \(days\)” must be an integer from 1 to 3650/);
    assert.doesNotMatch(err, /ip_retention_days/);
    await input.fill('30');
    const [patch] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith('/api/v1/admin/settings')),
      page.getByRole('button', { name: 'Save rules' }).click(),
    ]);
    assert.deepEqual(patch.postDataJSON(), { ip_retention_days: 30 });
    await h.eventually(async () => assert.equal(await page.locator('#status').textContent(), 'Saved the moderation rules.'));
    assert.equal(await input.getAttribute('aria-invalid'), null);
  });
  await adminCall('PATCH', '/admin/settings', { ip_retention_days: 90 });
});

// The PATCH handler builds its change set from settings_to_json(): a
// setting missing there was answered 200 and stored nothing.
test('Settings keeps a saved ip_retention_days', async () => {
  try {
    await withPage(async (page) => {
      const input = await openSettings(page);
      await input.fill('30');
      await page.getByRole('button', { name: 'Save rules' }).click();
      await h.eventually(async () => assert.equal(await page.locator('#status').textContent(), 'Saved the moderation rules.'));
      assert.equal(await input.inputValue(), '30');
      assert.equal((await adminCall('GET', '/admin/settings')).settings.ip_retention_days, 30);
    });
  } finally {
    await adminCall('PATCH', '/admin/settings', { ip_retention_days: 90 });
  }
});

test('an admin\'s new hook may ask for commenter.erased', async () => {
  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    await page.getByRole('link', { name: 'Hooks', exact: true }).click();
    await page.getByLabel('URL').fill('http://127.0.0.1:9/erasures');
    const box = page.locator('#h-events-list').getByLabel('commenter.erased');
    assert.equal(await box.locator('xpath=..').getAttribute('title'), 'A commenter\'s data was erased');
    await box.check();
    await page.getByRole('button', { name: 'Add hook' }).click();
    await page.locator('#hook-secret').waitFor();
  });
  const { hooks } = await adminCall('GET', '/admin/hooks');
  const hook = hooks.find((x) => x.url === 'http://127.0.0.1:9/erasures');
  assert.deepEqual(hook.events, ['commenter.erased']);
  await adminCall('DELETE', `/admin/hooks/${hook.id}`);
});

test('erasures read as sentences in the audit log', async () => {
  // A moderator's, through the API, and a member's own.
  const email = address('ava');
  const post = harness.uniqueKey('privacy');
  const parent = await comment({ post, email, name: 'Ava Audited', body: 'Has a reply.' });
  await adminCall('POST', '/admin/comments/moderate', { ids: [parent], action: 'approve' });
  await comment({ post, email, name: 'Ava Audited', body: 'Alone.' });
  await comment({ post, email, name: 'Ava Audited', body: 'Alone too.' });
  await comment({ post, name: 'Someone', body: 'A reply.', parent });
  const tokMod = await h.token(srv, MODERATOR);
  const er = await harness.call(srv.base, 'POST', '/api/v1/admin/privacy/erase',
    { headers: { authorization: `Bearer ${tokMod}` }, json: { email } });
  assert.equal(er.status, 200, er.text);

  const member = { email: address('max'), password: 'member-pass-123', name: 'Max Member' };
  const reg = await harness.call(srv.base, 'POST', '/api/v1/auth/register', { json: member });
  assert.equal(reg.status, 201, reg.text);
  const tokMax = await h.token(srv, member);
  const posted = await harness.call(srv.base, 'POST', '/api/v1/comments', {
    headers: { authorization: `Bearer ${tokMax}` },
    json: { post, post_title: 'A post', body: 'A member\'s comment.' } });
  assert.equal(posted.status, 201, posted.text);
  const gone = await harness.call(srv.base, 'DELETE', '/api/v1/me',
    { headers: { authorization: `Bearer ${tokMax}`, 'x-parley-password': member.password } });
  assert.ok(gone.status < 300, gone.text);

  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.locator('#audit-body tr').first().waitFor();
    const rows = await page.locator('#audit-body tr').evaluateAll((trs) => trs
      .filter((tr) => tr.cells[3].querySelector('code').textContent === 'privacy.erase')
      .map((tr) => [tr.cells[1].textContent, tr.cells[2].textContent]));
    const [mine, theirs] = [sha256(email).slice(0, 12), sha256(member.email).slice(0, 12)];
    assert.deepEqual(rows.find(([, what]) => what.includes(mine)), [`${MODERATOR.name} <${MODERATOR.email}>`,
      `erased the data of an e-mail address (SHA-256 ${mine}…): 2 comments deleted, 1 kept as a placeholder`]);
    assert.deepEqual(rows.find(([, what]) => what.includes(theirs)), ['system',
      `A commenter erased their own data from their account (SHA-256 ${theirs}…): 1 comment deleted, ` +
      'the account deleted']);
    for (const [, what] of rows)
      assert.doesNotMatch(what, /@|null|undefined/);
  });
});
