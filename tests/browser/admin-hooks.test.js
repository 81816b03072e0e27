// The Hooks section of the moderators' page (/admin) in Chromium against
// a real Parley: adding hooks and their once-shown secrets, field errors,
// Ping and the recent deliveries, rotating, disabling, editing, deleting,
// escaping, and (with delivery on, from Kore's first worker) deliveries that succeed,
// fail and are sent again. Saves a screenshot of the section.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN, MODERATOR } = h;
// "whsec_" + standard base64 of the 32-byte key (Standard Webhooks).
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;

let srv;
let browser;

// Deliveries stay pending here: this server delivers no hooks.
before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-hooks', env: { PARLEY_DELIVER: '0' },
    settings: {} }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Runs body with a fresh page of server's admin page (admin-helpers.js).
const withPage = (server, body, options) => h.withPage(browser, server, body, options);

const text = (loc) => loc.textContent();

async function openHooks(page) {
  await h.loginAsModerator(page, ADMIN);
  await page.getByRole('link', { name: 'Hooks', exact: true }).click();
  await page.locator('#hooks-list[aria-label]').waitFor({ state: 'attached' });
}

// The card of the hook with this URL.
function card(page, url) {
  return page.locator('#hooks-list .hook').filter({
    has: page.locator('.hook-url', { hasText: url }) });
}

async function api(server, method, urlPath, json) {
  const tok = await h.token(server, ADMIN);
  return harness.call(server.base, method, `/api/v1${urlPath}`,
    { headers: { authorization: `Bearer ${tok}` }, json });
}

async function hooksByApi(server) {
  const r = await api(server, 'GET', '/admin/hooks');
  assert.equal(r.status, 200, r.text);
  return r.json.hooks;
}

// The whole section, once the toast has gone; the test with the
// deliverer takes it, or without one the test of the buttons.
async function screenshot(page) {
  await harness.sleep(100);	// a message shows 30 ms after it is cleared
  await h.eventually(async () => assert.equal(await text(page.locator('#status')), ''), 10000);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(150);
  fs.mkdirSync(h.SCREENSHOTS, { recursive: true });
  const file = path.join(h.SCREENSHOTS, 'admin-hooks.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10000);
}

async function status(page, expected) {
  await h.eventually(async () => assert.match(await text(page.locator('#status')), expected));
}

test('moderators have no Hooks section', async () => {
  await withPage(srv, async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    assert.ok(await page.locator('[data-section=hooks]').isHidden());
    await page.evaluate(() => { location.hash = '/hooks'; });
    await h.eventually(async () => assert.ok(await page.locator('#queue').isVisible()));
    assert.ok(await page.locator('#hooks').isHidden());
  });
  const tok = await h.token(srv, MODERATOR);
  const r = await harness.call(srv.base, 'GET', '/api/v1/admin/hooks',
    { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(r.status, 403);
});

test('an admin adds an event hook: a bad URL is named, the secret shows once', async () => {
  const url = `http://127.0.0.1:9/receiver-${process.pid}`;
  let secret;
  await withPage(srv, async (page, context) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
    await openHooks(page);
    await h.eventually(async () => assert.equal(await text(page.locator('#hooks-empty')), 'No hooks yet.'));
    const form = page.locator('#hook-form');

    // A verdict hook takes no events; an event hook offers all eight,
    // commenter.erased among them.
    await form.getByLabel('Kind').selectOption('verdict');
    assert.ok(await page.locator('#h-events').isHidden());
    await form.getByLabel('Kind').selectOption('event');
    assert.equal(await form.locator('input[name=events]').count(), 8);
    assert.equal(await form.locator('input[name=events][value="commenter.erased"]').count(), 1);

    await form.getByLabel('URL').fill('ftp://x');
    await form.getByRole('button', { name: 'Add hook' }).click();
    await h.eventually(async () => assert.match(await text(page.locator('#h-url-err')),
      /url must be an http or https URL/));
    assert.equal(await form.getByLabel('URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'h-url');
    assert.ok(await page.locator('#hook-secret').isHidden());
    assert.deepEqual(await hooksByApi(srv), [], 'nothing was added');

    // Typing clears the error.
    await form.getByLabel('URL').fill(url);
    assert.equal(await text(page.locator('#h-url-err')), '');
    await form.getByLabel('comment.created').check();
    await form.getByLabel('comment.approved').check();
    await form.getByRole('button', { name: 'Add hook' }).click();

    const box = page.getByRole('region', { name: 'Secret of the new hook' });
    await box.waitFor();
    assert.match(await text(box), /Shown only now\./);
    assert.match(await text(box), new RegExp(url.replace(/[.]/g, '\\.')));
    secret = await text(box.locator('#hook-secret-value'));
    assert.match(secret, SECRET);
    // How a receiver verifies: the library, named, with a Node snippet.
    assert.match(await text(box), /Standard Webhooks library.*webhook-id.*webhook-timestamp.*webhook-signature/);
    assert.equal(await text(box.locator('pre.secret-snippet')),
      "const { Webhook } = require('standardwebhooks');\n" +
      '// body: the raw request body, not re-serialized JSON\n' +
      'const event = new Webhook(secret).verify(body, headers);');
    assert.match(await text(box), /Python, Go, Ruby, PHP.*under the name standardwebhooks\./);
    await box.getByRole('button', { name: 'Copy' }).click();
    await status(page, /Copied the secret\./);
    assert.equal(await text(box.locator('[data-secret-action=copy]')), 'Copied');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    // The form is ready for another.
    assert.equal(await form.getByLabel('URL').inputValue(), '');
    assert.ok(await form.getByLabel('Enabled').isChecked());

    const c = card(page, url);
    await c.waitFor();
    assert.match(await text(c.locator('.hook-meta')), /event hook.*enabled/);
    assert.equal(await text(c.locator('.hook-events')), 'Events: comment.createdcomment.approved');
    assert.equal(await text(c.locator('.hook-counts')),
      'Deliveries: 0 pending0 failed0 succeeded');
    assert.ok(await page.locator('#hooks-empty').isHidden());

    const [hook] = await hooksByApi(srv);
    assert.equal(hook.url, url);
    assert.equal(hook.kind, 'event');
    assert.equal(hook.enabled, true);
    assert.deepEqual(hook.events, ['comment.created', 'comment.approved']);

    // The page kept the secret nowhere; after a reload it is gone.
    const kept = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) +
      JSON.stringify({ ...localStorage }));
    assert.ok(!kept.includes(secret));
    await page.reload();
    await card(page, url).waitFor();
    assert.ok(await page.locator('#hook-secret').isHidden());
    assert.ok(!(await page.content()).includes(secret), 'the secret is not on the page');
  });
  assert.ok(!(await api(srv, 'GET', '/admin/hooks')).text.includes(secret));
});

test('Ping, Redeliver, Rotate, Disable and Enable, Edit, Delete', async () => {
  const url = `http://127.0.0.1:9/actions-${process.pid}`;
  const made = await api(srv, 'POST', '/admin/hooks', { url, kind: 'event' });
  assert.equal(made.status, 201, made.text);
  const id = made.json.hook.id;

  await withPage(srv, async (page) => {
    await openHooks(page);
    const c = card(page, url);
    await c.waitFor();
    assert.equal(await text(c.locator('.hook-events')), 'Events: every event');

    // Ping: a delivery appears under Recent deliveries, pending (nothing
    // delivers on this server), and the counts follow.
    await c.getByRole('button', { name: 'Ping' }).click();
    await status(page, /Sent a ping: delivery #\d+ is queued\./);
    const deliveries = c.locator('details.deliveries');
    assert.equal(await deliveries.getAttribute('open'), '');
    const d = deliveries.locator('.delivery');
    await d.first().waitFor();
    assert.equal(await d.count(), 1);
    assert.equal(await text(d.locator('.delivery-head .pill')), 'pending');
    assert.equal(await text(d.locator('.event-type')), 'ping');
    assert.match(await text(d.locator('.delivery-sum')), /0 attempts.*not tried yet.*due now/);
    await h.eventually(async () => assert.match(await text(c.locator('.hook-counts')), /1 pending/));
    const [delivery] = (await api(srv, 'GET', `/admin/hooks/${id}/deliveries?limit=20`)).json.deliveries;
    assert.equal(delivery.state, 'pending');
    assert.equal(await d.getAttribute('data-delivery-id'), String(delivery.id));

    await d.getByRole('button', { name: /^Redeliver/ }).click();
    await status(page, new RegExp(`Delivery #${delivery.id} is queued again\\.`));

    // Rotate, keeping the old secret a day.
    await c.getByRole('button', { name: 'Rotate secret' }).click();
    const rotate = c.getByRole('form', { name: 'Rotate the secret' });
    assert.equal(await rotate.getByLabel('The old secret also signs for').inputValue(), '86400');
    await rotate.getByRole('button', { name: 'Make a new secret' }).click();
    const box = page.getByRole('region', { name: 'New secret' });
    await box.waitFor();
    const secret = await text(box.locator('#hook-secret-value'));
    assert.match(secret, SECRET);
    assert.notEqual(secret, made.json.secret);
    assert.match(await text(box), /Shown only now\..*The old secret also signs until/);
    await rotate.waitFor({ state: 'detached' });
    assert.match(await text(c.locator('.pill-rotating')), /^rotating until \S.*\d/);
    let hook = (await hooksByApi(srv)).find((x) => x.id === id);
    const until = Date.parse(hook.rotating_until) - Date.now();
    assert.ok(until > 86000e3 && until <= 86400e3, `rotating until ${hook.rotating_until}`);
    await box.getByRole('button', { name: 'Done, hide it' }).click();
    assert.ok(await page.locator('#hook-secret').isHidden());
    assert.ok(!(await page.content()).includes(secret));

    // Disable and enable.
    await c.getByRole('button', { name: 'Disable' }).click();
    await h.eventually(async () => assert.match(await text(c.locator('.hook-meta')), /disabled/));
    assert.match(await c.getAttribute('class'), /is-disabled/);
    assert.equal((await hooksByApi(srv)).find((x) => x.id === id).enabled, false);
    await c.getByRole('button', { name: 'Enable' }).click();
    await h.eventually(async () => assert.match(await text(c.locator('.hook-meta')), /enabled/));
    assert.equal((await hooksByApi(srv)).find((x) => x.id === id).enabled, true);
    await status(page, /Enabled the hook to/);

    // Edit: a bad URL is named in place; then only post.closed.
    await c.getByRole('button', { name: 'Edit' }).click();
    const edit = c.getByRole('form', { name: 'Change the hook' });
    await edit.getByLabel('URL').fill('mailto:someone@example.org');
    await edit.getByRole('button', { name: 'Save' }).click();
    await h.eventually(async () => assert.match(await text(edit.locator('.field-error').first()),
      /http or https/));
    await edit.getByLabel('URL').fill(`${url}/v2`);
    await edit.getByLabel('post.closed').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const edited = card(page, `${url}/v2`);
    assert.equal(await text(edited.locator('.hook-events')), 'Events: post.closed');
    hook = (await hooksByApi(srv)).find((x) => x.id === id);
    assert.equal(hook.url, `${url}/v2`);
    assert.deepEqual(hook.events, ['post.closed']);
    // The deliveries stayed open through all of it.
    assert.equal(await edited.locator('.delivery').count(), 1);

    // Delete (the confirmation is accepted).
    await edited.getByRole('button', { name: 'Delete' }).click();
    await edited.waitFor({ state: 'detached' });
    await status(page, /Deleted the hook to/);
    assert.ok(!(await hooksByApi(srv)).some((x) => x.id === id));
  });
});

test('a hook deleted while its deliveries load: the late 404 is no news', async () => {
  const url = `http://127.0.0.1:9/late-${process.pid}`;
  const made = await api(srv, 'POST', '/admin/hooks', { url, kind: 'event' });
  assert.equal(made.status, 201, made.text);
  const id = made.json.hook.id;
  const stale = (await api(srv, 'GET', '/admin/hooks')).json;

  await withPage(srv, async (page) => {
    await openHooks(page);
    const c = card(page, url);
    await c.waitFor();
    // The look at its deliveries, and a look at the list, answer only
    // after the hook is gone: a 404 and a list that still holds it.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(`**/api/v1/admin/hooks/${id}/deliveries*`, async (route) => {
      await held;
      await route.fulfill({ status: 404, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'not_found', message: 'There is no such hook.' } }) });
    });
    await c.locator('details.deliveries summary').click();
    await page.route('**/api/v1/admin/hooks', async (route) => {
      if (route.request().method() !== 'GET') return route.fallback();
      await held;
      await route.fulfill({ status: 200, contentType: 'application/json',
        body: JSON.stringify(stale) });
    });
    await page.evaluate(() => import('/admin-hooks.js').then((m) => { m.syncHooks(); }));
    await c.getByRole('button', { name: 'Delete' }).click();
    await c.waitFor({ state: 'detached' });
    await status(page, /Deleted the hook to/);
    release();
    await page.waitForTimeout(300);
    assert.match(await text(page.locator('#status')), /Deleted the hook to/);
    assert.equal(await card(page, url).count(), 0);
  });
  assert.ok(!(await hooksByApi(srv)).some((x) => x.id === id));
});

test('a hook URL with markup renders as text', async () => {
  // The server takes any http URL without blanks: slashes stand in.
  const url = 'http://127.0.0.1/"><img/src=x/onerror=window.__h=1>';
  await withPage(srv, async (page) => {
    await openHooks(page);
    const form = page.locator('#hook-form');
    await form.getByLabel('URL').fill('http://127.0.0.1/"><img src=x onerror=window.__h=1>');
    await form.getByRole('button', { name: 'Add hook' }).click();
    await h.eventually(async () => assert.match(await text(page.locator('#h-url-err')),
      /http or https URL/));
    await form.getByLabel('URL').fill(url);
    await form.getByRole('button', { name: 'Add hook' }).click();
    const box = page.getByRole('region', { name: 'Secret of the new hook' });
    await box.waitFor();
    assert.match(await text(box), /"><img\/src=x\/onerror=window\.__h=1>/);
    const c = card(page, url);
    await c.waitFor();
    assert.equal(await text(c.locator('.hook-url')), url);
    await c.getByRole('button', { name: 'Ping' }).click();
    await c.locator('.delivery').first().waitFor();
    // Labels made from it, confirm() included, are text too.
    await c.getByRole('button', { name: 'Delete' }).click();
    await c.waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('#hooks').waitFor();
    await harness.sleep(300);
    assert.equal(await page.evaluate(() => window.__h), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
  });
  // Made again through the API, it is listed after a reload as text too.
  const again = await api(srv, 'POST', '/admin/hooks', { url, kind: 'verdict' });
  assert.equal(again.status, 201, again.text);
  await withPage(srv, async (page) => {
    await openHooks(page);
    const c = card(page, url);
    await c.waitFor();
    assert.equal(await text(c.locator('.hook-url')), url);
    assert.match(await text(c.locator('.hook-meta')), /verdict hook/);
    assert.equal(await text(c.locator('.hook-events')), 'Asked about each new comment.');
    await c.locator('details.deliveries summary').click();
    await c.locator('.deliveries-empty').waitFor();
    assert.equal(await page.evaluate(() => window.__h), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
  });
  // No verdict hook stays to hold comments up.
  assert.equal((await api(srv, 'DELETE', `/admin/hooks/${again.json.hook.id}`)).status, 204);
});

// A receiver on 127.0.0.1 that checks signatures against the secret the
// page showed, with the standardwebhooks library as a receiver would,
// and answers as told.
function receiver() {
  const r = { secrets: new Map(), answers: new Map(), got: [] };
  r.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const secret = r.secrets.get(req.url);
      let signed = false;
      try {
        new Webhook(secret).verify(Buffer.concat(chunks), req.headers);
        signed = true;
      } catch (_) { /* answered 401 below */ }
      r.got.push({ url: req.url, signed, event: req.headers['x-parley-event'] });
      const [code, text] = signed ? r.answers.get(req.url) || [200, 'ok'] : [401, 'bad signature'];
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(text);
    });
  });
  return new Promise((resolve) => r.server.listen(0, '127.0.0.1', () => {
    r.base = `http://127.0.0.1:${r.server.address().port}`;
    resolve(r);
  }));
}

test('with delivery on: a ping succeeds, a failure is logged, Redeliver sends again', async () => {
  const live = await h.startServer({ name: 'browser-hooks-live', settings: {} });
  const rx = await receiver();
  try {
    const good = `${rx.base}/ok`;
    const bad = `${rx.base}/broken`;
    rx.answers.set('/broken', [500, '<h1>Internal error</h1>\n"quotes" & <script>window.__h=2</script>']);
    await withPage(live, async (page) => {
      await openHooks(page);
      // Two hooks from the form; the receiver learns the shown secrets.
      for (const [url, events] of [[good, []], [bad, ['post.closed']]]) {
        const form = page.locator('#hook-form');
        await form.getByLabel('URL').fill(url);
        for (const e of events) await form.getByLabel(e).check();
        await form.getByRole('button', { name: 'Add hook' }).click();
        await card(page, url).waitFor();
        rx.secrets.set(new URL(url).pathname,
          await text(page.locator('#hook-secret-value')));
      }

      const ok = card(page, good);
      await ok.getByRole('button', { name: 'Ping' }).click();
      const okDelivery = ok.locator('.delivery').first();
      await h.eventually(async () => assert.equal(await text(okDelivery.locator('.delivery-head .pill')), 'success'), 15000);
      assert.match(await text(okDelivery.locator('.delivery-sum')), /1 attempt.*last answer: HTTP 200/);
      await okDelivery.locator('.attempts summary').click();
      assert.match(await text(okDelivery.locator('.attempt-head')), /HTTP 200.*\d+ ms/);
      assert.equal(await text(okDelivery.locator('pre.response')), 'ok');
      await h.eventually(async () => assert.match(await text(ok.locator('.hook-counts')), /1 succeeded/), 10000);

      const broken = card(page, bad);
      await broken.getByRole('button', { name: 'Ping' }).click();
      const badDelivery = broken.locator('.delivery').first();
      await h.eventually(async () => assert.match(await text(badDelivery.locator('.delivery-sum')),
        /1 attempt.*last answer: HTTP 500/), 15000);
      assert.equal(await text(badDelivery.locator('.delivery-head .pill')), 'pending');
      assert.match(await text(badDelivery.locator('.delivery-sum')), /next try in \d+ s/);
      await badDelivery.locator('.attempts summary').click();
      assert.equal(await text(badDelivery.locator('pre.response')),
        '<h1>Internal error</h1>\n"quotes" & <script>window.__h=2</script>');
      assert.equal(await badDelivery.locator('pre.response h1, pre.response script').count(), 0);

      // A comment makes an event for the hook that wants every event.
      const post = harness.uniqueKey('hooked');
      await h.guestComment(live, { post, name: 'Eve Event', body: 'Hello, hooks.' });
      await h.eventually(async () => {
        await ok.getByRole('button', { name: 'Refresh' }).click();
        await harness.sleep(300);
        assert.equal(await text(ok.locator('.delivery').first().locator('.event-type')), 'comment.created');
        assert.equal(await text(ok.locator('.delivery').first().locator('.delivery-head .pill')), 'success');
      }, 15000);

      // Mended, the failed one goes through on Redeliver.
      rx.answers.set('/broken', [204, '']);
      await badDelivery.getByRole('button', { name: /^Redeliver/ }).click();
      await h.eventually(async () => assert.equal(await text(badDelivery.locator('.delivery-head .pill')), 'success'), 15000);
      // (The deliverer may have retried on its own before the mending.)
      assert.match(await text(badDelivery.locator('.delivery-sum')), /\d attempts.*last answer: HTTP 204/);
      // The log stayed open and shows every attempt.
      const attempts = badDelivery.locator('.attempt');
      assert.ok(await attempts.count() >= 2);
      assert.match(await text(attempts.first()), /HTTP 500/);
      assert.match(await text(attempts.last()), /HTTP 204/);
      assert.equal(await page.evaluate(() => window.__h), undefined);
      assert.ok(rx.got.length >= 4);
      assert.ok(rx.got.every((g) => g.signed), 'every delivery was signed with the shown secret');

      // A screenshot of the section (desktop, light): a secret just
      // rotated, a disabled hook, and a failed attempt in the log.
      await ok.getByRole('button', { name: 'Rotate secret' }).click();
      await ok.getByRole('button', { name: 'Make a new secret' }).click();
      await page.getByRole('region', { name: 'New secret' }).waitFor();
      await ok.locator('.pill-rotating').waitFor();
      await broken.getByRole('button', { name: 'Disable' }).click();
      await broken.locator('.pill-off').waitFor();
      await screenshot(page);
    }, { colorScheme: 'light' });
  } finally {
    rx.server.close();
    await live.stop();
    srv.use();
  }
});
