/* The audit log: who did what. */

import { PAGE, state } from './admin-state.js';
import { api } from './admin-api.js';
import { $, el, qs, report, timeEl } from './admin-dom.js';

const AUDIT_LABEL = {
  'comment.approve': 'Approved', 'comment.spam': 'Marked spam',
  'comment.trash': 'Trashed', 'comment.restore': 'Restored',
  'comment.delete': 'Deleted forever', 'comment.edit': 'Edited',
  'settings.update': 'Changed rules', 'ban.create': 'Banned',
  'ban.delete': 'Lifted ban', 'post.close': 'Closed post',
  'post.open': 'Opened post', 'post.update': 'Updated post',
  'user.role': 'Changed role', 'hook.create': 'Added hook',
  'hook.update': 'Changed hook', 'hook.rotate': 'Rotated hook secret',
  'hook.delete': 'Deleted hook', 'hook.ping': 'Pinged hook',
  'delivery.redeliver': 'Redelivered',
};

export async function loadAudit(append) {
  const a = state.audit;
  $('audit-more').disabled = true;
  try {
    const d = await api('GET', `/admin/audit${qs({ limit: PAGE,
      after: append ? a.next : '' })}`);
    if (!append) {
      a.entries = [];
      $('audit-body').replaceChildren();
    }
    a.entries.push(...d.entries);
    a.next = d.next;
    $('audit-body').append(...d.entries.map(auditRow));
    $('audit-empty').hidden = a.entries.length > 0;
    $('audit-more').hidden = !a.next;
  } catch (e) {
    report(e);
  } finally {
    $('audit-more').disabled = false;
  }
}

function auditRow(e) {
  return el('tr', {},
    el('td', {}, timeEl(e.at)),
    el('td', {}, e.actor.name),
    el('td', {}, AUDIT_LABEL[e.action] || e.action, ' ',
      el('code', { class: 'muted' }, e.action)),
    el('td', {}, `${e.target.type} ${e.target.id}`),
    el('td', {}, auditChange(e.before, e.after)));
}

/* "status: pending → approved", with the full JSON on demand. */
function auditChange(before, after) {
  const summary = changeSummary(before, after);
  return el('details', {},
    el('summary', {}, summary),
    el('pre', { class: 'diff-before' }, '− ', JSON.stringify(before)),
    el('pre', { class: 'diff-after' }, '+ ', JSON.stringify(after)));
}

function changeSummary(before, after) {
  const short = (v) => {
    const s = v === undefined ? '—' : JSON.stringify(v);
    return s.length > 32 ? `${s.slice(0, 31)}…` : s;
  };
  if (before === null || after === null ||
    typeof before !== 'object' || typeof after !== 'object')
    return before === null ? (after === null ? 'details' :
      'created') : 'removed';
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (keys.length === 0)
    return 'no change';
  const parts = keys.slice(0, 3).map((k) =>
    `${k}: ${short(before[k])} → ${short(after[k])}`);
  return parts.join('; ') + (keys.length > 3 ?
    ` (+${keys.length - 3})` : '');
}
