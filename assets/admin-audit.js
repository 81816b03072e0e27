/* The audit log: who did what. */

import { PAGE, state } from './admin-state.js';
import { api } from './admin-api.js';
import { auditSentence } from './admin-audit-text.js';
import { $, el, qs, report, timeEl } from './admin-dom.js';

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

/* Across the row, a sentence: "Ann <ann@example.org> | approved comment
 * 12 (was held)"; the action's name and the stored values on demand. */
function auditRow(e) {
  return el('tr', {},
    el('td', {}, timeEl(e.at)),
    el('td', {}, actorEl(e.actor.name)),
    el('td', {}, auditSentence(e)),
    el('td', {}, el('code', { class: 'muted' }, e.action), ' ',
      auditChange(e.before, e.after)));
}

/* "Name <e-mail>" as stored: the name, then the address muted. */
function actorEl(name) {
  const m = /^(.*) (<[^<>]*>)$/.exec(name || '');
  return m ? el('span', {}, m[1], ' ', el('span', { class: 'muted' },
    m[2])) : el('span', {}, name || 'someone');
}

/* "status: pending → approved", with the stored JSON on demand; nothing
 * when the entry stores no values (a ping, a redelivery). */
function auditChange(before, after) {
  if (before === null && after === null)
    return null;
  return el('details', {},
    el('summary', {}, changeSummary(before, after)),
    before !== null ? el('pre', { class: 'diff-before' }, '− ',
      JSON.stringify(before)) : null,
    after !== null ? el('pre', { class: 'diff-after' }, '+ ',
      JSON.stringify(after)) : null);
}

function changeSummary(before, after) {
  const short = (v) => {
    const s = v === undefined || v === null ? '—' : JSON.stringify(v);
    return s.length > 32 ? `${s.slice(0, 31)}…` : s;
  };
  if (before === null || typeof before !== 'object')
    return 'created';
  if (after === null || typeof after !== 'object')
    return 'removed';
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (keys.length === 0)
    return 'no change';
  const parts = keys.slice(0, 3).map((k) =>
    `${k}: ${short(before[k])} → ${short(after[k])}`);
  return parts.join('; ') + (keys.length > 3 ?
    ` (+${keys.length - 3})` : '');
}
