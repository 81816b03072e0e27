// Parley behind a real nginx (Debian's package) ending TLS with a
// certificate from a CA this test makes. The nginx site is the shipped
// conf/nginx-parley.conf with only its ports, certificate, server_name and
// log paths substituted (nginx.js), so what README tells operators to
// install is what runs here. Parley trusts 127.0.0.1 (nginx) as a proxy; the client
// connects from another loopback address, 127.0.0.7, so "the address nginx
// saw" can be told apart from nginx's own.
//
// Requests are written by hand over node:net/node:tls: node's HTTP client
// could merge or reorder repeated header lines, which these tests send on
// purpose.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const { execFileSync } = require('node:child_process');
const { startParley, call, uniqueKey, sleep, top } = require('./harness');
const { makeCertificates, startNginx } = require('./nginx');

const dir = path.join(top, 'var', 'proxy-test');
const CLIENT = '127.0.0.7';		// where the browser connects from
const NGINX_PEER = '127.0.0.1';		// where nginx connects to Parley from
const PW = 'a long enough password';
const UNRELATED_ORIGIN = 'https://blog.invalid';

let srv;			// Parley
let nginx;			// { ports, stop() }
let ports;			// { http, https } of nginx
let caPem;
let adminAuth;			// Authorization header value

const read = (rel) => fs.readFileSync(path.join(top, rel), 'utf8');

function dechunk(buf) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) throw new Error('truncated chunked body');
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

// One HTTP/1.1 request, written byte for byte. headers: [name, value]
// pairs, sent in order, repeated names as separate lines.
// via: 'nginx' (https, from CLIENT), 'nginx-http' (plain http, from
// CLIENT) or 'direct' (Parley itself, from 127.0.0.1, or from the address
// given as from).
function request(method, urlPath, { via = 'nginx', from, headers = [], json, data } = {}) {
  const body = data !== undefined ? data : json === undefined ? '' : JSON.stringify(json);
  const port = via === 'direct' ? srv.port : via === 'nginx-http' ? ports.http : ports.https;
  const lines = [`${method} ${urlPath} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  if (json !== undefined) lines.push('Content-Type: application/json');
  if (json !== undefined || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  lines.push('Connection: close');
  const raw = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), Buffer.from(body)]);
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port, localAddress: from ?? (via === 'direct' ? NGINX_PEER : CLIENT) };
    // The test CA must vouch for nginx's certificate (and its IP SAN).
    const sock = via === 'nginx' ? tls.connect({ ...opts, ca: caPem }) : net.connect(opts);
    const chunks = [];
    sock.setTimeout(10000, () => sock.destroy(new Error(`no answer to ${method} ${urlPath}`)));
    sock.once(via === 'nginx' ? 'secureConnect' : 'connect', () => sock.write(raw));
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) { reject(new Error(`no HTTP answer to ${method} ${urlPath}: ${JSON.stringify(all.toString())}`)); return; }
      const [statusLine, ...headerLines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const h = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        const k = l.slice(0, i).trim().toLowerCase();
        const v = l.slice(i + 1).trim();
        h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
      }
      let rest = all.subarray(end + 4);
      if (/chunked/i.test(h['transfer-encoding'] || '')) rest = dechunk(rest);
      const text = rest.toString('utf8');
      let data = null;
      try { data = JSON.parse(text); } catch (_) { /* not JSON */ }
      resolve({ status: Number(statusLine.split(' ')[1]), headers: h, text, json: data });
    });
  });
}

// Posts a guest comment under a post of its own; returns that post's key.
async function postComment(opts = {}) {
  const key = uniqueKey('proxy');
  const r = await request('POST', '/api/v1/comments', {
    ...opts, json: { post: key, body: `hello from behind the proxy ${key}`, author_name: 'Guest' },
  });
  assert.equal(r.status, 201, r.text);
  return key;
}

// The client address Parley stored, as moderators see it (through nginx).
async function recordedIp(key) {
  const r = await request('GET', `/api/v1/admin/comments?post=${encodeURIComponent(key)}`,
    { headers: [['Authorization', adminAuth]] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.comments.length, 1, r.text);
  return r.json.comments[0].ip;
}

before(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  caPem = makeCertificates(dir);
  // Trusts nginx only; the only allowed origin is a blog elsewhere, so a
  // write from Parley's own (https) origin is accepted as same-origin or
  // not at all. No public_url: the feeds build their absolute links from
  // the address each request asked for, scheme included.
  srv = await startParley({ name: 'it-proxy',
    env: { PARLEY_TRUSTED_PROXIES: NGINX_PEER, PARLEY_ORIGINS: UNRELATED_ORIGIN, PARLEY_PUBLIC_URL: '' } });
  execFileSync(path.join(top, 'scripts', 'admin.sh'), ['proxy-admin@example.org', PW, srv.db], { stdio: 'ignore' });
  const login = await call(srv.base, 'POST', '/api/v1/auth/login',
    { json: { email: 'proxy-admin@example.org', password: PW } });
  assert.equal(login.status, 200, login.text);
  adminAuth = `Bearer ${login.json.token}`;
  nginx = await startNginx({ dir, parley: srv.port });
  ({ ports } = nginx);
});
after(async () => {
  if (nginx) await nginx.stop();
  if (srv) await srv.stop();
});

test('the production files agree on one install layout', () => {
  // conf/kore.conf.production is conf/kore.conf.in filled in: every line
  // (comments aside) the same, @NAMES@ given one value each.
  const lines = (t) => t.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const tmpl = lines(read('conf/kore.conf.in'));
  const prod = lines(read('conf/kore.conf.production'));
  assert.equal(prod.length, tmpl.length, 'kore.conf.production has the lines of kore.conf.in, no more, no less');
  const v = {};
  tmpl.forEach((t, i) => {
    const names = [...t.matchAll(/@([A-Z_]+)@/g)].map((m) => m[1]);
    const re = new RegExp(`^${t.split(/@[A-Z_]+@/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(\\S+)')}$`);
    const m = prod[i].match(re);
    assert.ok(m, `kore.conf.production line "${prod[i]}" should be "${t}" filled in`);
    names.forEach((n, j) => {
      if (v[n] !== undefined) assert.equal(m[j + 1], v[n], `@${n}@ has one value`);
      v[n] = m[j + 1];
    });
  });
  assert.equal(v.SECCOMP_TRACING, 'no');
  assert.equal(v.BIND, '127.0.0.1', 'Parley listens on loopback only, behind nginx');

  // nginx proxies to that address and port.
  assert.match(read('conf/nginx-parley.conf'), new RegExp(`\\bserver ${v.BIND}:${v.PORT};`));

  // parley.conf: assets from the build the module is in; nginx's
  // address is a trusted proxy; the key file with the state.
  const pconf = Object.fromEntries(read('conf/parley.conf.example').split('\n')
    .filter((l) => /^\s*[a-z_]+\s*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]));
  const clone = path.resolve(pconf.assets_dir, '../..');
  assert.equal(v.MODULE, `${clone}/build/parley.so`);
  assert.ok(pconf.trusted_proxies.split(/[\s,]+/).includes(NGINX_PEER));
  assert.match(pconf.database, /\bhost=127\.0\.0\.1\b/, 'an IP address: no DNS in the chroot');
  assert.match(pconf.database, /\buser=\S+/, 'the user named: no passwd lookup in the chroot');

  // systemd: the folders it makes hold the pid file, the chroot and the key.
  const unit = read('conf/parley.service');
  const runDir = `/run/${unit.match(/^RuntimeDirectory=(\S+)$/m)[1]}`;
  const stateDir = `/var/lib/${unit.match(/^StateDirectory=(\S+)$/m)[1]}`;
  assert.equal(path.dirname(v.PIDFILE), runDir);
  assert.equal(path.dirname(v.ROOT), stateDir);
  assert.equal(path.dirname(pconf.key_file), stateDir);
  const confPath = unit.match(/^Environment=PARLEY_CONF=(\S+)$/m)[1];
  assert.match(unit, /^ExecStart=.*\/kore -f -c (\S+)$/m);
  const koreConf = unit.match(/^ExecStart=.*\/kore -f -c (\S+)$/m)[1];
  assert.equal(path.dirname(confPath), path.dirname(koreConf));
  assert.match(read('conf/kore.conf.production'), new RegExp(`^#\\s+include ${clone}/conf/kore\\.conf\\.production$`, 'm'));
});

test('plain http is redirected to https', async () => {
  const r = await request('GET', '/healthz?x=1', { via: 'nginx-http' });
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, 'https://127.0.0.1/healthz?x=1');
});

test('over https, with a certificate the test CA vouches for, nginx serves Parley', async () => {
  const r = await request('GET', '/healthz');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ok');
  assert.equal(r.headers.server?.startsWith('nginx'), true);
  assert.match(r.headers['strict-transport-security'] || '', /max-age=\d+/);
  // Kore sends no HSTS itself (http_hsts_enable 0): one header, nginx's.
  assert.equal(r.headers['strict-transport-security'].split(',').length, 1);
});

test('Parley records the client address nginx saw', async () => {
  const key = await postComment();
  assert.equal(await recordedIp(key), CLIENT);
});

test('a client\'s own X-Forwarded-For is not believed beyond the proxy', async () => {
  const forged = [
    [['X-Forwarded-For', '6.6.6.6']],
    // Ending in a trusted proxy's address, as if 127.0.0.1 had added it.
    [['X-Forwarded-For', `6.6.6.6, ${NGINX_PEER}`]],
    // Two separate lines: a server reading only the first or only the
    // last line, or joining them, must still not take either.
    [['X-Forwarded-For', '6.6.6.6'], ['X-Forwarded-For', '5.5.5.5']],
    [['X-Forwarded-For', '6.6.6.6'], ['X-Forwarded-For', NGINX_PEER]],
    [['X-Forwarded-For', NGINX_PEER], ['X-Forwarded-For', '6.6.6.6']],
  ];
  for (const headers of forged) {
    const key = await postComment({ headers });
    assert.equal(await recordedIp(key), CLIENT, `forged ${JSON.stringify(headers)}`);
  }
});

test('directly from a trusted proxy, two X-Forwarded-For lines are read in order', async () => {
  // A proxy in front (127.0.0.1, trusted) that appends its own line after
  // the client's forged one. Parley must read both lines in order, and
  // walk from the right: the client is 127.0.0.9, not 6.6.6.6.
  const joined = await postComment({ via: 'direct', headers: [['X-Forwarded-For', '6.6.6.6, 127.0.0.9']] });
  assert.equal(await recordedIp(joined), '127.0.0.9', 'one line, comma-separated');
  const key = await postComment({ via: 'direct', headers: [['X-Forwarded-For', '6.6.6.6'], ['X-Forwarded-For', '127.0.0.9']] });
  assert.equal(await recordedIp(key), '127.0.0.9', 'two lines: the proxy\'s line must not be dropped');
});

test('X-Forwarded-Proto: https makes the page\'s own https origin same-origin', async () => {
  const own = `https://127.0.0.1:${ports.https}`;
  const post = (origin) => request('POST', '/api/v1/comments', {
    headers: [['Origin', origin]],
    json: { post: uniqueKey('origin'), body: `from ${origin}`, author_name: 'Guest' },
  });
  const ok = await post(own);
  assert.equal(ok.status, 201, `${own} is Parley's own origin behind nginx: ${ok.text}`);
  const evil = await post('https://evil.invalid');
  assert.equal(evil.status, 403, evil.text);
  assert.equal(evil.json?.error?.code, 'origin_not_allowed');
  // Same host and port but http: not the origin the browser is on.
  const plain = await post(`http://127.0.0.1:${ports.https}`);
  assert.equal(plain.status, 403, plain.text);
  assert.equal(plain.json?.error?.code, 'origin_not_allowed');
});

test('without public_url, a feed read through nginx links to https, its scheme from X-Forwarded-Proto', async () => {
  assert.doesNotMatch(read(path.join('var', 'run', 'it-proxy', 'parley.conf')), /^public_url[ \t]*=[ \t]*\S/m,
    'this server has no public_url');
  const key = await postComment();
  const own = `https://127.0.0.1:${ports.https}`;
  // Every absolute URL in the feed: its own link, the site's, the
  // entries' (thread.html: this post has no URL) and the ids' host.
  const urls = (text) => [...text.matchAll(/\bhref="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
  for (const feedPath of [`/feed/comments.atom?post=${encodeURIComponent(key)}`, '/feed/comments.atom']) {
    const r = await request('GET', feedPath);
    assert.equal(r.status, 200, r.text);
    const hrefs = urls(r.text);
    assert.ok(hrefs.length >= 3, r.text);
    for (const h of hrefs) assert.ok(h.startsWith(`${own}/`), `${feedPath}: ${h} is not on ${own}`);
    assert.ok(hrefs.includes(`${own}${feedPath}`), `${feedPath}: its self link: ${hrefs}`);
    if (feedPath.includes('post='))
      assert.ok(hrefs.some((h) => h.startsWith(`${own}/thread.html?post=`)), `the entry's link: ${hrefs}`);
  }
  // The same feed asked for over plain http, from the trusted proxy
  // without the header, is http: the scheme is the request's (and the
  // cache keeps the two apart).
  const plain = await request('GET', `/feed/comments.atom?post=${encodeURIComponent(key)}`,
    { via: 'direct', headers: [['X-Forwarded-Proto', 'http']] });
  assert.equal(plain.status, 200, plain.text);
  for (const h of urls(plain.text)) assert.ok(h.startsWith(`http://127.0.0.1:${srv.port}/`), h);
  // From anyone but the proxy, the header is not believed.
  const forged = await request('GET', `/feed/comments.atom?post=${encodeURIComponent(key)}`,
    { via: 'direct', from: CLIENT, headers: [['X-Forwarded-Proto', 'https']] });
  assert.equal(forged.status, 200, forged.text);
  for (const h of urls(forged.text)) assert.ok(h.startsWith(`http://127.0.0.1:${srv.port}/`), h);
});

test('an import file over 1 MiB passes nginx on the import route only', async () => {
  // Over nginx's 1 MiB for every other route: a WordPress export padded
  // with an XML comment, so it imports as the fixture does.
  const wxr = fs.readFileSync(path.join(__dirname, 'fixtures', 'wordpress.wxr'), 'utf8');
  const big = Buffer.from(wxr.replace('<channel>', `<channel><!-- ${'x'.repeat(1536 * 1024)} -->`));
  const r = await request('POST', '/api/v1/admin/import?format=wxr',
    { data: big, headers: [['Authorization', adminAuth], ['Content-Type', 'application/octet-stream']] });
  assert.equal(r.status, 202, r.text);
  const refused = await request('POST', '/api/v1/comments',
    { data: big, headers: [['Content-Type', 'application/json']] });
  assert.equal(refused.status, 413);
  assert.match(refused.headers.server || '', /^nginx/, 'nginx refused it before Parley read it');
  for (let i = 0; i < 100; i++) {
    const j = await request('GET', `/api/v1/admin/import/${r.json.job}`, { headers: [['Authorization', adminAuth]] });
    if (j.json.state === 'done' || j.json.state === 'failed') {
      assert.deepEqual([j.json.state, j.json.bytes, j.json.read], ['done', big.length, 8], j.text);
      return;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail('the import did not finish');
});

test('a live stream passes nginx as it comes: an event within a second of the comment', async () => {
  const key = uniqueKey('proxy-live');
  const sock = tls.connect({ host: '127.0.0.1', port: ports.https, localAddress: CLIENT, ca: caPem });
  let got = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => { got += d; });
  await new Promise((resolve, reject) => { sock.once('secureConnect', resolve); sock.once('error', reject); });
  sock.write(`GET /api/v1/stream?post=${encodeURIComponent(key)} HTTP/1.1\r\nHost: 127.0.0.1:${ports.https}\r\n`
    + 'Accept: text/event-stream\r\n\r\n');
  try {
    for (let i = 0; i < 100 && !got.includes('retry:'); i++) await sleep(20);
    assert.match(got, /^HTTP\/1\.1 200/);
    assert.match(got, /content-type: text\/event-stream/i);
    const t0 = Date.now();
    const id = (await request('POST', '/api/v1/comments',
      { json: { post: key, body: 'through nginx, live', author_name: 'Guest' } })).json.comment.id;
    while (!got.includes(`"id":${id}`) && Date.now() - t0 < 1000) await sleep(10);
    assert.ok(got.includes('event: comment') && got.includes(`"id":${id}`), `no event through nginx in 1 s: ${got}`);
  } finally {
    sock.destroy();
  }
});
