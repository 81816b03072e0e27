// The widget on a blog of another origin: reading, posting, replying,
// editing, deleting, voting, sorting and paging, errors, languages.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, postComment, waitText, w, harness } = require('./helpers');

const { uniqueKey, call } = harness;
let env;
before(async () => { env = await setup('thread'); });
after(async () => { await env?.stop(); });

const thread = async (post) => (await call(env.api, 'GET',
  `/api/v1/comments?post=${encodeURIComponent(post)}`)).json;

test('renders the thread: count heading, author, time, avatar and a nested reply', async () => {
  const post = uniqueKey('render');
  const top = await postComment(env.api, post, 'First *top-level* comment',
    { author_url: 'https://ann.example.org' });
  await postComment(env.api, post, 'A reply to it',
    { parent_id: top.comment.id, author_name: 'Bob' });
  const page = await env.open(env.postPage({ post }));

  await waitText(w.heading(page), '2 Comments');
  const li = w.comment(page, 'First top-level comment');
  assert.equal(await li.locator(':scope > article .body em').textContent(), 'top-level');
  const name = li.locator(':scope > article a.name');
  assert.equal(await name.textContent(), 'Ann');
  assert.equal(await name.getAttribute('href'), 'https://ann.example.org');
  assert.equal(await name.getAttribute('rel'), 'nofollow ugc noopener');
  const time = li.locator(':scope > article time');
  assert.equal(await time.getAttribute('datetime'), top.comment.created_at);
  assert.ok((await time.getAttribute('title')).length > 5, 'exact time in title');
  assert.match(await time.textContent(), /now|second|minute/);
  // Parley's own avatar when the API names one, else an initial.
  const av = li.locator(':scope > article .av');
  if (typeof top.comment.author.avatar === 'string') {
    assert.equal(await av.getAttribute('src'), env.api + top.comment.author.avatar);
  } else {
    assert.equal(await av.textContent(), 'A');
  }

  // The reply is a list item nested in its parent's item, and visible.
  const reply = li.locator(':scope > ol.replies > li.c');
  assert.equal(await reply.count(), 1);
  assert.match(await reply.locator('.body').textContent(), /A reply to it/);
  assert.equal(await reply.locator('.name').textContent(), 'Bob');
  assert.ok(await reply.isVisible());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a guest posts a comment; errors name the field; the guest fields are remembered', async () => {
  const post = uniqueKey('guest');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  await waitText(w.heading(page), 'No comments yet');

  // Without a name: the API's error, on the name field.
  await form.locator('textarea[name=body]').fill('Hello from a **guest**');
  await form.locator('button[type=submit]').click();
  await waitText(form.locator('.err'), /name/i);
  const nameInput = form.locator('input[name=name]');
  assert.equal(await nameInput.getAttribute('aria-invalid'), 'true');
  assert.ok(await nameInput.evaluate((el) => el.getRootNode().activeElement === el),
    'the name field has the focus');

  await nameInput.fill('Gina');
  await form.locator('input[name=email]').fill('gina@example.org');
  await form.locator('input[name=url]').fill('https://gina.example.org');
  await form.locator('button[type=submit]').click();

  const li = w.comment(page, 'Hello from a guest');
  await li.waitFor();
  assert.equal(await li.locator('.body strong').textContent(), 'guest');
  assert.equal(await li.locator('a.name').textContent(), 'Gina');
  await waitText(w.heading(page), '1 Comment');
  await waitText(page.locator('#parley [role=status]'), 'Comment posted.');
  assert.equal(await form.locator('textarea[name=body]').inputValue(), '');
  assert.equal(await nameInput.getAttribute('aria-invalid'), null);

  const t = await thread(post);
  assert.equal(t.comments.length, 1);
  assert.equal(t.comments[0].author.name, 'Gina');
  assert.equal(t.post.url, page.url(), 'the post URL is the page without its hash');

  await page.reload();
  await waitText(w.heading(page), '1 Comment');
  assert.equal(await nameInput.inputValue(), 'Gina');
  assert.equal(await form.locator('input[name=email]').inputValue(), 'gina@example.org');
  assert.equal(await form.locator('input[name=url]').inputValue(), 'https://gina.example.org');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('replying to a reply opens an inline form and nests the answer under it', async () => {
  const post = uniqueKey('reply');
  const a = await postComment(env.api, post, 'Level one');
  const b = await postComment(env.api, post, 'Level two', { parent_id: a.comment.id, author_name: 'Bob' });
  const page = await env.open(env.postPage({ post }));

  const bLi = w.comment(page, 'Level two');
  const replyBtn = bLi.locator(':scope > article .acts button', { hasText: 'Reply' });
  assert.equal(await replyBtn.getAttribute('aria-label'), 'Reply to Bob');
  await replyBtn.click();
  assert.equal(await replyBtn.getAttribute('aria-expanded'), 'true');
  const inline = bLi.locator(':scope > article .slot form');
  assert.ok(await inline.locator('textarea').evaluate((el) => el.getRootNode().activeElement === el),
    'the inline form takes the focus');
  await inline.locator('textarea').fill('Level three');
  await inline.locator('input[name=name]').fill('Cleo');
  await inline.locator('button[type=submit]').click();

  const cLi = bLi.locator(':scope > ol.replies > li.c');
  await waitText(cLi.locator('.body'), 'Level three');
  assert.equal(await inline.count(), 0, 'the inline form closes');
  assert.equal(await replyBtn.getAttribute('aria-expanded'), 'false');
  await waitText(w.heading(page), '3 Comments');

  const t = await thread(post);
  const c = t.comments[0].replies[0].replies[0];
  assert.equal(c.parent_id, b.comment.id);
  assert.equal(c.author.name, 'Cleo');

  // Cancel closes an inline form without posting.
  await w.comment(page, 'Level one').locator(':scope > article .acts button', { hasText: 'Reply' }).click();
  await w.comment(page, 'Level one').locator(':scope > article .slot button', { hasText: 'Cancel' }).click();
  assert.equal(await page.locator('#parley .slot form').count(), 0);
  await page.context().close();
});

test('a guest edits and deletes their own comment in the window, also after a reload', async () => {
  const post = uniqueKey('edit');
  const other = await postComment(env.api, post, 'Someone else wrote this');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill('Original text');
  await form.locator('input[name=name]').fill('Gina');
  await form.locator('button[type=submit]').click();

  await w.comment(page, 'Original text').waitFor();
  // Found by its author: the body changes below.
  const li = page.locator('li.c').filter({ has: page.locator(':scope > article .name', { hasText: 'Gina' }) });
  // Only one's own comments have Edit and Delete.
  assert.equal(await w.comment(page, 'Someone else').locator('button', { hasText: 'Edit' }).count(), 0);

  await li.locator('button', { hasText: 'Edit' }).click();
  const ta = li.locator('form textarea');
  assert.equal(await ta.inputValue(), 'Original text', 'prefilled with what was typed');
  await ta.fill('Changed **text**');
  await li.locator('form button', { hasText: 'Save' }).click();
  const changed = li;
  await waitText(changed.locator('.body strong'), 'text');
  await waitText(changed.locator(':scope > article .head span.muted'), '(edited)');

  // The edit token survives a reload.
  await page.reload();
  await waitText(w.heading(page), '2 Comments');
  await changed.locator('button', { hasText: 'Edit' }).click();
  assert.equal(await changed.locator('form textarea').inputValue(), 'Changed **text**');
  await changed.locator('form button', { hasText: 'Cancel' }).click();
  await changed.locator('.body strong').waitFor();

  await changed.locator('button', { hasText: 'Delete' }).click();
  await waitText(changed.locator('.confirm'), /Really delete\?/);
  await changed.locator('.confirm button', { hasText: 'Yes' }).click();
  await changed.waitFor({ state: 'detached' });
  await waitText(w.heading(page), '1 Comment');
  const t = await thread(post);
  assert.deepEqual(t.comments.map((c) => c.id), [other.comment.id]);

  // Deleting a comment that has replies leaves a placeholder.
  await form.locator('textarea[name=body]').fill('A parent');
  await form.locator('button[type=submit]').click();
  const parent = w.comment(page, 'A parent');
  await parent.waitFor();
  const parentId = (await thread(post)).comments.find((c) => c.html.includes('A parent')).id;
  await postComment(env.api, post, 'A child', { parent_id: parentId });
  await page.reload();
  await w.comment(page, 'A child').waitFor();
  await parent.locator(':scope > article button', { hasText: 'Delete' }).click();
  await parent.locator('.confirm button', { hasText: 'Yes' }).click();
  const li2 = page.locator('li.c', { has: page.locator('.body', { hasText: 'A child' }) }).first();
  await waitText(li2.locator(':scope > .gone p'), 'This comment was deleted.');
  assert.ok(await w.comment(page, 'A child').isVisible());
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('votes: up, again to withdraw, then down; the vote is remembered', async () => {
  const post = uniqueKey('vote');
  await postComment(env.api, post, 'Vote on me');
  const page = await env.open(env.postPage({ post }));
  const li = w.comment(page, 'Vote on me');
  const up = li.locator('button[aria-label="Vote up"]');
  const down = li.locator('button[aria-label="Vote down"]');
  const score = li.locator('.score');
  assert.equal(await score.textContent(), '0');

  await up.click();
  await waitText(score, '1');
  assert.equal(await up.getAttribute('aria-pressed'), 'true');
  await page.reload();
  await waitText(score, '1');
  assert.equal(await up.getAttribute('aria-pressed'), 'true');
  assert.equal(await down.getAttribute('aria-pressed'), 'false');

  await up.click();
  await waitText(score, '0');
  assert.equal(await up.getAttribute('aria-pressed'), 'false');

  await down.click();
  await waitText(score, '-1');
  assert.equal(await down.getAttribute('aria-pressed'), 'true');
  assert.equal((await thread(post)).comments[0].score, -1);
  await page.context().close();
});

test('sort newest and top refetch in order; "Load more comments" pages with the cursor', async () => {
  const post = uniqueKey('sort');
  const ids = [];
  for (const n of [1, 2, 3, 4, 5])
    ids.push((await postComment(env.api, post, `Comment ${n}`)).comment.id);
  // The top comment: the only one with a vote.
  await call(env.api, 'POST', `/api/v1/comments/${ids[3]}/vote`, { json: { value: 1 } });

  const page = await env.open(env.postPage({ post, attrs: { limit: 3 } }));
  assert.deepEqual(await w.topBodies(page), ['Comment 1', 'Comment 2', 'Comment 3']);
  const more = page.locator('#parley button.more');
  assert.ok(await more.isVisible());
  await more.click();
  await waitText(page.locator('ol.thread > li .body').last(), 'Comment 5');
  assert.deepEqual(await w.topBodies(page),
    ['Comment 1', 'Comment 2', 'Comment 3', 'Comment 4', 'Comment 5']);
  assert.ok(await more.isHidden());

  const sort = page.locator('#parley select');
  // Labelled by the <label> around it.
  assert.match(await sort.evaluate((el) => el.labels[0].textContent), /^Sort by/);
  await sort.selectOption('newest');
  await waitText(page.locator('ol.thread > li .body').first(), 'Comment 5');
  assert.deepEqual(await w.topBodies(page), ['Comment 5', 'Comment 4', 'Comment 3']);
  assert.ok(await more.isVisible());

  await sort.selectOption('top');
  await waitText(page.locator('ol.thread > li .body').first(), 'Comment 4');
  assert.equal((await w.topBodies(page)).length, 3);
  await more.click();
  await page.locator('ol.thread > li').nth(4).waitFor();
  assert.equal(new Set(await w.topBodies(page)).size, 5, 'no comment twice');
  await page.context().close();
});

test('errors: 429 with Retry-After, 503, and a network failure show readable messages', async () => {
  const post = uniqueKey('errors');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  const cors = { 'access-control-allow-origin': env.blog.origin,
    'access-control-expose-headers': 'ETag, Retry-After', 'content-type': 'application/json' };
  let answer;
  await page.route(`${env.api}/api/v1/comments`, (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    return answer(route);
  });
  await form.locator('textarea[name=body]').fill('Will this work?');
  await form.locator('input[name=name]').fill('Gina');
  const submit = form.locator('button[type=submit]');

  answer = (route) => route.fulfill({ status: 429, headers: { ...cors, 'retry-after': '42' },
    body: JSON.stringify({ error: { code: 'rate_limited', message: 'Slow down.' } }) });
  await submit.click();
  await waitText(form.locator('.err'), 'Too many attempts; try again in 42 seconds.');
  await waitText(page.locator('#parley [role=status]'), 'Too many attempts; try again in 42 seconds.');

  answer = (route) => route.fulfill({ status: 503, headers: { ...cors, 'retry-after': '5' },
    body: JSON.stringify({ error: { code: 'database_unavailable', message: 'x' } }) });
  await submit.click();
  await waitText(form.locator('.err'), 'Comments are temporarily unavailable.');

  answer = (route) => route.abort('connectionrefused');
  await submit.click();
  await waitText(form.locator('.err'), /Could not reach the server/);

  answer = (route) => route.fulfill({ status: 409, headers: cors,
    body: JSON.stringify({ error: { code: 'email_taken', message: 'x', field: 'author_email' } }) });
  await submit.click();
  await waitText(form.locator('.err'), 'This e-mail belongs to an account — log in.');
  assert.equal(await form.locator('input[name=email]').getAttribute('aria-invalid'), 'true');
  assert.equal(await form.locator('textarea[name=body]').inputValue(), 'Will this work?',
    'nothing typed is lost');
  await page.context().close();
});

test('preview shows the server-rendered Markdown', async () => {
  const post = uniqueKey('preview');
  const page = await env.open(env.postPage({ post }));
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill('Some *emphasis* and <b>raw</b>');
  await form.locator('button', { hasText: 'Preview' }).click();
  const preview = form.locator('.preview');
  await waitText(preview.locator('em'), 'emphasis');
  assert.equal(await preview.locator('b').count(), 0, 'raw HTML is shown as text');
  assert.match(await preview.textContent(), /<b>raw<\/b>/);
  await page.context().close();
});

test('German and French: data-lang, else the page language', async () => {
  const post = uniqueKey('lang');
  await postComment(env.api, post, 'Eins');
  await postComment(env.api, post, 'Zwei');
  const de = await env.open(env.postPage({ post, attrs: { lang: 'de' } }));
  await waitText(w.heading(de), '2 Kommentare');
  await waitText(de.locator('#parley h3'), 'Schreiben Sie einen Kommentar');
  await waitText(de.locator('#parley button[type=submit]'), 'Kommentar abschicken');
  assert.match(await de.locator('#parley time').first().textContent(), /jetzt|Sekunde|Minute/);
  // The API's error codes in German, not its English messages.
  await w.form(de).locator('button[type=submit]').click();
  await waitText(w.form(de).locator('.err'), 'Bitte füllen Sie dieses Feld aus.');
  await de.context().close();

  const fr = await env.open(env.postPage({ post, lang: 'fr-FR' }));
  await waitText(w.heading(fr), '2 commentaires');
  await waitText(fr.locator('#parley h3'), 'Laisser un commentaire');
  await fr.context().close();

  const xx = await env.open(env.postPage({ post, lang: 'tlh' }));
  await waitText(w.heading(xx), '2 Comments');
  await xx.context().close();
});

test('a closed post shows its comments but no form and no Reply buttons', async () => {
  const post = uniqueKey('closed');
  await postComment(env.api, post, 'Said before closing');
  harness.sql(`UPDATE posts SET open = false WHERE key = '${post}'`);
  const page = await env.open(env.postPage({ post }));
  await w.comment(page, 'Said before closing').waitFor();
  await waitText(page.locator('#parley .leave p.muted'), 'Comments are closed.');
  assert.ok(await w.form(page).isHidden());
  assert.equal(await page.locator('#parley .acts button', { hasText: 'Reply' }).count(), 0);
  await page.context().close();
});

test('times stay fresh, and Edit and Delete go when the edit window closes', async () => {
  const post = uniqueKey('clock');
  // A placeholder in the thread too: it has no actions to update.
  const gone = await postComment(env.api, post, 'To be deleted');
  await postComment(env.api, post, 'Its reply', { parent_id: gone.comment.id });
  await call(env.api, 'DELETE', `/api/v1/comments/${gone.comment.id}`,
    { headers: { 'x-edit-token': gone.edit_token } });

  const context = await env.browser.newContext();
  context.setDefaultTimeout(5000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.clock.install();
  await page.goto(env.postPage({ post }));
  await waitText(page.locator('#parley .gone p'), 'This comment was deleted.');
  const form = w.form(page);
  await form.locator('textarea[name=body]').fill('Mine for a while');
  await form.locator('input[name=name]').fill('Gina');
  await form.locator('button[type=submit]').click();
  const li = page.locator('li.c').filter({ has: page.locator(':scope > article .name', { hasText: 'Gina' }) });
  await li.locator('button', { hasText: 'Edit' }).waitFor();
  await waitText(li.locator('time'), 'now');

  await page.clock.fastForward('05:00');
  await waitText(li.locator('time'), '5 minutes ago');
  assert.equal(await li.locator('button', { hasText: 'Edit' }).count(), 1);

  // The window is 15 minutes by default.
  await page.clock.fastForward('11:00');
  await waitText(li.locator('time'), '16 minutes ago');
  assert.equal(await li.locator('button', { hasText: 'Edit' }).count(), 0);
  assert.equal(await li.locator('button', { hasText: 'Delete' }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
