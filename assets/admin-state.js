/* Everything the page knows, in one object, and the page size of lists. */

export const PAGE = 50;

export const state = {
  token: null,
  user: null,
  section: 'queue',
  counts: { pending: 0, spam: 0 },
  queue: {
    status: 'pending',
    filters: { q: '', post: '', email: '', ip: '' },
    comments: [],
    next: null,
    seq: 0,                 /* latest listing request */
    loading: false,
    current: null,          /* id of the highlighted row */
    selected: new Set(),
  },
  posts: new Map(),         /* post key -> open */
  bans: [],
  settings: null,
  sites: [],                /* the allowed_origins setting */
  audit: { entries: [], next: null },
  users: [],
  hooks: emptyHooks(),
  timer: null,
};

export function emptyHooks() {
  return {
    list: [],               /* as GET /admin/hooks sends them */
    deliveries: new Map(),  /* hook id -> recent deliveries */
    open: new Set(),        /* hook ids showing their deliveries */
    loads: new Map(),       /* hook id -> latest deliveries request */
    polls: new Map(),       /* hook id -> timer of a follow-up look */
    deleted: new Set(),     /* hook ids deleted from this page */
  };
}
