/*
 * Parley comments widget: <div id="parley" data-post="KEY"></div> and
 * this script. Options (data-): post, title, url, lang, theme (light |
 * dark | auto), sort (oldest | newest | top), limit. It renders in a
 * Shadow DOM, builds DOM with textContent (the server's sanitized HTML
 * is the only markup inserted), talks only to its own origin without
 * cookies, and keeps state in localStorage under "parley:".
 *
 * Each widget on a page is one object (createWidget) holding its
 * settings, state and elements; the functions below take it first.
 * Served minified, with a source map (scripts/build-assets.sh).
 */
(() => {
  'use strict';

  /* Read synchronously: currentScript is gone once this run ends. */
  const script = document.currentScript ||
    [...document.scripts].find((s) => /\/embed\.js([?#]|$)/.test(s.src));
  if (!script || window.Parley)
    return;
  const API = new URL(script.src, location.href).origin;

  /* Translations. Keys e_CODE[_FIELD] are the API's error codes; in
   * English the API's own messages serve where no key is given;
   * {origin} is this page's. */

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
      editHint: 'Write the new version here.',
      posted: 'Comment posted.', held: 'Comment awaiting moderation.',
      saved: 'Comment updated.', removed: 'Comment deleted.',
      e_email_taken: 'This e-mail belongs to an account — log in.',
      e_session: 'Your session has ended; please log in again.',
      e_rate: 'Too many attempts; try again in {n} seconds.',
      e_down: 'Comments are temporarily unavailable.',
      e_net: 'Could not reach the server; check your connection.',
      e_other: 'Something went wrong. Please try again.',
    },
    de: {
      count_one: '{n} Kommentar', count_other: '{n} Kommentare',
      none: 'Noch keine Kommentare',
      loading: 'Kommentare werden geladen…', retry: 'Erneut versuchen',
      sort: 'Sortieren', oldest: 'Älteste', newest: 'Neueste', top: 'Beste',
      more: 'Weitere Kommentare laden', leave: 'Schreiben Sie einen Kommentar',
      replyTo: '{name} antworten', closed: 'Die Kommentare sind geschlossen.',
      body: 'Kommentar', ph: 'Diskutieren Sie mit…',
      name: 'Name', email: 'E-Mail', site: 'Website',
      never: 'wird nie angezeigt', opt: 'optional',
      hp: 'Dieses Feld leer lassen',
      md: 'Markdown: **fett**, *kursiv*, `Code`, [Link](https://…)',
      preview: 'Vorschau', post: 'Kommentar abschicken', reply: 'Antworten',
      cancel: 'Abbrechen', save: 'Speichern', edit: 'Bearbeiten', del: 'Löschen',
      sure: 'Wirklich löschen?', yes: 'Ja', no: 'Nein',
      up: 'Positiv bewerten', down: 'Negativ bewerten',
      edited: '(bearbeitet)', deleted: 'Dieser Kommentar wurde gelöscht.',
      pending: 'Ihr Kommentar wartet auf Freischaltung.',
      moderator: 'Moderator', admin: 'Admin',
      login: 'Anmelden', register: 'Registrieren', logout: 'Abmelden',
      as: 'Sie kommentieren als {name}.',
      orGuest: 'oder als Gast kommentieren', password: 'Passwort',
      editHint: 'Schreiben Sie hier die neue Fassung.',
      posted: 'Kommentar veröffentlicht.', held: 'Kommentar wartet auf Freischaltung.',
      saved: 'Kommentar geändert.', removed: 'Kommentar gelöscht.',
      e_required: 'Bitte füllen Sie dieses Feld aus.',
      e_invalid_value: 'Bitte prüfen Sie dieses Feld.',
      e_invalid_value_author_email: 'Diese E-Mail-Adresse sieht nicht richtig aus.',
      e_invalid_value_author_url: 'Die Website muss mit http:// oder https:// beginnen.',
      e_too_long: 'Das ist zu lang.',
      e_email_taken: 'Diese E-Mail gehört zu einem Konto – bitte melden Sie sich an.',
      e_weak_password: 'Wählen Sie ein Passwort mit mindestens 10 Zeichen.',
      e_invalid_credentials: 'E-Mail und Passwort passen zu keinem Konto.',
      e_post_closed: 'Dieser Beitrag ist für neue Kommentare geschlossen.',
      e_parent_not_found: 'Der Kommentar, auf den Sie antworten, existiert nicht mehr.',
      e_edit_window_closed: 'Die Zeit zum Ändern dieses Kommentars ist abgelaufen.',
      e_session: 'Ihre Sitzung ist abgelaufen; bitte melden Sie sich erneut an.',
      e_forbidden: 'Das dürfen Sie nicht.',
      e_own_comment: 'Sie können Ihren eigenen Kommentar nicht bewerten.',
      e_not_found: 'Diesen Kommentar gibt es nicht mehr.',
      e_rate: 'Zu viele Versuche; bitte in {n} Sekunden erneut versuchen.',
      e_down: 'Die Kommentare sind vorübergehend nicht verfügbar.',
      e_net: 'Server nicht erreichbar; prüfen Sie Ihre Verbindung.',
      e_other: 'Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.',
      e_origin_not_allowed: '{origin} darf hier nicht posten (Parley-Verwaltung: Sites).',
    },
    fr: {
      count_one: '{n} commentaire', count_other: '{n} commentaires',
      none: 'Aucun commentaire pour l’instant',
      loading: 'Chargement des commentaires…', retry: 'Réessayer',
      sort: 'Trier par', oldest: 'Plus anciens', newest: 'Plus récents', top: 'Meilleurs',
      more: 'Afficher plus de commentaires', leave: 'Laisser un commentaire',
      replyTo: 'Répondre à {name}', closed: 'Les commentaires sont fermés.',
      body: 'Commentaire', ph: 'Participez à la discussion…',
      name: 'Nom', email: 'E-mail', site: 'Site web',
      never: 'jamais affiché', opt: 'facultatif',
      hp: 'Laissez ce champ vide',
      md: 'Markdown : **gras**, *italique*, `code`, [lien](https://…)',
      preview: 'Aperçu', post: 'Publier', reply: 'Répondre',
      cancel: 'Annuler', save: 'Enregistrer', edit: 'Modifier', del: 'Supprimer',
      sure: 'Vraiment supprimer ?', yes: 'Oui', no: 'Non',
      up: 'Voter pour', down: 'Voter contre',
      edited: '(modifié)', deleted: 'Ce commentaire a été supprimé.',
      pending: 'Votre commentaire est en attente de modération.',
      moderator: 'Modérateur', admin: 'Admin',
      login: 'Se connecter', register: 'Créer un compte', logout: 'Se déconnecter',
      as: 'Vous commentez en tant que {name}.',
      orGuest: 'ou commentez en invité', password: 'Mot de passe',
      editHint: 'Écrivez ici la nouvelle version.',
      posted: 'Commentaire publié.', held: 'Commentaire en attente de modération.',
      saved: 'Commentaire modifié.', removed: 'Commentaire supprimé.',
      e_required: 'Veuillez remplir ce champ.',
      e_invalid_value: 'Veuillez vérifier ce champ.',
      e_invalid_value_author_email: 'Cette adresse e-mail ne semble pas valide.',
      e_invalid_value_author_url: 'Le site web doit commencer par http:// ou https://.',
      e_too_long: 'C’est trop long.',
      e_email_taken: 'Cette adresse e-mail appartient à un compte — connectez-vous.',
      e_weak_password: 'Choisissez un mot de passe d’au moins 10 caractères.',
      e_invalid_credentials: 'Cet e-mail et ce mot de passe ne correspondent à aucun compte.',
      e_post_closed: 'Cet article n’accepte plus de commentaires.',
      e_parent_not_found: 'Le commentaire auquel vous répondez n’existe plus.',
      e_edit_window_closed: 'Le délai pour modifier ce commentaire est écoulé.',
      e_session: 'Votre session a expiré ; veuillez vous reconnecter.',
      e_forbidden: 'Vous ne pouvez pas faire cela.',
      e_own_comment: 'Vous ne pouvez pas voter pour votre propre commentaire.',
      e_not_found: 'Ce commentaire n’existe plus.',
      e_rate: 'Trop de tentatives ; réessayez dans {n} secondes.',
      e_down: 'Les commentaires sont momentanément indisponibles.',
      e_net: 'Serveur injoignable ; vérifiez votre connexion.',
      e_other: 'Une erreur est survenue. Veuillez réessayer.',
      e_origin_not_allowed: '{origin} ne peut pas publier ici (admin Parley : Sites).',
    },
  };

  /* :host resets what the page passes down. A blog may set the colours
   * on #parley: --parley-accent, -bg, -fg, -muted, -border, -soft. */

  const CSS = `
:host{all:initial;display:block!important;container-type:inline-size}
.root{--accent:var(--parley-accent,#2563eb);--on-accent:#fff;--bg:var(--parley-bg,#fff);--fg:var(--parley-fg,#1f2328);--muted:var(--parley-muted,#5c6570);--border:var(--parley-border,#dfe3e8);--soft:var(--parley-soft,#f4f6f8);--danger:#c0262d;--note-bg:#fff4d1;--note-fg:#6d4c00;
color-scheme:light;position:relative;background:var(--bg);color:var(--fg);font:15px/1.55 var(--parley-font,system-ui,sans-serif);padding:20px 22px;border:1px solid var(--border);border-radius:12px;text-align:left;overflow-wrap:anywhere}
.root.dark{--accent:var(--parley-accent,#7aa7ff);--on-accent:#0d1424;--bg:var(--parley-bg,#181a1f);--fg:var(--parley-fg,#e4e6ea);--muted:var(--parley-muted,#9aa3ae);--border:var(--parley-border,#31353d);--soft:var(--parley-soft,#22252b);--danger:#ff8a80;--note-bg:#3a2f0b;--note-fg:#f0cf6a;color-scheme:dark}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
h2,h3{margin:0;font-weight:700;line-height:1.25}
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
.badge{font-size:.72em;font-weight:700;text-transform:uppercase;letter-spacing:.05em;padding:1px 7px;border-radius:99px;color:var(--accent);background:color-mix(in srgb,var(--accent) 14%,transparent)}
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
.vote button[aria-pressed=true]{color:var(--accent);background:color-mix(in srgb,var(--accent) 14%,transparent)}
.score{min-width:1.6em;text-align:center;font-weight:700;font-variant-numeric:tabular-nums;color:var(--fg)}
.act{padding:4px 7px;font-weight:600;color:var(--muted)}
.act[aria-expanded=true]{color:var(--accent)}
.slot:not(:empty){margin-top:8px}
.replies{margin-left:18px;padding-left:16px;border-left:2px solid var(--border)}
.replies .replies .replies .replies{margin-left:0;padding-left:10px}
.more{width:100%;margin-top:18px}
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
.confirm{display:inline-flex;gap:4px;align-items:center;color:var(--fg)}
@container (max-width:520px){
.root{padding:14px;border-radius:10px}
.art{grid-template-columns:30px 1fr;gap:0 10px}
.av{width:30px;height:30px;font-size:13px}
.replies{margin-left:14px;padding-left:10px}
.replies .replies .replies .replies{padding-left:6px}
.guest{grid-template-columns:1fr}
.fa .hint{flex-basis:100%}
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

  /* ---------- A widget: its settings, state and elements ---------- */

  /* Every function below takes the widget first. */
  function createWidget(host) {
    const options = host.dataset;
    const code = (options.lang || document.documentElement.lang ||
      navigator.language || '').toLowerCase().split('-')[0];
    const lang = I18N[code] ? code : 'en';
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
        sort: /^(newest|top)$/.test(options.sort) ? options.sort : 'oldest',
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
      /* A guest's held comments: shown for the life of this page. */
      held: [],
      /* [time element, Date]: relative times to keep fresh. */
      times: [],
      /* Comments written here: {id: {t: edit token, u: edit until,
       * s: Markdown source, m: member id}}, dropped once u is past. */
      owned: loadStored('own') || {},
      votes: null,
    };
    for (const id in widget.owned) {
      if (!(Date.parse(widget.owned[id].u) > Date.now()))
        delete widget.owned[id];
    }
    saveStored('own', widget.owned);
    widget.votes = loadStored('votes') || {};
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
    let res;
    try {
      res = await fetch(API + '/api/v1' + path, { method,
        headers: sent, credentials: 'omit',
        body: body && JSON.stringify(body) });
    } catch (_) {
      throw { code: 'net' };
    }
    const data = await res.json().catch(() => null);
    if (res.ok)
      return data;
    throw { ...data?.error, status: res.status,
      retry: res.headers.get('Retry-After') };
  }

  /* What went wrong, in the reader's language where a translation
   * exists. */
  function errorText(widget, e) {
    const code = 'e_' + e.code, field = e.field;
    const alias = { name: 'author_name', email: 'author_email' }[field];
    const dict = widget.dict;
    if (e.status === 429)
      return translate(widget, 'e_rate', { n: parseInt(e.retry, 10) || 60 });
    if (e.status === 503 || e.code === 'net')
      return translate(widget, e.status ? 'e_down' : 'e_net');
    if (/^(invalid_token|not_logged_in)$/.test(e.code))
      return translate(widget, 'e_session');
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
    inputs.forEach((input) => input.setAttribute('aria-describedby', error.id));
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

  /* This device's claim on a comment while its edit window is open. */
  function editClaim(widget, comment) {
    const claim = widget.owned[comment.id];
    return claim && Date.parse(claim.u) > Date.now() &&
      (!claim.m || claim.m === widget.user?.id) ? claim : null;
  }

  function mayChange(widget, comment) {
    return comment.status !== 'deleted' &&
      (/^(moderator|admin)$/.test(widget.user?.role) ||
        !!editClaim(widget, comment));
  }

  /* Up or down beside the score, pressed if it is this reader's vote. */
  function voteButton(widget, node, direction, score) {
    return button(null, direction > 0 ? '▲' : '▼',
      () => vote(widget, node, direction, score),
      { 'aria-pressed': String(widget.votes[node.comment.id] === direction),
        'aria-label': translate(widget, direction > 0 ? 'up' : 'down') });
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
      const score = el('span', { class: 'score' }, String(comment.score));
      node.actions.append(el('span', { class: 'vote' },
        voteButton(widget, node, 1, score), score,
        voteButton(widget, node, -1, score)));
      if (widget.open)
        node.actions.append(node.replyButton = button('act',
          translate(widget, 'reply'), () => openReply(widget, node),
          { 'aria-expanded': 'false',
            'aria-label': translate(widget, 'replyTo', { name }) }));
    }
    if (mayChange(widget, comment))
      node.actions.append(
        button('act ed', translate(widget, 'edit'),
          () => openEdit(widget, node)),
        button('act ed', translate(widget, 'del'),
          (ev) => askDelete(widget, node, ev.target)));

    return el('article', { class: 'art', 'aria-labelledby': id },
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

  /* The node of a comment, with its replies. */
  function buildComment(widget, comment) {
    const node = { comment, item: el('li', { class: 'c' }) };
    widget.nodes.set(comment.id, node);
    node.item.append(node.article = buildArticle(widget, node));
    for (const reply of comment.replies || [])
      repliesOf(node).append(buildComment(widget, reply).item);
    return node;
  }

  /* The list of a node's replies, made when the first one comes. */
  const repliesOf = (node) => node.replies ||
    node.item.appendChild(node.replies = el('ol', { class: 'replies' }));

  function redraw(widget, node) {
    const article = buildArticle(widget, node);
    node.article.replaceWith(article);
    node.article = article;
  }

  /* Shows a comment this reader just wrote, without a refetch. */
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

  /* ---------- The thread ---------- */

  /* The heading and sort, the thread, the account line and the form. */
  function buildLayout(widget) {
    const sortChanged = () => {
      widget.config.sort = sort.value;
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
    widget.account = el('div', { class: 'acct' });
    widget.authSlot = el('div', {});
    widget.closed = el('p', { class: 'muted', hidden: true },
      translate(widget, 'closed'));
    widget.mainForm = commentForm(widget);
    widget.root = el('div', { class: 'root', lang: widget.lang },
      el('div', { class: 'top' }, widget.heading,
        el('label', {}, translate(widget, 'sort'), sort)),
      widget.status, widget.list, widget.more,
      el('section', { class: 'leave', 'aria-labelledby': 'parley-leave' },
        el('div', { class: 'leave-head' },
          el('h3', { id: 'parley-leave' }, translate(widget, 'leave')),
          widget.account),
        widget.authSlot, widget.closed, widget.mainForm),
      widget.live);
  }

  function setCount(widget, n) {
    const count = widget.count = Math.max(n, 0);
    const form = widget.plural.select(count) === 'one' ? 'one' : 'other';
    widget.heading.textContent = count ? translate(widget, 'count_' + form,
      { n: count.toLocaleString(widget.lang) }) : translate(widget, 'none');
  }

  /* The first page of the thread, or with more the next one. */
  async function loadComments(widget, more) {
    const load = ++widget.lastLoad;
    const query = new URLSearchParams({ post: widget.config.post,
      sort: widget.config.sort, limit: widget.config.limit });
    if (more)
      query.set('after', widget.next);
    else
      widget.status.replaceChildren(translate(widget, 'loading'));
    widget.status.hidden = widget.more.disabled = !!more;
    try {
      const r = await request(widget, 'GET', '/comments?' + query);
      if (load !== widget.lastLoad)
        return;
      if (!more) {
        widget.nodes.clear();
        widget.times.length = 0;
        widget.list.replaceChildren();
      }
      widget.status.hidden = true;
      widget.open = r.post.open;
      widget.mainForm.hidden = !widget.open;
      widget.closed.hidden = widget.open;
      setCount(widget, r.post.comment_count);
      for (const comment of r.comments)
        widget.list.append(buildComment(widget, comment).item);
      for (const comment of widget.held) {
        const parentShown = !comment.parent_id ||
          widget.nodes.has(comment.parent_id);
        if (!widget.nodes.has(comment.id) && parentShown)
          insertComment(widget, comment);
      }
      widget.next = r.next;
      widget.more.hidden = !widget.next;
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

  /* ---------- Writing ---------- */

  function field(label, input, note) {
    return el('label', { class: 'fld' },
      el('span', {}, label, note && el('small', {}, ' (' + note + ')')),
      input);
  }

  /* The comment form; parent is the node replied to, if any. */
  function commentForm(widget, parent, close) {
    const remembered = loadStored('guest') || {};
    const fields = {
      body: el('textarea', { name: 'body', rows: 4,
        placeholder: translate(widget, 'ph'),
        'aria-label': translate(widget, 'body') }),
      author_name: el('input', { name: 'name', autocomplete: 'name',
        'aria-required': 'true', maxlength: 80 }),
      author_email: el('input', { name: 'email', type: 'email',
        autocomplete: 'email' }),
      author_url: el('input', { name: 'url', type: 'url',
        autocomplete: 'url', placeholder: 'https://' }),
    };
    fields.author_name.value = remembered.name || '';
    fields.author_email.value = remembered.email || '';
    fields.author_url.value = remembered.url || '';
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
      { class: 'form', novalidate: true, 'aria-label': parent ?
        translate(widget, 'replyTo', { name: parent.comment.author.name }) :
        translate(widget, 'leave') },
      fields.body, preview,
      el('div', { class: 'guest' },
        field(translate(widget, 'name') + ' *', fields.author_name),
        field(translate(widget, 'email'), fields.author_email,
          translate(widget, 'never')),
        field(translate(widget, 'site'), fields.author_url,
          translate(widget, 'opt'))),
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
      const body = fields.body.value;
      const guest = widget.user ? {} : {
        author_name: fields.author_name.value.trim(),
        author_email: fields.author_email.value.trim(),
        author_url: fields.author_url.value.trim(),
      };
      const r = await request(widget, 'POST', '/comments', {
        post: widget.config.post, post_title: widget.config.title,
        post_url: isWebUrl(widget.config.url) ? widget.config.url : undefined,
        parent_id: parent ? parent.comment.id : null,
        body, hp: honeypot.value, ...guest,
      });
      const comment = r.comment;
      if (!widget.user)
        saveStored('guest', { name: guest.author_name,
          email: guest.author_email, url: guest.author_url });
      widget.owned[comment.id] = { t: r.edit_token, u: r.edit_until,
        s: body, m: widget.user?.id };
      saveStored('own', widget.owned);
      if (comment.status === 'pending' && !widget.user)
        widget.held.push(comment);
      if (comment.status === 'approved')
        setCount(widget, widget.count + 1);
      fields.body.value = '';
      preview.hidden = true;
      announce(widget, translate(widget,
        comment.status === 'pending' ? 'held' : 'posted'));
      const node = insertComment(widget, comment);
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

  /* What proves this reader may change a comment: a guest's edit token
   * (a member's session goes with every request). */
  const editProof = (widget, comment) => editClaim(widget, comment)?.t ?
    { 'X-Edit-Token': editClaim(widget, comment).t } : {};

  function openEdit(widget, node) {
    if (node.editForm)
      return node.editForm.querySelector('textarea').focus();
    const claim = editClaim(widget, node.comment);
    const textarea = el('textarea', { name: 'body',
      'aria-label': translate(widget, 'body'),
      placeholder: claim?.s ? null : translate(widget, 'editHint') });
    textarea.value = claim?.s || '';
    const wired = wireForm(widget, { body: textarea });
    const close = () => {
      node.editForm.replaceWith(node.body);
      node.editForm = null;
    };
    node.editForm = el('form', { class: 'form', novalidate: true },
      textarea, wired.error,
      el('div', { class: 'fa' },
        button('btn', translate(widget, 'cancel'), close),
        el('button', { type: 'submit', class: 'btn primary' },
          translate(widget, 'save'))));
    node.editForm.onsubmit = wired.submit(async () => {
      const comment = node.comment;
      const r = await request(widget, 'PATCH', '/comments/' + comment.id,
        { body: textarea.value }, editProof(widget, comment));
      comment.html = r.comment.html;
      comment.edited_at = r.comment.edited_at;
      if (widget.owned[comment.id]) {
        widget.owned[comment.id].s = textarea.value;
        saveStored('own', widget.owned);
      }
      node.editForm = null;
      redraw(widget, node);
      announce(widget, translate(widget, 'saved'));
    });
    node.body.replaceWith(node.editForm);
    textarea.focus();
  }

  /* "Really delete? Yes No" in place of the Delete button. */
  function askDelete(widget, node, deleteButton) {
    const error = el('span', { class: 'err' });
    const no = button('act', translate(widget, 'no'), () => {
      box.replaceWith(deleteButton);
      deleteButton.focus();
    });
    const yes = button('act', translate(widget, 'yes'), async () => {
      const comment = node.comment;
      try {
        await request(widget, 'DELETE', '/comments/' + comment.id, null,
          editProof(widget, comment));
      } catch (e) {
        return showError(widget, error, e);
      }
      if (comment.status === 'approved')
        setCount(widget, widget.count - 1);
      delete widget.owned[comment.id];
      saveStored('own', widget.owned);
      if (node.replies?.children.length) {
        comment.status = 'deleted';
        redraw(widget, node);
      } else {
        node.item.remove();
        widget.nodes.delete(comment.id);
      }
      announce(widget, translate(widget, 'removed'));
    });
    const box = el('span', { class: 'confirm', role: 'group' },
      translate(widget, 'sure'), yes, no, error);
    deleteButton.replaceWith(box);
    no.focus();
  }

  /* Up, down, or the same again to take the vote back. */
  async function vote(widget, node, direction, score) {
    const votes = widget.votes, id = node.comment.id;
    const value = votes[id] === direction ? 0 : direction;
    node.slot.querySelector('.verr')?.remove();
    try {
      const r = await request(widget, 'POST', '/comments/' + id + '/vote',
        { value });
      score.textContent = node.comment.score = r.score;
      votes[id] = value || undefined;
      saveStored('votes', votes);
      score.previousSibling.setAttribute('aria-pressed', value > 0);
      score.nextSibling.setAttribute('aria-pressed', value < 0);
    } catch (e) {
      const box = node.slot.appendChild(el('p', { class: 'err verr' }));
      showError(widget, box, e);
    }
  }

  /* ---------- Accounts ---------- */

  /* Who comments: a member, or a guest (null). A token, if given, is
   * the session to remember (null forgets it). */
  function setUser(widget, user, token) {
    widget.user = user;
    if (token !== undefined)
      saveStored('token', widget.token = token);
    widget.root.classList.toggle('member', !!user);
    widget.authSlot.replaceChildren();
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

  /* The form to log in, or with register to make an account. */
  function authForm(widget, register) {
    const fields = {
      email: el('input', { type: 'email', name: 'email',
        autocomplete: 'email' }),
      password: el('input', { type: 'password', name: 'password',
        autocomplete: register ? 'new-password' : 'current-password' }),
    };
    if (register)
      fields.name = el('input', { name: 'name', autocomplete: 'name',
        maxlength: 80 });
    const what = register ? 'register' : 'login';
    const wired = wireForm(widget, fields);
    const form = el('form',
      { class: 'auth', novalidate: true, 'aria-label': translate(widget, what) },
      register && field(translate(widget, 'name'), fields.name),
      field(translate(widget, 'email'), fields.email),
      field(translate(widget, 'password'), fields.password),
      wired.error,
      el('div', { class: 'fa' },
        button('btn', translate(widget, 'cancel'),
          () => widget.authSlot.replaceChildren()),
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

  /* Keeps times fresh; Edit and Delete go when the window closes. */
  function refresh(widget) {
    for (const [element, when] of widget.times)
      element.textContent = relativeTime(widget, when);
    for (const node of widget.nodes.values()) {
      if (!node.editForm && !mayChange(widget, node.comment))
        node.actions?.querySelectorAll('.ed').forEach((b) => b.remove());
    }
  }

  function mount(host) {
    if (!host || host.shadowRoot || !host.dataset.post)
      return;
    const widget = createWidget(host);
    buildLayout(widget);
    followTheme(widget);
    setUser(widget, null);
    setCount(widget, 0);
    host.attachShadow({ mode: 'open' }).append(el('style', {}, CSS),
      widget.root);

    (async () => {
      if (widget.token) {
        try {
          setUser(widget, (await request(widget, 'GET', '/auth/me')).user);
        } catch (e) {
          if (e.status === 401)
            setUser(widget, null, null);
        }
      }
      loadComments(widget);
    })();

    setInterval(() => refresh(widget), 30000);
  }

  window.Parley = Object.freeze({ mount });
  const start = () => mount(document.getElementById('parley'));
  if (document.readyState === 'loading')
    document.addEventListener('DOMContentLoaded', start);
  else
    start();
})();
