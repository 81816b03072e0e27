/*
 * Parley comments widget: <div id="parley" data-post="KEY"></div> and
 * this script. Options (data-): post, title, url, lang, theme (light |
 * dark | auto), sort (oldest | newest | top), limit, live ("false": no
 * live updates). It renders in a Shadow DOM, builds DOM with
 * textContent (the server's sanitized HTML is the only markup
 * inserted), talks only to its own origin without cookies, and keeps
 * state in localStorage under "parley:".
 *
 * Each widget on a page is one object (createWidget) holding its
 * settings, state and elements; the functions below take it first.
 * Served minified, with a source map (scripts/build-assets.sh); its
 * words in German and French are served beside it (loadLanguage).
 */
(() => {
  'use strict';

  /* Read synchronously: currentScript is gone once this run ends. */
  const script = document.currentScript ||
    [...document.scripts].find((s) => /\/embed\.js([?#]|$)/.test(s.src));
  if (!script || window.Parley)
    return;
  const API = new URL(script.src, location.href).origin;

  /* Translations. Keys e_CODE[_FIELD] are the API's error codes, each
   * in every language (tests/browser/widget-errors.test.js reads the
   * codes from app/*.c); the server's own message is shown only for a
   * code this widget does not know yet. {origin} is this page's. */

  const I18N = {
    en: {
      count_one: '{n} Comment', count_other: '{n} Comments',
      none: 'No comments yet',
      loading: 'Loading comments…', retry: 'Try again',
      sort: 'Sort by', oldest: 'Oldest', newest: 'Newest', top: 'Top',
      more: 'Load more comments', leave: 'Leave a Reply',
      replyTo: 'Reply to {name}', closed: 'Comments are closed.',
      body: 'Comment', ph: 'Join the discussion…',
      name: 'Name', email: 'E-mail', site: 'Website',
      never: 'never shown', opt: 'optional',
      hp: 'Leave this field empty',
      md: 'Markdown: **bold**, *italic*, `code`, [link](https://…)',
      preview: 'Preview', post: 'Post Comment', reply: 'Reply',
      cancel: 'Cancel', save: 'Save', edit: 'Edit', del: 'Delete',
      sure: 'Really delete?', yes: 'Yes', no: 'No',
      up: 'Vote up', down: 'Vote down',
      edited: '(edited)', deleted: 'This comment was deleted.',
      pending: 'Your comment is awaiting moderation.',
      moderator: 'Moderator', admin: 'Admin',
      login: 'Log in', register: 'Register', logout: 'Log out',
      as: 'You are commenting as {name}.',
      orGuest: 'or comment as a guest', password: 'Password',
      pwRule: 'at least 10 characters',
      length: 'Characters used',
      editHint: 'Write the new version here.',
      posted: 'Comment posted.', held: 'Comment awaiting moderation.',
      saved: 'Comment updated.', removed: 'Comment deleted.',
      new_one: '{n} new comment', new_other: '{n} new comments',
      mr_one: 'Show {n} more reply', mr_other: 'Show {n} more replies',
      notify: 'E-mail me replies', feed: 'Comments feed',
      m_confirming: 'We sent you a mail: confirm your address to get replies.',
      m_subscribed: 'You will get an e-mail when someone replies.',
      m_suppressed: 'This address cannot be mailed.',
      m_off: 'You will get no e-mail about replies.',
      e_required: 'Please fill in this field.',
      e_required_author_name: 'Please give your name.',
      e_required_author_email: 'Give your e-mail address to get replies.',
      e_invalid_value: 'Please check this field.',
      e_invalid_value_author_email: 'This e-mail address does not look right.',
      e_invalid_value_author_url: 'The website must be an address like example.org.',
      e_invalid_value_author_name: 'A name is one line of at most 80 characters.',
      e_too_long: 'This is too long.',
      e_too_long_body: 'A comment may have at most 10,000 characters.',
      e_email_taken: 'This e-mail belongs to an account — log in.',
      e_weak_password: 'Choose a password of at least 10 characters.',
      e_invalid_credentials: 'That e-mail and password do not match an account.',
      e_post_closed: 'This post is closed to new comments.',
      e_banned: 'You cannot comment here.',
      e_guests_not_allowed: 'Please log in to comment.',
      e_duplicate: 'You have already posted this comment.',
      e_parent_not_found: 'The comment you reply to no longer exists.',
      e_edit_window_closed: 'The time to change this comment is over.',
      e_session: 'Your session has ended; please log in again.',
      e_not_logged_in: 'Please log in first.',
      e_forbidden: 'You may not do this.',
      e_own_comment: 'You cannot vote on your own comment.',
      e_not_found: 'This comment no longer exists.',
      e_rate: 'Too many attempts; try again in {n} seconds.',
      e_down: 'Comments are temporarily unavailable.',
      e_net: 'Could not reach the server; check your connection.',
      e_other: 'Something went wrong. Please try again.',
      e_origin_not_allowed: '{origin} may not post here (Parley admin: Sites).',
      e_mail_off: 'This site sends no e-mail.',
    },
    /* The other languages: listed here (pickLanguage), their words
     * fetched for a widget in one of them (loadLanguage) from
     * embed-LANG.js, built from assets/embed-LANG.json. */
    de: {
    },
    fr: {
    },
  };

  /* :host resets what the page passes down. A blog may set the colours
   * on #parley: --parley-accent, -bg, -fg, -muted, -border, -soft. */

  const CSS = `
:host{all:initial;display:block!important;container-type:inline-size}
.root{--accent:var(--parley-accent,#2563eb);--accent-text:color-mix(in srgb,var(--accent) 75%,var(--fg));--on-accent:#fff;--bg:var(--parley-bg,#fff);--fg:var(--parley-fg,#1f2328);--muted:var(--parley-muted,#5c6570);--border:var(--parley-border,#dfe3e8);--soft:var(--parley-soft,#f4f6f8);--danger:#c0262d;--note-bg:#fff4d1;--note-fg:#6d4c00;
color-scheme:light;position:relative;background:var(--bg);color:var(--fg);font:15px/1.55 var(--parley-font,system-ui,sans-serif);padding:20px 22px;border:1px solid var(--border);border-radius:12px;text-align:left;overflow-wrap:anywhere}
.root.dark{--accent:var(--parley-accent,#7aa7ff);--on-accent:#0d1424;--bg:var(--parley-bg,#181a1f);--fg:var(--parley-fg,#e4e6ea);--muted:var(--parley-muted,#9aa3ae);--border:var(--parley-border,#31353d);--soft:var(--parley-soft,#22252b);--danger:#ff8a80;--note-bg:#3a2f0b;--note-fg:#f0cf6a;color-scheme:dark}
*{box-sizing:border-box}
[hidden]{display:none!important}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
h2,h3{margin:0;line-height:1.25}
h2{font-size:1.3em}
h3{font-size:1.12em}
p{margin:0}
a{color:var(--accent)}
button,input,textarea,select{font:inherit;color:inherit;margin:0}
button{background:none;border:0;padding:0;cursor:pointer;border-radius:8px}
button:disabled{opacity:.55;cursor:default}
input,textarea,select{background:var(--bg);border:1px solid var(--border);border-radius:8px;padding:8px 10px;width:100%;min-width:0}
textarea{min-height:96px;resize:vertical;display:block}
input:focus,textarea:focus,select:focus{border-color:var(--accent)}
[aria-invalid=true]{border-color:var(--danger)}
.btn{padding:7px 14px;border:1px solid var(--border);font-weight:600;background:var(--bg)}
.btn:hover{background:var(--soft)}
.primary{background:var(--accent);border-color:var(--accent);color:var(--on-accent)}
.primary:hover{background:var(--accent);filter:brightness(1.1)}
.link{color:var(--accent);font-weight:600;padding:2px 4px}
.sr,.hp{position:absolute;left:-10000px;top:0;width:1px;height:1px;overflow:hidden}
.muted{color:var(--muted)}
.err{color:var(--danger);font-size:.92em}
.err:empty{display:none}
.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;padding-bottom:14px;border-bottom:1px solid var(--border)}
.top label{display:flex;align-items:center;gap:8px;font-size:.9em;color:var(--muted)}
.top select{width:auto;padding:5px 8px}
.status{padding:16px 0 0;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
.thread,.replies{list-style:none;margin:0;padding:0}
.c{margin-top:18px}
.art{display:grid;grid-template-columns:38px 1fr;gap:0 12px}
.av{width:38px;height:38px;border-radius:50%;display:grid;place-items:center;font-weight:700;font-size:16px;color:#fff;background:hsl(var(--h,210) 42% 48%);object-fit:cover}
.gone .av{background:var(--soft)}
.head{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 8px;font-size:.93em}
.name{font-weight:700;color:var(--fg);text-decoration:none}
a.name:hover{text-decoration:underline}
.badge{font-size:.72em;font-weight:700;text-transform:uppercase;letter-spacing:.05em;padding:1px 7px;border-radius:99px;color:var(--accent-text);background:color-mix(in srgb,var(--accent) 14%,transparent)}
time{color:var(--muted)}
.note{background:var(--note-bg);color:var(--note-fg);border-radius:6px;padding:3px 9px;font-size:.88em;margin:4px 0;width:fit-content}
.body{margin:2px 0}
.body p,.body ul,.body ol,.body pre,.body blockquote{margin:.45em 0}
.body ul,.body ol{padding-left:1.4em}
.body blockquote{border-left:3px solid var(--border);padding-left:.8em;color:var(--muted)}
.body code,.body pre{font-family:ui-monospace,monospace;font-size:.9em;background:var(--soft);border-radius:4px}
.body code{padding:.1em .3em}
.body pre{padding:.6em .8em;overflow:auto}
.body pre code{padding:0;background:none}
.gone p{color:var(--muted);font-style:italic;align-self:center}
.acts{display:flex;flex-wrap:wrap;align-items:center;gap:2px 10px;font-size:.87em;color:var(--muted);margin-left:-7px}
.vote{display:inline-flex;align-items:center}
.vote button{width:28px;height:28px;font-size:.8em;color:var(--muted)}
.vote button:hover,.act:hover{background:var(--soft);color:var(--fg)}
.vote button[aria-pressed=true]{color:var(--accent-text);background:color-mix(in srgb,var(--accent) 14%,transparent)}
.score{min-width:1.6em;text-align:center;font-weight:700;font-variant-numeric:tabular-nums;color:var(--fg)}
.act{padding:4px 7px;font-weight:600;color:var(--muted)}
.act[aria-expanded=true]{color:var(--accent)}
.slot:not(:empty){margin-top:8px}
.replies{margin-left:18px;padding-left:16px;border-left:2px solid var(--border)}
.replies .replies .replies .replies{margin-left:0;padding-left:10px}
.more,.new{width:100%;margin-top:18px}
.leave{margin-top:24px;padding-top:18px;border-top:1px solid var(--border)}
.leave-head{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:baseline;justify-content:space-between}
.acct{font-size:.9em;color:var(--muted)}
.form,.auth{display:grid;gap:10px;margin-top:12px}
.auth{display:flex;flex-wrap:wrap;padding:14px;border:1px solid var(--border);border-radius:10px;background:var(--soft)}
.auth .fld{flex:1 1 160px}
.auth .fa,.auth .err{flex-basis:100%}
.guest{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}
.member .guest{display:none}
.fld{display:grid;gap:4px;align-content:start}
.fld>span{font-size:.84em;font-weight:600;color:var(--muted)}
.preview{border:1px dashed var(--border);border-radius:8px;padding:4px 12px;background:var(--soft)}
.fa{display:flex;flex-wrap:wrap;gap:8px;align-items:center;justify-content:flex-end}
.fa .hint{margin-right:auto;flex:1 1 10em;font-size:.8em;color:var(--muted)}
.len{justify-self:end;font-size:.8em;color:var(--muted);font-variant-numeric:tabular-nums}
.len.over{color:var(--danger);font-weight:700}
.len:empty{display:none}
.confirm{display:inline-flex;gap:4px;align-items:center;color:var(--fg)}
.nt{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;font-size:.9em}
.nt label{display:flex;gap:8px;align-items:center}
.nt input{width:auto;min-height:0;accent-color:var(--accent)}
.root:not(.mail) .nt{display:none}
.foot{margin-top:14px;font-size:.85em;text-align:right}
@container (max-width:520px){
.root{padding:14px;border-radius:10px}
.art{grid-template-columns:30px 1fr;gap:0 10px}
.av{width:30px;height:30px;font-size:13px}
.replies{margin-left:14px;padding-left:10px}
.replies .replies .replies .replies{padding-left:6px}
.guest{grid-template-columns:1fr}
.fa .hint{flex-basis:100%}
}
@media (pointer:coarse){
.btn,.act,.link,.vote button,select,input,.nt label{min-height:44px}
.act,.link,.vote button{min-width:44px}
}`;

  /* ---------- Helpers ---------- */

  /* el('a', {class: 'x', onclick: f}, 'text', node...): strings become
   * text nodes; no property ever takes HTML. */
  function el(tag, props, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (name.startsWith('on'))
        element.addEventListener(name.slice(2), value);
      else if (value != null && value !== false)
        element.setAttribute(name, value === true ? '' : value);
    }
    element.append(...children.flat()
      .filter((child) => child != null && child !== false));
    return element;
  }

  const button = (cls, label, onclick, attrs) =>
    el('button', { type: 'button', class: cls, onclick, ...attrs }, label);

  /* What this device remembers, under "parley:"; nothing when the
   * browser blocks storage. */
  function loadStored(key) {
    try {
      return JSON.parse(localStorage.getItem('parley:' + key));
    } catch (_) {
      return undefined;
    }
  }

  /* Remembers value under key; null forgets it. */
  function saveStored(key, value) {
    try {
      if (value === null)
        localStorage.removeItem('parley:' + key);
      else
        localStorage.setItem('parley:' + key, JSON.stringify(value));
    } catch (_) { /* storage blocked: remember nothing */ }
  }

  const isWebUrl = (url) => /^https?:\/\//i.test(url || '');

  /* A website as readers type it, as the API takes it: "example.org"
   * is https://example.org. */
  const webAddress = (text) =>
    !text || /^[a-z][\w+.-]*:\/\//i.test(text) ? text : 'https://' + text;

  /* Calls close when Escape is pressed in a form. */
  const onEscape = (close) => (ev) => {
    if (ev.key === 'Escape')
      close();
  };

  /* The API's limit on a comment, in characters (code points, as it
   * counts them: app/comment_input.h). */
  const BODY_MAX = 10000;

  /* How long this device keeps a comment it wrote, after the edit
   * window: to know it as the reader's own, and a held one to show
   * it (see showHeld). */
  const KEEP_MS = 7 * 86400000;

  const SORTS = /^(oldest|newest|top)$/;

  /* ---------- A widget: its settings, state and elements ---------- */

  /* The widget's language: its data-lang, else the page's, else the
   * browser's; English unless I18N has it. */
  function pickLanguage(host) {
    const code = (host.dataset.lang || document.documentElement.lang ||
      navigator.language || '').toLowerCase().split('-')[0];
    return I18N[code] ? code : 'en';
  }

  /* Fills I18N[lang] from the Parley's embed-LANG.js (JSON), once per
   * page; resolves to the language to use: English if that fails. */
  const fetched = { en: 'en' };
  function loadLanguage(lang) {
    return fetched[lang] ??= fetch(API + '/embed-' + lang + '.js',
      { credentials: 'omit' })
      .then((res) => res.ok ? res.json() : Promise.reject(res.status))
      .then((words) => {
        Object.assign(I18N[lang], words);
        return lang;
      }, () => 'en');
  }

  /* Every function below takes the widget first. */
  function createWidget(host, lang) {
    const options = host.dataset;
    const widget = {
      options,
      lang,
      dict: I18N[lang],
      plural: new Intl.PluralRules(lang),
      relativeFormat: new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }),
      dateFormat: new Intl.DateTimeFormat(lang,
        { dateStyle: 'long', timeStyle: 'short' }),
      config: {
        post: options.post,
        title: options.title ?? document.title,
        url: options.url || location.href.split('#')[0],
        /* The reader's last choice, else the blog's. */
        sort: [loadStored('sort'), options.sort].find((s) => SORTS.test(s)) ||
          'oldest',
        limit: Math.min(Math.max(parseInt(options.limit, 10) || 20, 1), 200),
      },
      token: loadStored('token'),
      user: null,
      open: true, /* the post takes new comments */
      count: 0,
      next: null, /* the cursor of the next page */
      lastId: 0, /* of the ids given to error lines */
      lastLoad: 0, /* the number of the latest load */
      /* id -> {comment, item, article, body, actions, slot, replies}:
       * comments on screen. */
      nodes: new Map(),
      /* [time element, Date]: relative times to keep fresh. */
      times: [],
      /* Comments written here: {id: {t: edit token, u: edit until,
       * s: Markdown source, m: member id, k: post key, c: the comment
       * while it is held}}, kept KEEP_MS after u. */
      owned: loadStored('own') || {},
      /* The reader's votes on this post ({id: 1 | -1}) and own comments
       * (ids), as the server knows them (GET /votes): a vote belongs to
       * whoever cast it, not to the device. */
      votes: {},
      mine: new Set(),
      /* id -> comment: new ones come live, shown when the reader asks
       * (the bar, showNew). */
      pending: new Map(),
      /* source: the EventSource, while live (goLive). mail: this Parley
       * sends mail, as the thread says; notify: the "E-mail me replies"
       * boxes (setNotify); mailFor: the user they were set for, null a
       * guest (loadMail). */
    };
    for (const id in widget.owned) {
      if (!(Date.parse(widget.owned[id].u) + KEEP_MS > Date.now()))
        delete widget.owned[id];
    }
    saveStored('own', widget.owned);
    /* Where earlier versions kept votes. */
    saveStored('votes', null);
    return widget;
  }

  /* The text for key in the widget's language, {names} filled in. */
  function translate(widget, key, vars) {
    return (widget.dict[key] ?? I18N.en[key])
      .replace(/\{(\w+)\}/g, (_, name) => vars[name]);
  }

  async function request(widget, method, path, body, headers) {
    const sent = { ...headers };
    if (widget.token)
      sent.Authorization = 'Bearer ' + widget.token;
    if (body)
      sent['Content-Type'] = 'application/json';
    /* With a read replica, the server says where this reader's last
     * write is (X-Parley-Written): reads for a while after it name it,
     * so they are not answered from a replica that lacks it. */
    const written = loadStored('written');
    if (method === 'GET' && path.includes('?') && written?.at > Date.now() - 6e5)
      path += '&written=' + encodeURIComponent(written.lsn);
    let res;
    try {
      res = await fetch(API + '/api/v1' + path, { method,
        headers: sent, credentials: 'omit',
        body: body && JSON.stringify(body) });
    } catch (_) {
      throw { code: 'net' };
    }
    const lsn = res.headers.get('X-Parley-Written');
    if (lsn)
      saveStored('written', { lsn, at: Date.now() });
    const data = await res.json().catch(() => null);
    if (res.ok)
      return data;
    /* Too large (413) is always a comment's body here. */
    throw { field: res.status === 413 ? 'body' : undefined, ...data?.error,
      status: res.status, retry: res.headers.get('Retry-After') };
  }

  /* Codes a reader can do nothing about but try again: the widget's
   * own mistakes, or a cursor gone stale. */
  const GENERIC =
    /^(malformed_\w+|unsupported_media_type|method_not_allowed|invalid_(type|cursor|utf8))$/;

  /* Codes said with another code's words. */
  const SAME_AS = { invalid_token: 'session', body_too_large: 'too_long' };

  /* What went wrong, in the reader's language; the server's own
   * message only for a code this widget does not know. */
  function errorText(widget, e) {
    const code = 'e_' + (SAME_AS[e.code] || e.code), field = e.field;
    const alias = { name: 'author_name', email: 'author_email' }[field];
    const dict = widget.dict;
    if (e.status === 429)
      return translate(widget, 'e_rate', { n: parseInt(e.retry, 10) || 60 });
    if (e.status === 503 || e.code === 'net')
      return translate(widget, e.status ? 'e_down' : 'e_net');
    if (GENERIC.test(e.code))
      return translate(widget, 'e_other');
    return (dict[code + '_' + field] ?? dict[code + '_' + alias] ??
      dict[code])?.replace('{origin}', location.origin) ??
      e.message ?? translate(widget, 'e_other');
  }

  /* Says message to screen readers. */
  function announce(widget, message) {
    const live = widget.live;
    live.textContent = '';
    setTimeout(() => { live.textContent = message; }, 50);
  }

  /* Shows e in box, and marks and focuses the field it names. */
  function showError(widget, box, e, fields = {}) {
    box.textContent = errorText(widget, e);
    announce(widget, box.textContent);
    fields[e.field]?.setAttribute('aria-invalid', 'true');
    fields[e.field]?.focus();
  }

  /* A form's error line, tied to its fields, and a submit handler
   * that clears it, disables the button, runs work and shows what
   * went wrong. */
  function wireForm(widget, fields) {
    const error = el('p', { class: 'err', id: 'parley-e' + ++widget.lastId });
    const inputs = Object.values(fields);
    inputs.forEach((input) => input.setAttribute('aria-describedby',
      (error.id + ' ' + (input.getAttribute('aria-describedby') || '')).trim()));
    const run = async (work, submitButton) => {
      error.textContent = '';
      inputs.forEach((input) => input.removeAttribute('aria-invalid'));
      if (submitButton)
        submitButton.disabled = true;
      try {
        await work();
      } catch (e) {
        showError(widget, error, e, fields);
      }
      if (submitButton)
        submitButton.disabled = false;
    };
    const submit = (work) => (ev) => {
      ev.preventDefault();
      run(work, ev.submitter);
    };
    return { error, run, submit };
  }

  /* A comment's textarea, and beside it the count of its characters
   * once they near the API's limit; count() after setting its value. */
  function bodyInput(widget, placeholder) {
    const counter = el('p', { class: 'len', id: 'parley-l' + ++widget.lastId });
    const input = el('textarea', { name: 'body', rows: 4, placeholder,
      'aria-label': translate(widget, 'body'),
      'aria-describedby': counter.id,
      oninput: () => count() });
    const count = () => {
      const n = [...input.value].length;
      counter.classList.toggle('over', n > BODY_MAX);
      const used = n.toLocaleString(widget.lang) + ' / ' +
        BODY_MAX.toLocaleString(widget.lang);
      counter.replaceChildren(...n < BODY_MAX * 0.9 ? [] : [
        el('span', { class: 'sr' }, translate(widget, 'length') + ': '), used]);
    };
    return { input, counter, count };
  }

  const TIME_UNITS = [['year', 31536000], ['month', 2592000],
    ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];

  function relativeTime(widget, date) {
    const seconds = Math.min((date - Date.now()) / 1000, 0);
    for (const [unit, length] of TIME_UNITS) {
      if (-seconds >= length)
        return widget.relativeFormat.format(Math.round(seconds / length), unit);
    }
    return widget.relativeFormat.format(0, 'second');
  }

  /* ---------- Comments ---------- */

  /* Parley's generated avatar, or an initial on a colour of the
   * name's own. */
  function avatar(author) {
    if (/^\/[^/]/.test(author.avatar))
      return el('img', { class: 'av', src: API + author.avatar, alt: '' });
    const name = [...(author.name || '?')];
    const initial = el('span', { class: 'av', 'aria-hidden': 'true' },
      name[0].toUpperCase());
    initial.style.setProperty('--h',
      name.reduce((hue, ch) => (hue * 31 + ch.codePointAt(0)) % 360, 0));
    return initial;
  }

  /* This reader's claim on a comment while its edit window is open:
   * what this device keeps of a comment written here, or a member's
   * own comment as the thread marks it. */
  function editClaim(widget, comment) {
    const claim = widget.owned[comment.id] ||
      comment.own && { u: comment.edit_until };
    return claim && Date.parse(claim.u) > Date.now() &&
      (!claim.m || claim.m === widget.user?.id) ? claim : null;
  }

  function mayChange(widget, comment) {
    return comment.status !== 'deleted' &&
      (/^(moderator|admin)$/.test(widget.user?.role) ||
        !!editClaim(widget, comment));
  }

  /* What proves a guest wrote a comment: the edit token this device
   * holds for it, sent even when the window has closed, so that the
   * server answers why (edit_window_closed) and not "log in". A
   * member's session goes with every request. */
  function editProof(widget, comment) {
    const token = widget.owned[comment.id]?.t;
    return token ? { 'X-Edit-Token': token } : {};
  }

  /* The reader's own comment, which they may not vote on: a member's
   * by the server's word, a guest's by the edit token held here. */
  function isOwn(widget, comment) {
    const claim = widget.owned[comment.id];
    return widget.mine.has(comment.id) || !!comment.own ||
      !!claim && (claim.m || 0) === (widget.user?.id || 0);
  }

  /* Takes Edit and Delete away once the reader may no longer use them;
   * not during an edit, whose Save then says why it fails. */
  function dropEditButtons(widget, node) {
    if (!node.editForm && !mayChange(widget, node.comment))
      node.actions?.querySelectorAll('.ed').forEach((b) => b.remove());
  }

  /* Shows or hides Reply, Edit and Delete (hidden during an edit). */
  function showActions(node, shown) {
    node.actions.querySelectorAll('.act').forEach((b) => { b.hidden = !shown; });
  }

  /* Up or down beside the score, pressed if it is this reader's vote. */
  function voteButton(widget, node, direction) {
    return button(null, direction > 0 ? '▲' : '▼',
      () => vote(widget, node, direction),
      { 'aria-pressed': String(widget.votes[node.comment.id] === direction),
        'aria-label': translate(widget, direction > 0 ? 'up' : 'down') });
  }

  /* The score, between the arrows unless the comment is the reader's. */
  function voteBox(widget, node) {
    const mine = isOwn(widget, node.comment);
    return el('span', { class: 'vote' },
      !mine && voteButton(widget, node, 1),
      el('span', { class: 'score' }, String(node.comment.score)),
      !mine && voteButton(widget, node, -1));
  }

  /* A comment's author, time, body and what this reader may do. */
  function buildArticle(widget, node) {
    const comment = node.comment;
    if (comment.status === 'deleted')
      return el('div', { class: 'art gone' },
        el('span', { class: 'av' }), el('p', {}, translate(widget, 'deleted')));

    const author = comment.author || {};
    const name = author.name;
    const id = 'parley-n' + comment.id;
    const created = new Date(comment.created_at);
    const time = el('time', { datetime: comment.created_at,
      title: widget.dateFormat.format(created) }, relativeTime(widget, created));
    widget.times.push([time, created]);

    node.body = el('div', { class: 'body' });
    /* Sanitized by the server's Markdown allowlist. */
    node.body.innerHTML = comment.html;

    node.actions = el('div', { class: 'acts' });
    if (comment.status === 'approved') {
      node.actions.append(node.votes = voteBox(widget, node));
      if (widget.open)
        node.actions.append(node.replyButton = button('act',
          translate(widget, 'reply'), () => openReply(widget, node),
          { 'aria-expanded': String(!!node.replyForm),
            'aria-label': translate(widget, 'replyTo', { name }) }));
    }
    if (mayChange(widget, comment))
      node.actions.append(
        node.editButton = button('act ed', translate(widget, 'edit'),
          () => openEdit(widget, node)),
        button('act ed', translate(widget, 'del'),
          (ev) => askDelete(widget, node, ev.target)));
    /* Edit and Delete go the moment the window closes. */
    const claim = editClaim(widget, comment);
    if (claim)
      setTimeout(() => dropEditButtons(widget, node),
        Date.parse(claim.u) - Date.now());

    /* Focusable from a script: showNew moves the focus here. */
    return el('article', { class: 'art', 'aria-labelledby': id, tabindex: -1 },
      avatar(author),
      el('div', {},
        el('div', { class: 'head' },
          isWebUrl(author.url) ?
            el('a', { class: 'name', id, href: author.url,
              rel: 'nofollow ugc noopener' }, name) :
            el('span', { class: 'name', id }, name),
          /^(moderator|admin)$/.test(author.role) && el('span',
            { class: 'badge' }, translate(widget, author.role)),
          time,
          comment.edited_at && el('span',
            { class: 'muted',
              title: widget.dateFormat.format(new Date(comment.edited_at)) },
            translate(widget, 'edited'))),
        comment.status === 'pending' && el('p',
          { class: 'note' }, translate(widget, 'pending')),
        node.body, node.actions, node.slot = el('div', { class: 'slot' })));
  }

  /* The node of a comment, with its replies; it takes the place of a
   * copy drawn from this device (a held comment now published). */
  function buildComment(widget, comment) {
    const node = { comment, item: el('li', { class: 'c' }) };
    widget.nodes.get(comment.id)?.item.remove();
    widget.nodes.set(comment.id, node);
    /* Shown: it no longer waits behind the bar. */
    if (widget.pending.delete(comment.id))
      showBar(widget);
    node.item.append(node.article = buildArticle(widget, node));
    for (const reply of comment.replies || [])
      repliesOf(node).append(buildComment(widget, reply).item);
    if (comment.more_replies)
      moreReplies(widget, node, comment.more_replies,
        comment.more_replies_count);
    return node;
  }

  /* "Show M more replies": the rest of a comment's replies, 50 at a
   * time, after those shown. */
  function moreReplies(widget, node, after, left) {
    const more = button('btn mr', plural(widget, 'mr', left), async () => {
      more.disabled = true;
      try {
        const r = await request(widget, 'GET', `/comments/${node.comment.id}` +
          '/replies?' + new URLSearchParams({ after }));
        for (const reply of r.replies)
          repliesOf(node).append(buildComment(widget, reply).item);
        more.remove();
        if (r.next)
          moreReplies(widget, node, r.next, left - r.replies.length);
      } catch (_) {
        more.disabled = false;
      }
    });
    node.item.append(more);
  }

  /* The list of a node's replies, made when the first one comes. */
  const repliesOf = (node) => node.replies ||
    node.item.appendChild(node.replies = el('ol', { class: 'replies' }));

  /* Draws a comment anew; an open reply form stays. */
  function redraw(widget, node) {
    const slot = node.slot;
    const article = buildArticle(widget, node);
    node.article.replaceWith(article);
    node.article = article;
    node.slot.replaceWith(slot);
    node.slot = slot;
  }

  /* Takes a comment away, also from behind the bar (showBar); a
   * placeholder stays while it has replies. */
  function removeNode(widget, id) {
    const node = widget.nodes.get(id);
    if (widget.pending.delete(id))
      showBar(widget);
    if (node?.replies?.children.length) {
      node.comment.status = 'deleted';
      redraw(widget, node);
    } else if (node) {
      node.item.remove();
      widget.nodes.delete(id);
    }
  }

  /* Shows a comment this reader wrote, without a refetch. */
  function insertComment(widget, comment) {
    const node = buildComment(widget, comment);
    const parent = widget.nodes.get(comment.parent_id);
    if (parent)
      repliesOf(parent).append(node.item);
    else if (widget.config.sort === 'newest')
      widget.list.prepend(node.item);
    else
      widget.list.append(node.item);
    return node;
  }

  /*
   * A guest's held comments: the server shows them to moderators only,
   * so this device keeps each one's JSON (from the POST answer) with its
   * edit token and draws it in its place, marked as awaiting
   * moderation: under its parent, or at the top (newest first) or the
   * end of the thread. It is dropped once the thread has it (published:
   * the server's copy replaces it), when a PATCH or DELETE with its
   * token finds it gone (404: rejected or deleted), or KEEP_MS after
   * its edit window closed, whichever comes first.
   */
  function showHeld(widget) {
    for (const claim of Object.values(widget.owned)) {
      const comment = claim.c;
      if (!comment || claim.k !== widget.config.post)
        continue;
      const shown = widget.nodes.get(comment.id);
      if (shown && shown.comment !== comment)
        delete claim.c;
      else if (!shown && (comment.parent_id ?
        widget.nodes.has(comment.parent_id) :
        widget.config.sort === 'newest' || !widget.next))
        insertComment(widget, comment);
    }
    saveStored('own', widget.owned);
  }

  /* ---------- The thread ---------- */

  /* The heading and sort, the thread, the account line and the form. */
  function buildLayout(widget) {
    const sortChanged = () => {
      saveStored('sort', widget.config.sort = sort.value);
      loadComments(widget);
    };
    const sort = el('select', { onchange: sortChanged },
      ['oldest', 'newest', 'top'].map((s) => el('option',
        { value: s, selected: s === widget.config.sort },
        translate(widget, s))));
    widget.live = el('div', { class: 'sr', role: 'status',
      'aria-live': 'polite' });
    widget.heading = el('h2', {});
    widget.list = el('ol', { class: 'thread' });
    widget.status = el('div', { class: 'status muted' },
      translate(widget, 'loading'));
    widget.more = button('btn more', translate(widget, 'more'),
      () => loadComments(widget, true), { hidden: true });
    widget.bar = button('btn primary new', '', () => showNew(widget),
      { hidden: true });
    widget.account = el('div', { class: 'acct' });
    widget.authSlot = el('div', {});
    widget.closed = el('p', { class: 'muted', hidden: true },
      translate(widget, 'closed'));
    widget.mainForm = commentForm(widget);
    widget.leaveHead = el('div', { class: 'leave-head' },
      el('h3', { id: 'parley-leave' }, translate(widget, 'leave')),
      widget.account);
    widget.root = el('div', { class: 'root', lang: widget.lang },
      el('div', { class: 'top' }, widget.heading,
        el('label', {}, translate(widget, 'sort'), sort)),
      widget.status, widget.bar, widget.list, widget.more,
      el('section', { class: 'leave', 'aria-labelledby': 'parley-leave' },
        widget.leaveHead, widget.authSlot, widget.closed, widget.mainForm),
      el('p', { class: 'foot' }, el('a', { type: 'application/atom+xml',
        href: API + '/feed/comments.atom?' +
          new URLSearchParams({ post: widget.config.post }) },
      translate(widget, 'feed'))),
      widget.live);
  }

  /* The text for key_one or key_other as n says, with n filled in. */
  const plural = (widget, key, n) => translate(widget,
    key + (widget.plural.select(n) === 'one' ? '_one' : '_other'),
    { n: n.toLocaleString(widget.lang) });

  function setCount(widget, n) {
    const count = widget.count = Math.max(n, 0);
    widget.heading.textContent = count ? plural(widget, 'count', count) :
      translate(widget, 'none');
  }

  /* A closed post shows only that it is closed where one would write. */
  function setOpen(widget, open) {
    widget.open = open;
    widget.leaveHead.hidden = widget.authSlot.hidden =
      widget.mainForm.hidden = !open;
    widget.closed.hidden = open;
  }

  /* The reader's votes on the post and, for a member, their own
   * comments; none when the server cannot say. */
  function loadVotes(widget) {
    return request(widget, 'GET', '/votes?' +
      new URLSearchParams({ post: widget.config.post })).catch(() => ({}));
  }

  /* Every "E-mail me replies" box checked if on. */
  function setNotify(widget, on) {
    widget.notify = on;
    widget.root.querySelectorAll('[name=notify]')
      .forEach((box) => { box.checked = on; });
  }

  /* Replies by e-mail, offered where this Parley sends mail (on, as the
   * thread says): for a member the account's switch, asked once per
   * log-in; for a guest what this device remembers. */
  function loadMail(widget, on) {
    const user = widget.user;
    widget.root.classList.toggle('mail', widget.mail = on);
    if (on && widget.mailFor !== user) {
      widget.mailFor = user;
      setNotify(widget, !user && !!loadStored('guest')?.notify);
      if (user)
        request(widget, 'GET', '/me/mail').then((r) =>
          widget.user === user && setNotify(widget, r.mail.notify_replies),
        () => { /* unchecked, as it was */ });
    }
  }

  /* The first page of the thread, with the reader's votes, or with
   * more the next page. */
  async function loadComments(widget, more) {
    const load = ++widget.lastLoad;
    /* A link from a mail or a feed, #parley-comment-ID: the first load
     * takes up to 200 comments to find it, then brings it into view. */
    const jump = widget.jump ??= +location.hash.split('#parley-comment-')[1];
    const query = new URLSearchParams({ post: widget.config.post,
      sort: widget.config.sort, limit: jump ? 200 : widget.config.limit });
    if (more)
      query.set('after', widget.next);
    else
      widget.status.replaceChildren(translate(widget, 'loading'));
    widget.status.hidden = widget.more.disabled = !!more;
    try {
      const [r, votes] = await Promise.all([
        request(widget, 'GET', '/comments?' + query),
        !more && loadVotes(widget)]);
      if (load !== widget.lastLoad)
        return;
      if (!more) {
        widget.votes = votes.votes || {};
        widget.mine = new Set(votes.own);
        widget.nodes.clear();
        widget.times.length = 0;
        widget.list.replaceChildren();
      }
      widget.status.hidden = true;
      setOpen(widget, r.post.open);
      loadMail(widget, !!r.mail);
      setCount(widget, r.post.comment_count);
      for (const comment of r.comments)
        widget.list.append(buildComment(widget, comment).item);
      widget.next = r.next;
      widget.more.hidden = !widget.next;
      showHeld(widget);
      if (jump) {
        widget.nodes.get(jump)?.item.scrollIntoView();
        widget.jump = 0;
      }
    } catch (e) {
      if (load === widget.lastLoad) {
        widget.status.hidden = false;
        widget.status.replaceChildren(
          el('span', { class: 'err' }, errorText(widget, e)),
          button('btn', translate(widget, 'retry'),
            () => loadComments(widget, more)));
      }
    }
    widget.more.disabled = false;
  }

  /* ---------- Live updates ---------- */

  /*
   * A comment as the server has it now. One known here, on the page or
   * behind the bar, takes a new text (an edit, or a placeholder's),
   * unless it is being edited here; a new one (not an edit's {id, html,
   * edited_at}) waits behind the bar, except a reply to a comment not
   * on the page.
   */
  function liveComment(widget, data) {
    const id = data.id, parent = data.parent_id, node = widget.nodes.get(id);
    const known = node?.comment || widget.pending.get(id);
    if (known) {
      if (!node?.editForm && known.html !== data.html) {
        Object.assign(known, data);
        if (node)
          redraw(widget, node);
      }
    } else if (data.created_at && (!parent || widget.nodes.has(parent) ||
      widget.pending.has(parent)))
      showBar(widget, widget.pending.set(id, data));
  }

  /* "N new comments" while some wait, said to screen readers if say. */
  function showBar(widget, say) {
    const bar = widget.bar, n = widget.pending.size;
    bar.hidden = !n;
    bar.textContent = plural(widget, 'new', n);
    if (say)
      announce(widget, bar.textContent);
  }

  /* The waiting comments, in place; the focus goes to the first. */
  function showNew(widget) {
    const shown = [];
    /* A reply that came with its parent is built with it. */
    for (const comment of widget.pending.values()) {
      if (!comment.parent_id || widget.nodes.has(comment.parent_id))
        shown.push(insertComment(widget, comment).article);
    }
    widget.pending.clear();
    showBar(widget);
    shown[0]?.focus();
  }

  /*
   * What changed while no stream told: the thread's first page, as the
   * reader sorts it, compared with the page. Its comments not on the
   * page are new ones, but for one that moved up into it meanwhile (a
   * comment above it was removed, or votes reordered them): that one
   * shows behind the bar too.
   */
  function sync(widget) {
    const walk = (comment) => {
      liveComment(widget, comment);
      comment.replies.forEach(walk);
    };
    request(widget, 'GET', '/comments?' + new URLSearchParams({
      post: widget.config.post, sort: widget.config.sort,
      limit: widget.config.limit })).then((r) => {
      setCount(widget, r.post.comment_count);
      r.comments.forEach(walk);
    }, () => { /* the next try tells */ });
  }

  /*
   * Live updates (GET /api/v1/stream): an EventSource holds the post's
   * stream while the thread is on screen and the tab visible, and is
   * closed otherwise. After a dropped connection the browser reconnects
   * by itself with Last-Event-ID (every 3 s, as the server says), and
   * the server replays what was missed. A new EventSource cannot send
   * Last-Event-ID, so replay cannot serve a reopening: each stream,
   * once open, runs sync instead, for what changed before it (for the
   * first, since the thread was loaded); it is one request, answered
   * 304 from the browser's cache when nothing changed. A refused stream
   * (429, 503: the EventSource gives up, CLOSED) is closed, and sync
   * runs every 60 s instead, each time with another try at a stream.
   */
  function goLive(widget, host) {
    let timer, seen;
    const stop = () => {
      widget.source?.close();
      clearTimeout(timer);
      widget.source = timer = null;
    };
    const start = () => {
      stop();
      const s = widget.source = new EventSource(API + '/api/v1/stream?' +
        new URLSearchParams({ post: widget.config.post }));
      s.onopen = () => sync(widget);
      s.onerror = () => {
        if (s.readyState > 1) {
          stop();
          sync(widget);
          timer = setTimeout(start, 60000);
        }
      };
      const on = { comment: liveComment, edit: liveComment,
        delete: (w, data) => removeNode(w, data.id),
        count: (w, data) => setCount(w, data.count),
        reset: (w) => loadComments(w) };
      for (const name in on)
        s.addEventListener(name, (ev) => on[name](widget, JSON.parse(ev.data)));
    };
    const update = () => {
      if (!seen || document.hidden)
        stop();
      else if (!widget.source && !timer)
        start();
    };
    new IntersectionObserver((entries) => {
      seen = entries.pop().isIntersecting;
      update();
    }).observe(host);
    document.addEventListener('visibilitychange', update);
  }

  /* ---------- Writing ---------- */

  function field(label, input, note) {
    return el('label', { class: 'fld' },
      el('span', {}, label, note && el('small', {}, ' (' + note + ')')),
      input);
  }

  /* The comment form; parent is the node replied to, if any, and
   * close closes a reply form. */
  function commentForm(widget, parent, close) {
    const remembered = loadStored('guest') || {};
    const body = bodyInput(widget, translate(widget, 'ph'));
    const fields = {
      body: body.input,
      author_name: el('input', { name: 'name', autocomplete: 'name',
        'aria-required': 'true', maxlength: 80, value: remembered.name }),
      author_email: el('input', { name: 'email', type: 'email',
        autocomplete: 'email', value: remembered.email }),
      author_url: el('input', { name: 'url', type: 'url',
        autocomplete: 'url', placeholder: 'example.org',
        value: remembered.url }),
    };
    /* Replies by e-mail: a guest's box is remembered here and sent with
     * the comment; a member's is the account's switch (loadMail), and
     * changing it changes the account. */
    const said = el('span', { class: 'muted' });
    fields.notify = el('input', { type: 'checkbox', name: 'notify',
      checked: widget.user ? widget.notify : remembered.notify,
      onchange: () => widget.user && wired.run(async () => {
        const r = (await request(widget, 'PATCH', '/me/mail',
          { notify_replies: fields.notify.checked }).catch((e) => {
          fields.notify.checked = widget.notify;
          throw e;
        })).mail;
        setNotify(widget, r.notify_replies);
        announce(widget, said.textContent = translate(widget,
          'm_' + (r.notify_replies ? r.address || 'confirming' : 'off')));
      }) });
    const honeypot = el('input', { name: 'hp', tabindex: '-1',
      autocomplete: 'off', 'aria-hidden': 'true' });
    const preview = el('div', { class: 'preview body', hidden: true,
      'aria-label': translate(widget, 'preview') });
    const wired = wireForm(widget, fields);
    const showPreview = (ev) => wired.run(async () => {
      const r = await request(widget, 'POST', '/preview',
        { body: fields.body.value });
      /* Sanitized by the server, like a comment. */
      preview.innerHTML = r.html;
      preview.hidden = false;
    }, ev.target);
    const form = el('form',
      { class: 'form', novalidate: true, onkeydown: close && onEscape(close),
        'aria-label': parent ?
          translate(widget, 'replyTo', { name: parent.comment.author.name }) :
          translate(widget, 'leave') },
      fields.body, body.counter, preview,
      el('div', { class: 'guest' },
        field(translate(widget, 'name') + ' *', fields.author_name),
        field(translate(widget, 'email'), fields.author_email,
          translate(widget, 'never')),
        field(translate(widget, 'site'), fields.author_url,
          translate(widget, 'opt'))),
      el('div', { class: 'nt' },
        el('label', {}, fields.notify, translate(widget, 'notify')), said),
      el('div', { class: 'hp', 'aria-hidden': 'true' },
        el('label', {}, translate(widget, 'hp'), honeypot)),
      wired.error,
      el('div', { class: 'fa' },
        el('span', { class: 'hint' }, translate(widget, 'md')),
        button('btn', translate(widget, 'preview'), showPreview),
        parent && button('btn', translate(widget, 'cancel'), close),
        el('button', { type: 'submit', class: 'btn primary' },
          translate(widget, parent ? 'reply' : 'post'))));

    form.onsubmit = wired.submit(async () => {
      const text = fields.body.value;
      fields.author_url.value = webAddress(fields.author_url.value.trim());
      const guest = widget.user ? {} : {
        author_name: fields.author_name.value.trim(),
        author_email: fields.author_email.value.trim(),
        author_url: fields.author_url.value,
      };
      const notify = widget.mail && fields.notify.checked;
      /* A guest's replies go to the address given with the comment. */
      if (notify && guest.author_email === '')
        throw { code: 'required', field: 'author_email' };
      const r = await request(widget, 'POST', '/comments', {
        post: widget.config.post, post_title: widget.config.title,
        post_url: isWebUrl(widget.config.url) ? widget.config.url : undefined,
        parent_id: parent ? parent.comment.id : null,
        body: text, hp: honeypot.value, notify: notify || undefined, ...guest,
      });
      const comment = r.comment;
      const held = comment.status === 'pending';
      if (!widget.user)
        saveStored('guest', { name: guest.author_name,
          email: guest.author_email, url: guest.author_url,
          notify: fields.notify.checked });
      widget.owned[comment.id] = { t: r.edit_token, u: r.edit_until,
        s: text, m: widget.user?.id, k: widget.config.post,
        c: held && !widget.user ? comment : undefined };
      saveStored('own', widget.owned);
      /* An open stream sends the count, this comment's included. */
      if (!held && widget.source?.readyState !== 1)
        setCount(widget, widget.count + 1);
      fields.body.value = '';
      body.count();
      preview.hidden = true;
      const node = insertComment(widget, comment);
      let told = translate(widget, held ? 'held' : 'posted');
      /* What came of "notify", shown under the comment. */
      if (I18N.en['m_' + r.mail])
        told += ' ' + node.slot.appendChild(el('p', { class: 'note' },
          translate(widget, 'm_' + r.mail))).textContent;
      announce(widget, told);
      if (close)
        close();
      node.item.scrollIntoView({ block: 'nearest' });
    });
    return form;
  }

  function openReply(widget, node) {
    if (!node.replyForm) {
      const close = () => {
        node.replyForm.remove();
        node.replyForm = null;
        node.replyButton.setAttribute('aria-expanded', 'false');
        node.replyButton.focus();
      };
      node.slot.append(node.replyForm = commentForm(widget, node, close));
      node.replyButton.setAttribute('aria-expanded', 'true');
    }
    node.replyForm.querySelector('textarea').focus();
  }

  /* What a refused PATCH or DELETE teaches: the window has closed (no
   * more Edit and Delete), or the comment is gone (forget it). */
  function changeRefused(widget, node, e) {
    const id = node.comment.id, claim = widget.owned[id];
    if (claim && e.code === 'edit_window_closed')
      claim.u = new Date().toISOString();
    if (claim && e.status === 404)
      delete widget.owned[id];
    saveStored('own', widget.owned);
    dropEditButtons(widget, node);
  }

  /* Back from an edit: the focus goes to Edit, or Reply once Edit is
   * gone. */
  const focusEdit = (node) =>
    (node.editButton?.isConnected ? node.editButton : node.replyButton)?.focus();

  function openEdit(widget, node) {
    if (node.editForm)
      return node.editForm.querySelector('textarea').focus();
    const source = widget.owned[node.comment.id]?.s;
    const body = bodyInput(widget,
      source ? null : translate(widget, 'editHint'));
    const textarea = body.input;
    textarea.value = source || '';
    body.count();
    const wired = wireForm(widget, { body: textarea });
    const close = () => {
      node.editForm.replaceWith(node.body);
      node.editForm = null;
      showActions(node, true);
      dropEditButtons(widget, node);
      focusEdit(node);
    };
    node.editForm = el('form',
      { class: 'form', novalidate: true, onkeydown: onEscape(close) },
      textarea, body.counter, wired.error,
      el('div', { class: 'fa' },
        button('btn', translate(widget, 'cancel'), close),
        el('button', { type: 'submit', class: 'btn primary' },
          translate(widget, 'save'))));
    node.editForm.onsubmit = wired.submit(async () => {
      const comment = node.comment;
      const r = await request(widget, 'PATCH', '/comments/' + comment.id,
        { body: textarea.value }, editProof(widget, comment))
        .catch((e) => {
          changeRefused(widget, node, e);
          throw e;
        });
      comment.html = r.comment.html;
      comment.edited_at = r.comment.edited_at;
      if (widget.owned[comment.id])
        widget.owned[comment.id].s = textarea.value;
      saveStored('own', widget.owned);
      node.editForm = null;
      redraw(widget, node);
      focusEdit(node);
      announce(widget, translate(widget, 'saved'));
    });
    node.body.replaceWith(node.editForm);
    showActions(node, false);
    textarea.focus();
  }

  /* "Really delete? Yes No" in place of the Delete button. */
  function askDelete(widget, node, deleteButton) {
    const error = el('span', { class: 'err' });
    const no = button('act', translate(widget, 'no'), () => {
      box.replaceWith(deleteButton);
      deleteButton.focus();
      dropEditButtons(widget, node);
    });
    const yes = button('act', translate(widget, 'yes'), async () => {
      const comment = node.comment;
      try {
        await request(widget, 'DELETE', '/comments/' + comment.id, null,
          editProof(widget, comment));
      } catch (e) {
        changeRefused(widget, node, e);
        return showError(widget, error, e);
      }
      /* An open stream sends the count (see commentForm). */
      if (comment.status === 'approved' && widget.source?.readyState !== 1)
        setCount(widget, widget.count - 1);
      delete widget.owned[comment.id];
      saveStored('own', widget.owned);
      removeNode(widget, comment.id);
      announce(widget, translate(widget, 'removed'));
    });
    const box = el('span', { class: 'confirm', role: 'group' },
      translate(widget, 'sure'), yes, no, error);
    deleteButton.replaceWith(box);
    no.focus();
  }

  /* Up, down, or the same again to take the vote back. */
  async function vote(widget, node, direction) {
    const id = node.comment.id;
    const value = widget.votes[id] === direction ? 0 : direction;
    node.slot.querySelector('.verr')?.remove();
    try {
      const r = await request(widget, 'POST', '/comments/' + id + '/vote',
        { value });
      node.comment.score = r.score;
      widget.votes[id] = r.my_vote ?? value;
    } catch (e) {
      /* The server knows better whose comment it is. */
      if (e.code === 'own_comment')
        widget.mine.add(id);
      showError(widget,
        node.slot.appendChild(el('p', { class: 'err verr' })), e);
    }
    const focused = node.votes.contains(widget.root.getRootNode().activeElement);
    node.votes.replaceWith(node.votes = voteBox(widget, node));
    if (focused)
      node.votes.querySelectorAll('button')[direction > 0 ? 0 : 1]?.focus();
  }

  /* ---------- Accounts ---------- */

  /* Closes the log-in or register form, and brings back the guest
   * fields it hid. */
  function closeAuth(widget) {
    widget.authSlot.replaceChildren();
    widget.mainForm.querySelector('.guest').hidden = false;
  }

  /* Who comments: a member, or a guest (null). A token, if given, is
   * the session to remember (null forgets it). */
  function setUser(widget, user, token) {
    widget.user = user;
    if (token !== undefined)
      saveStored('token', widget.token = token);
    widget.root.classList.toggle('member', !!user);
    closeAuth(widget);
    if (user) {
      /* "You are commenting as {name}." with the name in bold. */
      const [before, after] = translate(widget, 'as', { name: '\0' })
        .split('\0');
      widget.account.replaceChildren(before, el('strong', {}, user.name),
        after, ' ', button('link', translate(widget, 'logout'),
          () => logout(widget)));
    } else {
      widget.account.replaceChildren(
        button('link', translate(widget, 'login'), () => authForm(widget)),
        button('link', translate(widget, 'register'),
          () => authForm(widget, true)),
        ' ', translate(widget, 'orGuest'));
    }
  }

  /* The form to log in, or with register to make an account; the
   * guest fields below it go meanwhile, as they are the other way. */
  function authForm(widget, register) {
    const fields = {
      email: el('input', { type: 'email', name: 'email',
        autocomplete: 'email' }),
      password: el('input', { type: 'password', name: 'password',
        autocomplete: register ? 'new-password' : 'current-password',
        minlength: register && 10 }),
    };
    if (register)
      fields.name = el('input', { name: 'name', autocomplete: 'name',
        maxlength: 80 });
    const what = register ? 'register' : 'login';
    const wired = wireForm(widget, fields);
    const form = el('form',
      { class: 'auth', novalidate: true, 'aria-label': translate(widget, what),
        onkeydown: onEscape(() => closeAuth(widget)) },
      register && field(translate(widget, 'name'), fields.name),
      field(translate(widget, 'email'), fields.email),
      /* The rule (app/password.c) before anyone breaks it. */
      field(translate(widget, 'password'), fields.password,
        register && translate(widget, 'pwRule')),
      wired.error,
      el('div', { class: 'fa' },
        button('btn', translate(widget, 'cancel'), () => closeAuth(widget)),
        el('button', { type: 'submit', class: 'btn primary' },
          translate(widget, what))));
    form.onsubmit = wired.submit(async () => {
      const r = await request(widget, 'POST', '/auth/' + what, {
        email: fields.email.value.trim(), password: fields.password.value,
        name: fields.name?.value.trim(),
      });
      setUser(widget, r.user, r.token);
      announce(widget, translate(widget, 'as', { name: r.user.name }));
      loadComments(widget);
    });
    widget.authSlot.replaceChildren(form);
    widget.mainForm.querySelector('.guest').hidden = true;
    (fields.name || fields.email).focus();
  }

  async function logout(widget) {
    try {
      await request(widget, 'POST', '/auth/logout', {});
    } catch (_) { /* forgotten here either way */ }
    setUser(widget, null, null);
    loadComments(widget);
  }

  /* ---------- Mounting ---------- */

  /* Dark if the blog says so, or if it says nothing and the reader's
   * system is dark. */
  function followTheme(widget) {
    const dark = matchMedia('(prefers-color-scheme: dark)');
    const apply = () => widget.root.classList.toggle('dark',
      widget.options.theme === 'dark' ||
      (widget.options.theme !== 'light' && dark.matches));
    apply();
    dark.addEventListener('change', apply);
  }

  /* Keeps times fresh; Edit and Delete have timers of their own
   * (buildArticle), this is a second look. */
  function refresh(widget) {
    for (const [element, when] of widget.times)
      element.textContent = relativeTime(widget, when);
    for (const node of widget.nodes.values())
      dropEditButtons(widget, node);
  }

  /* Drawn once the widget's words are here (loadLanguage): at once in
   * English. */
  async function mount(host) {
    if (!host || host.shadowRoot || !host.dataset.post)
      return;
    const shadow = host.attachShadow({ mode: 'open' });
    const widget = createWidget(host, await loadLanguage(pickLanguage(host)));
    buildLayout(widget);
    followTheme(widget);
    setUser(widget, null);
    setCount(widget, 0);
    shadow.append(el('style', {}, CSS), widget.root);
    setInterval(() => refresh(widget), 30000);

    if (widget.token) {
      try {
        setUser(widget, (await request(widget, 'GET', '/auth/me')).user);
      } catch (e) {
        if (e.status === 401)
          setUser(widget, null, null);
      }
    }
    await loadComments(widget);
    if (widget.options.live !== 'false')
      goLive(widget, host);
  }

  window.Parley = Object.freeze({ mount });
  const start = () => mount(document.getElementById('parley'));
  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', start);
  else
    start();
})();
