// The moderation pipeline, rate limits, proxies, bans, settings and the
// admin API over HTTP against a real Parley and PostgreSQL.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, top } = require('./harness');

let srv;
let admin;	// Bearer tokens
let moderator;
let reader;
const PW = 'a long enough password';

async function relogin(email) {
  const r = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email, password: PW } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

async function account(email, role) {
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email, password: PW, name: email.split('@')[0] } });
  assert.equal(r.status, 201, r.text);
  if (!role) return { token: r.json.token, id: r.json.user.id };
  // A change of role ends the account's sessions: log in again.
  sql(`UPDATE users SET role = '${role}' WHERE id = ${r.json.user.id}`);
  return { token: await relogin(email), id: r.json.user.id };
}

before(async () => {
  // Proxies trusted, so tests can speak from other addresses.
  srv = await startParley({ name: 'it-moderation', env: { PARLEY_TRUSTED_PROXIES: '127.0.0.1' } });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, srv.db], { stdio: 'ignore' });
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
  admin = { token: login.json.token, id: login.json.user.id };
  moderator = await account('mod@example.org', 'moderator');
  reader = await account('reader@example.org');
});
after(async () => { await srv.stop(); });

const bearer = (who) => ({ authorization: `Bearer ${who.token}` });
let ipSeq = 0;
// Every test speaks from an address of its own, so rate limits and bans
// do not leak between tests.
const freshIp = () => { ipSeq += 1; return `198.51.100.${ipSeq}`; };
const from = (ip, extra = {}) => ({ 'x-forwarded-for': ip, ...extra });

function guestPost(json, ip = freshIp(), headers = {}) {
  return call(srv.base, 'POST', '/api/v1/comments', { json: { author_name: 'Guest', ...json }, headers: from(ip, headers) });
}
const stored = (id) => sql(`SELECT status, verdict, reason FROM comments WHERE id = ${id}`)[0];

function defaults(extra = {}) {
  setSettings({ require_approval: false, first_comment_approval: false, max_links: 2, hold_words: [],
    disallowed_words: [], rate_limit_per_minute: 0, edit_window_seconds: 900, max_depth: 5, allow_guests: true, ...extra });
}

test('a guest\'s first comment is held with its reason, later ones are published', async () => {
  defaults({ first_comment_approval: true });
  const key = uniqueKey();
  const email = `${uniqueKey('g')}@example.org`;
  const r1 = await guestPost({ post: key, body: 'my first', author_email: email });
  assert.equal(r1.status, 201);
  assert.equal(r1.json.comment.status, 'pending');
  assert.deepEqual(stored(r1.json.comment.id), ['pending', 'hold', 'held: first comment from this e-mail']);
  // Nobody else sees it.
  assert.equal((await call(srv.base, 'GET', `/api/v1/comments?post=${key}`)).json.comments.length, 0);
  const ok = await call(srv.base, 'POST', '/api/v1/admin/comments/moderate',
    { json: { ids: [r1.json.comment.id], action: 'approve' }, headers: bearer(moderator) });
  assert.deepEqual(ok.json, { updated: 1 });
  const r2 = await guestPost({ post: key, body: 'my second', author_email: email.toUpperCase() });
  assert.equal(r2.json.comment.status, 'approved');
  const noEmail = await guestPost({ post: key, body: 'anonymous' });
  assert.equal(stored(noEmail.json.comment.id)[2], 'held: first comment from a guest without an e-mail');
});

test('hold words, links, disallowed words, honeypot and require_approval give their verdicts', async () => {
  defaults({ hold_words: ['refund'], disallowed_words: ['casino', 'spam.example'], max_links: 2 });
  const key = uniqueKey();
  const cases = [
    [{ body: 'I want a REFUND now' }, 'pending', 'hold', "held: word 'refund' in body"],
    [{ body: 'see https://a.example and https://b.example' }, 'pending', 'hold', 'held: 2 links (limit 2)'],
    [{ body: 'one link https://a.example' }, 'approved', 'approve', 'approved'],
    [{ body: 'Best Casino!' }, 'spam', 'spam', "spam: disallowed word 'casino' in body"],
    [{ body: 'hello', author_name: 'casino king' }, 'spam', 'spam', "spam: disallowed word 'casino' in name"],
    [{ body: 'hello', author_email: 'x@spam.example' }, 'spam', 'spam', "spam: disallowed word 'spam.example' in e-mail"],
    [{ body: 'hello', author_url: 'https://spam.example/x' }, 'spam', 'spam', "spam: disallowed word 'spam.example' in website"],
    [{ body: 'hello bot', hp: 'filled by a bot' }, 'spam', 'spam', 'spam: honeypot field filled'],
  ];
  for (const [json, status, verdict, reason] of cases) {
    const r = await guestPost({ post: key, ...json });
    assert.equal(r.status, 201, r.text);
    // Spam is answered exactly like a held comment.
    assert.equal(r.json.comment.status, status === 'approved' ? 'approved' : 'pending', json.body);
    assert.deepEqual(stored(r.json.comment.id), [status, verdict, reason], json.body);
  }
  // The word list matches whole words only.
  const r = await guestPost({ post: key, body: 'casinos and refunds are other words' });
  assert.equal(r.json.comment.status, 'approved');

  setSettings({ require_approval: true });
  const held = await guestPost({ post: key, body: 'needs approval' });
  assert.deepEqual(stored(held.json.comment.id), ['pending', 'hold', 'held: every comment needs approval']);
});

test('the spam answer cannot be told from the held one', async () => {
  defaults({ disallowed_words: ['casino'], hold_words: ['refund'] });
  const key = uniqueKey();
  const spam = await guestPost({ post: key, body: 'casino here' });
  const held = await guestPost({ post: key, body: 'refund here' });
  const shape = (r) => ({ status: r.status, keys: Object.keys(r.json), ckeys: Object.keys(r.json.comment), cstatus: r.json.comment.status });
  assert.deepEqual(shape(spam), shape(held));
});

test('closed posts, bans and guests_not_allowed refuse with 403; duplicates with 409', async () => {
  defaults();
  const key = uniqueKey();
  const ip = freshIp();
  assert.equal((await guestPost({ post: key, body: 'open' }, ip)).status, 201);
  const dup = await guestPost({ post: key, body: 'open' }, ip);
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error.code, 'duplicate');

  const close = await call(srv.base, 'PATCH', `/api/v1/admin/posts?key=${key}`, { json: { open: false }, headers: bearer(moderator) });
  assert.equal(close.status, 200);
  assert.equal(close.json.post.open, false);
  const closed = await guestPost({ post: key, body: 'late' });
  assert.equal(closed.status, 403);
  assert.equal(closed.json.error.code, 'post_closed');
  await call(srv.base, 'PATCH', `/api/v1/admin/posts?key=${key}`, { json: { open: true }, headers: bearer(moderator) });

  setSettings({ allow_guests: false });
  const g = await guestPost({ post: key, body: 'guest' });
  assert.equal(g.status, 403);
  assert.equal(g.json.error.code, 'guests_not_allowed');
  const m = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'member' }, headers: { ...bearer(reader), ...from(freshIp()) } });
  assert.equal(m.status, 201);
});

test('bans by e-mail, IP block and account, with expiry and removal', async () => {
  defaults();
  const key = uniqueKey();
  const ban = (json) => call(srv.base, 'POST', '/api/v1/admin/bans', { json, headers: bearer(moderator) });
  const e = await ban({ kind: 'email', value: 'Troll@Example.org', reason: 'trolling', expires_at: null });
  assert.equal(e.status, 201);
  assert.equal(e.json.ban.active, true);
  const r1 = await guestPost({ post: key, body: 'hi', author_email: 'troll@example.org' });
  assert.equal(r1.status, 403);
  assert.equal(r1.json.error.code, 'banned');

  const ipb = await ban({ kind: 'ip', value: '203.0.113.0/24', reason: 'range' });
  assert.equal(ipb.status, 201);
  assert.equal((await guestPost({ post: key, body: 'from range' }, '203.0.113.77')).status, 403);
  assert.equal((await guestPost({ post: key, body: 'from elsewhere' }, '203.0.114.1')).status, 201);

  const acc = await account(`${uniqueKey('banned')}@example.org`);
  await ban({ kind: 'account', value: String(acc.id), reason: 'account' });
  const r3 = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'member' }, headers: { ...bearer(acc), ...from(freshIp()) } });
  assert.equal(r3.status, 403);

  // An expired ban no longer applies; a deleted one neither.
  const old = await ban({ kind: 'email', value: 'old@example.org', expires_at: '2000-01-01T00:00:00Z' });
  assert.equal(old.json.ban.active, false);
  assert.equal((await guestPost({ post: key, body: 'old', author_email: 'old@example.org' })).status, 201);
  const del = await call(srv.base, 'DELETE', `/api/v1/admin/bans/${e.json.ban.id}`, { headers: bearer(moderator) });
  assert.equal(del.status, 204);
  assert.equal((await guestPost({ post: key, body: 'back', author_email: 'troll@example.org' })).status, 201);
  assert.equal((await call(srv.base, 'DELETE', `/api/v1/admin/bans/${e.json.ban.id}`, { headers: bearer(moderator) })).status, 404);

  const list = await call(srv.base, 'GET', '/api/v1/admin/bans', { headers: bearer(moderator) });
  assert.ok(list.json.bans.some((b) => b.value === '203.0.113.0/24' && b.active));
  for (const bad of [{ kind: 'ip', value: 'not-an-ip' }, { kind: 'email', value: 'nope' }, { kind: 'user', value: '1' },
    { kind: 'account', value: 'abc' }, { kind: 'ip', value: '10.0.0.0/8', expires_at: 'tomorrow' }]) {
    const r = await ban(bad);
    assert.equal(r.status, 422, JSON.stringify(bad));
  }
});

test('stage order: a banned author with 3 links gets 403; honeypot beats words; duplicate beats hold', async () => {
  defaults({ hold_words: ['refund'], disallowed_words: ['casino'] });
  const key = uniqueKey();
  await call(srv.base, 'POST', '/api/v1/admin/bans', { json: { kind: 'email', value: 'order@example.org' }, headers: bearer(moderator) });
  const r1 = await guestPost({ post: key, author_email: 'order@example.org', body: 'https://a.example https://b.example https://c.example' });
  assert.equal(r1.status, 403);
  const r2 = await guestPost({ post: key, body: 'casino', hp: 'x' });
  assert.equal(stored(r2.json.comment.id)[2], 'spam: honeypot field filled');
  const ip = freshIp();
  await guestPost({ post: key, body: 'refund please' }, ip);
  const r3 = await guestPost({ post: key, body: 'refund please' }, ip);
  assert.equal(r3.status, 409);
  // Moderators skip stages 3 to 10.
  const m = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'refund casino https://a.example https://b.example' }, headers: { ...bearer(moderator), ...from(freshIp()) } });
  assert.equal(m.json.comment.status, 'approved');
  assert.equal(stored(m.json.comment.id)[2], 'approved: moderator');
});

test('rate limits hold across both workers, per IP and per account, with Retry-After', async () => {
  defaults({ rate_limit_per_minute: 3 });
  const key = uniqueKey();
  const ip = freshIp();
  // Fresh connections land on either worker.
  const all = await Promise.all(Array.from({ length: 10 }, (_, i) =>
    guestPost({ post: key, body: `burst ${i}` }, ip, { connection: 'close' })));
  const statuses = all.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 3, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 429).length, 7);
  const limited = all.find((r) => r.status === 429);
  assert.equal(limited.json.error.code, 'rate_limited');
  const wait = Number(limited.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  const pids = new Set(sql(`SELECT count(*) FROM comments WHERE ip = '${ip}'`).map((r) => r[0]));
  assert.deepEqual([...pids], ['3']);

  // Per account: the same member from three addresses.
  const acc = await account(`${uniqueKey('fast')}@example.org`);
  const codes = [];
  for (let i = 0; i < 4; i++) {
    const r = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: `member ${i}` }, headers: { ...bearer(acc), ...from(freshIp()) } });
    codes.push(r.status);
  }
  assert.deepEqual(codes, [201, 201, 201, 429]);
});

test('X-Forwarded-For counts only from a trusted proxy', async () => {
  defaults();
  const direct = await startParley({ name: 'it-moderation-direct' });
  try {
    setSettings({ first_comment_approval: false, rate_limit_per_minute: 0 }, direct.db);
    const r = await call(direct.base, 'POST', '/api/v1/comments', { json: { post: 'xff', body: 'forged', author_name: 'F' }, headers: { 'x-forwarded-for': '192.0.2.99' } });
    assert.equal(r.status, 201);
    assert.equal(sql(`SELECT host(ip) FROM comments WHERE id = ${r.json.comment.id}`, direct.db)[0][0], '127.0.0.1');
  } finally {
    await direct.stop();
    srv.use();
  }
  const key = uniqueKey();
  const t = await guestPost({ post: key, body: 'via proxy' }, '192.0.2.10, 127.0.0.1');
  assert.equal(sql(`SELECT host(ip) FROM comments WHERE id = ${t.json.comment.id}`)[0][0], '192.0.2.10');
});

test('every admin endpoint answers 401 to anonymous callers and 403 to readers', async () => {
  const endpoints = [
    ['GET', '/api/v1/admin/comments'], ['POST', '/api/v1/admin/comments/moderate', { ids: [1], action: 'approve' }],
    ['PATCH', '/api/v1/admin/comments/1', { body: 'x' }], ['GET', '/api/v1/admin/settings'],
    ['PATCH', '/api/v1/admin/settings', { max_links: 3 }], ['GET', '/api/v1/admin/bans'],
    ['POST', '/api/v1/admin/bans', { kind: 'ip', value: '10.0.0.1' }], ['DELETE', '/api/v1/admin/bans/1'],
    ['PATCH', '/api/v1/admin/posts?key=x', { open: false }], ['GET', '/api/v1/admin/users'],
    ['PATCH', '/api/v1/admin/users/1', { role: 'admin' }], ['GET', '/api/v1/admin/audit'],
  ];
  for (const [method, url, json] of endpoints) {
    const anon = await call(srv.base, method, url, { json });
    assert.equal(anon.status, 401, `${method} ${url} anonymous`);
    const r = await call(srv.base, method, url, { json, headers: bearer(reader) });
    assert.equal(r.status, 403, `${method} ${url} reader`);
    assert.equal(r.json.error.code, 'forbidden');
  }
  // Users are for admins only.
  assert.equal((await call(srv.base, 'GET', '/api/v1/admin/users', { headers: bearer(moderator) })).status, 403);
  assert.equal((await call(srv.base, 'GET', '/api/v1/admin/users', { headers: bearer(admin) })).status, 200);
});

test('settings are validated, stored and read by every worker at once', async () => {
  defaults();
  const get = await call(srv.base, 'GET', '/api/v1/admin/settings', { headers: bearer(moderator) });
  assert.deepEqual(Object.keys(get.json.settings).sort(), ['allow_guests', 'allowed_origins', 'disallowed_words', 'edit_window_seconds',
    'first_comment_approval', 'hold_words', 'ip_retention_days', 'mail_hourly_max', 'mail_recipient_hourly_max', 'max_depth', 'max_links',
    'moderator_digest_minutes', 'rate_limit_per_minute', 'require_approval', 'verdict_timeout_ms']);
  const bad = [[{ max_links: -1 }, 'max_links'], [{ max_links: '2' }, 'max_links'], [{ require_approval: 1 }, 'require_approval'],
    [{ hold_words: 'x' }, 'hold_words'], [{ hold_words: [''] }, 'hold_words'], [{ max_depth: 0 }, 'max_depth'],
    [{ edit_window_seconds: 1e9 }, 'edit_window_seconds'], [{ ip_retention_days: 0 }, 'ip_retention_days'],
    [{ colour: 'red' }, 'colour']];
  for (const [json, field] of bad) {
    const r = await call(srv.base, 'PATCH', '/api/v1/admin/settings', { json, headers: bearer(moderator) });
    assert.equal(r.status, 422, JSON.stringify(json));
    assert.equal(r.json.error.field, field);
  }
  // Every bad member is reported at once, in an errors list.
  const many = await call(srv.base, 'PATCH', '/api/v1/admin/settings',
    { json: { max_links: 500, require_approval: 'yes', max_depth: 3, hold_words: [''], colour: 'red' }, headers: bearer(moderator) });
  assert.equal(many.status, 422);
  assert.deepEqual(many.json.error.errors.map((x) => [x.code, x.field]), [['invalid_value', 'max_links'],
    ['invalid_value', 'require_approval'], ['invalid_value', 'hold_words'], ['unknown_setting', 'colour']]);
  assert.deepEqual([many.json.error.code, many.json.error.field], ['invalid_value', 'max_links']);
  assert.ok(many.json.error.errors.every((x) => x.message.length > 10));
  // All or nothing: one bad member stores nothing.
  await call(srv.base, 'PATCH', '/api/v1/admin/settings', { json: { max_links: 7, max_depth: 0 }, headers: bearer(moderator) });
  assert.equal(sql("SELECT value FROM settings WHERE name = 'max_links'")[0][0], '2');
  const ok = await call(srv.base, 'PATCH', '/api/v1/admin/settings', { json: { hold_words: ['  Refund ', 'refund', 'Bad Word'], max_links: 4 }, headers: bearer(moderator) });
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json.settings.hold_words, ['refund', 'bad word']);
  assert.equal(ok.json.settings.max_links, 4);
  // Both workers see it on their next request.
  const key = uniqueKey();
  const rs = await Promise.all([0, 1, 2, 3].map((i) => guestPost({ post: key, body: `a refund ${i}` }, freshIp(), { connection: 'close' })));
  for (const r of rs) assert.equal(stored(r.json.comment.id)[0], 'pending');
});

test('the admin listing filters, searches and pages; bulk actions change threads', async () => {
  defaults();
  const key = uniqueKey();
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const r = await guestPost({ post: key, body: `bulk ${i} 100%_sure`, author_email: `bulk${i}@example.org` }, `192.0.2.${200 + i}`);
    ids.push(r.json.comment.id);
  }
  const reply = (await guestPost({ post: key, body: 'a reply', parent_id: ids[0] })).json.comment.id;
  const list = (q) => call(srv.base, 'GET', `/api/v1/admin/comments?${q}`, { headers: bearer(moderator) });
  const byPost = await list(`post=${key}&limit=4`);
  assert.equal(byPost.json.comments.length, 4);
  assert.ok(byPost.json.next);
  const page2 = await list(`post=${key}&limit=4&after=${byPost.json.next}`);
  assert.deepEqual([...byPost.json.comments, ...page2.json.comments].map((c) => c.id).sort((a, b) => a - b), [...ids, reply]);
  assert.equal(page2.json.next, null);
  const c0 = byPost.json.comments.find((c) => c.id === reply);
  assert.equal(c0.parent.html, '<p>bulk 0 100%_sure</p>\n');
  assert.equal(c0.post, key);
  assert.equal(typeof c0.moderation.reason, 'string');
  assert.equal((await list('q=100%25_sure')).json.comments.length, 5);
  assert.equal((await list('q=100%25xsure')).json.comments.length, 0, '% and _ match literally');
  assert.equal((await list('email=BULK3@example.org')).json.comments[0].id, ids[3]);
  assert.equal((await list(`ip=192.0.2.200/30&post=${key}`)).json.comments.length, 4);
  assert.equal((await list('ip=nonsense')).status, 422);
  assert.equal((await list('status=weird')).status, 422);

  const mod = (action, which) => call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: { ids: which, action }, headers: bearer(moderator) });
  assert.deepEqual((await mod('spam', [ids[1], ids[2]])).json, { updated: 2 });
  assert.deepEqual((await mod('trash', [ids[3]])).json, { updated: 1 });
  const thread = async () => (await call(srv.base, 'GET', `/api/v1/comments?post=${key}`)).json.comments.map((c) => c.id);
  assert.deepEqual(await thread(), [ids[0], ids[4]]);
  assert.equal((await list(`post=${key}&status=spam`)).json.comments.length, 2);
  assert.ok((await list('status=spam')).json.counts.spam >= 2);
  assert.deepEqual((await mod('restore', [ids[1], ids[2], ids[3]])).json, { updated: 3 });
  assert.deepEqual(await thread(), ids);
  assert.deepEqual((await mod('delete', [ids[0]])).json, { updated: 1 });
  const t = (await call(srv.base, 'GET', `/api/v1/comments?post=${key}`)).json.comments;
  assert.ok(t.some((c) => c.id === reply), 'the reply of a deleted comment stays');
  assert.equal(sql(`SELECT count(*) FROM comments WHERE id = ${ids[0]}`)[0][0], '0');
  for (const bad of [{ ids: [], action: 'approve' }, { ids: ['1'], action: 'approve' }, { ids: [1], action: 'nuke' }]) {
    assert.equal((await call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: bad, headers: bearer(moderator) })).status, 422);
  }
  const edit = await call(srv.base, 'PATCH', `/api/v1/admin/comments/${ids[4]}`, { json: { body: 'edited by a **moderator**' }, headers: bearer(moderator) });
  assert.equal(edit.json.html, '<p>edited by a <strong>moderator</strong></p>\n');
  assert.ok(edit.json.edited_at);
  assert.equal((await call(srv.base, 'PATCH', '/api/v1/admin/comments/999999999', { json: { body: 'x' }, headers: bearer(moderator) })).status, 404);
});

test('restore returns a comment where it was before spam or the trash; hold sends it to the queue', async () => {
  defaults({ disallowed_words: ['casino'] });
  const key = uniqueKey();
  const mod = (action, ids) => call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: { ids, action }, headers: bearer(moderator) });
  const status = (id) => stored(id)[0];
  const publicIds = async () => (await call(srv.base, 'GET', `/api/v1/comments?post=${key}`)).json.comments.map((c) => c.id);

  setSettings({ require_approval: true });
  const held = (await guestPost({ post: key, body: 'held, then trashed' })).json.comment.id;
  const held2 = (await guestPost({ post: key, body: 'held, then spam' })).json.comment.id;
  setSettings({ require_approval: false });
  const shown = (await guestPost({ post: key, body: 'published, then spam, then trash' })).json.comment.id;
  const judged = (await guestPost({ post: key, body: 'casino' })).json.comment.id;
  const own = await guestPost({ post: key, body: 'deleted by its author' });
  assert.deepEqual([status(held), status(held2), status(shown), status(judged)], ['pending', 'pending', 'approved', 'spam']);

  assert.deepEqual((await mod('trash', [held])).json, { updated: 1 });
  assert.deepEqual((await mod('spam', [held2])).json, { updated: 1 });
  await mod('spam', [shown]);
  await mod('trash', [shown]);
  assert.equal((await call(srv.base, 'DELETE', `/api/v1/comments/${own.json.comment.id}`, { headers: { 'x-edit-token': own.json.edit_token, ...from(freshIp()) } })).status, 204);

  assert.deepEqual((await mod('restore', [held, held2, shown, judged, own.json.comment.id])).json, { updated: 5 });
  assert.equal(status(held), 'pending', 'a held comment trashed and restored is back in the queue');
  assert.equal(status(held2), 'pending', 'a held comment marked spam and restored is back in the queue');
  assert.equal(status(shown), 'approved', 'a published comment comes back published, through spam and trash');
  assert.equal(status(judged), 'pending', 'the pipeline\'s spam was never approved: restore holds it');
  assert.equal(status(own.json.comment.id), 'approved');
  assert.deepEqual((await publicIds()).sort(), [shown, own.json.comment.id].sort());
  assert.deepEqual((await mod('restore', [held, shown])).json, { updated: 0 }, 'restore leaves the queue and the thread alone');

  assert.deepEqual((await mod('hold', [shown])).json, { updated: 1 });
  assert.equal(status(shown), 'pending');
  assert.deepEqual(await publicIds(), [own.json.comment.id]);
  const log = (await call(srv.base, 'GET', '/api/v1/admin/audit?limit=200', { headers: bearer(moderator) })).json.entries;
  const restored = log.find((e) => e.action === 'comment.restore' && e.target.id === String(held));
  assert.deepEqual([restored.before.status, restored.after.status], ['deleted', 'pending']);
  assert.ok(log.some((e) => e.action === 'comment.hold' && e.target.id === String(shown)));
});

test('the audit log records who did what, and cannot be changed', async () => {
  defaults();
  const key = uniqueKey();
  const c = (await guestPost({ post: key, body: 'audit me' })).json.comment;
  await call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: { ids: [c.id], action: 'spam' }, headers: bearer(moderator) });
  await call(srv.base, 'PATCH', `/api/v1/admin/users/${reader.id}`, { json: { role: 'moderator' }, headers: bearer(admin) });
  await call(srv.base, 'PATCH', `/api/v1/admin/users/${reader.id}`, { json: { role: 'reader' }, headers: bearer(admin) });
  assert.equal((await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(reader) })).status, 401,
    'a change of role ends the account\'s sessions');
  reader.token = await relogin('reader@example.org');
  const log = await call(srv.base, 'GET', '/api/v1/admin/audit?limit=200', { headers: bearer(moderator) });
  assert.equal(log.status, 200);
  const spam = log.json.entries.find((e) => e.action === 'comment.spam' && e.target.id === String(c.id));
  assert.ok(spam, 'comment.spam entry');
  assert.match(spam.actor.name, /mod/);
  assert.equal(spam.before.status, 'approved');
  assert.equal(spam.after.status, 'spam');
  const role = log.json.entries.find((e) => e.action === 'user.role' && e.target.id === String(reader.id));
  assert.deepEqual([role.before, role.after], [{ role: 'moderator' }, { role: 'reader' }]);
  assert.ok(log.json.entries.some((e) => e.action === 'settings.update'));
  assert.ok(log.json.entries.some((e) => e.action === 'ban.create'));
  assert.throws(() => sql('UPDATE audit_log SET action = \'x\''));
  assert.throws(() => sql('DELETE FROM audit_log'));
  const page = await call(srv.base, 'GET', '/api/v1/admin/audit?limit=1', { headers: bearer(moderator) });
  assert.equal(page.json.entries.length, 1);
  const next = await call(srv.base, 'GET', `/api/v1/admin/audit?limit=1&after=${page.json.next}`, { headers: bearer(moderator) });
  assert.ok(next.json.entries[0].id < page.json.entries[0].id);
});

test('roles: admins change them; the last admin cannot step down', async () => {
  const users = await call(srv.base, 'GET', '/api/v1/admin/users?q=reader', { headers: bearer(admin) });
  assert.ok(users.json.users.some((u) => u.email === 'reader@example.org'));
  const r = await call(srv.base, 'PATCH', `/api/v1/admin/users/${admin.id}`, { json: { role: 'reader' }, headers: bearer(admin) });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'last_admin');
  assert.equal((await call(srv.base, 'PATCH', `/api/v1/admin/users/${reader.id}`, { json: { role: 'owner' }, headers: bearer(admin) })).status, 422);
  assert.equal((await call(srv.base, 'PATCH', '/api/v1/admin/users/999999', { json: { role: 'reader' }, headers: bearer(admin) })).status, 404);
});

test('a reply goes only under an approved comment or under one\'s own held one', async () => {
  defaults({ hold_words: ['hold'] });
  const key = uniqueKey();
  const held = (await guestPost({ post: key, body: 'please hold this' })).json.comment;
  assert.equal(held.status, 'pending');
  const r = await guestPost({ post: key, body: 'replying blind', parent_id: held.id });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'parent_not_found');
  // A member may answer their own held comment.
  const mine = (await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'hold mine' }, headers: { ...bearer(reader), ...from(freshIp()) } })).json.comment;
  assert.equal(mine.status, 'pending');
  const own = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'and more', parent_id: mine.id }, headers: { ...bearer(reader), ...from(freshIp()) } });
  assert.equal(own.status, 201);
});

test('admin rows name the author\'s account and whether the post is open', async () => {
  defaults();
  const key = uniqueKey();
  await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'by a member' }, headers: { ...bearer(reader), ...from(freshIp()) } });
  await guestPost({ post: key, body: 'by a guest' });
  await call(srv.base, 'PATCH', `/api/v1/admin/posts?key=${key}`, { json: { open: false }, headers: bearer(moderator) });
  const rows = (await call(srv.base, 'GET', `/api/v1/admin/comments?post=${key}`, { headers: bearer(moderator) })).json.comments;
  assert.deepEqual(rows.map((c) => c.user_id).sort(), [reader.id, null].sort());
  assert.ok(rows.every((c) => c.post_open === false));
});
