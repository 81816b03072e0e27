// Hooks addressed by host name and over https, from inside the workers'
// sandbox (chroot into an empty folder, seccomp): the name comes from
// /etc/hosts only (libcurl resolves "localhost" by itself, so that name
// would prove nothing), the receiver's certificate from a throwaway CA
// that Parley trusts through hook_ca_file (PARLEY_HOOK_CA_FILE). Event
// deliveries and the verdict hook arrive and verify with the
// standardwebhooks library; a receiver whose certificate comes from a CA
// Parley does not trust leaves a readable error in the delivery log.
//
// Runs as root, as the suite does: the test adds its names to /etc/hosts
// and checks that the workers really are chrooted.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { startParley, call, sql, setSettings, uniqueKey, sleep, top } = require('./harness');
const { startReceiver, verify } = require('./hook_receiver');
const { TestCerts, ensureHosts } = require('./tls_fixtures');

const NAME = 'it-hooks-tls';
const HOST = 'parley-hooks.test';
// A name with two addresses: glibc sorts them (RFC 6724) with the
// kernel's interface list, read over netlink: more system calls.
const HOST_TWO = 'parley-hooks-two.test';
const PW = 'a long enough password';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let srv;
let admin;
let certs;		// the throwaway CAs and certificates (tls_fixtures.js)
let trusted;		// https receiver, certificate from the CA Parley trusts
let untrusted;		// https receiver, certificate from another CA

// The pids of the server's Kore workers.
function workerPids() {
  const parent = fs.readFileSync(path.join(top, 'var', 'run', NAME, 'kore.pid'), 'utf8').trim();
  const out = execFileSync('ps', ['--ppid', parent, '-o', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => /\[wrk \d+\]/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

// Logs in the admin of a server (made by scripts/admin.sh): its headers.
async function adminOf(server) {
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['tls@example.org', PW, server.db], { stdio: 'ignore' });
  const login = await call(server.base, 'POST', '/api/v1/auth/login', { json: { email: 'tls@example.org', password: PW } });
  assert.equal(login.status, 200, login.text);
  return { authorization: `Bearer ${login.json.token}` };
}

before(async () => {
  assert.equal(process.getuid(), 0,
    'hooks_tls needs root, as the suite runs: the workers chroot and seccomp only then, and /etc/hosts needs our names');
  ensureHosts(HOST, ['127.0.0.1']);
  ensureHosts(HOST_TWO, ['127.0.0.1', '::1']);
  certs = new TestCerts('parley-hooks-tls-');
  certs.makeCa('ca');
  certs.makeCa('stranger-ca');
  trusted = await startReceiver({ tls: certs.makeServerCert('ca', 'trusted', [HOST, HOST_TWO]) });
  untrusted = await startReceiver({ tls: certs.makeServerCert('stranger-ca', 'untrusted', [HOST]) });

  srv = await startParley({ name: NAME, env: { PARLEY_HOOK_CA_FILE: path.join(certs.dir, 'ca.pem') } });
  admin = await adminOf(srv);
});

after(async () => {
  for (const r of [trusted, untrusted]) if (r) await r.stop();
  if (srv) await srv.stop();
  if (certs) certs.remove();
});

const api = (method, urlPath, json, server = srv, headers = admin) =>
  call(server.base, method, urlPath, { json, headers });

async function makeHook(url, kind = 'event', events = [], server = srv, headers = admin) {
  const r = await api('POST', '/api/v1/admin/hooks', { url, kind, events, enabled: true }, server, headers);
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  return { ...r.json.hook, secret: r.json.secret };
}

async function waitDelivery(hookId, pred, what, { timeoutMs = 15000, server = srv, headers = admin } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api('GET', `/api/v1/admin/hooks/${hookId}/deliveries?limit=100`, undefined, server, headers);
    assert.equal(r.status, 200, r.text);
    const found = r.json.deliveries.find(pred);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r.json.deliveries)}`);
    await sleep(100);
  }
}

// No worker died or was restarted. (A refused system call in a thread,
// such as libcurl's resolver, kills only that thread: the hook then
// fails on its own, which the tests see too.)
function assertNoSandboxDeaths() {
  const log = fs.readFileSync(path.join(top, 'var', `${NAME}.log`), 'utf8');
  assert.doesNotMatch(log, /sandbox violation|seccomp violation|exited with status|\) gone/);
}

test('the workers run chrooted in an empty folder that holds only the resolver files', () => {
  const root = path.join(top, 'var', 'run', NAME, 'root');
  const pids = workerPids();
  assert.ok(pids.length >= 1, 'no workers found');
  for (const pid of pids) {
    assert.equal(fs.realpathSync(`/proc/${pid}/root`), fs.realpathSync(root), `worker ${pid} is not chrooted`);
  }
  // What getaddrinfo reads, copied at start: and it knows our name.
  assert.match(fs.readFileSync(path.join(root, 'etc', 'hosts'), 'utf8'), new RegExp(`^127\\.0\\.0\\.1\\s.*\\b${HOST.replace(/\./g, '\\.')}\\b`, 'm'));
  assert.ok(fs.existsSync(path.join(root, 'etc', 'nsswitch.conf')));
  assert.equal(fs.statSync(path.join(root, 'etc', 'hosts')).mode & 0o777, 0o644);
  // No CA file in there: the bundle comes from memory.
  assert.ok(!fs.existsSync(path.join(root, 'etc', 'ssl')));
});

test('an https hook addressed by a name from /etc/hosts gets verified deliveries', async () => {
  trusted.clear();
  const hook = await makeHook(`https://${HOST}:${trusted.port}/events`, 'event', ['comment.created']);
  srv.use();
  const key = uniqueKey('tls');
  const c = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: key, body: 'over https, by name', author_name: 'Tess' } });
  assert.equal(c.status, 201, c.text);

  const req = await trusted.waitFor((r) => r.path === '/events', 15000, 'the delivery over https');
  // Verified as a receiver would: the library and the secret as shown.
  const payload = verify(hook.secret, req);
  assert.equal(payload.type, 'comment.created');
  assert.equal(payload.data.comment.post, key);
  assert.equal(payload.data.comment.body, 'over https, by name');
  assert.match(req.headers['webhook-id'], UUID_RE);
  assert.equal(req.headers.host, `${HOST}:${trusted.port}`);
  const d = await waitDelivery(hook.id, (x) => x.state === 'success', 'the delivery recorded');
  assert.equal(d.uuid, req.headers['webhook-id']);
  assert.equal(d.last_status, 200);
  assert.equal(d.log[0].response, 'thanks');

  // A redelivery: the same webhook-id, verified again.
  const again = await api('POST', `/api/v1/admin/deliveries/${d.id}/redeliver`);
  assert.equal(again.status, 202, again.text);
  const req2 = await trusted.waitFor((r) => r !== req && r.path === '/events', 15000, 'the redelivery');
  assert.equal(req2.headers['webhook-id'], req.headers['webhook-id']);
  assert.deepEqual(verify(hook.secret, req2), payload);
  assert.deepEqual(trusted.tlsErrors, []);
  assertNoSandboxDeaths();
});

test('a name with two addresses (sorted over netlink in the sandbox) works too', async () => {
  trusted.clear();
  const hook = await makeHook(`https://${HOST_TWO}:${trusted.port}/two`, 'event', ['post.closed']);
  const ping = await api('POST', `/api/v1/admin/hooks/${hook.id}/ping`);
  assert.equal(ping.status, 202, ping.text);
  const req = await trusted.waitFor((r) => r.path === '/two', 15000, 'the ping by a two-address name');
  assert.equal(verify(hook.secret, req).type, 'ping');
  await waitDelivery(hook.id, (x) => x.state === 'success', 'the ping recorded');
  assertNoSandboxDeaths();
});

test('the verdict hook over https by name decides, signed', async () => {
  trusted.clear();
  trusted.setMode({ json: { verdict: 'spam', reason: 'said so over TLS' } });
  const hook = await makeHook(`https://${HOST}:${trusted.port}/verdict`, 'verdict');
  srv.use();
  setSettings({ verdict_timeout_ms: 5000 });
  try {
    const c = await call(srv.base, 'POST', '/api/v1/comments', { json: { post: uniqueKey('verdict'), body: 'judge me over https', author_name: 'Vic' } });
    assert.equal(c.status, 201, c.text);
    const [[status, verdict, reason]] = sql(`SELECT status, verdict, reason FROM comments WHERE id = ${c.json.comment.id}`);
    assert.deepEqual([status, verdict, reason], ['spam', 'spam', 'spam: by the verdict hook: said so over TLS']);
    const req = await trusted.waitFor((r) => r.path === '/verdict', 1000, 'the verdict call');
    assert.equal(req.headers['x-parley-event'], 'comment.verdict');
    const payload = verify(hook.secret, req);
    assert.equal(payload.data.comment.body, 'judge me over https');
  } finally {
    trusted.setMode('ok');
    // No verdict hook stays to judge other tests' comments.
    assert.equal((await api('DELETE', `/api/v1/admin/hooks/${hook.id}`)).status, 204);
  }
  assertNoSandboxDeaths();
});

test('a receiver whose certificate Parley does not trust leaves a readable error in the log', async () => {
  untrusted.clear();
  const hook = await makeHook(`https://${HOST}:${untrusted.port}/stranger`, 'event', ['post.closed']);
  const ping = await api('POST', `/api/v1/admin/hooks/${hook.id}/ping`);
  assert.equal(ping.status, 202, ping.text);
  const d = await waitDelivery(hook.id, (x) => x.attempts >= 1, 'the failed attempt');
  assert.equal(d.state, 'pending', 'retried later');
  assert.equal(d.last_status, null, 'no HTTP answer');
  assert.match(d.last_error, /certificate/i);
  assert.match(d.log[0].error, /certificate/i);
  // ... and says where trust comes from.
  assert.match(d.last_error, /hook_ca_file/);
  // Refused in the handshake: the receiver never saw the request.
  assert.equal(untrusted.requests.length, 0);
  assert.ok(untrusted.tlsErrors.length >= 1, 'the receiver saw a handshake fail');
  assertNoSandboxDeaths();
});

test('build/parley-deliver trusts the same CAs, from hook_ca_file too', async () => {
  // A server that leaves delivery to a parley-deliver process.
  const name = `${NAME}-deliver`;
  const s2 = await startParley({ name, env: { PARLEY_DELIVER: '0', PARLEY_HOOK_CA_FILE: path.join(certs.dir, 'ca.pem') } });
  const logPath = path.join(top, 'var', `${NAME}-parley-deliver.log`);
  let child;
  try {
    const headers = await adminOf(s2);
    trusted.clear();
    untrusted.clear();
    const good = await makeHook(`https://${HOST}:${trusted.port}/by-process`, 'event', ['post.closed'], s2, headers);
    const bad = await makeHook(`https://${HOST}:${untrusted.port}/by-process`, 'event', ['post.closed'], s2, headers);
    const log = fs.openSync(logPath, 'w');
    child = spawn(path.join(top, 'build', 'parley-deliver'), [],
      { env: { ...process.env, PARLEY_CONF: path.join(top, 'var', 'run', name, 'parley.conf') }, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    for (const h of [good, bad]) {
      const r = await api('POST', `/api/v1/admin/hooks/${h.id}/ping`, undefined, s2, headers);
      assert.equal(r.status, 202, r.text);
    }
    const req = await trusted.waitFor((r) => r.path === '/by-process', 15000, 'the delivery from parley-deliver');
    assert.equal(verify(good.secret, req).type, 'ping');
    const d = await waitDelivery(bad.id, (x) => x.attempts >= 1, 'the refused attempt', { server: s2, headers });
    assert.match(d.last_error, /certificate/i);
    assert.equal(untrusted.requests.length, 0);
    assert.match(fs.readFileSync(logPath, 'utf8'), new RegExp(`${d.uuid} ping -> https://${HOST}:${untrusted.port}/by-process: .*certificate`, 'i'));
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await s2.stop();
    srv.use();
  }
});

// SSRF: by default hooks may not reach the machine's own networks. A
// second Parley, with hook_allow_private_networks off (the suite's
// default server allows it for its local receivers).
test('with hook_allow_private_networks off, hooks cannot reach loopback, by address or by name', async () => {
  const plain = await startReceiver();
  const guarded = await startParley({ name: `${NAME}-guarded`, env: { PARLEY_HOOK_ALLOW_PRIVATE: '0' } });
  try {
    const headers = await adminOf(guarded);
    const urls = [`http://127.0.0.1:${plain.port}/a`, `http://[::1]:${plain.port}/b`,
      `http://${HOST}:${plain.port}/c`, `https://${HOST}:${trusted.port}/d`];
    for (const url of urls) {
      const hook = await makeHook(url, 'event', ['post.closed'], guarded, headers);
      const ping = await api('POST', `/api/v1/admin/hooks/${hook.id}/ping`, undefined, guarded, headers);
      assert.equal(ping.status, 202, ping.text);
      const d = await waitDelivery(hook.id, (x) => x.attempts >= 1, `the refused attempt to ${url}`,
        { server: guarded, headers });
      assert.equal(d.last_status, null, url);
      assert.match(d.last_error, /refused to connect to (127\.0\.0\.1|::1): a loopback address/, url);
      assert.match(d.last_error, /hook_allow_private_networks/, url);
    }
    assert.equal(plain.requests.length, 0, 'nothing reached the receiver');
    assert.ok(!trusted.requests.some((r) => r.path === '/d'), 'nothing reached it over https either');

    // The verdict hook too: the comment is held, saying why.
    guarded.use();
    const v = await makeHook(`http://${HOST}:${plain.port}/verdict`, 'verdict', [], guarded, headers);
    const c = await call(guarded.base, 'POST', '/api/v1/comments', { json: { post: uniqueKey('ssrf'), body: 'judge me', author_name: 'Sam' } });
    assert.equal(c.status, 201, c.text);
    const [[status, reason]] = sql(`SELECT status, reason FROM comments WHERE id = ${c.json.comment.id}`, guarded.db);
    assert.equal(status, 'pending');
    assert.match(reason, /refused to connect to 127\.0\.0\.1: a loopback address/);
    assert.equal(plain.requests.length, 0);
    assert.equal((await api('DELETE', `/api/v1/admin/hooks/${v.id}`, undefined, guarded, headers)).status, 204);
  } finally {
    await guarded.stop();
    await plain.stop();
    srv.use();
  }
});
