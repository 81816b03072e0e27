// The widget's weight: what readers download, as a running Parley sends
// it (the build's minified scripts, gzipped by the server at zlib
// level 9).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const harness = require('../integration/harness');

let srv;
before(async () => { srv = await harness.startParley({ name: 'browser-budget' }); });
after(async () => { await srv?.stop(); });

// The response to GET path, its body as it came over the wire (fetch()
// would decode gzip itself).
function get(path, encoding) {
  return new Promise((resolve, reject) => {
    http.get(`${srv.base}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, data: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function gzipped(name) {
  const { res, data } = await get(`/${name}`, 'gzip');
  assert.equal(res.statusCode, 200, name);
  assert.equal(res.headers['content-encoding'], 'gzip', name);
  return data.length;
}

test('embed.js, its CSS included, is at most 13 kB gzipped', async () => {
  const n = await gzipped('embed.js');
  // 13 KiB since reply notifications by e-mail and the comments feed (#15).
  assert.ok(n <= 13312, `embed.js is ${n} bytes gzipped`);
});

test('count.js is at most 1 kB gzipped', async () => {
  const n = await gzipped('count.js');
  assert.ok(n <= 1024, `count.js is ${n} bytes gzipped`);
});

test('the widget needs no other file: no CSS or script fetched besides itself', async () => {
  const { data } = await get('/embed.js', 'identity');
  assert.doesNotMatch(data.toString('utf8'), /\bimport\s*\(|<link|\.css['"]/);
});

test('the minified widget names its source map, which is served', async () => {
  for (const name of ['embed.js', 'count.js']) {
    const { data } = await get(`/${name}`, 'identity');
    const map = data.toString('utf8').match(/\n\/\/# sourceMappingURL=([\w.-]+)\n?$/);
    assert.ok(map, `${name} names its source map`);
    const r = await harness.call(srv.base, 'GET', `/${map[1]}`);
    assert.equal(r.status, 200, `/${map[1]}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(r.json.sources, [`../../assets/${name}`]);
  }
});
