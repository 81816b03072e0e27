// Mail over TLS, as a relay on another machine is reached: smtp:// with
// STARTTLS required, smtps://, the relay's certificate checked against
// the CAs Parley trusts (the system's and hook_ca_file). Real SMTP
// servers (smtp_sink.js) with throwaway certificates (tls_fixtures.js),
// under a name of their own in /etc/hosts, so that Parley takes them
// for another machine; as root, like the suite, so the workers chroot.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { startParley, call, sql, uniqueKey, sleep } = require('./harness');
const { SmtpSink } = require('./smtp_sink');
const { TestCerts, ensureHosts } = require('./tls_fixtures');

const HOST = 'parley-mail.test';
let certs;
const servers = [];
const sinks = [];

before(() => {
  assert.equal(process.getuid(), 0, 'mail_tls needs root, as the suite runs: /etc/hosts needs our name');
  ensureHosts(HOST, ['127.0.0.1']);
  certs = new TestCerts('parley-mail-tls-');
  certs.makeCa('ca');
  certs.makeCa('stranger-ca');
});

after(async () => {
  for (const s of servers) await s.stop();
  for (const s of sinks) await s.close();
  if (certs) certs.remove();
});

// A relay (sink options), and a Parley sending to it at smtp_url (with
// the relay's port in place of PORT), trusting the test CA.
async function relayAndParley(name, sinkOptions, url) {
  const sink = new SmtpSink(sinkOptions);
  sinks.push(sink);
  await sink.listen();
  const srv = await startParley({ name, env: { PARLEY_SMTP_URL: url.replace('PORT', sink.port),
    PARLEY_HOOK_CA_FILE: path.join(certs.dir, 'ca.pem') } });
  servers.push(srv);
  return { sink, srv };
}

// Asks for replies: the confirmation mail is the one this test watches.
async function ask(srv) {
  const email = `tls-${uniqueKey()}@example.org`;
  const r = await call(srv.base, 'POST', '/api/v1/comments',
    { json: { post: uniqueKey(), author_name: 'T', author_email: email, body: 'x', notify: true } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.mail, 'confirming');
  return email;
}

// The confirmation's outbox row once it was tried at least once.
async function tried(srv, email) {
  srv.use();
  const q = () => sql(`SELECT o.state, o.attempts, coalesce(o.last_error, '') FROM mail_outbox o
    JOIN mail_addresses a ON a.id = o.address_id WHERE a.email = '${email}'`)[0];
  for (let i = 0; !(q() && Number(q()[1]) >= 1); i++) {
    assert.ok(i < 150, 'no attempt was made');
    await sleep(100);
  }
  return q();
}

test('smtp:// to another machine: STARTTLS, the certificate checked', async () => {
  const { sink, srv } = await relayAndParley('it-mail-starttls',
    { tls: certs.makeServerCert('ca', 'relay', [HOST]) }, `smtp://${HOST}:PORT`);
  const email = await ask(srv);
  const [m] = await sink.waitFor(email);
  assert.equal(m.tls, true, 'the mail went over TLS');
  assert.match(m.parsed.text, /\/mail\/confirm\?token=/);
});

test('smtp:// to another machine that offers no STARTTLS: nothing goes in plain', async () => {
  const { sink, srv } = await relayAndParley('it-mail-plain', {}, `smtp://${HOST}:PORT`);
  const email = await ask(srv);
  const [state, , error] = await tried(srv, email);
  assert.equal(state, 'pending');
  assert.match(error, /STARTTLS|SSL|TLS/i);
  assert.equal(sink.to(email).length, 0);
});

test('smtps://: TLS from the start; a certificate from a CA nobody trusts is refused', async () => {
  const ok = await relayAndParley('it-mail-smtps',
    { secure: true, tls: certs.makeServerCert('ca', 'relay2', [HOST]) }, `smtps://${HOST}:PORT`);
  const email = await ask(ok.srv);
  const [m] = await ok.sink.waitFor(email);
  assert.equal(m.tls, true);

  const bad = await relayAndParley('it-mail-stranger',
    { secure: true, tls: certs.makeServerCert('stranger-ca', 'relay3', [HOST]) }, `smtps://${HOST}:PORT`);
  const other = await ask(bad.srv);
  const [state, , error] = await tried(bad.srv, other);
  assert.equal(state, 'pending');
  assert.match(error, /certificate|SSL/i);
  assert.equal(bad.sink.to(other).length, 0);
});
