// The moderators' page (/admin) in Chromium against a real Parley: the
// held queue and its keyboard, bulk moderation, bans, rules, roles, the
// audit log, escaping, and screenshots of the queue.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN, MODERATOR, READER } = h;
let srv;
let browser;
// Shared between tests: the comment approved in the first test.
const seen = {};

before(async () => {
  ({ srv, browser } = await h.setup());
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

// Runs body with a fresh page (admin-helpers.js).
const withPage = (body, options) => h.withPage(browser, srv, body, options);

const text = (loc) => loc.textContent();

test('an admin approves a held guest comment with j then a', async (t) => {
  const post = '198';
  const older = await h.guestComment(srv, { post, name: 'Olive Older',
    body: 'An older *held* comment.', title: "Getting to 'Yes' With North Korea" });
  const newer = await h.guestComment(srv, { post, name: 'Nora Newer',
    body: 'Verification is the **hard** part, and [this report](https://example.org/r) explains why.' });
  assert.equal(older.json.comment.status, 'pending');
  assert.equal(newer.json.comment.status, 'pending');
  const id = newer.json.comment.id;
  seen.approvedId = id;

  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    assert.equal(await text(page.locator('h1')), 'Parley moderation');
    assert.match(await text(page.locator('#who')), /admin/);
    assert.equal(await h.heldBadge(page), 2);
    assert.equal(await page.getByRole('tab', { name: /Held/ }).getAttribute('aria-selected'), 'true');

    const r = h.row(page, id);
    assert.equal(await text(r.locator('.reason')), 'held: first comment from this e-mail');
    assert.match(await text(r.locator('.author')), /Nora Newer/);
    assert.match(await text(r.locator('.meta')), /guest\d+-\d+@example\.net/);
    assert.match(await text(r.locator('.meta')), /127\.0\.0\.1/);
    assert.equal(await r.locator('.body strong').textContent(), 'hard');

    // j highlights the first (newest) row and focuses it; a approves it.
    await page.keyboard.press('j');
    assert.match(await r.getAttribute('class'), /is-current/);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), String(id));
    await page.keyboard.press('a');
    await r.waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await h.heldBadge(page), 1));
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Approved 1 comment.'));
    // The highlight moved on to the row that took its place.
    assert.match(await h.row(page, older.json.comment.id).getAttribute('class'), /is-current/);
  });

  const ids = await h.threadIds(srv, post);
  assert.ok(ids.includes(id), 'approved comment is in the public thread');
  assert.ok(!ids.includes(older.json.comment.id), 'the other stays held');

  const widget = await harness.call(srv.base, 'GET', '/embed.js');
  const skip = widget.status !== 200 && 'no widget yet';
  await t.test('and the widget on the demo page shows it', { skip }, async () => {
    await withPage(async (page) => {
      await page.goto(`${srv.base}/`);
      await page.locator('#parley').getByText('Verification is the').waitFor({ timeout: 10000 });
      assert.equal(await page.locator('#parley').getByText('An older').count(), 0);
    });
  });
});

test('keyboard: x checks rows, s spams them, k goes back, typing is ignored, ? helps', async () => {
  const post = harness.uniqueKey('keys');
  const ids = [];
  for (const name of ['Key One', 'Key Two', 'Key Three'])
    ids.push((await h.guestComment(srv, { post, name, body: `Keyboard ${name}.` })).json.comment.id);
  const [one, two, three] = ids;		// the list shows three, two, one

  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    await page.locator('#f-more summary').click();
    await page.locator('#f-post').fill(post);
    await page.locator('#f-post').press('Enter');
    await h.idle(page);
    await h.eventually(async () => assert.equal(await page.locator('#queue-list .row').count(), 3));

    // Typing in the search box is not a shortcut.
    await page.getByLabel('Search comments').focus();
    await page.keyboard.type('jax');
    assert.equal(await page.getByLabel('Search comments').inputValue(), 'jax');
    assert.equal(await page.locator('#queue-list .row.is-current').count(), 0);
    await page.getByLabel('Search comments').fill('');
    await page.locator('body').click({ position: { x: 2, y: 300 } });

    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    assert.match(await h.row(page, two).getAttribute('class'), /is-current/);
    await page.keyboard.press('x');
    await page.keyboard.press('k');
    await page.keyboard.press('x');
    assert.ok(await h.row(page, three).locator('input.select').isChecked());
    assert.ok(await h.row(page, two).locator('input.select').isChecked());
    assert.ok(!await h.row(page, one).locator('input.select').isChecked());
    // With rows checked, s acts on them rather than the highlighted one.
    await page.keyboard.press('s');
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Marked 2 comments as spam.'));
    assert.equal(await page.locator('#queue-list .row').count(), 1);
    assert.equal(await text(page.locator('#selected-label')), 'Select all');

    await page.keyboard.press('?');
    assert.ok(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible());
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('#help').isHidden());
  });
  const tok = await h.token(srv, ADMIN);
  const spam = await h.adminGet(srv, tok, `/api/v1/admin/comments?status=spam&post=${post}`);
  assert.deepEqual(spam.comments.map((c) => c.id).sort(), [two, three].sort());
});

test('spam, trash and restore with buttons and bulk selection', async () => {
  const post = harness.uniqueKey('bulk');
  const c = [];
  for (const name of ['Sam Spammer', 'Bea Bulk', 'Cy Bulk'])
    c.push((await h.guestComment(srv, { post, name, body: `Hello from ${name}.` })).json.comment.id);
  const [spamId, b1, b2] = c;
  const tok = await h.token(srv, ADMIN);

  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    assert.equal(await text(page.locator('#who-role')), 'moderator');
    assert.ok(await page.locator('[data-section=users]').isHidden(), 'no Users for moderators');
    const held0 = await h.heldBadge(page);
    const spamCount = async () => Number(await text(page.locator('[data-count=spam]')));
    const spam0 = await spamCount();

    // One row's Spam button.
    await h.row(page, spamId).getByRole('button', { name: 'Spam', exact: true }).click();
    await h.row(page, spamId).waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await spamCount(), spam0 + 1));
    assert.equal(await h.heldBadge(page), held0 - 1);

    // Bulk: select two, approve them.
    await h.row(page, b1).locator('input.select').check();
    await h.row(page, b2).locator('input.select').check();
    assert.equal(await text(page.locator('#selected-label')), '2 selected');
    await page.locator('#bulk').getByRole('button', { name: 'Approve' }).click();
    await h.row(page, b1).waitFor({ state: 'detached' });
    await h.row(page, b2).waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Approved 2 comments.'));
    await h.eventually(async () => assert.equal(await h.heldBadge(page), held0 - 3));
    assert.deepEqual((await h.threadIds(srv, post)).sort(), [b1, b2].sort());

    // Approved tab: select all of this post, trash them in bulk.
    await page.getByRole('tab', { name: 'Approved' }).click();
    await page.getByLabel('Search comments').fill('from Bea Bulk');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await h.idle(page);
    await h.eventually(async () => assert.equal(await page.locator('#queue-list .row').count(), 1));
    await h.row(page, b1).waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await h.idle(page);
    await h.row(page, b2).waitFor();
    await page.locator('#f-more summary').click();
    await page.locator('#f-post').fill(post);
    await page.locator('#f-post').press('Enter');
    await h.idle(page);
    await h.eventually(async () => assert.equal(await page.locator('#queue-list .row').count(), 2));
    await page.locator('#select-all').check();
    await page.locator('#bulk').getByRole('button', { name: 'Trash' }).click();
    await h.eventually(async () => assert.equal(await page.locator('#queue-list .row').count(), 0));
    assert.deepEqual(await h.threadIds(srv, post), []);

    // Trash tab: restore one with its button.
    await page.getByRole('tab', { name: 'Trash' }).click();
    await h.row(page, b1).waitFor();
    await h.row(page, b1).getByRole('button', { name: 'Restore' }).click();
    await h.row(page, b1).waitFor({ state: 'detached' });
    assert.deepEqual(await h.threadIds(srv, post), [b1]);

    // Bulk "Delete forever" (after the confirmation) on the other.
    await h.row(page, b2).locator('input.select').check();
    await page.locator('#bulk').getByRole('button', { name: 'Delete forever' }).click();
    await h.row(page, b2).waitFor({ state: 'detached' });
    const all = await h.adminGet(srv, tok, `/api/v1/admin/comments?status=all&post=${encodeURIComponent(post)}`);
    assert.deepEqual(all.comments.map((x) => x.id).sort(), [spamId, b1].sort());

    // Spam tab: "Not spam: approve" publishes it; the spam count clears.
    await page.getByRole('tab', { name: /Spam/ }).click();
    await h.row(page, spamId).waitFor();
    await h.row(page, spamId).getByRole('button', { name: 'Not spam: approve' }).click();
    await h.row(page, spamId).waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await spamCount(), spam0));
    assert.deepEqual((await h.threadIds(srv, post)).sort(), [spamId, b1].sort());
  });
});

test('a ban from a comment stops the author\'s next comment', async () => {
  const post = harness.uniqueKey('ban');
  const email = 'troll@example.net';
  const c = (await h.guestComment(srv, { post, name: 'Troll', email, body: 'Bait.' })).json.comment;

  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    const r = h.row(page, c.id);
    await r.getByRole('button', { name: 'Ban e-mail' }).click();
    const form = r.locator('form.ban-inline');
    assert.equal(await form.getByLabel('Ban e-mail').inputValue(), email);
    await form.getByLabel('Reason (optional)').fill('Trolling');
    await form.getByRole('button', { name: 'Ban e-mail' }).click();
    await form.waitFor({ state: 'detached' });
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), `Banned e-mail ${email}.`));
    await r.locator('.pill-banned').waitFor();

    // The Bans section lists it as active.
    await page.getByRole('link', { name: 'Bans', exact: true }).click();
    const ban = page.locator('#bans-body tr', { hasText: email });
    await ban.waitFor();
    assert.match(await text(ban), /Trolling/);
    assert.match(await text(ban), /active/);
  });

  const again = await h.guestComment(srv, { post, name: 'Troll', email, body: 'More bait.' });
  assert.equal(again.status, 403, again.text);
  assert.equal(again.json.error.code, 'banned');
});

test('the Bans section adds, checks and lifts bans; a bad IP filter is named', async () => {
  const tok = await h.token(srv, ADMIN);
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await page.locator('#f-more summary').click();
    await page.getByLabel('IP or CIDR block').fill('not-an-ip');
    await page.getByLabel('IP or CIDR block').press('Enter');
    await h.eventually(async () => assert.match(await text(page.locator('#filter-error')), /address or a CIDR block/));
    assert.equal(await page.getByLabel('IP or CIDR block').getAttribute('aria-invalid'), 'true');

    await page.getByRole('link', { name: 'Bans', exact: true }).click();
    const form = page.locator('#ban-form');
    await form.getByLabel('Ban', { exact: true }).selectOption('account');
    await form.getByLabel('Value').fill('abc');
    await form.getByRole('button', { name: 'Add ban' }).click();
    await h.eventually(async () => assert.match(await text(page.locator('#b-value-err')), /account id/));

    await form.getByLabel('Ban', { exact: true }).selectOption('ip');
    await form.getByLabel('Value').fill('198.51.100.0/24');
    await form.getByLabel('Reason').fill('Scraper farm');
    await form.getByLabel('Expires').fill('2031-05-01T12:00');
    await form.getByRole('button', { name: 'Add ban' }).click();
    const row = page.locator('#bans-body tr', { hasText: '198.51.100.0/24' });
    await row.waitFor();
    assert.match(await text(row), /Scraper farm/);
    assert.equal(await text(page.locator('#b-value-err')), '');
    let bans = (await h.adminGet(srv, tok, '/api/v1/admin/bans')).bans;
    const ban = bans.find((b) => b.value === '198.51.100.0/24');
    assert.equal(ban.kind, 'ip');
    assert.equal(new Date(ban.expires_at).getTime(), new Date('2031-05-01T12:00').getTime());

    await row.getByRole('button', { name: 'Lift the ban on 198.51.100.0/24' }).click();
    await row.waitFor({ state: 'detached' });
    bans = (await h.adminGet(srv, tok, '/api/v1/admin/bans')).bans;
    assert.ok(!bans.some((b) => b.value === '198.51.100.0/24'));
  });
});

test('the settings form saves rules and shows a field\'s error', async () => {
  const tok = await h.token(srv, ADMIN);
  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const maxLinks = page.getByLabel('Hold comments with at least this many links');
    await h.eventually(async () => assert.equal(await maxLinks.inputValue(), '2'));
    assert.equal(await page.getByLabel("A guest's first comment needs approval").isChecked(), true);

    await maxLinks.fill('7');
    await page.getByLabel('Disallowed words').fill('casino\n  Viagra  \n');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await h.eventually(async () => assert.equal(await text(page.locator('#status')), 'Saved the moderation rules.'));
    let s = (await h.adminGet(srv, tok, '/api/v1/admin/settings')).settings;
    assert.equal(s.max_links, 7);
    assert.deepEqual(s.disallowed_words, ['casino', 'viagra']);
    assert.equal(s.first_comment_approval, true, 'untouched settings stay');
    // The form shows the stored (normalised) list.
    assert.equal(await page.getByLabel('Disallowed words').inputValue(), 'casino\nviagra');

    await maxLinks.fill('-1');
    await page.getByRole('button', { name: 'Save rules' }).click();
    const err = page.locator('#s-max_links-err');
    await h.eventually(async () => assert.match(await text(err),
      /“Hold comments with at least this many links” must be an integer/));
    assert.equal(await maxLinks.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 's-max_links');
    s = (await h.adminGet(srv, tok, '/api/v1/admin/settings')).settings;
    assert.equal(s.max_links, 7, 'the bad value was not stored');

    // Typing clears the error; putting the default back saves.
    await maxLinks.fill('2');
    assert.equal(await text(err), '');
    await page.getByLabel('Disallowed words').fill('');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await h.eventually(async () => assert.equal(
      (await h.adminGet(srv, tok, '/api/v1/admin/settings')).settings.max_links, 2));
  });
});

test('a reader is told the account is not a moderator; a wrong password is refused', async () => {
  await withPage(async (page) => {
    await h.login(page, READER);
    await page.getByRole('heading', { name: 'This account is not a moderator' }).waitFor();
    assert.ok(await page.locator('#app-view').isHidden());
    assert.equal(await page.locator('#queue-list .row').count(), 0);
    assert.ok(await page.locator('#held-badge').isHidden());
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'no token kept');

    await page.getByRole('button', { name: 'Log in with another account' }).click();
    await h.login(page, { email: ADMIN.email, password: 'not-the-password' });
    await h.eventually(async () => assert.equal(await text(page.locator('#login-error')),
      'That e-mail and password do not match an account.'));
    assert.ok(await page.locator('#app-view').isHidden());
  });
});

test('names and bodies with markup render as text', async () => {
  const post = harness.uniqueKey('xss');
  const name = '<img src=x onerror=window.__x=1>';
  const body = '<script>window.__x=2</script> and <b onmouseover="window.__x=3">bold</b>';
  const c = (await h.guestComment(srv, { post, name, body })).json.comment;
  assert.equal(c.status, 'pending');
  // Replies go only to published comments: approve a twin, reply to it.
  const twin = (await h.guestComment(srv, { post, name, body: 'Twin.' })).json.comment;
  await harness.call(srv.base, 'POST', '/api/v1/admin/comments/moderate', {
    headers: { authorization: `Bearer ${await h.token(srv, ADMIN)}` },
    json: { ids: [twin.id], action: 'approve' } });
  const replied = await h.guestComment(srv, { post, name: 'Replier', body: 'A reply.', parent: twin.id });
  assert.equal(replied.status, 201, replied.text);
  const reply = replied.json.comment;

  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    const r = h.row(page, c.id);
    assert.equal(await text(r.locator('.author')), name);
    assert.match(await text(r.locator('.body')), /<script>window\.__x=2<\/script>/);
    // The reply quotes its parent, whose author is text too.
    assert.equal(await text(h.row(page, reply.id).locator('.parent-author')), `In reply to ${name}`);
    // Editing starts from the text; nothing runs either way.
    await r.getByRole('button', { name: 'Edit' }).click();
    const source = await r.locator('textarea').inputValue();
    assert.match(source, /^<script>window\./);
    const preview = await harness.call(srv.base, 'POST', '/api/v1/preview', { json: { body: source } });
    assert.equal(preview.json.html, c.html, 'the editor\'s Markdown renders as before');
    await r.getByRole('button', { name: 'Cancel' }).click();
    await r.locator('.body').hover();
    assert.equal(await page.evaluate(() => window.__x), undefined);
    assert.equal(await page.locator('img[src="x"], #queue-list script, #queue-list b').count(), 0);
  });
});

test('the audit log shows the approval with who did it', async () => {
  assert.ok(seen.approvedId, 'the first test ran');
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    const entry = page.locator('#audit-body tr', { hasText: `comment ${seen.approvedId}` })
      .filter({ hasText: 'comment.approve' });
    await entry.waitFor();
    assert.match(await text(entry), /admin <admin@example\.org>/);
    assert.match(await text(entry.locator('summary')), /status: "pending" → "approved"/);
    await entry.locator('summary').click();
    assert.match(await text(entry.locator('.diff-after')), /"status":"approved"/);
  });
});

test('e edits a comment in place; the thread shows the new text', async () => {
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await page.getByRole('tab', { name: 'Approved' }).click();
    await h.idle(page);
    const r = h.row(page, seen.approvedId);
    await r.waitFor();
    await r.click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('e');
    const ta = r.locator('textarea');
    // The editor starts from Markdown that renders the same.
    assert.equal(await ta.inputValue(),
      'Verification is the **hard** part, and [this report](https://example.org/r) explains why.');
    await ta.fill('Verification is the *hardest* part.');
    await ta.press('Control+Enter');
    await r.locator('.body em').waitFor();
    assert.equal(await text(r.locator('.body')), 'Verification is the hardest part.\n');
    assert.match(await text(r.locator('.meta')), /edited/);
  });
  const thread = await harness.call(srv.base, 'GET', '/api/v1/comments?post=198');
  const c = thread.json.comments.find((x) => x.id === seen.approvedId);
  assert.equal(c.html, '<p>Verification is the <em>hardest</em> part.</p>\n');
});

test('admins change roles; the last admin is kept', async () => {
  await withPage(async (page) => {
    await h.loginAsModerator(page, ADMIN);
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    const reader = page.getByLabel(`Role of ${READER.name}`);
    await reader.waitFor();
    await reader.selectOption('moderator');
    await h.eventually(async () => assert.equal(await text(page.locator('#status')),
      `${READER.name} is now a moderator.`));
    const tok = await h.token(srv, ADMIN);
    const users = (await h.adminGet(srv, tok, '/api/v1/admin/users?q=rita')).users;
    assert.equal(users[0].role, 'moderator');

    // Demoting the only admin (oneself, after a confirmation) is refused.
    const self = page.getByLabel(`Role of ${ADMIN.name}`);
    await self.selectOption('reader');
    const row = page.locator('#users-body tr', { has: self });
    await h.eventually(async () => assert.match(await text(row.locator('.row-error')), /last admin/));
    assert.equal(await self.inputValue(), 'admin');
    await reader.selectOption('reader');
    await h.eventually(async () => assert.equal(await text(page.locator('#status')),
      `${READER.name} is now a reader.`));
  });
});

test('a post is closed and opened from the Posts section', async () => {
  const post = harness.uniqueKey('close');
  await h.guestComment(srv, { post, name: 'Early Bird', body: 'First!' });
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await page.getByRole('link', { name: 'Posts', exact: true }).click();
    await page.locator('#p-key').fill(post);
    await page.getByRole('button', { name: 'Close comments' }).click();
    await h.eventually(async () => assert.match(await text(page.locator('#post-result')), /is closed for new comments/));
    let r = await h.guestComment(srv, { post, name: 'Late', body: 'Too late?' });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'post_closed');

    // The queue row of that post now offers to open it.
    await page.getByRole('link', { name: 'Comments', exact: true }).click();
    const toggle = page.locator('#queue-list button[data-action=post-toggle]')
      .filter({ hasText: 'Open post' });
    await page.getByRole('tab', { name: /Held/ }).click();
    await page.locator('#f-more summary').click();
    await page.locator('#f-post').fill(post);
    await page.locator('#f-post').press('Enter');
    await h.idle(page);
    await toggle.first().waitFor();
    await toggle.first().click();
    await h.eventually(async () => assert.match(await text(page.locator('#status')), /Opened .* for new comments|Opened .* to new comments/));
    r = await h.guestComment(srv, { post, name: 'Late', body: 'Now open.' });
    assert.equal(r.status, 201);

    await page.getByRole('link', { name: 'Posts', exact: true }).click();
    await page.locator('#p-key').fill('no-such-post');
    await page.getByRole('button', { name: 'Close comments' }).click();
    await h.eventually(async () => assert.match(await text(page.locator('#post-error')), /no post with the key/));
  });
});

test('"Load more" pages through a long queue', async () => {
  const post = harness.uniqueKey('many');
  for (let i = 1; i <= 53; i++)
    await h.guestComment(srv, { post, name: `Many ${i}`, body: `Comment number ${i}.` });
  await withPage(async (page) => {
    await h.loginAsModerator(page, MODERATOR);
    await page.locator('#f-more summary').click();
    await page.locator('#f-post').fill(post);
    await page.locator('#f-post').press('Enter');
    await h.idle(page);
    assert.equal(await page.locator('#queue-list .row').count(), 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await h.eventually(async () => assert.equal(await page.locator('#queue-list .row').count(), 53));
    assert.ok(await page.getByRole('button', { name: 'Load more' }).isHidden());
    assert.match(await text(page.locator('#queue-list .row').last()), /Comment number 1\./);
  });
});

test('screenshots of the queue: desktop and phone, light and dark', async () => {
  fs.mkdirSync(h.SCREENSHOTS, { recursive: true });
  const post = '198';
  const lead = await h.guestComment(srv, { post, name: 'Dana Whitfield', email: 'dana@example.net',
    body: 'The 1994 Agreed Framework is a better model than people remember: it *did* freeze the plutonium programme for eight years.' });
  await harness.call(srv.base, 'POST', `/api/v1/admin/comments/moderate`, {
    headers: { authorization: `Bearer ${await h.token(srv, ADMIN)}` },
    json: { ids: [lead.json.comment.id], action: 'approve' } });
  await h.guestComment(srv, { post, name: 'Kenji Mori', parent: lead.json.comment.id,
    body: 'Froze it, yes — but the uranium track kept going in parallel. Verification has to cover both.' });
  await h.guestComment(srv, { post, name: 'Links Galore', email: 'links@example.net',
    body: 'See https://example.com/a and [this](https://example.com/b) and [that](https://example.com/c).' });
  await h.guestComment(srv, { post: '/2018/03/other-post/', name: 'Priya Raman', email: 'priya@example.net',
    body: 'Long-time reader, first comment. Thanks for the careful **timeline**.' });

  const shots = [
    ['desktop', { viewport: { width: 1280, height: 800 } }],
    ['phone', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
  ];
  for (const [device, opts] of shots) {
    for (const scheme of ['light', 'dark']) {
      await withPage(async (page) => {
        await h.loginAsModerator(page, ADMIN);
        await page.keyboard.press('j');
        await page.keyboard.press('j');
        await page.locator('#queue-list .row').nth(2).locator('input.select').check();
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(100);
        await page.screenshot({ path: path.join(h.SCREENSHOTS, `admin-queue-${device}-${scheme}.png`) });
        if (device === 'desktop' && scheme === 'light') {
          await page.getByRole('link', { name: 'Settings', exact: true }).click();
          await page.getByLabel('Deepest reply level').waitFor();
          await page.waitForTimeout(200);
          await page.screenshot({ path: path.join(h.SCREENSHOTS, 'admin-settings-desktop-light.png'), fullPage: true });
          await page.getByRole('link', { name: 'Audit log', exact: true }).click();
          await page.locator('#audit-body tr').first().waitFor();
          await page.screenshot({ path: path.join(h.SCREENSHOTS, 'admin-audit-desktop-light.png') });
        }
      }, { ...opts, colorScheme: scheme });
    }
  }
  for (const f of ['desktop-light', 'desktop-dark', 'phone-light', 'phone-dark'])
    assert.ok(fs.statSync(path.join(h.SCREENSHOTS, `admin-queue-${f}.png`)).size > 10000);
});
