// The set-up scripts on a machine where the ports are already taken (by
// another checkout's cluster or Parley): they must name the port and the
// way out, not just fail.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { freePort, top } = require('./harness');

// Listens on 127.0.0.1:port until closed.
async function occupy() {
  const port = await freePort();
  const srv = net.createServer((s) => s.destroy());
  await new Promise((resolve) => srv.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => srv.close(resolve)) };
}

test('pg.sh start names a taken port and the ways out', async () => {
  const taken = await occupy();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pg-'));
  try {
    const r = spawnSync(path.join(top, 'scripts', 'pg.sh'), ['start'], {
      env: { ...process.env, PARLEY_PG_PORT: String(taken.port), PARLEY_PG_DIR: path.join(dir, 'pg') },
      encoding: 'utf8', timeout: 60000,
    });
    assert.notEqual(r.status, 0, 'it must fail');
    assert.ok(r.stderr.includes(`127.0.0.1:${taken.port}`), r.stderr);
    assert.match(r.stderr, /already in use/);
    assert.match(r.stderr, /make stop-db/);
    assert.match(r.stderr, /PARLEY_PG_PORT=\d+/);
    assert.ok(!fs.existsSync(path.join(dir, 'pg', 'data', 'PG_VERSION')), 'nothing was set up before the check');
  } finally {
    await taken.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('make run names a taken HTTP port and PORT=', async () => {
  const taken = await occupy();
  try {
    const r = spawnSync(path.join(top, 'scripts', 'run.sh'), [String(taken.port), 'parley_test_setup_unused'], {
      encoding: 'utf8', timeout: 60000,
    });
    assert.notEqual(r.status, 0, 'it must fail');
    assert.ok(r.stderr.includes(`127.0.0.1:${taken.port}`), r.stderr);
    assert.match(r.stderr, /PORT=\d+/);
  } finally {
    await taken.close();
  }
});

test('the build reads Kore\'s flags when it compiles, not when make parses', () => {
  // A bare machine's first `make test` installs Kore during the run: a
  // Makefile that read /usr/share/kore/features at parse time compiled
  // without them. .ci/run removes Kore first to prove the whole path.
  const mk = fs.readFileSync(path.join(top, 'Makefile'), 'utf8');
  for (const line of mk.split('\n')) {
    if (/:=|\?=|^[A-Z_]+\s*=/.test(line))
      assert.doesNotMatch(line, /\$\(shell/, `parse-time shell in the Makefile: ${line}`);
  }
  const ci = fs.readFileSync(path.join(top, '.ci', 'run'), 'utf8');
  assert.match(ci, /apt-get remove[^\n]*\bkore\b/, '.ci/run takes a new machine\'s path');
});
