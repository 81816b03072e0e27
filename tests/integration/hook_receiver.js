// A hook receiver for the tests: an HTTP server (or HTTPS, given a key
// and certificate) on 127.0.0.1 that records every request (method,
// path, headers, raw body) and answers as told: 200, 500, a redirect, or
// not at all ("hang"). Signatures are checked as a receiver would, with
// the standardwebhooks library, never with Parley's own code.
'use strict';
const http = require('node:http');
const https = require('node:https');
const { Webhook } = require('standardwebhooks');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// tls: { key, cert } (PEM) for an https receiver.
async function startReceiver({ tls } = {}) {
  const requests = [];
  const waiters = new Set();
  const hanging = new Set();
  // mode: 'ok' | 'fail' | 'hang' | { redirect: URL } | { delay: ms } (200)
  // | { json: value } (200 with that JSON, e.g. a verdict)
  let mode = 'ok';

  const handler = (req, res) => {
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
      } else if (typeof mode === 'object' && 'json' in mode) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(mode.json));
      } else if (typeof mode === 'object' && mode.delay) {
        setTimeout(() => { res.writeHead(200); res.end('slow thanks'); }, mode.delay);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('thanks');
      }
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  // TLS handshakes that failed (e.g. Parley refusing our certificate).
  const tlsErrors = [];
  server.on('tlsClientError', (err) => tlsErrors.push(err));
  // Parley keeps connections alive; do not make it wait on idle sockets.
  server.keepAliveTimeout = 2000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    url,
    port,
    requests,
    tlsErrors,
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

// Verifies a recorded request as a receiver would: the standardwebhooks
// library, given the secret exactly as Parley showed it ("whsec_..."),
// the raw body and the headers. Returns the parsed payload; throws a
// WebhookVerificationError when no signature matches.
function verify(secret, req) {
  return new Webhook(secret).verify(req.raw, req.headers);
}

// Whether the library accepts the request with this secret.
function verifies(secret, req) {
  try {
    verify(secret, req);
    return true;
  } catch (_) {
    return false;
  }
}

module.exports = { startReceiver, verify, verifies };
