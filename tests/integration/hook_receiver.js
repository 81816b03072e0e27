// A hook receiver for the tests: an HTTP server on 127.0.0.1 that records
// every request (method, path, headers, raw body) and answers as told:
// 200, 500, a redirect, or not at all ("hang").
'use strict';
const http = require('node:http');
const { execFileSync } = require('node:child_process');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startReceiver() {
  const requests = [];
  const waiters = new Set();
  const hanging = new Set();
  // mode: 'ok' | 'fail' | 'hang' | { redirect: URL } | { delay: ms } (200)
  let mode = 'ok';

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      let json = null;
      try { json = JSON.parse(body); } catch (_) { /* recorded as is */ }
      const rec = { method: req.method, path: req.url, headers: req.headers, raw, body, json, at: Date.now(), answered: mode };
      requests.push(rec);
      for (const w of [...waiters]) {
        if (w.pred(rec)) { waiters.delete(w); w.resolve(rec); }
      }
      if (mode === 'hang') {
        // Never answers; closed when the deliverer gives up or we stop.
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (mode === 'fail') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('receiver says no\n');
      } else if (typeof mode === 'object' && mode.redirect) {
        res.writeHead(302, { location: mode.redirect });
        res.end();
      } else if (typeof mode === 'object' && mode.delay) {
        setTimeout(() => { res.writeHead(200); res.end('slow thanks'); }, mode.delay);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('thanks');
      }
    });
  });
  // Parley keeps connections alive; do not make it wait on idle sockets.
  server.keepAliveTimeout = 2000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  return {
    url,
    requests,
    setMode(m) { mode = m; },
    clear() { requests.length = 0; },
    // Ends the requests left hanging (the deliverer sees a dropped answer).
    dropHanging() { for (const res of hanging) res.destroy(); },
    // Resolves with the first recorded request (past or future) for which
    // pred is true; rejects after timeoutMs.
    waitFor(pred, timeoutMs = 15000, what = 'a hook request') {
      const seen = requests.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`timed out waiting for ${what}; got ${requests.length} requests: ${requests.map((r) => `${r.headers['x-parley-event']}`).join(',')}`));
        }, timeoutMs).unref();
      });
    },
    // Waits until pred holds for the list of requests (e.g. a count).
    async waitUntil(pred, timeoutMs = 15000, what = 'hook requests') {
      const deadline = Date.now() + timeoutMs;
      while (!pred(requests)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${requests.length} requests`);
        await sleep(50);
      }
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

// HMAC-SHA256 by openssl, not by Node or Parley: an independent check of
// X-Parley-Signature. secretText is the base64url secret the API showed;
// body the raw bytes received (a Buffer) or a string.
function opensslSignature(secretText, timestamp, body) {
  const hexkey = Buffer.from(secretText, 'base64url').toString('hex');
  const out = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${hexkey}`],
    { input: Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)]), encoding: 'utf8' });
  // "SHA2-256(stdin)= HEX" or "(stdin)= HEX" depending on the version.
  const m = /=\s*([0-9a-f]{64})\s*$/.exec(out);
  if (!m) throw new Error(`unexpected openssl output: ${out}`);
  return `v1=${m[1]}`;
}

module.exports = { startReceiver, opensslSignature };
