/* Editing a comment in place, in the queue. */

import { api } from './admin-api.js';
import { announce, el } from './admin-dom.js';
import { htmlToMarkdown } from './admin-markdown.js';
import {
  findComment, refreshCounts, replaceRow, rowEl,
} from './admin-queue.js';

export function openEditor(id) {
  const row = rowEl(id), c = findComment(id);
  if (!row || !c)
    return;
  const open = row.querySelector('form.editor');
  if (open)
    return void open.querySelector('textarea').focus();
  const body = row.querySelector('.body');
  const ta = el('textarea', { rows: 6, name: 'body',
    'aria-label': `Edit the comment by ${c.author.name}`,
    'aria-describedby': `c${id}-edit-hint` });
  ta.value = htmlToMarkdown(body);
  ta.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      closeEditor(id, true);
    } else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      ev.target.form.requestSubmit();
    }
  });
  const form = el('form', { class: 'editor', novalidate: true },
    ta,
    el('p', { class: 'hint', id: `c${id}-edit-hint` },
      'Markdown: **bold**, *italic*, `code`, [link](https://…), ' +
      '> quote. Ctrl+Enter saves, Esc cancels.'),
    el('p', { class: 'field-error', role: 'alert' }),
    el('div', { class: 'form-actions' },
      el('button', { type: 'submit', class: 'btn btn-primary ' +
        'btn-small' }, 'Save'),
      el('button', { type: 'button', class: 'btn btn-small',
        'data-action': 'cancel-edit' }, 'Cancel')));
  body.hidden = true;
  row.querySelector('.actions').hidden = true;
  body.after(form);
  ta.focus();
}

export function closeEditor(id, refocus) {
  const row = rowEl(id);
  if (!row)
    return;
  const form = row.querySelector('form.editor');
  if (form)
    form.remove();
  row.querySelector('.body').hidden = false;
  row.querySelector('.actions').hidden = false;
  if (refocus)
    row.focus();
}

export async function saveEdit(id, form) {
  const c = findComment(id);
  const body = form.querySelector('textarea').value;
  const err = form.querySelector('.field-error');
  const save = form.querySelector('button[type=submit]');
  if (!body.trim()) {
    err.textContent = 'The comment cannot be empty; trash it ' +
      'instead.';
    return;
  }
  save.disabled = true;
  try {
    const r = await api('PATCH', `/admin/comments/${id}`,
      { body });
    c.html = r.html;
    c.edited_at = r.edited_at;
    replaceRow(c);
    rowEl(id).focus();
    announce('Saved the edit.');
    refreshCounts();
  } catch (e) {
    save.disabled = false;
    if (e.status !== 401)
      err.textContent = e.message;
  }
}
