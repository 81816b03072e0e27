/* Logging in and out, the views, the refresh timer, and the sections
 * (routed by the URL's hash). */

import { emptyHooks, state } from './admin-state.js';
import { api } from './admin-api.js';
import { loadAudit } from './admin-audit.js';
import { loadBans } from './admin-bans.js';
import { loadDeliveries, stopHookPolls } from './admin-deliveries.js';
import { $, announce, refreshTimes } from './admin-dom.js';
import { hideSecret } from './admin-hook-secret.js';
import { hookKindChanged, loadHooks, syncHooks } from './admin-hooks.js';
import { importHidden, importShown } from './admin-import.js';
import { clearMail } from './admin-mail.js';
import { clearPrivacy } from './admin-privacy.js';
import { loadQueue, refreshCounts } from './admin-queue.js';
import { loadSettings, settingsDirty } from './admin-settings.js';
import { loadSites } from './admin-sites.js';
import { loadUsers } from './admin-users.js';

export const TOKEN_KEY = 'parley-admin-token';
const REFRESH_MS = 30000;

function showView(name) {
  $('login-view').hidden = name !== 'login';
  $('denied-view').hidden = name !== 'denied';
  $('app-view').hidden = name !== 'app';
  $('who').hidden = name !== 'app';
  $('held-badge').hidden = name !== 'app';
}

export function showLogin(message) {
  showView('login');
  $('login-error').textContent = message || '';
  $('login-email').focus();
}

export function sessionEnded() {
  clearSession();
  showLogin('Your session has ended. Log in again.');
}

/* Forgets the token and every piece of moderator data on the page. */
function clearSession() {
  stopTimer();
  importHidden();
  state.token = null;
  state.user = null;
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(state.queue, { comments: [], next: null,
    current: null, status: 'pending',
    filters: { q: '', post: '', email: '', ip: '' } });
  $('filters').reset();
  state.queue.seq++;
  state.queue.selected.clear();
  state.posts.clear();
  state.bans = [];
  state.settings = null;
  state.sites = [];
  state.audit = { entries: [], next: null };
  state.users = [];
  stopHookPolls();
  state.hooks = emptyHooks();
  hideSecret();
  clearMail();
  clearPrivacy();
  for (const id of ['queue-list', 'bans-body', 'sites-list',
    'users-body', 'hooks-list', 'audit-body'])
    $(id).replaceChildren();
  $('settings-form').reset();
  $('hook-form').reset();
  hookKindChanged();
  document.title = 'Parley moderation';
}

function isModerator(user) {
  return user && (user.role === 'moderator' ||
    user.role === 'admin');
}

export async function signedIn(user) {
  if (!isModerator(user)) {
    /* Nothing here for a reader: end the session at once. */
    $('denied-name').textContent = `${user.name} (${user.email})`;
    try {
      await api('POST', '/auth/logout', {});
    } catch (_) { /* it expires anyway */ }
    clearSession();
    showView('denied');
    $('denied-again').focus();
    return;
  }
  state.user = user;
  $('who-name').textContent = user.name;
  $('who-role').textContent = user.role;
  for (const a of document.querySelectorAll('[data-admin-only]'))
    a.hidden = user.role !== 'admin';
  showView('app');
  route();
  loadQueue();
  loadBans({ quiet: true });
  startTimer();
}

export async function onLogin(ev) {
  ev.preventDefault();
  const email = $('login-email').value.trim();
  const password = $('login-password').value;
  const button = ev.target.querySelector('button[type=submit]');
  if (!email || !password) {
    $('login-error').textContent =
      'Enter your e-mail and password.';
    return;
  }
  $('login-error').textContent = '';
  button.disabled = true;
  try {
    const r = await api('POST', '/auth/login',
      { email, password });
    state.token = r.token;
    sessionStorage.setItem(TOKEN_KEY, r.token);
    ev.target.reset();
    await signedIn(r.user);
  } catch (e) {
    $('login-error').textContent = e.status === 401 ?
      'That e-mail and password do not match an account.' :
      e.message;
    $('login-password').select();
  } finally {
    button.disabled = false;
  }
}

export async function logout() {
  try {
    await api('POST', '/auth/logout', {});
  } catch (_) { /* the token is dropped below either way */ }
  clearSession();
  showLogin();
  announce('Logged out.');
}

function startTimer() {
  stopTimer();
  state.timer = setInterval(() => {
    if (!document.hidden)
      tick();
  }, REFRESH_MS);
}

function stopTimer() {
  clearInterval(state.timer);
  state.timer = null;
}

export function tick() {
  refreshCounts();
  refreshTimes();
  if (state.section === 'hooks') {
    syncHooks();
    for (const id of state.hooks.open)
      loadDeliveries(id);
  }
}

const SECTIONS = ['queue', 'settings', 'bans', 'posts', 'sites',
  'users', 'hooks', 'import', 'privacy', 'audit'];
const ADMIN_SECTIONS = ['sites', 'users', 'hooks', 'import'];

export function route() {
  /* "#/name", so the browser does not scroll to the section. */
  let name = location.hash.replace(/^#\/?/, '') || 'queue';
  if (!SECTIONS.includes(name) || (ADMIN_SECTIONS.includes(name) &&
    state.user.role !== 'admin'))
    name = 'queue';
  if (state.section !== name)
    window.scrollTo(0, 0);
  if (state.section === 'import' && name !== 'import')
    importHidden();
  state.section = name;
  for (const s of SECTIONS)
    $(s).hidden = s !== name;
  for (const a of document.querySelectorAll('.sections a')) {
    if (a.dataset.section === name)
      a.setAttribute('aria-current', 'page');
    else
      a.removeAttribute('aria-current');
  }
  sectionShown(name);
}

function sectionShown(name) {
  switch (name) {
    case 'settings':
      if (!state.settings || !settingsDirty())
        loadSettings();
      break;
    case 'bans':
      loadBans();
      break;
    case 'sites':
      loadSites();
      break;
    case 'users':
      loadUsers();
      break;
    case 'hooks':
      loadHooks();
      break;
    case 'import':
      importShown();
      break;
    case 'audit':
      loadAudit(false);
      break;
    default:
      break;
  }
}
