// Importing WordPress (WXR) and Disqus exports with `make import`'s
// script and build/parley-import, into a real PostgreSQL behind a real
// Parley: counts, parents and statuses after an import and after the same
// import again, replies listed before their parents, and every kind of
// bad file refused whole.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync } = require('node:child_process');
const { startParley, call, sql, setSettings, top } = require('./harness');

const FIXTURES = path.join(__dirname, 'fixtures');
let srv;
let tmp;
before(async () => {
  // The imported blog is one of this Parley's sites: its posts' URLs are
  // shown only then (sites.h).
  srv = await startParley({ name: 'it-import', env: { PARLEY_ORIGINS: 'https://blog.example.org' } });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-import-'));
});
after(async () => {
  await srv.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Runs scripts/import.sh on file; the report, the exit status, stderr.
function runImport(file, { format = '', key = '', remap = '' } = {}) {
  const r = spawnSync(path.join(top, 'scripts', 'import.sh'), [file, format, key, remap, srv.db],
    { encoding: 'utf8', timeout: 60000 });
  let report = null;
  try { report = JSON.parse(r.stdout); } catch (_) { /* shown below */ }
  return { status: r.status, report, stdout: r.stdout, stderr: r.stderr };
}

const thread = async (key) => (await call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}`)).json;
const rows = (where) => sql(`SELECT c.import_id, c.status, coalesce(pc.import_id, ''), c.depth FROM comments c
  LEFT JOIN comments pc ON pc.id = c.parent_id WHERE ${where} ORDER BY c.import_id`, srv.db);
const total = () => Number(sql('SELECT count(*) FROM comments', srv.db)[0][0]);

function writeFile(name, text) {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

test('a WordPress export: posts by wp:post_id, statuses, parents, GMT dates, pingbacks and trash left out', async () => {
  const r = runImport(path.join(FIXTURES, 'wordpress.wxr'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.report.state, 'done');
  assert.deepEqual([r.report.read, r.report.imported, r.report.orphans, r.report.posts], [8, 6, 1, 2]);
  assert.deepEqual(r.report.skipped_by, { trash: 1, type: 1, invalid: 0, no_post: 0, deleted: 0 });
  assert.deepEqual(rows("c.import_source = 'wxr'"), [
    ['11', 'approved', '', '0'], ['13', 'approved', '11', '1'], ['14', 'pending', '', '0'],
    ['15', 'spam', '', '0'], ['18', 'approved', '', '0'], ['20', 'approved', '', '0']]);

  // data-post="198" finds post 198's comments, in the widget's shape.
  const t = await thread('198');
  assert.equal(t.post.title, "Getting to 'Yes' With North Korea");
  assert.equal(t.post.url, 'https://blog.example.org/2026/11/getting-to-yes/');
  assert.equal(t.post.comment_count, 3);
  const mina = t.comments.find((c) => c.author.name === 'Mina Park');
  assert.equal(mina.created_at, '2026-11-02T11:30:00Z', 'comment_date_gmt, not the local comment_date');
  assert.equal(mina.author.url, 'https://mina.example.org');
  assert.match(mina.html, /<strong>useful<\/strong>/);
  assert.match(mina.html, /<a href="https:\/\/example.org\/a" rel="nofollow ugc noopener">link<\/a>/);
  assert.equal(mina.replies[0].author.name, 'Tom');
  // Outside the allowlist a tag goes and its text stays; a script's
  // code is no text to keep (import_html.c).
  assert.equal(mina.replies[0].html, '<p>A reply to Mina, shown as text.</p>\n');
  assert.ok(!JSON.stringify(t).includes('Held Hank') && !JSON.stringify(t).includes('Cheap Pills'));
  assert.equal((await thread('205')).post.open, false, 'comment_status closed');
  // Imported e-mails are not accounts, and nothing was announced to hooks.
  assert.equal(Number(sql("SELECT count(*) FROM users WHERE email LIKE '%@example.org'", srv.db)[0][0]), 0);
  assert.equal(Number(sql("SELECT count(*) FROM events WHERE type LIKE 'comment.%'", srv.db)[0][0]), 0);

  // The same file again changes nothing.
  const before2 = total();
  const again = runImport(path.join(FIXTURES, 'wordpress.wxr'));
  assert.equal(again.status, 0, again.stdout);
  assert.deepEqual([again.report.imported, again.report.already], [0, 6]);
  assert.equal(total(), before2);
  assert.equal((await thread('198')).post.comment_count, 3);
});

test('a Disqus export: replies before parents, a thread without <id>, deleted and spam posts', async () => {
  const r = runImport(path.join(FIXTURES, 'disqus.xml'));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual([r.report.read, r.report.imported, r.report.orphans, r.report.skipped_by.deleted], [6, 5, 0, 1]);
  assert.deepEqual(rows("c.import_source = 'disqus'"), [
    ['9001', 'deleted', '', '0'], ['9002', 'approved', '9001', '1'], ['9003', 'approved', '9002', '2'],
    ['9005', 'spam', '', '0'], ['9006', 'approved', '', '0']]);
  const t = await thread('post-42');
  assert.equal(t.post.title, 'Forty-two & more');
  assert.equal(t.comments.length, 1);
  assert.equal(t.comments[0].status, 'deleted', 'a deleted comment with replies stays as a placeholder');
  assert.ok(!JSON.stringify(t.comments[0]).includes('deleted later'));
  assert.equal(t.comments[0].replies[0].replies[0].author.name, 'Carol');
  assert.equal(t.comments[0].replies[0].created_at, '2025-03-02T12:00:00Z');
  // Its link's path keys a thread whose <id> is empty.
  const noId = await thread('/2025/04/no-id/');
  assert.equal(noId.comments[0].author.name, 'Eve');
  assert.equal(noId.post.open, false);
  assert.equal(sql("SELECT length(body) FROM comments WHERE import_id = '9001'", srv.db)[0][0], '0', 'a deleted body is not kept');

  const again = runImport(path.join(FIXTURES, 'disqus.xml'));
  assert.deepEqual([again.status, again.report.imported, again.report.already], [0, 0, 5]);
  // And gzipped, as Disqus sends it: still nothing new.
  const gz = path.join(tmp, 'disqus.xml.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(FIXTURES, 'disqus.xml'))));
  const zipped = runImport(gz);
  assert.deepEqual([zipped.status, zipped.report.read, zipped.report.already], [0, 6, 5]);
});

// A Disqus export of one thread (dsq:id 7100, key order-1) whose posts
// come in the order given: [dsq id, parent dsq id or null].
function disqusThread(posts) {
  const post = ([id, parent]) => `<post dsq:id="${id}"><id/><message><![CDATA[<p>Comment ${id}.</p>]]></message>
    <createdAt>2025-05-0${1 + (id % 7)}T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><email>o${id}@example.org</email><name>O ${id}</name></author><ipAddress>192.0.2.9</ipAddress>
    <thread dsq:id="7100"/>${parent ? `<parent dsq:id="${parent}"/>` : ''}</post>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="7100"><id>order-1</id><link>https://blog.example.org/order/</link><title>Order</title>
<createdAt>2025-05-01T09:00:00Z</createdAt><isClosed>false</isClosed></thread>
${posts.map(post).join('\n')}
</disqus>`;
}

// Import ids by database id: each line "dsq id:parent dsq id".
const byId = (ids) => sql(`SELECT c.import_id || ':' || coalesce(p.import_id, '') FROM comments c
  LEFT JOIN comments p ON p.id = c.parent_id
  WHERE c.import_source = 'disqus' AND c.import_id IN (${ids.map((i) => `'${i}'`).join(',')})
  ORDER BY c.id`, srv.db).map((r) => r[0]);

test('an export piped in is read twice all the same; ids keep the file\'s order where parents come first', async () => {
  // Parents first: the ids follow the file.
  const r = runImport(writeFile('order.xml', disqusThread([[8101, null], [8102, 8101], [8103, null], [8104, 8102], [8105, 8103]])));
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.report.imported, 5);
  assert.deepEqual(byId(['8101', '8102', '8103', '8104', '8105']), ['8101:', '8102:8101', '8103:', '8104:8102', '8105:8103']);

  // Replies first, gzipped through a pipe (parley-import reads
  // /dev/stdin, which it cannot seek: it keeps a copy to read twice).
  const gz = path.join(tmp, 'order.xml.gz');
  fs.writeFileSync(gz, zlib.gzipSync(disqusThread([[8204, 8202], [8205, 8203], [8202, 8201], [8203, null], [8201, null]])));
  const p = spawnSync('bash', ['-c', `. "${top}/scripts/conninfo.sh"; parley_conninfo "$1" && cat "$2" |
    PARLEY_DATABASE="$conn" "${top}/build/parley-import" -f disqus /dev/stdin`, 'import', srv.db, gz],
  { encoding: 'utf8', timeout: 60000 });
  assert.equal(p.status, 0, p.stdout + p.stderr);
  const piped = JSON.parse(p.stdout);
  assert.deepEqual([piped.state, piped.read, piped.imported, piped.orphans], ['done', 5, 5, 0]);
  // Every parent before its replies; each root's replies right after it.
  assert.deepEqual(byId(['8201', '8202', '8203', '8204', '8205']), ['8203:', '8205:8203', '8201:', '8202:8201', '8204:8202']);
  const t = await thread('order-1');
  assert.deepEqual(t.comments.map((c) => c.author.name).sort(), ['O 8101', 'O 8103', 'O 8201', 'O 8203']);
  assert.equal(t.post.comment_count, 10);
});

test('imported comments are history: the rate limit and the duplicate check of new comments leave them out', async () => {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const post = (id) => `<post dsq:id="${id}"><id/><message><![CDATA[<p>Same words.</p>]]></message>
    <createdAt>${now}</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Same Person</name></author><ipAddress>127.0.0.1</ipAddress><thread dsq:id="7200"/></post>`;
  const r = runImport(writeFile('history.xml', `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="7200"><id>history-1</id><link>https://blog.example.org/history/</link><title>History</title>
<createdAt>${now}</createdAt><isClosed>false</isClosed></thread>
${post(8301)}
${post(8302)}
</disqus>`));
  assert.deepEqual([r.status, r.report.imported], [0, 2], r.stdout + r.stderr);
  // Two comments from this address this minute, with this text and
  // name: the checks count only what was posted through Parley.
  const send = (body) => call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: 'history-1', body, author_name: 'Same Person' } });
  assert.equal((await send('Same words.')).status, 201, 'not a duplicate of an imported comment');
  setSettings({ rate_limit_per_minute: 2 }, srv.db);
  try {
    assert.equal((await send('Other words.')).status, 201, 'one posted this minute, the imported ones aside');
    assert.equal((await send('Third words.')).status, 429, 'two posted: the limit');
  } finally {
    setSettings({ rate_limit_per_minute: 0 }, srv.db);
  }
});

test('KEY=path keys posts by their link\'s path; a remap file moves them', async () => {
  const remap = writeFile('moved.txt', '# old new\nhttps://blog.example.org/2026/11/quiet/ /moved/quiet/\n');
  const wxr = fs.readFileSync(path.join(FIXTURES, 'wordpress.wxr'), 'utf8')
    .replaceAll('<wp:comment_id>', '<wp:comment_id>p');
  const r = runImport(writeFile('bypath.wxr', wxr), { key: 'path', remap });
  assert.equal(r.status, 0, r.stdout);
  assert.equal((await thread('/2026/11/getting-to-yes/')).post.comment_count, 3);
  assert.equal((await thread('/moved/quiet/')).comments[0].author.name, 'Ann');
});

test('replies nest at most max_depth deep, like posted ones', async () => {
  sql("UPDATE settings SET value = '3' WHERE name = 'max_depth'", srv.db);
  try {
    const posts = [];
    for (let i = 1; i <= 6; i++) {
      posts.push(`<post dsq:id="d${i}"><message><![CDATA[<p>level ${i}</p>]]></message>
        <createdAt>2025-05-0${i}T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
        <author><name>N${i}</name><email>n${i}@example.org</email></author><ipAddress>192.0.2.${i}</ipAddress>
        <thread dsq:id="deep"/>${i > 1 ? `<parent dsq:id="d${i - 1}"/>` : ''}</post>`);
    }
    const file = writeFile('deep.xml', `<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
      <thread dsq:id="deep"><id>deep-thread</id><link>https://blog.example.org/deep/</link><title>Deep</title><isClosed>false</isClosed></thread>
      ${posts.reverse().join('\n')}</disqus>`);
    const r = runImport(file);
    assert.equal(r.status, 0, r.stdout);
    assert.deepEqual(rows("c.import_id LIKE 'd_'").map((x) => [x[0], x[2], x[3]]),
      [['d1', '', '0'], ['d2', 'd1', '1'], ['d3', 'd2', '2'], ['d4', 'd2', '2'], ['d5', 'd2', '2'], ['d6', 'd2', '2']]);
  } finally {
    sql("UPDATE settings SET value = '5' WHERE name = 'max_depth'", srv.db);
  }
});

test('a parent on another post, a cycle, a self-parent: top level, counted as orphans', async () => {
  const post = (id, thread, parent) => `<post dsq:id="${id}"><message><![CDATA[<p>${id}</p>]]></message>
    <createdAt>2025-06-01T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>${id}</name><email>${id}@example.org</email></author><ipAddress>192.0.2.9</ipAddress>
    <thread dsq:id="${thread}"/>${parent ? `<parent dsq:id="${parent}"/>` : ''}</post>`;
  const file = writeFile('tricky.xml', `<?xml version="1.0"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
    <thread dsq:id="ta"><id>tricky-a</id><link>https://blog.example.org/a/</link><title>A</title></thread>
    <thread dsq:id="tb"><id>tricky-b</id><link>https://blog.example.org/b/</link><title>B</title></thread>
    ${post('x1', 'ta')}${post('x2', 'tb', 'x1')}${post('x3', 'ta', 'x4')}${post('x4', 'ta', 'x3')}${post('x5', 'ta', 'x5')}
    ${post('x6', 'ta', 'x3')}</disqus>`);
  const r = runImport(file);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(r.report.orphans, 5, r.stdout);
  const placed = rows("c.import_id LIKE 'x_'").map((x) => [x[0], x[2]]);
  assert.deepEqual(placed, [['x1', ''], ['x2', ''], ['x3', ''], ['x4', ''], ['x5', ''], ['x6', '']]);
  assert.equal((await thread('tricky-b')).comments[0].author.name, 'x2', 'a reply never hangs under another post');
});

test('bad files are refused whole, with a reason, and leave nothing behind', async () => {
  const wxr = fs.readFileSync(path.join(FIXTURES, 'wordpress.wxr'), 'utf8').replaceAll('<wp:comment_id>', '<wp:comment_id>x');
  const disqus = fs.readFileSync(path.join(FIXTURES, 'disqus.xml'));
  const cases = [
    ['truncated', writeFile('cut.wxr', wxr.slice(0, Math.floor(wxr.length * 0.8))), /not well-formed XML/],
    ['wrong format', path.join(FIXTURES, 'disqus.xml'), /not a WordPress export/, { format: 'wxr' }],
    ['wrong format the other way', writeFile('w.xml', wxr), /not a Disqus export/, { format: 'disqus' }],
    ['an unknown namespace', writeFile('ns.wxr', wxr.replaceAll('http://wordpress.org/export/1.2/"', 'http://wordpress.org/export/2.0/"')),
      /unknown WXR namespace/],
    ['invalid UTF-8', writeFile('bad-utf8.wxr', Buffer.concat([Buffer.from(wxr.slice(0, 3000)), Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(wxr.slice(3000))])), /not well-formed XML/],
    ['a billion laughs', writeFile('laughs.xml', `<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "ha">
      ${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i ? 'b'.repeat(i) : 'a'};`.repeat(10)}">`).join('')}]>
      <disqus xmlns="http://disqus.com"><thread><title>&bbbbbbbbb;</title></thread></disqus>`), /DOCTYPE|entity/, { format: 'disqus' }],
    ['an external entity', writeFile('xxe.xml', `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>&x;</title></item></channel></rss>`), /DOCTYPE/],
    ['an empty file', writeFile('empty.xml', ''), /empty|not well-formed/],
    ['a gzip cut short', writeFile('cut.xml.gz', zlib.gzipSync(disqus).subarray(0, 300)), /not well-formed XML/, { format: 'disqus' }],
  ];
  const before2 = total();
  for (const [what, file, reason, opts] of cases) {
    const r = runImport(file, opts);
    assert.equal(r.status, 1, `${what}: ${r.stdout}${r.stderr}`);
    assert.equal(r.report.state, 'failed', what);
    assert.equal(r.report.imported, 0, what);
    assert.match(r.report.errors.join(' '), reason, `${what}: ${r.report.errors}`);
    assert.equal(total(), before2, `${what}: nothing half-imported`);
  }
  assert.equal(runImport(path.join(tmp, 'no-such-file.xml')).status, 2);
});

// Every line of an export, with what differs between databases (ids,
// hence the order of comments, and the time of export) replaced by what
// stays: a comment is named by its post, time, author and text, an
// account by its e-mail.
function normalized(file) {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  const users = new Map();
  const comments = new Map();
  for (const o of lines) {
    if (o.type === 'user') users.set(o.id, o.email);
    if (o.type === 'comment') comments.set(o.id, `${o.post}|${o.created_at}|${o.author_name}|${o.body}`);
  }
  const named = lines.map((o) => {
    if (o.format) return { ...o, exported_at: 'T' };
    if (o.type === 'user') return { ...o, id: o.email };
    if (o.type === 'comment') {
      return { ...o, id: comments.get(o.id), parent_id: o.parent_id === null ? null : comments.get(o.parent_id),
        user_id: o.user_id === null ? null : users.get(o.user_id) };
    }
    return o;
  });
  const rest = named.filter((o) => o.type !== 'comment');
  const sorted = named.filter((o) => o.type === 'comment').sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return [...rest, ...sorted];
}

test('export, import into an empty database, export again: the same, ids aside', async () => {
  // Native data beside the imported: accounts, a reply, a vote, an edit,
  // a ban, a changed setting.
  const key = 'round-trip';
  const reg = await call(srv.base, 'POST', '/api/v1/auth/register',
    { json: { email: 'member@example.org', password: 'a long enough password', name: 'Mem Ber' } });
  assert.equal(reg.status, 201, reg.text);
  const auth = { authorization: `Bearer ${reg.json.token}` };
  const top1 = await call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: key, post_title: 'Round trip', post_url: 'https://blog.example.org/rt/', body: 'A *member* writes.' }, headers: auth });
  assert.equal(top1.status, 201, top1.text);
  const reply = await call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: key, parent_id: top1.json.comment.id, body: 'A guest answers `code`.', author_name: 'Gus', author_email: 'gus@example.org' } });
  assert.equal(reply.status, 201, reply.text);
  await call(srv.base, 'PATCH', `/api/v1/comments/${top1.json.comment.id}`, { json: { body: 'A *member* writes, edited.' }, headers: auth });
  await call(srv.base, 'POST', `/api/v1/comments/${reply.json.comment.id}/vote`, { json: { value: 1 }, headers: auth });
  sql("INSERT INTO bans (kind, value, reason) VALUES ('ip', '192.0.2.0/24', 'a test')", srv.db);
  sql("UPDATE settings SET value = '4' WHERE name = 'max_links'", srv.db);

  const first = path.join(tmp, 'first.jsonl.gz');
  const second = path.join(tmp, 'second.jsonl.gz');
  const exp = (db, file) => {
    const r = spawnSync('bash', ['-c', `"${top}/scripts/export.sh" "$1" > "$2"`, 'export', db, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  exp(srv.db, first);
  const header = normalized(first)[0];
  assert.equal(header.format, 'parley-export');
  assert.equal(header.counts.comments, Number(sql('SELECT count(*) FROM comments', srv.db)[0][0]));
  assert.ok(!zlib.gunzipSync(fs.readFileSync(first)).toString().includes('$argon2'), 'no password hash leaves');

  const empty = `${srv.db}_restore`;
  spawnSync(path.join(top, 'scripts', 'pg.sh'), ['createdb', empty], { stdio: 'ignore' });
  const r = spawnSync(path.join(top, 'scripts', 'import.sh'), [first, '', '', '', empty], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).imported, header.counts.comments);
  exp(empty, second);
  assert.deepEqual(normalized(second), normalized(first));
  // An imported account exists, and cannot log in until a new password
  // is set (the export has no hashes).
  assert.equal(sql("SELECT password_hash FROM users WHERE email = 'member@example.org'", empty)[0][0], '!');
  // Importing the export again adds nothing.
  const again = spawnSync(path.join(top, 'scripts', 'import.sh'), [first, 'parley', '', '', empty], { encoding: 'utf8' });
  assert.equal(JSON.parse(again.stdout).imported, 0, again.stdout);
  spawnSync(path.join(top, 'scripts', 'pg.sh'), ['psql', '-d', 'postgres', '-c', `DROP DATABASE "${empty}" WITH (FORCE)`], { stdio: 'ignore' });
});
