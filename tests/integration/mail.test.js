// E-mail: reply notifications with double opt-in, RFC 8058 one-click
// unsubscribe, gathering, caps, a relay that goes away, a relay that
// refuses an address, members' and moderators' switches. A real Parley
// and PostgreSQL, and a real SMTP server (smtp_sink.js) as the relay.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, sleep, top } = require('./harness');
const { SmtpSink } = require('./smtp_sink');

const PW = 'a long enough password';
let srv;
let sink;
let admin;

before(async () => {
  sink = new SmtpSink();
  await sink.listen();
  srv = await startParley({ name: 'it-mail', env: { PARLEY_SMTP_URL: sink.url,
    PARLEY_MAIL_FROM: 'Comments <comments@blog.example.org>' } });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, srv.db], { stdio: 'ignore' });
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
  admin = login.json.token;
});

after(async () => {
  if (srv) await srv.stop();
  if (sink) await sink.close();
});

let seq = 0;
const fresh = (who = 'reader') => { seq += 1; return `${who}-${process.pid}-${seq}@example.org`; };
const bearer = (token) => ({ authorization: `Bearer ${token}` });

function post(json, headers = {}) {
  return call(srv.base, 'POST', '/api/v1/comments', { json: { author_name: 'Guest', ...json }, headers });
}

// The link of a kind ("confirm", "unsubscribe") in a mail's text.
function link(mail, kind) {
  const m = mail.parsed.text.match(new RegExp(`(http://\\S+/mail/${kind}\\?token=[A-Za-z0-9_-]{43})`));
  assert.ok(m, `no ${kind} link in:\n${mail.parsed.text}`);
  return m[1].slice(srv.base.length);
}

// The mails to address once n have come, and once the deliverer has
// recorded them: it stores each link's token just after its mail left,
// so a link opened at once could be unknown for a moment.
async function delivered(address, n = 1, ms = 10000) {
  const mails = await sink.waitFor(address, n, ms);
  const tokens = () => Number(sql(`SELECT count(*) FROM mail_tokens t JOIN mail_addresses a ON a.id = t.address_id
    WHERE lower(a.email) = lower('${address}')`)[0][0]);
  const deadline = Date.now() + 5000;
  while (tokens() < mails.length && Date.now() < deadline) await sleep(20);
  return mails;
}

// A comment asking for replies, and its address confirmed through the
// mailed link's page and button.
async function subscribedComment(key, email) {
  const r = await post({ post: key, body: 'Tell me when someone answers.', author_email: email, notify: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.mail, 'confirming');
  const [mail] = await delivered(email);
  const c = await call(srv.base, 'POST', link(mail, 'confirm'));
  assert.equal(c.status, 200, c.text);
  return r.json.comment.id;
}

// A header's value as sent (mailparser folds List-* headers into one).
function header(mail, name) {
  const line = mail.parsed.headerLines.find((h) => h.key === name.toLowerCase());
  return line ? line.line.slice(line.line.indexOf(':') + 1).trim() : undefined;
}

const addressState = (email) => sql(`SELECT state FROM mail_addresses WHERE lower(email) = lower('${email}')`)[0]?.[0];

// Nothing more reaches address within ms.
async function quiet(address, count, ms = 2500) {
  await sleep(ms);
  assert.equal(sink.to(address).length, count, `${address} got more mail`);
}

test('the thread says whether mail is on', async () => {
  const r = await call(srv.base, 'GET', `/api/v1/comments?post=${uniqueKey()}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.mail, true);
});

test('double opt-in: a GET of the link confirms nothing, its POST does, once', async () => {
  const email = fresh();
  const key = uniqueKey();
  const r = await post({ post: key, body: 'first', author_email: email, notify: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.mail, 'confirming');
  const [mail] = await delivered(email);
  assert.equal(mail.from, 'comments@blog.example.org');
  assert.match(mail.parsed.subject, /^Confirm e-mail from the comments on 127\.0\.0\.1:\d+$/);
  assert.equal(header(mail, 'Auto-Submitted'), 'auto-generated');
  assert.equal(header(mail, 'List-Unsubscribe'), undefined);
  const url = link(mail, 'confirm');
  // Only the hash of the token is stored.
  const token = url.split('=')[1];
  assert.equal(sql(`SELECT count(*) FROM mail_tokens WHERE encode(token_hash, 'escape') LIKE '%${token}%'`)[0][0], '0');

  // A scanner following the link: a page with a button, nothing done.
  const page = await call(srv.base, 'GET', url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, /<form method="post" action="\/mail\/confirm\?token=[A-Za-z0-9_-]{43}"><button type="submit">Confirm<\/button>/);
  assert.ok(!page.text.includes(email), 'the page shows the address masked');
  assert.equal(addressState(email), 'unconfirmed');
  assert.equal((await call(srv.base, 'HEAD', url)).status, 200);
  assert.equal(addressState(email), 'unconfirmed');

  const ok = await call(srv.base, 'POST', url);
  assert.equal(ok.status, 200);
  assert.match(ok.text, /Confirmed/);
  assert.equal(addressState(email), 'confirmed');
  // Single use.
  assert.equal((await call(srv.base, 'POST', url)).status, 410);
  assert.equal((await call(srv.base, 'GET', url)).status, 410);
  // A wrong or malformed token.
  assert.equal((await call(srv.base, 'POST', `/mail/confirm?token=${'A'.repeat(43)}`)).status, 404);
  assert.equal((await call(srv.base, 'GET', '/mail/confirm?token=short')).status, 404);
  // Asked again once confirmed: no new confirmation.
  const again = await post({ post: key, body: 'second', author_email: email, notify: true });
  assert.equal(again.json.mail, 'subscribed');
  await quiet(email, 1, 1500);
});

test('a guest asking for replies must give an address', async () => {
  const r = await post({ post: uniqueKey(), body: 'x', notify: true });
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'required');
  assert.equal(r.json.error.field, 'author_email');
});

test('a confirmation expires after 48 hours', async () => {
  const email = fresh();
  await post({ post: uniqueKey(), body: 'x', author_email: email, notify: true });
  const [mail] = await delivered(email);
  sql(`UPDATE mail_tokens SET expires_at = now() - interval '1 second'
       WHERE address_id = (SELECT id FROM mail_addresses WHERE email = '${email}')`);
  const r = await call(srv.base, 'POST', link(mail, 'confirm'));
  assert.equal(r.status, 410);
  assert.equal(addressState(email), 'unconfirmed');
});

test('an approved reply mails the parent\'s author once, with both unsubscribe headers', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  const r = await post({ post: key, parent_id: parent, author_name: 'Bob <b>', body: 'An *answer*\n\nwith two paragraphs.' });
  assert.equal(r.status, 201);
  const mails = await delivered(email, 2);
  const m = mails[1];
  assert.equal(m.parsed.subject, `New reply to your comment on 127.0.0.1:${srv.port}`);
  assert.match(header(m, 'List-Unsubscribe'), /^<http:\/\/127\.0\.0\.1:\d+\/mail\/unsubscribe\?token=[A-Za-z0-9_-]{43}>$/);
  assert.equal(header(m, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
  assert.equal(header(m, 'Auto-Submitted'), 'auto-generated');
  assert.match(m.parsed.text, /Bob <b> replied to your comment on a post:/);
  assert.match(m.parsed.text, /> An \*answer\*/);
  assert.match(m.parsed.text, new RegExp(`thread\\.html\\?post=${key}#parley-comment-${r.json.comment.id}`));
  await quiet(email, 2);
});

test('a reply mail links a post\'s URL only when its origin is allowed, else thread.html', async () => {
  const reply = async (url) => {
    const email = fresh();
    const key = uniqueKey();
    const parent = await subscribedComment(key, email);
    sql(`UPDATE posts SET url = '${url}' WHERE key = '${key}'`);	// stored before the check, say
    const r = await post({ post: key, parent_id: parent, author_name: 'Bob', body: 'An answer' });
    assert.equal(r.status, 201, r.text);
    const mails = await delivered(email, 2);
    return { text: mails[1].parsed.text, key, id: r.json.comment.id };
  };
  const bad = await reply('http://evil.example.test/phish');
  assert.ok(!bad.text.includes('evil.example.test'), bad.text);
  assert.match(bad.text, new RegExp(`thread\\.html\\?post=${bad.key}#parley-comment-${bad.id}`));
  // On this server's configured origin: linked.
  const ok = await reply(`http://127.0.0.1:${srv.port}/blog/post`);
  assert.ok(ok.text.includes(`http://127.0.0.1:${srv.port}/blog/post#parley-comment-${ok.id}`), ok.text);
});

test('a held reply mails nothing until a moderator approves it', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  setSettings({ require_approval: true });
  try {
    const r = await post({ post: key, parent_id: parent, body: 'held for now' });
    assert.equal(r.json.comment.status, 'pending');
    await quiet(email, 1);
    const ok = await call(srv.base, 'POST', '/api/v1/admin/comments/moderate',
      { json: { ids: [r.json.comment.id], action: 'approve' }, headers: bearer(admin) });
    assert.equal(ok.status, 200, ok.text);
    const mails = await delivered(email, 2);
    assert.match(mails[1].parsed.text, /held for now/);
  } finally {
    setSettings({ require_approval: false });
  }
});

test('spam and self-replies mail nothing', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  // The author answers themselves.
  const self = await post({ post: key, parent_id: parent, author_email: email.toUpperCase(), body: 'me again' });
  assert.equal(self.status, 201);
  setSettings({ disallowed_words: ['viagra'] });
  try {
    const spam = await post({ post: key, parent_id: parent, body: 'cheap viagra' });
    assert.equal(spam.status, 201);
    // Spam asking for mail is answered like anything held.
    const spam2 = await post({ post: key, body: 'viagra', author_email: fresh('spam'), notify: true });
    assert.equal(spam2.json.mail, 'confirming');
  } finally {
    setSettings({ disallowed_words: [] });
  }
  await quiet(email, 1);
  assert.equal(sql("SELECT count(*) FROM mail_addresses WHERE email LIKE 'spam-%'")[0][0], '0');
});

test('five quick replies give one mail; the rest wait 15 minutes and come in the next', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  const ids = [];
  for (let i = 1; i <= 5; i++) {
    const r = await post({ post: key, parent_id: parent, body: `reply number ${i}` });
    ids.push(r.json.comment.id);
  }
  await delivered(email, 2);
  await quiet(email, 2);
  const first = sink.to(email)[1].parsed.text;
  const told = (text) => ids.filter((id) => text.includes(`#parley-comment-${id}`));
  const waiting = sql(`SELECT extract(epoch FROM next_at - now()) FROM mail_outbox o JOIN mail_addresses a ON a.id = o.address_id
                       WHERE a.email = '${email}' AND o.state = 'pending' AND o.kind = 'replies'`);
  assert.equal(waiting.length, told(first).length === 5 ? 0 : 1);
  if (waiting.length) {
    assert.ok(Number(waiting[0][0]) > 14 * 60, `the next mail is due in ${waiting[0][0]} s`);
    // Fifteen minutes later.
    sql(`UPDATE mail_outbox SET next_at = now() WHERE state = 'pending' AND address_id =
         (SELECT id FROM mail_addresses WHERE email = '${email}')`);
    const mails = await delivered(email, 3);
    const second = mails[2].parsed.text;
    assert.deepEqual([...told(first), ...told(second)].sort(), ids.slice().sort());
    assert.match(mails[2].parsed.subject, /^\d new replies to your comments on /);
  }
  await quiet(email, waiting.length ? 3 : 2, 1500);
});

test('one-click unsubscribe (RFC 8058) stops the next mail; repeating it is harmless', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  await post({ post: key, parent_id: parent, body: 'one' });
  const [, m] = await delivered(email, 2);
  const target = header(m, 'List-Unsubscribe').match(/\/mail\/unsubscribe\?token=[A-Za-z0-9_-]{43}/)[0];
  assert.equal(target, link(m, 'unsubscribe'));
  // The page asks first; GET does nothing.
  const page = await call(srv.base, 'GET', target);
  assert.equal(page.status, 200);
  assert.match(page.text, /<button type="submit">Unsubscribe<\/button>/);
  assert.equal(addressState(email), 'confirmed');
  // What a mail provider sends: no login, no cookie, a form body.
  const oneClick = () => call(srv.base, 'POST', target, { body: 'List-Unsubscribe=One-Click',
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const r1 = await oneClick();
  assert.equal(r1.status, 200, r1.text);
  assert.equal(addressState(email), 'unsubscribed');
  const r2 = await oneClick();
  assert.equal(r2.status, 200);
  sql(`UPDATE mail_addresses SET replies_sent_at = NULL WHERE email = '${email}'`);
  await post({ post: key, parent_id: parent, body: 'two' });
  await quiet(email, 2);
  assert.equal((await call(srv.base, 'POST', `/mail/unsubscribe?token=${'B'.repeat(43)}`)).status, 404);
});

test('the relay down: nothing is lost, and the mail goes when it is back', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  const port = sink.port;
  await sink.close();
  try {
    const r = await post({ post: key, parent_id: parent, body: 'while the relay is away' });
    assert.equal(r.status, 201);
    const q = () => sql(`SELECT o.state, o.attempts, coalesce(o.last_error, '') FROM mail_outbox o JOIN mail_addresses a
                         ON a.id = o.address_id WHERE a.email = '${email}' AND o.kind = 'replies'`)[0];
    const deadline = Date.now() + 10000;
    while (!(q() && Number(q()[1]) >= 1)) {
      assert.ok(Date.now() < deadline, 'no attempt was made');
      await sleep(100);
    }
    const [state, , error] = q();
    assert.equal(state, 'pending');
    // Refused, or (a connection kept from before) told to go away.
    assert.match(error, /connect|refused|421/i);
  } finally {
    await sink.listen(port);
  }
  // The retry's backoff, skipped.
  sql(`UPDATE mail_outbox SET next_at = now() WHERE state = 'pending' AND address_id =
       (SELECT id FROM mail_addresses WHERE email = '${email}')`);
  const mails = await delivered(email, 2);
  assert.match(mails[1].parsed.text, /while the relay is away/);
});

test('a permanent 5xx for the address suppresses it', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  sink.refuse.add(email);
  try {
    await post({ post: key, parent_id: parent, body: 'to a gone mailbox' });
    const deadline = Date.now() + 10000;
    const state = () => sql(`SELECT o.state, o.last_status FROM mail_outbox o JOIN mail_addresses a ON a.id = o.address_id
                             WHERE a.email = '${email}' AND o.kind = 'replies'`)[0];
    while (state()?.[0] !== 'failed') {
      assert.ok(Date.now() < deadline, `still ${state()}`);
      await sleep(100);
    }
    assert.equal(state()[1], '550');
    assert.equal(sql(`SELECT count(*) FROM mail_suppressions WHERE email_hash = mail_email_hash('${email.toUpperCase()}')`)[0][0], '1');
    // Only a hash is kept.
    assert.equal(sql(`SELECT count(*) FROM mail_suppressions WHERE reason LIKE '%${email}%'`)[0][0], '0');
    const again = await post({ post: key, body: 'mail me', author_email: email, notify: true });
    assert.equal(again.json.mail, 'suppressed');
  } finally {
    sink.refuse.delete(email);
  }
});

test('the caps: past the hourly cap for an address, its mail waits', async () => {
  const email = fresh();
  const key = uniqueKey();
  const parent = await subscribedComment(key, email);
  setSettings({ mail_recipient_hourly_max: 1 });
  try {
    await post({ post: key, parent_id: parent, body: 'capped' });
    await quiet(email, 1);
    const [wait] = sql(`SELECT extract(epoch FROM o.next_at - now()) FROM mail_outbox o JOIN mail_addresses a ON a.id = o.address_id
                        WHERE a.email = '${email}' AND o.state = 'pending'`)[0];
    assert.ok(Number(wait) > 50 * 60, `due in ${wait} s`);
  } finally {
    setSettings({ mail_recipient_hourly_max: 6 });
  }
});

test('no user text reaches a header', async () => {
  const email = fresh();
  const key = uniqueKey();
  const r0 = await post({ post: key, post_title: 'Title\u202e Bcc: victim@example.org', body: 'x', author_email: email, notify: true });
  assert.equal(r0.status, 201, r0.text);
  const [c] = await delivered(email);
  assert.equal((await call(srv.base, 'POST', link(c, 'confirm'))).status, 200);
  await post({ post: key, parent_id: r0.json.comment.id, author_name: 'Eve Bcc: victim@example.org',
    body: 'line\r\n.\r\nMAIL FROM:<x@example.org>\r\nSubject: hi' });
  const [, m] = await delivered(email, 2);
  assert.deepEqual(m.to, [email]);
  assert.equal(m.parsed.bcc, undefined);
  const head = m.raw.split('\r\n\r\n')[0];
  assert.ok(!/victim|Eve/.test(head), head);
  assert.match(m.parsed.text, /MAIL FROM:<x@example\.org>/);
  assert.equal(sink.to('victim@example.org').length, 0);
});

test('members switch replies on and off; moderators get digests of held comments', async () => {
  const email = fresh('member');
  const reg = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email, password: PW, name: 'Member' } });
  assert.equal(reg.status, 201, reg.text);
  const me = bearer(reg.json.token);
  let r = await call(srv.base, 'GET', '/api/v1/me/mail', { headers: me });
  assert.deepEqual(r.json, { mail: { enabled: true, notify_replies: false, mail_held: false, address: null } });
  r = await call(srv.base, 'PATCH', '/api/v1/me/mail', { json: { notify_replies: 'yes' }, headers: me });
  assert.equal(r.status, 422);
  r = await call(srv.base, 'PATCH', '/api/v1/me/mail', { json: { mail_held: true }, headers: me });
  assert.equal(r.status, 403);
  r = await call(srv.base, 'PATCH', '/api/v1/me/mail', { json: { notify_replies: true }, headers: me });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.mail, { enabled: true, notify_replies: true, mail_held: false, address: 'confirming' });
  const [c] = await delivered(email);
  assert.equal((await call(srv.base, 'POST', link(c, 'confirm'))).status, 200);
  r = await call(srv.base, 'GET', '/api/v1/me/mail', { headers: me });
  assert.equal(r.json.mail.address, 'subscribed');

  const key = uniqueKey();
  const mine = await post({ post: key, body: 'a member\'s comment' }, me);
  assert.equal(mine.status, 201, mine.text);
  await post({ post: key, parent_id: mine.json.comment.id, body: 'an answer to the member' });
  const mails = await delivered(email, 2);
  assert.match(mails[1].parsed.text, /an answer to the member/);
  // Off: no more.
  r = await call(srv.base, 'PATCH', '/api/v1/me/mail', { json: { notify_replies: false }, headers: me });
  assert.equal(r.json.mail.notify_replies, false);
  sql(`UPDATE mail_addresses SET replies_sent_at = NULL WHERE email = '${email}'`);
  await post({ post: key, parent_id: mine.json.comment.id, body: 'another answer' });
  await quiet(email, 2);

  // A moderator's digest.
  sql(`UPDATE users SET role = 'moderator' WHERE email = '${email}'`);
  const mod = bearer((await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email, password: PW } })).json.token);
  r = await call(srv.base, 'PATCH', '/api/v1/me/mail', { json: { mail_held: true }, headers: mod });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.mail.mail_held, true);
  setSettings({ hold_words: ['hold-me'] });
  try {
    const held = await post({ post: key, author_name: 'Mallory', body: 'please hold-me' });
    assert.equal(held.json.comment.status, 'pending');
    const d = await delivered(email, 3);
    assert.equal(d[2].parsed.subject, `1 held comment on 127.0.0.1:${srv.port}`);
    assert.match(d[2].parsed.text, /Mallory on a post \(.*hold-me.*\):/);
    assert.match(d[2].parsed.text, /Review them: http:\/\/127\.0\.0\.1:\d+\/admin#\/queue/);
    assert.ok(header(d[2], 'List-Unsubscribe'));
  } finally {
    setSettings({ hold_words: [] });
  }
});

test('with no relay configured, mail is off and says so', async () => {
  const off = await startParley({ name: 'it-mail-off' });
  try {
    const t = await call(off.base, 'GET', `/api/v1/comments?post=${uniqueKey()}`);
    assert.equal(t.json.mail, false);
    const r = await call(off.base, 'POST', '/api/v1/comments',
      { json: { post: uniqueKey(), author_name: 'G', author_email: fresh(), body: 'x', notify: true } });
    assert.equal(r.status, 201);
    assert.equal(r.json.mail, 'off');
    const bad = await call(off.base, 'POST', '/api/v1/comments',
      { json: { post: uniqueKey(), author_name: 'G', body: 'x', notify: 'yes' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.field, 'notify');
    const reg = await call(off.base, 'POST', '/api/v1/auth/register', { json: { email: fresh(), password: PW, name: 'M' } });
    const p = await call(off.base, 'PATCH', '/api/v1/me/mail', { json: { notify_replies: true }, headers: bearer(reg.json.token) });
    assert.equal(p.status, 409);
    assert.equal(p.json.error.code, 'mail_off');
  } finally {
    await off.stop();
    srv.use();
  }
});
