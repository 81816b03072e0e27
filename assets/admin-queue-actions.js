/* What a moderator does on the queue: moderate, pick rows, filter,
 * switch tabs, and keyboard shortcuts. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import { closeBanForm, openBanForm, saveRowBan } from './admin-bans.js';
import { $, announce, plural, report } from './admin-dom.js';
import { togglePost } from './admin-posts.js';
import { closeEditor, openEditor, saveEdit } from './admin-queue-edit.js';
import {
  findComment, loadQueue, refreshCounts, removeRows, replaceRow, rowEl,
  setCounts, setCurrent, setSelected, STATUS_LABEL, updateQueueChrome,
} from './admin-queue.js';

/* Moderation actions; applies() mirrors comments_moderate in SQL. */
export const ACTIONS = {
  approve: { label: 'Approve', target: 'approved',
    done: (n) => `Approved ${plural(n, 'comment')}.` },
  hold: { label: 'Hold', target: 'pending',
    done: (n) => `Held ${plural(n, 'comment')} for review.` },
  spam: { label: 'Spam', target: 'spam',
    done: (n) => `Marked ${plural(n, 'comment')} as spam.` },
  trash: { label: 'Trash', target: 'deleted',
    done: (n) => `Moved ${plural(n, 'comment')} to the trash.` },
  /* Back to the status a comment had before the trash or spam: only
   * the server knows which, so no target here. */
  restore: { label: 'Restore', target: null,
    done: (n) => `Restored ${plural(n, 'comment')}.` },
  delete: { label: 'Delete forever', target: null,
    done: (n) => `Deleted ${plural(n, 'comment')} forever.` },
};

/* What the bulk bar offers on each tab. On Spam, approving or holding
 * is the moderator's answer to "not spam, then what?". */
export const TAB_ACTIONS = {
  pending: ['approve', 'spam', 'trash', 'delete'],
  approved: ['spam', 'trash', 'delete'],
  spam: ['approve', 'hold', 'trash', 'delete'],
  deleted: ['restore', 'delete'],
  all: ['approve', 'hold', 'spam', 'trash', 'restore', 'delete'],
};

/* A button's words for an action on a comment (or a tab) of a status. */
export function actionLabel(action, status) {
  if (status === 'spam' && (action === 'approve' || action === 'hold'))
    return `Not spam: ${action}`;
  return ACTIONS[action].label;
}

function applies(action, status) {
  if (action === 'delete')
    return true;
  if (action === 'restore')
    return status === 'spam' || status === 'deleted';
  return status !== ACTIONS[action].target;
}

/* true once the server has done it. */
async function moderate(ids, action) {
  if (ids.length === 0)
    return false;
  if (action === 'delete' && !confirm(ids.length === 1 ?
    'Delete this comment forever? This cannot be undone.' :
    `Delete ${ids.length} comments forever? This cannot be ` +
    'undone.'))
    return false;
  let done = false;
  try {
    const { updated } = await api('POST',
      '/admin/comments/moderate', { ids, action });
    applyModeration(ids, action);
    announce(updated > 0 ? ACTIONS[action].done(updated) :
      'Nothing changed: the comments were already there.');
    done = true;
  } catch (e) {
    report(e);
  }
  refreshCounts();
  return done;
}

/* The checked comments; they are unchecked once it is done. */
async function moderateSelected(action) {
  const ids = [...state.queue.selected];
  if (!await moderate(ids, action))
    return;
  for (const id of ids) {
    if (state.queue.selected.has(id))
      setSelected(id, false);
  }
}

/* Mirrors on the page what the server did. */
function applyModeration(ids, action) {
  const q = state.queue, gone = [], unknown = [];
  const counts = { ...state.counts };
  for (const id of ids) {
    const c = findComment(id);
    if (!c || !applies(action, c.status))
      continue;
    if (c.status in counts)
      counts[c.status]--; /* until refreshCounts() */
    if (action === 'delete') {
      gone.push(id);
      continue;
    }
    if (action === 'restore') {
      /* It left this tab (Spam or Trash) for a status only the
       * server knows; in All, the row has to ask. */
      (q.status === 'all' ? unknown : gone).push(id);
      continue;
    }
    c.status = ACTIONS[action].target;
    if (c.status in counts)
      counts[c.status]++;
    if (q.status !== 'all' && c.status !== q.status)
      gone.push(id);
    else
      replaceRow(c);
  }
  removeRows(gone);
  setCounts(counts);
  if (unknown.length > 0)
    reloadKeepingPlace();
}

/* Lists the tab again, with the same comment highlighted. */
async function reloadKeepingPlace() {
  const current = state.queue.current;
  const row = current !== null ? rowEl(current) : null;
  const focused = Boolean(row && row.contains(document.activeElement));
  await loadQueue();
  if (current !== null && findComment(current))
    setCurrent(current, focused);
}

/* Shortcuts act on the checked comments, or else the highlighted one. */
function shortcutAction(action) {
  const q = state.queue;
  if (q.selected.size > 0)
    return moderateSelected(action);
  const c = findComment(q.current);
  if (!c)
    return announce('Press j to pick a comment first.');
  if (!applies(action, c.status))
    return announce(`${actionLabel(action, c.status)} does not apply ` +
      `to a comment that is ${STATUS_LABEL[c.status]}.`);
  return moderate([c.id], action);
}

export function onListClick(ev) {
  const row = ev.target.closest('.row');
  if (!row)
    return;
  const id = Number(row.dataset.id);
  if (state.queue.current !== id)
    setCurrent(id, false);
  const b = ev.target.closest('button[data-action]');
  if (!b)
    return;
  switch (b.dataset.action) {
    case 'approve': case 'hold': case 'spam': case 'trash':
    case 'restore': case 'delete':
      moderate([id], b.dataset.action);
      break;
    case 'edit':
      openEditor(id);
      break;
    case 'cancel-edit':
      closeEditor(id, true);
      break;
    case 'ban-email':
      openBanForm(id, 'email');
      break;
    case 'ban-ip':
      openBanForm(id, 'ip');
      break;
    case 'cancel-ban':
      closeBanForm(id, true);
      break;
    case 'post-toggle':
      togglePost(b.dataset.postKey);
      break;
    case 'filter':
      filterBy(b.dataset.filter, b.dataset.value);
      break;
    default:
      break;
  }
}

export function onListChange(ev) {
  if (!ev.target.matches('input.select'))
    return;
  const row = ev.target.closest('.row');
  setSelected(Number(row.dataset.id), ev.target.checked);
}

export function onListFocus(ev) {
  const row = ev.target.closest('.row');
  if (row && state.queue.current !== Number(row.dataset.id))
    setCurrent(Number(row.dataset.id), false);
}

export function onListSubmit(ev) {
  ev.preventDefault();
  const form = ev.target;
  const id = Number(form.closest('.row').dataset.id);
  if (form.classList.contains('editor'))
    saveEdit(id, form);
  else if (form.classList.contains('ban-inline'))
    saveRowBan(id, form);
}

export function onSelectAll(ev) {
  const q = state.queue;
  const on = ev.target.checked;
  for (const c of q.comments)
    setSelected(c.id, on);
}

export function onBulk(ev) {
  const b = ev.target.closest('[data-bulk]');
  if (b)
    moderateSelected(b.dataset.bulk);
}

function filterBy(filter, value) {
  const id = { post: 'f-post', email: 'f-email', ip: 'f-ip' }[filter];
  $(id).value = value;
  $('f-more').open = true;
  readFilters();
  loadQueue();
  announce(`Showing comments with ${filter === 'ip' ? 'IP' :
    filter === 'email' ? 'e-mail' : 'post'} ${value}.`);
}

function readFilters() {
  const f = state.queue.filters;
  f.q = $('f-q').value.trim();
  f.post = $('f-post').value.trim();
  f.email = $('f-email').value.trim();
  f.ip = $('f-ip').value.trim();
  $('filter-error').textContent = '';
  for (const i of $('filters').querySelectorAll('[aria-invalid]'))
    i.removeAttribute('aria-invalid');
}

export function onFilters(ev) {
  ev.preventDefault();
  readFilters();
  loadQueue();
}

export function clearFilters() {
  $('filters').reset();
  readFilters();
  loadQueue();
  $('f-q').focus();
}

export function selectTab(status, focus = false) {
  state.queue.status = status;
  updateQueueChrome();
  loadQueue();
  if (focus)
    document.querySelector(`[role=tab][data-status=${status}]`)
      .focus();
}

export function onTabKey(ev) {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const at = tabs.indexOf(document.activeElement);
  let to = null;
  if (ev.key === 'ArrowRight')
    to = (at + 1) % tabs.length;
  else if (ev.key === 'ArrowLeft')
    to = (at - 1 + tabs.length) % tabs.length;
  else if (ev.key === 'Home')
    to = 0;
  else if (ev.key === 'End')
    to = tabs.length - 1;
  if (to === null || at < 0)
    return;
  ev.preventDefault();
  selectTab(tabs[to].dataset.status, true);
}

function isTyping(t) {
  if (t.isContentEditable || t.tagName === 'TEXTAREA' ||
    t.tagName === 'SELECT')
    return true;
  return t.tagName === 'INPUT' && !['checkbox', 'radio', 'button',
    'submit', 'reset'].includes(t.type);
}

async function move(delta) {
  const q = state.queue;
  if (q.comments.length === 0)
    return;
  let at = q.comments.findIndex((c) => c.id === q.current);
  if (at < 0)
    at = delta > 0 ? 0 : q.comments.length - 1;
  else
    at += delta;
  if (at >= q.comments.length && q.next) {
    await loadQueue({ append: true });
  }
  at = Math.max(0, Math.min(at, q.comments.length - 1));
  setCurrent(q.comments[at].id, true);
}

export function onKeydown(ev) {
  if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey)
    return;
  if ($('app-view').hidden || state.section !== 'queue' ||
    $('help').open || isTyping(ev.target))
    return;
  const q = state.queue;
  switch (ev.key) {
    case 'j':
      move(1);
      break;
    case 'k':
      move(-1);
      break;
    case 'x':
      if (findComment(q.current))
        setSelected(q.current, !q.selected.has(q.current));
      break;
    case 'a':
      shortcutAction('approve');
      break;
    case 's':
      shortcutAction('spam');
      break;
    case 'h':
      shortcutAction('hold');
      break;
    case 't':
      shortcutAction('trash');
      break;
    case 'r':
      shortcutAction('restore');
      break;
    case 'e':
      if (findComment(q.current))
        openEditor(q.current);
      break;
    case '?':
      $('help').showModal();
      break;
    default:
      return;
  }
  ev.preventDefault();
}
