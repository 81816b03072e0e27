/*
 * Parley moderation page (/admin): the queue of comments, rules, bans,
 * posts, users, hooks and the audit log, over the same-origin JSON API.
 *
 * Plain JS, no build step. All mutable data lives in one state object.
 * The DOM is built with createElement and textContent; the only markup
 * inserted is comment HTML, which the server sanitized. A hook's secret
 * is never kept in the state: it lives in the page only while shown.
 */
(() => {
	'use strict';

	const API = '/api/v1';
	const TOKEN_KEY = 'parley-admin-token';
	const REFRESH_MS = 30000;
	const PAGE = 50;
	const MAX_POST_LOOKUPS = 20;
	const DELIVERIES_SHOWN = 20;
	/* After a ping or a redelivery, look again this long after. */
	const DELIVERY_POLL_MS = [1500, 4000, 10000];

	const state = {
		token: null,
		user: null,
		section: 'queue',
		counts: { pending: 0, spam: 0 },
		queue: {
			status: 'pending',
			filters: { q: '', post: '', email: '', ip: '' },
			comments: [],
			next: null,
			seq: 0,			/* latest listing request */
			loading: false,
			current: null,		/* id of the highlighted row */
			selected: new Set(),
		},
		posts: new Map(),		/* post key -> open */
		bans: [],
		settings: null,
		sites: [],			/* the allowed_origins setting */
		audit: { entries: [], next: null },
		users: [],
		hooks: emptyHooks(),
		timer: null,
	};

	function emptyHooks() {
		return {
			list: [],		/* as GET /admin/hooks sends them */
			deliveries: new Map(),	/* hook id -> recent deliveries */
			open: new Set(),	/* hook ids showing their deliveries */
			loads: new Map(),	/* hook id -> latest deliveries request */
			polls: new Map(),	/* hook id -> timer of a follow-up look */
		};
	}

	/* Moderation actions; applies() mirrors comments_moderate in SQL. */
	const ACTIONS = {
		approve: { label: 'Approve', target: 'approved',
		    done: (n) => `Approved ${plural(n, 'comment')}.` },
		spam: { label: 'Spam', target: 'spam',
		    done: (n) => `Marked ${plural(n, 'comment')} as spam.` },
		trash: { label: 'Trash', target: 'deleted',
		    done: (n) => `Moved ${plural(n, 'comment')} to the trash.` },
		restore: { label: 'Restore', target: 'approved',
		    done: (n) => `Restored ${plural(n, 'comment')}.` },
		delete: { label: 'Delete forever', target: null,
		    done: (n) => `Deleted ${plural(n, 'comment')} forever.` },
	};

	const STATUS_LABEL = { pending: 'held', approved: 'approved',
	    spam: 'spam', deleted: 'in the trash' };

	const EMPTY_TEXT = {
		pending: 'No comments are waiting for a moderator.',
		all: 'No comments yet.',
		approved: 'No approved comments.',
		spam: 'No spam.',
		deleted: 'The trash is empty.',
	};

	const SETTINGS = [
		['require_approval', 'bool'], ['first_comment_approval', 'bool'],
		['allow_guests', 'bool'], ['max_links', 'int'],
		['hold_words', 'words'], ['disallowed_words', 'words'],
		['rate_limit_per_minute', 'int'], ['edit_window_seconds', 'int'],
		['max_depth', 'int'],
	];

	const AUDIT_LABEL = {
		'comment.approve': 'Approved', 'comment.spam': 'Marked spam',
		'comment.trash': 'Trashed', 'comment.restore': 'Restored',
		'comment.delete': 'Deleted forever', 'comment.edit': 'Edited',
		'settings.update': 'Changed rules', 'ban.create': 'Banned',
		'ban.delete': 'Lifted ban', 'post.close': 'Closed post',
		'post.open': 'Opened post', 'post.update': 'Updated post',
		'user.role': 'Changed role', 'hook.create': 'Added hook',
		'hook.update': 'Changed hook', 'hook.rotate': 'Rotated hook secret',
		'hook.delete': 'Deleted hook', 'hook.ping': 'Pinged hook',
		'delivery.redeliver': 'Redelivered',
	};

	/* What event hooks may ask for (event_types in the server). */
	const EVENT_TYPES = [
		['comment.created', 'A comment was posted'],
		['comment.approved', 'A comment was approved'],
		['comment.spammed', 'A comment was marked as spam'],
		['comment.held', 'A comment was held for a moderator'],
		['comment.edited', 'A comment was edited'],
		['comment.deleted', 'A comment was trashed or deleted'],
		['post.closed', 'A post was closed for new comments'],
	];

	const KIND_HINT = {
		event: 'Told about the events checked below.',
		verdict: 'Asked about each new comment before it is published.',
	};

	/* How long the old secret keeps signing after a rotation. */
	const GRACE_CHOICES = [
		['0', 'Not at all'], ['3600', '1 hour'], ['86400', '1 day'],
		['604800', '7 days'],
	];
	const GRACE_DEFAULT = '86400';

	const BAN_KIND = { email: 'E-mail', ip: 'IP', account: 'Account' };

	const BAN_DURATIONS = [
		['', 'Never expires'], ['3600', '1 hour'], ['86400', '1 day'],
		['604800', '1 week'], ['2592000', '30 days'],
	];

	/* ---------- Small helpers ---------- */

	const $ = (id) => document.getElementById(id);

	/* An element with attributes (on* are listeners) and children;
	 * strings become text nodes, never markup. */
	function el(tag, attrs, ...children) {
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

	function plural(n, word) {
		return `${n} ${word}${n === 1 ? '' : 's'}`;
	}

	function qs(params) {
		const u = new URLSearchParams();
		for (const [k, v] of Object.entries(params)) {
			if (v !== '' && v !== null && v !== undefined)
				u.set(k, v);
		}
		const s = u.toString();
		return s ? `?${s}` : '';
	}

	const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

	function relTime(iso) {
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

	function exactTime(iso) {
		return new Date(iso).toLocaleString(undefined,
		    { dateStyle: 'long', timeStyle: 'medium' });
	}

	function timeEl(iso) {
		if (!iso)
			return el('span', { class: 'muted' }, '—');
		return el('time', { datetime: iso, title: exactTime(iso),
		    'data-rel': '' }, relTime(iso));
	}

	/* A short exact time, for log lines and deadlines. */
	function stampEl(iso) {
		return el('time', { datetime: iso, title: exactTime(iso) },
		    new Date(iso).toLocaleString(undefined,
		    { dateStyle: 'medium', timeStyle: 'medium' }));
	}

	function refreshTimes() {
		for (const t of document.querySelectorAll('time[data-rel]'))
			t.textContent = relTime(t.getAttribute('datetime'));
	}

	let toastTimer = null;

	/* Shows a message and reads it out (the toast is a live region). */
	function announce(msg, isError = false) {
		const box = $('status');
		clearTimeout(toastTimer);
		box.textContent = '';
		box.classList.toggle('error', isError);
		/* A fresh node after a tick, so a repeated message is read too. */
		setTimeout(() => { box.textContent = msg; }, 30);
		toastTimer = setTimeout(() => { box.textContent = ''; },
		    isError ? 9000 : 5000);
	}

	function report(err) {
		if (err.status === 401)
			return;		/* sessionEnded() took over */
		announce(err.message, true);
	}

	function setFieldError(id, msg) {
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

	function clearFieldErrors(form) {
		for (const p of form.querySelectorAll('.field-error'))
			p.textContent = '';
		for (const i of form.querySelectorAll('[aria-invalid]'))
			i.removeAttribute('aria-invalid');
	}

	/* ---------- API ---------- */

	class ApiError extends Error {
		constructor(status, err) {
			super((err && err.message) ||
			    `The server answered with status ${status}.`);
			this.status = status;
			this.code = (err && err.code) || `http_${status}`;
			this.field = (err && err.field) || null;
		}
	}

	async function api(method, path, body) {
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

	/* ---------- Views and session ---------- */

	function showView(name) {
		$('login-view').hidden = name !== 'login';
		$('denied-view').hidden = name !== 'denied';
		$('app-view').hidden = name !== 'app';
		$('who').hidden = name !== 'app';
		$('held-badge').hidden = name !== 'app';
	}

	function showLogin(message) {
		showView('login');
		$('login-error').textContent = message || '';
		$('login-email').focus();
	}

	function sessionEnded() {
		clearSession();
		showLogin('Your session has ended. Log in again.');
	}

	/* Forgets the token and every piece of moderator data on the page. */
	function clearSession() {
		stopTimer();
		state.token = null;
		state.user = null;
		sessionStorage.removeItem(TOKEN_KEY);
		Object.assign(state.queue, { comments: [], next: null,
		    current: null, status: 'pending',
		    filters: { q: '', post: '', email: '', ip: '' } });
		$('filters').reset();
		state.queue.seq++;
		state.queue.selected.clear();
		state.posts.clear();
		state.bans = [];
		state.settings = null;
		state.sites = [];
		state.audit = { entries: [], next: null };
		state.users = [];
		stopHookPolls();
		state.hooks = emptyHooks();
		hideSecret();
		for (const id of ['queue-list', 'bans-body', 'sites-list',
		    'users-body', 'hooks-list', 'audit-body'])
			$(id).replaceChildren();
		$('settings-form').reset();
		$('hook-form').reset();
		hookKindChanged();
		document.title = 'Parley moderation';
	}

	function isModerator(user) {
		return user && (user.role === 'moderator' ||
		    user.role === 'admin');
	}

	async function signedIn(user) {
		if (!isModerator(user)) {
			/* Nothing here for a reader: end the session at once. */
			$('denied-name').textContent = `${user.name} (${user.email})`;
			try {
				await api('POST', '/auth/logout', {});
			} catch (_) { /* it expires anyway */ }
			clearSession();
			showView('denied');
			$('denied-again').focus();
			return;
		}
		state.user = user;
		$('who-name').textContent = user.name;
		$('who-role').textContent = user.role;
		for (const a of document.querySelectorAll('[data-admin-only]'))
			a.hidden = user.role !== 'admin';
		showView('app');
		route();
		loadQueue();
		loadBans({ quiet: true });
		startTimer();
	}

	async function onLogin(ev) {
		ev.preventDefault();
		const email = $('login-email').value.trim();
		const password = $('login-password').value;
		const button = ev.target.querySelector('button[type=submit]');
		if (!email || !password) {
			$('login-error').textContent =
			    'Enter your e-mail and password.';
			return;
		}
		$('login-error').textContent = '';
		button.disabled = true;
		try {
			const r = await api('POST', '/auth/login',
			    { email, password });
			state.token = r.token;
			sessionStorage.setItem(TOKEN_KEY, r.token);
			ev.target.reset();
			await signedIn(r.user);
		} catch (e) {
			$('login-error').textContent = e.status === 401 ?
			    'That e-mail and password do not match an account.' :
			    e.message;
			$('login-password').select();
		} finally {
			button.disabled = false;
		}
	}

	async function logout() {
		try {
			await api('POST', '/auth/logout', {});
		} catch (_) { /* the token is dropped below either way */ }
		clearSession();
		showLogin();
		announce('Logged out.');
	}

	function startTimer() {
		stopTimer();
		state.timer = setInterval(() => {
			if (!document.hidden)
				tick();
		}, REFRESH_MS);
	}

	function stopTimer() {
		clearInterval(state.timer);
		state.timer = null;
	}

	function tick() {
		refreshCounts();
		refreshTimes();
		if (state.section === 'hooks') {
			syncHooks();
			for (const id of state.hooks.open)
				loadDeliveries(id);
		}
	}

	/* ---------- Sections ---------- */

	const SECTIONS = ['queue', 'settings', 'bans', 'posts', 'sites',
	    'users', 'hooks', 'audit'];
	const ADMIN_SECTIONS = ['sites', 'users', 'hooks'];

	function route() {
		/* "#/name", so the browser does not scroll to the section. */
		let name = location.hash.replace(/^#\/?/, '') || 'queue';
		if (!SECTIONS.includes(name) || (ADMIN_SECTIONS.includes(name) &&
		    state.user.role !== 'admin'))
			name = 'queue';
		if (state.section !== name)
			window.scrollTo(0, 0);
		state.section = name;
		for (const s of SECTIONS)
			$(s).hidden = s !== name;
		for (const a of document.querySelectorAll('.sections a')) {
			if (a.dataset.section === name)
				a.setAttribute('aria-current', 'page');
			else
				a.removeAttribute('aria-current');
		}
		sectionShown(name);
	}

	function sectionShown(name) {
		switch (name) {
		case 'settings':
			if (!state.settings || !settingsDirty())
				loadSettings();
			break;
		case 'bans':
			loadBans();
			break;
		case 'sites':
			loadSites();
			break;
		case 'users':
			loadUsers();
			break;
		case 'hooks':
			loadHooks();
			break;
		case 'audit':
			loadAudit(false);
			break;
		default:
			break;
		}
	}

	/* ---------- Counts ---------- */

	function setCounts(counts) {
		if (!counts)
			return;
		state.counts = counts;
		const held = counts.pending;
		$('held-count').textContent = String(held);
		$('held-badge').classList.toggle('zero', held === 0);
		document.querySelector('[data-count=pending]').textContent =
		    held > 0 ? String(held) : '';
		document.querySelector('[data-count=spam]').textContent =
		    counts.spam > 0 ? String(counts.spam) : '';
		document.title = held > 0 ? `(${held}) Parley moderation` :
		    'Parley moderation';
		updateNewNotice();
	}

	async function refreshCounts() {
		if (!state.token)
			return;
		try {
			const d = await api('GET',
			    '/admin/comments?status=pending&limit=1');
			setCounts(d.counts);
		} catch (e) {
			if (e.status === 403 && state.user)
				signedIn({ ...state.user, role: 'reader' });
		}
	}

	/* In an unfiltered Held tab, offers the comments that came since. */
	function updateNewNotice() {
		const q = state.queue, button = $('queue-new');
		const unfiltered = Object.values(q.filters).every((v) => !v);
		const extra = state.counts.pending - q.comments.length;
		const show = q.status === 'pending' && unfiltered &&
		    q.next === null && extra > 0 && q.seq > 0 && !q.loading;
		button.hidden = !show;
		if (show)
			button.textContent = `Show ${plural(extra,
			    'new held comment')}`;
	}

	/* ---------- Queue: loading ---------- */

	async function loadQueue({ append = false } = {}) {
		const q = state.queue, list = $('queue-list');
		const seq = ++q.seq;
		const params = { status: q.status, ...q.filters, limit: PAGE,
		    after: append ? q.next : '' };
		setLoading(true);
		try {
			const data = await api('GET', `/admin/comments${qs(params)}`);
			if (seq !== q.seq)
				return;		/* a newer listing replaced this one */
			setLoading(false);
			if (!append)
				resetQueue();
			q.next = data.next;
			for (const c of data.comments) {
				q.comments.push(c);
				list.append(renderRow(c));
			}
			setCounts(data.counts);
			updateQueueChrome();
			loadPostStates(data.comments);
		} catch (e) {
			if (seq === q.seq)
				queueError(e);
		} finally {
			if (seq === q.seq)
				setLoading(false);
		}
	}

	function setLoading(on) {
		state.queue.loading = on;
		$('queue-list').setAttribute('aria-busy', String(on));
		$('queue-more').disabled = on;
		if (on) {
			$('queue-empty').hidden = true;
			$('queue-new').hidden = true;
		}
	}

	function resetQueue() {
		const q = state.queue;
		q.comments = [];
		q.next = null;
		q.current = null;
		q.selected.clear();
		$('queue-list').replaceChildren();
	}

	function queueError(e) {
		const field = { q: 'f-q', post: 'f-post', email: 'f-email',
		    ip: 'f-ip' }[e.field];
		if (field) {
			$(field).setAttribute('aria-invalid', 'true');
			$('filter-error').textContent = e.message;
			if (field !== 'f-q')
				$('f-more').open = true;
			return;
		}
		if (e.status === 403)
			return void signedIn({ ...state.user, role: 'reader' });
		report(e);
	}

	function updateQueueChrome() {
		const q = state.queue;
		const filtered = Object.values(q.filters).some((v) => v);
		$('queue-empty').hidden = q.comments.length > 0 || q.loading;
		$('queue-empty').textContent = filtered ?
		    'No comments match these filters.' : EMPTY_TEXT[q.status];
		$('queue-more').hidden = !q.next;
		for (const t of document.querySelectorAll('[role=tab]')) {
			const on = t.dataset.status === q.status;
			t.setAttribute('aria-selected', String(on));
			t.tabIndex = on ? 0 : -1;
			if (on)
				$('queue-panel').setAttribute('aria-labelledby', t.id);
		}
		updateBulk();
		updateNewNotice();
	}

	function updateBulk() {
		const q = state.queue, n = q.selected.size;
		const all = $('select-all');
		all.checked = n > 0 && n === q.comments.length;
		all.indeterminate = n > 0 && n < q.comments.length;
		all.disabled = q.comments.length === 0;
		$('selected-label').textContent = n > 0 ?
		    `${n} selected` : 'Select all';
		for (const b of document.querySelectorAll('[data-bulk]'))
			b.disabled = n === 0;
		$('bulk').classList.toggle('has-selection', n > 0);
	}

	/* The public thread says whether a post is open; ask once per key. */
	async function loadPostStates(comments) {
		const keys = [...new Set(comments.map((c) => c.post))]
		    .filter((k) => !state.posts.has(k))
		    .slice(0, MAX_POST_LOOKUPS);
		await Promise.all(keys.map(async (key) => {
			try {
				const d = await api('GET',
				    `/comments${qs({ post: key, limit: 1 })}`);
				state.posts.set(key, !d.post || d.post.open !== false);
				updatePostMarks(key);
			} catch (_) { /* the button keeps its default */ }
		}));
	}

	function updatePostMarks(key) {
		const open = state.posts.get(key) !== false;
		for (const b of document.querySelectorAll('[data-post-key]')) {
			if (b.dataset.postKey !== key)
				continue;
			if (b.dataset.action === 'post-toggle')
				b.textContent = open ? 'Close post' : 'Open post';
			else
				b.hidden = open;	/* the "closed" pill */
		}
	}

	/* ---------- Queue: rows ---------- */

	function findComment(id) {
		return state.queue.comments.find((c) => c.id === id);
	}

	function rowEl(id) {
		return $('queue-list').querySelector(`.row[data-id="${id}"]`);
	}

	function safeUrl(url) {
		return typeof url === 'string' && /^https?:\/\//i.test(url) ?
		    url : null;
	}

	function banFor(kind, value) {
		if (!value)
			return null;
		const v = value.toLowerCase();
		return state.bans.find((b) => b.active && b.kind === kind &&
		    (b.value.toLowerCase() === v ||
		    b.value.replace(/\/(32|128)$/, '') === v)) || null;
	}

	function renderRow(c) {
		const q = state.queue, id = c.id;
		const li = el('li', {
			class: `row status-${c.status}` +
			    (q.selected.has(id) ? ' is-selected' : '') +
			    (q.current === id ? ' is-current' : ''),
			'data-id': id, tabindex: -1,
			'aria-label': `Comment by ${c.author.name}, ` +
			    `${STATUS_LABEL[c.status] || c.status}, ` +
			    relTime(c.created_at),
		});
		const check = el('input', { type: 'checkbox', class: 'select',
		    checked: q.selected.has(id),
		    'aria-label': `Select the comment by ${c.author.name}` });
		const avatar = /^\/avatar\/[0-9a-f]+\.svg$/.test(c.author.avatar) ?
		    el('img', { class: 'avatar', src: c.author.avatar, alt: '',
		    width: 40, height: 40 }) : el('span', { class: 'avatar' });
		li.append(el('div', { class: 'row-check' }, check), avatar,
		    renderMeta(c), renderMain(c));
		return li;
	}

	function renderMeta(c) {
		const url = safeUrl(c.author.url);
		const closed = state.posts.get(c.post) === false;
		const role = c.author.role === 'reader' ? 'member' :
		    c.author.role;
		const meta = el('div', { class: 'meta' },
		    el('span', { class: 'author', id: `c${c.id}-author` },
			c.author.name),
		    el('span', { class: 'pill' }, role),
		    c.status !== state.queue.status ? el('span', {
			class: `pill pill-${c.status}` },
			STATUS_LABEL[c.status] || c.status) : null,
		    filterButton('email', c.email, 'email'),
		    filterButton('ip', c.ip, 'ip'),
		    url ? el('a', { href: url, class: 'site', target: '_blank',
			rel: 'nofollow noopener noreferrer ugc', title: url },
			hostOf(url)) : null,
		    el('span', { class: 'post' }, 'on ',
			filterButton('post', c.post, 'post')),
		    el('span', { class: 'pill pill-closed',
			'data-post-key': c.post, hidden: !closed }, 'post closed'),
		    timeEl(c.created_at),
		    c.edited_at ? el('span', { title: exactTime(c.edited_at) },
			'edited') : null);
		for (const [kind, value] of [['email', c.email], ['ip', c.ip]]) {
			const ban = banFor(kind, value);
			if (ban)
				meta.append(el('span', { class: 'pill pill-banned',
				    title: ban.reason || '' }, `${kind === 'ip' ?
				    'IP' : 'e-mail'} banned`));
		}
		return meta;
	}

	function hostOf(url) {
		try {
			return new URL(url).host;
		} catch (_) {
			return url;
		}
	}

	/* E-mail, IP and post key narrow the list when clicked. */
	function filterButton(filter, value, cls) {
		if (!value)
			return null;
		const what = { email: 'e-mail', ip: 'IP', post: 'post' }[filter];
		return el('button', { type: 'button', class: `btn-link ${cls}`,
		    'data-action': 'filter', 'data-filter': filter,
		    'data-value': value,
		    title: `Show only comments with this ${what}` }, value);
	}

	function renderMain(c) {
		const main = el('div', { class: 'row-main' });
		const reason = c.moderation && c.moderation.reason;
		if (reason && (c.status === 'pending' || c.status === 'spam'))
			main.append(el('p', { class: `reason ${c.status === 'spam' ||
			    c.moderation.verdict === 'spam' ? 'spam' : ''}` },
			    reason));
		if (c.parent) {
			const html = el('div', { class: 'parent-html' });
			html.innerHTML = c.parent.html;		/* server-sanitized */
			main.append(el('blockquote', { class: 'parent' },
			    el('div', { class: 'parent-author' },
				`In reply to ${c.parent.author || 'a removed comment'}`),
			    html));
		}
		const body = el('div', { class: 'body' });
		body.innerHTML = c.html;			/* server-sanitized */
		main.append(body, renderActions(c));
		return main;
	}

	function statusActions(status) {
		switch (status) {
		case 'pending':
			return ['approve', 'spam', 'trash'];
		case 'approved':
			return ['spam', 'trash'];
		case 'spam':
			return ['restore', 'trash'];
		case 'deleted':
			return ['restore'];
		default:
			return [];
		}
	}

	function renderActions(c) {
		const by = `c${c.id}-author`;
		const button = (action, label, cls = '') => el('button', {
			type: 'button', class: `btn btn-small ${cls}`,
			'data-action': action, 'aria-describedby': by }, label);
		const open = state.posts.get(c.post) !== false;
		const bar = el('div', { class: 'actions' });
		for (const a of statusActions(c.status)) {
			bar.append(button(a, a === 'restore' && c.status === 'spam' ?
			    'Not spam' : ACTIONS[a].label,
			    a === 'approve' ? 'btn-approve' : ''));
		}
		bar.append(el('span', { class: 'sep', 'aria-hidden': 'true' }),
		    button('edit', 'Edit', 'btn-quiet'),
		    c.email ? button('ban-email', 'Ban e-mail', 'btn-quiet') : null,
		    c.ip ? button('ban-ip', 'Ban IP', 'btn-quiet') : null);
		const toggle = button('post-toggle', open ? 'Close post' :
		    'Open post', 'btn-quiet');
		toggle.dataset.postKey = c.post;
		bar.append(toggle, button('delete', 'Delete forever',
		    'btn-quiet btn-danger'));
		return bar;
	}

	function replaceRow(c) {
		const old = rowEl(c.id);
		if (!old)
			return;
		const focused = old.contains(document.activeElement);
		const fresh = renderRow(c);
		old.replaceWith(fresh);
		if (focused)
			fresh.focus({ preventScroll: true });
	}

	/* Drops rows; the highlight moves to the row that took their place. */
	function removeRows(ids) {
		const q = state.queue, gone = new Set(ids);
		const list = $('queue-list');
		const hadFocus = [...gone].some((id) => {
			const r = rowEl(id);
			return r && r.contains(document.activeElement);
		});
		let at = q.comments.findIndex((c) => c.id === q.current);
		const currentGone = gone.has(q.current);
		if (currentGone)
			at = q.comments.slice(0, at).filter((c) => !gone.has(c.id))
			    .length;
		for (const id of gone) {
			const r = rowEl(id);
			if (r)
				r.remove();
			q.selected.delete(id);
		}
		q.comments = q.comments.filter((c) => !gone.has(c.id));
		if (currentGone) {
			const next = q.comments[Math.min(at, q.comments.length - 1)];
			q.current = null;
			if (next)
				setCurrent(next.id, hadFocus);
			else if (hadFocus)
				list.closest('section').querySelector('[role=tab]' +
				    '[aria-selected=true]').focus();
		}
		updateQueueChrome();
		if (q.comments.length === 0 && q.next)
			loadQueue({ append: true });
	}

	function setCurrent(id, focus) {
		const q = state.queue;
		if (q.current !== id) {
			const old = q.current !== null ? rowEl(q.current) : null;
			if (old)
				old.classList.remove('is-current');
			q.current = id;
		}
		const row = rowEl(id);
		if (!row)
			return;
		row.classList.add('is-current');
		if (focus) {
			row.focus({ preventScroll: true });
			row.scrollIntoView({ block: 'nearest' });
		}
	}

	function setSelected(id, on) {
		const q = state.queue, row = rowEl(id);
		if (on)
			q.selected.add(id);
		else
			q.selected.delete(id);
		if (row) {
			row.classList.toggle('is-selected', on);
			row.querySelector('input.select').checked = on;
		}
		updateBulk();
	}

	/* ---------- Queue: actions ---------- */

	function applies(action, status) {
		if (action === 'delete')
			return true;
		if (action === 'restore')
			return status === 'spam' || status === 'deleted';
		return status !== ACTIONS[action].target;
	}

	/* true once the server has done it. */
	async function moderate(ids, action) {
		if (ids.length === 0)
			return false;
		if (action === 'delete' && !confirm(ids.length === 1 ?
		    'Delete this comment forever? This cannot be undone.' :
		    `Delete ${ids.length} comments forever? This cannot be ` +
		    'undone.'))
			return false;
		let done = false;
		try {
			const { updated } = await api('POST',
			    '/admin/comments/moderate', { ids, action });
			applyModeration(ids, action);
			announce(updated > 0 ? ACTIONS[action].done(updated) :
			    'Nothing changed: the comments were already there.');
			done = true;
		} catch (e) {
			report(e);
		}
		refreshCounts();
		return done;
	}

	/* The checked comments; they are unchecked once it is done. */
	async function moderateSelected(action) {
		const ids = [...state.queue.selected];
		if (!await moderate(ids, action))
			return;
		for (const id of ids) {
			if (state.queue.selected.has(id))
				setSelected(id, false);
		}
	}

	/* Mirrors on the page what the server did. */
	function applyModeration(ids, action) {
		const q = state.queue, gone = [];
		const counts = { ...state.counts };
		for (const id of ids) {
			const c = findComment(id);
			if (!c || !applies(action, c.status))
				continue;
			if (c.status in counts)
				counts[c.status]--;	/* until refreshCounts() */
			if (action === 'delete') {
				gone.push(id);
				continue;
			}
			c.status = ACTIONS[action].target;
			if (c.status in counts)
				counts[c.status]++;
			if (q.status !== 'all' && c.status !== q.status)
				gone.push(id);
			else
				replaceRow(c);
		}
		removeRows(gone);
		setCounts(counts);
	}

	/* Shortcuts act on the checked comments, or else the highlighted one. */
	function shortcutAction(action) {
		const q = state.queue;
		if (q.selected.size > 0)
			return moderateSelected(action);
		const c = findComment(q.current);
		if (!c)
			return announce('Press j to pick a comment first.');
		if (!applies(action, c.status))
			return announce(`${ACTIONS[action].label} does not apply ` +
			    `to a comment that is ${STATUS_LABEL[c.status]}.`);
		return moderate([c.id], action);
	}

	function onListClick(ev) {
		const row = ev.target.closest('.row');
		if (!row)
			return;
		const id = Number(row.dataset.id);
		if (state.queue.current !== id)
			setCurrent(id, false);
		const b = ev.target.closest('button[data-action]');
		if (!b)
			return;
		switch (b.dataset.action) {
		case 'approve': case 'spam': case 'trash': case 'restore':
		case 'delete':
			moderate([id], b.dataset.action);
			break;
		case 'edit':
			openEditor(id);
			break;
		case 'cancel-edit':
			closeEditor(id, true);
			break;
		case 'ban-email':
			openBanForm(id, 'email');
			break;
		case 'ban-ip':
			openBanForm(id, 'ip');
			break;
		case 'cancel-ban':
			closeBanForm(id, true);
			break;
		case 'post-toggle':
			togglePost(b.dataset.postKey);
			break;
		case 'filter':
			filterBy(b.dataset.filter, b.dataset.value);
			break;
		default:
			break;
		}
	}

	function onListChange(ev) {
		if (!ev.target.matches('input.select'))
			return;
		const row = ev.target.closest('.row');
		setSelected(Number(row.dataset.id), ev.target.checked);
	}

	function onListFocus(ev) {
		const row = ev.target.closest('.row');
		if (row && state.queue.current !== Number(row.dataset.id))
			setCurrent(Number(row.dataset.id), false);
	}

	function onListSubmit(ev) {
		ev.preventDefault();
		const form = ev.target;
		const id = Number(form.closest('.row').dataset.id);
		if (form.classList.contains('editor'))
			saveEdit(id, form);
		else if (form.classList.contains('ban-inline'))
			saveRowBan(id, form);
	}

	function onSelectAll(ev) {
		const q = state.queue;
		const on = ev.target.checked;
		for (const c of q.comments)
			setSelected(c.id, on);
	}

	function onBulk(ev) {
		const b = ev.target.closest('[data-bulk]');
		if (b)
			moderateSelected(b.dataset.bulk);
	}

	/* ---------- Queue: edit in place ---------- */

	function openEditor(id) {
		const row = rowEl(id), c = findComment(id);
		if (!row || !c)
			return;
		const open = row.querySelector('form.editor');
		if (open)
			return void open.querySelector('textarea').focus();
		const body = row.querySelector('.body');
		const ta = el('textarea', { rows: 6, name: 'body',
		    'aria-label': `Edit the comment by ${c.author.name}`,
		    'aria-describedby': `c${id}-edit-hint` });
		ta.value = htmlToMarkdown(body);
		ta.addEventListener('keydown', (ev) => {
			if (ev.key === 'Escape') {
				ev.preventDefault();
				closeEditor(id, true);
			} else if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
				ev.preventDefault();
				ev.target.form.requestSubmit();
			}
		});
		const form = el('form', { class: 'editor', novalidate: true },
		    ta,
		    el('p', { class: 'hint', id: `c${id}-edit-hint` },
			'Markdown: **bold**, *italic*, `code`, [link](https://…), ' +
			'> quote. Ctrl+Enter saves, Esc cancels.'),
		    el('p', { class: 'field-error', role: 'alert' }),
		    el('div', { class: 'form-actions' },
			el('button', { type: 'submit', class: 'btn btn-primary ' +
			    'btn-small' }, 'Save'),
			el('button', { type: 'button', class: 'btn btn-small',
			    'data-action': 'cancel-edit' }, 'Cancel')));
		body.hidden = true;
		row.querySelector('.actions').hidden = true;
		body.after(form);
		ta.focus();
	}

	function closeEditor(id, refocus) {
		const row = rowEl(id);
		if (!row)
			return;
		const form = row.querySelector('form.editor');
		if (form)
			form.remove();
		row.querySelector('.body').hidden = false;
		row.querySelector('.actions').hidden = false;
		if (refocus)
			row.focus();
	}

	async function saveEdit(id, form) {
		const c = findComment(id);
		const body = form.querySelector('textarea').value;
		const err = form.querySelector('.field-error');
		const save = form.querySelector('button[type=submit]');
		if (!body.trim()) {
			err.textContent = 'The comment cannot be empty; trash it ' +
			    'instead.';
			return;
		}
		save.disabled = true;
		try {
			const r = await api('PATCH', `/admin/comments/${id}`,
			    { body });
			c.html = r.html;
			c.edited_at = r.edited_at;
			replaceRow(c);
			rowEl(id).focus();
			announce('Saved the edit.');
			refreshCounts();
		} catch (e) {
			save.disabled = false;
			if (e.status !== 401)
				err.textContent = e.message;
		}
	}

	/* Markdown for the allowlisted HTML the server renders, so an edit
	 * keeps links and emphasis (the API does not return the source). */
	function htmlToMarkdown(root) {
		return blocks(root).join('\n\n').replace(/\n{3,}/g, '\n\n')
		    .trim();
	}

	function blocks(node) {
		const out = [];
		for (const n of node.childNodes) {
			if (n.nodeType === Node.TEXT_NODE) {
				if (n.data.trim())
					out.push(escapeMd(n.data.trim()));
				continue;
			}
			if (n.nodeType !== Node.ELEMENT_NODE)
				continue;
			switch (n.tagName) {
			case 'PRE':
				out.push('```\n' + n.textContent.replace(/\n$/, '') +
				    '\n```');
				break;
			case 'BLOCKQUOTE':
				out.push(blocks(n).join('\n\n').split('\n')
				    .map((l) => (l ? `> ${l}` : '>')).join('\n'));
				break;
			case 'UL':
			case 'OL':
				out.push(listMd(n));
				break;
			default:
				out.push(inline(n).trim());
			}
		}
		return out.filter((s) => s !== '');
	}

	function listMd(list) {
		const start = Number(list.getAttribute('start')) || 1;
		return [...list.children].map((li, i) => {
			const mark = list.tagName === 'OL' ? `${start + i}. ` : '- ';
			const nested = [...li.children].some((k) =>
			    /^(P|UL|OL|PRE|BLOCKQUOTE)$/.test(k.tagName));
			const text = nested ? blocks(li).join('\n\n') :
			    inline(li).trim();
			return mark + text.split('\n').join(`\n${' '.repeat(mark.length)}`);
		}).join('\n');
	}

	function inline(node) {
		let s = '';
		for (const n of node.childNodes) {
			if (n.nodeType === Node.TEXT_NODE) {
				s += escapeMd(n.data);
				continue;
			}
			if (n.nodeType !== Node.ELEMENT_NODE)
				continue;
			switch (n.tagName) {
			case 'BR':
				s += '  \n';
				break;
			case 'EM':
				s += `*${inline(n)}*`;
				break;
			case 'STRONG':
				s += `**${inline(n)}**`;
				break;
			case 'CODE': {
				const fence = n.textContent.includes('`') ? '`` ' : '`';
				s += fence + n.textContent +
				    fence.split('').reverse().join('');
				break;
			}
			case 'A': {
				const href = (n.getAttribute('href') || '')
				    .replace(/ /g, '%20').replace(/\(/g, '%28')
				    .replace(/\)/g, '%29');
				s += n.textContent === n.getAttribute('href') ?
				    `<${href}>` : `[${inline(n)}](${href})`;
				break;
			}
			default:
				s += inline(n);
			}
		}
		return s;
	}

	function escapeMd(text) {
		return text.replace(/([\\`*[\]])/g, '\\$1')
		    .replace(/_+/g, (run, at, all) =>
			/\w/.test(all[at - 1] || '') &&
			/\w/.test(all[at + run.length] || '') ? run :
			run.replace(/_/g, '\\_'))
		    .replace(/&(?=#?\w+;)/g, '\\&')
		    .replace(/^(\s*)([#>+-]|\d+[.)])(?=\s)/gm, '$1\\$2');
	}

	/* ---------- Queue: bans, posts and filters from a row ---------- */

	function openBanForm(id, kind) {
		const row = rowEl(id), c = findComment(id);
		if (!row || !c)
			return;
		closeBanForm(id, false);
		const value = kind === 'email' ? c.email : c.ip;
		const p = `c${id}-ban`;
		const duration = el('select', { id: `${p}-exp`, name: 'expires' },
		    BAN_DURATIONS.map(([v, label]) => el('option', { value: v },
		    label)));
		const form = el('form', { class: 'ban-inline', novalidate: true,
		    'data-kind': kind, 'aria-label': `Ban this ${kind === 'ip' ?
		    'IP address' : 'e-mail'}` },
		    el('div', { class: 'form-row' },
			el('div', { class: 'field grow' },
			    el('label', { for: `${p}-value` }, kind === 'ip' ?
				'Ban IP address or block' : 'Ban e-mail'),
			    el('input', { id: `${p}-value`, name: 'value',
				type: 'text', value, autocomplete: 'off' })),
			el('div', { class: 'field grow' },
			    el('label', { for: `${p}-reason` }, 'Reason (optional)'),
			    el('input', { id: `${p}-reason`, name: 'reason',
				type: 'text', maxlength: 500, autocomplete: 'off' })),
			el('div', { class: 'field' },
			    el('label', { for: `${p}-exp` }, 'For how long'),
			    duration)),
		    el('p', { class: 'field-error', role: 'alert' }),
		    el('div', { class: 'form-actions' },
			el('button', { type: 'submit', class: 'btn btn-small ' +
			    'btn-danger' }, kind === 'ip' ? 'Ban IP' : 'Ban e-mail'),
			el('button', { type: 'button', class: 'btn btn-small',
			    'data-action': 'cancel-ban' }, 'Cancel')));
		form.addEventListener('keydown', (ev) => {
			if (ev.key === 'Escape') {
				ev.preventDefault();
				closeBanForm(id, true);
			}
		});
		row.querySelector('.actions').after(form);
		form.querySelector(kind === 'ip' ? 'input[name=value]' :
		    'input[name=reason]').focus();
	}

	function closeBanForm(id, refocus) {
		const row = rowEl(id);
		const form = row && row.querySelector('form.ban-inline');
		if (form)
			form.remove();
		if (refocus && row)
			row.focus();
	}

	async function saveRowBan(id, form) {
		const kind = form.dataset.kind;
		const secs = Number(form.elements.expires.value);
		const ban = {
			kind,
			value: form.elements.value.value.trim(),
			reason: form.elements.reason.value.trim(),
			expires_at: secs ? new Date(Date.now() + secs * 1000)
			    .toISOString() : null,
		};
		try {
			const r = await api('POST', '/admin/bans', ban);
			closeBanForm(id, true);
			banAdded(r.ban);
		} catch (e) {
			if (e.status !== 401)
				form.querySelector('.field-error').textContent =
				    e.message;
		}
	}

	function banAdded(ban) {
		state.bans.unshift(ban);
		renderBans();
		rerenderBanMarks();
		announce(`Banned ${ban.kind === 'ip' ? 'IP' : ban.kind === 'email' ?
		    'e-mail' : 'account'} ${ban.value}.`);
		refreshCounts();
	}

	/* Rows show "banned" pills; redraw their meta lines. */
	function rerenderBanMarks() {
		for (const c of state.queue.comments) {
			const row = rowEl(c.id);
			if (row)
				row.querySelector('.meta').replaceWith(renderMeta(c));
		}
	}

	async function togglePost(key) {
		const open = state.posts.get(key) !== false;
		await setPostOpen(key, !open);
	}

	/* PATCH a post open or closed; returns the post, or throws. */
	async function setPostOpen(key, open) {
		try {
			const { post } = await api('PATCH',
			    `/admin/posts${qs({ key })}`, { open });
			state.posts.set(post.key, post.open);
			updatePostMarks(post.key);
			announce(`${post.open ? 'Opened' : 'Closed'} “${post.title ||
			    post.key}” ${post.open ? 'to' : 'for'} new comments.`);
			refreshCounts();
			return post;
		} catch (e) {
			if (e.status === 404)
				e.message = `There is no post with the key “${key}” ` +
				    '(a post appears with its first comment).';
			report(e);
			throw e;
		}
	}

	function filterBy(filter, value) {
		const id = { post: 'f-post', email: 'f-email', ip: 'f-ip' }[filter];
		$(id).value = value;
		$('f-more').open = true;
		readFilters();
		loadQueue();
		announce(`Showing comments with ${filter === 'ip' ? 'IP' :
		    filter === 'email' ? 'e-mail' : 'post'} ${value}.`);
	}

	function readFilters() {
		const f = state.queue.filters;
		f.q = $('f-q').value.trim();
		f.post = $('f-post').value.trim();
		f.email = $('f-email').value.trim();
		f.ip = $('f-ip').value.trim();
		$('filter-error').textContent = '';
		for (const i of $('filters').querySelectorAll('[aria-invalid]'))
			i.removeAttribute('aria-invalid');
	}

	function onFilters(ev) {
		ev.preventDefault();
		readFilters();
		loadQueue();
	}

	function clearFilters() {
		$('filters').reset();
		readFilters();
		loadQueue();
		$('f-q').focus();
	}

	function selectTab(status, focus = false) {
		state.queue.status = status;
		updateQueueChrome();
		loadQueue();
		if (focus)
			document.querySelector(`[role=tab][data-status=${status}]`)
			    .focus();
	}

	function onTabKey(ev) {
		const tabs = [...document.querySelectorAll('[role=tab]')];
		const at = tabs.indexOf(document.activeElement);
		let to = null;
		if (ev.key === 'ArrowRight')
			to = (at + 1) % tabs.length;
		else if (ev.key === 'ArrowLeft')
			to = (at - 1 + tabs.length) % tabs.length;
		else if (ev.key === 'Home')
			to = 0;
		else if (ev.key === 'End')
			to = tabs.length - 1;
		if (to === null || at < 0)
			return;
		ev.preventDefault();
		selectTab(tabs[to].dataset.status, true);
	}

	/* ---------- Keyboard ---------- */

	function isTyping(t) {
		if (t.isContentEditable || t.tagName === 'TEXTAREA' ||
		    t.tagName === 'SELECT')
			return true;
		return t.tagName === 'INPUT' && !['checkbox', 'radio', 'button',
		    'submit', 'reset'].includes(t.type);
	}

	async function move(delta) {
		const q = state.queue;
		if (q.comments.length === 0)
			return;
		let at = q.comments.findIndex((c) => c.id === q.current);
		if (at < 0)
			at = delta > 0 ? 0 : q.comments.length - 1;
		else
			at += delta;
		if (at >= q.comments.length && q.next) {
			await loadQueue({ append: true });
		}
		at = Math.max(0, Math.min(at, q.comments.length - 1));
		setCurrent(q.comments[at].id, true);
	}

	function onKeydown(ev) {
		if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey)
			return;
		if ($('app-view').hidden || state.section !== 'queue' ||
		    $('help').open || isTyping(ev.target))
			return;
		const q = state.queue;
		switch (ev.key) {
		case 'j':
			move(1);
			break;
		case 'k':
			move(-1);
			break;
		case 'x':
			if (findComment(q.current))
				setSelected(q.current, !q.selected.has(q.current));
			break;
		case 'a':
			shortcutAction('approve');
			break;
		case 's':
			shortcutAction('spam');
			break;
		case 't':
			shortcutAction('trash');
			break;
		case 'r':
			shortcutAction('restore');
			break;
		case 'e':
			if (findComment(q.current))
				openEditor(q.current);
			break;
		case '?':
			$('help').showModal();
			break;
		default:
			return;
		}
		ev.preventDefault();
	}

	/* ---------- Settings ---------- */

	async function loadSettings() {
		try {
			const { settings } = await api('GET', '/admin/settings');
			state.settings = settings;
			fillSettings(settings);
		} catch (e) {
			report(e);
		}
	}

	function fillSettings(s) {
		clearFieldErrors($('settings-form'));
		$('settings-error').textContent = '';
		for (const [name, type] of SETTINGS) {
			const input = $(`s-${name}`);
			if (type === 'bool')
				input.checked = Boolean(s[name]);
			else if (type === 'words')
				input.value = (s[name] || []).join('\n');
			else
				input.value = s[name] ?? '';
		}
	}

	function readSetting(name, type) {
		const input = $(`s-${name}`);
		if (type === 'bool')
			return input.checked;
		if (type === 'words')
			return input.value.split('\n').map((w) => w.trim())
			    .filter((w) => w !== '');
		const raw = input.value.trim();
		/* Anything else goes as typed: the server names the field. */
		return /^-?\d+$/.test(raw) ? Number(raw) : raw;
	}

	function settingsChanges() {
		const changes = {};
		for (const [name, type] of SETTINGS) {
			const v = readSetting(name, type);
			if (JSON.stringify(v) !== JSON.stringify(state.settings[name]))
				changes[name] = v;
		}
		return changes;
	}

	function settingsDirty() {
		return state.settings !== null &&
		    Object.keys(settingsChanges()).length > 0;
	}

	async function saveSettings(ev) {
		ev.preventDefault();
		const form = $('settings-form');
		if (!state.settings)
			return;
		clearFieldErrors(form);
		$('settings-error').textContent = '';
		const changes = settingsChanges();
		if (Object.keys(changes).length === 0)
			return announce('No changes to save.');
		const button = form.querySelector('button[type=submit]');
		button.disabled = true;
		try {
			const { settings } = await api('PATCH', '/admin/settings',
			    changes);
			state.settings = settings;
			fillSettings(settings);
			announce('Saved the moderation rules.');
			refreshCounts();
		} catch (e) {
			if (e.field && $(`s-${e.field}`)) {
				setFieldError(`s-${e.field}`, e.message);
				$(`s-${e.field}`).focus();
			} else if (e.status !== 401) {
				$('settings-error').textContent = e.message;
			}
		} finally {
			button.disabled = false;
		}
	}

	/* ---------- Sites ---------- */

	/* The allowed_origins setting: the blogs that may write. Each change
	 * saves the whole list at once; workers use it from their next
	 * request. */
	async function loadSites() {
		$('sites-error').textContent = '';
		try {
			const { settings } = await api('GET', '/admin/settings');
			renderSites(settings.allowed_origins || []);
		} catch (e) {
			if (e.status !== 401)
				$('sites-error').textContent = e.message;
		}
	}

	function renderSites(origins) {
		state.sites = origins;
		$('sites-list').replaceChildren(...origins.map((o) =>
		    el('li', { 'data-origin': o },
			el('span', { class: 'mono' }, o), ' ',
			el('button', { type: 'button', class: 'btn btn-quiet',
			    'aria-label': `Remove ${o}`,
			    onclick: () => saveSites(origins.filter((x) =>
				x !== o), `Removed ${o}.`) }, 'Remove'))));
		$('sites-empty').hidden = origins.length > 0;
	}

	async function saveSites(origins, done) {
		$('sites-error').textContent = '';
		clearFieldErrors($('site-form'));
		try {
			const { settings } = await api('PATCH', '/admin/settings',
			    { allowed_origins: origins });
			renderSites(settings.allowed_origins);
			announce(done);
			return true;
		} catch (e) {
			if (e.field === 'allowed_origins') {
				setFieldError('site-origin', e.message);
				$('site-origin').focus();
			} else if (e.status !== 401) {
				$('sites-error').textContent = e.message;
			}
			return false;
		}
	}

	async function addSite(ev) {
		ev.preventDefault();
		const origin = $('site-origin').value.trim();
		if (!origin) {
			setFieldError('site-origin', 'Type the address of a blog.');
			return;
		}
		const button = $('site-form').querySelector('button[type=submit]');
		button.disabled = true;
		if (await saveSites([...(state.sites || []), origin],
		    `Allowed ${origin}.`))
			$('site-origin').value = '';
		button.disabled = false;
	}

	/* ---------- Bans ---------- */

	async function loadBans({ quiet = false } = {}) {
		try {
			const { bans } = await api('GET', '/admin/bans');
			state.bans = bans;
			renderBans();
			rerenderBanMarks();
		} catch (e) {
			if (!quiet)
				report(e);
		}
	}

	function renderBans() {
		const body = $('bans-body');
		/* Active first, each group newest first as the server sends. */
		const bans = [...state.bans].sort((a, b) => b.active - a.active);
		body.replaceChildren(...bans.map((b) => el('tr', {
			class: b.active ? '' : 'expired' },
		    el('td', { class: 'nowrap' }, BAN_KIND[b.kind] || b.kind),
		    el('td', { class: 'mono' }, b.value),
		    el('td', {}, b.reason || el('span', { class: 'muted' }, '—')),
		    el('td', { class: 'nowrap' }, b.expires_at ? timeEl(b.expires_at) :
			'never'),
		    el('td', {}, timeEl(b.created_at),
			b.created_by ? el('span', { class: 'muted' },
			    ` by ${b.created_by}`) : null),
		    el('td', {}, el('span', { class: `pill ${b.active ?
			'pill-active' : ''}` }, b.active ? 'active' : 'expired')),
		    el('td', {}, el('button', { type: 'button',
			class: 'btn btn-small btn-quiet', 'data-ban-id': b.id,
			'aria-label': `Lift the ban on ${b.value}` }, 'Lift')))));
		$('bans-empty').hidden = bans.length > 0;
	}

	async function onBanTable(ev) {
		const b = ev.target.closest('[data-ban-id]');
		if (!b)
			return;
		const id = Number(b.dataset.banId);
		const ban = state.bans.find((x) => x.id === id);
		b.disabled = true;
		try {
			await api('DELETE', `/admin/bans/${id}`);
			state.bans = state.bans.filter((x) => x.id !== id);
			renderBans();
			rerenderBanMarks();
			announce(`Lifted the ban on ${ban ? ban.value : `#${id}`}.`);
		} catch (e) {
			b.disabled = false;
			report(e);
		}
	}

	async function onBanForm(ev) {
		ev.preventDefault();
		const form = ev.target;
		clearFieldErrors(form);
		$('ban-error').textContent = '';
		const expires = form.elements.expires_at.value;
		const when = expires ? new Date(expires) : null;
		if (when && Number.isNaN(when.getTime()))
			return setFieldError('b-expires', 'Enter a date and time.');
		const ban = {
			kind: form.elements.kind.value,
			value: form.elements.value.value.trim(),
			reason: form.elements.reason.value.trim(),
			expires_at: when ? when.toISOString() : null,
		};
		if (!ban.value) {
			setFieldError('b-value', 'Enter what to ban.');
			return $('b-value').focus();
		}
		try {
			const r = await api('POST', '/admin/bans', ban);
			form.reset();
			banKindChanged();
			banAdded(r.ban);
		} catch (e) {
			const id = { value: 'b-value', reason: 'b-reason',
			    expires_at: 'b-expires', kind: 'b-kind' }[e.field];
			if (id) {
				setFieldError(id, e.message);
				$(id).focus();
			} else if (e.status !== 401) {
				$('ban-error').textContent = e.message;
			}
		}
	}

	function banKindChanged() {
		$('b-value').placeholder = {
			email: 'someone@example.org',
			ip: '203.0.113.7 or 203.0.113.0/24',
			account: 'user id, e.g. 42 (see Users)',
		}[$('b-kind').value];
	}

	/* ---------- Posts ---------- */

	async function onPostButton(ev) {
		const b = ev.target.closest('[data-post-open]');
		if (!b)
			return;
		const key = $('p-key').value.trim();
		$('post-error').textContent = '';
		$('post-result').textContent = '';
		if (!key) {
			$('post-error').textContent = 'Enter the post key.';
			return $('p-key').focus();
		}
		try {
			const post = await setPostOpen(key,
			    b.dataset.postOpen === 'true');
			$('post-result').textContent = `“${post.title || post.key}” ` +
			    `(${post.key}) is ${post.open ? 'open to' : 'closed for'} ` +
			    `new comments · ${plural(post.comment_count, 'comment')}.`;
		} catch (e) {
			if (e.status !== 401)
				$('post-error').textContent = e.message;
		}
	}

	/* ---------- Users ---------- */

	async function loadUsers() {
		$('users-error').textContent = '';
		try {
			const { users } = await api('GET',
			    `/admin/users${qs({ q: $('u-q').value.trim() })}`);
			state.users = users;
			renderUsers();
		} catch (e) {
			if (e.status !== 401)
				$('users-error').textContent = e.message;
		}
	}

	function renderUsers() {
		$('users-body').replaceChildren(...state.users.map(userRow));
		$('users-empty').hidden = state.users.length > 0;
	}

	function userRow(u) {
		const select = el('select', { 'aria-label': `Role of ${u.name}`,
		    'data-user-id': u.id },
		    ['reader', 'moderator', 'admin'].map((r) => el('option',
		    { value: r }, r)));
		select.value = u.role;
		select.addEventListener('change', () => setRole(u, select));
		return el('tr', { 'data-user-id': u.id },
		    el('td', {}, u.name, u.id === state.user.id ?
			el('span', { class: 'muted' }, ' (you)') : null),
		    el('td', { class: 'mono' }, u.email),
		    el('td', { class: 'mono' }, String(u.id)),
		    el('td', {}, select, el('p', { class: 'row-error',
			role: 'alert' })),
		    el('td', {}, timeEl(u.created_at)));
	}

	async function setRole(u, select) {
		const role = select.value;
		const err = select.parentNode.querySelector('.row-error');
		err.textContent = '';
		if (u.id === state.user.id && role !== 'admin' &&
		    !confirm('Give up your own admin role? You will lose access ' +
		    'to this section.')) {
			select.value = u.role;
			return;
		}
		select.disabled = true;
		try {
			const { user } = await api('PATCH', `/admin/users/${u.id}`,
			    { role });
			u.role = user.role;
			announce(`${user.name} is now ${user.role === 'admin' ?
			    'an' : 'a'} ${user.role}.`);
			if (u.id === state.user.id)
				signedIn({ ...state.user, role: user.role });
		} catch (e) {
			select.value = u.role;
			if (e.code === 'last_admin')
				err.textContent = 'This is the last admin. Make ' +
				    'someone else an admin first.';
			else if (e.status !== 401)
				err.textContent = e.message;
		} finally {
			select.disabled = false;
		}
	}

	/* ---------- Hooks (admins) ---------- */

	function hookEl(id) {
		return $('hooks-list').querySelector(`.hook[data-hook-id="${id}"]`);
	}

	function findHook(id) {
		return state.hooks.list.find((h) => h.id === id);
	}

	/* The event checkboxes, for the new-hook form and a hook's editor. */
	function eventChecks(checked) {
		return EVENT_TYPES.map(([type, what]) => el('label', {
			class: 'check event-check', title: what },
		    el('input', { type: 'checkbox', name: 'events', value: type,
			checked: checked.includes(type) }),
		    el('code', {}, type)));
	}

	function checkedEvents(form) {
		return [...form.querySelectorAll('input[name=events]:checked')]
		    .map((i) => i.value);
	}

	function hookKindChanged() {
		const kind = $('h-kind').value;
		$('h-kind-hint').textContent = KIND_HINT[kind] || '';
		/* Verdict hooks get no events: there is nothing to choose. */
		$('h-events').hidden = kind !== 'event';
	}

	async function loadHooks() {
		$('hooks-error').textContent = '';
		try {
			const { hooks } = await api('GET', '/admin/hooks');
			state.hooks.list = hooks;
			renderHooks();
		} catch (e) {
			if (e.status !== 401)
				$('hooks-error').textContent = e.message;
		}
	}

	/* Fetches the list again and updates the cards in place, so open
	 * forms, deliveries and focus stay as they are. */
	async function syncHooks() {
		let hooks;
		try {
			({ hooks } = await api('GET', '/admin/hooks'));
		} catch (_) {
			return;		/* a later look or loadHooks() says why */
		}
		const ids = (list) => list.map((h) => h.id).join();
		const same = ids(hooks) === ids(state.hooks.list);
		state.hooks.list = hooks;
		if (same)
			fillHooks();
		else
			renderHooks();
	}

	function renderHooks() {
		const list = state.hooks.list;
		for (const id of [...state.hooks.open]) {
			if (!findHook(id))
				state.hooks.open.delete(id);
		}
		$('hooks-list').replaceChildren(...list.map(hookItem));
		$('hooks-empty').hidden = list.length > 0;
	}

	function fillHooks() {
		for (const h of state.hooks.list) {
			const card = hookEl(h.id);
			if (card)
				fillHook(card, h);
		}
		$('hooks-empty').hidden = state.hooks.list.length > 0;
	}

	/* The server's answer replaces our copy; the cards follow. */
	function hookChanged(hook) {
		const at = state.hooks.list.findIndex((h) => h.id === hook.id);
		if (at < 0)
			state.hooks.list.push(hook);
		else
			state.hooks.list[at] = hook;
		if (!hookEl(hook.id))
			$('hooks-list').append(hookItem(hook));
		fillHooks();	/* a verdict hook's note depends on the others */
	}

	function hookButton(action, label, id, cls = '') {
		return el('button', { type: 'button', class: `btn btn-small ${cls}`,
		    'data-hook-action': action,
		    'aria-describedby': `hook${id}-url` }, label);
	}

	function hookItem(h) {
		const id = h.id;
		const details = el('details', { class: 'deliveries',
		    open: state.hooks.open.has(id) },
		    el('summary', {}, 'Recent deliveries'),
		    el('div', { class: 'deliveries-bar' },
			el('span', { class: 'muted deliveries-note' },
			    `The last ${DELIVERIES_SHOWN}, newest first.`),
			hookButton('refresh', 'Refresh', id, 'btn-quiet')),
		    el('p', { class: 'row-error', role: 'alert' }),
		    el('ol', { class: 'delivery-list',
			'aria-label': 'Recent deliveries' }),
		    el('p', { class: 'deliveries-empty muted', hidden: true },
			'No deliveries yet. Ping sends a test event.'));
		details.addEventListener('toggle', () => deliveriesToggled(id,
		    details));
		const card = el('li', { class: 'hook', 'data-hook-id': id,
		    'aria-labelledby': `hook${id}-url` },
		    el('div', { class: 'hook-head' }),
		    el('div', { class: 'actions hook-actions' },
			hookButton('ping', 'Ping', id),
			hookButton('toggle', h.enabled ? 'Disable' : 'Enable', id),
			hookButton('edit', 'Edit', id, 'btn-quiet'),
			hookButton('rotate', 'Rotate secret', id, 'btn-quiet'),
			hookButton('delete', 'Delete', id, 'btn-quiet btn-danger')),
		    el('p', { class: 'row-error hook-error', role: 'alert' }),
		    el('div', { class: 'hook-panel' }),
		    details);
		fillHook(card, h);
		if (state.hooks.deliveries.has(id))
			renderDeliveries(id);
		return card;
	}

	/* Everything in a card that comes from the hook itself. */
	function fillHook(card, h) {
		const c = h.deliveries || { pending: 0, failed: 0, success: 0 };
		const count = (n, label, cls) => el('span', {
			class: `hook-count ${n > 0 ? cls : 'zero'}` }, `${n} ${label}`);
		card.classList.toggle('is-disabled', !h.enabled);
		card.querySelector('.hook-head').replaceChildren(
		    el('p', { class: 'hook-url', id: `hook${h.id}-url` }, h.url),
		    el('div', { class: 'hook-meta' },
			el('span', { class: `pill pill-${h.kind}` },
			    h.kind === 'verdict' ? 'verdict hook' : 'event hook'),
			el('span', { class: `pill ${h.enabled ? 'pill-active' :
			    'pill-off'}` }, h.enabled ? 'enabled' : 'disabled'),
			h.rotating_until ? el('span', { class: 'pill pill-rotating',
			    title: 'The old secret also signs until then' },
			    'rotating until ', stampEl(h.rotating_until)) : null,
			el('span', {}, 'added ', timeEl(h.created_at)),
			el('span', { class: 'mono' }, `#${h.id}`)),
		    hookWhat(h),
		    el('p', { class: 'hook-counts' },
			el('span', { class: 'muted' }, 'Deliveries: '),
			count(c.pending, 'pending', 'pending'),
			count(c.failed, 'failed', 'failed'),
			count(c.success, 'succeeded', 'success')));
		const toggle = card.querySelector('[data-hook-action=toggle]');
		toggle.textContent = h.enabled ? 'Disable' : 'Enable';
	}

	/* Which events an event hook wants; whether a verdict hook is asked
	 * (only the first enabled one is). */
	function hookWhat(h) {
		if (h.kind === 'event') {
			return el('p', { class: 'hook-events' },
			    el('span', { class: 'muted' }, 'Events: '),
			    h.events.length === 0 ? 'every event' :
			    h.events.map((t) => el('code', { class: 'event-type' }, t)));
		}
		const first = state.hooks.list.filter((x) => x.kind === 'verdict' &&
		    x.enabled).sort((a, b) => a.id - b.id)[0];
		let what = 'Asked about each new comment.';
		if (!h.enabled)
			what = 'Not asked while disabled.';
		else if (first && first.id !== h.id)
			what = `Not asked: hook #${first.id} is the verdict hook ` +
			    'in use (the first one enabled).';
		return el('p', { class: 'hook-events' }, what);
	}

	function hookError(id, e) {
		const card = hookEl(id);
		if (e.status === 401 || !card)
			return report(e);
		card.querySelector('.hook-error').textContent = e.message;
	}

	async function onHooksClick(ev) {
		const b = ev.target.closest('button[data-hook-action], ' +
		    'button[data-delivery-action]');
		if (!b)
			return;
		const card = b.closest('.hook');
		const id = Number(card.dataset.hookId);
		card.querySelector('.hook-error').textContent = '';
		if (b.dataset.deliveryAction === 'redeliver') {
			const li = b.closest('[data-delivery-id]');
			return redeliver(id, Number(li.dataset.deliveryId), b);
		}
		switch (b.dataset.hookAction) {
		case 'ping':
			return pingHook(id, b);
		case 'toggle':
			return toggleHook(id, b);
		case 'edit':
			return openHookEditor(id);
		case 'rotate':
			return openRotate(id);
		case 'cancel-panel':
			return closePanel(id, true);
		case 'delete':
			return deleteHook(id, b);
		case 'refresh':
			return loadDeliveries(id);
		default:
			return undefined;
		}
	}

	function onHooksSubmit(ev) {
		ev.preventDefault();
		const form = ev.target;
		const id = Number(form.closest('.hook').dataset.hookId);
		if (form.classList.contains('hook-editor'))
			saveHookEdit(id, form);
		else if (form.classList.contains('rotate-form'))
			rotateSecret(id, form);
	}

	async function onHookForm(ev) {
		ev.preventDefault();
		const form = ev.target;
		clearFieldErrors(form);
		$('hook-error').textContent = '';
		const kind = form.elements.kind.value;
		const hook = { url: form.elements.url.value.trim(), kind,
		    enabled: form.elements.enabled.checked };
		if (kind === 'event')
			hook.events = checkedEvents(form);
		const button = form.querySelector('button[type=submit]');
		button.disabled = true;
		try {
			const r = await api('POST', '/admin/hooks', hook);
			form.reset();
			hookKindChanged();
			hookChanged(r.hook);
			showSecret(r.hook, r.secret, false);
			announce(`Added the hook to ${r.hook.url}.`);
		} catch (e) {
			const id = { url: 'h-url', kind: 'h-kind', events: 'h-events',
			    enabled: 'h-enabled' }[e.field];
			if (id) {
				setFieldError(id, e.message);
				(id === 'h-events' ? form.querySelector(
				    'input[name=events]') : $(id)).focus();
			} else if (e.status !== 401) {
				$('hook-error').textContent = e.message;
			}
		} finally {
			button.disabled = false;
		}
	}

	async function patchHook(id, changes) {
		const r = await api('PATCH', `/admin/hooks/${id}`, changes);
		hookChanged(r.hook);
		return r;
	}

	async function toggleHook(id, b) {
		const h = findHook(id);
		if (!h)
			return;
		b.disabled = true;
		try {
			const { hook } = await patchHook(id, { enabled: !h.enabled });
			announce(`${hook.enabled ? 'Enabled' : 'Disabled'} the hook ` +
			    `to ${hook.url}.`);
		} catch (e) {
			hookError(id, e);
		} finally {
			b.disabled = false;
		}
	}

	async function deleteHook(id, b) {
		const h = findHook(id);
		if (!h || !confirm(`Delete the hook to ${h.url}? Its deliveries ` +
		    'go with it, and this cannot be undone.'))
			return;
		b.disabled = true;
		try {
			await api('DELETE', `/admin/hooks/${id}`);
		} catch (e) {
			b.disabled = false;
			if (e.status !== 404)
				return hookError(id, e);
		}
		const card = hookEl(id);
		const next = card && (card.nextElementSibling ||
		    card.previousElementSibling);
		stopHookPolls(id);
		state.hooks.list = state.hooks.list.filter((x) => x.id !== id);
		state.hooks.open.delete(id);
		state.hooks.deliveries.delete(id);
		if (card)
			card.remove();
		fillHooks();
		(next ? next.querySelector('[data-hook-action=ping]') :
		    $('h-url')).focus();
		announce(`Deleted the hook to ${h.url}.`);
	}

	async function pingHook(id, b) {
		b.disabled = true;
		try {
			const r = await api('POST', `/admin/hooks/${id}/ping`);
			announce(`Sent a ping: delivery #${r.delivery_id} is queued.`);
			showDeliveries(id);
			pollHook(id);
			syncHooks();
		} catch (e) {
			hookError(id, e);
		} finally {
			b.disabled = false;
		}
	}

	async function redeliver(id, deliveryId, b) {
		b.disabled = true;
		try {
			await api('POST', `/admin/deliveries/${deliveryId}/redeliver`);
			announce(`Delivery #${deliveryId} is queued again.`);
			loadDeliveries(id);
			pollHook(id);
			syncHooks();
		} catch (e) {
			b.disabled = false;
			hookError(id, e);
		}
	}

	/* ---------- Hooks: editing and rotating in place ---------- */

	function openPanel(id, form, focus) {
		const card = hookEl(id);
		if (!card)
			return;
		form.addEventListener('keydown', (ev) => {
			if (ev.key === 'Escape') {
				ev.preventDefault();
				closePanel(id, true);
			}
		});
		card.querySelector('.hook-panel').replaceChildren(form);
		form.querySelector(focus).focus();
	}

	function closePanel(id, refocus) {
		const card = hookEl(id);
		if (!card)
			return;
		const panel = card.querySelector('.hook-panel');
		const which = panel.firstChild && panel.firstChild.dataset.opener;
		panel.replaceChildren();
		if (refocus && which)
			card.querySelector(`[data-hook-action=${which}]`).focus();
	}

	function panelActions(submit, cls) {
		return el('div', { class: 'form-actions' },
		    el('button', { type: 'submit', class: `btn btn-small ${cls}` },
			submit),
		    el('button', { type: 'button', class: 'btn btn-small',
			'data-hook-action': 'cancel-panel' }, 'Cancel'));
	}

	function openHookEditor(id) {
		const h = findHook(id);
		if (!h)
			return;
		const p = `hook${id}-edit`;
		const form = el('form', { class: 'hook-inline hook-editor',
		    novalidate: true, 'data-opener': 'edit',
		    'aria-label': 'Change the hook' },
		    el('div', { class: 'field' },
			el('label', { for: `${p}-url` }, 'URL'),
			el('input', { id: `${p}-url`, name: 'url', type: 'url',
			    value: h.url, autocomplete: 'off', spellcheck: 'false',
			    'aria-describedby': `${p}-url-err` }),
			el('p', { class: 'field-error', id: `${p}-url-err` })),
		    h.kind === 'event' ? el('fieldset', { class: 'events-field',
			id: `${p}-events`, 'aria-describedby': `${p}-events-err` },
			el('legend', {}, 'Events'),
			el('div', { class: 'event-checks' }, eventChecks(h.events)),
			el('p', { class: 'hint' }, 'None checked: every event.'),
			el('p', { class: 'field-error', id: `${p}-events-err` })) :
			null,
		    el('p', { class: 'form-error', role: 'alert' }),
		    panelActions('Save', 'btn-primary'));
		openPanel(id, form, 'input[name=url]');
	}

	async function saveHookEdit(id, form) {
		const h = findHook(id);
		const p = `hook${id}-edit`;
		clearFieldErrors(form);
		form.querySelector('.form-error').textContent = '';
		const changes = { url: form.elements.url.value.trim() };
		if (h && h.kind === 'event')
			changes.events = checkedEvents(form);
		const save = form.querySelector('button[type=submit]');
		save.disabled = true;
		try {
			const { hook } = await patchHook(id, changes);
			closePanel(id, true);
			announce(`Saved the hook to ${hook.url}.`);
		} catch (e) {
			save.disabled = false;
			if (e.field === 'url' || e.field === 'events') {
				setFieldError(`${p}-${e.field}`, e.message);
				form.querySelector(`[name=${e.field}]`).focus();
			} else if (e.status !== 401) {
				form.querySelector('.form-error').textContent = e.message;
			}
		}
	}

	function openRotate(id) {
		const p = `hook${id}-grace`;
		const grace = el('select', { id: p, name: 'grace' },
		    GRACE_CHOICES.map(([v, label]) => el('option', { value: v },
		    label)));
		grace.value = GRACE_DEFAULT;
		const form = el('form', { class: 'hook-inline rotate-form',
		    novalidate: true, 'data-opener': 'rotate',
		    'aria-label': 'Rotate the secret' },
		    el('p', { class: 'hint' }, 'A new secret signs from now on. ' +
			'While receivers are switched over, the old one can sign ' +
			'too.'),
		    el('div', { class: 'field' },
			el('label', { for: p }, 'The old secret also signs for'),
			grace),
		    el('p', { class: 'form-error', role: 'alert' }),
		    panelActions('Make a new secret', 'btn-primary'));
		openPanel(id, form, 'select');
	}

	async function rotateSecret(id, form) {
		const save = form.querySelector('button[type=submit]');
		save.disabled = true;
		try {
			const r = await patchHook(id, { rotate_secret: true,
			    grace_seconds: Number(form.elements.grace.value) });
			closePanel(id, false);
			showSecret(r.hook, r.secret, true);
			announce(`Made a new secret for the hook to ${r.hook.url}.`);
		} catch (e) {
			save.disabled = false;
			if (e.status !== 401)
				form.querySelector('.form-error').textContent = e.message;
		}
	}

	/* ---------- Hooks: the secret, shown once ---------- */

	/* The secret goes into the page and nowhere else; "Done" or leaving
	 * the page forgets it. */
	function showSecret(hook, secret, rotated) {
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
			el('strong', {}, 'Shown only now.'), ' Put it in the ' +
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
		    el('p', { class: 'hint' }, 'The receiver checks each request ' +
			'with a Standard Webhooks library, given this secret, ' +
			'the raw request body and the headers (',
			el('code', {}, 'webhook-id'), ', ',
			el('code', {}, 'webhook-timestamp'), ', ',
			el('code', {}, 'webhook-signature'), '). In Node:'),
		    el('pre', { class: 'response secret-snippet',
			translate: 'no' }, el('code', {},
			'const { Webhook } = require(\'standardwebhooks\');\n' +
			'// body: the raw request body, not re-serialized JSON\n' +
			'const event = new Webhook(secret).verify(body, headers);')),
		    el('p', { class: 'hint' }, 'Python, Go, Ruby, PHP, Rust, ' +
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

	function hideSecret() {
		const box = $('hook-secret');
		box.replaceChildren();
		box.hidden = true;
	}

	async function onSecretClick(ev) {
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

	/* ---------- Hooks: deliveries ---------- */

	function deliveriesToggled(id, details) {
		if (details.open) {
			state.hooks.open.add(id);
			loadDeliveries(id);
		} else {
			state.hooks.open.delete(id);
			stopHookPolls(id);
		}
	}

	/* Opens a hook's deliveries, or loads them again if open. */
	function showDeliveries(id) {
		const card = hookEl(id);
		const details = card && card.querySelector('details.deliveries');
		if (!details)
			return;
		if (details.open)
			loadDeliveries(id);
		else
			details.open = true;	/* the toggle event loads them */
	}

	async function loadDeliveries(id) {
		const seq = (state.hooks.loads.get(id) || 0) + 1;
		state.hooks.loads.set(id, seq);
		const busy = (on) => {
			const card = hookEl(id);
			const list = card && card.querySelector('.delivery-list');
			if (list)
				list.setAttribute('aria-busy', String(on));
		};
		busy(true);
		try {
			const { deliveries } = await api('GET',
			    `/admin/hooks/${id}/deliveries${qs({
			    limit: DELIVERIES_SHOWN })}`);
			if (state.hooks.loads.get(id) !== seq)
				return;
			state.hooks.deliveries.set(id, deliveries);
			renderDeliveries(id);
		} catch (e) {
			const card = hookEl(id);
			if (state.hooks.loads.get(id) !== seq)
				return;
			if (card && e.status !== 401)
				card.querySelector('.deliveries .row-error')
				    .textContent = e.message;
			else
				report(e);
		} finally {
			if (state.hooks.loads.get(id) === seq)
				busy(false);
		}
	}

	function renderDeliveries(id) {
		const card = hookEl(id);
		const deliveries = state.hooks.deliveries.get(id) || [];
		if (!card)
			return;
		const list = card.querySelector('.delivery-list');
		/* Keep open logs open, and the focus where it was. */
		const open = new Set([...list.querySelectorAll(
		    'details.attempts[open]')].map((d) =>
		    d.closest('[data-delivery-id]').dataset.deliveryId));
		const active = document.activeElement;
		const focused = list.contains(active) ?
		    active.closest('[data-delivery-id]') : null;
		card.querySelector('.deliveries .row-error').textContent = '';
		list.replaceChildren(...deliveries.map((d) => deliveryItem(d,
		    open.has(String(d.id)))));
		card.querySelector('.deliveries-empty').hidden =
		    deliveries.length > 0;
		if (focused) {
			const again = list.querySelector(`[data-delivery-id=` +
			    `"${focused.dataset.deliveryId}"] ` +
			    (active.tagName === 'SUMMARY' ? 'summary' : 'button'));
			if (again)
				again.focus({ preventScroll: true });
		}
	}

	/* An error worth showing beside the status (not "HTTP 500" again). */
	function errorText(error, status) {
		return error && error !== `HTTP ${status}` ? error : null;
	}

	/* When a pending delivery is tried next. */
	function nextTry(iso) {
		const secs = Math.round((Date.parse(iso) - Date.now()) / 1000);
		if (!(secs > 0))
			return el('span', {}, 'due now');
		return el('span', {}, 'next try ', el('time', { datetime: iso,
		    title: exactTime(iso) }, secs < 60 ? `in ${secs} s` :
		    relTime(iso)));
	}

	function deliveryItem(d, logOpen) {
		const last = d.attempts === 0 ? 'not tried yet' :
		    d.last_status === null ? 'last try: no answer' :
		    `last answer: HTTP ${d.last_status}`;
		const error = errorText(d.last_error, d.last_status);
		let next = null;
		if (d.state === 'pending')
			next = nextTry(d.next_at);
		else if (d.state === 'failed')
			next = el('span', {}, 'gave up');
		const log = d.log || [];
		return el('li', { class: `delivery state-${d.state}`,
		    'data-delivery-id': d.id },
		    el('div', { class: 'delivery-head' },
			el('span', { class: `pill pill-${d.state}` }, d.state),
			el('code', { class: 'event-type' }, d.event.type),
			el('span', { class: 'muted' }, timeEl(d.event.created_at)),
			el('span', { class: 'muted mono', title: 'X-Parley-' +
			    `Delivery: ${d.uuid}` }, `#${d.id}`),
			el('button', { type: 'button', class: 'btn btn-small',
			    'data-delivery-action': 'redeliver',
			    'aria-label': `Redeliver #${d.id} (${d.event.type})` },
			    'Redeliver')),
		    el('p', { class: 'delivery-sum' },
			el('span', {}, plural(d.attempts, 'attempt')),
			el('span', {}, last),
			error ? el('span', { class: 'delivery-error' }, error) : null,
			next),
		    log.length > 0 ? el('details', { class: 'attempts',
			open: logOpen },
			el('summary', {}, `Attempt log (${log.length})`),
			el('p', { class: 'hint mono' }, `Delivery ${d.uuid}`),
			el('ol', { class: 'attempt-list' }, log.map(attemptItem))) :
			null);
	}

	function attemptItem(a) {
		const ok = a.status !== null && a.status >= 200 && a.status < 300;
		const error = errorText(a.error, a.status);
		return el('li', { class: 'attempt' },
		    el('div', { class: 'attempt-head' },
			stampEl(a.at),
			el('span', { class: `pill ${ok ? 'pill-success' :
			    'pill-failed'}` }, a.status === null ? 'no answer' :
			    `HTTP ${a.status}`),
			el('span', { class: 'muted' }, `${a.duration_ms} ms`),
			error ? el('span', { class: 'delivery-error' }, error) : null),
		    a.response ? el('pre', { class: 'response',
			'aria-label': 'Start of the answer' }, a.response) : null);
	}

	/* A few follow-up looks after a ping or redelivery, while the
	 * deliveries are open and something is still pending. */
	function pollHook(id, step = 0) {
		stopHookPolls(id);
		if (step >= DELIVERY_POLL_MS.length)
			return;
		state.hooks.polls.set(id, setTimeout(async () => {
			state.hooks.polls.delete(id);
			if (state.section !== 'hooks' || !state.hooks.open.has(id))
				return;
			await loadDeliveries(id);
			syncHooks();
			const list = state.hooks.deliveries.get(id) || [];
			if (list.some((d) => d.state === 'pending'))
				pollHook(id, step + 1);
		}, DELIVERY_POLL_MS[step]));
	}

	function stopHookPolls(id) {
		const polls = state.hooks.polls;
		for (const [k, t] of polls) {
			if (id === undefined || k === id) {
				clearTimeout(t);
				polls.delete(k);
			}
		}
	}

	/* ---------- Audit log ---------- */

	async function loadAudit(append) {
		const a = state.audit;
		$('audit-more').disabled = true;
		try {
			const d = await api('GET', `/admin/audit${qs({ limit: PAGE,
			    after: append ? a.next : '' })}`);
			if (!append) {
				a.entries = [];
				$('audit-body').replaceChildren();
			}
			a.entries.push(...d.entries);
			a.next = d.next;
			$('audit-body').append(...d.entries.map(auditRow));
			$('audit-empty').hidden = a.entries.length > 0;
			$('audit-more').hidden = !a.next;
		} catch (e) {
			report(e);
		} finally {
			$('audit-more').disabled = false;
		}
	}

	function auditRow(e) {
		return el('tr', {},
		    el('td', {}, timeEl(e.at)),
		    el('td', {}, e.actor.name),
		    el('td', {}, AUDIT_LABEL[e.action] || e.action, ' ',
			el('code', { class: 'muted' }, e.action)),
		    el('td', {}, `${e.target.type} ${e.target.id}`),
		    el('td', {}, auditChange(e.before, e.after)));
	}

	/* "status: pending → approved", with the full JSON on demand. */
	function auditChange(before, after) {
		const summary = changeSummary(before, after);
		return el('details', {},
		    el('summary', {}, summary),
		    el('pre', { class: 'diff-before' }, '− ', JSON.stringify(before)),
		    el('pre', { class: 'diff-after' }, '+ ', JSON.stringify(after)));
	}

	function changeSummary(before, after) {
		const short = (v) => {
			const s = v === undefined ? '—' : JSON.stringify(v);
			return s.length > 32 ? `${s.slice(0, 31)}…` : s;
		};
		if (before === null || after === null ||
		    typeof before !== 'object' || typeof after !== 'object')
			return before === null ? (after === null ? 'details' :
			    'created') : 'removed';
		const keys = [...new Set([...Object.keys(before),
		    ...Object.keys(after)])].filter((k) =>
		    JSON.stringify(before[k]) !== JSON.stringify(after[k]));
		if (keys.length === 0)
			return 'no change';
		const parts = keys.slice(0, 3).map((k) =>
		    `${k}: ${short(before[k])} → ${short(after[k])}`);
		return parts.join('; ') + (keys.length > 3 ?
		    ` (+${keys.length - 3})` : '');
	}

	/* ---------- Start ---------- */

	function bindEvents() {
		$('login-form').addEventListener('submit', onLogin);
		$('logout').addEventListener('click', logout);
		$('denied-again').addEventListener('click', () => showLogin());
		$('held-badge').addEventListener('click', (ev) => {
			ev.preventDefault();
			if (state.section !== 'queue')
				location.hash = '/queue';
			selectTab('pending');
		});
		window.addEventListener('hashchange', () => {
			if (state.user)
				route();
		});
		document.addEventListener('keydown', onKeydown);
		document.addEventListener('visibilitychange', () => {
			if (!document.hidden && state.user)
				tick();
		});

		for (const t of document.querySelectorAll('[role=tab]'))
			t.addEventListener('click', () => selectTab(t.dataset.status));
		document.querySelector('[role=tablist]')
		    .addEventListener('keydown', onTabKey);
		$('filters').addEventListener('submit', onFilters);
		$('f-clear').addEventListener('click', clearFilters);
		$('f-help').addEventListener('click', () => $('help').showModal());
		$('select-all').addEventListener('change', onSelectAll);
		$('bulk').addEventListener('click', onBulk);
		$('queue-more').addEventListener('click',
		    () => loadQueue({ append: true }));
		$('queue-new').addEventListener('click', () => loadQueue());

		const list = $('queue-list');
		list.addEventListener('click', onListClick);
		list.addEventListener('change', onListChange);
		list.addEventListener('focusin', onListFocus);
		list.addEventListener('submit', onListSubmit);

		$('settings-form').addEventListener('submit', saveSettings);
		$('site-form').addEventListener('submit', addSite);
		$('settings-form').addEventListener('input', (ev) => {
			if (ev.target.id)
				setFieldError(ev.target.id, '');
		});
		$('settings-reset').addEventListener('click', () => {
			if (state.settings)
				fillSettings(state.settings);
		});

		$('ban-form').addEventListener('submit', onBanForm);
		$('b-kind').addEventListener('change', banKindChanged);
		$('bans-body').addEventListener('click', onBanTable);
		$('post-form').addEventListener('click', onPostButton);
		$('post-form').addEventListener('submit', (ev) => ev.preventDefault());
		$('users-form').addEventListener('submit', (ev) => {
			ev.preventDefault();
			loadUsers();
		});
		$('hook-form').addEventListener('submit', onHookForm);
		$('h-kind').addEventListener('change', hookKindChanged);
		$('hook-form').addEventListener('input', (ev) => {
			if (ev.target.id)
				setFieldError(ev.target.id, '');
		});
		$('hook-secret').addEventListener('click', onSecretClick);
		$('hooks-list').addEventListener('click', onHooksClick);
		$('hooks-list').addEventListener('submit', onHooksSubmit);
		$('audit-more').addEventListener('click', () => loadAudit(true));
	}

	async function start() {
		bindEvents();
		banKindChanged();
		$('h-events-list').append(...eventChecks([]));
		hookKindChanged();
		state.token = sessionStorage.getItem(TOKEN_KEY);
		if (!state.token)
			return showLogin();
		try {
			const { user } = await api('GET', '/auth/me');
			await signedIn(user);
		} catch (e) {
			if (e.status !== 401) {
				/* Keep the token: the server may be back soon. */
				showLogin(e.message);
			}
		}
	}

	start();
})();
