// count.js on index pages: "N comments" for every [data-parley-count]
// link, from one request; and Parley's own demo page, same-origin.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, harness } = require('./helpers');

const { uniqueKey } = harness;
let env;
before(async () => { env = await setup('count'); });
after(async () => { await env?.stop(); });

test('count.js fills in the counts of several posts with one request', async () => {
  const two = uniqueKey('two'), one = `/2018/03/${uniqueKey('one')}/`, none = uniqueKey('none');
  await postComment(env.api, two, 'a');
  await postComment(env.api, two, 'b');
  await postComment(env.api, one, 'c');
  const link = (key) => `<a data-parley-count="${key}" href="/p">comments</a>`;
  env.blog.pages.set('/index.html', `<!doctype html><html lang="en"><meta charset="utf-8">
<title>Index</title><ul>
<li id="two">${link(two)}</li><li id="one">${link(one)}</li>
<li id="none">${link(none)}</li><li id="again">${link(two)}</li></ul>
<script src="${env.api}/count.js" async></script>`);

  const context = await env.browser.newContext();
  context.setDefaultTimeout(5000);
  const counts = [];
  context.on('request', (r) => { if (r.url().includes('/api/v1/counts')) counts.push(r.url()); });
  const page = await context.newPage();
  await page.goto(`${env.blog.origin}/index.html`);
  await waitText(page.locator('#two a'), '2 comments');
  await waitText(page.locator('#one a'), '1 comment');
  await waitText(page.locator('#none a'), '0 comments');
  await waitText(page.locator('#again a'), '2 comments');
  assert.equal(counts.length, 1);
  const keys = new URL(counts[0]).searchParams.getAll('post');
  assert.deepEqual(keys.sort(), [two, one, none].sort(), 'each key once');
  assert.deepEqual(await context.cookies(), []);
  await context.close();
});

test("Parley's demo page embeds the widget for post 198 and counts its index links", async () => {
  await postComment(env.api, '198', 'On the demo post');
  const page = await env.open(`${env.api}/`);
  await page.locator('#parley li.c .body', { hasText: 'On the demo post' }).first().waitFor();
  const n = (await harness.call(env.api, 'GET', '/api/v1/counts?post=198')).json.counts['198'];
  const s = n === 1 ? '' : 's';
  await waitText(page.locator('a[data-parley-count="198"]'), `${n} comment${s}`);
  await waitText(page.locator('a[data-parley-count="/2018/03/other-post/"]'), /^\d+ comments?$/);
  assert.equal(await page.locator('noscript').count(), 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
