// Accessibility of /thread.html, the page readers without JavaScript get,
// as axe-core judges it: no violation, light and dark, in each language,
// and for its error page. (axe is injected past the page's CSP, which
// allows no script at all.)
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, axeViolations, harness } = require('./helpers');

const { uniqueKey, call, sql } = harness;
let env;
let post;
before(async () => {
  env = await setup('a11y-thread');
  post = uniqueKey('a11y-thread');
  const a = await postComment(env.api, post, 'A *useful* summary with a [link](https://example.org).',
    { author_name: 'Mina Park', author_url: 'https://mina.example.org', post_url: 'https://blog.example.org/a' });
  const b = await postComment(env.api, post, 'Agreed, and `code` too:\n\n> quoted',
    { author_name: 'Tom', parent_id: a.comment.id });
  await postComment(env.api, post, 'a reply that stays', { author_name: 'Una', parent_id: b.comment.id });
  // A deleted comment with a reply stays as a placeholder.
  sql(`UPDATE comments SET status = 'deleted' WHERE id = ${Number(b.comment.id)}`);
  await call(env.api, 'GET', `/api/v1/comments?post=${post}`);
});
after(async () => { await env?.stop(); });

async function assertClean(path, colorScheme) {
  const context = await env.browser.newContext({ bypassCSP: true, colorScheme });
  try {
    const page = await context.newPage();
    const r = await page.goto(env.api + path);
    assert.match(r.headers()['content-type'], /^text\/html/);
    const found = await axeViolations(page, 'html');
    assert.deepEqual(found, [], `${path} (${colorScheme}):\n  ${found.join('\n  ')}`);
    return page;
  } finally {
    await context.close();
  }
}

for (const colorScheme of ['light', 'dark']) {
  for (const lang of ['en', 'de', 'fr']) {
    test(`thread.html in ${lang}, ${colorScheme}: no axe violation`, async () => {
      await assertClean(`/thread.html?post=${encodeURIComponent(post)}&lang=${lang}`, colorScheme);
    });
  }
  test(`thread.html without a post, ${colorScheme}: an accessible error page`, async () => {
    await assertClean('/thread.html?lang=de', colorScheme);
  });
}
