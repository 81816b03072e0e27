// The delivery schedule in storage: backoff with jitter, a day of retries,
// then failed; claims skip what another deliverer holds.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startParley, sql } = require('./harness');

let srv;
before(async () => { srv = await startParley({ name: 'it-deliveries', env: { PARLEY_DELIVER: '0' } }); });
after(async () => { await srv.stop(); });

// A hook and one delivery of a fresh event, straight in storage.
function delivery() {
  const hook = sql("INSERT INTO hooks (url, kind, secret) VALUES ('http://127.0.0.1:9/', 'event', '\\x00') RETURNING id")[0][0];
  const ev = sql("INSERT INTO events (type, data) VALUES ('comment.created', '{}') RETURNING id")[0][0];
  return sql(`SELECT id FROM deliveries WHERE hook_id = ${hook} AND event_id = ${ev}`)[0][0];
}
const row = (id) => sql(`SELECT state, attempts, extract(epoch FROM next_at - now())::float FROM deliveries WHERE id = ${id}`)[0];

test('failures back off exponentially with jitter; success ends it', () => {
  const id = delivery();
  const waits = [];
  for (let i = 0; i < 5; i++) {
    // One psql call, one transaction: the wait is read at the record's
    // own now(), not after a second psql has started on a busy machine.
    const [[state], [wait]] = sql(`SELECT delivery_record(${id}, 500, 12, 'HTTP 500', 'oops');
      SELECT extract(epoch FROM next_at - now())::float FROM deliveries WHERE id = ${id}`);
    assert.equal(state, 'pending');
    waits.push(Number(wait));
  }
  // 5 s, 10 s, 20 s, 40 s, 80 s, each within 75%..125%.
  waits.forEach((w, i) => {
    const base = 5 * 2 ** i;
    assert.ok(w >= base * 0.74 && w <= base * 1.26, `attempt ${i + 1}: ${w} s`);
  });
  assert.equal(sql(`SELECT count(*) FROM delivery_attempts WHERE delivery_id = ${id}`)[0][0], '5');
  assert.equal(sql(`SELECT delivery_record(${id}, 204, 3, NULL, '')`)[0][0], 'success');
  assert.equal(row(id)[0], 'success');
});

test('after a day of failures a delivery is marked failed', () => {
  const id = delivery();
  sql(`UPDATE deliveries SET created_at = now() - interval '25 hours' WHERE id = ${id}`);
  assert.equal(sql(`SELECT delivery_record(${id}, NULL, 2000, 'Timeout was reached', NULL)`)[0][0], 'failed');
  assert.equal(sql(`SELECT count(*) FROM delivery_claim(100, 60) WHERE id = ${id}`)[0][0], '0');
});

test('a claim leases deliveries: claimed twice, handed out once', () => {
  const ids = [delivery(), delivery(), delivery()];
  const first = sql('SELECT id FROM delivery_claim(100, 60)').map((r) => r[0]);
  for (const id of ids) assert.ok(first.includes(id));
  const second = sql('SELECT id FROM delivery_claim(100, 60)').map((r) => r[0]);
  for (const id of ids) assert.ok(!second.includes(id), 'leased rows are not handed out again');
  sql(`SELECT delivery_release(ARRAY[${ids.join(',')}]::bigint[])`);
  const third = sql('SELECT id FROM delivery_claim(100, 60)').map((r) => r[0]);
  for (const id of ids) assert.ok(third.includes(id), 'released rows come back');
});

test('finished deliveries and their events go after 30 days; the rest stays', () => {
  const old = delivery();
  const recent = delivery();
  const pending = delivery();
  // Every hook got this event (all are enabled, for every type): all its
  // deliveries are finished and old.
  sql(`UPDATE deliveries SET state = 'success', created_at = now() - interval '31 days'
    WHERE event_id = (SELECT event_id FROM deliveries WHERE id = ${old})`);
  sql(`UPDATE events SET created_at = now() - interval '31 days' WHERE id = (SELECT event_id FROM deliveries WHERE id = ${old})`);
  sql(`UPDATE deliveries SET state = 'success' WHERE id = ${recent}`);
  sql(`UPDATE deliveries SET created_at = now() - interval '31 days' WHERE id = ${pending}`);
  const oldEvent = sql(`SELECT event_id FROM deliveries WHERE id = ${old}`)[0][0];
  sql('SELECT hooks_prune()');
  const left = sql(`SELECT id FROM deliveries WHERE id IN (${old}, ${recent}, ${pending})`).map((r) => r[0]).sort();
  assert.deepEqual(left, [recent, pending].sort());
  assert.equal(sql(`SELECT count(*) FROM events WHERE id = ${oldEvent}`)[0][0], '0');
});
