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

async function setRole(u, select) {
  const role = select.value;
  const err = select.parentNode.querySelector('.row-error');
  err.textContent = '';
  if (u.id === state.user.id && role !== 'admin' &&
    !confirm('Give up your own admin role? You will lose access ' +
      'to this section.')) {
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
