// Migrations: each numbered sql/ file applied once, recorded; every
// function and trigger defined once, in sql/functions/; re-running
// migrate changes nothing.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { sql, top } = require('./harness');

const TEST_DB = process.env.TEST_DB || 'parley_test';
const PORT = process.env.PARLEY_PG_PORT || 54329;
const conninfo = (db) => `host=${path.join(top, 'var', 'pg', 'run')} port=${PORT} user=parley dbname=${db}`;
const pgBin = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => a - b)
  .map((v) => path.join('/usr/lib/postgresql', v, 'bin')).pop();

const migrate = (db, env = {}) => execFileSync(path.join(top, 'scripts', 'migrate.sh'), [db],
  { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, ...env } });
// The schema as pg_dump writes it: tables, indexes, functions, triggers.
const schema = (db) => execFileSync(path.join(pgBin, 'pg_dump'),
  ['--schema-only', '--no-owner', '--no-privileges', '-T', 'schema_migrations', '-d', conninfo(db)],
  { encoding: 'utf8' }).split('\n').filter((l) => !/^\\(un)?restrict /.test(l)).join('\n');
const numbered = () => fs.readdirSync(path.join(top, 'sql')).filter((f) => /^\d+_.*\.sql$/.test(f))
  .map((f) => f.replace(/\.sql$/, '')).sort();

function freshDb(name) {
  sql(`DROP DATABASE IF EXISTS ${name}`, 'postgres');
  sql(`CREATE DATABASE ${name}`, 'postgres');
}

test('every migration is recorded once and a second run applies and changes nothing', () => {
  const recorded = () => sql('SELECT version FROM schema_migrations ORDER BY version', TEST_DB).map((r) => r[0]);
  assert.deepEqual(recorded(), numbered());
  const before = schema(TEST_DB);
  assert.equal(migrate(TEST_DB).trim(), '');
  assert.deepEqual(recorded(), numbered());
  assert.equal(schema(TEST_DB), before);
});

// CREATE [OR REPLACE] FUNCTION|TRIGGER|VIEW name, wherever it is in sql/.
function definitions() {
  const found = [];
  const walk = (dir) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.sql')) {
        const text = fs.readFileSync(p, 'utf8').replace(/--.*$/gm, '');
        const re = /\bCREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|TRIGGER|VIEW|PROCEDURE)\s+([a-z_0-9.]+)/gi;
        for (const m of text.matchAll(re)) found.push({ kind: m[1].toUpperCase(), name: m[2], file: path.relative(top, p) });
      }
    }
  };
  walk(path.join(top, 'sql'));
  return found;
}

test('every function and trigger has exactly one definition, in sql/functions/', () => {
  const defs = definitions();
  assert.ok(defs.length > 50, `only ${defs.length} definitions found`);
  const seen = new Map();
  for (const d of defs) {
    const key = `${d.kind} ${d.name}`;
    assert.ok(!seen.has(key), `${key} is defined in ${seen.get(key)} and in ${d.file}`);
    seen.set(key, d.file);
    assert.match(d.file, /^sql\/functions\//, `${key} is defined in a numbered migration (${d.file})`);
  }
  // And the database holds exactly those: nothing left over from an old
  // definition, nothing created elsewhere.
  const live = sql(`SELECT 'FUNCTION ' || p.proname FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'TRIGGER ' || t.tgname FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal
    ORDER BY 1`, TEST_DB).map((r) => r[0]);
  assert.deepEqual(live, [...seen.keys()].sort());
});

test('a database migrated before the baseline is adopted: same schema, nothing applied twice', () => {
  const db = `${TEST_DB}_premigrated`;
  freshDb(db);
  try {
    // What 001-021 left: the baseline's schema and their 21 records.
    execFileSync(path.join(pgBin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', conninfo(db),
      '-f', path.join(top, 'sql', '000_baseline.sql'),
      '-c', `CREATE TABLE schema_migrations (version text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO schema_migrations (version)
        SELECT lpad(g::text, 3, '0') || '_old' FROM generate_series(1, 21) g`],
    { stdio: 'pipe', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } });
    const out = migrate(db);
    assert.doesNotMatch(out, /applied 000_baseline/);
    assert.equal(sql("SELECT count(*) FROM schema_migrations WHERE version = '000_baseline'", db)[0][0], '1');
    assert.equal(schema(db), schema(TEST_DB));
  } finally {
    sql(`DROP DATABASE IF EXISTS ${db}`, 'postgres');
  }
});

test('a failing migration leaves no trace and no record', () => {
  const dir = fs.mkdtempSync('/tmp/parley-mig-');
  const name = `999_broken_${process.pid}`;
  try {
    // A copy of the tree's scripts with an extra, broken migration.
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(top, 'scripts', 'migrate.sh'), path.join(dir, 'scripts', 'migrate.sh'));
    fs.chmodSync(path.join(dir, 'scripts', 'migrate.sh'), 0o755);
    fs.cpSync(path.join(top, 'sql'), path.join(dir, 'sql'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sql', `${name}.sql`),
      'CREATE TABLE half_done (x int);\nSELECT no_such_function();\n');
    assert.throws(() => execFileSync(path.join(dir, 'scripts', 'migrate.sh'), [TEST_DB], {
      stdio: 'pipe',
      env: { ...process.env, PARLEY_MIGRATE_URL: conninfo(TEST_DB) },
    }));
    assert.equal(sql("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'", TEST_DB)[0][0], '0');
    assert.equal(sql(`SELECT count(*) FROM schema_migrations WHERE version = '${name}'`, TEST_DB)[0][0], '0');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a broken function file changes no function', () => {
  const dir = fs.mkdtempSync('/tmp/parley-fn-');
  try {
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(path.join(top, 'scripts', 'migrate.sh'), path.join(dir, 'scripts', 'migrate.sh'));
    fs.chmodSync(path.join(dir, 'scripts', 'migrate.sh'), 0o755);
    fs.cpSync(path.join(top, 'sql'), path.join(dir, 'sql'), { recursive: true });
    // The first file redefines a function, the last one fails.
    const first = fs.readdirSync(path.join(dir, 'sql', 'functions')).sort()[0];
    fs.appendFileSync(path.join(dir, 'sql', 'functions', first),
      "\nCREATE OR REPLACE FUNCTION rfc3339(t timestamptz) RETURNS text\nLANGUAGE sql STABLE AS $$ SELECT 'changed' $$;\n");
    fs.writeFileSync(path.join(dir, 'sql', 'functions', 'zzz_broken.sql'), 'CREATE OR REPLACE FUNCTION (;\n');
    const before = schema(TEST_DB);
    assert.throws(() => execFileSync(path.join(dir, 'scripts', 'migrate.sh'), [TEST_DB], {
      stdio: 'pipe',
      env: { ...process.env, PARLEY_MIGRATE_URL: conninfo(TEST_DB) },
    }));
    assert.equal(schema(TEST_DB), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
