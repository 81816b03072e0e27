/*
 * Word lists for moderation (see wordlist.h).
 *
 * Entries and texts are compared normalised, as a reader sees them:
 * format characters (Unicode category Cf: soft hyphen, zero width space
 * and joiners, byte order mark, direction marks) removed, since they are
 * invisible or nearly so and "sp" U+00AD "am" reads "spam"; then NFKC,
 * so full-width "ｓｐａｍ", "𝐬𝐩𝐚𝐦" or the "ﬁ" ligature are the plain
 * letters; then full case folding (u8_casefold, NFKC again), so "ÉTÉ"
 * matches "été" and "STRASSE" matches "straße". The entry kept for
 * display (and returned by wordlist_match) is only lower-cased
 * (u8_tolower), so an admin who typed "Straße" sees "straße".
 *
 * Word characters are letters and digits of any script (uc_is_alnum), '_'
 * and '\''. Combining marks continue the character before them, as in
 * UAX #29: "cafe" + U+0301 is one word, Devanagari vowel signs stay
 * inside theirs; a Persian word with ZWNJ is one word too, the ZWNJ being
 * removed. The apostrophe being a word character means
 * "ass's" is one word and does not match "ass", just as "don't" does not
 * match "don". Only U+0027 counts: the typographic U+2019 is punctuation.
 *
 * The index: a hash table (open addressing) keyed by an entry's first
 * word. Its slot holds the entry that is only that word, and a byte trie
 * of what follows the first word in longer entries ("buy| now",
 * "www|.spam.example"), so a thousand entries sharing a first word cost
 * no more than one. Entries that begin with a non-word character ("#tag")
 * go in a trie of their own, tried where a non-word character follows a
 * non-word one. A text is folded once and scanned once: a hash lookup per
 * word, and trie walks as long as the text agrees with some entry.
 * Of several entries in a text, the one starting first is returned (the
 * longest of those starting there: "buy cheap pills" rather than "buy").
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "wordlist.h"

#define NONE   SIZE_MAX
#define NONODE UINT32_MAX

struct wl_slot {
	const char *key; /* NULL: empty slot */
	size_t      len;
	uint64_t    hash;
	size_t      entry; /* the entry that is just key */
	uint32_t    trie; /* longer entries' rest, or NONODE */
};

struct wl_table {
	struct wl_slot *slot;
	size_t          cap; /* a power of two, or 0 */
	size_t          used;
};

/* A trie node: children are a list through sibling. */
struct wl_node {
	uint32_t      child;
	uint32_t      sibling;
	uint32_t      entry; /* an entry ends here, or NONODE */
	unsigned char byte;
};

struct wl_index {
	char          **fold; /* case-folded entries */
	size_t         *flen;
	size_t          cap; /* of entries, fold and flen */
	struct wl_table first; /* first word -> entry and trie */
	struct wl_table all; /* whole folded entries: duplicates */
	struct wl_node *node;
	uint32_t        nnode;
	uint32_t        nodecap;
	uint32_t        loose; /* entries without a first word */
};

static void *
wl_alloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n ? n : 1, size)) == NULL)
		abort();
	return (p);
}

static void *
wl_grow(void *p, size_t n, size_t size)
{
	if (n > SIZE_MAX / size)
		abort();
	if ((p = realloc(p, n * size)) == NULL)
		abort();
	return (p);
}

/* FNV-1a: the keys come from admins, not from the texts being matched. */
static uint64_t
wl_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	size_t   i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return (h);
}

/*
 * Character classes. WL_EXTEND (combining marks) continues whatever
 * precedes it, as in Unicode word segmentation (UAX #29): it never starts
 * a word, and after a letter it is part of the word. Format characters
 * are gone before classes are asked for.
 */
#define WL_OTHER  0
#define WL_WORD   1
#define WL_EXTEND 2
/* How far back a boundary check looks through a run of WL_EXTEND. */
#define WL_EXTEND_MAX 32

static int
wl_class(ucs4_t c)
{
	if (c < 0x80)
		return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '_' || c == '\'' ?
		        WL_WORD :
		        WL_OTHER);
	if (uc_is_alnum(c))
		return (WL_WORD);
	if (uc_is_general_category(c, UC_CATEGORY_M))
		return (WL_EXTEND);
	return (WL_OTHER);
}

/* The length of the character at p (valid UTF-8) and its class. */
static size_t
wl_char(const uint8_t *p, size_t n, int *cls)
{
	ucs4_t c;
	int    k;

	if (p[0] < 0x80) {
		*cls = wl_class(p[0]);
		return (1);
	}
	k = u8_mbtouc(&c, p, n);
	*cls = wl_class(c);
	return (k > 0 ? (size_t)k : 1);
}

/* Is the character before pos part of a word? */
static int
wl_word_before(const uint8_t *f, size_t pos)
{
	size_t q, steps;
	int    cls;

	for (steps = 0; pos > 0 && steps < WL_EXTEND_MAX; steps++) {
		/* Back to the lead byte of the previous character. */
		for (q = pos - 1; q > 0 && (f[q] & 0xc0) == 0x80; q--)
			;
		wl_char(f + q, pos - q, &cls);
		if (cls != WL_EXTEND)
			return (cls == WL_WORD);
		pos = q;
	}
	return (0);
}

/* Does the character at pos continue a word (or start one)? */
static int
wl_word_at(const uint8_t *f, size_t m, size_t pos)
{
	int cls;

	if (pos >= m)
		return (0);
	wl_char(f + pos, m - pos, &cls);
	if (cls == WL_EXTEND)
		return (wl_word_before(f, pos));
	return (cls == WL_WORD);
}

static struct wl_slot *
tbl_find(const struct wl_table *t, const char *key, size_t len, uint64_t h)
{
	size_t          i;
	struct wl_slot *s;

	if (t->cap == 0)
		return (NULL);
	for (i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		s = &t->slot[i];
		if (s->key == NULL)
			return (NULL);
		if (s->hash == h && s->len == len &&
		    memcmp(s->key, key, len) == 0)
			return (s);
	}
}

static void
tbl_place(struct wl_table *t, const struct wl_slot *s)
{
	size_t i;

	for (i = s->hash & (t->cap - 1); t->slot[i].key != NULL;
	     i = (i + 1) & (t->cap - 1))
		;
	t->slot[i] = *s;
	t->used++;
}

/* Adds a key known to be absent; the slot is valid until the next put. */
static struct wl_slot *
tbl_put(struct wl_table *t, const char *key, size_t len, uint64_t h)
{
	struct wl_slot *old, s;
	size_t          i, ocap;

	/* Keep the load under a half so probes stay short. */
	if ((t->used + 1) * 2 > t->cap) {
		old = t->slot;
		ocap = t->cap;
		if (ocap > SIZE_MAX / 4)
			abort();
		t->cap = ocap ? ocap * 2 : 16;
		t->slot = wl_alloc(t->cap, sizeof(*t->slot));
		t->used = 0;
		for (i = 0; i < ocap; i++) {
			if (old[i].key != NULL)
				tbl_place(t, &old[i]);
		}
		free(old);
	}
	s.key = key;
	s.len = len;
	s.hash = h;
	s.entry = NONE;
	s.trie = NONODE;
	tbl_place(t, &s);
	return (tbl_find(t, key, len, h));
}

static uint32_t
node_new(struct wl_index *ix, unsigned char byte)
{
	struct wl_node *n;

	if (ix->nnode == ix->nodecap) {
		if (ix->nodecap > UINT32_MAX / 2 - 1)
			abort();
		ix->nodecap = ix->nodecap ? ix->nodecap * 2 : 64;
		ix->node = wl_grow(ix->node, ix->nodecap, sizeof(*ix->node));
	}
	n = &ix->node[ix->nnode];
	n->child = n->sibling = n->entry = NONODE;
	n->byte = byte;
	return (ix->nnode++);
}

static uint32_t
node_child(const struct wl_index *ix, uint32_t at, unsigned char byte)
{
	uint32_t c;

	for (c = ix->node[at].child; c != NONODE; c = ix->node[c].sibling) {
		if (ix->node[c].byte == byte)
			return (c);
	}
	return (NONODE);
}

/* Adds n bytes under *root (made if need be), ending in entry e. */
static void
trie_add(struct wl_index *ix, uint32_t *root, const char *s, size_t n, size_t e)
{
	uint32_t at, c;
	size_t   i;

	if (*root == NONODE)
		*root = node_new(ix, 0);
	at = *root;
	for (i = 0; i < n; i++) {
		if ((c = node_child(ix, at, (unsigned char)s[i])) == NONODE) {
			/* node_new may move the pool: index, do not point. */
			c = node_new(ix, (unsigned char)s[i]);
			ix->node[c].sibling = ix->node[at].child;
			ix->node[at].child = c;
		}
		at = c;
	}
	ix->node[at].entry = (uint32_t)e;
}

/*
 * Follows the text from pos down the trie at root: the longest entry that
 * matches there and ends on a word boundary, or NONE.
 */
static size_t
trie_walk(const struct wl_index *ix, uint32_t root, const uint8_t *f, size_t m,
    size_t pos)
{
	uint32_t at = root;
	size_t   best = NONE;

	for (; pos < m; pos++) {
		if ((at = node_child(ix, at, f[pos])) == NONODE)
			break;
		if (ix->node[at].entry != NONODE && !wl_word_at(f, m, pos + 1))
			best = ix->node[at].entry;
	}
	return (best);
}

static int
wl_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return (0);
	}
	return (1);
}

/* Output of wl_convert: grows as needed, always room for a NUL. */
struct wl_out {
	char  *p;
	size_t len;
	size_t cap;
};

static void
out_add(struct wl_out *o, const void *s, size_t n, int lower)
{
	size_t i;

	if (n > SIZE_MAX / 2 - o->len)
		abort();
	if (o->len + n + 1 > o->cap) {
		while (o->len + n + 1 > o->cap)
			o->cap = o->cap ? o->cap * 2 : 64;
		o->p = wl_grow(o->p, o->cap, 1);
	}
	memcpy(o->p + o->len, s, n);
	if (lower) {
		for (i = o->len; i < o->len + n; i++) {
			if (o->p[i] >= 'A' && o->p[i] <= 'Z')
				o->p[i] += 'a' - 'A';
		}
	}
	o->len += n;
	o->p[o->len] = '\0';
}

/* Lower-cases one stretch of valid UTF-8 onto o. */
static void
out_lower(struct wl_out *o, const uint8_t *s, size_t n)
{
	uint8_t stack[256], *r;
	size_t  len = sizeof(stack);

	if ((r = u8_tolower(s, n, NULL, UNINORM_NFC, stack, &len)) == NULL) {
		if (errno == ENOMEM)
			abort();
		/* Cannot happen on valid input; degrade, never crash. */
		out_add(o, s, n, 1);
		return;
	}
	out_add(o, r, len, 0);
	if (r != stack)
		free(r);
}

/* Whether any character of s would change if folded again. */
static int
wl_unfolded(const uint8_t *s, size_t n)
{
	size_t i;
	ucs4_t c;
	int    k;

	for (i = 0; i < n; i += k) {
		if (s[i] < 0x80) {
			if (s[i] >= 'A' && s[i] <= 'Z')
				return (1);
			k = 1;
			continue;
		}
		if ((k = u8_mbtouc(&c, s + i, n - i)) <= 0)
			return (0);
		if (uc_is_property_changes_when_casefolded(c))
			return (1);
	}
	return (0);
}

/* Case-folds s with NFKC after: a new string, or NULL on failure. */
static uint8_t *
wl_casefold(const uint8_t *s, size_t n, uint8_t *stack, size_t *len)
{
	uint8_t *r;

	if ((r = u8_casefold(s, n, NULL, UNINORM_NFKC, stack, len)) == NULL &&
	    errno == ENOMEM)
		abort();
	return (r);
}

/*
 * Normalises one stretch of valid UTF-8 without format characters onto
 * o: case folding, then NFKC. A few compatibility characters become
 * capitals only in NFKC ("𝐀" is "A"), so a result that still has
 * something to fold is folded again (NFKC is then stable: folding maps
 * to characters that NFKC leaves alone, or to their NFKC forms).
 */
static void
out_fold(struct wl_out *o, const uint8_t *s, size_t n)
{
	uint8_t stack[256], stack2[256], *r, *r2;
	size_t  len = sizeof(stack), len2 = sizeof(stack2);

	if (n == 0)
		return;
	if ((r = wl_casefold(s, n, stack, &len)) == NULL) {
		/* Cannot happen on valid input; degrade, never crash. */
		out_add(o, s, n, 1);
		return;
	}
	if (wl_unfolded(r, len) &&
	    (r2 = wl_casefold(r, len, stack2, &len2)) != NULL) {
		out_add(o, r2, len2, 0);
		if (r2 != stack2)
			free(r2);
	} else
		out_add(o, r, len, 0);
	if (r != stack)
		free(r);
}

static int
wl_format_char(ucs4_t c)
{
	return (c >= 0x80 && uc_is_general_category(c, UC_CATEGORY_Cf));
}

/*
 * For folding: a copy of n bytes with invalid bytes made spaces (they then
 * separate words, and libunistring never sees them) and format characters
 * removed, or NULL when the text has neither (all ASCII, say). *m is the
 * copy's length.
 */
static uint8_t *
wl_visible(const uint8_t *in, size_t n, size_t *m)
{
	uint8_t *v;
	size_t   i, j;
	ucs4_t   c;
	int      k;

	for (i = 0; i < n && in[i] < 0x80; i++)
		;
	if (i == n)
		return (NULL);
	v = wl_alloc(n, 1);
	memcpy(v, in, i);
	for (j = i; i < n; i += k) {
		if (in[i] < 0x80) {
			v[j++] = in[i];
			k = 1;
		} else if ((k = u8_mbtoucr(&c, in + i, n - i)) < 0) {
			v[j++] = ' ';
			k = 1;
		} else if (!wl_format_char(c)) {
			memcpy(v + j, in + i, k);
			j += k;
		}
	}
	*m = j;
	return (v);
}

/* For lower-casing: a copy with invalid bytes made spaces, or NULL when
 * there are none. */
static uint8_t *
wl_valid(const uint8_t *in, size_t n)
{
	uint8_t *v;
	size_t   i;
	ucs4_t   c;
	int      k;

	if (u8_check(in, n) == NULL)
		return (NULL);
	v = wl_alloc(n, 1);
	for (i = 0; i < n; i += k) {
		if ((k = u8_mbtoucr(&c, in + i, n - i)) < 0) {
			v[i] = ' ';
			k = 1;
		} else
			memcpy(v + i, in + i, k);
	}
	return (v);
}

/*
 * Normalises (fold 1) or lower-cases (fold 0) n bytes of UTF-8 into a new
 * NUL-terminated string.
 *
 * Normalising is slow (about 30 ns a byte), so a text is folded in
 * stretches: ASCII is lower-cased directly and only each run of non-ASCII
 * goes through libunistring, with the ASCII character before it (a base a
 * combining mark may compose with). This is exact: case folding without a
 * language has no context, no ASCII character composes with what precedes
 * it, no compatibility mapping looks at neighbours, and an ASCII
 * character blocks canonical reordering. Format characters are removed
 * from the whole text first, so one between a letter and its mark does
 * not keep them apart. Lower-casing does have context (final sigma), so
 * it maps the whole string; it only ever sees entries.
 */
static char *
wl_convert(const char *text, size_t n, int fold, size_t *outlen)
{
	struct wl_out  o = { NULL, 0, 0 };
	const uint8_t *in = (const uint8_t *)text;
	uint8_t       *clean;
	size_t         i, a, b, s;

	out_add(&o, "", 0, 0);
	if (!fold) {
		if ((clean = wl_valid(in, n)) != NULL)
			in = clean;
		if (wl_ascii((const char *)in, n))
			out_add(&o, in, n, 1);
		else
			out_lower(&o, in, n);
		free(clean);
		*outlen = o.len;
		return (o.p);
	}
	if ((clean = wl_visible(in, n, &n)) != NULL)
		in = clean;
	for (i = 0; i < n; i = b) {
		for (a = i; a < n && in[a] < 0x80; a++)
			;
		if (a == n) {
			out_add(&o, in + i, n - i, 1);
			break;
		}
		s = a > i ? a - 1 : a;
		out_add(&o, in + i, s - i, 1);
		for (b = a; b < n && in[b] >= 0x80; b++)
			;
		out_fold(&o, in + s, b - s);
	}
	free(clean);
	*outlen = o.len;
	return (o.p);
}

static struct wl_index *
wl_index(struct wordlist *wl)
{
	struct wl_index *ix;

	if (wl->index == NULL) {
		ix = wl_alloc(1, sizeof(*ix));
		ix->loose = NONODE;
		wl->index = ix;
	}
	return (wl->index);
}

void
wordlist_init(struct wordlist *wl)
{
	wl->entries = NULL;
	wl->n = 0;
	wl->index = NULL;
}

static int
wl_blank(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f');
}

/*
 * Entries that are not valid UTF-8 or hold a NUL are ignored like blank
 * ones: settings refuses them before they get here.
 */
void
wordlist_add(struct wordlist *wl, const char *s, size_t n)
{
	struct wl_index *ix;
	struct wl_slot  *slot;
	char            *fold, *lower;
	size_t           flen, llen, w, k, i;
	uint64_t         h;
	int              cls;

	if (s == NULL)
		return;
	while (n > 0 && wl_blank((unsigned char)s[0])) {
		s++;
		n--;
	}
	while (n > 0 && wl_blank((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || memchr(s, '\0', n) != NULL ||
	    u8_check((const uint8_t *)s, n) != NULL)
		return;

	fold = wl_convert(s, n, 1, &flen);
	h = wl_hash(fold, flen);
	ix = wl_index(wl);
	if (flen == 0 || tbl_find(&ix->all, fold, flen, h) != NULL ||
	    wl->n >= NONODE) {
		free(fold);
		return;
	}
	lower = wl_convert(s, n, 0, &llen);

	if (wl->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 16;
		wl->entries = wl_grow(wl->entries, ix->cap, sizeof(char *));
		ix->fold = wl_grow(ix->fold, ix->cap, sizeof(char *));
		ix->flen = wl_grow(ix->flen, ix->cap, sizeof(size_t));
	}
	i = wl->n++;
	wl->entries[i] = lower;
	ix->fold[i] = fold;
	ix->flen[i] = flen;
	tbl_put(&ix->all, fold, flen, h);

	/* The first word: word characters, then marks and the like. */
	for (w = 0; w < flen; w += k) {
		k = wl_char((const uint8_t *)fold + w, flen - w, &cls);
		if (cls == WL_OTHER || (w == 0 && cls == WL_EXTEND))
			break;
	}
	if (w == 0) {
		trie_add(ix, &ix->loose, fold, flen, i);
		return;
	}
	h = wl_hash(fold, w);
	if ((slot = tbl_find(&ix->first, fold, w, h)) == NULL)
		slot = tbl_put(&ix->first, fold, w, h);
	if (w == flen)
		slot->entry = i;
	else
		trie_add(ix, &slot->trie, fold + w, flen - w, i);
}

/* The entries that start at the word [i, j): the longest, or NONE. */
static size_t
wl_word_match(const struct wl_index *ix, const uint8_t *f, size_t m, size_t i,
    size_t j)
{
	const struct wl_slot *slot;
	size_t                e;

	slot = tbl_find(&ix->first, (const char *)f + i, j - i,
	    wl_hash((const char *)f + i, j - i));
	if (slot == NULL)
		return (NONE);
	/* The word is whole: it ends at a non-word character or the end. */
	if (slot->trie != NONODE &&
	    (e = trie_walk(ix, slot->trie, f, m, j)) != NONE)
		return (e);
	return (slot->entry);
}

const char *
wordlist_match(const struct wordlist *wl, const char *text, size_t len)
{
	const struct wl_index *ix = wl->index;
	const uint8_t         *f;
	char                  *folded;
	size_t                 m, i, j, k, best = NONE;
	int                    cls, prev = 0;

	if (wl->n == 0 || ix == NULL || text == NULL || len == 0)
		return (NULL);
	folded = wl_convert(text, len, 1, &m);
	f = (const uint8_t *)folded;

	/* prev: whether the character before i belongs to a word. */
	for (i = 0; i < m && best == NONE; i = j) {
		k = wl_char(f + i, m - i, &cls);
		j = i + k;
		if (cls == WL_WORD) {
			/* A word starts here (whole words are skipped). */
			while (j < m) {
				k = wl_char(f + j, m - j, &cls);
				if (cls == WL_OTHER)
					break;
				j += k;
			}
			best = wl_word_match(ix, f, m, i, j);
			prev = 1;
			continue;
		}
		if (!prev && ix->loose != NONODE)
			best = trie_walk(ix, ix->loose, f, m, i);
		/* A mark after a non-word character is not a word either. */
		if (cls == WL_OTHER)
			prev = 0;
	}
	free(folded);
	return (best == NONE ? NULL : wl->entries[best]);
}

void
wordlist_free(struct wordlist *wl)
{
	struct wl_index *ix = wl->index;
	size_t           i;

	for (i = 0; i < wl->n; i++) {
		free(wl->entries[i]);
		if (ix != NULL)
			free(ix->fold[i]);
	}
	free(wl->entries);
	if (ix != NULL) {
		free(ix->fold);
		free(ix->flen);
		free(ix->first.slot);
		free(ix->all.slot);
		free(ix->node);
		free(ix);
	}
	wordlist_init(wl);
}
