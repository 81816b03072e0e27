#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "page_lang.h"
#include "thread.h"
#include "timefmt.h"

static const char *status_names[] = {
	[STATUS_PENDING] = "pending",
	[STATUS_APPROVED] = "approved",
	[STATUS_SPAM] = "spam",
	[STATUS_DELETED] = "deleted",
};

int
comment_status_parse(const char *s, enum comment_status *st)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*st = (enum comment_status)i;
			return (0);
		}
	}
	return (-1);
}

const char *
comment_status_name(enum comment_status st)
{
	return (status_names[st]);
}

/* Readers see approved comments; an author also sees their own held ones;
 * moderators see everything. */
static int
comment_shown(const struct comment *c)
{
	return (c->reveal || c->status == STATUS_APPROVED ||
	    (c->own && c->status == STATUS_PENDING));
}

static int
by_id(const void *a, const void *b)
{
	const struct comment *x = a, *y = b;

	return ((x->id > y->id) - (x->id < y->id));
}

static struct comment *
find_by_id(struct comment *items, size_t n, int64_t id)
{
	struct comment key;

	key.id = id;
	return (bsearch(&key, items, n, sizeof(*items), by_id));
}

/* Sort order of top-level comments; replies always read oldest first. */
static int
cmp_sorted(const struct comment *x, const struct comment *y,
    enum thread_sort sort)
{
	switch (sort) {
	case SORT_TOP:
		if (x->score != y->score)
			return (x->score > y->score ? -1 : 1);
		/* FALLTHROUGH */
	case SORT_OLDEST:
		if (x->created_us != y->created_us)
			return (x->created_us < y->created_us ? -1 : 1);
		return ((x->id > y->id) - (x->id < y->id));
	case SORT_NEWEST:
		if (x->created_us != y->created_us)
			return (x->created_us > y->created_us ? -1 : 1);
		return ((x->id < y->id) - (x->id > y->id));
	}
	abort();
}

static enum thread_sort qsort_order; /* qsort has no context argument */

static int
cmp_top(const void *a, const void *b)
{
	return (cmp_sorted(*(struct comment *const *)a,
	    *(struct comment *const *)b, qsort_order));
}

int
thread_build(struct thread *t, struct comment *items, size_t n,
    enum thread_sort sort)
{
	return (thread_build_under(t, items, n, sort, 0));
}

int
thread_build_under(struct thread *t, struct comment *items, size_t n,
    enum thread_sort sort, int64_t root_id)
{
	struct comment *c, *p;
	size_t          i;

	t->items = items;
	t->nitems = n;
	t->top = NULL;
	t->ntop = 0;

	if (n > 0)
		qsort(items, n, sizeof(*items), by_id);
	for (i = 0; i < n; i++) {
		c = &items[i];
		c->parent = NULL;
		c->first_child = c->last_child = c->next_sibling = NULL;
		c->visible = comment_shown(c) || c->listed;
	}

	/*
	 * A reply always has a larger id than its parent (the parent existed
	 * when the reply was inserted), so walking ids downwards sees every
	 * reply before its parent: visibility flows up in one pass, and
	 * prepending keeps each parent's replies in id order.
	 */
	for (i = n; i-- > 0;) {
		c = &items[i];
		if (c->parent_id == root_id)
			continue;
		p = find_by_id(items, n, c->parent_id);
		if (p == NULL || p->id >= c->id) {
			c->visible = 0; /* orphan: nowhere to show it */
			continue;
		}
		if (!c->visible)
			continue;
		c->parent = p;
		p->visible = 1;
		c->next_sibling = p->first_child;
		p->first_child = c;
		if (p->last_child == NULL)
			p->last_child = c;
	}

	for (i = 0; i < n; i++) {
		if (items[i].parent_id == root_id && items[i].visible)
			t->ntop++;
	}
	if (t->ntop > 0 && (t->top = calloc(t->ntop, sizeof(*t->top))) == NULL)
		return (-1);
	t->ntop = 0;
	for (i = 0; i < n; i++) {
		if (items[i].parent_id == root_id && items[i].visible)
			t->top[t->ntop++] = &items[i];
	}
	/* Replies read oldest first, in id order like any reply. */
	qsort_order = sort;
	if (t->ntop > 0 && root_id == 0)
		qsort(t->top, t->ntop, sizeof(*t->top), cmp_top);
	return (0);
}

void
thread_free(struct thread *t)
{
	free(t->top);
	t->top = NULL;
	t->ntop = 0;
}

void
thread_page(const struct thread *t, const struct cursor *after, size_t limit,
    enum thread_sort sort, struct thread_page *pg)
{
	struct comment        key;
	size_t                lo, hi, mid;
	const struct comment *last;

	lo = 0;
	if (after != NULL) {
		/* First top-level comment that sorts after the cursor. */
		memset(&key, 0, sizeof(key));
		key.id = after->id;
		key.score = after->score;
		key.created_us = after->created_us;
		hi = t->ntop;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (cmp_sorted(t->top[mid], &key, sort) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	pg->first = lo;
	pg->count = t->ntop - lo < limit ? t->ntop - lo : limit;
	pg->has_next = lo + pg->count < t->ntop;
	memset(&pg->next, 0, sizeof(pg->next));
	if (pg->has_next && pg->count > 0) {
		last = t->top[lo + pg->count - 1];
		pg->next.sort = sort;
		pg->next.score = last->score;
		pg->next.created_us = last->created_us;
		pg->next.id = last->id;
	}
}

void
reply_cursor(const struct comment *last, struct cursor *cur)
{
	memset(cur, 0, sizeof(*cur));
	cur->sort = SORT_OLDEST;
	cur->created_us = last->created_us;
	cur->id = last->id;
}

void
comment_write_json(struct buf *b, const struct comment *c)
{
	const struct comment *r;
	int                   shown = comment_shown(c);
	char                  until[RFC3339_LEN];
	char                  more[CURSOR_MAX];
	struct cursor         cur;

	buf_printf(b, "{\"id\":%" PRId64 ",\"parent_id\":", c->id);
	if (c->parent_id != 0)
		buf_printf(b, "%" PRId64, c->parent_id);
	else
		buf_puts(b, "null");
	/* A placeholder keeps the thread's shape and nothing of its author. */
	buf_puts(b, ",\"author\":{\"name\":");
	escape_json_cstr(b, shown ? c->author_name : "");
	buf_puts(b, ",\"url\":");
	escape_json_cstr(b, shown ? c->author_url : NULL);
	buf_puts(b, ",\"avatar\":");
	if (shown && c->avatar[0] != '\0')
		buf_printf(b, "\"/avatar/%s.svg\"", c->avatar);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"role\":");
	escape_json_cstr(b, shown ? c->author_role : NULL);
	buf_puts(b, "},\"html\":");
	escape_json_cstr(b, shown ? c->html : "");
	buf_puts(b, ",\"created_at\":");
	escape_json_cstr(b, c->created_at);
	buf_puts(b, ",\"edited_at\":");
	escape_json_cstr(b, shown ? c->edited_at : NULL);
	if (shown && c->own && c->edit_until_us != 0) {
		timefmt_rfc3339(c->edit_until_us, until);
		buf_printf(b, ",\"own\":true,\"edit_until\":\"%s\"", until);
	}
	buf_printf(b, ",\"score\":%" PRId64 ",\"status\":\"%s\",\"replies\":[",
	    shown ? c->score : 0,
	    shown ? comment_status_name(c->status) : "deleted");
	for (r = c->first_child; r != NULL; r = r->next_sibling) {
		comment_write_json(b, r);
		if (r->next_sibling != NULL)
			buf_putc(b, ',');
	}
	buf_puts(b, "],\"more_replies\":");
	if (c->more > 0 && c->last_child != NULL) {
		reply_cursor(c->last_child, &cur);
		cursor_encode(&cur, more);
		buf_printf(b, "\"%s\",\"more_replies_count\":%" PRId64 "}",
		    more, c->more);
	} else
		buf_puts(b, "null,\"more_replies_count\":0}");
}

void
thread_write_json(struct buf *b, const struct thread *t,
    const struct thread_page *pg)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < pg->count; i++) {
		if (i > 0)
			buf_putc(b, ',');
		comment_write_json(b, t->top[pg->first + i]);
	}
	buf_putc(b, ']');
}

/* "Show M more replies", linked to the rest. */
static void
write_more_html(struct buf *b, const struct comment *c,
    const struct page_lang *l, const char *href)
{
	struct cursor cur;
	struct buf    u;
	char          text[CURSOR_MAX];

	reply_cursor(c->last_child, &cur);
	cursor_encode(&cur, text);
	buf_init(&u);
	buf_printf(&u, "%s%" PRId64 "&after=%s", href, c->id, text);
	buf_puts(b, "<p class=\"parley-more\"><a href=\"");
	escape_html(b, u.data, u.len);
	buf_puts(b, "\">");
	buf_reset(&u);
	if (c->more == 1)
		buf_puts(&u, l->one_more_reply);
	else
		buf_printf(&u, l->n_more_replies, (long long)c->more);
	escape_html(b, u.data, u.len);
	buf_puts(b, "</a></p>");
	buf_free(&u);
}

static void
write_comment_html(struct buf *b, const struct comment *c,
    const struct page_lang *l, const char *more_href)
{
	const struct comment *r;
	struct buf            date;

	buf_printf(b, "<li class=\"parley-comment\" id=\"c%" PRId64 "\">",
	    c->id);
	if (!comment_shown(c)) {
		buf_puts(b, "<p class=\"parley-deleted\">");
		escape_html(b, l->deleted, strlen(l->deleted));
		buf_puts(b, "</p>");
	} else {
		buf_puts(b, "<div class=\"parley-meta\"><b>");
		if (c->author_url != NULL) {
			buf_puts(b, "<a href=\"");
			escape_html(b, c->author_url, strlen(c->author_url));
			buf_puts(b, "\" rel=\"nofollow ugc noopener\">");
			escape_html(b, c->author_name, strlen(c->author_name));
			buf_puts(b, "</a>");
		} else
			escape_html(b, c->author_name, strlen(c->author_name));
		buf_puts(b, "</b> <time datetime=\"");
		escape_html(b, c->created_at, strlen(c->created_at));
		buf_puts(b, "\">");
		buf_init(&date);
		page_lang_date(&date, l, c->created_at);
		escape_html(b, date.data, date.len);
		buf_free(&date);
		buf_puts(b, "</time></div><div class=\"parley-body\">");
		/* Already sanitized by the Markdown renderer on the way in. */
		buf_puts(b, c->html);
		buf_puts(b, "</div>");
	}
	if (c->first_child != NULL) {
		buf_puts(b, "<ol class=\"parley-replies\">");
		for (r = c->first_child; r != NULL; r = r->next_sibling)
			write_comment_html(b, r, l, more_href);
		buf_puts(b, "</ol>");
	}
	if (more_href != NULL && c->more > 0 && c->last_child != NULL)
		write_more_html(b, c, l, more_href);
	buf_puts(b, "</li>");
}

void
thread_write_html(struct buf *b, const struct thread *t,
    const struct thread_page *pg, const struct page_lang *l)
{
	thread_write_html_more(b, t, pg, l, NULL);
}

void
thread_write_html_more(struct buf *b, const struct thread *t,
    const struct thread_page *pg, const struct page_lang *l,
    const char *more_href)
{
	size_t i;

	buf_puts(b, "<ol class=\"parley-thread\">");
	for (i = 0; i < pg->count; i++)
		write_comment_html(b, t->top[pg->first + i], l, more_href);
	buf_puts(b, "</ol>");
}
