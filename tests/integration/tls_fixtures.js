// Throwaway CAs and server certificates made with openssl, and names in
// /etc/hosts, for the tests of Parley's TLS clients (hooks_tls.test.js,
// mail_tls.test.js).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class TestCerts {
  constructor(prefix) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  openssl(args) {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  // A CA (name.key, name.pem) that may sign server certificates; its
  // PEM file's path.
  makeCa(name) {
    this.openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=Parley test ${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    return path.join(this.dir, `${name}.pem`);
  }

  // A server certificate for the given names, signed by ca: { key, cert }.
  makeServerCert(ca, name, hosts) {
    fs.writeFileSync(path.join(this.dir, `${name}.ext`), [
      `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'));
    this.openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${hosts[0]}`]);
    this.openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`,
      '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
    return { key: fs.readFileSync(path.join(this.dir, `${name}.key`)),
      cert: fs.readFileSync(path.join(this.dir, `${name}.pem`)) };
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Makes /etc/hosts map name to each of addrs (appending what is missing),
// and to nothing else, or fails saying why.
function ensureHosts(name, addrs) {
  let text;
  try {
    text = fs.readFileSync('/etc/hosts', 'utf8');
  } catch (e) {
    throw new Error(`cannot read /etc/hosts (${e.code}): this test needs "${addrs[0]} ${name}" in it`);
  }
  const mapped = new Set();
  for (const line of text.split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (names.includes(name)) mapped.add(addr);
  }
  const other = [...mapped].filter((a) => !addrs.includes(a));
  if (other.length > 0) {
    throw new Error(`/etc/hosts maps ${name} to ${other.join(', ')}; this test needs it on ${addrs.join(' and ')} only`);
  }
  const missing = addrs.filter((a) => !mapped.has(a));
  if (missing.length === 0) return;
  const lines = missing.map((a) => `${a} ${name}\n`).join('');
  try {
    fs.appendFileSync('/etc/hosts', `${text.endsWith('\n') || text === '' ? '' : '\n'}${lines}`);
  } catch (e) {
    throw new Error(`this test needs ${JSON.stringify(lines.trim())} in /etc/hosts and cannot add it ` +
      `(${e.code}): run the suite as root, or add the line(s) yourself`);
  }
}

module.exports = { TestCerts, ensureHosts };
