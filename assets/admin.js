/*
 * Parley moderation page (/admin): the queue of comments, rules, bans,
 * posts, sites, users, hooks, import and export, privacy requests, the
 * audit log, and the moderator's own e-mail, over
 * the same-origin JSON API. This module wires the page's controls to the
 * sections' modules (admin-*.js) and starts it.
 *
 * Plain JS modules, no build step. All mutable data lives in one state
 * object (admin-state.js). The DOM is built with createElement and
 * textContent; the only markup inserted is comment HTML, which the
 * server sanitized. A hook's secret is never kept in the state: it lives
 * in the page only while shown.
 */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import { loadAudit } from './admin-audit.js';
import { banKindChanged, onBanForm, onBanTable } from './admin-bans.js';
import { $, setFieldError } from './admin-dom.js';
import { onSecretClick } from './admin-hook-secret.js';
import {
  eventChecks, hookKindChanged, onHookForm, onHooksClick, onHooksSubmit,
} from './admin-hooks.js';
import {
  formatChanged, onExport, onFileChosen, onFormatPicked, onImport,
} from './admin-import.js';
import {
  closeMailPanel, mailPanelOpen, onMailHeld, onMailKey, onPageClick,
  openMailPanel,
} from './admin-mail.js';
import { onPostButton } from './admin-posts.js';
import {
  onPrivacyConfirmClosed, onPrivacyErase, onPrivacyExport,
} from './admin-privacy.js';
import {
  clearFilters, onBulk, onFilters, onKeydown, onListChange, onListClick,
  onListFocus, onListSubmit, onSelectAll, onTabKey, selectTab,
} from './admin-queue-actions.js';
import { loadQueue } from './admin-queue.js';
import {
  logout, onLogin, route, showLogin, signedIn, tick, TOKEN_KEY,
} from './admin-session.js';
import { fillSettings, saveSettings } from './admin-settings.js';
import { addSite } from './admin-sites.js';
import { loadUsers } from './admin-users.js';

function bindEvents() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', logout);
  $('me-button').addEventListener('click', () => {
    if (mailPanelOpen())
      closeMailPanel(false);
    else
      openMailPanel();
  });
  $('me').addEventListener('keydown', onMailKey);
  $('me-held').addEventListener('change', onMailHeld);
  document.addEventListener('click', onPageClick);
  $('denied-again').addEventListener('click', () => showLogin());
  $('held-badge').addEventListener('click', (ev) => {
    ev.preventDefault();
    if (state.section !== 'queue')
      location.hash = '/queue';
    selectTab('pending');
  });
  window.addEventListener('hashchange', () => {
    if (state.user)
      route();
  });
  document.addEventListener('keydown', onKeydown);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.user)
      tick();
  });

  for (const t of document.querySelectorAll('[role=tab]'))
    t.addEventListener('click', () => selectTab(t.dataset.status));
  document.querySelector('[role=tablist]')
    .addEventListener('keydown', onTabKey);
  $('filters').addEventListener('submit', onFilters);
  $('f-clear').addEventListener('click', clearFilters);
  $('f-help').addEventListener('click', () => $('help').showModal());
  $('select-all').addEventListener('change', onSelectAll);
  $('bulk').addEventListener('click', onBulk);
  $('queue-more').addEventListener('click',
    () => loadQueue({ append: true }));
  $('queue-new').addEventListener('click', () => loadQueue());

  const list = $('queue-list');
  list.addEventListener('click', onListClick);
  list.addEventListener('change', onListChange);
  list.addEventListener('focusin', onListFocus);
  list.addEventListener('submit', onListSubmit);

  $('settings-form').addEventListener('submit', saveSettings);
  $('site-form').addEventListener('submit', addSite);
  $('settings-form').addEventListener('input', (ev) => {
    if (ev.target.id)
      setFieldError(ev.target.id, '');
  });
  $('settings-reset').addEventListener('click', () => {
    if (state.settings)
      fillSettings(state.settings);
  });

  $('ban-form').addEventListener('submit', onBanForm);
  $('b-kind').addEventListener('change', banKindChanged);
  $('bans-body').addEventListener('click', onBanTable);
  $('post-form').addEventListener('click', onPostButton);
  $('post-form').addEventListener('submit', (ev) => ev.preventDefault());
  $('users-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadUsers();
  });
  $('hook-form').addEventListener('submit', onHookForm);
  $('h-kind').addEventListener('change', hookKindChanged);
  $('hook-form').addEventListener('input', (ev) => {
    if (ev.target.id)
      setFieldError(ev.target.id, '');
  });
  $('hook-secret').addEventListener('click', onSecretClick);
  $('hooks-list').addEventListener('click', onHooksClick);
  $('hooks-list').addEventListener('submit', onHooksSubmit);
  $('audit-more').addEventListener('click', () => loadAudit(true));
  $('import-form').addEventListener('submit', onImport);
  $('i-file').addEventListener('change', onFileChosen);
  $('i-format').addEventListener('change', onFormatPicked);
  $('export-button').addEventListener('click', onExport);
  $('privacy-form').addEventListener('submit', onPrivacyExport);
  $('pv-erase').addEventListener('click', onPrivacyErase);
  $('privacy-confirm').addEventListener('close', onPrivacyConfirmClosed);
  $('pv-email').addEventListener('input', () => setFieldError('pv-email', ''));
}

async function start() {
  bindEvents();
  banKindChanged();
  $('h-events-list').append(...eventChecks([]));
  hookKindChanged();
  formatChanged();
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (!state.token)
    return showLogin();
  try {
    const { user } = await api('GET', '/auth/me');
    await signedIn(user);
  } catch (e) {
    if (e.status !== 401) {
      /* Keep the token: the server may be back soon. */
      showLogin(e.message);
    }
  }
}

start();
