// `make admin` (scripts/admin.sh) against e-mail squatting: whoever
// registered an address before the operator promotes it keeps neither a
// session nor the password; any change of role ends the account's
// sessions.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, sql, top } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-admin-cli' }); });
after(async () => { await srv.stop(); });

const SQUAT = 'a long squatter password';
const adminSh = (...args) => execFileSync(path.join(top, 'scripts', 'admin.sh'), [...args, srv.db], { encoding: 'utf8' });
const me = (token) => call(srv.base, 'GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });
const login = (email, password) => call(srv.base, 'POST', '/api/v1/auth/login', { json: { email, password } });

async function squat(email) {
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email, password: SQUAT, name: 'Squatter' } });
  assert.equal(r.status, 201, r.text);
  assert.equal((await me(r.json.token)).status, 200);
  return r.json.token;
}

test('make admin without PASSWORD on a squatted address: new password printed once, sessions ended', async () => {
  const email = 'ops@example.org';
  const token = await squat(email);
  const out = adminSh(email, '');
  const m = out.match(/password: (\S+)/);
  assert.ok(m, `a generated password is printed: ${out}`);
  assert.match(out, /sessions ended/);
  assert.equal((await me(token)).status, 401, 'the squatter\'s session is gone');
  assert.equal((await login(email, SQUAT)).status, 401, 'the squatter\'s password is gone');
  const ok = await login(email, m[1]);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.user.role, 'admin');
});

test('make admin with PASSWORD on a squatted address sets it and ends sessions', async () => {
  const email = 'ops2@example.org';
  const token = await squat(email);
  const out = adminSh(email, 'the operator\'s own password');
  assert.doesNotMatch(out, /password: /, 'nothing generated, nothing printed');
  assert.equal((await me(token)).status, 401);
  assert.equal((await login(email, SQUAT)).status, 401);
  assert.equal((await login(email, 'the operator\'s own password')).status, 200);
});

test('any change of role ends the account\'s sessions', async () => {
  const adminLogin = await login('ops2@example.org', 'the operator\'s own password');
  const boss = { authorization: `Bearer ${adminLogin.json.token}` };
  const r = await call(srv.base, 'POST', '/api/v1/auth/register', { json: { email: 'mia@example.org', password: SQUAT, name: 'Mia' } });
  const mia = r.json.token;
  const promote = await call(srv.base, 'PATCH', `/api/v1/admin/users/${r.json.user.id}`, { json: { role: 'moderator' }, headers: boss });
  assert.equal(promote.status, 200, promote.text);
  assert.equal((await me(mia)).status, 401, 'promoted: log in again');
  const again = (await login('mia@example.org', SQUAT)).json.token;
  assert.equal((await me(again)).json.user.role, 'moderator');
  const demote = await call(srv.base, 'PATCH', `/api/v1/admin/users/${r.json.user.id}`, { json: { role: 'reader' }, headers: boss });
  assert.equal(demote.status, 200);
  assert.equal((await me(again)).status, 401, 'demoted: the moderator\'s session does not outlive the role');
  // Even a change made in SQL by hand.
  const third = (await login('mia@example.org', SQUAT)).json.token;
  sql("UPDATE users SET role = 'moderator' WHERE email = 'mia@example.org'");
  assert.equal((await me(third)).status, 401);
  // The same role again is no change.
  const fourth = (await login('mia@example.org', SQUAT)).json.token;
  sql("UPDATE users SET role = 'moderator' WHERE email = 'mia@example.org'");
  assert.equal((await me(fourth)).status, 200);
});
