/* Posts: opening and closing them, from the section or a queue row. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import { $, announce, plural, qs, report } from './admin-dom.js';
import { refreshCounts, updatePostMarks } from './admin-queue.js';

export async function togglePost(key) {
  const open = state.posts.get(key) !== false;
  await setPostOpen(key, !open);
}

/* PATCH a post open or closed; returns the post, or throws. */
async function setPostOpen(key, open) {
  try {
    const { post } = await api('PATCH',
      `/admin/posts${qs({ key })}`, { open });
    state.posts.set(post.key, post.open);
    updatePostMarks(post.key);
    announce(`${post.open ? 'Opened' : 'Closed'} “${post.title ||
    post.key}” ${post.open ? 'to' : 'for'} new comments.`);
    refreshCounts();
    return post;
  } catch (e) {
    if (e.status === 404)
      e.message = `There is no post with the key “${key}” ` +
        '(a post appears with its first comment).';
    report(e);
    throw e;
  }
}

export async function onPostButton(ev) {
  const b = ev.target.closest('[data-post-open]');
  if (!b)
    return;
  const key = $('p-key').value.trim();
  $('post-error').textContent = '';
  $('post-result').textContent = '';
  if (!key) {
    $('post-error').textContent = 'Enter the post key.';
    return $('p-key').focus();
  }
  try {
    const post = await setPostOpen(key,
      b.dataset.postOpen === 'true');
    $('post-result').textContent = `“${post.title || post.key}” ` +
      `(${post.key}) is ${post.open ? 'open to' : 'closed for'} ` +
      `new comments · ${plural(post.comment_count, 'comment')}.`;
  } catch (e) {
    if (e.status !== 401)
      $('post-error').textContent = e.message;
  }
}
