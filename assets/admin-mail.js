/* The signed-in moderator's own e-mail (GET and PATCH /me/mail): digests
 * of held comments, switched under "My e-mail" in the header. Turning
 * them on for an address never confirmed makes the server mail a link
 * first; the digests start once it is followed. */

import { state } from './admin-state.js';
import { api } from './admin-api.js';
import { $, announce, plural, report } from './admin-dom.js';

/* Kept here rather than in admin-state.js: nothing else reads it. */
const mailState = {
  seq: 0,                   /* latest /me/mail request */
  current: null,            /* { mail, minutes } as last shown */
};

const MAIL_OFF =
  'This Parley sends no e-mail: set smtp_url in parley.conf.';
const CONFIRM = 'Check your inbox: confirm your address to start the ' +
  'digests.';

export function mailPanelOpen() {
  return !$('me-panel').hidden;
}

export function openMailPanel() {
  $('me-panel').hidden = false;
  $('me-button').setAttribute('aria-expanded', 'true');
  $('me-address').textContent = state.user.email;
  /* Asked afresh each time: the address may have been confirmed in a
   * mail client since. */
  loadMail();
}

export function closeMailPanel(refocus) {
  if (!mailPanelOpen())
    return;
  $('me-panel').hidden = true;
  $('me-button').setAttribute('aria-expanded', 'false');
  if (refocus)
    $('me-button').focus();
}

/* Escape from inside closes it; a click elsewhere on the page too. */
export function onMailKey(ev) {
  if (ev.key === 'Escape' && mailPanelOpen()) {
    ev.preventDefault();
    closeMailPanel(true);
  }
}

export function onPageClick(ev) {
  if (mailPanelOpen() && !$('me').contains(ev.target))
    closeMailPanel(false);
}

/* Forgets what the page knew (the session ended). */
export function clearMail() {
  mailState.seq++;
  mailState.current = null;
  closeMailPanel(false);
  $('me-held').checked = false;
  $('me-held').disabled = false;
  $('me-held-status').textContent = '';
  $('me-address').textContent = '';
  $('s-mail-off').hidden = true;
}

/* Whether this Parley sends mail at all, for the Settings' E-mail
 * rules; quiet, as the rules work either way. */
export async function loadMailNote() {
  try {
    const { mail } = await api('GET', '/me/mail');
    $('s-mail-off').hidden = mail.enabled;
  } catch (_) { /* the note stays as it was */ }
}

export async function loadMail() {
  const seq = ++mailState.seq;
  const box = $('me-held');
  box.disabled = true;
  try {
    const { mail } = await api('GET', '/me/mail');
    const minutes = await digestMinutes(mail);
    if (seq === mailState.seq)
      showMail(mail, minutes);
  } catch (e) {
    if (seq !== mailState.seq)
      return;
    if (mailState.current)
      showMail(mailState.current.mail, mailState.current.minutes);
    else
      $('me-held-status').textContent = e.status === 401 ? '' :
        `Not known just now: ${e.message}`;
    report(e);
  }
}

export async function onMailHeld(ev) {
  const box = ev.target, want = box.checked;
  const seq = ++mailState.seq;
  box.disabled = true;
  try {
    const { mail } = await api('PATCH', '/me/mail', { mail_held: want });
    const minutes = await digestMinutes(mail);
    if (seq === mailState.seq)
      showMail(mail, minutes);
    announce(toggled(mail));
  } catch (e) {
    if (seq !== mailState.seq)
      return;
    const was = mailState.current;
    if (e.code === 'mail_off')
      showMail({ ...(was ? was.mail : {}), mail_held: !want,
        enabled: false }, null);
    else if (was)
      showMail(was.mail, was.minutes);
    else {
      box.checked = !want;
      box.disabled = false;
    }
    report(e);
  }
}

/* What a switch did, read out. */
function toggled(mail) {
  if (!mail.mail_held)
    return 'Held comments are no longer e-mailed to you.';
  if (mail.address === 'subscribed')
    return 'Held comments are e-mailed to you now.';
  if (mail.address === 'suppressed')
    return mailStatus(mail, null);
  return `Held comments will be e-mailed to you. ${mailStatus(mail, null)}`;
}

/* How often a digest may go (a setting), for the status of digests that
 * are on; null when that is not the question or cannot be told. */
async function digestMinutes(mail) {
  if (!mail.enabled || !mail.mail_held || mail.address !== 'subscribed')
    return null;
  if (state.settings)
    return state.settings.moderator_digest_minutes ?? null;
  try {
    const { settings } = await api('GET', '/admin/settings');
    return settings.moderator_digest_minutes ?? null;
  } catch (_) {
    return null;
  }
}

function showMail(mail, minutes) {
  mailState.current = { mail, minutes };
  const box = $('me-held');
  box.checked = Boolean(mail.mail_held);
  /* A suppressed address may still turn digests off, never on. */
  box.disabled = !mail.enabled ||
    (!mail.mail_held && mail.address === 'suppressed');
  $('me-held-status').textContent = mailStatus(mail, minutes);
  $('s-mail-off').hidden = mail.enabled !== false;
}

function mailStatus(mail, minutes) {
  const to = state.user ? state.user.email : 'your address';
  if (!mail.enabled)
    return MAIL_OFF;
  if (mail.address === 'suppressed')
    return `No mail can reach ${to}: its mail server refused it for ` +
      'good, or its data was erased here.';
  if (!mail.mail_held)
    return mail.address === 'subscribed' ?
      `Off. ${to} is confirmed: digests start as soon as this is on.` :
      'Off. The first time, a link to confirm your address is mailed ' +
      'to you.';
  if (mail.address !== 'subscribed')
    return CONFIRM;
  return minutes ? `On: a digest of held comments goes to ${to} at ` +
    `most every ${plural(minutes, 'minute')}.` :
    `On: digests of held comments go to ${to}.`;
}
