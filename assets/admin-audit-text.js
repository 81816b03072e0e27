/* An audit entry as a sentence a moderator reads after the actor's
 * name: "approved comment 12 (was held)", "changed max_links from 2 to
 * 5", "pinged hook 3"; a commenter's own erasure as a whole sentence,
 * as no moderator did it. One phrasing for each action the server writes
 * (sql/functions/*.sql: audit()); an unknown one still reads plainly. */

import { STATUS_LABEL } from './admin-queue.js';

const BAN_KIND = { email: 'e-mail', ip: 'IP', account: 'account' };

/* "a" or "an" before a word. */
function article(word) {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

function quoted(s) {
  const t = String(s);
  return `“${t.length > 60 ? `${t.slice(0, 59)}…` : t}”`;
}

/* A value as a sentence says it: lists by their items, switches on or
 * off, text in quotes. */
function spoken(v) {
  if (v === null || v === undefined)
    return 'nothing';
  if (typeof v === 'boolean')
    return v ? 'on' : 'off';
  if (Array.isArray(v))
    return v.length === 0 ? 'none' : listed(v.map(spoken));
  if (typeof v === 'object')
    return 'a new value';
  return typeof v === 'string' ? quoted(v) : String(v);
}

/* "a", "a and b", "a, b and c". */
function listed(parts) {
  if (parts.length <= 1)
    return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/* The keys whose values differ between two objects. */
function changedKeys(before, after) {
  const b = before || {}, a = after || {};
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => !same(b[k], a[k]));
}

function statusWord(status) {
  return STATUS_LABEL[status] || status;
}

function was(before) {
  return before && before.status ?
    ` (was ${statusWord(before.status)})` : '';
}

function from(before) {
  const place = { deleted: 'the trash', spam: 'spam' }[
    before && before.status];
  return place ? ` from ${place}` : '';
}

/* comment.*: before and after are {status, body}. */
function commentSentence(verb, id, before, after) {
  const c = `comment ${id}`;
  switch (verb) {
    case 'approve':
      return `approved ${c}${was(before)}`;
    case 'hold':
      return `held ${c} for review${was(before)}`;
    case 'spam':
      return `marked ${c} as spam${was(before)}`;
    case 'trash':
      return `moved ${c} to the trash${was(before)}`;
    case 'restore':
      return `restored ${c}${from(before)}${after && after.status ?
        ` (now ${statusWord(after.status)})` : ''}`;
    case 'delete':
      return `deleted ${c} forever${was(before)}`;
    case 'edit':
      return `edited the text of ${c}`;
    default:
      return null;
  }
}

/* One setting's change: "turned allow_guests off", "added "casino" to
 * disallowed_words", "changed max_links from 2 to 5". */
function settingClause(key, b, a) {
  if (typeof a === 'boolean')
    return `turned ${key} ${spoken(a)}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    const added = a.filter((x) => !b.some((y) => same(x, y)));
    const removed = b.filter((x) => !a.some((y) => same(x, y)));
    const parts = [];
    if (added.length > 0)
      parts.push(`added ${spoken(added)} to ${key}`);
    if (removed.length > 0)
      parts.push(`removed ${spoken(removed)} from ${key}`);
    return parts.length > 0 ? parts.join(' and ') :
      `reordered ${key}`;
  }
  return `changed ${key} from ${spoken(b)} to ${spoken(a)}`;
}

function settingsSentence(before, after) {
  const keys = changedKeys(before, after).sort();
  if (keys.length === 0)
    return 'saved the rules unchanged';
  /* Clauses may hold an "and" of their own: semicolons between. */
  return keys.map((k) => settingClause(k, (before || {})[k],
    (after || {})[k])).join('; ');
}

/* ban.*: the ban's row after creating it, before lifting it. */
function banSentence(verb, id, before, after) {
  const ban = (verb === 'create' ? after : before) || {};
  const what = ban.kind ? `${BAN_KIND[ban.kind] || ban.kind} ` +
    `${ban.value}` : `ban ${id}`;
  if (verb === 'delete')
    return ban.kind ? `lifted the ban on ${what}` : `lifted ${what}`;
  if (verb !== 'create')
    return null;
  const until = ban.expires_at ? ` until ${new Date(ban.expires_at)
    .toLocaleString(undefined, { dateStyle: 'medium',
      timeStyle: 'short' })}` : '';
  return `banned ${what}${until}${ban.reason ?
    ` (${quoted(ban.reason)})` : ''}`;
}

function postSentence(verb, key, before, after) {
  const p = `post ${key}`;
  switch (verb) {
    case 'close':
      return `closed ${p} to new comments`;
    case 'open':
      return `opened ${p} to new comments`;
    case 'update':
      return before && after && before.title !== after.title ?
        `renamed ${p} to ${quoted(after.title)}` : `updated ${p}`;
    default:
      return null;
  }
}

function roleSentence(id, before, after) {
  const role = after && after.role;
  if (!role)
    return `changed the role of user ${id}`;
  return `made user ${id} ${article(role)}${before && before.role ?
    ` (was ${article(before.role)})` : ''}`;
}

/* What a hook's edit changed, as parts after "changed hook N:". */
function hookChanges(before, after) {
  const parts = [];
  for (const k of changedKeys(before, after)) {
    if (k === 'enabled')
      parts.push(`turned it ${spoken(after.enabled)}`);
    else if (k === 'url')
      parts.push(`set its URL to ${after.url}`);
    else if (k === 'events')
      parts.push(`set its events to ${after.events.length > 0 ?
        after.events.join(', ') : 'every event'}`);
  }
  return parts;
}

function hookSentence(verb, id, before, after) {
  const hook = `hook ${id}`;
  switch (verb) {
    case 'create':
      return after ? `added ${after.kind} ${hook} for ${after.url}` :
        `added ${hook}`;
    case 'update': {
      const parts = hookChanges(before, after);
      if (parts.length === 1 && parts[0].startsWith('turned'))
        return `${after.enabled ? 'enabled' : 'disabled'} ${hook}`;
      return parts.length > 0 ? `changed ${hook}: ${listed(parts)}` :
        `saved ${hook} unchanged`;
    }
    case 'rotate':
      return `rotated the secret of ${hook}`;
    case 'delete':
      return before && before.url ? `deleted ${before.kind} ${hook} ` +
        `for ${before.url}` : `deleted ${hook}`;
    case 'ping':
      return `pinged ${hook}`;
    default:
      return null;
  }
}

/* privacy.erase: target id is the SHA-256 of the address; after holds
 * the counts and who asked ('moderator', 'self' from an account, 'link'
 * mailed to a guest). A commenter's own erasure reads as a sentence of
 * its own, as its actor is "system". */
function eraseSentence(hash, after) {
  const a = after || {};
  const n = (k) => (Number.isInteger(a[k]) ? a[k] : 0);
  const count = (k, word) => `${n(k)} ${word}${n(k) === 1 ? '' : 's'}`;
  const parts = [`${count('deleted', 'comment')} deleted`];
  if (n('anonymized') > 0)
    parts.push(`${n('anonymized')} kept as ${n('anonymized') === 1 ?
      'a placeholder' : 'placeholders'}`);
  if (n('votes') > 0)
    parts.push(`${count('votes', 'vote')} removed`);
  if (a.account)
    parts.push('the account deleted');
  const what = `(SHA-256 ${String(hash || '').slice(0, 12)}…): ` +
    `${parts.join(', ')}`;
  if (a.by === 'self')
    return `A commenter erased their own data from their account ${what}`;
  if (a.by === 'link')
    return 'A commenter erased their own data with a link mailed to ' +
      `them ${what}`;
  return `erased the data of an e-mail address ${what}`;
}

/* "did foo.bar to widget 4", without "settings settings". */
function fallbackSentence(e) {
  const { type, id } = e.target;
  const target = !id || id === type ? type : `${type} ${id}`;
  return `did ${e.action} to ${target}`;
}

export function auditSentence(e) {
  const [kind, verb] = e.action.split('.');
  const id = e.target.id, before = e.before, after = e.after;
  let s = null;
  if (kind === 'comment')
    s = commentSentence(verb, id, before, after);
  else if (e.action === 'settings.update')
    s = settingsSentence(before, after);
  else if (kind === 'ban')
    s = banSentence(verb, id, before, after);
  else if (kind === 'post')
    s = postSentence(verb, id, before, after);
  else if (e.action === 'user.role')
    s = roleSentence(id, before, after);
  else if (kind === 'hook')
    s = hookSentence(verb, id, before, after);
  else if (e.action === 'privacy.erase')
    s = eraseSentence(id, after);
  else if (e.action === 'delivery.redeliver')
    s = `sent delivery ${id} again`;
  return s || fallbackSentence(e);
}
