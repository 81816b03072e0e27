// The audit log of the moderators' page (/admin), in Chromium against a
// real Parley: every kind of entry the server writes (sql/functions/*.sql,
// audit()), each caused through the API, reads as a sentence: who, then
// what ("approved comment 12 (was held)", "pinged hook 3"), never "null"
// and never a word twice in a row ("settings settings").
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN, READER } = h;
let srv;
let browser;

before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-audit', env: { PARLEY_DELIVER: '0' } }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

let tok;
async function call(method, urlPath, json) {
  tok = tok || await h.token(srv, ADMIN);
  const r = await harness.call(srv.base, method, `/api/v1${urlPath}`,
    { headers: { authorization: `Bearer ${tok}` }, json });
  assert.ok(r.status < 300, `${method} ${urlPath}: ${r.status} ${r.text}`);
  return r.json;
}

const moderate = (ids, action) => call('POST', '/admin/comments/moderate', { ids, action });

// One entry of each kind; returns the sentences they should read as.
async function seed() {
  const post = 'audit-post';
  const held = async () => (await h.guestComment(srv, { post, name: 'Gus Guest', body: 'Held first.' })).json.comment.id;
  const a = await held(), b = await held(), c = await held();
  await moderate([a], 'approve');
  await moderate([a], 'hold');
  await moderate([b], 'spam');
  await moderate([b], 'restore');
  await moderate([c], 'trash');
  await moderate([c], 'restore');
  await call('PATCH', `/admin/comments/${c}`, { body: 'Edited by a moderator.' });
  await moderate([c], 'delete');

  await call('PATCH', '/admin/settings', { max_links: 5 });
  await call('PATCH', '/admin/settings', { require_approval: true, hold_words: ['casino'] });
  await call('PATCH', '/admin/settings', { allowed_origins: ['https://blog.example.org'] });

  const { ban } = await call('POST', '/admin/bans', { kind: 'email', value: 'troll@example.net', reason: 'Trolling' });
  await call('DELETE', `/admin/bans/${ban.id}`);

  await call('PATCH', `/admin/posts?key=${post}`, { open: false });
  await call('PATCH', `/admin/posts?key=${post}`, { open: true });
  await call('PATCH', `/admin/posts?key=${post}`, { title: 'A new title' });

  const [rita] = (await call('GET', '/admin/users?q=rita')).users;
  assert.equal(rita.name, READER.name);
  await call('PATCH', `/admin/users/${rita.id}`, { role: 'moderator' });

  const { hook } = await call('POST', '/admin/hooks', { url: 'http://127.0.0.1:9/hook', kind: 'event', events: [] });
  await call('PATCH', `/admin/hooks/${hook.id}`, { enabled: false });
  await call('PATCH', `/admin/hooks/${hook.id}`, { url: 'http://127.0.0.1:9/other' });
  await call('PATCH', `/admin/hooks/${hook.id}`, { rotate_secret: true, grace_seconds: 3600 });
  const { delivery_id: delivery } = await call('POST', `/admin/hooks/${hook.id}/ping`, {});
  await call('POST', `/admin/deliveries/${delivery}/redeliver`, {});
  await call('DELETE', `/admin/hooks/${hook.id}`);

  const erased = `erased-${process.pid}@example.net`;
  await h.guestComment(srv, { post, name: 'Eli Erased', email: erased, body: 'To be erased.' });
  await call('POST', '/admin/privacy/erase', { email: erased });
  const hash = crypto.createHash('sha256').update(erased).digest('hex');

  return [
    `approved comment ${a} (was held)`,
    `held comment ${a} for review (was approved)`,
    `marked comment ${b} as spam (was held)`,
    `restored comment ${b} from spam (now held)`,
    `moved comment ${c} to the trash (was held)`,
    `restored comment ${c} from the trash (now held)`,
    `edited the text of comment ${c}`,
    `deleted comment ${c} forever (was held)`,
    'changed max_links from 2 to 5',
    'added “casino” to hold_words; turned require_approval on',
    'added “https://blog.example.org” to allowed_origins',
    'banned e-mail troll@example.net (“Trolling”)',
    'lifted the ban on e-mail troll@example.net',
    `closed post ${post} to new comments`,
    `opened post ${post} to new comments`,
    `renamed post ${post} to “A new title”`,
    `made user ${rita.id} a moderator (was a reader)`,
    `added event hook ${hook.id} for http://127.0.0.1:9/hook`,
    `disabled hook ${hook.id}`,
    `changed hook ${hook.id}: set its URL to http://127.0.0.1:9/other`,
    `rotated the secret of hook ${hook.id}`,
    `pinged hook ${hook.id}`,
    `sent delivery ${delivery} again`,
    `deleted event hook ${hook.id} for http://127.0.0.1:9/other`,
    `erased the data of an e-mail address (SHA-256 ${hash.slice(0, 12)}…): 1 comment deleted`,
  ];
}

test('every kind of audit entry reads as a sentence', async () => {
  const expected = await seed();
  const { context, page, problems } = await h.openPage(browser, srv);
  try {
    await h.loginAsModerator(page, ADMIN);
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.locator('#audit-body tr').first().waitFor();
    // What a moderator reads without opening the stored values.
    const rows = await page.locator('#audit-body tr').evaluateAll((trs) => trs.map((tr) => {
      const cells = [...tr.cells];
      const summary = tr.querySelector('summary');
      return {
        who: cells[1].textContent,
        what: cells[2].textContent,
        shown: [cells[1].textContent, cells[2].textContent, cells[3].querySelector('code').textContent,
          summary ? summary.textContent : ''].join(' '),
        summary: summary ? summary.textContent : '',
        stored: [...tr.querySelectorAll('pre')].map((p) => p.textContent),
      };
    }));
    const whats = rows.map((r) => r.what);
    for (const s of expected)
      assert.ok(whats.includes(s), `"${s}" is not among:\n${whats.join('\n')}`);
    assert.equal(rows.length, expected.length, 'one entry each');

    for (const r of rows) {
      assert.equal(r.who, 'admin <admin@example.org>');
      assert.doesNotMatch(r.shown, /null|undefined|\[object/, r.shown);
      for (const said of [`${r.who} ${r.what}`, r.summary]) {
        const twice = /\b(\w+)\s+\1\b/i.exec(said);
        assert.equal(twice, null, `a word twice in "${said}"`);
      }
      // Stored values are shown only where there are some.
      for (const p of r.stored)
        assert.doesNotMatch(p, /^[−+] null$/, r.shown);
    }
    const ping = rows.find((r) => r.what.startsWith('pinged'));
    assert.deepEqual(ping.stored, [], 'a ping stores no values');
    assert.deepEqual(problems, [], 'the page logged errors');
  } finally {
    await context.close();
  }
});
