/* Sites (admins): the allowed_origins setting, the blogs that may
 * write. Each change saves the whole list at once; workers use it from
 * their next request. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  $, announce, clearFieldErrors, el, setFieldError,
} from './admin-dom.js';

export async function loadSites() {
  $('sites-error').textContent = '';
  try {
    const { settings } = await api('GET', '/admin/settings');
    renderSites(settings.allowed_origins || []);
  } catch (e) {
    if (e.status !== 401)
      $('sites-error').textContent = e.message;
  }
}

function renderSites(origins) {
  state.sites = origins;
  $('sites-list').replaceChildren(...origins.map((o) =>
    el('li', { 'data-origin': o },
      el('span', { class: 'mono' }, o), ' ',
      el('button', { type: 'button', class: 'btn btn-quiet',
        'aria-label': `Remove ${o}`,
        onclick: () => saveSites(origins.filter((x) =>
          x !== o), `Removed ${o}.`) }, 'Remove'))));
  $('sites-empty').hidden = origins.length > 0;
}

async function saveSites(origins, done) {
  $('sites-error').textContent = '';
  clearFieldErrors($('site-form'));
  try {
    const { settings } = await api('PATCH', '/admin/settings',
      { allowed_origins: origins });
    renderSites(settings.allowed_origins);
    announce(done);
    return true;
  } catch (e) {
    if (e.field === 'allowed_origins') {
      setFieldError('site-origin', e.message);
      $('site-origin').focus();
    } else if (e.status !== 401) {
      $('sites-error').textContent = e.message;
    }
    return false;
  }
}

export async function addSite(ev) {
  ev.preventDefault();
  const origin = $('site-origin').value.trim();
  if (!origin) {
    setFieldError('site-origin', 'Type the address of a blog.');
    return;
  }
  const button = $('site-form').querySelector('button[type=submit]');
  button.disabled = true;
  if (await saveSites([...(state.sites || []), origin],
    `Allowed ${origin}.`))
    $('site-origin').value = '';
  button.disabled = false;
}
