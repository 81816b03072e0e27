// A real nginx (Debian's package) in front of Parley, ending TLS with a
// certificate from a CA the test makes. The site is the shipped
// conf/nginx-parley.conf with only its ports, certificate, server_name,
// log paths and upstream servers substituted, so what README tells
// operators to install is what runs. Used by proxy.test.js (one node) and
// nodes.test.js (several).
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { freePort, sleep, top } = require('./harness');

// A test CA and a certificate for 127.0.0.1 signed by it, in dir; returns
// the CA's PEM.
function makeCertificates(dir) {
  const o = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  o('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Parley proxy test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  o('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'server.ext'),
    'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\nbasicConstraints = CA:FALSE\n');
  o('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  return fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
}

// conf/nginx-parley.conf for this machine, its upstream being the given
// Parley ports: each substitution must find its target, so a reworded
// shipped file fails here instead of going untested.
function siteConf(shipped, { dir, http, https, parley }) {
  let s = shipped;
  const sub = (re, to, what) => {
    const next = s.replace(re, to);
    assert.notEqual(next, s, `conf/nginx-parley.conf: no ${what}`);
    s = next;
  };
  // IPv6 may be missing here; nginx also listens on 127.0.0.1 only.
  sub(/^[ \t]*listen[ \t]+\[::\]:(80|443)\b[^;]*;[ \t]*\n/gm, '', 'listen [::]:80/443');
  sub(/\blisten[ \t]+80\b([^;]*);/, `listen 127.0.0.1:${http}$1;`, 'listen 80');
  sub(/\blisten[ \t]+443\b([^;]*);/, `listen 127.0.0.1:${https}$1;`, 'listen 443');
  // The upstream's (first, uncommented) server line: one for each node.
  sub(/^([ \t]*)server[ \t]+127\.0\.0\.1:8080;/m,
    [].concat(parley).map((p) => `$1server 127.0.0.1:${p};`).join('\n'), 'upstream 127.0.0.1:8080');
  sub(/\bssl_certificate[ \t]+[^;]+;/, `ssl_certificate ${path.join(dir, 'server.pem')};`, 'ssl_certificate');
  sub(/\bssl_certificate_key[ \t]+[^;]+;/, `ssl_certificate_key ${path.join(dir, 'server.key')};`, 'ssl_certificate_key');
  sub(/\bserver_name[ \t]+comments\.example\.org;/g, 'server_name 127.0.0.1;', 'server_name comments.example.org');
  s = s.replace(/\b(access_log|error_log)[ \t]+\/var\/log\/nginx\//g, `$1 ${dir}/`);
  return s;
}

// Starts nginx with the site in dir (which holds makeCertificates' files)
// for the Parley port or ports given; edit (optional) changes the site's
// text further. Resolves with { ports: { http, https }, stop() }.
async function startNginx({ dir, parley, edit = (s) => s }) {
  const ports = { http: await freePort(), https: await freePort() };
  const site = path.join(dir, 'parley-site.conf');
  const shipped = fs.readFileSync(path.join(top, 'conf', 'nginx-parley.conf'), 'utf8');
  fs.writeFileSync(site, edit(siteConf(shipped, { dir, ...ports, parley })));
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const t = (name) => path.join(dir, 'tmp', name);
  // What Debian's /etc/nginx/nginx.conf provides around a site, with
  // everything nginx writes kept under var/.
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `${process.getuid() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log ${dir}/access.log;
	client_body_temp_path ${t('body')};
	proxy_temp_path ${t('proxy')};
	fastcgi_temp_path ${t('fastcgi')};
	uwsgi_temp_path ${t('uwsgi')};
	scgi_temp_path ${t('scgi')};
	include ${site};
}
`);
  const args = ['-p', `${dir}/`, '-e', path.join(dir, 'error.log'), '-c', conf];
  try {
    execFileSync('nginx', [...args, '-t'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`nginx -t refused the configuration:\n${e.stderr}`);
  }
  const log = fs.openSync(path.join(dir, 'nginx.out'), 'w');
  const nginx = spawn('nginx', [...args, '-g', 'daemon off;'], { stdio: ['ignore', log, log] });
  const stop = async () => {
    if (nginx.exitCode !== null || nginx.signalCode !== null) return;
    const done = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGTERM');
    await Promise.race([done, sleep(5000)]);
    if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGKILL');
  };
  const deadline = Date.now() + 10000;
  for (;;) {
    if (nginx.exitCode !== null) {
      throw new Error(`nginx exited: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    }
    const up = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: ports.https }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) return { ports, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error('nginx did not start');
    }
    await sleep(50);
  }
}

module.exports = { makeCertificates, siteConf, startNginx };
