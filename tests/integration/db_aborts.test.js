// Clients that go away while their statement is being prepared must not
// break the connection for the requests after them: the statement then
// exists on the server, unknown to the worker, and preparing it again is
// answered "already exists" (42P05).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startParley, call, sleep } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-db-aborts', workers: 1 }); });
after(async () => { await srv.stop(); });

// Sends a request and closes the socket after ms, whatever came back.
function abortAfter(path, ms) {
  return new Promise((resolve) => {
    const s = net.connect(srv.port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      setTimeout(() => { s.destroy(); resolve(); }, ms);
    });
    s.on('error', () => resolve());
  });
}

test('requests that go away mid-prepare leave every connection usable', async () => {
  // Fresh worker: no statement is prepared on any of its connections yet.
  const paths = ['/api/v1/comments?post=a1', '/api/v1/counts?post=a1', '/healthz',
    '/api/v1/comments?post=a2&sort=newest'];
  const aborts = [];
  for (let i = 0; i < 48; i++) aborts.push(abortAfter(paths[i % paths.length], i % 4));
  await Promise.all(aborts);
  await sleep(200);
  const codes = [];
  for (let round = 0; round < 6; round++) {
    const rs = await Promise.all(paths.map((p, i) => call(srv.base, 'GET', `${p}&r=${round}-${i}`.replace('/healthz&', '/healthz?'))));
    codes.push(...rs.map((r) => r.status));
  }
  assert.deepEqual([...new Set(codes)], [200], `answers after the aborts: ${codes.join(' ')}`);
});
