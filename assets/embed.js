/*
 * Parley comments widget: <div id="parley" data-post="KEY"></div> and
 * this script. Options (data-): post, title, url, lang, theme (light |
 * dark | auto), sort (oldest | newest | top), limit. It renders in a
 * Shadow DOM, builds DOM with textContent (the server's sanitized HTML
 * is the only markup inserted), talks only to its own origin without
 * cookies, and keeps state in localStorage under "parley:".
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

	/* h('a', {class: 'x', onclick: f}, 'text', node...): strings become
	 * text nodes; no property ever takes HTML. */
	function h(tag, props, ...kids) {
		const el = document.createElement(tag);
		for (const [k, v] of Object.entries(props || {})) {
			if (k.startsWith('on'))
				el.addEventListener(k.slice(2), v);
			else if (v != null && v !== false)
				el.setAttribute(k, v === true ? '' : v);
		}
		el.append(...kids.flat().filter((k) => k != null && k !== false));
		return el;
	}

	const btn = (cls, label, onclick, attrs) =>
	    h('button', { type: 'button', class: cls, onclick, ...attrs }, label);

	const store = (k, v) => {
		try {
			if (v === undefined)
				return JSON.parse(localStorage.getItem('parley:' + k));
			if (v === null)
				localStorage.removeItem('parley:' + k);
			else
				localStorage.setItem('parley:' + k, JSON.stringify(v));
		} catch (_) { /* storage blocked: remember nothing */ }
	};

	const isWeb = (u) => /^https?:\/\//i.test(u || '');

	function mount(host) {
		if (!host || host.shadowRoot || !host.dataset.post)
			return;
		const d = host.dataset;
		const code = (d.lang || document.documentElement.lang ||
		    navigator.language || '').toLowerCase().split('-')[0];
		const lang = I18N[code] ? code : 'en';
		const dict = I18N[lang];
		const t = (k, vars) => (dict[k] ?? I18N.en[k])
		    .replace(/\{(\w+)\}/g, (_, v) => vars[v]);
		const plural = new Intl.PluralRules(lang);
		const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
		const full = new Intl.DateTimeFormat(lang,
		    { dateStyle: 'long', timeStyle: 'short' });

		const cfg = {
			post: d.post,
			title: d.title ?? document.title,
			url: d.url || location.href.split('#')[0],
			sort: /^(newest|top)$/.test(d.sort) ? d.sort : 'oldest',
			limit: Math.min(Math.max(parseInt(d.limit, 10) || 20, 1), 200),
		};

		let token = store('token');
		let user = null, open = true, count = 0, next = null, seq = 0;
		/* id -> {c, li, art, body, acts, slot, ol}: comments on screen. */
		const nodes = new Map();
		/* A guest's held comments: shown for the life of this page. */
		const held = [];
		const times = [];
		/* Comments written here: {id: {t: edit token, u: edit until,
		 * s: Markdown source, m: member id}}, dropped once u is past. */
		const owned = store('own') || {};
		for (const id in owned) {
			if (!(Date.parse(owned[id].u) > Date.now()))
				delete owned[id];
		}
		store('own', owned);
		const votes = store('votes') || {};

		async function api(method, path, body, headers) {
			const hd = { ...headers };
			if (token)
				hd.Authorization = 'Bearer ' + token;
			if (body)
				hd['Content-Type'] = 'application/json';
			let res;
			try {
				res = await fetch(API + '/api/v1' + path, { method,
				    headers: hd, credentials: 'omit',
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

		function errText(e) {
			const c = 'e_' + e.code, f = e.field;
			const alias = { name: 'author_name', email: 'author_email' }[f];
			if (e.status === 429)
				return t('e_rate', { n: parseInt(e.retry, 10) || 60 });
			if (e.status === 503 || e.code === 'net')
				return t(e.status ? 'e_down' : 'e_net');
			if (/^(invalid_token|not_logged_in)$/.test(e.code))
				return t('e_session');
			return (dict[c + '_' + f] ?? dict[c + '_' + alias] ??
			    dict[c])?.replace('{origin}', location.origin) ??
			    e.message ?? t('e_other');
		}

		const live = h('div', { class: 'sr', role: 'status',
		    'aria-live': 'polite' });
		const announce = (msg) => {
			live.textContent = '';
			setTimeout(() => { live.textContent = msg; }, 50);
		};

		/* Shows e in box, and marks and focuses the field it names. */
		function fail(box, e, fields = {}) {
			box.textContent = errText(e);
			announce(box.textContent);
			fields[e.field]?.setAttribute('aria-invalid', 'true');
			fields[e.field]?.focus();
		}

		/* A form's error line, tied to its fields, and a submit handler
		 * that clears it, disables the button, runs work and shows what
		 * went wrong. */
		function wire(fields) {
			const err = h('p', { class: 'err', id: 'parley-e' + ++seq });
			const all = Object.values(fields);
			all.forEach((i) => i.setAttribute('aria-describedby', err.id));
			const run = async (work, b) => {
				err.textContent = '';
				all.forEach((i) => i.removeAttribute('aria-invalid'));
				if (b)
					b.disabled = true;
				try {
					await work();
				} catch (e) {
					fail(err, e, fields);
				}
				if (b)
					b.disabled = false;
			};
			const submit = (work) => (ev) => {
				ev.preventDefault();
				run(work, ev.submitter);
			};
			return { err, run, submit };
		}

		function relTime(date) {
			const s = Math.min((date - Date.now()) / 1000, 0);
			for (const [u, n] of [['year', 31536000], ['month', 2592000],
			    ['week', 604800], ['day', 86400], ['hour', 3600],
			    ['minute', 60]]) {
				if (-s >= n)
					return rtf.format(Math.round(s / n), u);
			}
			return rtf.format(0, 'second');
		}

		/* Parley's generated avatar, or an initial on a colour of the
		 * name's own. */
		function avatar(a) {
			if (/^\/[^/]/.test(a.avatar))
				return h('img', { class: 'av', src: API + a.avatar, alt: '' });
			const name = [...(a.name || '?')];
			const av = h('span', { class: 'av', 'aria-hidden': 'true' },
			    name[0].toUpperCase());
			av.style.setProperty('--h',
			    name.reduce((x, ch) => (x * 31 + ch.codePointAt(0)) % 360, 0));
			return av;
		}

		/* This device's claim on comment c while its window is open. */
		function mine(c) {
			const o = owned[c.id];
			return o && Date.parse(o.u) > Date.now() &&
			    (!o.m || o.m === user?.id) ? o : null;
		}

		const mayChange = (c) => c.status !== 'deleted' &&
		    (/^(moderator|admin)$/.test(user?.role) || !!mine(c));

		function buildArticle(n) {
			const c = n.c;
			if (c.status === 'deleted')
				return h('div', { class: 'art gone' },
				    h('span', { class: 'av' }), h('p', {}, t('deleted')));

			const a = c.author || {};
			const name = a.name;
			const id = 'parley-n' + c.id;
			const when = new Date(c.created_at);
			const time = h('time', { datetime: c.created_at,
			    title: full.format(when) }, relTime(when));
			times.push([time, when]);

			n.body = h('div', { class: 'body' });
			/* Sanitized by the server's Markdown allowlist. */
			n.body.innerHTML = c.html;

			n.acts = h('div', { class: 'acts' });
			if (c.status === 'approved') {
				const v = votes[c.id];
				const score = h('span', { class: 'score' }, String(c.score));
				const vb = (dir, glyph) => btn(null, glyph,
				    () => vote(n, dir, score), { 'aria-pressed': String(v === dir),
					'aria-label': t(dir > 0 ? 'up' : 'down') });
				n.acts.append(h('span', { class: 'vote' },
				    vb(1, '▲'), score, vb(-1, '▼')));
				if (open)
					n.acts.append(n.reply = btn('act', t('reply'),
					    () => openReply(n), { 'aria-expanded': 'false',
						'aria-label': t('replyTo', { name }) }));
			}
			if (mayChange(c))
				n.acts.append(btn('act ed', t('edit'), () => openEdit(n)),
				    btn('act ed', t('del'), (ev) => askDelete(n, ev.target)));

			return h('article', { class: 'art', 'aria-labelledby': id },
			    avatar(a),
			    h('div', {},
				h('div', { class: 'head' },
				    isWeb(a.url) ? h('a', { class: 'name', id, href: a.url,
					rel: 'nofollow ugc noopener' }, name) :
					h('span', { class: 'name', id }, name),
				    /^(moderator|admin)$/.test(a.role) &&
					h('span', { class: 'badge' }, t(a.role)),
				    time,
				    c.edited_at && h('span', { class: 'muted',
					title: full.format(new Date(c.edited_at)) }, t('edited'))),
				c.status === 'pending' && h('p', { class: 'note' }, t('pending')),
				n.body, n.acts, n.slot = h('div', { class: 'slot' })));
		}

		/* The node of comment c, with its replies. */
		function build(c) {
			const n = { c, li: h('li', { class: 'c' }) };
			nodes.set(c.id, n);
			n.li.append(n.art = buildArticle(n));
			for (const r of c.replies || [])
				replies(n).append(build(r).li);
			return n;
		}

		const replies = (n) => n.ol ||
		    n.li.appendChild(n.ol = h('ol', { class: 'replies' }));

		function redraw(n) {
			const art = buildArticle(n);
			n.art.replaceWith(art);
			n.art = art;
		}

		/* Shows a comment this reader just wrote, without a refetch. */
		function insert(c) {
			const n = build(c);
			const parent = nodes.get(c.parent_id);
			if (parent)
				replies(parent).append(n.li);
			else
				list[cfg.sort === 'newest' ? 'prepend' : 'append'](n.li);
			return n;
		}

		const heading = h('h2', {});
		const sortSel = h('select', { onchange: () => {
			cfg.sort = sortSel.value;
			load();
		} }, ['oldest', 'newest', 'top'].map((s) =>
		    h('option', { value: s, selected: s === cfg.sort }, t(s))));
		const list = h('ol', { class: 'thread' });
		const status = h('div', { class: 'status muted' }, t('loading'));
		const more = btn('btn more', t('more'), () => load(true), { hidden: true });
		const acct = h('div', { class: 'acct' });
		const authSlot = h('div', {});
		const closed = h('p', { class: 'muted', hidden: true }, t('closed'));
		const mainForm = commentForm();
		const root = h('div', { class: 'root', lang },
		    h('div', { class: 'top' }, heading,
			h('label', {}, t('sort'), sortSel)),
		    status, list, more,
		    h('section', { class: 'leave', 'aria-labelledby': 'parley-leave' },
			h('div', { class: 'leave-head' },
			    h('h3', { id: 'parley-leave' }, t('leave')), acct),
			authSlot, closed, mainForm),
		    live);

		function setCount(n) {
			count = Math.max(n, 0);
			heading.textContent = count ? t('count_' +
			    (plural.select(count) === 'one' ? 'one' : 'other'),
			    { n: count.toLocaleString(lang) }) : t('none');
		}

		/* The first page of the thread, or with more the next one. */
		let loading = 0;
		async function load(more_) {
			const mine_ = ++loading;
			const q = new URLSearchParams({ post: cfg.post, sort: cfg.sort,
			    limit: cfg.limit });
			if (more_)
				q.set('after', next);
			else
				status.replaceChildren(t('loading'));
			status.hidden = more.disabled = !!more_;
			try {
				const r = await api('GET', '/comments?' + q);
				if (mine_ !== loading)
					return;
				if (!more_) {
					nodes.clear();
					times.length = 0;
					list.replaceChildren();
				}
				status.hidden = true;
				open = r.post.open;
				mainForm.hidden = !open;
				closed.hidden = open;
				setCount(r.post.comment_count);
				for (const c of r.comments)
					list.append(build(c).li);
				for (const c of held) {
					if (!nodes.has(c.id) && (!c.parent_id || nodes.has(c.parent_id)))
						insert(c);
				}
				next = r.next;
				more.hidden = !next;
			} catch (e) {
				if (mine_ === loading) {
					status.hidden = false;
					status.replaceChildren(h('span', { class: 'err' }, errText(e)),
					    btn('btn', t('retry'), () => load(more_)));
				}
			}
			more.disabled = false;
		}

		function field(label, input, note) {
			return h('label', { class: 'fld' },
			    h('span', {}, label, note && h('small', {}, ' (' + note + ')')),
			    input);
		}

		/* The comment form; parent is the node replied to, if any. */
		function commentForm(parent, close) {
			const g = store('guest') || {};
			const f = {
				body: h('textarea', { name: 'body', rows: 4,
				    placeholder: t('ph'), 'aria-label': t('body') }),
				author_name: h('input', { name: 'name', autocomplete: 'name',
				    'aria-required': 'true', maxlength: 80 }),
				author_email: h('input', { name: 'email', type: 'email',
				    autocomplete: 'email' }),
				author_url: h('input', { name: 'url', type: 'url',
				    autocomplete: 'url', placeholder: 'https://' }),
			};
			f.author_name.value = g.name || '';
			f.author_email.value = g.email || '';
			f.author_url.value = g.url || '';
			const hp = h('input', { name: 'hp', tabindex: '-1',
			    autocomplete: 'off', 'aria-hidden': 'true' });
			const preview = h('div', { class: 'preview body', hidden: true,
			    'aria-label': t('preview') });
			const w = wire(f);
			const form = h('form', { class: 'form', novalidate: true,
			    'aria-label': parent ? t('replyTo', { name: parent.c.author.name }) :
				t('leave') },
			    f.body, preview,
			    h('div', { class: 'guest' },
				field(t('name') + ' *', f.author_name),
				field(t('email'), f.author_email, t('never')),
				field(t('site'), f.author_url, t('opt'))),
			    h('div', { class: 'hp', 'aria-hidden': 'true' },
				h('label', {}, t('hp'), hp)),
			    w.err,
			    h('div', { class: 'fa' },
				h('span', { class: 'hint' }, t('md')),
				btn('btn', t('preview'), (ev) => w.run(async () => {
					const r = await api('POST', '/preview', { body: f.body.value });
					/* Sanitized by the server, like a comment. */
					preview.innerHTML = r.html;
					preview.hidden = false;
				}, ev.target)),
				parent && btn('btn', t('cancel'), close),
				h('button', { type: 'submit', class: 'btn primary' },
				    t(parent ? 'reply' : 'post'))));

			form.onsubmit = w.submit(async () => {
				const body = f.body.value;
				const guest = user ? {} : {
					author_name: f.author_name.value.trim(),
					author_email: f.author_email.value.trim(),
					author_url: f.author_url.value.trim(),
				};
				const r = await api('POST', '/comments', {
					post: cfg.post, post_title: cfg.title,
					post_url: isWeb(cfg.url) ? cfg.url : undefined,
					parent_id: parent ? parent.c.id : null,
					body, hp: hp.value, ...guest,
				});
				const c = r.comment;
				if (!user)
					store('guest', { name: guest.author_name,
					    email: guest.author_email, url: guest.author_url });
				owned[c.id] = { t: r.edit_token, u: r.edit_until, s: body,
				    m: user?.id };
				store('own', owned);
				if (c.status === 'pending' && !user)
					held.push(c);
				if (c.status === 'approved')
					setCount(count + 1);
				f.body.value = '';
				preview.hidden = true;
				announce(t(c.status === 'pending' ? 'held' : 'posted'));
				const n = insert(c);
				if (close)
					close();
				n.li.scrollIntoView({ block: 'nearest' });
			});
			return form;
		}

		function openReply(n) {
			if (!n.form) {
				const close = () => {
					n.form.remove();
					n.form = null;
					n.reply.setAttribute('aria-expanded', 'false');
					n.reply.focus();
				};
				n.slot.append(n.form = commentForm(n, close));
				n.reply.setAttribute('aria-expanded', 'true');
			}
			n.form.querySelector('textarea').focus();
		}

		/* What proves this reader may change c: a guest's edit token
		 * (a member's session goes with every request). */
		const proof = (c) => mine(c)?.t ? { 'X-Edit-Token': mine(c).t } : {};

		function openEdit(n) {
			if (n.edit)
				return n.edit.querySelector('textarea').focus();
			const o = mine(n.c);
			const ta = h('textarea', { name: 'body', 'aria-label': t('body'),
			    placeholder: o?.s ? null : t('editHint') });
			ta.value = o?.s || '';
			const w = wire({ body: ta });
			const close = () => {
				n.edit.replaceWith(n.body);
				n.edit = null;
			};
			n.edit = h('form', { class: 'form', novalidate: true }, ta, w.err,
			    h('div', { class: 'fa' }, btn('btn', t('cancel'), close),
				h('button', { type: 'submit', class: 'btn primary' }, t('save'))));
			n.edit.onsubmit = w.submit(async () => {
				const r = await api('PATCH', '/comments/' + n.c.id,
				    { body: ta.value }, proof(n.c));
				n.c.html = r.comment.html;
				n.c.edited_at = r.comment.edited_at;
				if (owned[n.c.id]) {
					owned[n.c.id].s = ta.value;
					store('own', owned);
				}
				n.edit = null;
				redraw(n);
				announce(t('saved'));
			});
			n.body.replaceWith(n.edit);
			ta.focus();
		}

		function askDelete(n, del) {
			const err = h('span', { class: 'err' });
			const no = btn('act', t('no'), () => {
				box.replaceWith(del);
				del.focus();
			});
			const yes = btn('act', t('yes'), async () => {
				try {
					await api('DELETE', '/comments/' + n.c.id, null, proof(n.c));
				} catch (e) {
					return fail(err, e);
				}
				if (n.c.status === 'approved')
					setCount(count - 1);
				delete owned[n.c.id];
				store('own', owned);
				if (n.ol?.children.length) {
					n.c.status = 'deleted';
					redraw(n);
				} else {
					n.li.remove();
					nodes.delete(n.c.id);
				}
				announce(t('removed'));
			});
			const box = h('span', { class: 'confirm', role: 'group' },
			    t('sure'), yes, no, err);
			del.replaceWith(box);
			no.focus();
		}

		/* Up, down, or the same again to take the vote back. */
		async function vote(n, dir, score) {
			const value = votes[n.c.id] === dir ? 0 : dir;
			n.slot.querySelector('.verr')?.remove();
			try {
				const r = await api('POST', '/comments/' + n.c.id + '/vote',
				    { value });
				score.textContent = n.c.score = r.score;
				votes[n.c.id] = value || undefined;
				store('votes', votes);
				score.previousSibling.setAttribute('aria-pressed', value > 0);
				score.nextSibling.setAttribute('aria-pressed', value < 0);
			} catch (e) {
				fail(n.slot.appendChild(h('p', { class: 'err verr' })), e);
			}
		}

		function setUser(u, tok) {
			user = u;
			if (tok !== undefined)
				store('token', token = tok);
			root.classList.toggle('member', !!u);
			authSlot.replaceChildren();
			if (u) {
				/* "You are commenting as {name}." with the name in bold. */
				const [pre, post] = t('as', { name: '\0' }).split('\0');
				acct.replaceChildren(pre, h('strong', {}, u.name), post, ' ',
				    btn('link', t('logout'), logout));
			} else {
				acct.replaceChildren(btn('link', t('login'), () => authForm()),
				    btn('link', t('register'), () => authForm(true)), ' ',
				    t('orGuest'));
			}
		}

		function authForm(reg) {
			const f = {
				email: h('input', { type: 'email', name: 'email',
				    autocomplete: 'email' }),
				password: h('input', { type: 'password', name: 'password',
				    autocomplete: reg ? 'new-password' : 'current-password' }),
			};
			if (reg)
				f.name = h('input', { name: 'name', autocomplete: 'name',
				    maxlength: 80 });
			const what = reg ? 'register' : 'login';
			const w = wire(f);
			const form = h('form', { class: 'auth', novalidate: true,
			    'aria-label': t(what) },
			    reg && field(t('name'), f.name),
			    field(t('email'), f.email), field(t('password'), f.password),
			    w.err, h('div', { class: 'fa' },
				btn('btn', t('cancel'), () => authSlot.replaceChildren()),
				h('button', { type: 'submit', class: 'btn primary' }, t(what))));
			form.onsubmit = w.submit(async () => {
				const r = await api('POST', '/auth/' + what, {
					email: f.email.value.trim(), password: f.password.value,
					name: f.name?.value.trim(),
				});
				setUser(r.user, r.token);
				announce(t('as', { name: r.user.name }));
				load();
			});
			authSlot.replaceChildren(form);
			(f.name || f.email).focus();
		}

		async function logout() {
			try {
				await api('POST', '/auth/logout', {});
			} catch (_) { /* forgotten here either way */ }
			setUser(null, null);
			load();
		}

		const dark = matchMedia('(prefers-color-scheme: dark)');
		const setTheme = () => root.classList.toggle('dark',
		    d.theme === 'dark' || (d.theme !== 'light' && dark.matches));
		setTheme();
		dark.addEventListener('change', setTheme);
		setUser(null);
		setCount(0);
		host.attachShadow({ mode: 'open' }).append(h('style', {}, CSS), root);

		(async () => {
			if (token) {
				try {
					setUser((await api('GET', '/auth/me')).user);
				} catch (e) {
					if (e.status === 401)
						setUser(null, null);
				}
			}
			load();
		})();

		/* Keeps times fresh; Edit and Delete go when the window closes. */
		setInterval(() => {
			for (const [el, when] of times)
				el.textContent = relTime(when);
			for (const n of nodes.values()) {
				if (!n.edit && !mayChange(n.c))
					n.acts?.querySelectorAll('.ed').forEach((b) => b.remove());
			}
		}, 30000);
	}

	window.Parley = Object.freeze({ mount });
	const start = () => mount(document.getElementById('parley'));
	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
})();
