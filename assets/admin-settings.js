/* Settings: the moderation rules, the limits on e-mail, and how long
 * network addresses are kept. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  $, announce, clearFieldErrors, report, setFieldError,
} from './admin-dom.js';
import { loadMailNote } from './admin-mail.js';
import { refreshCounts } from './admin-queue.js';

const SETTINGS = [
  ['require_approval', 'bool'], ['first_comment_approval', 'bool'],
  ['allow_guests', 'bool'], ['max_links', 'int'],
  ['hold_words', 'words'], ['disallowed_words', 'words'],
  ['rate_limit_per_minute', 'int'], ['edit_window_seconds', 'int'],
  ['max_depth', 'int'], ['moderator_digest_minutes', 'int'],
  ['mail_recipient_hourly_max', 'int'], ['mail_hourly_max', 'int'],
  ['ip_retention_days', 'int'],
];

export async function loadSettings() {
  loadMailNote();
  try {
    const { settings } = await api('GET', '/admin/settings');
    state.settings = settings;
    fillSettings(settings);
  } catch (e) {
    report(e);
  }
}

export function fillSettings(s) {
  clearFieldErrors($('settings-form'));
  $('settings-error').textContent = '';
  for (const [name, type] of SETTINGS) {
    const input = $(`s-${name}`);
    if (type === 'bool')
      input.checked = Boolean(s[name]);
    else if (type === 'words')
      input.value = (s[name] || []).join('\n');
    else
      input.value = s[name] ?? '';
  }
}

function readSetting(name, type) {
  const input = $(`s-${name}`);
  if (type === 'bool')
    return input.checked;
  if (type === 'words')
    return input.value.split('\n').map((w) => w.trim())
      .filter((w) => w !== '');
  const raw = input.value.trim();
  /* Anything else goes as typed: the server names the field. */
  return /^-?\d+$/.test(raw) ? Number(raw) : raw;
}

function settingsChanges() {
  const changes = {};
  for (const [name, type] of SETTINGS) {
    const v = readSetting(name, type);
    if (JSON.stringify(v) !== JSON.stringify(state.settings[name]))
      changes[name] = v;
  }
  return changes;
}

export function settingsDirty() {
  return state.settings !== null &&
    Object.keys(settingsChanges()).length > 0;
}

export async function saveSettings(ev) {
  ev.preventDefault();
  const form = $('settings-form');
  if (!state.settings)
    return;
  clearFieldErrors(form);
  $('settings-error').textContent = '';
  const changes = settingsChanges();
  if (Object.keys(changes).length === 0)
    return announce('No changes to save.');
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const { settings } = await api('PATCH', '/admin/settings',
      changes);
    state.settings = settings;
    fillSettings(settings);
    announce('Saved the moderation rules.');
    refreshCounts();
  } catch (e) {
    if (e.status !== 401)
      showSettingsErrors(e);
  } finally {
    button.disabled = false;
  }
}

/* Marks every field the server refused at once (the rest of the change
 * was not saved either) and focuses the first in the form; what names
 * no field of the form goes above the button. */
function showSettingsErrors(e) {
  const form = $('settings-form'), elsewhere = [];
  for (const { field, message } of e.errors) {
    if (field && $(`s-${field}`) && form.contains($(`s-${field}`)))
      setFieldError(`s-${field}`, fieldMessage(field, message));
    else
      elsewhere.push(message);
  }
  if (e.errors.length === 0)
    elsewhere.push(e.message);
  const marked = [...form.querySelectorAll('[aria-invalid=true]')];
  const summary = marked.length > 1 ? [`Nothing was saved. Fix the ${
    marked.length} rules marked above: ${marked.map((i) =>
    labelOf(i.name)).join(', ')}.`] : [];
  $('settings-error').textContent = [...summary, ...elsewhere].join(' ');
  if (marked.length > 0)
    marked[0].focus();
}

/* A setting's label on the page, in quotes; null if it has none. */
function labelOf(field) {
  const label = $('settings-form')
    .querySelector(`label[for="s-${field}"]`);
  return label ? `“${label.textContent.trim()}”` : null;
}

/* The server names a setting by its key ("max_links must be ..."); the
 * page by the label the moderator reads next to the field. */
function fieldMessage(field, message) {
  const label = labelOf(field);
  return label ? message.replace(new RegExp(`\\b${field}\\b`, 'g'),
    () => label) : message;
}
