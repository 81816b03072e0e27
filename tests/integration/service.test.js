// conf/parley.service's sandbox, tried: Kore's parent runs as root with
// exactly the unit's capability bounding set (CapabilityBoundingSet=) and
// no new privileges (NoNewPrivileges=), as systemd starts it, on a root
// folder it has never seen (a first start: tmp_files/ does not exist).
// Everything the parent does before the workers chroot and drop to
// 'parley' must work within that set: Parley must serve.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startParley, call, top } = require('./harness');

const NAME = 'it-service';
const unit = fs.readFileSync(path.join(top, 'conf', 'parley.service'), 'utf8');

// The unit's single value of a setting.
function setting(name) {
  const all = [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))];
  assert.equal(all.length, 1, `conf/parley.service sets ${name} once`);
  return all[0][1].trim();
}

let srv;
after(async () => { if (srv) await srv.stop(); });

test('Parley starts and serves within the systemd unit\'s capabilities', async () => {
  assert.equal(process.getuid(), 0, 'the unit runs Kore\'s parent as root; so must this test (the suite runs as root)');
  const caps = setting('CapabilityBoundingSet').split(/\s+/);
  assert.ok(caps.every((c) => /^CAP_[A-Z_]+$/.test(c)), `a plain list of capabilities: ${caps}`);
  const bounding = ['-all', ...caps.map((c) => `+${c.slice(4).toLowerCase()}`)].join(',');
  const wrap = ['setpriv', `--bounding-set=${bounding}`];
  if (setting('NoNewPrivileges') === 'yes') wrap.push('--no-new-privs');

  // A first start: the chroot folder is new, as under a new StateDirectory.
  fs.rmSync(path.join(top, 'var', 'run', NAME), { recursive: true, force: true });
  try {
    srv = await startParley({ name: NAME, wrap });
  } catch (e) {
    const log = fs.readFileSync(path.join(top, 'var', `${NAME}.log`), 'utf8');
    assert.fail(`${e.message} under ${wrap.join(' ')}:\n${log.split('\n').slice(-15).join('\n')}`);
  }
  const r = await call(srv.base, 'GET', '/healthz');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ok');

  // It really ran within that set: the parent's bounding set is the
  // unit's, and nothing more.
  const parent = fs.readFileSync(path.join(top, 'var', 'run', NAME, 'kore.pid'), 'utf8').trim();
  const status = fs.readFileSync(`/proc/${parent}/status`, 'utf8');
  const bnd = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)[1]}`);
  const capNumbers = { CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7, CAP_SYS_CHROOT: 18 };
  let want = 0n;
  for (const c of caps) {
    assert.ok(Object.hasOwn(capNumbers, c), `a capability number for ${c}: add it here`);
    want |= 1n << BigInt(capNumbers[c]);
  }
  assert.equal(bnd.toString(16), want.toString(16), 'the parent\'s CapBnd is the unit\'s set');

  // The workers took their sandbox: chrooted, as 'parley'; and the
  // folder for large request bodies is theirs to write.
  const root = path.join(top, 'var', 'run', NAME, 'root');
  const out = execFileSync('ps', ['--ppid', parent, '-o', 'pid=,user=,args='], { encoding: 'utf8' });
  const workers = out.split('\n').filter((l) => /\[wrk \d+\]/.test(l)).map((l) => l.trim().split(/\s+/));
  assert.ok(workers.length >= 1, out);
  for (const [pid, user] of workers) {
    assert.equal(user, 'parley', `worker ${pid} runs as parley`);
    assert.equal(fs.realpathSync(`/proc/${pid}/root`), fs.realpathSync(root), `worker ${pid} is chrooted`);
  }
  const uid = Number(execFileSync('id', ['-u', 'parley'], { encoding: 'utf8' }).trim());
  assert.equal(fs.statSync(path.join(root, 'tmp_files')).uid, uid, 'tmp_files/ belongs to parley');
});
