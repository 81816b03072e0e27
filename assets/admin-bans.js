/* Bans: the section, and a queue row's ban form. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  $, announce, clearFieldErrors, el, report, setFieldError, timeEl,
} from './admin-dom.js';
import {
  findComment, refreshCounts, renderMeta, rowEl,
} from './admin-queue.js';

const BAN_KIND = { email: 'E-mail', ip: 'IP', account: 'Account' };

const BAN_DURATIONS = [
  ['', 'Never expires'], ['3600', '1 hour'], ['86400', '1 day'],
  ['604800', '1 week'], ['2592000', '30 days'],
];

export function openBanForm(id, kind) {
  const row = rowEl(id), c = findComment(id);
  if (!row || !c)
    return;
  closeBanForm(id, false);
  const value = kind === 'email' ? c.email : c.ip;
  const p = `c${id}-ban`;
  const duration = el('select', { id: `${p}-exp`, name: 'expires' },
    BAN_DURATIONS.map(([v, label]) => el('option', { value: v },
      label)));
  const form = el('form',
    { class: 'ban-inline', novalidate: true,
      'data-kind': kind, 'aria-label': `Ban this ${kind === 'ip' ?
        'IP address' : 'e-mail'}` },
    el('div', { class: 'form-row' },
      el('div', { class: 'field grow' },
        el('label', { for: `${p}-value` }, kind === 'ip' ?
          'Ban IP address or block' : 'Ban e-mail'),
        el('input', { id: `${p}-value`, name: 'value',
          type: 'text', value, autocomplete: 'off' })),
      el('div', { class: 'field grow' },
        el('label', { for: `${p}-reason` }, 'Reason (optional)'),
        el('input', { id: `${p}-reason`, name: 'reason',
          type: 'text', maxlength: 500, autocomplete: 'off' })),
      el('div', { class: 'field' },
        el('label', { for: `${p}-exp` }, 'For how long'),
        duration)),
    el('p', { class: 'field-error', role: 'alert' }),
    el('div', { class: 'form-actions' },
      el('button', { type: 'submit', class: 'btn btn-small ' +
        'btn-danger' }, kind === 'ip' ? 'Ban IP' : 'Ban e-mail'),
      el('button', { type: 'button', class: 'btn btn-small',
        'data-action': 'cancel-ban' }, 'Cancel')));
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      closeBanForm(id, true);
    }
  });
  row.querySelector('.actions').after(form);
  form.querySelector(kind === 'ip' ? 'input[name=value]' :
    'input[name=reason]').focus();
}

export function closeBanForm(id, refocus) {
  const row = rowEl(id);
  const form = row && row.querySelector('form.ban-inline');
  if (form)
    form.remove();
  if (refocus && row)
    row.focus();
}

export async function saveRowBan(id, form) {
  const kind = form.dataset.kind;
  const secs = Number(form.elements.expires.value);
  const ban = {
    kind,
    value: form.elements.value.value.trim(),
    reason: form.elements.reason.value.trim(),
    expires_at: secs ? new Date(Date.now() + secs * 1000)
      .toISOString() : null,
  };
  try {
    const r = await api('POST', '/admin/bans', ban);
    closeBanForm(id, true);
    banAdded(r.ban);
  } catch (e) {
    if (e.status !== 401)
      form.querySelector('.field-error').textContent =
        e.message;
  }
}

function banAdded(ban) {
  state.bans.unshift(ban);
  renderBans();
  rerenderBanMarks();
  announce(`Banned ${ban.kind === 'ip' ? 'IP' : ban.kind === 'email' ?
    'e-mail' : 'account'} ${ban.value}.`);
  refreshCounts();
}

/* Rows show "banned" pills; redraw their meta lines. */
function rerenderBanMarks() {
  for (const c of state.queue.comments) {
    const row = rowEl(c.id);
    if (row)
      row.querySelector('.meta').replaceWith(renderMeta(c));
  }
}

export async function loadBans({ quiet = false } = {}) {
  try {
    const { bans } = await api('GET', '/admin/bans');
    state.bans = bans;
    renderBans();
    rerenderBanMarks();
  } catch (e) {
    if (!quiet)
      report(e);
  }
}

function renderBans() {
  const body = $('bans-body');
  /* Active first, each group newest first as the server sends. */
  const bans = [...state.bans].sort((a, b) => b.active - a.active);
  body.replaceChildren(...bans.map((b) => el('tr',
    { class: b.active ? '' : 'expired' },
    el('td', { class: 'nowrap' }, BAN_KIND[b.kind] || b.kind),
    el('td', { class: 'mono' }, b.value),
    el('td', {}, b.reason || el('span', { class: 'muted' }, '—')),
    el('td', { class: 'nowrap' }, b.expires_at ? timeEl(b.expires_at) :
      'never'),
    el('td', {}, timeEl(b.created_at),
      b.created_by ? el('span', { class: 'muted' },
        ` by ${b.created_by}`) : null),
    el('td', {}, el('span', { class: `pill ${b.active ?
      'pill-active' : ''}` }, b.active ? 'active' : 'expired')),
    el('td', {}, el('button', { type: 'button',
      class: 'btn btn-small btn-quiet', 'data-ban-id': b.id,
      'aria-label': `Lift the ban on ${b.value}` }, 'Lift')))));
  $('bans-empty').hidden = bans.length > 0;
}

export async function onBanTable(ev) {
  const b = ev.target.closest('[data-ban-id]');
  if (!b)
    return;
  const id = Number(b.dataset.banId);
  const ban = state.bans.find((x) => x.id === id);
  b.disabled = true;
  try {
    await api('DELETE', `/admin/bans/${id}`);
    state.bans = state.bans.filter((x) => x.id !== id);
    renderBans();
    rerenderBanMarks();
    announce(`Lifted the ban on ${ban ? ban.value : `#${id}`}.`);
  } catch (e) {
    b.disabled = false;
    report(e);
  }
}

export async function onBanForm(ev) {
  ev.preventDefault();
  const form = ev.target;
  clearFieldErrors(form);
  $('ban-error').textContent = '';
  const expires = form.elements.expires_at.value;
  const when = expires ? new Date(expires) : null;
  if (when && Number.isNaN(when.getTime()))
    return setFieldError('b-expires', 'Enter a date and time.');
  const ban = {
    kind: form.elements.kind.value,
    value: form.elements.value.value.trim(),
    reason: form.elements.reason.value.trim(),
    expires_at: when ? when.toISOString() : null,
  };
  if (!ban.value) {
    setFieldError('b-value', 'Enter what to ban.');
    return $('b-value').focus();
  }
  try {
    const r = await api('POST', '/admin/bans', ban);
    form.reset();
    banKindChanged();
    banAdded(r.ban);
  } catch (e) {
    const id = { value: 'b-value', reason: 'b-reason',
      expires_at: 'b-expires', kind: 'b-kind' }[e.field];
    if (id) {
      setFieldError(id, e.message);
      $(id).focus();
    } else if (e.status !== 401) {
      $('ban-error').textContent = e.message;
    }
  }
}

export function banKindChanged() {
  $('b-value').placeholder = {
    email: 'someone@example.org',
    ip: '203.0.113.7 or 203.0.113.0/24',
    account: 'user id, e.g. 42 (see Users)',
  }[$('b-kind').value];
}
