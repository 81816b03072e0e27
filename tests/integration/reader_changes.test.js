// PATCH and DELETE /api/v1/comments/ID, the readers' endpoints, as a
// security review found them: the edit token must not tell spam from
// held, and moderators acting here are audited like on the admin page.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, top } = require('./harness');

const PW = 'a long enough password';
let srv;
let mod;	// a moderator's token and id

before(async () => {
  srv = await startParley({ name: 'it-reader-changes' });
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email: 'mo@example.org', password: PW, name: 'Mo' } });
  sql(`UPDATE users SET role = 'moderator' WHERE id = ${r.json.user.id}`);
  const login = await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'mo@example.org', password: PW } });
  mod = { token: login.json.token, id: login.json.user.id };
});
after(async () => { await srv.stop(); });

const post = (json) => call(srv.base, 'POST', '/api/v1/comments', { json: { author_name: 'Guest', ...json } });
const withToken = (method, id, token, json) => call(srv.base, method, `/api/v1/comments/${id}`,
  { json, headers: { 'x-edit-token': token } });
const stored = (id) => sql(`SELECT status, body FROM comments WHERE id = ${Number(id)}`)[0];

test('a guest cannot tell its spam comment from a held one through the edit token', async () => {
  setSettings({ hold_words: ['held-word'], disallowed_words: ['spam-word'] });
  try {
    const key = uniqueKey();
    const held = await post({ post: key, body: 'a held-word here' });
    const spam = await post({ post: key, body: 'a spam-word here' });
    const trap = await post({ post: key, body: 'innocent', hp: 'filled by a bot' });
    assert.equal(stored(held.json.comment.id)[0], 'pending');
    assert.equal(stored(spam.json.comment.id)[0], 'spam');
    assert.equal(stored(trap.json.comment.id)[0], 'spam');
    const answers = [];
    for (const c of [held, spam, trap]) {
      const p = await withToken('PATCH', c.json.comment.id, c.json.edit_token, { body: 'changed' });
      answers.push([p.status, p.json.comment && p.json.comment.status, Object.keys(p.json.comment || {}).sort().join()]);
    }
    assert.deepEqual(answers[1], answers[0], 'spam edit answers like held');
    assert.deepEqual(answers[2], answers[0], 'honeypot edit answers like held');
    assert.equal(answers[0][0], 200);
    assert.equal(answers[0][1], 'pending');
    // The verdict stays what it was: editing does not launder spam.
    assert.deepEqual(stored(spam.json.comment.id), ['spam', 'changed']);
    const dels = [];
    for (const c of [held, spam, trap])
      dels.push((await withToken('DELETE', c.json.comment.id, c.json.edit_token)).status);
    assert.deepEqual(dels, [204, 204, 204]);
    // A second try finds nothing, for both alike.
    const again = [];
    for (const c of [held, spam])
      again.push((await withToken('DELETE', c.json.comment.id, c.json.edit_token)).status);
    assert.equal(again[0], again[1]);
  } finally {
    setSettings({ hold_words: [], disallowed_words: [] });
  }
});

test('a moderator\'s edit and removal through the readers\' endpoints are audited', async () => {
  const key = uniqueKey();
  const c = (await post({ post: key, body: 'original words' })).json.comment;
  const bearer = { authorization: `Bearer ${mod.token}` };
  const p = await call(srv.base, 'PATCH', `/api/v1/comments/${c.id}`, { json: { body: 'moderated words' }, headers: bearer });
  assert.equal(p.status, 200, p.text);
  const d = await call(srv.base, 'DELETE', `/api/v1/comments/${c.id}`, { headers: bearer });
  assert.equal(d.status, 204);
  const rows = sql(`SELECT action, actor_id, before->>'body', after->>'body', after->>'status' FROM audit_log
    WHERE target_type = 'comment' AND target_id = '${c.id}' ORDER BY id`);
  assert.deepEqual(rows, [
    ['comment.edit', String(mod.id), 'original words', 'moderated words', 'approved'],
    ['comment.trash', String(mod.id), 'moderated words', 'moderated words', 'deleted'],
  ]);
  // The moderator's own comment is an author's edit, not a moderation.
  const own = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'mine' }, headers: bearer });
  assert.equal(own.status, 201, own.text);
  await call(srv.base, 'PATCH', `/api/v1/comments/${own.json.comment.id}`, { json: { body: 'mine, edited' }, headers: bearer });
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE target_id = '${own.json.comment.id}'`)[0][0], '0');
});

test('an author\'s edit passes the content rules again; held or spam, it leaves public view', async () => {
  setSettings({ hold_words: ['held-word'], disallowed_words: ['spam-word'], max_links: 2 });
  try {
    const key = uniqueKey();
    const visible = async () => (await call(srv.base, 'GET', `/api/v1/comments?post=${key}`)).json.comments.map((c) => c.id);
    const cases = [
      ['now with a spam-word', 'spam', /^spam: disallowed word 'spam-word' in body/],
      ['now with a held-word', 'pending', /^held: word 'held-word' in body/],
      ['links [a](https://a.example) [b](https://b.example) [c](https://c.example)', 'pending', /^held: 3 links/],
      // Markdown inside a word does not hide it: the rendered text is read.
      ['spam-*wo*rd hidden', 'spam', /disallowed word/],
    ];
    for (const [body, status, reason] of cases) {
      const c = await post({ post: key, body: 'hi' });
      assert.equal(c.json.comment.status, 'approved');
      assert.ok((await visible()).includes(c.json.comment.id));
      const p = await withToken('PATCH', c.json.comment.id, c.json.edit_token, { body });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.comment.status, 'pending', 'answered like a held comment');
      const [[st, verdict, why]] = sql(`SELECT status, verdict, reason FROM comments WHERE id = ${c.json.comment.id}`);
      assert.equal(st, status, body);
      assert.equal(verdict, status === 'spam' ? 'spam' : 'hold');
      assert.match(why, reason);
      assert.ok(!(await visible()).includes(c.json.comment.id), 'out of public view');
    }
    // A clean edit of a held comment does not publish it.
    const held = await post({ post: key, body: 'a held-word' });
    await withToken('PATCH', held.json.comment.id, held.json.edit_token, { body: 'all clean now' });
    assert.equal(stored(held.json.comment.id)[0], 'pending');
    // A clean edit of an approved comment keeps it published.
    const ok = await post({ post: key, body: 'fine' });
    const p = await withToken('PATCH', ok.json.comment.id, ok.json.edit_token, { body: 'still fine' });
    assert.equal(p.json.comment.status, 'approved');
    assert.equal(stored(ok.json.comment.id)[0], 'approved');
    // A moderator's edit of someone else's comment is not judged.
    const other = await post({ post: key, body: 'hello' });
    await call(srv.base, 'PATCH', `/api/v1/comments/${other.json.comment.id}`,
      { json: { body: 'quoting a spam-word to explain' }, headers: { authorization: `Bearer ${mod.token}` } });
    assert.equal(stored(other.json.comment.id)[0], 'approved');
  } finally {
    setSettings({ hold_words: [], disallowed_words: [], max_links: 2 });
  }
});

test('an author\'s edit is put to the verdict hook, which can hold or spam it', async () => {
  const { startReceiver, verify } = require('./hook_receiver');
  const receiver = await startReceiver();
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['boss@example.org', PW, srv.db], { stdio: 'ignore' });
  const boss = (await call(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'boss@example.org', password: PW } })).json.token;
  const admin = { authorization: `Bearer ${boss}` };
  const key = uniqueKey();
  const c = await post({ post: key, body: 'harmless' });
  const h = await call(srv.base, 'POST', '/api/v1/admin/hooks', { json: { url: `http://127.0.0.1:${receiver.port}/v`, kind: 'verdict', events: [], enabled: true }, headers: admin });
  assert.equal(h.status, 201, h.text);
  try {
    receiver.setMode({ json: { verdict: 'spam', reason: 'edited into spam' } });
    const p = await withToken('PATCH', c.json.comment.id, c.json.edit_token, { body: 'buy my pills' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.comment.status, 'pending');
    assert.deepEqual(sql(`SELECT status, reason FROM comments WHERE id = ${c.json.comment.id}`)[0],
      ['spam', 'spam: by the verdict hook: edited into spam']);
    const req = receiver.requests.find((r) => r.path === '/v');
    assert.ok(req, 'the hook was asked');
    const payload = verify(h.json.secret, req);
    assert.equal(payload.data.comment.body, 'buy my pills');
    assert.equal(payload.data.edit.id, c.json.comment.id);
  } finally {
    receiver.setMode('ok');
    await call(srv.base, 'DELETE', `/api/v1/admin/hooks/${h.json.hook.id}`, { headers: admin });
    await receiver.stop();
  }
});
