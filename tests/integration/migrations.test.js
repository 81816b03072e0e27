// Migrations: each sql/ file applied once, recorded; re-running is a no-op.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sql, top } = require('./harness');

test('every migration is recorded once and a second run applies nothing', () => {
  const files = fs.readdirSync(path.join(top, 'sql')).filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, '')).sort();
  const recorded = sql('SELECT version FROM schema_migrations ORDER BY version').map((r) => r[0]);
  assert.deepEqual(recorded, files);
  const out = execFileSync(path.join(top, 'scripts', 'migrate.sh'), [process.env.TEST_DB || 'parley_test'],
    { encoding: 'utf8' });
  assert.equal(out.trim(), '');
  assert.deepEqual(sql('SELECT version FROM schema_migrations ORDER BY version').map((r) => r[0]), files);
});

test('a failing migration leaves no trace and no record', () => {
  const dir = fs.mkdtempSync('/tmp/parley-mig-');
  const name = `999_broken_${process.pid}`;
  try {
    // A copy of the tree's scripts with an extra, broken migration.
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'sql'));
    fs.copyFileSync(path.join(top, 'scripts', 'migrate.sh'), path.join(dir, 'scripts', 'migrate.sh'));
    fs.chmodSync(path.join(dir, 'scripts', 'migrate.sh'), 0o755);
    for (const f of fs.readdirSync(path.join(top, 'sql'))) fs.copyFileSync(path.join(top, 'sql', f), path.join(dir, 'sql', f));
    fs.writeFileSync(path.join(dir, 'sql', `${name}.sql`),
      'CREATE TABLE half_done (x int);\nSELECT no_such_function();\n');
    assert.throws(() => execFileSync(path.join(dir, 'scripts', 'migrate.sh'), [process.env.TEST_DB || 'parley_test'], {
      stdio: 'pipe',
      env: { ...process.env, PARLEY_MIGRATE_URL: `host=${path.join(top, 'var', 'pg', 'run')} port=${process.env.PARLEY_PG_PORT || 54329} user=parley dbname=${process.env.TEST_DB || 'parley_test'}` },
    }));
    assert.equal(sql("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'")[0][0], '0');
    assert.equal(sql(`SELECT count(*) FROM schema_migrations WHERE version = '${name}'`)[0][0], '0');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
