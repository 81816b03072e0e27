// Sites: a blog on an origin Parley does not know shows the thread but
// cannot post, and says where its owner allows it; an admin adds the
// origin on the admin page's Sites section, and the same page can post,
// with no restart.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, startBlog, postComment, waitText, w, harness } = require('./helpers');
const adm = require('./admin-helpers');

let env;
let blog2;	// a second blog, on an origin nobody allowed yet
before(async () => {
  env = await setup('sites');
  harness.sql(`UPDATE settings SET value = '[]' WHERE name = 'allowed_origins'`);
  blog2 = await startBlog(await harness.freePort());
  require('node:child_process').execFileSync(require('node:path').join(harness.top, 'scripts', 'admin.sh'),
    [adm.ADMIN.email, adm.ADMIN.password, env.parley.db], { stdio: 'ignore' });
});
after(async () => {
  await blog2.close();
  await env.stop();
});

// The same widget page, served by the second blog.
function secondBlogPage(post) {
  const url = new URL(env.postPage({ post, title: 'Elsewhere' }));
  blog2.pages.set(url.pathname, env.blog.pages.get(url.pathname));
  return blog2.origin + url.pathname;
}

test('a blog on an unknown origin reads, cannot post, and can once an admin allows it', async () => {
  const post = harness.uniqueKey('sites');
  await postComment(env.api, post, 'Posted from the allowed blog');
  const page = await env.open(secondBlogPage(post));

  // Reading is public.
  await w.comment(page, 'Posted from the allowed blog').waitFor();
  await waitText(w.heading(page), '1 Comment');

  // Posting is refused with a message that names the origin and the place.
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill('Hello from the second blog');
  await form.locator('input[name=name]').fill('Sam');
  await form.locator('button[type=submit]').click();
  const err = form.locator('.err');
  await waitText(err, /Sites/);
  const text = (await err.allTextContents()).join(' ');
  assert.ok(text.includes(blog2.origin), `names the origin: ${text}`);
  assert.doesNotMatch(text, /connection/i, 'not the network error');
  assert.equal(harness.sql(`SELECT count(*) FROM comments WHERE body = 'Hello from the second blog'`)[0][0], '0');

  // An admin adds the origin on the admin page.
  const admin = await adm.openPage(env.browser, env.parley);
  await adm.loginAsModerator(admin.page, adm.ADMIN);
  await admin.page.locator('nav.sections a[data-section=sites]').click();
  await admin.page.locator('#site-origin').fill('https://');
  await admin.page.getByRole('button', { name: 'Allow this site' }).click();
  await waitText(admin.page.locator('#site-origin-err'), /host/);
  await admin.page.locator('#site-origin').fill(`${blog2.origin}/`);
  await admin.page.getByRole('button', { name: 'Allow this site' }).click();
  await admin.page.locator(`#sites-list li[data-origin="${blog2.origin}"]`).waitFor();
  assert.equal(await admin.page.locator('#site-origin').inputValue(), '');

  // The same page, not reloaded, now posts.
  await form.locator('button[type=submit]').click();
  await w.comment(page, 'Hello from the second blog').waitFor();
  await waitText(w.heading(page), '2 Comments');
  assert.equal(harness.sql(`SELECT count(*) FROM comments WHERE body = 'Hello from the second blog'`)[0][0], '1');

  // Removing it closes the door again.
  await admin.page.getByRole('button', { name: `Remove ${blog2.origin}` }).click();
  await admin.page.locator('#sites-empty').waitFor();
  await form.locator('textarea[name=body]').fill('A second try');
  await form.locator('button[type=submit]').click();
  await waitText(form.locator('.err'), /Sites/);
  assert.deepEqual(admin.problems, []);
  await admin.context.close();
});

test('the Sites section is for admins only', async () => {
  const admin = await adm.openPage(env.browser, env.parley);
  const r = await harness.call(env.api, 'POST', '/api/v1/auth/register',
    { json: { email: 'mo@example.org', password: 'moderator-pass-1', name: 'Mo' } });
  assert.equal(r.status, 201, r.text);
  harness.sql("UPDATE users SET role = 'moderator' WHERE email = 'mo@example.org'");
  await adm.loginAsModerator(admin.page, { email: 'mo@example.org', password: 'moderator-pass-1' });
  assert.equal(await admin.page.locator('nav.sections a[data-section=sites]').isVisible(), false);
  await admin.context.close();
});
