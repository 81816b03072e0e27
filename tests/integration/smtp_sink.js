// A real SMTP server for the tests (nodemailer's smtp-server from npm):
// takes every mail Parley's relay connection sends, parses it with
// mailparser, and keeps it with its envelope. It can refuse chosen
// recipients for good (550) and go down and come back on the same port.
'use strict';
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

class SmtpSink {
  // parse: false keeps only the envelope and the time of arrival (the
  // benchmark's sink, where parsing would take the CPU it measures).
  // tls ({ key, cert }): offers STARTTLS with it, or with secure: true
  // speaks TLS from the start (smtps).
  constructor({ parse = true, tls = null, secure = false } = {}) {
    this.parse = parse;
    this.tls = tls;
    this.secure = secure;
    this.mails = [];
    this.refuse = new Set(); // addresses answered 550 at RCPT TO
    this.server = null;
    this.port = 0;
  }

  makeServer() {
    return new SMTPServer({
      // Plain SMTP unless given a certificate: Parley speaks plain only
      // to a relay on a loopback address.
      disabledCommands: this.tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
      ...(this.tls ? { key: this.tls.key, cert: this.tls.cert } : {}),
      secure: this.secure,
      authOptional: true,
      logger: false,
      // Going down drops open connections at once (Parley keeps one).
      closeTimeout: 200,
      onRcptTo: (address, session, cb) => {
        if (this.refuse.has(address.address.toLowerCase())) {
          const err = new Error('No such user here');
          err.responseCode = 550;
          return cb(err);
        }
        return cb();
      },
      onData: (stream, session, cb) => {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks);
          this.mails.push({
            at: Date.now(),
            tls: session.secure,
            raw: this.parse ? raw.toString('latin1') : null,
            parsed: this.parse ? await simpleParser(raw) : null,
            from: session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          cb();
        });
      },
    });
  }

  listen(port = 0) {
    this.server = this.makeServer();
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = this.server.server.address().port;
        resolve(this.port);
      });
    });
  }

  close() {
    const s = this.server;
    this.server = null;
    return s ? new Promise((r) => s.close(r)) : Promise.resolve();
  }

  get url() { return `${this.secure ? 'smtps' : 'smtp'}://127.0.0.1:${this.port}`; }

  // The mails sent to address so far.
  to(address) {
    return this.mails.filter((m) => m.to.includes(address));
  }

  // Waits until address has n mails (or fails after ms).
  async waitFor(address, n = 1, ms = 10000) {
    const deadline = Date.now() + ms;
    while (this.to(address).length < n) {
      if (Date.now() > deadline) {
        throw new Error(`${address}: ${this.to(address).length} mails, not ${n}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.to(address);
  }
}

module.exports = { SmtpSink };
