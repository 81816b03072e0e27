/* A hook's secret, shown once: it goes into the page and nowhere else;
 * "Done" or leaving the page forgets it. */

import { $, announce, el, stampEl } from './admin-dom.js';

export function showSecret(hook, secret, rotated) {
  const box = $('hook-secret');
  if (typeof secret !== 'string' || !secret)
    return hideSecret();
  /* Text that wraps on a phone; one click selects all of it. */
  const value = el('code', { id: 'hook-secret-value',
    class: 'secret-value', tabindex: 0, translate: 'no',
    'aria-describedby': 'hook-secret-note' }, secret);
  value.addEventListener('focus', () => selectAll(value));
  box.replaceChildren(
    el('h3', { id: 'hook-secret-title' }, rotated ?
      'New secret' : 'Secret of the new hook'),
    el('p', { class: 'secret-for' }, `Hook #${hook.id} · `,
      el('span', { class: 'mono' }, hook.url)),
    el('div', { class: 'secret-line' }, value,
      el('button', { type: 'button', class: 'btn btn-primary',
        'data-secret-action': 'copy' }, 'Copy')),
    el('p', { class: 'secret-note', id: 'hook-secret-note' },
      el('strong', {}, 'Shown only now.'),
      ' Put it in the ' +
      'receiver\'s settings before you leave: Parley keeps it ' +
      'sealed and cannot show it again.',
      rotated && hook.rotating_until ? [' The old secret also ' +
        'signs until ', stampEl(hook.rotating_until), '.'] :
        rotated ? ' The old secret no longer signs.' : null),
    verifyHint(),
    el('div', { class: 'form-actions' },
      el('button', { type: 'button', class: 'btn',
        'data-secret-action': 'done' }, 'Done, hide it')));
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
  box.querySelector('[data-secret-action=copy]').focus();
}

/* How a receiver checks each request. Parley signs by the Standard
 * Webhooks specification, so an existing library does it, given the
 * secret exactly as shown and the raw body. */
function verifyHint() {
  return el('div', { class: 'secret-verify' },
    el('p', { class: 'hint' },
      'The receiver checks each request ' +
      'with a Standard Webhooks library, given this secret, ' +
      'the raw request body and the headers (',
      el('code', {}, 'webhook-id'), ', ',
      el('code', {}, 'webhook-timestamp'), ', ',
      el('code', {}, 'webhook-signature'), '). In Node:'),
    el('pre', { class: 'response secret-snippet', translate: 'no' },
      el('code', {},
        'const { Webhook } = require(\'standardwebhooks\');\n' +
        '// body: the raw request body, not re-serialized JSON\n' +
        'const event = new Webhook(secret).verify(body, headers);')),
    el('p', { class: 'hint' },
      'Python, Go, Ruby, PHP, Rust, ' +
      'Java and C# have libraries too, under the name ',
      el('code', {}, 'standardwebhooks'), '.'));
}

function selectAll(node) {
  const range = document.createRange();
  range.selectNodeContents(node);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

export function hideSecret() {
  const box = $('hook-secret');
  box.replaceChildren();
  box.hidden = true;
}

export async function onSecretClick(ev) {
  const b = ev.target.closest('[data-secret-action]');
  if (!b)
    return;
  if (b.dataset.secretAction === 'done') {
    hideSecret();
    $('hooks-title').scrollIntoView({ block: 'nearest' });
    return void $('h-url').focus();
  }
  const value = $('hook-secret-value');
  let copied = false;
  try {
    await navigator.clipboard.writeText(value.textContent);
    copied = true;
  } catch (_) {
    selectAll(value);
    try {
      copied = document.execCommand('copy');
    } catch (__) { /* the selection stays for Ctrl+C */ }
  }
  if (copied) {
    b.textContent = 'Copied';
    announce('Copied the secret.');
  } else {
    value.focus();
    announce('Copying did not work here: the secret is ' +
      'selected, press Ctrl+C.', true);
  }
}
