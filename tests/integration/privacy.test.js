// Privacy: a guest's mailed link (download or erase, once), a member's
// export and erasure, a moderator's for an address, and the retention of
// network addresses. A real Parley and PostgreSQL, a real SMTP server
// (smtp_sink.js) and a hook receiver that verifies with standardwebhooks.
// After the erasures, pg_dump --data-only of the whole database must hold
// nothing of the people erased.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, uniqueKey, sleep, top } = require('./harness');
const { SmtpSink } = require('./smtp_sink');
const { startReceiver, verify } = require('./hook_receiver');

const PW = 'a long enough password';
const PG_PORT = process.env.PARLEY_PG_PORT || 54329;
const pgBin = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => a - b)
  .map((v) => path.join('/usr/lib/postgresql', v, 'bin')).pop();

let srv;
let sink;
let rcv;
let admin;
let hookSecret;

before(async () => {
  sink = new SmtpSink();
  await sink.listen();
  rcv = await startReceiver();
  srv = await startParley({ name: 'it-privacy', env: {
    PARLEY_SMTP_URL: sink.url, PARLEY_MAIL_FROM: 'Comments <comments@blog.example.org>',
    PARLEY_TRUSTED_PROXIES: '127.0.0.1' } });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, srv.db], { stdio: 'ignore' });
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
  admin = { authorization: `Bearer ${login.json.token}` };
  const hook = await call(srv.base, 'POST', '/api/v1/admin/hooks',
    { json: { url: rcv.url, kind: 'event', events: [], enabled: true }, headers: admin });
  assert.equal(hook.status, 201, hook.text);
  hookSecret = hook.json.secret;
});

after(async () => {
  if (srv) await srv.stop();
  if (sink) await sink.close();
  if (rcv) await rcv.stop();
});

let seq = 0;
const fresh = (who) => { seq += 1; return `${who}-${process.pid}-${seq}@example.org`; };
const from = (ip) => ({ 'x-forwarded-for': ip });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const sha256 = (s) => crypto.createHash('sha256').update(s.toLowerCase()).digest('hex');

function post(json, headers = {}) {
  return call(srv.base, 'POST', '/api/v1/comments', { json, headers });
}

async function comment(json, headers) {
  const r = await post(json, headers);
  assert.equal(r.status, 201, r.text);
  return r.json.comment.id;
}

const ask = (email, headers = {}) =>
  call(srv.base, 'POST', '/api/v1/privacy/request', { json: { email }, headers });

// The privacy link in the mail, as a path.
async function mailedLink(email) {
  const subject = /^Your data in the comments on 127\.0\.0\.1:\d+$/;
  const deadline = Date.now() + 15000;
  let mail;
  while (!(mail = sink.to(email).find((m) => subject.test(m.parsed.subject)))) {
    assert.ok(Date.now() < deadline, `no privacy mail to ${email}`);
    await sleep(50);
  }
  assert.equal(mail.parsed.headers.get('list-unsubscribe'), undefined);
  const m = mail.parsed.text.match(/http:\/\/\S+(\/privacy\?token=[A-Za-z0-9_-]{43})/);
  assert.ok(m, `no privacy link in:\n${mail.parsed.text}`);
  // The deliverer records the link's token just after the mail left.
  while ((await call(srv.base, 'GET', m[1])).status === 404) {
    assert.ok(Date.now() < deadline, 'the link was never recorded');
    await sleep(20);
  }
  return m[1];
}

const form = (url, body) => call(srv.base, 'POST', url,
  { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function register(email, name, ip) {
  const r = await call(srv.base, 'POST', '/api/v1/auth/register',
    { json: { email, name, password: PW }, headers: from(ip) });
  assert.equal(r.status, 201, r.text);
  return r.json.token;
}

const thread = async (key) => {
  const r = await call(srv.base, 'GET', `/api/v1/comments?post=${key}&limit=100`);
  assert.equal(r.status, 200, r.text);
  const all = [];
  const walk = (list) => { for (const c of list) { all.push(c); walk(c.replies || []); } };
  walk(r.json.comments);
  return new Map(all.map((c) => [c.id, c]));
};

test('asking for a link: the same 202 for any address, the same work, a link only where there is data', async () => {
  const key = uniqueKey();
  const known = Array.from({ length: 24 }, () => fresh('known'));
  // One statement: a keep-alive connection left idle past Kore's header
  // timeout is answered 408.
  sql(`WITH p AS (INSERT INTO posts (key) VALUES ('${key}') RETURNING id)
    INSERT INTO comments (post_id, author_name, author_email, body, html, status)
    SELECT p.id, 'Someone', e, 'hello', '<p>hello</p>', 'approved'
    FROM p, unnest(ARRAY['${known.join("','")}']) e`);
  const unknown = known.map((_, i) => fresh(`unknown${i}`));
  const times = { known: [], unknown: [] };
  let body;
  for (let i = 0; i < known.length; i += 1) {
    for (const [kind, email] of [['known', known[i]], ['unknown', unknown[i]]]) {
      const t0 = process.hrtime.bigint();
      const r = await ask(email);
      times[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(r.status, 202, r.text);
      body ??= r.text;
      assert.equal(r.text, body, 'every address gets the same answer');
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const mk = median(times.known);
  const mu = median(times.unknown);
  // No argon2 and no mail on the request path: both are one insert. A
  // mail sent on the path (tens of ms) or a hash (hundreds) would show.
  assert.ok(Math.abs(mk - mu) < 10, `known ${mk.toFixed(2)} ms vs unknown ${mu.toFixed(2)} ms`);

  await sink.waitFor(known[0]);
  await sink.waitFor(known[known.length - 1]);
  await sleep(1500);
  for (const email of unknown) assert.equal(sink.to(email).length, 0, `${email} has no data and gets no mail`);
  assert.equal(sql('SELECT count(*) FROM privacy_requests')[0][0], '0', 'requests are forgotten once read');

  // Bad input is refused plainly.
  assert.equal((await ask('not an address')).status, 422);
  const none = await call(srv.base, 'POST', '/api/v1/privacy/request', { json: {} });
  assert.equal(none.status, 422);
  assert.equal(none.json.error.field, 'email');
  // Asked again at once: no second mail within 10 minutes.
  assert.equal((await ask(known[0])).status, 202);
  await sleep(1500);
  assert.equal(sink.to(known[0]).length, 1);
});

test('the /privacy page asks for a link with a plain form', async () => {
  const page = await call(srv.base, 'GET', '/privacy');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, /<form method="post" action="\/privacy\/request">/);
  const email = fresh('formguest');
  await comment({ post: uniqueKey(), author_name: 'Form Guest', author_email: email, body: 'by form' });
  const r = await form('/privacy/request', `email=${encodeURIComponent(email)}`);
  assert.equal(r.status, 202);
  assert.match(r.text, /Check your mail/);
  await mailedLink(email);
});

test('a guest\'s link: a page that does nothing, one download, then refused; wrong and expired links refused', async () => {
  const key = uniqueKey();
  const email = fresh('guest');
  const id = await comment({ post: key, author_name: 'Linked Guest', author_email: email, body: 'my words', notify: true });
  assert.equal((await ask(email)).status, 202);
  const url = await mailedLink(email);

  const page = await call(srv.base, 'GET', url);
  assert.equal(page.status, 200);
  assert.match(page.text, /action="\/privacy\?token=[A-Za-z0-9_-]{43}&amp;action=download"/);
  assert.match(page.text, /action="\/privacy\?token=[A-Za-z0-9_-]{43}&amp;action=erase"/);
  assert.match(page.text, /name="confirm" value="yes" required/);
  assert.ok(!page.text.includes(email), 'the page shows the address masked');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal((await call(srv.base, 'HEAD', url)).status, 200);

  const dl = await call(srv.base, 'POST', `${url}&action=download`);
  assert.equal(dl.status, 200, dl.text);
  assert.match(dl.headers.get('content-disposition'), /^attachment; filename="parley-my-data\.json"$/);
  assert.equal(dl.json.format, 'parley-personal-data/1');
  assert.equal(dl.json.email, email);
  assert.equal(dl.json.account, null);
  assert.deepEqual(dl.json.comments.map((c) => [c.id, c.body, c.post.key, c.status]), [[id, 'my words', key, 'approved']]);
  assert.equal(dl.json.comments[0].notify_replies, true);
  assert.equal(dl.json.subscriptions.length, 1);
  assert.ok(dl.json.consent.some((c) => /reply notifications/.test(c.what)));

  // Once.
  assert.equal((await call(srv.base, 'POST', `${url}&action=download`)).status, 410);
  assert.equal((await call(srv.base, 'GET', url)).status, 410);
  assert.equal((await form(`${url}&action=erase`, 'confirm=yes')).status, 410);
  assert.equal(sql(`SELECT count(*) FROM comments WHERE id = ${id}`)[0][0], '1', 'a used link erases nothing');
  // Wrong tokens.
  assert.equal((await call(srv.base, 'GET', `/privacy?token=${'A'.repeat(43)}`)).status, 404);
  assert.equal((await call(srv.base, 'POST', `/privacy?token=${'A'.repeat(43)}&action=download`)).status, 404);
  assert.equal((await call(srv.base, 'GET', '/privacy?token=short')).status, 404);

  // An expired link.
  const other = fresh('late');
  await comment({ post: key, author_name: 'Late Guest', author_email: other, body: 'late words' });
  await ask(other);
  const late = await mailedLink(other);
  sql(`UPDATE mail_tokens SET expires_at = now() - interval '1 second' WHERE kind = 'privacy'
    AND address_id = (SELECT id FROM mail_addresses WHERE lower(email) = lower('${other}'))`);
  assert.equal((await call(srv.base, 'GET', late)).status, 410);
  assert.equal((await call(srv.base, 'POST', `${late}&action=download`)).status, 410);
  // An erasure needs its box ticked.
  const fresh2 = fresh('unticked');
  await comment({ post: key, author_name: 'Unticked', author_email: fresh2, body: 'keep me' });
  await ask(fresh2);
  const unticked = await mailedLink(fresh2);
  assert.equal((await form(`${unticked}&action=erase`, '')).status, 422);
  assert.equal(sql(`SELECT count(*) FROM comments WHERE author_email = '${fresh2}'`)[0][0], '1');
});

test('a member\'s export: account, sessions without tokens, comments, votes, subscription', async () => {
  const email = fresh('exporter');
  const token = await register(email, 'Export Member', '198.18.9.1');
  const key = uniqueKey();
  const other = await comment({ post: key, author_name: 'Other', author_email: fresh('other'), body: 'other words' });
  const mine = await comment({ post: key, body: 'member words' }, bearer(token));
  assert.equal((await call(srv.base, 'POST', `/api/v1/comments/${other}/vote`, { json: { value: 1 }, headers: bearer(token) })).status, 200);
  assert.equal((await call(srv.base, 'GET', '/api/v1/me/export')).status, 401);
  const r = await call(srv.base, 'GET', '/api/v1/me/export', { headers: bearer(token) });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition'), /^attachment/);
  assert.equal(r.json.account.email, email);
  assert.equal(r.json.account.name, 'Export Member');
  assert.equal(r.json.sessions.length, 1);
  assert.deepEqual(Object.keys(r.json.sessions[0]).sort(), ['created_at', 'expires_at', 'last_used_at']);
  assert.ok(!r.text.includes(token), 'no session token in the export');
  assert.ok(!r.text.includes('argon2'), 'no password hash in the export');
  assert.deepEqual(r.json.comments.map((c) => c.id), [mine]);
  assert.deepEqual(r.json.votes.map((v) => [v.comment_id, v.value, v.post]), [[other, 1, key]]);
});

test('erasing a guest (by the link) and a member (DELETE /api/v1/me): threads keep their shape, scores are right, pg_dump holds nothing of them', async () => {
  const key = uniqueKey();
  const guest = { name: 'Zelda Quuxington', email: fresh('zelda'), url: 'https://zelda-quux.example.net', ip: '203.0.113.77' };
  const member = { name: 'Marvin Plumtree', email: fresh('marvin'), ip: '203.0.113.78' };
  const words = {
    g1: 'Zelda thinks the ocelot sings', g2: 'Zelda held words about kumquats', g3: 'Zelda replies about tangerines',
    m1: 'Marvin writes on aardvarks', m2: 'Marvin leaf about zeppelins',
  };
  const bystander = { author_name: 'Bystander', author_email: fresh('by') };

  // The guest: a comment with a reply by someone else, a held comment a
  // moderator approves (audited with its text), a leaf reply; replies by
  // e-mail, confirmed.
  const g1 = await comment({ post: key, author_name: guest.name, author_email: guest.email, author_url: guest.url,
    body: words.g1, notify: true }, from(guest.ip));
  const [confirm] = await sink.waitFor(guest.email);
  const confirmUrl = confirm.parsed.text.match(/http:\/\/\S+(\/mail\/confirm\?token=\S+)/)[1];
  assert.equal((await call(srv.base, 'POST', confirmUrl)).status, 200);
  const r1 = await comment({ post: key, parent_id: g1, ...bystander, body: 'a reply to Zelda' }, from('198.51.100.9'));
  sql("UPDATE settings SET value = 'true' WHERE name = 'require_approval'");
  const g2 = await comment({ post: key, author_name: guest.name, author_email: guest.email, body: words.g2 }, from(guest.ip));
  sql("UPDATE settings SET value = 'false' WHERE name = 'require_approval'");
  const mod = await call(srv.base, 'POST', '/api/v1/admin/comments/moderate', { json: { ids: [g2], action: 'approve' }, headers: admin });
  assert.equal(mod.status, 200, mod.text);
  const g3 = await comment({ post: key, parent_id: r1, author_name: guest.name, author_email: guest.email, body: words.g3 }, from(guest.ip));

  // The member: a comment with a reply and a vote on it, a leaf, a vote on
  // the bystander's reply, a subscription, a failed login.
  const token = await register(member.email, member.name, member.ip);
  const m1 = await comment({ post: key, body: words.m1 }, { ...bearer(token), ...from(member.ip) });
  const m2 = await comment({ post: key, parent_id: g1, body: words.m2 }, { ...bearer(token), ...from(member.ip) });
  const r2 = await comment({ post: key, parent_id: m1, ...bystander, body: 'a reply to Marvin' }, from('198.51.100.9'));
  const voter = await register(fresh('voter'), 'Voter', '198.18.9.2');
  assert.equal((await call(srv.base, 'POST', `/api/v1/comments/${m1}/vote`, { json: { value: 1 }, headers: bearer(voter) })).status, 200);
  assert.equal((await call(srv.base, 'POST', `/api/v1/comments/${r1}/vote`, { json: { value: 1 }, headers: bearer(token) })).status, 200);
  assert.equal((await call(srv.base, 'POST', `/api/v1/comments/${r1}/vote`, { json: { value: 1 }, headers: bearer(voter) })).status, 200);
  assert.equal((await call(srv.base, 'PATCH', '/api/v1/me/mail', { json: { notify_replies: true }, headers: bearer(token) })).status, 200);
  assert.equal((await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: member.email, password: 'wrong password here' }, headers: from(member.ip) })).status, 401);
  await rcv.waitFor((q) => q.json?.data?.comment?.id === r2, 15000, 'the events about the seeded comments');

  // The guest erases through the link.
  assert.equal((await ask(guest.email)).status, 202);
  const url = await mailedLink(guest.email);
  const erased = await form(`${url}&action=erase`, 'confirm=yes');
  assert.equal(erased.status, 200, erased.text);
  assert.match(erased.text, /2 comment\(s\) deleted; 1 kept/);
  assert.equal((await call(srv.base, 'GET', url)).status, 404, 'the link goes with the address');

  // The member erases the account, with the password.
  const erase = (password) => call(srv.base, 'DELETE', '/api/v1/me',
    { headers: { ...bearer(token), ...(password === undefined ? {} : { 'x-parley-password': encodeURIComponent(password) }) } });
  const missing = await erase();
  assert.equal(missing.status, 422);
  assert.equal(missing.json.error.field, 'password');
  const wrong = await erase('not the password');
  assert.equal(wrong.status, 403);
  assert.equal(wrong.json.error.code, 'wrong_password');
  const gone = await erase(PW);
  assert.equal(gone.status, 200, gone.text);
  assert.deepEqual(gone.json.erased, { deleted: 1, anonymized: 1, votes: 1, account: true });
  assert.equal((await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(token) })).status, 401);

  // The thread keeps its shape: placeholders where others replied.
  const t = await thread(key);
  assert.ok(!t.has(g2) && !t.has(g3) && !t.has(m2), 'comments without replies are gone');
  for (const id of [g1, m1]) {
    const c = t.get(id);
    assert.ok(c, `placeholder ${id} kept`);
    assert.equal(c.status, 'deleted');
    assert.equal(c.author.name, '');
    assert.equal(c.author.url, null);
    assert.equal(c.html, '');
  }
  assert.equal(t.get(r1).parent_id, g1);
  assert.equal(t.get(r2).parent_id, m1);
  // Scores: the member's vote on r1 is gone, the vote on m1 went with it.
  assert.equal(t.get(r1).score, 1);
  assert.equal(sql(`SELECT score FROM comments WHERE id = ${m1}`)[0][0], '0');
  assert.equal(sql(`SELECT count(*) FROM votes WHERE comment_id = ${m1}`)[0][0], '0');

  // Suppressed by hash: a later request mails nothing, a subscription is refused.
  const hashes = sql('SELECT encode(email_hash, \'hex\') FROM mail_suppressions WHERE reason = \'erased\'').map((r) => r[0]);
  assert.ok(hashes.includes(sha256(guest.email)) && hashes.includes(sha256(member.email)));
  assert.deepEqual(sql(`SELECT mail_subscribe('${guest.email}'), mail_subscribe('${member.email}')`), [['suppressed', 'suppressed']]);
  assert.equal((await ask(guest.email)).status, 202);

  // The blog's own systems hear of it, signed.
  const ev = await rcv.waitFor((q) => q.headers['x-parley-event'] === 'commenter.erased'
    && q.json?.data?.commenter?.email_sha256 === sha256(guest.email));
  const payload = verify(hookSecret, ev);
  assert.deepEqual(payload.data.comments.anonymized, [g1]);
  assert.deepEqual([...payload.data.comments.deleted].sort((a, b) => a - b), [g2, g3].sort((a, b) => a - b));
  assert.equal(payload.data.by, 'link');
  const evm = await rcv.waitFor((q) => q.headers['x-parley-event'] === 'commenter.erased'
    && q.json?.data?.commenter?.email_sha256 === sha256(member.email));
  assert.equal(verify(hookSecret, evm).data.by, 'self');

  // The audit log records the erasures under the hashes and has lost the texts.
  const audits = sql("SELECT target_id, after->>'by' FROM audit_log WHERE action = 'privacy.erase'");
  assert.ok(audits.some(([h, by]) => h === sha256(guest.email) && by === 'link'));
  assert.ok(audits.some(([h, by]) => h === sha256(member.email) && by === 'self'));
  assert.equal(sql(`SELECT after->>'body' FROM audit_log WHERE target_type = 'comment' AND target_id = '${g2}'`)[0][0], '[erased]');

  // Nothing of them is left anywhere in the database.
  const dump = execFileSync(path.join(pgBin, 'pg_dump'), ['--data-only', '--no-owner', '-d',
    `host=${path.join(top, 'var', 'pg', 'run')} port=${PG_PORT} user=parley dbname=${srv.db}`],
  { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.ok(dump.includes('a reply to Zelda'), 'the dump is of this database');
  for (const s of [guest.name, guest.email, guest.url, guest.ip, member.name, member.email, member.ip,
    ...Object.values(words)]) {
    assert.ok(!dump.toLowerCase().includes(s.toLowerCase()), `pg_dump still holds ${s}`);
  }
  // The request made after the erasure mailed nothing.
  assert.equal(sink.to(guest.email).filter((m) => /^Your data/.test(m.parsed.subject)).length, 1);
});

test('moderators export and erase for an address, audited; staff accounts and readers are refused', async () => {
  const email = fresh('asked');
  const key = uniqueKey();
  const id = await comment({ post: key, author_name: 'Asked By Mail', author_email: email, body: 'please remove' });
  const token = await register(fresh('reader'), 'Plain Reader', '198.18.9.3');
  const reader = await call(srv.base, 'POST', '/api/v1/admin/privacy/erase', { json: { email }, headers: bearer(token) });
  assert.equal(reader.status, 403);
  const bad = await call(srv.base, 'POST', '/api/v1/admin/privacy/erase', { json: { email: 'nope' }, headers: admin });
  assert.equal(bad.status, 422);

  const ex = await call(srv.base, 'POST', '/api/v1/admin/privacy/export', { json: { email }, headers: admin });
  assert.equal(ex.status, 200, ex.text);
  assert.deepEqual(ex.json.comments.map((c) => c.id), [id]);
  const er = await call(srv.base, 'POST', '/api/v1/admin/privacy/erase', { json: { email }, headers: admin });
  assert.equal(er.status, 200, er.text);
  assert.deepEqual(er.json.erased, { deleted: 1, anonymized: 0, votes: 0, account: false });
  const [entry] = sql(`SELECT actor_name, target_type, after->>'by' FROM audit_log WHERE action = 'privacy.erase' AND target_id = '${sha256(email)}'`);
  assert.match(entry[0], /boss@example\.org/);
  assert.equal(entry[1], 'email');
  assert.equal(entry[2], 'moderator');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE target_id = '${email}' OR after::text LIKE '%${email}%'`)[0][0], '0');

  const staff = await call(srv.base, 'POST', '/api/v1/admin/privacy/erase', { json: { email: 'boss@example.org' }, headers: admin });
  assert.equal(staff.status, 409);
  assert.equal(staff.json.error.code, 'staff_account');
});

test('retention: addresses past ip_retention_days are cleared from exactly the rows past it', async () => {
  // A server without mail, to seed before its deliverer's first run.
  const first = await startParley({ name: 'it-privacy-retention' });
  try {
    // The setting, through the admin API as a moderator sets it.
    execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, first.db], { stdio: 'ignore' });
    const boss = await call(first.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
    const bad = await call(first.base, 'PATCH', '/api/v1/admin/settings', { json: { ip_retention_days: 0 }, headers: bearer(boss.json.token) });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.error.field, 'ip_retention_days');
    const set = await call(first.base, 'PATCH', '/api/v1/admin/settings', { json: { ip_retention_days: 30 }, headers: bearer(boss.json.token) });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.settings.ip_retention_days, 30);
    assert.equal(sql("SELECT value FROM settings WHERE name = 'ip_retention_days'", first.db)[0][0], '30');
    const off = await call(first.base, 'POST', '/api/v1/privacy/request', { json: { email: 'x@example.org' } });
    assert.equal(off.status, 409);
    assert.equal(off.json.error.code, 'mail_off');
  } finally {
    await first.stop();
  }
  sql(`INSERT INTO posts (key) VALUES ('retained');
    INSERT INTO users (email, name, password_hash) VALUES ('kept@example.org', 'Kept', 'x');
    INSERT INTO comments (post_id, author_name, body, html, status, ip, created_at)
    SELECT p.id, v.name, 'x', '<p>x</p>', 'approved', v.ip::inet, now() - v.age::interval
    FROM posts p, (VALUES ('old', '192.0.2.1', '31 days'), ('new', '192.0.2.2', '29 days')) v (name, ip, age)
    WHERE p.key = 'retained';
    INSERT INTO votes (comment_id, voter, value, created_at)
    SELECT c.id, v.voter, 1, now() - v.age::interval FROM comments c,
    (VALUES ('g:old', '31 days'), ('g:new', '29 days'), ('u:1', '31 days')) v (voter, age)
    WHERE c.author_name = 'old';
    INSERT INTO login_nets (user_id, net, last_ok)
    SELECT u.id, v.net, now() - v.age::interval FROM users u,
    (VALUES ('192.0.2.0/24', '31 days'), ('198.51.100.0/24', '29 days')) v (net, age)
    WHERE u.email = 'kept@example.org'`, first.db);
  const second = await startParley({ name: 'it-privacy-retention-2', shareDb: first.db });
  try {
    const deadline = Date.now() + 15000;
    while (sql("SELECT count(*) FROM comments WHERE author_name = 'old' AND ip IS NULL", first.db)[0][0] !== '1') {
      assert.ok(Date.now() < deadline, 'the retention job ran at start');
      await sleep(100);
    }
    assert.deepEqual(sql('SELECT author_name, host(ip) FROM comments ORDER BY author_name', first.db),
      [['new', '192.0.2.2'], ['old', '']]);
    const voters = sql('SELECT voter FROM votes ORDER BY created_at, voter', first.db).map((r) => r[0]);
    assert.equal(voters.length, 3, 'votes still count');
    assert.ok(!voters.includes('g:old') && voters.includes('g:new') && voters.includes('u:1'));
    assert.ok(voters.some((v) => /^x:[0-9a-f-]{36}$/.test(v)));
    assert.deepEqual(sql("SELECT n.net FROM login_nets n JOIN users u ON u.id = n.user_id WHERE u.email = 'kept@example.org'", first.db),
      [['198.51.100.0/24']]);

    // Moderators see the address as expired, not as missing.
    const login = await call(second.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } });
    const list = await call(second.base, 'GET', '/api/v1/admin/comments?post=retained', { headers: bearer(login.json.token) });
    assert.equal(list.status, 200, list.text);
    const by = Object.fromEntries(list.json.comments.map((c) => [c.author.name, c]));
    assert.equal(by.old.ip, null);
    assert.equal(by.old.ip_expired, true);
    assert.equal(by.new.ip, '192.0.2.2');
    assert.equal(by.new.ip_expired, false);
  } finally {
    await second.stop();
    srv.use();
  }
});
