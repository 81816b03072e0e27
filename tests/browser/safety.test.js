// What the widget must never do: run what readers typed, fall apart under
// the blog's CSS, call anyone but its own server, or set cookies.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, harness } = require('./helpers');

const { uniqueKey, sql } = harness;
let env;
before(async () => { env = await setup('safety'); });
after(async () => { await env?.stop(); });

test('XSS: markup in a body, a name and a javascript: URL shows as text and runs nothing', async () => {
  const post = uniqueKey('xss');
  const body = '<img src=x onerror=window.__xss=1>';
  const name = '<script>window.__xss=2</script>';
  const c = await postComment(env.api, post, body, { author_name: name });
  // The API refuses such a URL, so put it in behind its back: the widget
  // must not trust what it is given either.
  sql(`UPDATE comments SET author_url = 'javascript:alert(1)' WHERE id = ${Number(c.comment.id)}`);

  const page = await env.open(env.postPage({ post }));
  const li = w.comment(page, body);
  await li.waitFor();
  assert.equal((await li.locator('.body').textContent()).trim(), body);
  assert.equal(await li.locator('.name').textContent(), name);
  assert.equal(await li.locator('a.name').count(), 0, 'the name is not a link');
  assert.equal(await li.locator('a').count(), 0);

  // Preview goes through the same sanitizer.
  await w.form(page).locator('textarea[name=body]').fill(`${body} ${name}`);
  await w.form(page).locator('button', { hasText: 'Preview' }).click();
  await waitText(w.form(page).locator('.preview'), /onerror/);
  await page.waitForTimeout(300);

  const found = await page.evaluate(() => {
    const root = document.querySelector('#parley').shadowRoot;
    return {
      xss: window.__xss,
      scripts: root.querySelectorAll('script').length,
      // Avatars are the only images, all from Parley.
      images: [...root.querySelectorAll('img')].map((i) => i.className + ' ' + i.src),
      handlers: [...root.querySelectorAll('*')].flatMap((el) =>
        [...el.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
      hrefs: [...root.querySelectorAll('[href]')].map((a) => a.getAttribute('href')),
    };
  });
  assert.equal(found.xss, undefined);
  assert.equal(found.scripts, 0);
  for (const img of found.images) assert.match(img, new RegExp(`^av ${env.api}/avatar/`));
  assert.deepEqual(found.handlers, []);
  assert.deepEqual(found.hrefs.filter((h) => !/^https?:/.test(h)), []);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('hostile blog CSS cannot hide or break the widget; posting still works', async () => {
  const post = uniqueKey('hostile');
  await postComment(env.api, post, 'Already here');
  const head = `<style>
p,li,button,textarea,input,form,ol,ul,div{display:none!important;color:red!important}
*{font-size:2px!important}
#parley *{display:none!important}
</style>`;
  const page = await env.open(env.postPage({ post, head }));
  const form = w.form(page);
  const ta = form.locator('textarea[name=body]');
  const submit = form.locator('button[type=submit]');
  for (const el of [ta, submit, form.locator('input[name=name]'), w.comment(page, 'Already here')]) {
    const box = await el.boundingBox();
    assert.ok(box && box.width > 20 && box.height > 10, `visible: ${JSON.stringify(box)}`);
  }
  // The page's 2px text does not reach inside.
  const size = await ta.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 13, `font size ${size}`);
  const color = await submit.evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(color, 'rgb(255, 0, 0)');

  await ta.fill('Posted through hostile CSS');
  await form.locator('input[name=name]').fill('Gina');
  await submit.click();
  const li = w.comment(page, 'Posted through hostile CSS');
  await li.waitFor();
  assert.ok((await li.boundingBox()).height > 20);
  await page.context().close();
});

test('network: only the blog and Parley are contacted, and nobody sets a cookie', async () => {
  const post = uniqueKey('net');
  await postComment(env.api, post, 'Existing comment');
  const context = await env.browser.newContext();
  context.setDefaultTimeout(5000);
  const urls = [];
  context.on('request', (r) => urls.push(r.url()));
  const page = await context.newPage();
  await page.goto(env.postPage({ post }));
  await w.comment(page, 'Existing comment').waitFor();

  // Everything a reader does: preview, post, vote, register, log out.
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill('Checking the *network*');
  await form.locator('button', { hasText: 'Preview' }).click();
  await form.locator('.preview em').waitFor();
  await form.locator('input[name=name]').fill('Nina');
  await form.locator('input[name=email]').fill('nina@example.org');
  await form.locator('button[type=submit]').click();
  await w.comment(page, 'Checking the network').waitFor();
  await w.comment(page, 'Existing comment').locator('button[aria-label="Vote up"]').click();
  await waitText(w.comment(page, 'Existing comment').locator('.score'), '1');
  await page.locator('#parley .acct button', { hasText: 'Register' }).click();
  const auth = page.locator('#parley form.auth');
  await auth.locator('input[name=name]').fill('Net User');
  await auth.locator('input[name=email]').fill(`${uniqueKey('net')}@example.org`);
  await auth.locator('input[name=password]').fill('a long enough password');
  await auth.locator('button[type=submit]').click();
  await waitText(page.locator('#parley .acct'), /You are commenting as Net User/);
  await page.locator('#parley .acct button', { hasText: 'Log out' }).click();
  await page.locator('#parley .acct button', { hasText: 'Log in' }).waitFor();
  await page.reload();
  await w.comment(page, 'Existing comment').waitFor();

  const origins = new Set(urls.map((u) => new URL(u).origin));
  assert.deepEqual([...origins].sort(), [env.api, env.blog.origin].sort());
  assert.ok(urls.some((u) => u.startsWith(`${env.api}/api/v1/auth/register`)));
  assert.deepEqual(await context.cookies(), []);
  // And nothing but "parley:" keys in the blog's storage.
  const keys = await page.evaluate(() => Object.keys(localStorage));
  assert.ok(keys.length > 0 && keys.every((k) => k.startsWith('parley:')), keys.join());
  // One global.
  const globals = await page.evaluate(() => Object.keys(window).filter((k) => /parley/i.test(k)));
  assert.deepEqual(globals, ['Parley']);
  await context.close();
});
