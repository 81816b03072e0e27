#!/usr/bin/env node
// A local SMTP relay that prints every mail it gets, to try Parley's mail
// by hand: `node scripts/mail-sink.js [PORT]` (2525), then
// `PARLEY_SMTP_URL=smtp://127.0.0.1:2525 make run`. Uses the test
// suite's smtp-server and mailparser from npm (npm ci, or any `make test`
// installs them).
'use strict';
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const port = Number(process.argv[2] || 2525);
if (process.argv[2] === '--help' || !Number.isInteger(port)) {
  console.log('usage: node scripts/mail-sink.js [PORT]: prints the mail sent to 127.0.0.1:PORT (2525)');
  process.exit(process.argv[2] === '--help' ? 0 : 2);
}
const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', async () => {
      // The headers as sent, then the text decoded (it is sent
      // quoted-printable).
      const raw = Buffer.concat(chunks).toString('utf8');
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      const text = (await simpleParser(raw)).text;
      console.log(`----- mail to ${to}\n${raw.split('\r\n\r\n')[0]}\n\n${text}`);
      cb();
    });
  },
});
server.listen(port, '127.0.0.1', () => console.log(`mail-sink: printing mail sent to smtp://127.0.0.1:${port}`));
