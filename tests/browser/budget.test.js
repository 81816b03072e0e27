// The widget's weight: what readers download, as a running Parley sends
// it (the build's minified scripts, gzipped by the server at zlib
// level 9), and what a page in English or another language fetches.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { setup, waitLoaded, waitText, w, harness } = require('./helpers');

let env, srv;
before(async () => {
  env = await setup('budget');
  srv = env.parley;
});
after(async () => { await env?.stop(); });

// The languages besides English, whose words embed.js fetches:
// assets/embed-LANG.json, served as embed-LANG.js.
const LANGS = fs.readdirSync(path.join(harness.top, 'assets'))
  .flatMap((f) => f.match(/^embed-([a-z]{2})\.json$/)?.[1] || []);

// The response to GET path, its body as it came over the wire (fetch()
// would decode gzip itself).
function get(path, encoding) {
  return new Promise((resolve, reject) => {
    http.get(`${srv.base}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, data: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

async function gzipped(name) {
  const { res, data } = await get(`/${name}`, 'gzip');
  assert.equal(res.statusCode, 200, name);
  assert.equal(res.headers['content-encoding'], 'gzip', name);
  return data.length;
}

test('embed.js, its CSS and English words included, is at most 12 KiB gzipped', async () => {
  const n = await gzipped('embed.js');
  assert.ok(n <= 12288, `embed.js is ${n} bytes gzipped`);
});

test('count.js is at most 1 kB gzipped', async () => {
  const n = await gzipped('count.js');
  assert.ok(n <= 1024, `count.js is ${n} bytes gzipped`);
});

test('each language file is at most 2 KiB gzipped, and has a word for every English one', async () => {
  assert.deepEqual(['de', 'fr'].filter((l) => !LANGS.includes(l)), []);
  // The keys of I18N.en in assets/embed.js.
  const src = fs.readFileSync(path.join(harness.top, 'assets', 'embed.js'), 'utf8');
  const start = src.indexOf('\n    en: {\n');
  const en = src.slice(start, src.indexOf('\n    },\n', start));
  const keys = [...en.matchAll(/(?:^ {6}|, )(\w+): '/gm)].map((m) => m[1]).sort();
  assert.ok(keys.length > 80 && keys.includes('e_other'), `English keys: ${keys}`);
  for (const lang of LANGS) {
    const name = `embed-${lang}.js`;
    const n = await gzipped(name);
    assert.ok(n <= 2048, `${name} is ${n} bytes gzipped`);
    const r = await harness.call(srv.base, 'GET', `/${name}`);
    assert.deepEqual(Object.keys(JSON.parse(r.text)).sort(), keys, name);
  }
});

test('the widget needs no other file: no CSS or script fetched besides itself', async () => {
  const { data } = await get('/embed.js', 'identity');
  assert.doesNotMatch(data.toString('utf8'), /\bimport\s*\(|<link|\.css['"]/);
});

test('the minified widget names its source map, which is served', async () => {
  for (const name of ['embed.js', 'count.js']) {
    const { data } = await get(`/${name}`, 'identity');
    const map = data.toString('utf8').match(/\n\/\/# sourceMappingURL=([\w.-]+)\n?$/);
    assert.ok(map, `${name} names its source map`);
    const r = await harness.call(srv.base, 'GET', `/${map[1]}`);
    assert.equal(r.status, 200, `/${map[1]}`);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(r.json.sources, [`../../assets/${name}`]);
  }
});

// A page showing the widget, and the paths of every request it made;
// fail: the language files fail to load.
async function openCounting(url, fail) {
  const context = await env.browser.newContext();
  context.setDefaultTimeout(5000);
  const requests = [];
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  if (fail)
    await context.route(/\/embed-[a-z]+\.js$/, (route) => route.abort());
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  await page.goto(url);
  await waitLoaded(page);
  return { page, requests, languageFiles: () => requests.filter((p) => /^\/embed-/.test(p)) };
}

test('an English page fetches no language file', async () => {
  for (const attrs of [{}, { lang: 'en-GB' }, { lang: 'tlh' }]) {
    const { page, requests, languageFiles } = await openCounting(
      env.postPage({ post: harness.uniqueKey('budget-en'), attrs }));
    await waitText(w.heading(page), 'No comments yet');
    assert.ok(requests.includes('/embed.js'), requests.join(' '));
    assert.deepEqual(languageFiles(), [], JSON.stringify(attrs));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('a German or French page fetches its own language file, once, before it draws', async () => {
  for (const [lang, none] of [['de', 'Noch keine Kommentare'], ['fr', 'Aucun commentaire pour l’instant']]) {
    const { page, languageFiles } = await openCounting(
      env.postPage({ post: harness.uniqueKey(`budget-${lang}`), lang }));
    await waitText(w.heading(page), none);
    assert.deepEqual(languageFiles(), [`/embed-${lang}.js`]);
    assert.equal(await page.locator('#parley .root').getAttribute('lang'), lang);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('when its language file cannot be had, the widget speaks English', async () => {
  const { page, languageFiles } = await openCounting(
    env.postPage({ post: harness.uniqueKey('budget-nofile'), attrs: { lang: 'de' } }), true);
  await waitText(w.heading(page), 'No comments yet');
  assert.deepEqual(languageFiles(), ['/embed-de.js']);
  assert.equal(await page.locator('#parley .root').getAttribute('lang'), 'en');
  await w.form(page).locator('button[type=submit]').click();
  await waitText(w.form(page).locator('.err'), 'Please fill in this field.');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
