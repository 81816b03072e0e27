/* The queue of comments: counts, loading, and its rows. */

import { PAGE, state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  $, el, exactTime, plural, qs, relTime, report, timeEl,
} from './admin-dom.js';
import { actionLabel, TAB_ACTIONS } from './admin-queue-actions.js';
import { signedIn } from './admin-session.js';

const MAX_POST_LOOKUPS = 20;

export const STATUS_LABEL = { pending: 'held', approved: 'approved',
  spam: 'spam', deleted: 'in the trash' };

const EMPTY_TEXT = {
  pending: 'No comments are waiting for a moderator.',
  all: 'No comments yet.',
  approved: 'No approved comments.',
  spam: 'No spam.',
  deleted: 'The trash is empty.',
};

export function setCounts(counts) {
  if (!counts)
    return;
  state.counts = counts;
  const held = counts.pending;
  $('held-count').textContent = String(held);
  $('held-badge').classList.toggle('zero', held === 0);
  document.querySelector('[data-count=pending]').textContent =
    held > 0 ? String(held) : '';
  document.querySelector('[data-count=spam]').textContent =
    counts.spam > 0 ? String(counts.spam) : '';
  document.title = held > 0 ? `(${held}) Parley moderation` :
    'Parley moderation';
  updateNewNotice();
}

export async function refreshCounts() {
  if (!state.token)
    return;
  try {
    const d = await api('GET',
      '/admin/comments?status=pending&limit=1');
    setCounts(d.counts);
  } catch (e) {
    if (e.status === 403 && state.user)
      signedIn({ ...state.user, role: 'reader' });
  }
}

/* In an unfiltered Held tab, offers the comments that came since. */
function updateNewNotice() {
  const q = state.queue, button = $('queue-new');
  const unfiltered = Object.values(q.filters).every((v) => !v);
  const extra = state.counts.pending - q.comments.length;
  const show = q.status === 'pending' && unfiltered &&
    q.next === null && extra > 0 && q.seq > 0 && !q.loading;
  button.hidden = !show;
  if (show)
    button.textContent = `Show ${plural(extra,
      'new held comment')}`;
}

export async function loadQueue({ append = false } = {}) {
  const q = state.queue, list = $('queue-list');
  const seq = ++q.seq;
  const params = { status: q.status, ...q.filters, limit: PAGE,
    after: append ? q.next : '' };
  setLoading(true);
  try {
    const data = await api('GET', `/admin/comments${qs(params)}`);
    if (seq !== q.seq)
      return; /* a newer listing replaced this one */
    setLoading(false);
    if (!append)
      resetQueue();
    q.next = data.next;
    for (const c of data.comments) {
      q.comments.push(c);
      list.append(renderRow(c));
    }
    setCounts(data.counts);
    updateQueueChrome();
    loadPostStates(data.comments);
  } catch (e) {
    if (seq === q.seq)
      queueError(e);
  } finally {
    if (seq === q.seq)
      setLoading(false);
  }
}

function setLoading(on) {
  state.queue.loading = on;
  $('queue-list').setAttribute('aria-busy', String(on));
  $('queue-more').disabled = on;
  if (on) {
    $('queue-empty').hidden = true;
    $('queue-new').hidden = true;
  }
}

function resetQueue() {
  const q = state.queue;
  q.comments = [];
  q.next = null;
  q.current = null;
  q.selected.clear();
  $('queue-list').replaceChildren();
}

function queueError(e) {
  const field = { q: 'f-q', post: 'f-post', email: 'f-email',
    ip: 'f-ip' }[e.field];
  if (field) {
    $(field).setAttribute('aria-invalid', 'true');
    $('filter-error').textContent = e.message;
    if (field !== 'f-q')
      $('f-more').open = true;
    return;
  }
  if (e.status === 403)
    return void signedIn({ ...state.user, role: 'reader' });
  report(e);
}

export function updateQueueChrome() {
  const q = state.queue;
  const filtered = Object.values(q.filters).some((v) => v);
  $('queue-empty').hidden = q.comments.length > 0 || q.loading;
  $('queue-empty').textContent = filtered ?
    'No comments match these filters.' : EMPTY_TEXT[q.status];
  $('queue-more').hidden = !q.next;
  for (const t of document.querySelectorAll('[role=tab]')) {
    const on = t.dataset.status === q.status;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    if (on)
      $('queue-panel').setAttribute('aria-labelledby', t.id);
  }
  updateBulk();
  updateNewNotice();
}

function updateBulk() {
  const q = state.queue, n = q.selected.size;
  const all = $('select-all');
  all.checked = n > 0 && n === q.comments.length;
  all.indeterminate = n > 0 && n < q.comments.length;
  all.disabled = q.comments.length === 0;
  $('selected-label').textContent = n > 0 ?
    `${n} selected` : 'Select all';
  const offered = TAB_ACTIONS[q.status] || [];
  for (const b of document.querySelectorAll('[data-bulk]')) {
    b.hidden = !offered.includes(b.dataset.bulk);
    b.textContent = actionLabel(b.dataset.bulk, q.status);
    b.disabled = n === 0;
  }
  $('bulk').classList.toggle('has-selection', n > 0);
}

/* The public thread says whether a post is open; ask once per key. */
async function loadPostStates(comments) {
  const keys = [...new Set(comments.map((c) => c.post))]
    .filter((k) => !state.posts.has(k))
    .slice(0, MAX_POST_LOOKUPS);
  await Promise.all(keys.map(async (key) => {
    try {
      const d = await api('GET',
        `/comments${qs({ post: key, limit: 1 })}`);
      state.posts.set(key, !d.post || d.post.open !== false);
      updatePostMarks(key);
    } catch (_) { /* the button keeps its default */ }
  }));
}

export function updatePostMarks(key) {
  const open = state.posts.get(key) !== false;
  for (const b of document.querySelectorAll('[data-post-key]')) {
    if (b.dataset.postKey !== key)
      continue;
    if (b.dataset.action === 'post-toggle')
      b.textContent = open ? 'Close post' : 'Open post';
    else
      b.hidden = open; /* the "closed" pill */
  }
}

export function findComment(id) {
  return state.queue.comments.find((c) => c.id === id);
}

export function rowEl(id) {
  return $('queue-list').querySelector(`.row[data-id="${id}"]`);
}

function safeUrl(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ?
    url : null;
}

function banFor(kind, value) {
  if (!value)
    return null;
  const v = value.toLowerCase();
  return state.bans.find((b) => b.active && b.kind === kind &&
    (b.value.toLowerCase() === v ||
      b.value.replace(/\/(32|128)$/, '') === v)) || null;
}

function renderRow(c) {
  const q = state.queue, id = c.id;
  const li = el('li', {
    class: `row status-${c.status}` +
      (q.selected.has(id) ? ' is-selected' : '') +
      (q.current === id ? ' is-current' : ''),
    'data-id': id, tabindex: -1,
    'aria-label': `Comment by ${c.author.name}, ` +
      `${STATUS_LABEL[c.status] || c.status}, ` +
      relTime(c.created_at),
  });
  const check = el('input', { type: 'checkbox', class: 'select',
    checked: q.selected.has(id),
    'aria-label': `Select the comment by ${c.author.name}` });
  const avatar = /^\/avatar\/[0-9a-f]+\.svg$/.test(c.author.avatar) ?
    el('img', { class: 'avatar', src: c.author.avatar, alt: '',
      width: 40, height: 40 }) : el('span', { class: 'avatar' });
  li.append(el('div', { class: 'row-check' }, check), avatar,
    renderMeta(c), renderMain(c));
  return li;
}

export function renderMeta(c) {
  const url = safeUrl(c.author.url);
  const closed = state.posts.get(c.post) === false;
  const role = c.author.role === 'reader' ? 'member' :
    c.author.role;
  const meta = el('div', { class: 'meta' },
    el('span', { class: 'author', id: `c${c.id}-author` },
      c.author.name),
    el('span', { class: 'pill' }, role),
    /* An overruled verdict shows the status with its history. */
    c.status !== state.queue.status && !verdictOverruled(c) ? el('span',
      { class: `pill pill-${c.status}` },
      STATUS_LABEL[c.status] || c.status) : null,
    filterButton('email', c.email, 'email'),
    filterButton('ip', c.ip, 'ip'),
    !c.ip && c.ip_expired ? el('span', { class: 'ip-expired',
      title: 'Cleared after the days set under Settings, Privacy' },
    'address expired') : null,
    url ? el('a',
      { href: url, class: 'site', target: '_blank',
        rel: 'nofollow noopener noreferrer ugc', title: url },
      hostOf(url)) : null,
    el('span', { class: 'post' }, 'on ',
      filterButton('post', c.post, 'post')),
    el('span', { class: 'pill pill-closed',
      'data-post-key': c.post, hidden: !closed }, 'post closed'),
    timeEl(c.created_at),
    c.edited_at ? el('span', { title: exactTime(c.edited_at) },
      'edited') : null);
  for (const [kind, value] of [['email', c.email], ['ip', c.ip]]) {
    const ban = banFor(kind, value);
    if (ban)
      meta.append(el('span', { class: 'pill pill-banned',
        title: ban.reason || '' }, `${kind === 'ip' ?
        'IP' : 'e-mail'} banned`));
  }
  return meta;
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch (_) {
    return url;
  }
}

/* E-mail, IP and post key narrow the list when clicked. */
function filterButton(filter, value, cls) {
  if (!value)
    return null;
  const what = { email: 'e-mail', ip: 'IP', post: 'post' }[filter];
  return el('button', { type: 'button', class: `btn-link ${cls}`,
    'data-action': 'filter', 'data-filter': filter,
    'data-value': value,
    title: `Show only comments with this ${what}` }, value);
}

function renderMain(c) {
  const main = el('div', { class: 'row-main' });
  main.append(renderVerdict(c));
  if (c.parent) {
    const html = el('div', { class: 'parent-html' });
    html.innerHTML = c.parent.html; /* server-sanitized */
    main.append(el('blockquote', { class: 'parent' },
      el('div', { class: 'parent-author' },
        `In reply to ${c.parent.author || 'a removed comment'}`),
      html));
  }
  const body = el('div', { class: 'body' });
  body.innerHTML = c.html; /* server-sanitized */
  main.append(body, renderActions(c));
  return main;
}

/* The status each verdict of the pipeline gave the comment. */
const VERDICT_STATUS = { approve: 'approved', hold: 'pending',
  spam: 'spam' };

/* Someone changed the comment's status since the pipeline judged it:
 * its reason is history, no longer why the comment is where it is. */
function verdictOverruled(c) {
  const m = c.moderation;
  return Boolean(m && m.reason) &&
    VERDICT_STATUS[m.verdict] !== c.status;
}

/* "held: 3 links (limit 2)" as history: "held — 3 links (limit 2)". */
function earlierText(reason) {
  const m = /^(held|spam|approved)(?::\s*|\s+)(.+)$/.exec(reason);
  return m ? `${m[1]} — ${m[2]}` : reason;
}

/* Why a held or spam comment is there; or, once a moderator has
 * moved it, where it is now and, muted, what the pipeline said. */
function renderVerdict(c) {
  const m = c.moderation;
  if (verdictOverruled(c))
    return el('p', { class: 'verdict' },
      el('span', { class: `pill pill-${c.status}` },
        STATUS_LABEL[c.status] || c.status), ' ',
      el('span', { class: 'history' },
        `earlier: ${earlierText(m.reason)}`));
  if (m && m.reason && (c.status === 'pending' || c.status === 'spam'))
    return el('p', { class: `reason ${c.status}` }, m.reason);
  return null;
}

function statusActions(status) {
  switch (status) {
    case 'pending':
      return ['approve', 'spam', 'trash'];
    case 'approved':
      return ['spam', 'trash'];
    case 'spam':
      return ['approve', 'hold', 'trash'];
    case 'deleted':
      return ['restore'];
    default:
      return [];
  }
}

function renderActions(c) {
  const by = `c${c.id}-author`;
  const button = (action, label, cls = '') => el('button', {
    type: 'button', class: `btn btn-small ${cls}`,
    'data-action': action, 'aria-describedby': by }, label);
  const open = state.posts.get(c.post) !== false;
  const bar = el('div', { class: 'actions' });
  for (const a of statusActions(c.status)) {
    bar.append(button(a, actionLabel(a, c.status),
      a === 'approve' ? 'btn-approve' : ''));
  }
  bar.append(el('span', { class: 'sep', 'aria-hidden': 'true' }),
    button('edit', 'Edit', 'btn-quiet'),
    c.email ? button('ban-email', 'Ban e-mail', 'btn-quiet') : null,
    c.ip ? button('ban-ip', 'Ban IP', 'btn-quiet') : null);
  const toggle = button('post-toggle', open ? 'Close post' :
    'Open post', 'btn-quiet');
  toggle.dataset.postKey = c.post;
  bar.append(toggle, button('delete', 'Delete forever',
    'btn-quiet btn-danger'));
  return bar;
}

export function replaceRow(c) {
  const old = rowEl(c.id);
  if (!old)
    return;
  const focused = old.contains(document.activeElement);
  const fresh = renderRow(c);
  old.replaceWith(fresh);
  if (focused)
    fresh.focus({ preventScroll: true });
}

/* Drops rows; the highlight moves to the row that took their place. */
export function removeRows(ids) {
  const q = state.queue, gone = new Set(ids);
  const list = $('queue-list');
  const hadFocus = [...gone].some((id) => {
    const r = rowEl(id);
    return r && r.contains(document.activeElement);
  });
  let at = q.comments.findIndex((c) => c.id === q.current);
  const currentGone = gone.has(q.current);
  if (currentGone)
    at = q.comments.slice(0, at).filter((c) => !gone.has(c.id))
      .length;
  for (const id of gone) {
    const r = rowEl(id);
    if (r)
      r.remove();
    q.selected.delete(id);
  }
  q.comments = q.comments.filter((c) => !gone.has(c.id));
  if (currentGone) {
    const next = q.comments[Math.min(at, q.comments.length - 1)];
    q.current = null;
    if (next)
      setCurrent(next.id, hadFocus);
    else if (hadFocus)
      list.closest('section').querySelector('[role=tab]' +
        '[aria-selected=true]').focus();
  }
  updateQueueChrome();
  if (q.comments.length === 0 && q.next)
    loadQueue({ append: true });
}

export function setCurrent(id, focus) {
  const q = state.queue;
  if (q.current !== id) {
    const old = q.current !== null ? rowEl(q.current) : null;
    if (old)
      old.classList.remove('is-current');
    q.current = id;
  }
  const row = rowEl(id);
  if (!row)
    return;
  row.classList.add('is-current');
  if (focus) {
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest' });
  }
}

export function setSelected(id, on) {
  const q = state.queue, row = rowEl(id);
  if (on)
    q.selected.add(id);
  else
    q.selected.delete(id);
  if (row) {
    row.classList.toggle('is-selected', on);
    row.querySelector('input.select').checked = on;
  }
  updateBulk();
}
