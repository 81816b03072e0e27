/* Import & export (admins): a WordPress, Disqus or Parley export sent
 * as it is to POST /admin/import, its job followed until it ends, and
 * Parley's own export saved as a file. admin-session.js's route() shows
 * the section (#/import, admins only) and tells it when it is shown or
 * left. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import {
  $, announce, el, qs, saveFile, setFieldError,
} from './admin-dom.js';
import { refreshCounts } from './admin-queue.js';
import { sessionEnded } from './admin-session.js';

const POLL_MS = 500;
/* After an answer that was not the job's: a slower look. */
const RETRY_MS = 3000;
const ERRORS_SHOWN = 20;
const EXPORT_NAME = 'parley-export.jsonl.gz';
const FINISHED = ['done', 'failed'];

/* The job on show, in the page's state: its id, the file's name, size,
 * format and key, the session the section's content belongs to (another
 * session never sees it), the job's latest answer, the timer of the next
 * look and the latest look's number. */
const job = state.importJob = {
  id: null, name: '', size: 0, format: '', key: null, token: null,
  last: null, timer: null, seq: 0,
};

/* The format a file's name suggests, or null to leave the choice. */
export function guessFormat(name) {
  const n = name.toLowerCase();
  if (/\.jsonl(\.gz)?$/.test(n))
    return 'parley';
  if (n.includes('disqus'))
    return 'disqus';
  if (n.endsWith('.wxr') ||
    (/\.xml(\.gz)?$/.test(n) && n.includes('wordpress')))
    return 'wxr';
  return null;
}

export function onFileChosen() {
  const file = $('i-file').files[0];
  setFieldError('i-file', '');
  $('import-error').textContent = '';
  const format = file ? guessFormat(file.name) : null;
  if (format)
    $('i-format').value = format;
  $('i-format-hint').textContent = format ?
    'Chosen from the file\'s name.' : '';
  formatChanged();
}

/* Parley's own export keys posts as they were: no choice to make. */
export function formatChanged() {
  $('i-key-field').hidden = $('i-format').value === 'parley';
}

export function onFormatPicked() {
  $('i-format-hint').textContent = '';
  formatChanged();
}

function sizeText(bytes) {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let n = bytes, u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return u === 0 ? `${n} ${n === 1 ? 'byte' : 'bytes'}` :
    `${n.toLocaleString(undefined, { maximumFractionDigits: 1 })} ` +
    units[u];
}

const count = (n) => Number(n || 0).toLocaleString();

/* What fetch() cannot say (its answer is no JSON, or there is none),
 * in the page's words; otherwise the server's own. */
const FALLBACK = {
  0: 'The server could not be reached. Check the connection and ' +
    'try again.',
  413: 'The file is larger than this server accepts (import_max_mib ' +
    'in parley.conf). Import it on the server with make import instead.',
};

/* A server may close the connection as soon as it sees a body over its
 * limit, before the browser has read its 413. */
const UPLOAD_STOPPED = 'The upload stopped before the server answered. ' +
  'The file may be larger than this server accepts, or the connection ' +
  'dropped.';

function failure(status, err) {
  const e = new Error((err && err.message) || FALLBACK[status] ||
    `The server answered with status ${status}.`);
  e.status = status;
  e.code = (err && err.code) || `http_${status}`;
  return e;
}

/* A call that api() cannot make (a file as the body, a gzip as the
 * answer), with the same token and errors; the answer when it is 2xx. */
async function request(method, path, { body, accept, type } = {}) {
  const headers = { accept };
  if (type)
    headers['content-type'] = type;
  if (state.token)
    headers.authorization = `Bearer ${state.token}`;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body,
      cache: 'no-store', credentials: 'omit' });
  } catch (_) {
    throw failure(0, null);
  }
  if (res.ok)
    return res;
  let data = null;
  try {
    data = await res.json();
  } catch (_) { /* not JSON: a proxy's page, say */ }
  if (res.status === 401 && state.token)
    sessionEnded();
  throw failure(res.status, data && data.error);
}

function panelShown() {
  return !$('app-view').hidden && !$('import').hidden &&
    state.token !== null && state.token === job.token;
}

function stopPolling() {
  clearTimeout(job.timer);
  job.timer = null;
  job.seq++;
}

/* Forgets the job and what the form held: another session starts
 * afresh. */
function forget() {
  stopPolling();
  Object.assign(job, { id: null, name: '', size: 0, format: '', key: null,
    token: null, last: null });
  $('import-form').reset();
  $('i-format-hint').textContent = '';
  formatChanged();
  setFieldError('i-file', '');
  $('import-error').textContent = '';
  $('export-error').textContent = '';
  $('import-job').hidden = true;
  $('import-form').querySelector('button[type=submit]').disabled = false;
}

/* The section is shown (route() in admin-session.js): a new session
 * starts afresh; back on the panel, follow the job again. */
export function importShown() {
  if (job.token !== null && job.token !== state.token)
    forget();
  job.token = state.token;
  if (job.id !== null && job.last && !FINISHED.includes(job.last.state) &&
    job.timer === null)
    poll();
}

/* The section is left, or the session ended: no more polls. */
export function importHidden() {
  stopPolling();
}

export async function onImport(ev) {
  ev.preventDefault();
  const file = $('i-file').files[0];
  const button = $('import-form').querySelector('button[type=submit]');
  $('import-error').textContent = '';
  if (!file) {
    setFieldError('i-file', 'Choose the export file first.');
    $('i-file').focus();
    return;
  }
  setFieldError('i-file', '');
  const format = $('i-format').value;
  const params = { format };
  if (format !== 'parley')
    params.key = $('i-key').value;

  stopPolling();
  Object.assign(job, { id: null, name: file.name, size: file.size,
    format, key: params.key || null, token: state.token, last: null });
  button.disabled = true;
  showSending();
  try {
    const res = await request('POST', `/admin/import${qs(params)}`,
      { body: file, accept: 'application/json',
        type: 'application/octet-stream' });
    const id = await res.json().then((a) => a && a.job, () => null);
    if (job.token !== state.token)
      return;
    if (!Number.isSafeInteger(id))
      throw failure(res.status, null);
    job.id = id;
    job.last = { job: id, state: 'queued', bytes: file.size,
      bytes_read: 0 };
    renderJob();
    poll();
  } catch (e) {
    if (job.token !== state.token)
      return;
    $('import-job').hidden = true;
    button.disabled = false;
    if (e.status !== 401) {
      $('import-error').textContent = e.status === 0 ? UPLOAD_STOPPED :
        e.message;
    }
  }
}

function showSending() {
  $('import-job-title').textContent = `Import of ${job.name}`;
  $('import-meta').textContent = metaText();
  $('import-job').removeAttribute('data-job');
  $('import-state').textContent =
    `Sending ${job.name} (${sizeText(job.size)})…`;
  const bar = $('import-progress');
  bar.removeAttribute('value'); /* indeterminate: no progress events */
  bar.removeAttribute('max');
  $('import-done').textContent = '';
  $('import-counts').hidden = true;
  $('import-counts-hint').hidden = true;
  $('import-errors-box').hidden = true;
  $('import-job').className = 'card import-job';
  $('import-job').hidden = false;
}

/* One look at the job; the next one follows while it runs and the
 * panel is shown. */
async function poll() {
  clearTimeout(job.timer);
  job.timer = null;
  if (job.id === null || !panelShown())
    return;
  const seq = ++job.seq;
  const id = job.id;
  let answer;
  try {
    answer = await api('GET', `/admin/import/${id}`);
  } catch (e) {
    if (seq !== job.seq || e.status === 401)
      return;
    if (e.status === 404 || e.status === 403) {
      $('import-state').textContent = e.message;
      finish();
      return;
    }
    $('import-done').textContent = `${e.message} Trying again.`;
    job.timer = setTimeout(poll, RETRY_MS);
    return;
  }
  if (seq !== job.seq || id !== job.id)
    return;
  job.last = answer;
  renderJob();
  if (FINISHED.includes(answer.state)) {
    finish();
    /* Held comments may have come in: the badge and tabs count them. */
    if (answer.state === 'done' && answer.imported > 0)
      refreshCounts();
  } else {
    job.timer = setTimeout(poll, POLL_MS);
  }
}

function finish() {
  stopPolling();
  $('import-form').querySelector('button[type=submit]').disabled = false;
}

function renderJob() {
  const j = job.last;
  const bytes = Number(j.bytes) || 0;
  const read = Math.min(Number(j.bytes_read) || 0, bytes);
  const bar = $('import-progress');
  const ended = FINISHED.includes(j.state);
  $('import-job-title').textContent = `Import of ${job.name}`;
  $('import-job').className = `card import-job state-${j.state}`;
  $('import-job').dataset.job = j.job;
  $('import-meta').textContent = metaText();
  if (bytes > 0) {
    bar.max = bytes;
    bar.value = j.state === 'done' ? bytes : read;
    const pct = `${Math.floor(read * 100 / bytes)}%`;
    $('import-done').textContent = j.state === 'done' ? '100%' :
      j.state === 'failed' ? `Stopped at ${pct}` :
        pct + (j.read ? ` · ${count(j.read)} read` : '');
  } else {
    bar.removeAttribute('value');
    bar.removeAttribute('max');
    $('import-done').textContent = '';
  }
  setState(stateText(j));

  $('import-counts').hidden = j.state !== 'done';
  $('import-counts-hint').hidden = j.state !== 'done';
  if (j.state === 'done') {
    for (const dd of $('import-counts').querySelectorAll('[data-count]'))
      dd.textContent = count(j[dd.dataset.count]);
  }
  const errors = Array.isArray(j.errors) ? j.errors : [];
  $('import-errors-box').hidden = !ended || errors.length === 0;
  if (ended)
    renderErrors(errors);
}

const FORMAT_NAMES = { wxr: 'WordPress WXR', disqus: 'Disqus',
  parley: 'Parley export' };

/* Job 17 · WordPress WXR · 12.3 KB, keyed by the link's path. */
function metaText() {
  const parts = [];
  if (job.id !== null)
    parts.push(`Job ${job.id}`);
  parts.push(FORMAT_NAMES[job.format] || job.format, sizeText(job.size));
  return parts.join(' · ') + (job.key === 'path' ?
    ', posts keyed by their links\' paths' : '');
}

/* The live region speaks only when its words change. */
function setState(text) {
  const out = $('import-state');
  if (out.textContent !== text)
    out.textContent = text;
}

function stateText(j) {
  const name = job.name;
  const errors = Array.isArray(j.errors) ? j.errors : [];
  switch (j.state) {
    case 'queued':
      return `${name} was sent. The import starts in a moment.`;
    case 'running':
      return `Importing ${name}…`;
    case 'failed':
      return `The import of ${name} failed, and nothing was imported.` +
        (errors.length ? ` ${sentence(String(errors[0]))}` : '');
    case 'done': {
      const imported = Number(j.imported) || 0;
      const already = Number(j.already) || 0;
      let text = imported === 0 ?
        `Done: no new comments in ${name}.` :
        `Done: imported ${count(imported)} ` +
        `${imported === 1 ? 'comment' : 'comments'} from ${name}.`;
      if (already > 0)
        text += ` ${count(already)} ${already === 1 ? 'was' : 'were'} ` +
          'already there.';
      return text;
    }
    default:
      return `The import is ${j.state}.`;
  }
}

function sentence(s) {
  const t = s.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

function renderErrors(errors) {
  const items = errors.slice(0, ERRORS_SHOWN).map((msg) =>
    el('li', {}, String(msg)));
  if (errors.length > ERRORS_SHOWN)
    items.push(el('li', { class: 'muted' },
      `And ${count(errors.length - ERRORS_SHOWN)} more.`));
  $('import-errors-title').textContent = errors.length === 1 ?
    'Error' : `Errors (${count(errors.length)})`;
  $('import-errors').replaceChildren(...items);
}

/* The file name a Content-Disposition header gives, without any path,
 * or null. */
export function dispositionName(header) {
  if (!header)
    return null;
  let name = null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;\s]+)/.exec(header);
  if (star) {
    try {
      name = decodeURIComponent(star[1]);
    } catch (_) { /* badly encoded: try the plain one */ }
  }
  if (name === null) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i
      .exec(header);
    if (plain)
      name = plain[1] !== undefined ?
        plain[1].replace(/\\(.)/g, '$1') : plain[2];
  }
  if (name === null)
    return null;
  name = name.replace(/^.*[/\\]/, '').replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return name && name !== '.' && name !== '..' ? name : null;
}

export async function onExport() {
  const button = $('export-button');
  $('export-error').textContent = '';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  const label = button.textContent;
  button.textContent = 'Preparing the export…';
  try {
    const res = await request('GET', '/admin/export',
      { accept: 'application/gzip' });
    const blob = await res.blob();
    const name = dispositionName(res.headers.get('content-disposition')) ||
      EXPORT_NAME;
    saveFile(blob, name);
    announce(`Downloaded ${name} (${sizeText(blob.size)}).`);
  } catch (e) {
    /* A failure without a status: the answer broke off. */
    if (e.status !== 401)
      $('export-error').textContent = e.status === undefined ?
        FALLBACK[0] : e.message;
  } finally {
    button.textContent = label;
    button.removeAttribute('aria-busy');
    button.disabled = false;
  }
}
