// The Import & export section of the moderators' page (/admin), in
// Chromium against a real Parley: a WordPress export uploaded as it is,
// followed by its progress bar to a summary that agrees with the job's
// answer and the threads readers get; the same file again (nothing new,
// all already there); a file cut short (the failure and its error,
// nothing kept); posts keyed by their links' paths; the format guessed
// from a file's name; the server's error answers; the export saved as a
// file (a gzip whose first line is its header); a moderator kept out;
// and axe-core on the section, light and dark.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const harness = require('../integration/harness');
const h = require('./admin-helpers');

const { ADMIN, MODERATOR } = h;
const WXR = path.join(harness.top, 'tests', 'integration', 'fixtures', 'wordpress.wxr');
const WXR_TEXT = fs.readFileSync(WXR, 'utf8');

let srv;
let browser;

before(async () => {
  ({ srv, browser } = await h.setup({ name: 'browser-import', settings: {} }));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

const withPage = (body, options) => h.withPage(browser, srv, body, options);
const text = async (loc) => (await loc.textContent()).trim();

// What the fixture holds, read from it rather than written down: each
// post's id and its comments' status, type and parent. WordPress's
// trashed comments and pingbacks, trackbacks and other types are left
// out (README: Coming from WordPress or Disqus).
function readWxr(xml) {
  const field = (s, name) => {
    const m = new RegExp(`<wp:${name}>(?:<!\\[CDATA\\[)?([\\s\\S]*?)(?:\\]\\]>)?</wp:${name}>`).exec(s);
    return m ? m[1] : '';
  };
  const posts = [];
  for (const item of xml.split('<item>').slice(1)) {
    const comments = item.split('<wp:comment>').slice(1).map((c) => ({
      id: field(c, 'comment_id'), status: field(c, 'comment_approved'),
      type: field(c, 'comment_type'), author: /<wp:comment_author><!\[CDATA\[(.*?)\]\]>/.exec(c)[1],
    }));
    posts.push({ key: field(item, 'post_id'), comments });
  }
  const all = posts.flatMap((p) => p.comments);
  const kept = (c) => ['', 'comment'].includes(c.type) && c.status !== 'trash';
  return {
    posts,
    read: all.length,
    imported: all.filter(kept).length,
    skipped: all.filter((c) => !kept(c)).length,
    held: all.filter((c) => kept(c) && c.status === '0').length,
    // Approved and kept, per post: what readers see.
    approved: (key) => posts.find((p) => p.key === key).comments
      .filter((c) => kept(c) && c.status === '1').map((c) => c.author).sort(),
  };
}
const FIXTURE = readWxr(WXR_TEXT);

async function adminApi(method, urlPath) {
  const tok = await h.token(srv, ADMIN);
  return harness.call(srv.base, method, `/api/v1${urlPath}`, { headers: { authorization: `Bearer ${tok}` } });
}

// The POST of a file (page.route's glob would read "?" as a wildcard).
const IMPORT_POST = (u) => u.pathname === '/api/v1/admin/import';

const commentCount = () => Number(harness.sql('SELECT count(*) FROM comments', srv.db)[0][0]);

// Approved authors of a post as readers get its thread, replies included.
async function threadAuthors(key) {
  const r = await harness.call(srv.base, 'GET', `/api/v1/comments?post=${encodeURIComponent(key)}&limit=100`);
  assert.equal(r.status, 200, r.text);
  const names = [];
  const walk = (list) => {
    for (const c of list) {
      names.push(c.author.name);
      walk(c.replies || []);
    }
  };
  walk(r.json.comments);
  return { count: r.json.post.comment_count, names: names.sort() };
}

async function openImport(page, who = ADMIN) {
  await h.loginAsModerator(page, who);
  await page.getByRole('link', { name: 'Import & export', exact: true }).click();
  await page.locator('#import-form').waitFor();
}

// Clicks Import; resolves with the POST's request and answer.
async function startImport(page) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' &&
    new URL(r.url()).pathname === '/api/v1/admin/import');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const res = await posted;
  return { request: res.request(), res };
}

// Waits until the job on show has ended (done or failed).
async function ended(page) {
  await page.locator('#import-job.state-done, #import-job.state-failed').waitFor({ timeout: 60000 });
  return (await page.locator('#import-job').getAttribute('class')).match(/state-(\w+)/)[1];
}

// The job the section shows, as its line under the title names it.
async function shownJob(page) {
  const meta = await text(page.locator('#import-meta'));
  const m = /^Job (\d+) · /.exec(meta);
  assert.ok(m, meta);
  assert.equal(await page.locator('#import-job').getAttribute('data-job'), m[1]);
  return Number(m[1]);
}

async function counts(page) {
  const out = {};
  for (const dd of await page.locator('#import-counts dd').all())
    out[await dd.getAttribute('data-count')] = Number((await dd.textContent()).replace(/[^0-9]/g, ''));
  return out;
}

// GETs of the job, as the page makes them.
function pollLog(page) {
  const log = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && /\/api\/v1\/admin\/import\/\d+$/.test(new URL(r.url()).pathname))
      log.push({ at: Date.now(), url: r.url() });
  });
  return log;
}

test('a WordPress export: progress, then a summary that matches the job and the threads; again: nothing new', async () => {
  assert.ok(FIXTURE.imported > 0 && FIXTURE.skipped > 0 && FIXTURE.held > 0,
    'the fixture has comments to import, to hold and to leave out');
  const before2 = commentCount();
  await withPage(async (page) => {
    const polls = pollLog(page);
    await openImport(page);
    assert.equal(await page.locator('#import').isVisible(), true);
    assert.equal(await page.locator('#queue').isVisible(), false);
    assert.equal(await page.locator('.sections a[aria-current=page]').getAttribute('data-section'), 'import');

    await page.getByLabel('Export file').setInputFiles(WXR);
    assert.equal(await page.getByLabel('Format').inputValue(), 'wxr', 'guessed from the name');
    assert.equal(await text(page.locator('#i-format-hint')), 'Chosen from the file\'s name.');
    assert.equal(await page.getByLabel('Key each post by').isVisible(), true);

    const { request, res } = await startImport(page);
    assert.equal(res.status(), 202);
    const url = new URL(request.url());
    assert.equal(url.searchParams.get('format'), 'wxr');
    assert.equal(url.searchParams.get('key'), 'id');
    assert.equal(request.headers()['content-type'], 'application/octet-stream');
    assert.match(request.headers().authorization, /^Bearer \S+$/);
    // The button waits for the job.
    assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), true);

    assert.equal(await ended(page), 'done', await text(page.locator('#import-state')));
    const jobId = await shownJob(page);
    const job = (await adminApi('GET', `/admin/import/${jobId}`)).json;
    assert.equal(job.state, 'done');
    assert.equal(job.format, 'wxr');
    assert.equal(job.bytes, fs.statSync(WXR).size, 'the file as it is');
    assert.equal(await text(page.locator('#import-meta')),
      `Job ${jobId} · WordPress WXR · ${(job.bytes / 1000).toFixed(1)} KB`);
    assert.deepEqual([job.read, job.imported, job.already, job.skipped],
      [FIXTURE.read, FIXTURE.imported, 0, FIXTURE.skipped]);

    // The bar is full; the summary shows the job's numbers.
    const bar = page.getByRole('progressbar', { name: 'Import of wordpress.wxr' });
    assert.equal(Number(await bar.getAttribute('max')), job.bytes);
    assert.equal(await bar.evaluate((b) => b.value), job.bytes);
    assert.equal(await text(page.locator('#import-done')), '100%');
    assert.deepEqual(await counts(page), { read: job.read, imported: FIXTURE.imported, already: 0,
      skipped: FIXTURE.skipped, orphans: job.orphans });
    assert.equal(await text(page.locator('#import-state')),
      `Done: imported ${FIXTURE.imported} comments from wordpress.wxr.`);
    assert.equal(await page.locator('#import-state').getAttribute('role'), 'status');
    assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), false);
    // Its held comments are counted in the header at once.
    await h.eventually(async () => assert.equal(await h.heldBadge(page), FIXTURE.held));

    // The page asked about this job, every half second or so, and then
    // stopped.
    assert.ok(polls.length >= 1 && polls.every((p) => p.url.endsWith(`/admin/import/${jobId}`)), JSON.stringify(polls));
    for (let i = 1; i < polls.length; i++)
      assert.ok(polls[i].at - polls[i - 1].at >= 400, `polls ${polls[i].at - polls[i - 1].at} ms apart`);
    const seen = polls.length;
    await harness.sleep(1500);
    assert.equal(polls.length, seen, 'no look after the end');

    // Readers get the imported threads.
    for (const post of FIXTURE.posts) {
      const t = await threadAuthors(post.key);
      assert.deepEqual(t.names, FIXTURE.approved(post.key), `post ${post.key}`);
      assert.equal(t.count, FIXTURE.approved(post.key).length, `post ${post.key}`);
    }
    assert.equal(commentCount(), before2 + FIXTURE.imported);

    // The same file again: nothing new, all of it already there.
    const second = await startImport(page);
    assert.equal(second.res.status(), 202);
    assert.equal(await ended(page), 'done', await text(page.locator('#import-state')));
    const jobId2 = await shownJob(page);
    assert.notEqual(jobId2, jobId);
    const job2 = (await adminApi('GET', `/admin/import/${jobId2}`)).json;
    assert.deepEqual([job2.state, job2.imported, job2.already], ['done', 0, FIXTURE.imported]);
    // (Orphans count the replies placed at the top level by this import:
    // none, as nothing was placed.)
    assert.deepEqual(await counts(page), { read: FIXTURE.read, imported: 0, already: FIXTURE.imported,
      skipped: FIXTURE.skipped, orphans: job2.orphans });
    assert.equal(await text(page.locator('#import-state')),
      `Done: no new comments in wordpress.wxr. ${FIXTURE.imported} were already there.`);
    assert.equal(commentCount(), before2 + FIXTURE.imported, 'nothing added');
    assert.equal(await page.locator('#import-errors-box').isVisible(), job2.errors.length > 0);
    await page.screenshot({ path: path.join(h.SCREENSHOTS, 'admin-import.png'), fullPage: true });
  });
});

test('a file cut short: the failure said clearly, with its error; nothing kept', async () => {
  // Comment ids of its own, so that anything kept would be new.
  const cut = WXR_TEXT.replaceAll('<wp:comment_id>', '<wp:comment_id>cut').slice(0, Math.floor(WXR_TEXT.length * 0.8));
  const before2 = commentCount();
  await withPage(async (page) => {
    await openImport(page);
    await page.getByLabel('Export file').setInputFiles({ name: 'cut-wordpress.xml', mimeType: 'text/xml',
      buffer: Buffer.from(cut) });
    assert.equal(await page.getByLabel('Format').inputValue(), 'wxr');
    const { res } = await startImport(page);
    assert.equal(res.status(), 202);
    assert.equal(await ended(page), 'failed');
    const jobId = await shownJob(page);

    const job = (await adminApi('GET', `/admin/import/${jobId}`)).json;
    assert.equal(job.state, 'failed');
    assert.ok(job.errors.length >= 1, JSON.stringify(job));
    assert.match(job.errors.join(' '), /not well-formed XML/);
    assert.ok(job.finished_at, 'a failed job has finished');

    const status = await text(page.locator('#import-state'));
    assert.ok(status.startsWith('The import of cut-wordpress.xml failed, and nothing was imported. '), status);
    assert.ok(status.includes(job.errors[0].trim().replace(/\.$/, '')), `${status} / ${job.errors[0]}`);
    const shown = (await page.locator('#import-errors li').allTextContents()).map((s) => s.trim());
    assert.deepEqual(shown.slice(0, Math.min(20, job.errors.length)), job.errors.slice(0, 20).map((e) => e.trim()));
    assert.equal(await page.locator('#import-errors-box').isVisible(), true);
    assert.equal(await page.locator('#import-counts').isVisible(), false, 'no summary of a failed import');
    assert.equal(commentCount(), before2, 'nothing half-imported');
    assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), false);
  });
});

test('Key each post by "The link\'s path": posts keyed by the paths of their links', async () => {
  const byPath = WXR_TEXT.replaceAll('<wp:comment_id>', '<wp:comment_id>path');
  await withPage(async (page) => {
    await openImport(page);
    await page.getByLabel('Export file').setInputFiles({ name: 'blog.wordpress.2026-11-05.xml', mimeType: 'text/xml',
      buffer: Buffer.from(byPath) });
    await page.getByLabel('Key each post by').selectOption({ label: 'The link\'s path' });
    const { request, res } = await startImport(page);
    assert.equal(res.status(), 202);
    assert.equal(new URL(request.url()).searchParams.get('key'), 'path');
    assert.equal(await ended(page), 'done', await text(page.locator('#import-state')));
    assert.equal((await counts(page)).imported, FIXTURE.imported);
  });
  const t = await threadAuthors('/2026/11/getting-to-yes/');
  assert.deepEqual(t.names, FIXTURE.approved('198'));
});

test('the format follows the file\'s name; a Parley export has no post key to choose', async () => {
  await withPage(async (page) => {
    await openImport(page);
    const file = page.getByLabel('Export file');
    const format = page.getByLabel('Format');
    const pick = (name) => file.setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from('x') });
    for (const [name, want] of [['example.WordPress.2026-11-05.xml', 'wxr'], ['disqus-export.xml.gz', 'disqus'],
      ['parley-export.jsonl.gz', 'parley'], ['old.wxr', 'wxr']]) {
      await pick(name);
      assert.equal(await format.inputValue(), want, name);
      assert.equal(await page.locator('#i-key-field').isVisible(), want !== 'parley', name);
    }
    // A name that says nothing leaves the admin's choice.
    await format.selectOption('disqus');
    assert.equal(await text(page.locator('#i-format-hint')), '');
    await pick('comments.xml');
    assert.equal(await format.inputValue(), 'disqus');
    assert.equal(await text(page.locator('#i-format-hint')), '');
    await format.selectOption({ label: 'Parley export' });
    assert.equal(await page.locator('#i-key-field').isVisible(), false);

    // A Parley export's request names no key.
    await page.route(IMPORT_POST, (r) => r.fulfill({ status: 409, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'import_running', message: 'Another import is running.' } }) }));
    const { request } = await startImport(page);
    const url = new URL(request.url());
    assert.equal(url.searchParams.get('format'), 'parley');
    assert.equal(url.searchParams.has('key'), false);
  });
});

test('the server\'s refusals are shown as it words them; no file, no request', async () => {
  await withPage(async (page) => {
    await openImport(page);
    const error = page.locator('#import-error');
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/admin/import') posts++;
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    assert.equal(await text(page.locator('#i-file-err')), 'Choose the export file first.');
    assert.equal(await page.getByLabel('Export file').getAttribute('aria-invalid'), 'true');
    assert.equal(posts, 0);

    await page.getByLabel('Export file').setInputFiles(WXR);
    assert.equal(await page.getByLabel('Export file').getAttribute('aria-invalid'), null, 'a file clears the error');
    const answers = [
      [413, { code: 'body_too_large', message: 'The file is larger than 256 MiB, this server\'s limit.' }],
      [409, { code: 'import_running', message: 'Another import has not finished yet; try again once it is done.' }],
      [400, { code: 'invalid_format', message: 'format must be wxr, disqus or parley.', field: 'format' }],
    ];
    for (const [status, err] of answers) {
      await page.route(IMPORT_POST, (r) => r.fulfill({ status, contentType: 'application/json',
        body: JSON.stringify({ error: err }) }));
      await startImport(page);
      await h.eventually(async () => assert.equal(await text(error), err.message));
      assert.equal(await error.getAttribute('role'), 'alert');
      assert.equal(await page.locator('#import-job').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), false);
      await page.unroute(IMPORT_POST);
    }
    // A proxy's own 413, without JSON.
    await page.route(IMPORT_POST, (r) => r.fulfill({ status: 413, contentType: 'text/html',
      body: '<html><body>413 Request Entity Too Large</body></html>' }));
    await startImport(page);
    const tooLarge = 'The file is larger than this server accepts (import_max_mib in parley.conf). ' +
      'Import it on the server with make import instead.';
    await h.eventually(async () => assert.equal(await text(error), tooLarge));
    await page.unroute(IMPORT_POST);
  });
});

test('a file over the server\'s limit (import_max_mib): refused, said so, nothing started', async () => {
  // A server of its own, whose limit is 1 MiB; the file is 2 MiB.
  const small = await h.startServer({ name: 'browser-import-small', env: { PARLEY_IMPORT_MAX_MIB: '1' } });
  try {
    const big = Buffer.concat([Buffer.from(WXR_TEXT), Buffer.alloc(2 * 1024 * 1024 - WXR_TEXT.length, ' ')]);
    await h.withPage(browser, small, async (page) => {
      const seen = [];
      page.on('response', (r) => {
        if (IMPORT_POST(new URL(r.url()))) seen.push(r.status());
      });
      page.on('requestfailed', (r) => {
        if (IMPORT_POST(new URL(r.url()))) seen.push(r.failure().errorText);
      });
      await openImport(page);
      await page.getByLabel('Export file').setInputFiles({ name: 'big.wordpress.xml', mimeType: 'text/xml', buffer: big });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.locator('#import-error:not(:empty)').waitFor({ timeout: 15000 });
      // The server's 413, as its JSON words it, or (when it sends none)
      // the page's own words for a 413.
      assert.deepEqual(seen, [413], 'the browser got the 413');
      const shown = await text(page.locator('#import-error'));
      assert.match(shown, /larger than|too large|1 MiB/);
      assert.equal(await page.locator('#import-job').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), false);
    });
    assert.equal(Number(harness.sql('SELECT count(*) FROM import_jobs', small.db)[0][0]), 0, 'no job');
  } finally {
    await small.stop();
    srv.use();
  }
});

test('the bar follows bytes_read every half second, and the page stops asking when the section is left', async () => {
  // A job that runs as long as the test wants: the server's answers are
  // replaced, the page's code is the real one.
  await withPage(async (page) => {
    const polls = pollLog(page);
    let state = { job: 424242, state: 'queued', format: 'wxr', bytes: 1000, bytes_read: 0, read: 0, imported: 0,
      skipped: 0, already: 0, orphans: 0, errors: [], created_at: '2026-11-05T10:00:00Z', finished_at: null };
    await page.route(IMPORT_POST, (r) => r.fulfill({ status: 202, contentType: 'application/json',
      body: JSON.stringify({ job: 424242 }) }));
    await page.route((u) => u.pathname === '/api/v1/admin/import/424242', (r) => r.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify(state) }));
    await openImport(page);
    await page.getByLabel('Export file').setInputFiles(WXR);
    await startImport(page);
    const bar = page.locator('#import-progress');
    await h.eventually(async () => assert.equal(await text(page.locator('#import-state')),
      'wordpress.wxr was sent. The import starts in a moment.'));

    state = { ...state, state: 'running', bytes_read: 400, read: 3 };
    await h.eventually(async () => assert.equal(await bar.evaluate((b) => b.value), 400));
    assert.equal(await bar.evaluate((b) => b.max), 1000);
    assert.equal(await text(page.locator('#import-done')), '40% · 3 read');
    assert.equal(await text(page.locator('#import-state')), 'Importing wordpress.wxr…');
    const n = polls.length;
    await harness.sleep(1600);
    assert.ok(polls.length - n >= 2 && polls.length - n <= 4, `${polls.length - n} looks in 1.6 s`);

    // Elsewhere on the page: no looks.
    await page.getByRole('link', { name: 'Comments', exact: true }).click();
    assert.equal(await page.locator('#import').isVisible(), false);
    await harness.sleep(300);
    const left = polls.length;
    await harness.sleep(1500);
    assert.equal(polls.length, left, 'no look while the section is not shown');

    // Back: it follows the job again, to its end.
    state = { ...state, bytes_read: 900, read: 7 };
    await page.getByRole('link', { name: 'Import & export', exact: true }).click();
    await h.eventually(async () => assert.equal(await bar.evaluate((b) => b.value), 900));
    state = { ...state, state: 'done', bytes_read: 1000, read: 8, imported: 5, skipped: 1, already: 1, orphans: 1,
      errors: ['Comment 99: <b>no</b> post for it.'], finished_at: '2026-11-05T10:00:05Z' };
    await ended(page);
    assert.deepEqual(await counts(page), { read: 8, imported: 5, already: 1, skipped: 1, orphans: 1 });
    assert.equal(await text(page.locator('#import-state')),
      'Done: imported 5 comments from wordpress.wxr. 1 was already there.');
    // An error is text, never markup.
    assert.deepEqual(await page.locator('#import-errors li').allTextContents(), ['Comment 99: <b>no</b> post for it.']);
    assert.equal(await page.locator('#import-errors b').count(), 0);
    const done = polls.length;
    await harness.sleep(1200);
    assert.equal(polls.length, done, 'no look after the end');
  });
});

test('Export saves a gzip of JSON lines whose first line is the header', async () => {
  const direct = await adminApi('GET', '/admin/export');
  assert.equal(direct.status, 200, direct.text);
  assert.match(direct.headers.get('content-type'), /^application\/gzip/);
  const disposition = direct.headers.get('content-disposition') || '';
  assert.match(disposition, /^attachment/, disposition);
  const named = /filename="?([^";]+)"?/.exec(disposition);

  await withPage(async (page) => {
    await openImport(page);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the export' }).click();
    const file = await download;
    assert.equal(file.suggestedFilename(), named ? named[1] : 'parley-export.jsonl.gz');
    assert.match(file.suggestedFilename(), /\.jsonl\.gz$/);
    const bytes = fs.readFileSync(await file.path());
    assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip');
    const lines = zlib.gunzipSync(bytes).toString('utf8').trim().split('\n');
    const header = JSON.parse(lines[0]);
    assert.equal(header.format, 'parley-export');
    assert.equal(header.version, 1);
    assert.equal(header.counts.comments, commentCount());
    assert.equal(lines.map((l) => JSON.parse(l)).filter((o) => o.type === 'comment').length, header.counts.comments);
    const authors = (list) => list.sort().join('|');
    assert.equal(authors(lines.map((l) => JSON.parse(l)).filter((o) => o.type === 'comment').map((o) => o.author_name ?? '')),
      authors(harness.sql('SELECT author_name FROM comments', srv.db).map((r) => r[0])));
    await h.eventually(async () => assert.match(await text(page.locator('#status')), /^Downloaded .+\.jsonl\.gz \(.+\)\.$/));
    assert.equal(await page.getByRole('button', { name: 'Download the export' }).isDisabled(), false);

    // A refusal is shown as the server words it.
    await page.route('**/api/v1/admin/export', (r) => r.fulfill({ status: 503, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'unavailable', message: 'The database is unavailable.' } }) }));
    await page.getByRole('button', { name: 'Download the export' }).click();
    await h.eventually(async () => assert.equal(await text(page.locator('#export-error')), 'The database is unavailable.'));
  });
});

test('a reload keeps the section; moderators have no Import & export; a new session starts afresh', async () => {
  await withPage(async (page) => {
    await openImport(page);
    assert.match(page.url(), /#\/import$/);
    await page.reload();
    await page.locator('#import').waitFor();
    assert.equal(await page.locator('#queue').isVisible(), false);
    assert.equal(await page.locator('.sections a[aria-current=page]').getAttribute('data-section'), 'import');
    await page.getByLabel('Export file').setInputFiles({ name: 'disqus.xml', mimeType: 'text/xml', buffer: Buffer.from('<x/>') });
    assert.equal(await page.getByLabel('Format').inputValue(), 'disqus');

    // Logged out there, a moderator logs in on the same page: the
    // address still says #/import, the comments are shown.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-form').waitFor();
    await h.loginAsModerator(page, MODERATOR);
    assert.equal(await page.getByRole('link', { name: 'Import & export' }).isVisible(), false);
    assert.equal(await page.locator('#queue').isVisible(), true);
    assert.equal(await page.locator('#import').isVisible(), false);
    await page.evaluate(() => { location.hash = '/settings'; });
    await page.locator('#settings').waitFor();
    await page.evaluate(() => { location.hash = '/import'; });
    await h.eventually(async () => assert.equal(await page.locator('#queue').isVisible(), true));
    assert.equal(await page.locator('#import').isVisible(), false);

    // The admin again: nothing of the earlier session's form is left.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-form').waitFor();
    await h.loginAsModerator(page, ADMIN);
    await page.locator('#import').waitFor();
    assert.equal(await page.getByLabel('Export file').evaluate((i) => i.files.length), 0);
    assert.equal(await page.getByLabel('Format').inputValue(), 'wxr');
  });
  const tok = await h.token(srv, MODERATOR);
  const r = await harness.call(srv.base, 'GET', '/api/v1/admin/export', { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(r.status, 403, r.text);
});

// axe's violations on the page as it is now, one line each.
async function violations(page) {
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

for (const scheme of ['light', 'dark']) {
  test(`axe finds nothing on the section, ${scheme} mode: empty, done, failed`, async () => {
    await withPage(async (page) => {
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      await openImport(page);
      const found = [];
      const check = async (where) => {
        await harness.sleep(250);
        for (const v of await violations(page)) found.push(`${where}: ${v}`);
      };
      await check('empty');
      await page.getByLabel('Export file').setInputFiles(WXR);
      await startImport(page);
      await ended(page);
      await check('done');
      await page.getByLabel('Export file').setInputFiles({ name: 'broken.wxr', mimeType: 'text/xml',
        buffer: Buffer.from(WXR_TEXT.slice(0, 900)) });
      await startImport(page);
      assert.equal(await ended(page), 'failed');
      await check('failed');
      // No file: the field's error.
      await page.getByLabel('Export file').setInputFiles([]);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.locator('#i-file-err:not(:empty)').waitFor();
      await check('no file');
      assert.deepEqual(found, [], `axe-core found:\n${found.join('\n')}`);
    }, { colorScheme: scheme, bypassCSP: true });
  });
}
