/* Hooks (admins): the list, each hook's card and actions, and editing
 * and rotating in place. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  DELIVERIES_SHOWN, deliveriesToggled, loadDeliveries, pollHook,
  renderDeliveries, showDeliveries, stopHookPolls,
} from './admin-deliveries.js';
import {
  $, announce, clearFieldErrors, el, report, setFieldError, stampEl, timeEl,
} from './admin-dom.js';
import { showSecret } from './admin-hook-secret.js';

/* What event hooks may ask for (event_types in the server). */
const EVENT_TYPES = [
  ['comment.created', 'A comment was posted'],
  ['comment.approved', 'A comment was approved'],
  ['comment.spammed', 'A comment was marked as spam'],
  ['comment.held', 'A comment was held for a moderator'],
  ['comment.edited', 'A comment was edited'],
  ['comment.deleted', 'A comment was trashed or deleted'],
  ['post.closed', 'A post was closed for new comments'],
  ['commenter.erased', 'A commenter\'s data was erased'],
];

const KIND_HINT = {
  event: 'Told about the events checked below.',
  verdict: 'Asked about each new comment before it is published.',
};

/* How long the old secret keeps signing after a rotation. */
const GRACE_CHOICES = [
  ['0', 'Not at all'], ['3600', '1 hour'], ['86400', '1 day'],
  ['604800', '7 days'],
];
const GRACE_DEFAULT = '86400';

export function hookEl(id) {
  return $('hooks-list').querySelector(`.hook[data-hook-id="${id}"]`);
}

function findHook(id) {
  return state.hooks.list.find((h) => h.id === id);
}

/* The event checkboxes, for the new-hook form and a hook's editor. */
export function eventChecks(checked) {
  return EVENT_TYPES.map(([type, what]) => el('label',
    { class: 'check event-check', title: what },
    el('input', { type: 'checkbox', name: 'events', value: type,
      checked: checked.includes(type) }),
    el('code', {}, type)));
}

function checkedEvents(form) {
  return [...form.querySelectorAll('input[name=events]:checked')]
    .map((i) => i.value);
}

export function hookKindChanged() {
  const kind = $('h-kind').value;
  $('h-kind-hint').textContent = KIND_HINT[kind] || '';
  /* Verdict hooks get no events: there is nothing to choose. */
  $('h-events').hidden = kind !== 'event';
}

export async function loadHooks() {
  $('hooks-error').textContent = '';
  try {
    const { hooks } = await api('GET', '/admin/hooks');
    state.hooks.list = hooks;
    renderHooks();
  } catch (e) {
    if (e.status !== 401)
      $('hooks-error').textContent = e.message;
  }
}

/* Fetches the list again and updates the cards in place, so open
 * forms, deliveries and focus stay as they are. */
export async function syncHooks() {
  let hooks;
  try {
    ({ hooks } = await api('GET', '/admin/hooks'));
  } catch (_) {
    return; /* a later look or loadHooks() says why */
  }
  const ids = (list) => list.map((h) => h.id).join();
  /* A list asked for before a delete here still holds the hook. */
  hooks = hooks.filter((h) => !state.hooks.deleted.has(h.id));
  const same = ids(hooks) === ids(state.hooks.list);
  state.hooks.list = hooks;
  if (same)
    fillHooks();
  else
    renderHooks();
}

function renderHooks() {
  const list = state.hooks.list;
  for (const id of [...state.hooks.open]) {
    if (!findHook(id))
      state.hooks.open.delete(id);
  }
  $('hooks-list').replaceChildren(...list.map(hookItem));
  $('hooks-empty').hidden = list.length > 0;
}

function fillHooks() {
  for (const h of state.hooks.list) {
    const card = hookEl(h.id);
    if (card)
      fillHook(card, h);
  }
  $('hooks-empty').hidden = state.hooks.list.length > 0;
}

/* The server's answer replaces our copy; the cards follow. */
function hookChanged(hook) {
  const at = state.hooks.list.findIndex((h) => h.id === hook.id);
  if (at < 0)
    state.hooks.list.push(hook);
  else
    state.hooks.list[at] = hook;
  if (!hookEl(hook.id))
    $('hooks-list').append(hookItem(hook));
  fillHooks(); /* a verdict hook's note depends on the others */
}

function hookButton(action, label, id, cls = '') {
  return el('button', { type: 'button', class: `btn btn-small ${cls}`,
    'data-hook-action': action,
    'aria-describedby': `hook${id}-url` }, label);
}

function hookItem(h) {
  const id = h.id;
  const details = el('details',
    { class: 'deliveries',
      open: state.hooks.open.has(id) },
    el('summary', {}, 'Recent deliveries'),
    el('div', { class: 'deliveries-bar' },
      el('span', { class: 'muted deliveries-note' },
        `The last ${DELIVERIES_SHOWN}, newest first.`),
      hookButton('refresh', 'Refresh', id, 'btn-quiet')),
    el('p', { class: 'row-error', role: 'alert' }),
    el('ol', { class: 'delivery-list',
      'aria-label': 'Recent deliveries' }),
    el('p', { class: 'deliveries-empty muted', hidden: true },
      'No deliveries yet. Ping sends a test event.'));
  details.addEventListener('toggle', () => deliveriesToggled(id,
    details));
  const card = el('li',
    { class: 'hook', 'data-hook-id': id,
      'aria-labelledby': `hook${id}-url` },
    el('div', { class: 'hook-head' }),
    el('div', { class: 'actions hook-actions' },
      hookButton('ping', 'Ping', id),
      hookButton('toggle', h.enabled ? 'Disable' : 'Enable', id),
      hookButton('edit', 'Edit', id, 'btn-quiet'),
      hookButton('rotate', 'Rotate secret', id, 'btn-quiet'),
      hookButton('delete', 'Delete', id, 'btn-quiet btn-danger')),
    el('p', { class: 'row-error hook-error', role: 'alert' }),
    el('div', { class: 'hook-panel' }),
    details);
  fillHook(card, h);
  if (state.hooks.deliveries.has(id))
    renderDeliveries(id);
  return card;
}

/* Everything in a card that comes from the hook itself. */
function fillHook(card, h) {
  const c = h.deliveries || { pending: 0, failed: 0, success: 0 };
  const count = (n, label, cls) => el('span', {
    class: `hook-count ${n > 0 ? cls : 'zero'}` }, `${n} ${label}`);
  card.classList.toggle('is-disabled', !h.enabled);
  card.querySelector('.hook-head').replaceChildren(
    el('p', { class: 'hook-url', id: `hook${h.id}-url` }, h.url),
    el('div', { class: 'hook-meta' },
      el('span', { class: `pill pill-${h.kind}` },
        h.kind === 'verdict' ? 'verdict hook' : 'event hook'),
      el('span', { class: `pill ${h.enabled ? 'pill-active' :
        'pill-off'}` }, h.enabled ? 'enabled' : 'disabled'),
      h.rotating_until ? el('span',
        { class: 'pill pill-rotating',
          title: 'The old secret also signs until then' },
        'rotating until ', stampEl(h.rotating_until)) : null,
      el('span', {}, 'added ', timeEl(h.created_at)),
      el('span', { class: 'mono' }, `#${h.id}`)),
    hookWhat(h),
    el('p', { class: 'hook-counts' },
      el('span', { class: 'muted' }, 'Deliveries: '),
      count(c.pending, 'pending', 'pending'),
      count(c.failed, 'failed', 'failed'),
      count(c.success, 'succeeded', 'success')));
  const toggle = card.querySelector('[data-hook-action=toggle]');
  toggle.textContent = h.enabled ? 'Disable' : 'Enable';
}

/* Which events an event hook wants; whether a verdict hook is asked
 * (only the first enabled one is). */
function hookWhat(h) {
  if (h.kind === 'event') {
    return el('p', { class: 'hook-events' },
      el('span', { class: 'muted' }, 'Events: '),
      h.events.length === 0 ? 'every event' :
        h.events.map((t) => el('code', { class: 'event-type' }, t)));
  }
  const first = state.hooks.list.filter((x) => x.kind === 'verdict' &&
    x.enabled).sort((a, b) => a.id - b.id)[0];
  let what = 'Asked about each new comment.';
  if (!h.enabled)
    what = 'Not asked while disabled.';
  else if (first && first.id !== h.id)
    what = `Not asked: hook #${first.id} is the verdict hook ` +
      'in use (the first one enabled).';
  return el('p', { class: 'hook-events' }, what);
}

function hookError(id, e) {
  const card = hookEl(id);
  if (e.status === 401 || !card)
    return report(e);
  card.querySelector('.hook-error').textContent = e.message;
}

export async function onHooksClick(ev) {
  const b = ev.target.closest('button[data-hook-action], ' +
    'button[data-delivery-action]');
  if (!b)
    return;
  const card = b.closest('.hook');
  const id = Number(card.dataset.hookId);
  card.querySelector('.hook-error').textContent = '';
  if (b.dataset.deliveryAction === 'redeliver') {
    const li = b.closest('[data-delivery-id]');
    return redeliver(id, Number(li.dataset.deliveryId), b);
  }
  switch (b.dataset.hookAction) {
    case 'ping':
      return pingHook(id, b);
    case 'toggle':
      return toggleHook(id, b);
    case 'edit':
      return openHookEditor(id);
    case 'rotate':
      return openRotate(id);
    case 'cancel-panel':
      return closePanel(id, true);
    case 'delete':
      return deleteHook(id, b);
    case 'refresh':
      return loadDeliveries(id);
    default:
      return undefined;
  }
}

export function onHooksSubmit(ev) {
  ev.preventDefault();
  const form = ev.target;
  const id = Number(form.closest('.hook').dataset.hookId);
  if (form.classList.contains('hook-editor'))
    saveHookEdit(id, form);
  else if (form.classList.contains('rotate-form'))
    rotateSecret(id, form);
}

export async function onHookForm(ev) {
  ev.preventDefault();
  const form = ev.target;
  clearFieldErrors(form);
  $('hook-error').textContent = '';
  const kind = form.elements.kind.value;
  const hook = { url: form.elements.url.value.trim(), kind,
    enabled: form.elements.enabled.checked };
  if (kind === 'event')
    hook.events = checkedEvents(form);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const r = await api('POST', '/admin/hooks', hook);
    form.reset();
    hookKindChanged();
    hookChanged(r.hook);
    showSecret(r.hook, r.secret, false);
    announce(`Added the hook to ${r.hook.url}.`);
  } catch (e) {
    const id = { url: 'h-url', kind: 'h-kind', events: 'h-events',
      enabled: 'h-enabled' }[e.field];
    if (id) {
      setFieldError(id, e.message);
      (id === 'h-events' ? form.querySelector(
        'input[name=events]') : $(id)).focus();
    } else if (e.status !== 401) {
      $('hook-error').textContent = e.message;
    }
  } finally {
    button.disabled = false;
  }
}

async function patchHook(id, changes) {
  const r = await api('PATCH', `/admin/hooks/${id}`, changes);
  hookChanged(r.hook);
  return r;
}

async function toggleHook(id, b) {
  const h = findHook(id);
  if (!h)
    return;
  b.disabled = true;
  try {
    const { hook } = await patchHook(id, { enabled: !h.enabled });
    announce(`${hook.enabled ? 'Enabled' : 'Disabled'} the hook ` +
      `to ${hook.url}.`);
  } catch (e) {
    hookError(id, e);
  } finally {
    b.disabled = false;
  }
}

async function deleteHook(id, b) {
  const h = findHook(id);
  if (!h || !confirm(`Delete the hook to ${h.url}? Its deliveries ` +
    'go with it, and this cannot be undone.'))
    return;
  b.disabled = true;
  try {
    await api('DELETE', `/admin/hooks/${id}`);
  } catch (e) {
    b.disabled = false;
    if (e.status !== 404)
      return hookError(id, e);
  }
  const card = hookEl(id);
  const next = card && (card.nextElementSibling ||
    card.previousElementSibling);
  stopHookPolls(id);
  /* A look at its deliveries still under way ends unheard (its
   * answer is a 404 that is no news). */
  state.hooks.loads.delete(id);
  state.hooks.deleted.add(id);
  state.hooks.list = state.hooks.list.filter((x) => x.id !== id);
  state.hooks.open.delete(id);
  state.hooks.deliveries.delete(id);
  if (card)
    card.remove();
  fillHooks();
  (next ? next.querySelector('[data-hook-action=ping]') :
    $('h-url')).focus();
  announce(`Deleted the hook to ${h.url}.`);
}

async function pingHook(id, b) {
  b.disabled = true;
  try {
    const r = await api('POST', `/admin/hooks/${id}/ping`);
    announce(`Sent a ping: delivery #${r.delivery_id} is queued.`);
    showDeliveries(id);
    pollHook(id);
    syncHooks();
  } catch (e) {
    hookError(id, e);
  } finally {
    b.disabled = false;
  }
}

async function redeliver(id, deliveryId, b) {
  b.disabled = true;
  try {
    await api('POST', `/admin/deliveries/${deliveryId}/redeliver`);
    announce(`Delivery #${deliveryId} is queued again.`);
    loadDeliveries(id);
    pollHook(id);
    syncHooks();
  } catch (e) {
    b.disabled = false;
    hookError(id, e);
  }
}

function openPanel(id, form, focus) {
  const card = hookEl(id);
  if (!card)
    return;
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      closePanel(id, true);
    }
  });
  card.querySelector('.hook-panel').replaceChildren(form);
  form.querySelector(focus).focus();
}

function closePanel(id, refocus) {
  const card = hookEl(id);
  if (!card)
    return;
  const panel = card.querySelector('.hook-panel');
  const which = panel.firstChild && panel.firstChild.dataset.opener;
  panel.replaceChildren();
  if (refocus && which)
    card.querySelector(`[data-hook-action=${which}]`).focus();
}

function panelActions(submit, cls) {
  return el('div', { class: 'form-actions' },
    el('button', { type: 'submit', class: `btn btn-small ${cls}` },
      submit),
    el('button', { type: 'button', class: 'btn btn-small',
      'data-hook-action': 'cancel-panel' }, 'Cancel'));
}

function openHookEditor(id) {
  const h = findHook(id);
  if (!h)
    return;
  const p = `hook${id}-edit`;
  const form = el('form',
    { class: 'hook-inline hook-editor',
      novalidate: true, 'data-opener': 'edit',
      'aria-label': 'Change the hook' },
    el('div', { class: 'field' },
      el('label', { for: `${p}-url` }, 'URL'),
      el('input', { id: `${p}-url`, name: 'url', type: 'url',
        value: h.url, autocomplete: 'off', spellcheck: 'false',
        'aria-describedby': `${p}-url-err` }),
      el('p', { class: 'field-error', id: `${p}-url-err` })),
    h.kind === 'event' ? el('fieldset',
      { class: 'events-field',
        id: `${p}-events`, 'aria-describedby': `${p}-events-err` },
      el('legend', {}, 'Events'),
      el('div', { class: 'event-checks' }, eventChecks(h.events)),
      el('p', { class: 'hint' }, 'None checked: every event.'),
      el('p', { class: 'field-error', id: `${p}-events-err` })) :
      null,
    el('p', { class: 'form-error', role: 'alert' }),
    panelActions('Save', 'btn-primary'));
  openPanel(id, form, 'input[name=url]');
}

async function saveHookEdit(id, form) {
  const h = findHook(id);
  const p = `hook${id}-edit`;
  clearFieldErrors(form);
  form.querySelector('.form-error').textContent = '';
  const changes = { url: form.elements.url.value.trim() };
  if (h && h.kind === 'event')
    changes.events = checkedEvents(form);
  const save = form.querySelector('button[type=submit]');
  save.disabled = true;
  try {
    const { hook } = await patchHook(id, changes);
    closePanel(id, true);
    announce(`Saved the hook to ${hook.url}.`);
  } catch (e) {
    save.disabled = false;
    if (e.field === 'url' || e.field === 'events') {
      setFieldError(`${p}-${e.field}`, e.message);
      form.querySelector(`[name=${e.field}]`).focus();
    } else if (e.status !== 401) {
      form.querySelector('.form-error').textContent = e.message;
    }
  }
}

function openRotate(id) {
  const p = `hook${id}-grace`;
  const grace = el('select', { id: p, name: 'grace' },
    GRACE_CHOICES.map(([v, label]) => el('option', { value: v },
      label)));
  grace.value = GRACE_DEFAULT;
  const form = el('form',
    { class: 'hook-inline rotate-form',
      novalidate: true, 'data-opener': 'rotate',
      'aria-label': 'Rotate the secret' },
    el('p', { class: 'hint' },
      'A new secret signs from now on. ' +
      'While receivers are switched over, the old one can sign ' +
      'too.'),
    el('div', { class: 'field' },
      el('label', { for: p }, 'The old secret also signs for'),
      grace),
    el('p', { class: 'form-error', role: 'alert' }),
    panelActions('Make a new secret', 'btn-primary'));
  openPanel(id, form, 'select');
}

async function rotateSecret(id, form) {
  const save = form.querySelector('button[type=submit]');
  save.disabled = true;
  try {
    const r = await patchHook(id, { rotate_secret: true,
      grace_seconds: Number(form.elements.grace.value) });
    closePanel(id, false);
    showSecret(r.hook, r.secret, true);
    announce(`Made a new secret for the hook to ${r.hook.url}.`);
  } catch (e) {
    save.disabled = false;
    if (e.status !== 401)
      form.querySelector('.form-error').textContent = e.message;
  }
}
