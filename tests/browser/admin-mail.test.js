// The admin page's side of e-mail, in Chromium against a real Parley whose
// relay is a real SMTP server (tests/integration/smtp_sink.js): a
// moderator turns on digests of held comments under "My e-mail", the
// confirmation reaches their address, its link (POSTed) confirms it, a
// held comment then brings a digest, and the box turns them off again;
// the Settings' E-mail rules save and refuse out-of-range values; a
// Parley without a relay disables the box and says why. axe checks the
// open panel.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../integration/harness');
const { SmtpSink } = require('../integration/smtp_sink');
const h = require('./admin-helpers');

const { ADMIN, MODERATOR } = h;
let srv;
let browser;
let sink;

before(async () => {
  fs.mkdirSync(h.SCREENSHOTS, { recursive: true });
  sink = new SmtpSink();
  await sink.listen();
  ({ srv, browser } = await h.setup({ name: 'browser-mail', env: { PARLEY_SMTP_URL: sink.url } }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
  if (sink) await sink.close();
});

const withPage = (body, options) => h.withPage(browser, srv, body, options);
const text = (loc) => loc.textContent();

const HELD = 'E-mail me held comments';
const CONFIRM = 'Check your inbox: confirm your address to start the digests.';
const MAIL_OFF = 'This Parley sends no e-mail: set smtp_url in parley.conf.';
const DIGEST = 'Digests of held comments at most every (minutes)';
const PER_ADDRESS = 'Mails one address may get an hour';
const PER_SITE = 'Mails the whole site may send an hour';

async function myMail(tok, base = srv.base) {
  const r = await harness.call(base, 'GET', '/api/v1/me/mail', { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(r.status, 200, r.text);
  return r.json.mail;
}

// Opens "My e-mail" and waits for its answer (the box is enabled, or the
// status says mail is off).
async function openPanel(page) {
  const button = page.getByRole('button', { name: 'My e-mail' });
  await button.click();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const status = page.locator('#me-held-status');
  await h.eventually(async () => assert.notEqual(await text(status), ''));
  return { box: page.getByLabel(HELD), status };
}

async function axe(page) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

test('a moderator turns digests on, confirms by mail, gets one, and turns them off', async () => {
  const tok = await h.token(srv, MODERATOR);
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    assert.equal(await page.locator('#me-panel').isVisible(), false, 'closed at first');
    let { box, status } = await openPanel(page);
    assert.equal(await text(page.getByRole('heading', { name: /E-mail to/ })), `E-mail to ${MODERATOR.email}`);
    assert.equal(await box.isChecked(), false, 'off at first');
    assert.equal(await box.isEnabled(), true);
    assert.match(await text(status), /^Off\. The first time, a link to confirm your address is mailed to you\.$/);
    assert.deepEqual(await myMail(tok), { enabled: true, notify_replies: false, mail_held: false, address: null });

    // On: the server asks the address to confirm first.
    await box.check();
    await h.eventually(async () => assert.equal(await text(status), CONFIRM));
    assert.equal(await box.isChecked(), true);
    await h.eventually(async () => assert.match(await text(page.locator('#status')), /Check your inbox/));
    const mail = await myMail(tok);
    assert.equal(mail.mail_held, true);
    assert.equal(mail.address, 'confirming');

    const [confirmation] = await sink.waitFor(MODERATOR.email);
    const m = confirmation.parsed.text.match(/(http:\/\/\S+)(\/mail\/confirm\?token=[A-Za-z0-9_-]{43})/);
    assert.ok(m, `no confirmation link in:\n${confirmation.parsed.text}`);
    assert.equal(m[1], srv.base);
    const confirmed = await harness.call(srv.base, 'POST', m[2]);
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal((await myMail(tok)).address, 'subscribed');

    // A reload (the session is kept in the tab) shows it subscribed.
    await page.reload();
    await page.locator('#app-view').waitFor();
    await h.idle(page);
    ({ box, status } = await openPanel(page));
    await h.eventually(async () => assert.equal(await text(status),
      `On: a digest of held comments goes to ${MODERATOR.email} at most every 15 minutes.`));
    assert.equal(await box.isChecked(), true);

    // A held comment now brings a digest.
    const held = await h.guestComment(srv, { post: 'mail-digest', name: 'Held Hal', body: 'Hold this one.' });
    assert.equal(held.json.comment.status, 'pending');
    const mails = await sink.waitFor(MODERATOR.email, 2);
    assert.match(mails[1].parsed.subject, /^1 held comment on /);
    assert.match(mails[1].parsed.text, /Held Hal/);

    // Escape closes the panel and gives the focus back to its button.
    await box.focus();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#me-panel').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'me-button');
    assert.equal(await page.locator('#me-button').getAttribute('aria-expanded'), 'false');

    // Off again, by keyboard.
    await page.keyboard.press('Enter');
    await h.eventually(async () => assert.equal(await box.isEnabled(), true));
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'me-held');
    await page.keyboard.press('Space');
    await h.eventually(async () => assert.equal(await text(status),
      `Off. ${MODERATOR.email} is confirmed: digests start as soon as this is on.`));
    assert.equal(await box.isChecked(), false);
    await h.eventually(async () => assert.equal(await text(page.locator('#status')),
      'Held comments are no longer e-mailed to you.'));
    assert.equal((await myMail(tok)).mail_held, false);

    // A click elsewhere closes it.
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    assert.equal(await page.locator('#me-panel').isVisible(), false);
  });
});

test('the E-mail rules: a change is saved; out-of-range values are marked and nothing is saved', async () => {
  const tok = await h.token(srv, ADMIN);
  const stored = async () => (await h.adminGet(srv, tok, '/api/v1/admin/settings')).settings;
  try {
    await withPage(async (page) => {
      await h.loginAsModerator(page, ADMIN);
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      const group = page.getByRole('group', { name: 'E-mail' });
      const digest = group.getByLabel(DIGEST);
      await h.eventually(async () => assert.equal(await digest.inputValue(), '15'));
      assert.equal(await group.getByLabel(PER_ADDRESS).inputValue(), '6');
      assert.equal(await group.getByLabel(PER_SITE).inputValue(), '1000');
      assert.equal(await page.locator('#s-mail-off').isVisible(), false, 'mail is on here');

      await digest.fill('30');
      await page.getByRole('button', { name: 'Save rules' }).click();
      await h.eventually(async () => assert.equal((await stored()).moderator_digest_minutes, 30));
      await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Saved the moderation rules.'));

      // Two bad values: both marked by their labels, the first focused.
      await digest.fill('0');
      await group.getByLabel(PER_SITE).fill('1000001');
      await page.getByRole('button', { name: 'Save rules' }).click();
      const err = page.locator('#s-moderator_digest_minutes-err');
      await h.eventually(async () => assert.equal(await text(err),
        `“${DIGEST}” must be an integer from 1 to 1440 (a day).`));
      assert.equal(await digest.getAttribute('aria-invalid'), 'true');
      assert.equal(await text(page.locator('#s-mail_hourly_max-err')),
        `“${PER_SITE}” must be an integer from 1 to 1000000.`);
      assert.equal(await page.evaluate(() => document.activeElement.id), 's-moderator_digest_minutes');
      assert.match(await text(page.locator('#settings-error')), /Nothing was saved\. Fix the 2 rules marked above/);
      const s = await stored();
      assert.equal(s.moderator_digest_minutes, 30);
      assert.equal(s.mail_hourly_max, 1000);

      // Typing clears the mark; a per-address cap out of range too.
      await digest.fill('45');
      assert.equal(await digest.getAttribute('aria-invalid'), null);
      await page.getByRole('button', { name: 'Undo changes' }).click();
      assert.equal(await digest.inputValue(), '30');
      await group.getByLabel(PER_ADDRESS).fill('101');
      await page.getByRole('button', { name: 'Save rules' }).click();
      await h.eventually(async () => assert.equal(await text(page.locator('#s-mail_recipient_hourly_max-err')),
        `“${PER_ADDRESS}” must be an integer from 1 to 100.`));
      assert.equal((await stored()).mail_recipient_hourly_max, 6);

      await group.screenshot({ path: path.join(h.SCREENSHOTS, 'admin-mail-settings.png') });
    });
  } finally {
    const r = await harness.call(srv.base, 'PATCH', '/api/v1/admin/settings',
      { headers: { authorization: `Bearer ${tok}` }, json: { moderator_digest_minutes: 15 } });
    assert.equal(r.status, 200, r.text);
  }
});

test('mail turned off under a page that thought it on: the box goes back and says why', async () => {
  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    // As if the operator removed smtp_url while the page was open.
    await page.route('**/api/v1/me/mail', (r) => (r.request().method() === 'GET' ? r.continue() :
      r.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: {
        code: 'mail_off', message: 'This Parley sends no e-mail (no smtp_url is set).' } }) })));
    const { box, status } = await openPanel(page);
    assert.equal(await box.isChecked(), false);
    await box.click();
    await h.eventually(async () => assert.equal(await text(status), MAIL_OFF));
    assert.equal(await box.isChecked(), false);
    assert.equal(await box.isDisabled(), true);
    await h.eventually(async () => assert.match(await text(page.locator('#status')), /sends no e-mail/));
  });
});

test('a Parley without a relay: the box is disabled with the reason, the rules say so too', async () => {
  const off = await h.startServer({ name: 'browser-mail-off' });
  try {
    await h.withPage(browser, off, async (page) => {
      await h.loginAsModerator(page, MODERATOR);
      const { box, status } = await openPanel(page);
      assert.equal(await text(status), MAIL_OFF);
      assert.equal(await box.isDisabled(), true);
      assert.equal(await box.isChecked(), false);
      // The status is the box's description.
      assert.equal(await box.evaluate((b) => b.getAttribute('aria-describedby')), 'me-held-status');
      await page.screenshot({ path: path.join(h.SCREENSHOTS, 'admin-mail-off.png') });

      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await h.eventually(async () => assert.equal(await page.locator('#s-mail-off').isVisible(), true));
      assert.equal((await text(page.locator('#s-mail-off'))).trim(), MAIL_OFF);
    });
  } finally {
    await off.stop();
    srv.use();
  }
});

for (const scheme of ['light', 'dark']) {
  test(`axe finds nothing in the open panel, ${scheme} mode; it fits a phone`, async () => {
    await withPage(async (page) => {
      await h.loginAsModerator(page, MODERATOR);
      const { status } = await openPanel(page);
      await h.eventually(async () => assert.match(await text(status), /^Off\./));
      await page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
      assert.deepEqual(await axe(page), []);
      await page.setViewportSize({ width: 375, height: 700 });
      const box = await page.locator('#me-panel').boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 375, `inside the screen: ${JSON.stringify(box)}`);
      await page.screenshot({ path: path.join(h.SCREENSHOTS, `admin-mail-phone-${scheme}.png`) });
    }, { colorScheme: scheme, bypassCSP: true });
  });
}
