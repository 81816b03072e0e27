// The stream benchmark's client (streams.sh): holds N live streams on one
// post, each from one of many loopback addresses (Parley caps streams per
// address), then posts comments one at a time and measures, for each,
// how long after the POST was sent every stream saw it. Prints JSON.
//   node streams.js BASE KEY N COMMENTS
'use strict';
const net = require('node:net');

const [base, key, nStr, commentsStr] = process.argv.slice(2);
const n = Number(nStr);
const comments = Number(commentsStr);
const { hostname, port } = new URL(base);
const PER_ADDRESS = 4;

function address(i) {
  const a = Math.floor(i / PER_ADDRESS) + 1;
  return `127.0.${Math.floor(a / 250) + 10}.${(a % 250) + 1}`;
}

function openStream(i) {
  return new Promise((resolve) => {
    const s = { buf: '', ok: false, seen: new Map() };
    const sock = net.connect({ host: hostname, port: Number(port), localAddress: address(i) });
    s.sock = sock;
    sock.setEncoding('utf8');
    sock.on('connect', () => {
      sock.write(`GET /api/v1/stream?post=${encodeURIComponent(key)} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`
        + 'Accept: text/event-stream\r\n\r\n');
    });
    sock.on('data', (d) => {
      const now = performance.now();
      if (d.includes(': heartbeat')) s.beats = (s.beats || 0) + 1;
      s.buf += d;
      if (!s.ok && s.buf.includes('\r\n\r\n')) {
        s.ok = s.buf.startsWith('HTTP/1.1 200');
        resolve(s);
      }
      let m;
      const re = /event: comment\ndata: \{"id":(\d+)/g;
      while ((m = re.exec(s.buf)) !== null) if (!s.seen.has(Number(m[1]))) s.seen.set(Number(m[1]), now);
      // Keep only an unfinished tail.
      const cut = s.buf.lastIndexOf('\n\n');
      if (s.ok && cut >= 0) s.buf = s.buf.slice(cut + 2);
    });
    sock.on('error', () => resolve(s));
    sock.on('close', () => { s.closed = true; resolve(s); });
  });
}

async function post(i) {
  const t0 = performance.now();
  const r = await fetch(`${base}/api/v1/comments`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ post: key, body: `live ${i} ${Date.now()}`, author_name: 'Bench' }),
  });
  const j = await r.json();
  return { id: j.comment.id, t0, status: r.status };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const streams = [];
  const opening = performance.now();
  let retried = 0;
  for (let i = 0; i < n; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 100); j++) {
      // As EventSource does, a stream that did not open is tried again
      // (a burst of connects may overflow the listen queue).
      batch.push((async () => {
        for (let k = 0; ; k++) {
          const s = await openStream(j);
          if ((s.ok && !s.closed) || k === 2) return s;
          retried++;
          s.sock.destroy();
          await sleep(200);
        }
      })());
    }
    streams.push(...await Promise.all(batch));
  }
  const open = streams.filter((s) => s.ok && !s.closed).length;
  const openSeconds = (performance.now() - opening) / 1000;
  if (process.env.HOLD_FILE) {
    // The shell measures reads and RSS while the streams are open.
    require('node:fs').writeFileSync(process.env.HOLD_FILE, String(open));
    while (!require('node:fs').existsSync(`${process.env.HOLD_FILE}.go`)) await sleep(100);
  }
  const lat = [];
  let missed = 0;
  const closedEarly = streams.filter((s) => s.ok && s.closed).length;
  for (let c = 0; c < comments; c++) {
    const p = await post(c);
    await sleep(1500);
    for (const s of streams) {
      if (!s.ok) continue;
      const t = s.seen.get(p.id);
      if (t === undefined) missed++;
      else lat.push(t - p.t0);
    }
  }
  lat.sort((a, b) => a - b);
  const q = (f) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(f * lat.length))] : null);
  const within = lat.filter((x) => x <= 1000).length;
  const total = lat.length + missed;
  process.stdout.write(JSON.stringify({
    asked: n, open, retried, open_seconds: openSeconds, comments, deliveries: total,
    p50_ms: q(0.5), p99_ms: q(0.99), max_ms: lat.length ? lat[lat.length - 1] : null,
    refused: Object.entries(streams.filter((s) => !s.ok).reduce((m, s) => {
      const k = s.buf.split('\r\n')[0] || (s.closed ? 'closed' : 'none');
      m[k] = (m[k] || 0) + 1;
      return m;
    }, {})),
    within_1s: total ? within / total : 0,
    heartbeats: streams.filter((s) => s.ok && s.beats > 0).length,
    held_seconds: (performance.now() - opening) / 1000, missed, closed: streams.filter((s) => s.ok && s.closed).length, closed_before: closedEarly,
  }) + '\n');
  for (const s of streams) s.sock.destroy();
  process.exit(0);
})();
