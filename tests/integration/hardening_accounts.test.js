// Issue #12, accounts and limits: throttling that slows guessing without
// locking the owner out (finding 5), limits by IPv6 /64 and a throttled
// registration and a bounded password queue (finding 6), a race-free
// last-admin check (finding 12), and sessions with an absolute lifetime.
//
// Clients speak from other addresses through X-Forwarded-For: the servers
// trust 127.0.0.1 as their proxy.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, sleep, top } = require('./harness');
const { startReceiver } = require('./hook_receiver');

const PW = 'the owner\'s own password';
const env = { PARLEY_TRUSTED_PROXIES: '127.0.0.1', PARLEY_HOOK_ALLOW_PRIVATE: '1', PARLEY_DELIVER: '0' };

let srv;	// two workers: most tests
let one;	// one worker: the password queue is easy to fill
let receiver;	// the verdict hook of `one`

before(async () => {
  [srv, one, receiver] = await Promise.all([
    startParley({ name: 'it-hardening-accounts', env }),
    startParley({ name: 'it-hardening-one', env, workers: 1 }),
    startReceiver(),
  ]);
});
after(async () => {
  await Promise.all([srv && srv.stop(), one && one.stop(), receiver && receiver.stop()]);
});

const sqlOn = (s, q) => sql(q, s.db);
const from = (ip, extra = {}) => ({ 'x-forwarded-for': ip, ...extra });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const newEmail = () => `${uniqueKey('h')}@example.org`;

// Addresses no other test uses: IPv4 from 100.64.0.0/10, IPv6 /64s from
// 2001:db8::/32 (each call a /64 of its own).
let v4Seq = 0;
const freshV4 = () => { v4Seq += 1; return `100.64.${v4Seq >> 8}.${v4Seq & 255}`; };
let v6Seq = 0;
const freshNet6 = () => { v6Seq += 1; return `2001:db8:${process.pid.toString(16)}:${v6Seq.toString(16)}`; };

function register(s, { email = newEmail(), password = PW, ip = freshV4() } = {}) {
  return call(s.base, 'POST', '/api/v1/auth/register',
    { json: { email, password, name: 'Hardy' }, headers: from(ip) });
}
async function account(s, opts = {}) {
  const email = opts.email || newEmail();
  const r = await register(s, { ...opts, email });
  assert.equal(r.status, 201, r.text);
  return { email, token: r.json.token, id: r.json.user.id };
}
const login = (s, email, password, ip) =>
  call(s.base, 'POST', '/api/v1/auth/login', { json: { email, password }, headers: from(ip) });
const changePassword = (s, token, current, next, ip) => call(s.base, 'POST', '/api/v1/auth/password',
  { json: { current_password: current, new_password: next }, headers: from(ip, bearer(token)) });

function assertRetryAfter(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.code, code, r.text);
  const ra = r.headers.get('retry-after');
  assert.match(ra || '', /^[1-9][0-9]*$/, `Retry-After: ${ra}`);
  return Number(ra);
}

// Runs the promises' makers at most `width` at a time, in order.
async function inBatches(makers, width) {
  const out = [];
  for (let i = 0; i < makers.length; i += width) {
    out.push(...await Promise.all(makers.slice(i, i + width).map((f) => f())));
  }
  return out;
}

// ------------------------------------------------------------- finding 5

test('guessing from many addresses does not lock the owner out, and is slowed', async () => {
  const home = freshV4();
  const owner = await account(srv, { ip: home });
  // The owner has logged in from home before.
  assert.equal((await login(srv, owner.email, PW, home)).status, 200);

  // The attacker: 12 addresses, 10 wrong guesses each, 120 in all: more
  // than the account's ceiling (100 a day).
  const attackers = Array.from({ length: 12 }, freshV4);
  const guesses = [];
  for (const ip of attackers) {
    for (let i = 0; i < 10; i++) guesses.push(() => login(srv, owner.email, `guess ${ip} ${i}`, ip));
  }
  const answers = await inBatches(guesses, 8);
  const checked = answers.filter((r) => r.status === 401).length;
  for (const r of answers) assert.ok([401, 429].includes(r.status), r.text);
  // Each address has its 10 tries, until the account's ceiling: past it
  // the guesses wait, 15 s after the latest, then 30 s, 60 s...
  assert.ok(checked >= 100, `only ${checked} of 120 guesses were checked`);
  assert.ok(checked < 120, 'no guess waited past the account\'s ceiling');
  // Ten more from elsewhere: the wait is at its most now, whatever the
  // time these requests took.
  sqlOn(srv, `INSERT INTO auth_failures (account, net) SELECT lower('${owner.email}'), '192.0.2.' || i
    FROM generate_series(1, 10) i`);

  // An attacking address is now slowed, the right password too.
  const slowed = await login(srv, owner.email, PW, attackers[0]);
  assertRetryAfter(slowed, 429, 'too_many_attempts');
  // So is any address the account has not logged in from: the ceiling.
  const stranger = await login(srv, owner.email, PW, freshV4());
  const wait = assertRetryAfter(stranger, 429, 'too_many_attempts');
  assert.ok(wait <= 15 * 60, `Retry-After: ${wait}`);

  // The owner, at home, gets in, and may change the password.
  const mine = await login(srv, owner.email, PW, home);
  assert.equal(mine.status, 200, mine.text);
  const changed = await changePassword(srv, mine.json.token, PW, 'a new password for the owner', home);
  assert.equal(changed.status, 204, changed.text);
  // The attacker's guesses still count: the owner's success forgets only
  // the failures from the owner's own address.
  assertRetryAfter(await login(srv, owner.email, 'a new password for the owner', attackers[1]), 429,
    'too_many_attempts');
  assert.equal(sqlOn(srv, `SELECT count(*) >= 110 FROM auth_failures WHERE account = lower('${owner.email}')`)[0][0], 't');
});

test('a password change is throttled per address, not by guesses elsewhere', async () => {
  const home = freshV4();
  const owner = await account(srv, { ip: home });
  const attacker = freshV4();
  for (let i = 0; i < 10; i++) {
    assert.equal((await login(srv, owner.email, `guess ${i}`, attacker)).status, 401);
  }
  // A stolen session guessing the current password, from the attacker's
  // address, is slowed like a login from there.
  const stolen = (await login(srv, owner.email, PW, home)).json.token;
  assertRetryAfter(await changePassword(srv, stolen, 'still guessing', 'whatever comes next', attacker),
    429, 'too_many_attempts');
  // The owner at home is not.
  const r = await changePassword(srv, owner.token, PW, 'changed despite them', home);
  assert.equal(r.status, 204, r.text);
});

test('after the free tries the wait, from 15 s, doubles with each failure; a day-old failure does not count', async () => {
  const owner = await account(srv);
  const ip = freshV4();
  const fail = (age, n) => sqlOn(srv, `INSERT INTO auth_failures (account, net, at)
    SELECT lower('${owner.email}'), '${ip}', now() - interval '${age}' FROM generate_series(1, ${n})`);
  fail('25 hours', 40);
  assert.equal((await login(srv, owner.email, PW, ip)).status, 200);
  // A success forgets this address's failures for the account.
  assert.equal(sqlOn(srv, `SELECT count(*) FROM auth_failures WHERE account = lower('${owner.email}')
    AND net = '${ip}' AND at > now() - interval '1 day'`)[0][0], '0');

  // 14 failures: the 11th waited 15 s, the 15th waits 240 s after the 14th.
  fail('10 seconds', 14);
  const ra = assertRetryAfter(await login(srv, owner.email, PW, ip), 429, 'too_many_attempts');
  assert.ok(ra >= 225 && ra <= 231, `Retry-After: ${ra}`);
  // Never more than 15 minutes, however many.
  fail('1 second', 40);
  const capped = assertRetryAfter(await login(srv, owner.email, PW, ip), 429, 'too_many_attempts');
  assert.ok(capped > 800 && capped <= 900, `Retry-After: ${capped}`);
});

// ------------------------------------------------------------- finding 6

test('an IPv6 /64 is one address for the comment rate limit', async () => {
  setSettings({ rate_limit_per_minute: 2 }, srv.db);
  try {
    const net = freshNet6();
    const key = uniqueKey('v6rate');
    const post = (ip, body) => call(srv.base, 'POST', '/api/v1/comments',
      { json: { post: key, body, author_name: 'Six' }, headers: from(ip) });
    assert.equal((await post(`${net}::1`, 'one')).status, 201);
    assert.equal((await post(`${net}:1:2:3:4`, 'two')).status, 201);
    const third = await post(`${net}:ffff:ffff:ffff:fffe`, 'three');
    assertRetryAfter(third, 429, 'rate_limited');
    // The next /64 is someone else.
    assert.equal((await post(`${freshNet6()}::1`, 'four')).status, 201);
  } finally {
    setSettings({ rate_limit_per_minute: 0 }, srv.db);
  }
});

test('guests vote once per IPv6 /64', async () => {
  const key = uniqueKey('v6vote');
  const c = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'vote', author_name: 'V' } });
  assert.equal(c.status, 201, c.text);
  const vote = (ip) => call(srv.base, 'POST', `/api/v1/comments/${c.json.comment.id}/vote`,
    { json: { value: 1 }, headers: from(ip) });
  const net = freshNet6();
  assert.deepEqual((await vote(`${net}::1`)).json, { score: 1, my_vote: 1 });
  assert.deepEqual((await vote(`${net}::2`)).json, { score: 1, my_vote: 1 });
  assert.deepEqual((await vote(`${net}:abcd::9`)).json, { score: 1, my_vote: 1 });
  assert.deepEqual((await vote(`${freshNet6()}::1`)).json, { score: 2, my_vote: 1 });
  // IPv4 addresses stay one voter each.
  assert.deepEqual((await vote(freshV4())).json, { score: 3, my_vote: 1 });
  assert.deepEqual((await vote(freshV4())).json, { score: 4, my_vote: 1 });
});

test('failed logins from one IPv6 /64 count together', async () => {
  const owner = await account(srv);
  const net = freshNet6();
  // Wrong passwords for 36 e-mails, each from another address of the /64:
  // the block has 30 free tries an hour, then waits.
  const tries = Array.from({ length: 36 }, (_, i) =>
    () => login(srv, newEmail(), 'not the password', `${net}:${(i + 1).toString(16)}::1`));
  const rs = await inBatches(tries, 6);
  assert.deepEqual(rs.slice(0, 30).map((r) => r.status), Array(30).fill(401));
  assert.ok(rs.slice(30).some((r) => r.status === 429), rs.map((r) => r.status).join(' '));
  assertRetryAfter(await login(srv, owner.email, PW, `${net}:ffff::1`), 429, 'too_many_attempts');
  // Another /64 is not affected.
  assert.equal((await login(srv, owner.email, PW, `${freshNet6()}::1`)).status, 200);
});

test('registration is throttled per address, an IPv6 /64 being one', async () => {
  const net = freshNet6();
  for (let i = 1; i <= 10; i++) {
    const r = await register(srv, { ip: `${net}::${i.toString(16)}` });
    assert.equal(r.status, 201, r.text);
  }
  const email = newEmail();
  const r = await register(srv, { email, ip: `${net}:1::1` });
  const ra = assertRetryAfter(r, 429, 'too_many_attempts');
  assert.ok(ra <= 3600, `Retry-After: ${ra}`);
  assert.equal(sqlOn(srv, `SELECT count(*) FROM users WHERE lower(email) = lower('${email}')`)[0][0], '0');
  // IPv4 addresses, and other /64s, have their own.
  assert.equal((await register(srv, { ip: `${freshNet6()}::1` })).status, 201);
  const v4 = freshV4();
  for (let i = 0; i < 10; i++) assert.equal((await register(srv, { ip: v4 })).status, 201);
  assertRetryAfter(await register(srv, { ip: v4 }), 429, 'too_many_attempts');
});

// Logins that each need argon2id, all at once, from addresses of their own
// (no throttle applies): more than one worker queues.
// Each answer carries ms, the time it took.
function loginFlood(s, n) {
  return Promise.all(Array.from({ length: n }, async () => {
    const t0 = Date.now();
    const r = await login(s, newEmail(), 'not the password', freshV4());
    return { ...r, ms: Date.now() - t0 };
  }));
}

test('a full password queue answers 503 with Retry-After, at once', async (t) => {
  const rs = await loginFlood(one, 150);
  const busy = rs.filter((r) => r.status === 503);
  const checked = rs.filter((r) => r.status === 401);
  assert.equal(busy.length + checked.length, 150, rs.map((r) => r.status).join(' '));
  assert.ok(busy.length >= 50, `${busy.length} of 150 logins were refused; ${checked.length} waited`);
  for (const r of busy) assertRetryAfter(r, 503, 'busy');
  // Refused before any work (no database, no argon2id): long before the
  // queue is through.
  const slowest = Math.max(...busy.map((r) => r.ms));
  const queued = Math.max(...checked.map((r) => r.ms));
  t.diagnostic(`150 logins at once on one worker: ${checked.length} checked (the last in ${queued} ms),` +
    ` ${busy.length} refused (the last in ${slowest} ms)`);
  assert.ok(slowest < queued / 2, `a refusal took ${slowest} ms, the queue ${queued} ms`);
  // Those that were queued did not wait long.
  assert.ok(checked.length <= 40, `${checked.length} logins were queued on one worker`);
});

test('clients that go away give their places in the password queue back', async () => {
  // How long one login takes on this machine now.
  let t0 = Date.now();
  assert.equal((await login(one, newEmail(), 'not the password', freshV4())).status, 401);
  const each = Date.now() - t0;
  // 60 logins, abandoned at any stage: waiting for the database (with a
  // place reserved), queued or running.
  const aborted = Array.from({ length: 60 }, (_, i) => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 5 + 20 * (i % 30));
    return fetch(`${one.base}/api/v1/auth/login`, {
      method: 'POST', signal: ac.signal, headers: { 'content-type': 'application/json', ...from(freshV4()) },
      body: JSON.stringify({ email: newEmail(), password: 'not the password' }),
    }).then((r) => r.text(), () => 'aborted');
  });
  await Promise.all(aborted);
  // Once the abandoned work has run (it cannot be stopped halfway), the
  // worker takes as much as before.
  t0 = Date.now();
  await sleep(2000 + 34 * each);
  assert.equal((await call(one.base, 'GET', '/healthz')).status, 200);
  const waited = Date.now() - t0;
  // No place is still held: none of these is refused as busy. (Queries
  // cut off by a client that left can make the next queries on their
  // connections fail, answered 503 database_unavailable: db.c's matter,
  // not the queue's.)
  const rs = await loginFlood(one, 34);
  const busy = rs.filter((r) => r.json && r.json.error && r.json.error.code === 'busy');
  const seen = rs.map((r) => (r.status === 401 ? 401 : r.text)).join(' ');
  assert.equal(busy.length, 0, `${seen} (one login: ${each} ms; waited ${waited} ms)`);
  assert.ok(rs.filter((r) => r.status === 401).length > 0);
});

test('verdict hooks do not wait behind password work', async (t) => {
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['hv@example.org', PW, one.db], { stdio: 'ignore' });
  const admin = (await login(one, 'hv@example.org', PW, freshV4())).json.token;
  receiver.setMode({ json: { verdict: 'approve', reason: 'fine' } });
  const h = await call(one.base, 'POST', '/api/v1/admin/hooks',
    { json: { url: `${receiver.url}/verdict`, kind: 'verdict' }, headers: bearer(admin) });
  assert.equal(h.status, 201, h.text);
  setSettings({ verdict_timeout_ms: 5000 }, one.db);
  try {
    const key = uniqueKey('verdict');
    const post = () => call(one.base, 'POST', '/api/v1/comments',
      { json: { post: key, body: `judge me ${Date.now()}`, author_name: 'Vee' }, headers: from(freshV4()) });
    // Warm: the first call of a worker sets libcurl up.
    assert.equal((await post()).status, 201);

    const flood = loginFlood(one, 80);
    await sleep(150);
    const t0 = Date.now();
    const r = await post();
    const ms = Date.now() - t0;
    await flood;
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(sqlOn(one, `SELECT verdict, reason FROM comments WHERE id = ${r.json.comment.id}`),
      [['approve', 'approved by the verdict hook: fine']]);
    t.diagnostic(`a comment judged by the verdict hook in ${ms} ms while 80 logins ran`);
    // Behind the logins' argon2id (80 on two threads) it took seconds.
    assert.ok(ms < 1000, `a comment took ${ms} ms to be judged while logins ran`);
  } finally {
    sqlOn(one, "DELETE FROM hooks WHERE kind = 'verdict'");
  }
});

// ------------------------------------------------------------ finding 12

test('admins demoting each other and themselves all at once always leave an admin', async () => {
  const admins = () => Number(sqlOn(srv, "SELECT count(*) FROM users WHERE role = 'admin'")[0][0]);
  let lost = 0;
  for (let round = 0; round < 15; round++) {
    // Exactly k admins, each with a fresh session.
    const k = 2 + (round % 3);
    const staff = [];
    for (let i = 0; i < k; i++) staff.push(await account(srv));
    sqlOn(srv, "UPDATE users SET role = 'reader' WHERE role = 'admin'");
    sqlOn(srv, `UPDATE users SET role = 'admin' WHERE id IN (${staff.map((s) => s.id).join(',')})`);
    for (const s of staff) {
      const r = await login(srv, s.email, PW, freshV4());
      assert.equal(r.status, 200, r.text);
      s.token = r.json.token;
    }
    assert.equal(admins(), k);
    // Each demotes the next and steps down, all at once.
    const demote = (s, target) => call(srv.base, 'PATCH', `/api/v1/admin/users/${target.id}`,
      { json: { role: 'reader' }, headers: bearer(s.token) });
    const rs = await Promise.all(staff.flatMap((s, i) => [demote(s, staff[(i + 1) % k]), demote(s, s)]));
    // 401 and 403: the actor was demoted first (its session ended, or its
    // request was on its way); 409: the target was the last admin.
    for (const r of rs) assert.ok([200, 401, 403, 409].includes(r.status), `${r.status} ${r.text}`);
    if (admins() === 0) lost += 1;
  }
  assert.equal(lost, 0, `${lost} of 15 rounds ended with no admin`);
});

// Two sessions of psql: the first changes a role in a transaction it keeps
// open for a while; the second changes another meanwhile.
function roleChangeDuringAnother(s, first, second) {
  const args = ['psql', '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-c',
    `BEGIN; SELECT user_set_role(${first.join(', ')}); SELECT pg_sleep(1.5); COMMIT;`];
  const held = spawn(path.join(top, 'scripts', 'pg.sh'), args,
    { env: { ...process.env, PARLEY_DB_NAME: s.db }, stdio: 'ignore' });
  const done = new Promise((resolve) => held.on('exit', resolve));
  return (async () => {
    await sleep(500);
    const t0 = Date.now();
    const [[err]] = sqlOn(s, `SELECT coalesce(err, 'changed') FROM user_set_role(${second.join(', ')})`);
    const ms = Date.now() - t0;
    assert.equal(await done, 0);
    return { err, ms };
  })();
}

function onlyAdmins(s, ids) {
  sqlOn(s, "UPDATE users SET role = 'reader' WHERE role = 'admin'");
  sqlOn(s, `UPDATE users SET role = 'admin' WHERE id IN (${ids.join(',')})`);
}

test('two admins stepping down at once: the second waits for the first, and stays', async () => {
  const [a, b] = [await account(srv), await account(srv)];
  onlyAdmins(srv, [a.id, b.id]);
  const { err, ms } = await roleChangeDuringAnother(srv, [a.id, a.id, "'reader'"], [b.id, b.id, "'reader'"]);
  assert.ok(ms >= 700, `the second demotion did not wait (${ms} ms)`);
  assert.equal(err, 'last_admin');
  assert.deepEqual(sqlOn(srv, `SELECT id, role FROM users WHERE id IN (${a.id}, ${b.id}) ORDER BY id`),
    [[String(a.id), 'reader'], [String(b.id), 'admin']]);
});

test('two admins demoting each other at once: the second finds its actor demoted', async () => {
  const [a, b] = [await account(srv), await account(srv)];
  onlyAdmins(srv, [a.id, b.id]);
  const { err } = await roleChangeDuringAnother(srv, [a.id, b.id, "'reader'"], [b.id, a.id, "'reader'"]);
  assert.ok(['forbidden', 'last_admin'].includes(err), err);
  assert.deepEqual(sqlOn(srv, `SELECT id, role FROM users WHERE id IN (${a.id}, ${b.id}) ORDER BY id`),
    [[String(a.id), 'admin'], [String(b.id), 'reader']]);
});

test('an admin demoted meanwhile can no longer change roles', async () => {
  const [a, b, c] = [await account(srv), await account(srv), await account(srv)];
  onlyAdmins(srv, [a.id, b.id, c.id]);
  const { err } = await roleChangeDuringAnother(srv, [a.id, b.id, "'reader'"], [b.id, c.id, "'reader'"]);
  assert.equal(err, 'forbidden');
  assert.equal(sqlOn(srv, `SELECT role FROM users WHERE id = ${c.id}`)[0][0], 'admin');
});

// ------------------------------------------------------------- sessions

test('a session ends 90 days after it began, however often it is used', async () => {
  const m = await account(srv);
  const me = () => call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(m.token) });
  assert.equal((await me()).status, 200);
  // Used a moment ago, sliding well into the future, but begun 90 days
  // and a minute ago.
  sqlOn(srv, `UPDATE sessions SET created_at = now() - interval '90 days 1 minute',
    last_seen = now() - interval '2 minutes', expires_at = now() + interval '29 days'
    WHERE user_id = ${m.id}`);
  const r = await me();
  assert.equal(r.status, 401, r.text);
  assert.equal(r.json.error.code, 'invalid_token');

  // Sliding never carries a session past its 90 days.
  const n = await account(srv);
  sqlOn(srv, `UPDATE sessions SET created_at = now() - interval '89 days 23 hours',
    last_seen = now() - interval '2 minutes' WHERE user_id = ${n.id}`);
  assert.equal((await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(n.token) })).status, 200);
  const [[over]] = sqlOn(srv, `SELECT expires_at > created_at + interval '90 days' FROM sessions WHERE user_id = ${n.id}`);
  assert.equal(over, 'f');
});
