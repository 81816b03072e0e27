// The widget says every error the API can give it in the reader's
// language (issue #19): the codes are read from app/*.c, so a new code
// without a translation fails here; the server's English message is left
// for codes the widget does not know.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { setup, waitText, w, harness } = require('./helpers');

const { uniqueKey, sql, top } = harness;
let env;
before(async () => { env = await setup('widget-errors'); });
after(async () => { await env?.stop(); });

// Sources whose answers never reach the widget: the admin API, the
// settings it edits (allowed origins included), count.js's counts and
// the no-JavaScript thread page.
const NOT_THE_WIDGETS_FILES = /^(admin|handler_admin_\w+|settings|origin|handler_counts|handler_thread_page|handler_privacy)\.c$/;
const NOT_THE_WIDGETS_OPS = new Set(['ROLE', 'ERASE_SELF', 'PRIVACY_EMAIL']);
// Codes of routes the widget shares a file with but never calls.
const NOT_THE_WIDGETS_CODES = new Set([
  'wrong_password', // POST /auth/password: no password change in the widget
]);

// Every error code of app/*.c that can answer one of the widget's
// requests, with its HTTP statuses: apierr_set() and api_error() calls,
// the moderation pipeline's refuse(), and api.c's table of storage
// codes (but the rows of requests the widget never makes: role changes,
// an account's erasure, a moderator's privacy requests).
function widgetCodes() {
  const codes = new Map();
  const add = (code, status) => {
    if (!NOT_THE_WIDGETS_CODES.has(code))
      codes.set(code, new Set([...codes.get(code) || [], Number(status)]));
  };
  const dir = path.join(top, 'app');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.c'))) {
    if (NOT_THE_WIDGETS_FILES.test(file))
      continue;
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of src.matchAll(/\b(?:apierr_set|api_error|refuse)\(\s*\w+,\s*(\d{3}),\s*"(\w+)"/g))
      add(m[2], m[1]);
    for (const m of src.matchAll(/\{\s*API_OP_(\w+),\s*"(\w+)",\s*(\d{3}),/g)) {
      if (!NOT_THE_WIDGETS_OPS.has(m[1]))
        add(m[2], m[3]);
    }
  }
  return codes;
}

// The languages of the widget's dictionary (I18N in assets/embed.js).
function widgetLanguages() {
  const src = fs.readFileSync(path.join(top, 'assets', 'embed.js'), 'utf8');
  const i18n = src.slice(src.indexOf('const I18N = {'), src.indexOf('\n  };\n', src.indexOf('const I18N = {')));
  return [...i18n.matchAll(/^ {4}([a-z]{2}): \{$/gm)].map((m) => m[1]);
}

test('the sources name the codes this test walks', () => {
  const codes = widgetCodes();
  // A few from each place, so that a change of the C style that hides
  // codes from the patterns above does not pass unseen.
  for (const code of ['required', 'too_long', 'body_too_large', 'not_logged_in', 'invalid_token',
    'edit_window_closed', 'post_closed', 'banned', 'duplicate', 'own_comment', 'weak_password',
    'invalid_credentials', 'origin_not_allowed', 'rate_limited', 'database_unavailable'])
    assert.ok(codes.has(code), `${code} is found in app/*.c`);
  assert.ok(!codes.has('last_admin') && !codes.has('unknown_setting') && !codes.has('staff_account'),
    'admin and erasure codes are left out');
  assert.deepEqual(widgetLanguages().slice(0, 1), ['en']);
  assert.ok(widgetLanguages().length >= 2);
});

test('every error code the API can answer the widget with is shown in each of its languages, none in the server\'s words', async () => {
  const codes = widgetCodes();
  const cors = { 'access-control-allow-origin': env.blog.origin,
    'access-control-expose-headers': 'ETag, Retry-After', 'content-type': 'application/json' };
  const english = new Map();
  const missing = [];
  for (const lang of widgetLanguages()) {
    const page = await env.open(env.postPage({ post: uniqueKey('codes'), attrs: { lang } }));
    let answer;
    await page.route(`${env.api}/api/v1/comments`, (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      return route.fulfill({ status: answer.status, headers: { ...cors, 'retry-after': '30' },
        body: JSON.stringify({ error: { code: answer.code, message: `SERVER SAYS ${answer.code}` } }) });
    });
    const form = w.form(page);
    await form.locator('textarea[name=body]').fill('Anything');
    await form.locator('input[name=name]').fill('Gina');
    for (const [code, statuses] of codes) {
      for (const status of statuses) {
        answer = { code, status };
        await form.locator('button[type=submit]').click();
        await form.locator('.err:not(:empty)').waitFor();
        const text = (await form.locator('.err').textContent()).trim();
        const key = `${code} (${status})`;
        if (/SERVER SAYS/.test(text))
          missing.push(`${lang}: ${key} shows the server's message`);
        else if (lang === 'en')
          english.set(key, text);
        else if (text === english.get(key))
          missing.push(`${lang}: ${key} is in English: ${text}`);
      }
    }
    await page.context().close();
  }
  assert.deepEqual(missing, []);
  // An unknown code: the server's message is better than nothing.
  const page = await env.open(env.postPage({ post: uniqueKey('unknown'), attrs: { lang: 'de' } }));
  await page.route(`${env.api}/api/v1/comments`, (route) => route.request().method() !== 'POST' ?
    route.continue() : route.fulfill({ status: 422, headers: cors,
      body: JSON.stringify({ error: { code: 'brand_new_code', message: 'A brand new rule.' } }) }));
  await w.form(page).locator('textarea[name=body]').fill('Anything');
  await w.form(page).locator('button[type=submit]').click();
  await waitText(w.form(page).locator('.err'), 'A brand new rule.');
  await page.context().close();
});

const REAL = {
  de: { tooLarge: 'Ein Kommentar hat höchstens 10.000 Zeichen.',
    duplicate: 'Diesen Kommentar haben Sie schon geschrieben.',
    banned: 'Sie können hier nicht kommentieren.' },
  fr: { tooLarge: 'Un commentaire a au plus 10 000 caractères.',
    duplicate: 'Vous avez déjà publié ce commentaire.',
    banned: 'Vous ne pouvez pas commenter ici.' },
};

for (const [lang, says] of Object.entries(REAL)) {
  test(`${lang}: the server's 64 KiB limit, a duplicate and a ban are told in the page's language`, async () => {
    const page = await env.open(env.postPage({ post: uniqueKey(`real-${lang}`), lang }));
    const form = w.form(page);
    const body = form.locator('textarea[name=body]');
    const submit = form.locator('button[type=submit]');
    await form.locator('input[name=name]').fill('Gina');
    await form.locator('input[name=email]').fill(`gina-${lang}@example.org`);

    // Over 64 KiB the server refuses the request before reading it (413).
    await body.fill('a'.repeat(70000));
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await submit.click();
    assert.equal((await refused).status(), 413);
    await waitText(form.locator('.err'), says.tooLarge);
    assert.equal(await body.getAttribute('aria-invalid'), 'true');

    await body.fill(`Twice in ${lang}`);
    await submit.click();
    await page.locator('li.c .body', { hasText: `Twice in ${lang}` }).waitFor();
    await body.fill(`Twice in ${lang}`);
    await submit.click();
    await waitText(form.locator('.err'), says.duplicate);

    sql(`INSERT INTO bans (kind, value, reason) VALUES ('email', 'gina-${lang}@example.org', 'test')`);
    await body.fill('After the ban');
    await submit.click();
    await waitText(form.locator('.err'), says.banned);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
