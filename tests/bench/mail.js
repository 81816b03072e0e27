// Benchmark of e-mail (tests/bench/mail.sh runs it):
// 1. Posting throughput with notifications on and off. Two Parley nodes
//    (2 workers each) on one database: "off" has no relay and its replies'
//    parents asked for nothing; "on" has a relay (a real SMTP server,
//    smtp_sink.js) and every reply goes to a parent whose author asked
//    for replies and confirmed, so each one writes its mail item and
//    outbox row in the posting transaction while the deliverer sends.
//    wrk posts replies at c=16, rounds alternating off/on; the medians
//    are compared. On must stay within 10% of off.
// 2. Mails per second: N recipients with a reply each, due at once; the
//    time from the commit to the N-th mail at the SMTP server.
// Writes bench-results/mail.txt and .json; exits 1 when a check fails.
'use strict';
process.env.TEST_DB ??= 'parley_bench';
const { promisify } = require('node:util');
const execFileP = promisify(require('node:child_process').execFile);
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startParley, sql, sleep, top } = require('../integration/harness');
const { SmtpSink } = require('../integration/smtp_sink');

const DURATION = Number(process.env.BENCH_DURATION || 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const MAILS = Number(process.env.BENCH_MAILS || 2000);
const PARENTS = 50;
const KEY = '/bench/mail';
const LUA = path.join(top, 'tests', 'bench', 'readers_writers_post.lua');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

// One wrk run posting replies to parents; requests/s and 201s. Not
// synchronous: the SMTP server lives in this process's event loop.
async function post(base, parents, tag) {
  const out = path.join(os.tmpdir(), `parley-bench-mail-${process.pid}-${tag}`);
  const { stdout: text } = await execFileP('wrk', ['-t2', '-c16', `-d${DURATION}s`, '-s', LUA,
    `${base}/api/v1/comments`], {
    encoding: 'utf8',
    env: { ...process.env, RW_POST: KEY, RW_TAG: tag, RW_PARENTS: parents.join(','),
      RW_OUT: out, RW_REPLY_EVERY: '1' },
  });
  const rps = Number(text.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const created = Number(fs.readFileSync(`${out}.post`, 'utf8').match(/created=(\d+)/)[1]);
  const other = fs.readFileSync(`${out}.post`, 'utf8').match(/other=(.*)/)[1];
  fs.rmSync(`${out}.post`, { force: true });
  fs.rmSync(`${out}.ids`, { force: true });
  return { rps, created, other };
}

// PARENTS top-level comments by distinct guests; their ids.
function seedParents(tag, subscribed) {
  sql(`INSERT INTO posts (key, title) VALUES ('${KEY}', 'Mail bench') ON CONFLICT DO NOTHING`);
  const rows = sql(`INSERT INTO comments (post_id, author_name, author_email, body, html, status, notify)
    SELECT p.id, 'Parent ' || g, '${tag}-' || g || '@example.org', 'parent ' || g, '<p>parent</p>', 'approved', ${subscribed}
    FROM posts p, generate_series(1, ${PARENTS}) g WHERE p.key = '${KEY}' RETURNING id`);
  if (subscribed) {
    sql(`INSERT INTO mail_addresses (email, state, confirmed_at)
         SELECT '${tag}-' || g || '@example.org', 'confirmed', now() FROM generate_series(1, ${PARENTS}) g`);
  }
  return rows.map((r) => r[0]);
}

async function main() {
  const sink = new SmtpSink({ parse: false });
  await sink.listen();
  const off = await startParley({ name: 'bench-mail', workers: 2,
    settings: { rate_limit_per_minute: 0, first_comment_approval: false, mail_hourly_max: 1000000 } });
  const on = await startParley({ name: 'bench-mail-on', workers: 2, shareDb: off.db,
    env: { PARLEY_SMTP_URL: sink.url } });
  const checks = [];
  const result = { duration_s: DURATION, rounds: ROUNDS, cpus: os.cpus().length,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' ') };
  try {
    off.use();
    const offParents = seedParents('off', false);
    const onParents = seedParents('on', true);
    // A fresh database has no statistics yet: plans cached before the
    // first autovacuum would scan whole tables until it runs.
    sql('ANALYZE');
    // Warm both nodes' connections and caches.
    await post(off.base, offParents, 'warm-off');
    await post(on.base, onParents, 'warm-on');
    // Off and on in turns, each first every other round: the disk's
    // speed drifts (a shared VM's), and the medians should not follow it.
    const runs = { off: [], on: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of r % 2 ? ['on', 'off'] : ['off', 'on']) {
        runs[mode].push(await post(mode === 'on' ? on.base : off.base,
          mode === 'on' ? onParents : offParents, `${mode}${r}`));
      }
    }
    result.posting = runs;
    result.off_rps = median(runs.off.map((x) => x.rps));
    result.on_rps = median(runs.on.map((x) => x.rps));
    result.ratio = result.on_rps / result.off_rps;
    const bad = [...runs.off, ...runs.on].filter((x) => x.other !== '');
    checks.push(['every post answered 201', bad.length === 0, bad.map((x) => x.other).join(' ')]);
    checks.push(['posting with notifications on within 10% of off', result.ratio >= 0.9,
      `${result.on_rps.toFixed(0)} vs ${result.off_rps.toFixed(0)} req/s`]);
    // Every reply to a subscribed parent was gathered or sent.
    const [items, sent] = sql(`SELECT (SELECT count(*) FROM mail_items WHERE kind = 'reply'),
      (SELECT count(*) FROM mail_outbox WHERE kind = 'replies' AND state = 'sent')`)[0].map(Number);
    result.gathered = items;
    result.sent_during_posting = sent;
    checks.push(['each subscribed parent mailed once, the rest gathered', sent === PARENTS && sink.mails.length === PARENTS,
      `${sent} sent, ${sink.mails.length} at the relay, ${items} replies waiting`]);

    // Mails per second.
    sink.mails.length = 0;
    sql(`INSERT INTO mail_addresses (email, state, confirmed_at)
         SELECT 'rate-' || g || '@example.org', 'confirmed', now() FROM generate_series(1, ${MAILS}) g`);
    sql(`INSERT INTO comments (post_id, author_name, author_email, body, html, status, notify)
         SELECT p.id, 'Reader ' || g, 'rate-' || g || '@example.org', 'parent', '<p>parent</p>', 'approved', true
         FROM posts p, generate_series(1, ${MAILS}) g WHERE p.key = '${KEY}'`);
    const t0 = Date.now();
    sql(`INSERT INTO comments (post_id, parent_id, depth, author_name, body, html, status)
         SELECT c.post_id, c.id, 1, 'Answerer', 'An answer to ' || c.author_name, '<p>answer</p>', 'approved'
         FROM comments c WHERE c.author_email LIKE 'rate-%'`);
    const t1 = Date.now();
    const deadline = Date.now() + 300000;
    while (sink.mails.length < MAILS && Date.now() < deadline) await sleep(50);
    const last = sink.mails.length ? sink.mails[sink.mails.length - 1].at : Date.now();
    result.mails = sink.mails.length;
    result.mail_seconds = (last - t1) / 1000;
    result.insert_seconds = (t1 - t0) / 1000;
    result.mails_per_s = result.mails / result.mail_seconds;
    const recipients = new Set(sink.mails.map((m) => m.to[0]));
    checks.push([`all ${MAILS} mails reached the relay, once each`, result.mails === MAILS && recipients.size === MAILS,
      `${result.mails} mails, ${recipients.size} recipients`]);
  } finally {
    await on.stop();
    await off.stop();
    await sink.close();
  }
  result.checks = checks.map(([name, ok, detail]) => ({ name, ok, detail }));
  const lines = [
    `mail benchmark (${result.cpus} CPUs shared by wrk, the SMTP server, two Parley nodes and PostgreSQL; load ${result.loadavg})`,
    `posting replies, c=16, ${DURATION} s x ${ROUNDS} rounds each, medians:`,
    `  notifications off: ${result.off_rps.toFixed(0)} req/s  (${result.posting.off.map((x) => x.rps.toFixed(0)).join(', ')})`,
    `  notifications on:  ${result.on_rps.toFixed(0)} req/s  (${result.posting.on.map((x) => x.rps.toFixed(0)).join(', ')})`,
    `  on/off: ${(result.ratio * 100).toFixed(1)}%`,
    `mails through the local SMTP server: ${result.mails} in ${result.mail_seconds.toFixed(2)} s = ${result.mails_per_s.toFixed(0)} mails/s`,
    ...checks.map(([name, ok, detail]) => `${ok ? 'ok  ' : 'FAIL'} ${name} (${detail})`),
  ];
  const outDir = path.join(top, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'mail.txt'), `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(outDir, 'mail.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(lines.join('\n'));
  process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
