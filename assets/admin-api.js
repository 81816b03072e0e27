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
    this.errors = fieldErrors(err, this.field, this.message);
  }
}

/* Every invalid field of a 422: the server lists them all in
 * error.errors; an answer without that list names one field at most. */
function fieldErrors(err, field, message) {
  if (err && Array.isArray(err.errors))
    return err.errors.filter((e) => e && typeof e.message === 'string')
      .map((e) => ({ field: e.field || null, message: e.message }));
  return field ? [{ field, message }] : [];
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
