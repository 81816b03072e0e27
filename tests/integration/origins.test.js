// Sites: which browser origins may write and use tokens. Anonymous reads
// are public from anywhere; writes and anything with a Bearer token need
// an origin from the configuration file, the allowed_origins setting
// (admin API, in effect on every worker and node at once) or Parley's own.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, uniqueKey, sleep, top } = require('./harness');

const FLOOR = 'http://blog.example.test';		// in the configuration file
const SITE = 'https://other-blog.example.test';	// added by an admin
const EVIL = 'http://evil.example.test';
const PW = 'a long enough password';

let srv;
let node2;	// a second node on the same database
let admin;
let moderator;

async function login(base, email) {
  const r = await call(base, 'POST', '/api/v1/auth/login', { json: { email, password: PW } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

before(async () => {
  srv = await startParley({ name: 'it-origins', env: { PARLEY_ORIGINS: FLOOR } });
  node2 = await startParley({ name: 'it-origins-2', env: { PARLEY_ORIGINS: FLOOR }, shareDb: srv.db });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, srv.db], { stdio: 'ignore' });
  admin = await login(srv.base, 'boss@example.org');
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email: 'mod@example.org', password: PW, name: 'Mod' } });
  assert.equal(r.status, 201, r.text);
  sql(`UPDATE users SET role = 'moderator' WHERE id = ${r.json.user.id}`);
  moderator = await login(srv.base, 'mod@example.org');	// the role change ended its session
});
after(async () => {
  await node2.stop();
  await srv.stop();
});

const bearer = (token, extra = {}) => ({ authorization: `Bearer ${token}`, ...extra });
const comment = (base, origin, body = 'hello') => call(base, 'POST', '/api/v1/comments', {
  json: { post: uniqueKey(), body, author_name: 'Reader' },
  headers: origin ? { origin, connection: 'close' } : { connection: 'close' },
});
const setOrigins = (list, token = admin) => call(srv.base, 'PATCH', '/api/v1/admin/settings',
  { json: { allowed_origins: list }, headers: bearer(token) });

test('every route in the Kore configuration names the origin guard', () => {
  const conf = fs.readFileSync(path.join(top, 'conf', 'kore.conf.in'), 'utf8');
  const routes = conf.split('\n').filter((l) => /^\s*route\s/.test(l));
  assert.ok(routes.length > 30, `only ${routes.length} routes found`);
  for (const r of routes)
    assert.match(r, /\sorigin\s*$/, `route without the origin guard: ${r.trim()}`);
});

test('anonymous reads are public: any origin may read them, with CORS headers', async () => {
  for (const p of ['/api/v1/counts?post=198', '/api/v1/comments?post=198', '/thread.html?post=198', '/embed.js']) {
    const r = await call(srv.base, 'GET', p, { headers: { origin: EVIL } });
    assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
    if (p.startsWith('/api/')) {
      assert.equal(r.headers.get('access-control-allow-origin'), EVIL, p);
      assert.match(r.headers.get('access-control-expose-headers'), /ETag/);
      assert.match(r.headers.get('vary'), /Origin/);
      assert.equal(r.headers.get('access-control-allow-credentials'), null, 'no credentials, ever');
    }
  }
});

test('preflights are answered for any origin; the request itself is judged', async () => {
  for (const origin of [FLOOR, EVIL]) {
    const pre = await call(srv.base, 'OPTIONS', '/api/v1/comments', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), origin);
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
    assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
    assert.match(pre.headers.get('access-control-allow-headers'), /X-Edit-Token/);
  }
  const one = await call(srv.base, 'OPTIONS', '/api/v1/comments/1', { headers: { origin: EVIL } });
  assert.match(one.headers.get('access-control-allow-methods'), /PATCH/);
  assert.match(one.headers.get('access-control-allow-methods'), /DELETE/);
});

test('a write from an origin that is not allowed gets a readable 403 naming it', async () => {
  const r = await comment(srv.base, EVIL);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'origin_not_allowed');
  assert.ok(r.json.error.message.includes(EVIL), r.json.error.message);
  assert.match(r.json.error.message, /Sites/);
  assert.equal(r.headers.get('access-control-allow-origin'), EVIL, 'the widget can read why');
  // Nothing was stored.
  const again = await comment(srv.base, EVIL, 'refused?');
  assert.equal(again.status, 403);
  assert.equal(sql(`SELECT count(*) FROM comments WHERE body = 'refused?'`)[0][0], '0');
  // Every write route is guarded, not only posting.
  for (const [method, p] of [['POST', '/api/v1/auth/register'], ['POST', '/api/v1/auth/login'],
    ['POST', '/api/v1/preview'], ['PATCH', '/api/v1/comments/1'], ['DELETE', '/api/v1/comments/1'],
    ['POST', '/api/v1/comments/1/vote'], ['POST', '/api/v1/auth/logout']]) {
    const w = await call(srv.base, method, p, { json: {}, headers: { origin: EVIL } });
    assert.equal(w.status, 403, `${method} ${p}: ${w.text}`);
    assert.equal(w.json.error.code, 'origin_not_allowed', `${method} ${p}`);
  }
});

test('writes from the configured origin, from no browser and from Parley\'s own origin pass', async () => {
  assert.equal((await comment(srv.base, FLOOR)).status, 201);
  assert.equal((await comment(srv.base, `${FLOOR}`.toUpperCase().replace('HTTP://', 'http://'))).status, 201,
    'origins compare as browsers write them (host case)');
  assert.equal((await comment(srv.base, null)).status, 201, 'no Origin: not a browser');
  // The admin page is served by Parley itself: its own origin needs no listing.
  assert.equal((await comment(srv.base, srv.base)).status, 201);
  // Without a trusted proxy, X-Forwarded-Proto is not believed.
  const https = await call(srv.base, 'POST', '/api/v1/comments', {
    json: { post: uniqueKey(), body: 'x', author_name: 'R' },
    headers: { origin: srv.base.replace('http:', 'https:'), 'x-forwarded-proto': 'https' },
  });
  assert.equal(https.status, 403, https.text);
});

test('a request with a token needs an allowed origin, even a read', async () => {
  const me = await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(admin, { origin: EVIL }) });
  assert.equal(me.status, 403);
  assert.equal(me.json.error.code, 'origin_not_allowed');
  const thread = await call(srv.base, 'GET', '/api/v1/comments?post=198', { headers: bearer(admin, { origin: EVIL }) });
  assert.equal(thread.status, 403);
  assert.equal((await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(admin, { origin: FLOOR }) })).status, 200);
  assert.equal((await call(srv.base, 'GET', '/api/v1/auth/me', { headers: bearer(admin) })).status, 200);
});

test('allowed_origins: validated, normalised, admins only', async () => {
  const bad = await setOrigins(['https://blog.example.org/posts']);
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'allowed_origins');
  assert.match(bad.json.error.message, /path/);
  for (const v of [['ftp://x.example'], ['https://'], 'https://x.example', [7], ['https://x.example:99999']]) {
    const r = await setOrigins(v);
    assert.equal(r.status, 422, JSON.stringify(v));
    assert.equal(r.json.error.field, 'allowed_origins');
  }
  const mod = await setOrigins([SITE], moderator);
  assert.equal(mod.status, 403, 'sites are the admins\' call');
  const ok = await setOrigins(['HTTPS://Other-Blog.example.test:443/', SITE]);
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.settings.allowed_origins, [SITE]);
  const got = await call(srv.base, 'GET', '/api/v1/admin/settings', { headers: bearer(moderator) });
  assert.deepEqual(got.json.settings.allowed_origins, [SITE]);
  const audit = sql("SELECT after->'allowed_origins' FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1");
  assert.deepEqual(JSON.parse(audit[0][0]), [SITE], 'the change is audited');
  await setOrigins([]);
});

// Several fresh connections, so both workers of each node answer.
async function all(origin) {
  const codes = [];
  for (let i = 0; i < 6; i++) {
    codes.push((await comment(srv.base, origin)).status);
    codes.push((await comment(node2.base, origin)).status);
  }
  return [...new Set(codes)];
}

// Other workers and nodes hear of a change from PostgreSQL (NOTIFY),
// usually within a millisecond of the admin's answer; on a loaded
// machine a little later. Waits (at most 3 s) until one round of
// requests agrees, then every later round must agree too.
async function settles(origin, want) {
  const deadline = Date.now() + 3000;
  while (JSON.stringify(await all(origin)) !== JSON.stringify([want])) {
    assert.ok(Date.now() < deadline, `${origin} never answered ${want} everywhere`);
    await sleep(20);
  }
  for (let round = 0; round < 3; round++)
    assert.deepEqual(await all(origin), [want], `${origin}: a worker went back to the old list`);
}

test('an added origin may write on every worker and node, no restart; a removed one may not', async () => {
  await settles(SITE, 403);	// the test before removed it
  assert.equal((await setOrigins([SITE])).status, 200);
  await settles(SITE, 201);
  assert.deepEqual(await all(FLOOR), [201], 'the configuration file\'s origins stay a floor');
  assert.equal((await setOrigins([])).status, 200);
  await settles(SITE, 403);
});

test('a worker started after the change knows the list', async () => {
  assert.equal((await setOrigins([SITE])).status, 200);
  const node3 = await startParley({ name: 'it-origins-3', env: { PARLEY_ORIGINS: FLOOR }, shareDb: srv.db });
  try {
    for (let i = 0; i < 4; i++)
      assert.equal((await comment(node3.base, SITE)).status, 201);
  } finally {
    await node3.stop();
    await setOrigins([]);
  }
});

test('a post links only to an allowed site: the first commenter cannot choose elsewhere', async () => {
  const key = uniqueKey('link');
  const r = await call(srv.base, 'POST', '/api/v1/comments', { json: {
    post: key, post_title: 'A <b>title</b>', post_url: 'https://attacker.example/phish', body: 'first!', author_name: 'A' } });
  assert.equal(r.status, 201, r.text);
  const t = await call(srv.base, 'GET', `/api/v1/comments?post=${key}`);
  assert.ok(!t.json.post.url, `not stored: ${t.json.post.url}`);
  const page = await call(srv.base, 'GET', `/thread.html?post=${key}`);
  assert.ok(!page.text.includes('attacker.example'), 'not shown');
  assert.ok(page.text.includes('A &lt;b&gt;title&lt;/b&gt;') || page.text.includes('A &#60;b&#62;title'), 'the title is plain text');
  // A link to the configured blog is kept.
  const key2 = uniqueKey('link');
  await call(srv.base, 'POST', '/api/v1/comments', { json: {
    post: key2, post_url: `${FLOOR}/2018/03/yes`, body: 'first!', author_name: 'A' } });
  assert.equal((await call(srv.base, 'GET', `/api/v1/comments?post=${key2}`)).json.post.url, `${FLOOR}/2018/03/yes`);
  // And to a site an admin allowed.
  assert.equal((await setOrigins([SITE])).status, 200);
  await settles(SITE, 201);
  const key3 = uniqueKey('link');
  await call(srv.base, 'POST', '/api/v1/comments', { json: {
    post: key3, post_url: `${SITE}/p`, body: 'first!', author_name: 'A' }, headers: { origin: SITE } });
  assert.equal((await call(srv.base, 'GET', `/api/v1/comments?post=${key3}`)).json.post.url, `${SITE}/p`);
  await setOrigins([]);
});

// Where a post's URL shows, as each worker of each node answers (fresh
// connections, so both workers of both nodes): the thread's JSON, the
// link of thread.html's heading, the post's feed. Each answer is one of
// "shown" or "hidden"; mixed answers list both.
async function urlShown(key, url) {
  const seen = new Set();
  for (let i = 0; i < 4; i++) {
    for (const base of [srv.base, node2.base]) {
      const h = { connection: 'close' };
      const t = await call(base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`, { headers: h });
      assert.equal(t.status, 200, t.text);
      seen.add(`json ${t.json.post.url === url ? 'shown' : t.json.post.url === null ? 'hidden' : t.json.post.url}`);
      const page = await call(base, 'GET', `/thread.html?post=${encodeURIComponent(key)}`, { headers: h });
      assert.equal(page.status, 200, page.text);
      seen.add(`page ${page.text.includes(url) ? 'shown' : 'hidden'}`);
      const feed = await call(base, 'GET', `/feed/comments.atom?post=${encodeURIComponent(key)}`, { headers: h });
      assert.equal(feed.status, 200, feed.text);
      seen.add(`feed ${feed.text.includes(url) ? 'shown' : 'hidden'}`);
    }
  }
  return [...seen].sort();
}
const SHOWN = ['feed shown', 'json shown', 'page shown'];
const HIDDEN = ['feed hidden', 'json hidden', 'page hidden'];

test('a post URL stored on an origin that is not allowed is not shown anywhere', async () => {
  // Stored before the check existed (or by hand): only the showing can
  // keep it from readers.
  const key = uniqueKey('stored');
  assert.equal((await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'first', author_name: 'A' } })).status, 201);
  const url = `${EVIL}/phish`;
  sql(`UPDATE posts SET url = '${url}' WHERE key = '${key}'`);
  assert.deepEqual(await urlShown(key, url), HIDDEN);
  // The same by hand on the configuration file's site is shown: the
  // check is the origin, not where the URL came from.
  const key2 = uniqueKey('stored');
  assert.equal((await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key2, body: 'first', author_name: 'A' } })).status, 201);
  sql(`UPDATE posts SET url = '${FLOOR}/ok' WHERE key = '${key2}'`);
  assert.deepEqual(await urlShown(key2, `${FLOOR}/ok`), SHOWN);
});

test('a site removed from Sites: its posts\' URLs stop being shown, on every worker and node, cached or not', async () => {
  assert.equal((await setOrigins([SITE])).status, 200);
  await settles(SITE, 201);
  const key = uniqueKey('removed');
  const url = `${SITE}/2026/removed`;
  const r = await call(srv.base, 'POST', '/api/v1/comments', { json: {
    post: key, post_url: url, body: 'first!', author_name: 'A' }, headers: { origin: SITE } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(await urlShown(key, url), SHOWN, 'shown while allowed (and now in the caches)');
  assert.equal((await setOrigins([])).status, 200);
  await settles(SITE, 403);
  assert.deepEqual(await urlShown(key, url), HIDDEN, 'hidden once removed');
  assert.equal(sql(`SELECT url FROM posts WHERE key = '${key}'`)[0][0], url, 'still stored: allowing the site again shows it');
  assert.equal((await setOrigins([SITE])).status, 200);
  await settles(SITE, 201);
  assert.deepEqual(await urlShown(key, url), SHOWN);
  await setOrigins([]);
  await settles(SITE, 403);
});

test('a moderator\'s session in the widget (on a blog) is short; on the admin page it is not', async () => {
  const tok = await login(srv.base, 'mod@example.org');
  const me = (origin, token = tok) => call(srv.base, 'GET', '/api/v1/auth/me',
    { headers: bearer(token, origin ? { origin } : {}) });
  assert.equal((await me(FLOOR)).status, 200);
  // Thirteen hours after logging in: over the widget's 12 for staff.
  const age = (email) => sql(`UPDATE sessions SET created_at = now() - interval '13 hours', last_seen = now()
    WHERE user_id = (SELECT id FROM users WHERE email = '${email}')`);
  age('mod@example.org');
  const gone = await me(FLOOR);
  assert.equal(gone.status, 401, gone.text);
  assert.equal(gone.json.error.code, 'invalid_token');
  assert.equal((await me(srv.base)).status, 200, 'the admin page, on Parley\'s own origin');
  assert.equal((await me(null)).status, 200, 'no browser');
  // A reader's session is not cut short.
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email: 'rea@example.org', password: PW, name: 'Rea' } });
  age('rea@example.org');
  assert.equal((await me(FLOOR, r.json.token)).status, 200);
});
