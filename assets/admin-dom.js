/* Small helpers: building elements, times, messages, field errors. */

export const $ = (id) => document.getElementById(id);

/* An element with attributes (on* are listeners) and children;
 * strings become text nodes, never markup. */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false)
      continue;
    if (k === 'class')
      e.className = v;
    else if (k.startsWith('on'))
      e.addEventListener(k.slice(2), v);
    else if (k === 'value' || k === 'checked')
      e[k] = v;
    else
      e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false)
      e.append(c);
  }
  return e;
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== '' && v !== null && v !== undefined)
      u.set(k, v);
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function relTime(iso) {
  const secs = (Date.parse(iso) - Date.now()) / 1000;
  const abs = Math.abs(secs);
  if (abs < 45)
    return 'just now';
  if (abs < 45 * 60)
    return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 22 * 3600)
    return rtf.format(Math.round(secs / 3600), 'hour');
  if (abs < 7 * 86400)
    return rtf.format(Math.round(secs / 86400), 'day');
  return new Date(iso).toLocaleDateString(undefined,
    { year: 'numeric', month: 'short', day: 'numeric' });
}

export function exactTime(iso) {
  return new Date(iso).toLocaleString(undefined,
    { dateStyle: 'long', timeStyle: 'medium' });
}

export function timeEl(iso) {
  if (!iso)
    return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: iso, title: exactTime(iso),
    'data-rel': '' }, relTime(iso));
}

/* A short exact time, for log lines and deadlines. */
export function stampEl(iso) {
  return el('time', { datetime: iso, title: exactTime(iso) },
    new Date(iso).toLocaleString(undefined,
      { dateStyle: 'medium', timeStyle: 'medium' }));
}

export function refreshTimes() {
  for (const t of document.querySelectorAll('time[data-rel]'))
    t.textContent = relTime(t.getAttribute('datetime'));
}

/* Saves a Blob as a file: a temporary link to it, clicked. */
export function saveFile(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  /* The download has its copy by then. */
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

let toastTimer = null;

/* Shows a message and reads it out (the toast is a live region). */
export function announce(msg, isError = false) {
  const box = $('status');
  clearTimeout(toastTimer);
  box.textContent = '';
  box.classList.toggle('error', isError);
  /* A fresh node after a tick, so a repeated message is read too. */
  setTimeout(() => { box.textContent = msg; }, 30);
  toastTimer = setTimeout(() => { box.textContent = ''; },
    isError ? 9000 : 5000);
}

export function report(err) {
  if (err.status === 401)
    return; /* sessionEnded() took over */
  announce(err.message, true);
}

export function setFieldError(id, msg) {
  const input = $(id), out = $(`${id}-err`);
  if (out)
    out.textContent = msg || '';
  if (input) {
    if (msg)
      input.setAttribute('aria-invalid', 'true');
    else
      input.removeAttribute('aria-invalid');
  }
}

export function clearFieldErrors(form) {
  for (const p of form.querySelectorAll('.field-error'))
    p.textContent = '';
  for (const i of form.querySelectorAll('[aria-invalid]'))
    i.removeAttribute('aria-invalid');
}
