// The admin API's imports and export, against a real Parley and
// PostgreSQL: POST /api/v1/admin/import answers 202 {"job"} and a thread
// imports while GET /api/v1/admin/import/ID shows how far it got; one
// import at a time, CLI included; a job whose importer went away shows
// as failed; GET /api/v1/admin/export gives what `make export` gives.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync, spawnSync } = require('node:child_process');
const { startParley, call, sql, top, sleep } = require('./harness');

const FIXTURES = path.join(__dirname, 'fixtures');
const PW = 'a long enough password';
let srv;
let admin;
let moderator;
let tmp;

const bearer = (token, extra = {}) => ({ authorization: `Bearer ${token}`, ...extra });

async function login(email) {
  const r = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email, password: PW } });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

before(async () => {
  srv = await startParley({ name: 'it-import-admin', env: { PARLEY_IMPORT_MAX_MIB: '2' } });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-import-admin-'));
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, srv.db], { stdio: 'ignore' });
  admin = await login('boss@example.org');
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email: 'mod@example.org', password: PW, name: 'Mod' } });
  assert.equal(r.status, 201, r.text);
  sql("UPDATE users SET role = 'moderator' WHERE email = 'mod@example.org'", srv.db);
  moderator = await login('mod@example.org');
});
after(async () => {
  await srv.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const upload = (query, body, token = admin) => call(srv.base, 'POST', `/api/v1/admin/import${query}`,
  { body, headers: bearer(token, { 'content-type': 'application/octet-stream' }) });
const job = async (id) => (await call(srv.base, 'GET', `/api/v1/admin/import/${id}`, { headers: bearer(admin) })).json;

// Polls the job until it is over; every answer on the way, too.
async function finished(id) {
  const seen = [];
  const deadline = Date.now() + 60000;
  for (;;) {
    const j = await job(id);
    seen.push(j);
    if (j.state === 'done' || j.state === 'failed') return { j, seen };
    assert.ok(Date.now() < deadline, `job ${id} still ${j.state}`);
    await sleep(50);
  }
}

const thread = async (key) => (await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`)).json;
const total = () => Number(sql('SELECT count(*) FROM comments', srv.db)[0][0]);

// A Disqus export of n comments on one thread, replies before parents.
function disqus(n, thread = 'big') {
  const posts = [];
  for (let i = n; i >= 1; i--) {
    posts.push(`<post dsq:id="${thread}${i}"><message><![CDATA[<p>comment ${i} with <b>bold</b> text</p>]]></message>`
      + `<createdAt>2025-01-01T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>`
      + `<author><name>N${i}</name><email></email></author><ipAddress>192.0.2.1</ipAddress>`
      + `<thread dsq:id="${thread}"/>${i > 1 ? `<parent dsq:id="${thread}${Math.floor(i / 2)}"/>` : ''}</post>`);
  }
  return Buffer.from(`<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">`
    + `<thread dsq:id="${thread}"><id>${thread}-thread</id><link>https://blog.example.org/${thread}/</link><title>T</title></thread>`
    + `${posts.join('\n')}</disqus>`);
}

test('a WordPress file through the admin API: 202, progress, the same counts as the command line, nothing new the second time', async () => {
  const file = fs.readFileSync(path.join(FIXTURES, 'wordpress.wxr'));
  const r = await upload('?format=wxr', file);
  assert.equal(r.status, 202, r.text);
  assert.ok(Number.isInteger(r.json.job) && r.json.job > 0, r.text);
  const { j } = await finished(r.json.job);
  assert.equal(j.state, 'done', JSON.stringify(j));
  assert.deepEqual([j.format, j.bytes, j.bytes_read, j.read, j.imported, j.skipped, j.already, j.orphans, j.errors],
    ['wxr', file.length, file.length, 8, 6, 2, 0, 1, []]);
  assert.match(j.created_at, /^\d{4}-\d\d-\d\dT/);
  assert.match(j.finished_at, /^\d{4}-\d\d-\d\dT/);
  const t = await thread('198');
  assert.equal(t.post.comment_count, 3);
  assert.ok(t.comments.some((c) => c.author.name === 'Mina Park'));

  const again = await upload('?format=wxr&key=id', file);
  assert.equal(again.status, 202, again.text);
  const second = (await finished(again.json.job)).j;
  assert.deepEqual([second.state, second.imported, second.already], ['done', 0, 6]);
  assert.equal((await thread('198')).post.comment_count, 3);
  // Each import is in the audit log, under the admin's name.
  const audit = sql("SELECT actor_name, target_id, after->>'format' FROM audit_log WHERE action = 'import' ORDER BY id", srv.db);
  assert.deepEqual(audit.map((a) => a[2]), ['wxr', 'wxr']);
  assert.match(audit[0][0], /boss@example\.org/);
});

test('a gzipped Disqus file, larger than the 64 KiB kept in memory, replies before parents', async () => {
  const xml = disqus(3000, 'gz');
  const body = zlib.gzipSync(xml);
  assert.ok(xml.length > 65536 && body.length < 2 * 1024 * 1024);
  const r = await upload('?format=disqus', body);
  assert.equal(r.status, 202, r.text);
  const { j } = await finished(r.json.job);
  assert.deepEqual([j.state, j.read, j.imported, j.orphans, j.bytes_read], ['done', 3000, 3000, 0, body.length], JSON.stringify(j));
  const depth = sql("SELECT max(depth) FROM comments WHERE import_id LIKE 'gz%'", srv.db)[0][0];
  assert.ok(Number(depth) >= 4, `nested, not flattened: depth ${depth}`);
  assert.equal((await thread('gz-thread')).post.comment_count, 3000);
});

test('one import at a time, the command line included; progress shows while it runs', async () => {
  const body = zlib.gzipSync(disqus(30000, 'many'));
  const r = await upload('?format=disqus', body);
  assert.equal(r.status, 202, r.text);
  const second = await upload('?format=disqus', disqus(2, 'other'));
  assert.equal(second.status, 409, second.text);
  assert.equal(second.json.error.code, 'import_running');
  // A worker's import holds the lock: the command line waits its turn.
  const wxr = path.join(FIXTURES, 'wordpress.wxr');
  const cli = spawnSync(path.join(top, 'scripts', 'import.sh'), [wxr, '', '', '', srv.db], { encoding: 'utf8' });
  const { j, seen } = await finished(r.json.job);
  assert.equal(j.state, 'done', JSON.stringify(j));
  assert.equal(j.imported, 30000);
  if (cli.status === 1) assert.match(cli.stdout, /another import is running/);
  else assert.equal(cli.status, 0, 'the command line ran only once the import was done');
  // The bar moved: some answer on the way was running, part read.
  assert.ok(seen.some((s) => s.state === 'running' && s.bytes_read > 0 && s.bytes_read <= s.bytes), JSON.stringify(seen.slice(0, 5)));
  for (const s of seen) assert.ok(s.bytes_read <= s.bytes);
  // Once it is done, the next one may start.
  const third = await upload('?format=disqus', disqus(2, 'other'));
  assert.equal(third.status, 202, third.text);
  assert.equal((await finished(third.json.job)).j.imported, 2);
});

test('a bad file fails the job with its reason, and nothing of it is kept', async () => {
  const wxr = fs.readFileSync(path.join(FIXTURES, 'wordpress.wxr'), 'utf8').replaceAll('<wp:comment_id>', '<wp:comment_id>bad');
  const before2 = total();
  const r = await upload('?format=wxr', Buffer.from(wxr.slice(0, Math.floor(wxr.length * 0.8))));
  assert.equal(r.status, 202, r.text);
  const { j } = await finished(r.json.job);
  assert.equal(j.state, 'failed');
  assert.equal(j.imported, 0);
  assert.match(j.errors.join(' '), /not well-formed XML/);
  assert.equal(total(), before2);
  const wrong = await upload('?format=wxr', fs.readFileSync(path.join(FIXTURES, 'disqus.xml')));
  const w = (await finished(wrong.json.job)).j;
  assert.deepEqual([w.state, w.imported], ['failed', 0]);
  assert.match(w.errors.join(' '), /not a WordPress export/);
});

test('refusals: the role, the format, the key, an empty or too large body, an unknown job', async () => {
  const file = fs.readFileSync(path.join(FIXTURES, 'wordpress.wxr'));
  assert.equal((await call(srv.base, 'POST', '/api/v1/admin/import?format=wxr', { body: file })).status, 401);
  const mod = await upload('?format=wxr', file, moderator);
  assert.equal(mod.status, 403, mod.text);
  for (const [query, field] of [['', 'format'], ['?format=rss', 'format'], ['?format=wxr&key=slug', 'key']]) {
    const r = await upload(query, file);
    assert.equal(r.status, 422, `${query}: ${r.text}`);
    assert.equal(r.json.error.field, field);
  }
  const empty = await upload('?format=wxr', Buffer.alloc(0));
  assert.equal(empty.status, 400, empty.text);
  assert.equal(empty.json.error.code, 'malformed_body');
  // Over import_max_mib (2 MiB here): refused before any job starts.
  const jobs = sql('SELECT count(*) FROM import_jobs', srv.db)[0][0];
  // Kore answers before reading a body that large, then closes: the
  // client waits for its go-ahead (Expect: 100-continue), as curl does,
  // so the answer is read rather than lost to the reset.
  const bigStatus = await new Promise((resolve, reject) => {
    const req = http.request(`${srv.base}/api/v1/admin/import?format=wxr`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream',
        'content-length': 2 * 1024 * 1024 + 1, expect: '100-continue' },
    }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('continue', () => req.end(Buffer.alloc(2 * 1024 * 1024 + 1, 0x20)));
    req.on('error', reject);
  });
  assert.equal(bigStatus, 413);
  assert.equal(sql('SELECT count(*) FROM import_jobs', srv.db)[0][0], jobs);
  // Every other endpoint still refuses more than 64 KiB, as JSON.
  const comment = await call(srv.base, 'POST', '/api/v1/comments',
    { body: JSON.stringify({ post: 'x', body: 'y'.repeat(1024 * 1024), author_name: 'A' }), headers: { 'content-type': 'application/json' } });
  assert.equal(comment.status, 413);
  assert.equal(comment.json.error.code, 'body_too_large');
  const none = await call(srv.base, 'GET', '/api/v1/admin/import/999999', { headers: bearer(admin) });
  assert.equal(none.status, 404);
  assert.equal(none.json.error.code, 'not_found');
  assert.equal((await call(srv.base, 'GET', '/api/v1/admin/import/1', { headers: bearer(moderator) })).status, 403);
});

test('a job whose importer went away (its worker died) shows as failed, and does not block the next', async () => {
  const id = sql("INSERT INTO import_jobs (format, key_mode, state, bytes) VALUES ('wxr', 'id', 'running', 10) RETURNING id", srv.db)[0][0];
  const j = await job(id);
  assert.equal(j.state, 'failed');
  assert.match(j.errors.join(' '), /stopped before it finished/);
  assert.ok(j.finished_at);
  const r = await upload('?format=disqus', disqus(3, 'after'));
  assert.equal(r.status, 202, r.text);
  assert.equal((await finished(r.json.job)).j.state, 'done');
});

// The export as `make export` writes it, its time of export aside.
function lines(buf) {
  return zlib.gunzipSync(buf).toString('utf8').trim().split('\n').map((l) => {
    const o = JSON.parse(l);
    return o.format ? { ...o, exported_at: 'T' } : o;
  });
}

test('GET /api/v1/admin/export: a gzip download equal to make export, audited; admins only', async () => {
  const res = await fetch(`${srv.base}/api/v1/admin/export`, { headers: bearer(admin) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/gzip');
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="parley-export-\d{8}\.jsonl\.gz"$/);
  assert.equal(res.headers.get('content-encoding'), null);
  const got = Buffer.from(await res.arrayBuffer());
  const file = path.join(tmp, 'cli.jsonl.gz');
  const cli = spawnSync('bash', ['-c', `"${top}/scripts/export.sh" "$1" > "$2"`, 'export', srv.db, file], { encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  const api = lines(got);
  assert.equal(api[0].format, 'parley-export');
  assert.equal(api[0].counts.comments, total());
  assert.equal(api.filter((o) => o.type === 'comment').length, total());
  assert.deepEqual(api, lines(fs.readFileSync(file)));
  assert.equal(sql("SELECT count(*) FROM audit_log WHERE action = 'export'", srv.db)[0][0], '1');
  assert.equal((await call(srv.base, 'GET', '/api/v1/admin/export', { headers: bearer(moderator) })).status, 403);
  assert.equal((await call(srv.base, 'GET', '/api/v1/admin/export')).status, 401);
});
