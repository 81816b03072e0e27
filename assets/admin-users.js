/* Users (admins): accounts and their roles. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import { $, announce, el, qs, timeEl } from './admin-dom.js';
import { signedIn } from './admin-session.js';

export async function loadUsers() {
  $('users-error').textContent = '';
  try {
    const { users } = await api('GET',
      `/admin/users${qs({ q: $('u-q').value.trim() })}`);
    state.users = users;
    renderUsers();
  } catch (e) {
    if (e.status !== 401)
      $('users-error').textContent = e.message;
  }
}

function renderUsers() {
  $('users-body').replaceChildren(...state.users.map(userRow));
  $('users-empty').hidden = state.users.length > 0;
}

function userRow(u) {
  const select = el('select',
    { 'aria-label': `Role of ${u.name}`,
      'data-user-id': u.id },
    ['reader', 'moderator', 'admin'].map((r) => el('option',
      { value: r }, r)));
  select.value = u.role;
  select.addEventListener('change', () => setRole(u, select));
  return el('tr', { 'data-user-id': u.id },
    el('td', {}, u.name, u.id === state.user.id ?
      el('span', { class: 'muted' }, ' (you)') : null),
    el('td', { class: 'mono' }, u.email),
    el('td', { class: 'mono' }, String(u.id)),
    el('td', {}, select, el('p', { class: 'row-error',
      role: 'alert' })),
    el('td', {}, timeEl(u.created_at)));
}

/* What a role lets its holder do, for the confirmation. */
const ROLE_MEANS = {
  reader: 'may comment but not moderate',
  moderator: 'may moderate every comment, ban and change the rules',
  admin: 'may also manage users, sites and hooks',
};

/* A role change ends the account's sessions and grants or takes away
 * powers: ask first, whoever it is (a mis-click on a menu is easy). */
function confirmRole(u, role) {
  if (u.id === state.user.id && role !== 'admin')
    return confirm('Give up your own admin role? You will lose ' +
      'access to this section.');
  return confirm(`Make ${u.name} ${role === 'admin' ? 'an' : 'a'} ` +
    `${role} (now ${u.role === 'admin' ? 'an' : 'a'} ${u.role})? ` +
    `${capitalize(role)}s ${ROLE_MEANS[role]}. ${u.name} will be ` +
    'logged out everywhere and must log in again.');
}

function capitalize(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

async function setRole(u, select) {
  const role = select.value;
  const err = select.parentNode.querySelector('.row-error');
  err.textContent = '';
  if (role === u.role)
    return;
  if (!confirmRole(u, role)) {
    select.value = u.role;
    return;
  }
  select.disabled = true;
  try {
    const { user } = await api('PATCH', `/admin/users/${u.id}`,
      { role });
    u.role = user.role;
    announce(`${user.name} is now ${user.role === 'admin' ?
      'an' : 'a'} ${user.role}.`);
    if (u.id === state.user.id)
      signedIn({ ...state.user, role: user.role });
  } catch (e) {
    select.value = u.role;
    if (e.code === 'last_admin')
      err.textContent = 'This is the last admin. Make ' +
        'someone else an admin first.';
    else if (e.status !== 401)
      err.textContent = e.message;
  } finally {
    select.disabled = false;
  }
}
