// Read-your-writes with a read replica (database_replica): a write's
// answer says where it is (X-Parley-Written), and the widget names that
// position on its reads for ten minutes after (?written=), so they are not
// answered by a standby that has not replayed it. The suite's Parley has
// no replica, so the header is added to the real answer on its way to the
// page; the server's CORS headers (Access-Control-Expose-Headers) decide
// whether the widget may read it, as in production.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postInWidget, harness } = require('./helpers');

const { uniqueKey } = harness;
let env;
before(async () => { env = await setup('widget-written'); });
after(async () => { await env?.stop(); });

const POSITION = '2A/B374D848';

test('after a write, the widget names its position on its reads for ten minutes', async () => {
  const post = uniqueKey('written');
  const page = await env.open(env.postPage({ post }));
  await page.route('**/api/v1/comments', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'x-parley-written': POSITION } });
  });
  const posted = await postInWidget(page, 'Where is my comment?');
  assert.ok(posted.comment.id);
  await page.unroute('**/api/v1/comments');

  // The next page view: its thread and votes reads carry the position.
  const reads = [];
  page.on('request', (r) => { if (r.method() === 'GET' && r.url().includes('/api/v1/')) reads.push(r.url()); });
  const thread = page.waitForRequest((r) => r.url().includes('/api/v1/comments?'));
  await page.reload();
  const url = new URL((await thread).url());
  assert.equal(url.searchParams.get('written'), POSITION);
  assert.equal(url.searchParams.get('post'), post);
  await page.waitForResponse((r) => r.url().includes('/api/v1/votes?'));
  const votes = reads.find((u) => u.includes('/api/v1/votes?'));
  assert.equal(new URL(votes).searchParams.get('written'), POSITION);
  // Paths without a query are left alone.
  assert.ok(reads.every((u) => !/\/api\/v1\/[a-z/]+&/.test(u)), reads.join(' '));

  // Ten minutes later it is forgotten.
  await page.evaluate(() => {
    const v = JSON.parse(localStorage.getItem('parley:written'));
    v.at -= 601000;
    localStorage.setItem('parley:written', JSON.stringify(v));
  });
  const later = page.waitForRequest((r) => r.url().includes('/api/v1/comments?'));
  await page.reload();
  assert.equal(new URL((await later).url()).searchParams.get('written'), null);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
