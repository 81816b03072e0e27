/* A hook's recent deliveries and their attempts. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  el, exactTime, plural, qs, relTime, report, stampEl, timeEl,
} from './admin-dom.js';
import { hookEl, syncHooks } from './admin-hooks.js';

export const DELIVERIES_SHOWN = 20;
/* After a ping or a redelivery, look again this long after. */
const DELIVERY_POLL_MS = [1500, 4000, 10000];

export function deliveriesToggled(id, details) {
  if (details.open) {
    state.hooks.open.add(id);
    loadDeliveries(id);
  } else {
    state.hooks.open.delete(id);
    stopHookPolls(id);
  }
}

/* Opens a hook's deliveries, or loads them again if open. */
export function showDeliveries(id) {
  const card = hookEl(id);
  const details = card && card.querySelector('details.deliveries');
  if (!details)
    return;
  if (details.open)
    loadDeliveries(id);
  else
    details.open = true; /* the toggle event loads them */
}

export async function loadDeliveries(id) {
  const seq = (state.hooks.loads.get(id) || 0) + 1;
  state.hooks.loads.set(id, seq);
  const busy = (on) => {
    const card = hookEl(id);
    const list = card && card.querySelector('.delivery-list');
    if (list)
      list.setAttribute('aria-busy', String(on));
  };
  busy(true);
  try {
    const { deliveries } = await api('GET',
      `/admin/hooks/${id}/deliveries${qs({
        limit: DELIVERIES_SHOWN })}`);
    if (state.hooks.loads.get(id) !== seq)
      return;
    state.hooks.deliveries.set(id, deliveries);
    renderDeliveries(id);
  } catch (e) {
    const card = hookEl(id);
    if (state.hooks.loads.get(id) !== seq)
      return;
    if (card && e.status !== 401)
      card.querySelector('.deliveries .row-error')
        .textContent = e.message;
    else
      report(e);
  } finally {
    if (state.hooks.loads.get(id) === seq)
      busy(false);
  }
}

export function renderDeliveries(id) {
  const card = hookEl(id);
  const deliveries = state.hooks.deliveries.get(id) || [];
  if (!card)
    return;
  const list = card.querySelector('.delivery-list');
  /* Keep open logs open, and the focus where it was. */
  const open = new Set([...list.querySelectorAll('details.attempts[open]')]
    .map((d) => d.closest('[data-delivery-id]').dataset.deliveryId));
  const active = document.activeElement;
  const focused = list.contains(active) ?
    active.closest('[data-delivery-id]') : null;
  card.querySelector('.deliveries .row-error').textContent = '';
  list.replaceChildren(...deliveries.map((d) => deliveryItem(d,
    open.has(String(d.id)))));
  card.querySelector('.deliveries-empty').hidden =
    deliveries.length > 0;
  if (focused) {
    const again = list.querySelector(`[data-delivery-id=` +
      `"${focused.dataset.deliveryId}"] ` +
      (active.tagName === 'SUMMARY' ? 'summary' : 'button'));
    if (again)
      again.focus({ preventScroll: true });
  }
}

/* An error worth showing beside the status (not "HTTP 500" again). */
function errorText(error, status) {
  return error && error !== `HTTP ${status}` ? error : null;
}

/* When a pending delivery is tried next. */
function nextTry(iso) {
  const secs = Math.round((Date.parse(iso) - Date.now()) / 1000);
  if (!(secs > 0))
    return el('span', {}, 'due now');
  return el('span', {}, 'next try ', el('time', { datetime: iso,
    title: exactTime(iso) }, secs < 60 ? `in ${secs} s` :
    relTime(iso)));
}

function deliveryItem(d, logOpen) {
  const last = d.attempts === 0 ? 'not tried yet' :
    d.last_status === null ? 'last try: no answer' :
      `last answer: HTTP ${d.last_status}`;
  const error = errorText(d.last_error, d.last_status);
  let next = null;
  if (d.state === 'pending')
    next = nextTry(d.next_at);
  else if (d.state === 'failed')
    next = el('span', {}, 'gave up');
  const log = d.log || [];
  return el('li',
    { class: `delivery state-${d.state}`,
      'data-delivery-id': d.id },
    el('div', { class: 'delivery-head' },
      el('span', { class: `pill pill-${d.state}` }, d.state),
      el('code', { class: 'event-type' }, d.event.type),
      el('span', { class: 'muted' }, timeEl(d.event.created_at)),
      el('span', { class: 'muted mono', title: 'X-Parley-' +
        `Delivery: ${d.uuid}` }, `#${d.id}`),
      el('button',
        { type: 'button', class: 'btn btn-small',
          'data-delivery-action': 'redeliver',
          'aria-label': `Redeliver #${d.id} (${d.event.type})` },
        'Redeliver')),
    el('p', { class: 'delivery-sum' },
      el('span', {}, plural(d.attempts, 'attempt')),
      el('span', {}, last),
      error ? el('span', { class: 'delivery-error' }, error) : null,
      next),
    log.length > 0 ? el('details',
      { class: 'attempts',
        open: logOpen },
      el('summary', {}, `Attempt log (${log.length})`),
      el('p', { class: 'hint mono' }, `Delivery ${d.uuid}`),
      el('ol', { class: 'attempt-list' }, log.map(attemptItem))) :
      null);
}

function attemptItem(a) {
  const ok = a.status !== null && a.status >= 200 && a.status < 300;
  const error = errorText(a.error, a.status);
  return el('li', { class: 'attempt' },
    el('div', { class: 'attempt-head' },
      stampEl(a.at),
      el('span', { class: `pill ${ok ? 'pill-success' :
        'pill-failed'}` }, a.status === null ? 'no answer' :
        `HTTP ${a.status}`),
      el('span', { class: 'muted' }, `${a.duration_ms} ms`),
      error ? el('span', { class: 'delivery-error' }, error) : null),
    a.response ? el('pre', { class: 'response',
      'aria-label': 'Start of the answer' }, a.response) : null);
}

/* A few follow-up looks after a ping or redelivery, while the
 * deliveries are open and something is still pending. */
export function pollHook(id, step = 0) {
  stopHookPolls(id);
  if (step >= DELIVERY_POLL_MS.length)
    return;
  state.hooks.polls.set(id, setTimeout(async () => {
    state.hooks.polls.delete(id);
    if (state.section !== 'hooks' || !state.hooks.open.has(id))
      return;
    await loadDeliveries(id);
    syncHooks();
    const list = state.hooks.deliveries.get(id) || [];
    if (list.some((d) => d.state === 'pending'))
      pollHook(id, step + 1);
  }, DELIVERY_POLL_MS[step]));
}

export function stopHookPolls(id) {
  const polls = state.hooks.polls;
  for (const [k, t] of polls) {
    if (id === undefined || k === id) {
      clearTimeout(t);
      polls.delete(k);
    }
  }
}
