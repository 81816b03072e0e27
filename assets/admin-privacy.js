/* Privacy (moderators and admins): a commenter's data for an e-mail
 * address, downloaded or erased (POST /admin/privacy/export and /erase),
 * for requests that come by mail or otherwise. What each covers is the
 * server's (sql/functions/privacy.sql); the erasure is final, so it is
 * asked for in a dialog that says what goes, and the server audits it
 * under the address's hash. */

import { api } from './admin-api.js';
import {
  $, el, plural, report, saveFile, setFieldError,
} from './admin-dom.js';
import { refreshCounts } from './admin-queue.js';

/* Kept here rather than in admin-state.js: nothing else reads it. */
const privacyState = {
  busy: false,
  pending: null,            /* the address the dialog asks about */
};

const MESSAGES = {
  required: 'Enter the e-mail address of the commenter.',
  invalid: 'That is not an e-mail address. Enter one such as ' +
    'ann@example.org.',
  staff: 'That address belongs to a moderator or an admin, so it is not ' +
    'erased here. An admin makes the account a reader first (Users), ' +
    'then erases it.',
};

const ERASED_NOTE = 'Parley will not mail this address again. The audit ' +
  'log keeps the erasure under the address\'s SHA-256 hash, not the ' +
  'address.';

function email() {
  return $('pv-email').value.trim();
}

/* The address, or null with the field marked and focused. */
function checkedEmail() {
  const value = email();
  setFieldError('pv-email', '');
  $('privacy-error').textContent = '';
  if (value === '')
    return fieldError(MESSAGES.required);
  return value;
}

function fieldError(msg) {
  setFieldError('pv-email', msg);
  $('pv-email').focus();
  return null;
}

function setBusy(busy) {
  privacyState.busy = busy;
  for (const id of ['pv-export', 'pv-erase']) {
    $(id).disabled = busy;
    if (busy)
      $(id).setAttribute('aria-busy', 'true');
    else
      $(id).removeAttribute('aria-busy');
  }
}

/* A refusal: next to the field when it is about the address, above the
 * buttons otherwise. */
function showError(e) {
  if (e.status === 401)
    return; /* sessionEnded() took over */
  if (e.code === 'staff_account')
    fieldError(MESSAGES.staff);
  else if (e.status === 422 && (!e.field || e.field === 'email'))
    fieldError(e.code === 'required' ? MESSAGES.required :
      MESSAGES.invalid);
  else {
    $('privacy-error').textContent = e.message;
    report(e);
  }
}

function showResult(...children) {
  $('privacy-result').replaceChildren(el('div',
    { class: 'card privacy-done' }, ...children));
}

/* "parley-data-ann-at-example.org-2026-05-04.json": whose, and when. */
export function exportName(address, now = new Date()) {
  const who = address.toLowerCase().replace('@', '-at-')
    .replace(/[^a-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80);
  const day = now.toISOString().slice(0, 10);
  return `parley-data-${who || 'address'}-${day}.json`;
}

/* "2 comments, 1 e-mail subscription, 3 votes, an account". */
function exportSummary(data) {
  const n = (list) => (Array.isArray(list) ? list.length : 0);
  const parts = [plural(n(data.comments), 'comment')];
  if (n(data.subscriptions) > 0)
    parts.push(plural(n(data.subscriptions), 'e-mail subscription'));
  if (n(data.votes) > 0)
    parts.push(plural(n(data.votes), 'vote'));
  return `${parts.join(', ')}; account: ${data.account ? 'yes' : 'no'}`;
}

export async function onPrivacyExport(ev) {
  ev.preventDefault();
  if (privacyState.busy)
    return;
  const address = checkedEmail();
  if (address === null)
    return;
  $('privacy-result').replaceChildren();
  setBusy(true);
  try {
    const data = await api('POST', '/admin/privacy/export',
      { email: address });
    const name = exportName(address);
    saveFile(new Blob([`${JSON.stringify(data, null, 2)}\n`],
      { type: 'application/json' }), name);
    showResult(el('p', {}, 'Downloaded ', el('code', {}, name),
      ` for ${address}: ${exportSummary(data)}.`));
  } catch (e) {
    showError(e);
  } finally {
    setBusy(false);
  }
}

/* Erase data…: the dialog names the address; its Cancel has the focus. */
export function onPrivacyErase() {
  if (privacyState.busy)
    return;
  const address = checkedEmail();
  if (address === null)
    return;
  privacyState.pending = address;
  $('pv-confirm-email').textContent = address;
  const dialog = $('privacy-confirm');
  dialog.returnValue = '';
  dialog.showModal();
}

/* The dialog closed: by "Erase for good", or by Cancel or Escape. */
export function onPrivacyConfirmClosed() {
  const address = privacyState.pending;
  privacyState.pending = null;
  if ($('privacy-confirm').returnValue !== 'erase' || address === null) {
    $('pv-erase').focus();
    return;
  }
  erase(address);
}

async function erase(address) {
  $('privacy-result').replaceChildren();
  setBusy(true);
  try {
    const { erased } = await api('POST', '/admin/privacy/erase',
      { email: address });
    if (email() === address)
      $('pv-email').value = '';
    const done = el('p', {}, el('strong', {},
      `Erased the data of ${address}: `), erasedSummary(erased));
    showResult(done, el('p', { class: 'hint' }, ERASED_NOTE));
    refreshCounts();
  } catch (e) {
    showError(e);
  } finally {
    setBusy(false);
  }
  /* The field to go on with; the result is read out on its own. */
  $('pv-email').focus();
}

/* "2 comments deleted, 1 kept as an empty placeholder, 3 votes removed,
 * the account deleted." */
export function erasedSummary(erased) {
  const deleted = erased.deleted || 0, kept = erased.anonymized || 0;
  const parts = [`${plural(deleted, 'comment')} deleted`];
  if (kept > 0)
    parts.push(`${kept} kept as ${kept === 1 ? 'an empty placeholder' :
      'empty placeholders'} (${kept === 1 ? 'it has' : 'they have'} ` +
      'replies)');
  if (erased.votes > 0)
    parts.push(`${plural(erased.votes, 'vote')} removed`);
  parts.push(erased.account ? 'the account deleted' : 'no account');
  return `${parts.join(', ')}.`;
}

/* Forgets the address and the result (the session ended). */
export function clearPrivacy() {
  privacyState.pending = null;
  const dialog = $('privacy-confirm');
  if (dialog.open)
    dialog.close('');
  $('privacy-form').reset();
  setFieldError('pv-email', '');
  $('privacy-error').textContent = '';
  $('privacy-result').replaceChildren();
}
