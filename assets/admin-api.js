/* The JSON API, with the session's token; errors as ApiError. */

import { state } from './admin-state.js';
import { sessionEnded } from './admin-session.js';

const API = '/api/v1';

class ApiError extends Error {
  constructor(status, err) {
    super((err && err.message) ||
      `The server answered with status ${status}.`);
    this.status = status;
    this.code = (err && err.code) || `http_${status}`;
    this.field = (err && err.field) || null;
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const init = { method, headers, cache: 'no-store',
    credentials: 'omit' };
  if (state.token)
    headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (_) {
    throw new ApiError(0, { code: 'network', message:
      'The server could not be reached. Check the ' +
      'connection and try again.' });
  }
  if (res.status === 204)
    return null;
  let data = null;
  try {
    data = await res.json();
  } catch (_) { /* not JSON */ }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.error);
    if (res.status === 401 && state.token &&
      path !== '/auth/login')
      sessionEnded();
    throw err;
  }
  return data;
}
