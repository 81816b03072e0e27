/*
 * Unit tests for app/thread.c: building the reply tree from flat rows,
 * what readers may see (placeholders, orphans, own comments), sorting,
 * cursor paging, and the JSON and HTML writers.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>
#include <sodium.h>

#include "buf.h"
#include "cursor.h"
#include "page_lang.h"
#include "thread.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define IDS(...)                                                               \
	(const int64_t[]){ __VA_ARGS__ },                                      \
	    NELEM(((const int64_t[]){ __VA_ARGS__ }))

static void
thread_setup(void)
{
	cr_assert_geq(sodium_init(), 0, "sodium_init failed");
}

TestSuite(thread, .init = thread_setup);

/* A comment with ordinary strings; tests override what they look at. */
static struct comment
mk(int64_t id, int64_t parent_id, enum comment_status st, int64_t created_us,
    int64_t score)
{
	struct comment c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.parent_id = parent_id;
	c.status = st;
	c.author_name = "Reader";
	c.author_url = NULL;
	c.author_role = "guest";
	c.html = "<p>Hello</p>";
	c.created_at = "2024-05-01T10:00:00Z";
	c.edited_at = NULL;
	c.created_us = created_us;
	c.score = score;
	c.own = 0;
	return (c);
}

static struct comment *
by_id(const struct thread *t, int64_t id)
{
	size_t i;

	for (i = 0; i < t->nitems; i++) {
		if (t->items[i].id == id)
			return (&t->items[i]);
	}
	cr_assert_fail("no comment %" PRId64 " in the thread", id);
	return (NULL);
}

static void
expect_top(const struct thread *t, const int64_t *ids, size_t n)
{
	size_t i;

	cr_assert_eq(t->ntop, n, "ntop is %zu, want %zu", t->ntop, n);
	for (i = 0; i < n; i++)
		cr_assert_eq(t->top[i]->id, ids[i],
		    "top[%zu] is %" PRId64 ", want %" PRId64, i, t->top[i]->id,
		    ids[i]);
}

/* The replies of c, in order, with their links back to c. */
static void
expect_replies(const struct comment *c, const int64_t *ids, size_t n)
{
	const struct comment *r, *last = NULL;
	size_t                i = 0;

	for (r = c->first_child; r != NULL; r = r->next_sibling) {
		cr_assert_lt(i, n, "comment %" PRId64 " has too many replies",
		    c->id);
		cr_assert_eq(r->id, ids[i],
		    "reply %zu of %" PRId64 " is %" PRId64 ", want %" PRId64, i,
		    c->id, r->id, ids[i]);
		cr_assert_eq(r->parent, c);
		cr_assert(r->visible);
		last = r;
		i++;
	}
	cr_assert_eq(i, n, "comment %" PRId64 " has %zu replies, want %zu",
	    c->id, i, n);
	cr_assert_eq(c->last_child, last);
}

/* The top-level ids of a page. */
static void
expect_page(const struct thread *t, const struct thread_page *pg,
    const int64_t *ids, size_t n)
{
	size_t i;

	cr_assert_eq(pg->count, n, "page has %zu comments, want %zu", pg->count,
	    n);
	cr_assert_leq(pg->first + pg->count, t->ntop);
	for (i = 0; i < n; i++)
		cr_assert_eq(t->top[pg->first + i]->id, ids[i],
		    "page item %zu is %" PRId64 ", want %" PRId64, i,
		    t->top[pg->first + i]->id, ids[i]);
}

static json_t *
page_json(const struct thread *t, const struct thread_page *pg)
{
	struct buf   b;
	json_t      *j;
	json_error_t err;

	buf_init(&b);
	thread_write_json(&b, t, pg);
	j = json_loadb(b.data, b.len, 0, &err);
	cr_assert_not_null(j, "invalid JSON (%s): %s", err.text, b.data);
	buf_free(&b);
	cr_assert(json_is_array(j));
	return (j);
}

static json_t *
comment_json(const struct comment *c)
{
	struct buf   b;
	json_t      *j;
	json_error_t err;

	buf_init(&b);
	comment_write_json(&b, c);
	j = json_loadb(b.data, b.len, 0, &err);
	cr_assert_not_null(j, "invalid JSON (%s): %s", err.text, b.data);
	buf_free(&b);
	cr_assert(json_is_object(j));
	return (j);
}

static char *
page_html(const struct thread *t, const struct thread_page *pg)
{
	struct buf b;

	buf_init(&b);
	thread_write_html(&b, t, pg, page_lang_find(NULL));
	return (buf_release(&b, NULL));
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return (json_string_value(v));
}

static json_int_t
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return (json_integer_value(v));
}

static void
jnull(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert_not_null(v, "\"%s\" is missing", key);
	cr_assert(json_is_null(v), "\"%s\" is not null", key);
}

/*
 * Checks one COMMENT object: every SPEC.md member present with its type,
 * the id and parent_id, and returns its replies array.
 */
static json_t *
check_comment(json_t *c, int64_t id, int64_t parent_id, const char *status,
    size_t nreplies)
{
	json_t *author, *replies;

	cr_assert(json_is_object(c));
	cr_assert_eq(json_object_size(c),
	    json_object_get(c, "own") != NULL ? 13 : 11,
	    "COMMENT has %zu members", json_object_size(c));
	/* Nothing left out unless storage said so (c->more). */
	if (json_integer_value(json_object_get(c, "more_replies_count")) == 0)
		jnull(c, "more_replies");
	cr_assert_eq(jint(c, "id"), id);
	if (parent_id == 0)
		jnull(c, "parent_id");
	else
		cr_assert_eq(jint(c, "parent_id"), parent_id);
	author = json_object_get(c, "author");
	cr_assert(json_is_object(author));
	cr_assert_eq(json_object_size(author), 4);
	cr_assert(json_is_string(json_object_get(author, "name")));
	cr_assert(json_is_string(json_object_get(author, "url")) ||
	    json_is_null(json_object_get(author, "url")));
	jnull(author, "avatar");
	cr_assert(json_is_string(json_object_get(author, "role")) ||
	    json_is_null(json_object_get(author, "role")));
	(void)jstr(c, "html");
	(void)jstr(c, "created_at");
	cr_assert(json_is_string(json_object_get(c, "edited_at")) ||
	    json_is_null(json_object_get(c, "edited_at")));
	(void)jint(c, "score");
	cr_assert_str_eq(jstr(c, "status"), status,
	    "comment %" PRId64 " has status %s, want %s", id, jstr(c, "status"),
	    status);
	replies = json_object_get(c, "replies");
	cr_assert(json_is_array(replies));
	cr_assert_eq(json_array_size(replies), nreplies,
	    "comment %" PRId64 " has %zu replies in JSON, want %zu", id,
	    json_array_size(replies), nreplies);
	return (replies);
}

/* A placeholder keeps id, parent, created_at and replies, nothing else. */
static void
check_placeholder(json_t *c, const char *created_at)
{
	json_t *author = json_object_get(c, "author");

	cr_assert_str_eq(jstr(c, "status"), "deleted");
	cr_assert_str_eq(jstr(author, "name"), "");
	jnull(author, "url");
	jnull(author, "avatar");
	jnull(author, "role");
	cr_assert_str_eq(jstr(c, "html"), "");
	cr_assert_eq(jint(c, "score"), 0);
	jnull(c, "edited_at");
	cr_assert_str_eq(jstr(c, "created_at"), created_at);
}

/*
 * A realistic thread, given out of id order:
 *   1 approved          <- 2 approved <- 8 approved
 *                       <- 5 approved
 *   3 deleted, no replies: hidden
 *   4 pending           <- 6 approved: 4 is a placeholder
 *   7 approved, parent 99 missing: orphan <- 12 approved
 *   9 spam              <- 10 pending: both hidden
 *   11 approved
 *   13 approved, parent 14 (a later id): dropped
 *   14 approved, top level
 */
static struct comment *
sample(size_t *n)
{
	static const struct {
		int64_t             id, parent;
		enum comment_status st;
	} rows[] = {
		{ 11, 0, STATUS_APPROVED },
		{ 5, 1, STATUS_APPROVED },
		{ 3, 0, STATUS_DELETED },
		{ 8, 2, STATUS_APPROVED },
		{ 1, 0, STATUS_APPROVED },
		{ 12, 7, STATUS_APPROVED },
		{ 6, 4, STATUS_APPROVED },
		{ 9, 0, STATUS_SPAM },
		{ 2, 1, STATUS_APPROVED },
		{ 14, 0, STATUS_APPROVED },
		{ 10, 9, STATUS_PENDING },
		{ 4, 0, STATUS_PENDING },
		{ 7, 99, STATUS_APPROVED },
		{ 13, 14, STATUS_APPROVED },
	};
	struct comment *items;
	size_t          i;

	*n = NELEM(rows);
	items = calloc(*n, sizeof(*items));
	cr_assert_not_null(items);
	for (i = 0; i < *n; i++)
		items[i] = mk(rows[i].id, rows[i].parent, rows[i].st,
		    1000 * rows[i].id, 0);
	return (items);
}

Test(thread, status_names)
{
	enum comment_status st;

	cr_assert_eq(comment_status_parse("pending", &st), 0);
	cr_assert_eq(st, STATUS_PENDING);
	cr_assert_eq(comment_status_parse("approved", &st), 0);
	cr_assert_eq(st, STATUS_APPROVED);
	cr_assert_eq(comment_status_parse("spam", &st), 0);
	cr_assert_eq(st, STATUS_SPAM);
	cr_assert_eq(comment_status_parse("deleted", &st), 0);
	cr_assert_eq(st, STATUS_DELETED);
	cr_assert_eq(comment_status_parse("", &st), -1);
	cr_assert_eq(comment_status_parse("Approved", &st), -1);
	cr_assert_eq(comment_status_parse("approved ", &st), -1);
	cr_assert_str_eq(comment_status_name(STATUS_PENDING), "pending");
	cr_assert_str_eq(comment_status_name(STATUS_APPROVED), "approved");
	cr_assert_str_eq(comment_status_name(STATUS_SPAM), "spam");
	cr_assert_str_eq(comment_status_name(STATUS_DELETED), "deleted");
}

/* An unknown post: no rows at all. */
Test(thread, empty_thread)
{
	struct thread      t;
	struct thread_page pg;
	struct buf         b;
	char              *html;

	cr_assert_eq(thread_build(&t, NULL, 0, SORT_OLDEST), 0);
	cr_assert_eq(t.ntop, 0);
	thread_page(&t, NULL, 50, SORT_OLDEST, &pg);
	cr_assert_eq(pg.first, 0);
	cr_assert_eq(pg.count, 0);
	cr_assert_eq(pg.has_next, 0);

	buf_init(&b);
	thread_write_json(&b, &t, &pg);
	cr_assert_str_eq(b.data, "[]");
	buf_free(&b);
	html = page_html(&t, &pg);
	cr_assert_str_eq(html, "<ol class=\"parley-thread\"></ol>");
	free(html);
	thread_free(&t);
	thread_free(&t);
}

Test(thread, build_nests_and_prunes)
{
	struct thread   t;
	struct comment *items;
	size_t          n, i;

	items = sample(&n);
	cr_assert_eq(thread_build(&t, items, n, SORT_OLDEST), 0);

	/* Items come back sorted by id. */
	cr_assert_eq(t.items, items);
	cr_assert_eq(t.nitems, n);
	for (i = 1; i < n; i++)
		cr_assert_lt(items[i - 1].id, items[i].id);

	expect_top(&t, IDS(1, 4, 11, 14));
	expect_replies(by_id(&t, 1), IDS(2, 5));
	expect_replies(by_id(&t, 2), IDS(8));
	expect_replies(by_id(&t, 5), NULL, 0);
	expect_replies(by_id(&t, 8), NULL, 0);
	expect_replies(by_id(&t, 4), IDS(6));
	expect_replies(by_id(&t, 11), NULL, 0);
	expect_replies(by_id(&t, 14), NULL, 0);
	cr_assert_null(by_id(&t, 1)->parent);
	cr_assert_null(by_id(&t, 4)->parent);

	cr_assert_eq(by_id(&t, 4)->visible, 1, "placeholder 4 not visible");
	cr_assert_eq(by_id(&t, 3)->visible, 0, "deleted 3 visible");
	cr_assert_eq(by_id(&t, 7)->visible, 0, "orphan 7 visible");
	cr_assert_eq(by_id(&t, 9)->visible, 0, "spam 9 visible");
	cr_assert_eq(by_id(&t, 10)->visible, 0, "pending 10 visible");
	cr_assert_eq(by_id(&t, 13)->visible, 0,
	    "13, whose parent has a later id, visible");
	cr_assert_null(by_id(&t, 13)->parent);

	thread_free(&t);
	cr_assert_null(t.top);
	free(items);
}

Test(thread, build_json_shape)
{
	struct thread      t;
	struct thread_page pg;
	struct comment    *items;
	json_t            *arr, *c1, *r, *r2, *c4;
	size_t             n;

	items = sample(&n);
	cr_assert_eq(thread_build(&t, items, n, SORT_OLDEST), 0);
	thread_page(&t, NULL, 50, SORT_OLDEST, &pg);
	cr_assert_eq(pg.has_next, 0);
	arr = page_json(&t, &pg);
	cr_assert_eq(json_array_size(arr), 4);

	c1 = json_array_get(arr, 0);
	r = check_comment(c1, 1, 0, "approved", 2);
	r2 = check_comment(json_array_get(r, 0), 2, 1, "approved", 1);
	(void)check_comment(json_array_get(r2, 0), 8, 2, "approved", 0);
	(void)check_comment(json_array_get(r, 1), 5, 1, "approved", 0);

	c4 = json_array_get(arr, 1);
	r = check_comment(c4, 4, 0, "deleted", 1);
	check_placeholder(c4, "2024-05-01T10:00:00Z");
	(void)check_comment(json_array_get(r, 0), 6, 4, "approved", 0);

	(void)check_comment(json_array_get(arr, 2), 11, 0, "approved", 0);
	(void)check_comment(json_array_get(arr, 3), 14, 0, "approved", 0);

	json_decref(arr);
	thread_free(&t);
	free(items);
}

Test(thread, hidden_without_visible_replies)
{
	static const enum comment_status hidden[] = {
		STATUS_PENDING,
		STATUS_SPAM,
		STATUS_DELETED,
	};
	struct comment     items[3];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr;
	size_t             i;

	for (i = 0; i < NELEM(hidden); i++) {
		/* 1: not approved, with a reply 3 that is not approved either. */
		items[0] = mk(3, 1, hidden[i], 3000, 0);
		items[1] = mk(1, 0, hidden[i], 1000, 0);
		items[2] = mk(2, 0, STATUS_APPROVED, 2000, 0);
		cr_assert_eq(thread_build(&t, items, 3, SORT_OLDEST), 0);
		expect_top(&t, IDS(2));
		cr_assert_eq(items[0].visible, 0);
		cr_assert_eq(items[2].visible, 0);
		thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
		arr = page_json(&t, &pg);
		cr_assert_eq(json_array_size(arr), 1);
		(void)check_comment(json_array_get(arr, 0), 2, 0, "approved",
		    0);
		json_decref(arr);
		thread_free(&t);
	}
}

Test(thread, placeholder_keeps_replies_for_every_hidden_status)
{
	static const enum comment_status hidden[] = {
		STATUS_PENDING,
		STATUS_SPAM,
		STATUS_DELETED,
	};
	struct comment     items[2];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *c, *r;
	char              *html;
	size_t             i;

	for (i = 0; i < NELEM(hidden); i++) {
		items[0] = mk(2, 1, STATUS_APPROVED, 2000, 4);
		items[0].author_name = "Bob";
		items[0].html = "<p>Reply</p>";
		items[1] = mk(1, 0, hidden[i], 1000, 7);
		items[1].author_name = "Secret Name";
		items[1].author_url = "https://secret.example/";
		items[1].author_role = "reader";
		items[1].html = "<p>secret body</p>";
		items[1].edited_at = "2024-05-02T00:00:00Z";
		items[1].created_at = "2024-05-01T09:00:00Z";
		cr_assert_eq(thread_build(&t, items, 2, SORT_OLDEST), 0);
		expect_top(&t, IDS(1));
		expect_replies(t.top[0], IDS(2));

		thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
		arr = page_json(&t, &pg);
		c = json_array_get(arr, 0);
		r = check_comment(c, 1, 0, "deleted", 1);
		check_placeholder(c, "2024-05-01T09:00:00Z");
		c = json_array_get(r, 0);
		(void)check_comment(c, 2, 1, "approved", 0);
		cr_assert_str_eq(jstr(json_object_get(c, "author"), "name"),
		    "Bob");
		cr_assert_str_eq(jstr(c, "html"), "<p>Reply</p>");
		cr_assert_eq(jint(c, "score"), 4);
		json_decref(arr);

		html = page_html(&t, &pg);
		cr_assert_not_null(
		    strstr(html,
		        "<li class=\"parley-comment\" "
		        "id=\"c1\"><p class=\"parley-deleted\">This comment was "
		        "deleted.</p><ol class=\"parley-replies\">"
		        "<li class=\"parley-comment\" id=\"c2\">"),
		    "%s", html);
		cr_assert_null(strstr(html, "Secret"), "%s", html);
		cr_assert_null(strstr(html, "secret"), "%s", html);
		cr_assert_not_null(strstr(html, "<p>Reply</p>"));
		free(html);
		thread_free(&t);
	}
}

Test(thread, placeholders_chain_up)
{
	/* pending 1 <- deleted 2 <- approved 3: 1 and 2 are placeholders. */
	struct comment     items[3];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *r;

	items[0] = mk(3, 2, STATUS_APPROVED, 3000, 0);
	items[1] = mk(2, 1, STATUS_DELETED, 2000, 0);
	items[2] = mk(1, 0, STATUS_PENDING, 1000, 0);
	cr_assert_eq(thread_build(&t, items, 3, SORT_NEWEST), 0);
	expect_top(&t, IDS(1));
	expect_replies(by_id(&t, 1), IDS(2));
	expect_replies(by_id(&t, 2), IDS(3));

	thread_page(&t, NULL, 10, SORT_NEWEST, &pg);
	arr = page_json(&t, &pg);
	r = check_comment(json_array_get(arr, 0), 1, 0, "deleted", 1);
	check_placeholder(json_array_get(arr, 0), "2024-05-01T10:00:00Z");
	r = check_comment(json_array_get(r, 0), 2, 1, "deleted", 1);
	(void)check_comment(json_array_get(r, 0), 3, 2, "approved", 0);
	json_decref(arr);
	thread_free(&t);
}

Test(thread, orphans_dropped)
{
	struct comment     items[4];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr;
	char              *html;

	items[0] = mk(1, 0, STATUS_APPROVED, 1000, 0);
	items[1] = mk(5, 3, STATUS_APPROVED, 5000, 0); /* 3 not loaded */
	items[1].author_name = "Orphan";
	items[2] = mk(6, 5, STATUS_APPROVED, 6000, 0); /* under the orphan */
	items[2].author_name = "Orphan's child";
	items[3] = mk(7, 1, STATUS_APPROVED, 7000, 0);
	cr_assert_eq(thread_build(&t, items, 4, SORT_OLDEST), 0);
	expect_top(&t, IDS(1));
	expect_replies(by_id(&t, 1), IDS(7));
	cr_assert_eq(by_id(&t, 5)->visible, 0);

	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	arr = page_json(&t, &pg);
	cr_assert_eq(json_array_size(arr), 1);
	(void)check_comment(json_array_get(arr, 0), 1, 0, "approved", 1);
	json_decref(arr);
	html = page_html(&t, &pg);
	cr_assert_null(strstr(html, "Orphan"), "%s", html);
	cr_assert_null(strstr(html, "id=\"c5\""), "%s", html);
	cr_assert_null(strstr(html, "id=\"c6\""), "%s", html);
	free(html);
	thread_free(&t);
}

/* Five top-level comments whose three orders all differ. */
static void
five_tops(struct comment items[5])
{
	items[0] = mk(3, 0, STATUS_APPROVED, 300, 5);
	items[1] = mk(1, 0, STATUS_APPROVED, 100, 1);
	items[2] = mk(5, 0, STATUS_APPROVED, 500, 1);
	items[3] = mk(2, 0, STATUS_APPROVED, 200, 5);
	items[4] = mk(4, 0, STATUS_APPROVED, 400, -2);
}

Test(thread, sort_oldest)
{
	struct comment items[5];
	struct thread  t;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_OLDEST), 0);
	expect_top(&t, IDS(1, 2, 3, 4, 5));
	thread_free(&t);
}

Test(thread, sort_newest)
{
	struct comment items[5];
	struct thread  t;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_NEWEST), 0);
	expect_top(&t, IDS(5, 4, 3, 2, 1));
	thread_free(&t);
}

Test(thread, sort_top)
{
	struct comment items[5];
	struct thread  t;

	/* Score descending, then oldest first. */
	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_TOP), 0);
	expect_top(&t, IDS(2, 3, 1, 5, 4));
	thread_free(&t);
}

Test(thread, sort_by_time_not_id)
{
	struct comment items[3];
	struct thread  t;

	/* Imported comments: ids do not follow creation times. */
	items[0] = mk(1, 0, STATUS_APPROVED, 300, 0);
	items[1] = mk(2, 0, STATUS_APPROVED, 100, 0);
	items[2] = mk(3, 0, STATUS_APPROVED, 200, 0);
	cr_assert_eq(thread_build(&t, items, 3, SORT_OLDEST), 0);
	expect_top(&t, IDS(2, 3, 1));
	thread_free(&t);
	cr_assert_eq(thread_build(&t, items, 3, SORT_NEWEST), 0);
	expect_top(&t, IDS(1, 3, 2));
	thread_free(&t);
}

Test(thread, sort_ties_by_id)
{
	struct comment items[4];
	struct thread  t;

	/* Same time and score: oldest and top put the lower id first,
	 * newest the higher id first. */
	items[0] = mk(9, 0, STATUS_APPROVED, 500, 2);
	items[1] = mk(4, 0, STATUS_APPROVED, 500, 2);
	items[2] = mk(6, 0, STATUS_APPROVED, 500, 2);
	items[3] = mk(2, 0, STATUS_APPROVED, 100, 2);
	cr_assert_eq(thread_build(&t, items, 4, SORT_OLDEST), 0);
	expect_top(&t, IDS(2, 4, 6, 9));
	thread_free(&t);
	cr_assert_eq(thread_build(&t, items, 4, SORT_NEWEST), 0);
	expect_top(&t, IDS(9, 6, 4, 2));
	thread_free(&t);
	cr_assert_eq(thread_build(&t, items, 4, SORT_TOP), 0);
	expect_top(&t, IDS(2, 4, 6, 9));
	thread_free(&t);
}

Test(thread, replies_oldest_first_whatever_the_sort)
{
	struct comment     items[5];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *r;
	enum thread_sort   sort;

	for (sort = SORT_OLDEST; sort <= SORT_TOP; sort++) {
		items[0] = mk(4, 1, STATUS_APPROVED, 400, 1);
		items[1] = mk(2, 1, STATUS_APPROVED, 200, 0);
		items[2] = mk(5, 1, STATUS_APPROVED, 500, 50);
		items[3] = mk(1, 0, STATUS_APPROVED, 100, 0);
		items[4] = mk(3, 1, STATUS_APPROVED, 300, 9);
		cr_assert_eq(thread_build(&t, items, 5, sort), 0);
		expect_top(&t, IDS(1));
		expect_replies(t.top[0], IDS(2, 3, 4, 5));

		thread_page(&t, NULL, 10, sort, &pg);
		arr = page_json(&t, &pg);
		r = check_comment(json_array_get(arr, 0), 1, 0, "approved", 4);
		cr_assert_eq(jint(json_array_get(r, 0), "id"), 2);
		cr_assert_eq(jint(json_array_get(r, 1), "id"), 3);
		cr_assert_eq(jint(json_array_get(r, 2), "id"), 4);
		cr_assert_eq(jint(json_array_get(r, 3), "id"), 5);
		json_decref(arr);
		thread_free(&t);
	}
}

/* Turns a page's next cursor into text and back, as the API does. */
static struct cursor
via_text(const struct thread_page *pg, enum thread_sort sort)
{
	struct cursor c;
	char          text[CURSOR_MAX];

	cr_assert(pg->has_next);
	cr_assert_eq(pg->next.sort, sort);
	cursor_encode(&pg->next, text);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(cursor_decode(text, sort, &c), 0);
	return (c);
}

/* Limit 2 over five_tops: pages of 2, 2, 1 in the given order. */
static void
page_through(enum thread_sort sort, const int64_t *order)
{
	struct comment        items[5];
	struct thread         t;
	struct thread_page    pg;
	struct cursor         c;
	const struct comment *last;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, sort), 0);
	expect_top(&t, order, 5);

	thread_page(&t, NULL, 2, sort, &pg);
	cr_assert_eq(pg.first, 0);
	expect_page(&t, &pg, order, 2);
	cr_assert_eq(pg.has_next, 1);
	last = t.top[1];
	cr_assert_eq(pg.next.id, last->id);
	cr_assert_eq(pg.next.created_us, last->created_us);
	cr_assert_eq(pg.next.score, last->score);

	c = via_text(&pg, sort);
	thread_page(&t, &c, 2, sort, &pg);
	cr_assert_eq(pg.first, 2);
	expect_page(&t, &pg, order + 2, 2);
	cr_assert_eq(pg.has_next, 1);
	cr_assert_eq(pg.next.id, order[3]);

	c = via_text(&pg, sort);
	thread_page(&t, &c, 2, sort, &pg);
	cr_assert_eq(pg.first, 4);
	expect_page(&t, &pg, order + 4, 1);
	cr_assert_eq(pg.has_next, 0);
	cr_assert_eq(pg.next.id, 0);
	cr_assert_eq(pg.next.score, 0);
	cr_assert_eq(pg.next.created_us, 0);
	thread_free(&t);
}

Test(thread, paging_oldest)
{
	page_through(SORT_OLDEST, (const int64_t[]){ 1, 2, 3, 4, 5 });
}

Test(thread, paging_newest)
{
	page_through(SORT_NEWEST, (const int64_t[]){ 5, 4, 3, 2, 1 });
}

Test(thread, paging_top)
{
	page_through(SORT_TOP, (const int64_t[]){ 2, 3, 1, 5, 4 });
}

Test(thread, paging_json_pages)
{
	struct comment     items[5];
	struct thread      t;
	struct thread_page pg;
	struct cursor      c;
	json_t            *arr;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_TOP), 0);
	thread_page(&t, NULL, 2, SORT_TOP, &pg);
	c = via_text(&pg, SORT_TOP);
	thread_page(&t, &c, 2, SORT_TOP, &pg);
	arr = page_json(&t, &pg);
	cr_assert_eq(json_array_size(arr), 2);
	cr_assert_eq(jint(json_array_get(arr, 0), "id"), 1);
	cr_assert_eq(jint(json_array_get(arr, 0), "score"), 1);
	cr_assert_eq(jint(json_array_get(arr, 1), "id"), 5);
	json_decref(arr);
	thread_free(&t);
}

Test(thread, paging_exact_multiple_and_large_limit)
{
	struct comment     items[5];
	struct thread      t;
	struct thread_page pg;
	struct cursor      c;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 4, SORT_OLDEST), 0);
	expect_top(&t, IDS(1, 2, 3, 5)); /* id 4 was left out */
	thread_page(&t, NULL, 2, SORT_OLDEST, &pg);
	c = via_text(&pg, SORT_OLDEST);
	thread_page(&t, &c, 2, SORT_OLDEST, &pg);
	expect_page(&t, &pg, IDS(3, 5));
	cr_assert_eq(pg.has_next, 0, "last full page claims a next one");

	thread_page(&t, NULL, 200, SORT_OLDEST, &pg);
	expect_page(&t, &pg, IDS(1, 2, 3, 5));
	cr_assert_eq(pg.has_next, 0);
	thread_page(&t, NULL, 4, SORT_OLDEST, &pg);
	expect_page(&t, &pg, IDS(1, 2, 3, 5));
	cr_assert_eq(pg.has_next, 0);
	thread_page(&t, NULL, 3, SORT_OLDEST, &pg);
	expect_page(&t, &pg, IDS(1, 2, 3));
	cr_assert_eq(pg.has_next, 1);
	thread_free(&t);
}

Test(thread, cursor_past_the_end)
{
	struct comment     items[5];
	struct thread      t;
	struct thread_page pg;
	struct cursor      c;
	json_t            *arr;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_OLDEST), 0);
	c = (struct cursor){ SORT_OLDEST, 0, 100000, 1000 };
	thread_page(&t, &c, 2, SORT_OLDEST, &pg);
	cr_assert_eq(pg.first, 5);
	cr_assert_eq(pg.count, 0);
	cr_assert_eq(pg.has_next, 0);
	arr = page_json(&t, &pg);
	cr_assert_eq(json_array_size(arr), 0);
	json_decref(arr);

	/* The last comment itself: nothing after it. */
	c = (struct cursor){ SORT_OLDEST, 0, 500, 5 };
	thread_page(&t, &c, 2, SORT_OLDEST, &pg);
	cr_assert_eq(pg.count, 0);
	cr_assert_eq(pg.has_next, 0);
	thread_free(&t);

	cr_assert_eq(thread_build(&t, items, 5, SORT_NEWEST), 0);
	c = (struct cursor){ SORT_NEWEST, 0, -1, 1 };
	thread_page(&t, &c, 2, SORT_NEWEST, &pg);
	cr_assert_eq(pg.count, 0);
	cr_assert_eq(pg.has_next, 0);
	thread_free(&t);

	cr_assert_eq(thread_build(&t, items, 5, SORT_TOP), 0);
	c = (struct cursor){ SORT_TOP, -100, 0, 1 };
	thread_page(&t, &c, 2, SORT_TOP, &pg);
	cr_assert_eq(pg.count, 0);
	cr_assert_eq(pg.has_next, 0);
	thread_free(&t);
}

Test(thread, cursor_survives_changes_between_pages)
{
	struct comment     items[7];
	struct thread      t;
	struct thread_page pg;
	struct cursor      c;

	/* Page 1 of newest: 5, 4. */
	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_NEWEST), 0);
	thread_page(&t, NULL, 2, SORT_NEWEST, &pg);
	expect_page(&t, &pg, IDS(5, 4));
	c = via_text(&pg, SORT_NEWEST);
	thread_free(&t);

	/* Meanwhile 6 is posted and 4 (the cursor's own) is deleted. */
	five_tops(items);
	items[4].status = STATUS_DELETED;
	items[5] = mk(6, 0, STATUS_APPROVED, 600, 0);
	cr_assert_eq(thread_build(&t, items, 6, SORT_NEWEST), 0);
	expect_top(&t, IDS(6, 5, 3, 2, 1));
	thread_page(&t, &c, 2, SORT_NEWEST, &pg);
	expect_page(&t, &pg, IDS(3, 2));
	cr_assert_eq(pg.has_next, 1);
	thread_free(&t);

	/* Top: a cursor whose comment's score changed still resumes by the
	 * sort key it names. Cursor after (score 5, 300, id 3). */
	five_tops(items);
	c = (struct cursor){ SORT_TOP, 5, 300, 3 };
	items[0].score = 0; /* id 3 drops to score 0 */
	cr_assert_eq(thread_build(&t, items, 5, SORT_TOP), 0);
	expect_top(&t, IDS(2, 1, 5, 3, 4));
	thread_page(&t, &c, 2, SORT_TOP, &pg);
	expect_page(&t, &pg, IDS(1, 5));
	thread_free(&t);
}

Test(thread, own_comment_json_shows_pending)
{
	struct comment c;
	json_t        *j, *author;

	c = mk(7, 3, STATUS_PENDING, 7000, 0);
	c.author_name = "Me";
	c.author_url = "https://me.example/";
	c.html = "<p>awaiting</p>";
	c.own = 1;
	j = comment_json(&c);
	(void)check_comment(j, 7, 3, "pending", 0);
	author = json_object_get(j, "author");
	cr_assert_str_eq(jstr(author, "name"), "Me");
	cr_assert_str_eq(jstr(author, "url"), "https://me.example/");
	cr_assert_str_eq(jstr(author, "role"), "guest");
	cr_assert_str_eq(jstr(j, "html"), "<p>awaiting</p>");
	json_decref(j);

	/* The same comment, not the caller's: a placeholder. */
	c.own = 0;
	j = comment_json(&c);
	(void)check_comment(j, 7, 3, "deleted", 0);
	check_placeholder(j, "2024-05-01T10:00:00Z");
	json_decref(j);
}

Test(thread, own_pending_with_reply_shows_pending)
{
	struct comment     items[3];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *c;

	items[0] = mk(1, 0, STATUS_APPROVED, 1000, 0);
	items[1] = mk(2, 0, STATUS_PENDING, 2000, 0);
	items[1].own = 1;
	items[1].author_name = "Me";
	items[2] = mk(3, 2, STATUS_APPROVED, 3000, 0);
	cr_assert_eq(thread_build(&t, items, 3, SORT_OLDEST), 0);
	expect_top(&t, IDS(1, 2));
	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	arr = page_json(&t, &pg);
	c = json_array_get(arr, 1);
	(void)check_comment(c, 2, 0, "pending", 1);
	cr_assert_str_eq(jstr(json_object_get(c, "author"), "name"), "Me");
	json_decref(arr);
	thread_free(&t);
}

/*
 * SPEC.md: a thread shows "only approved comments, plus a logged-in
 * caller's own pending ones", and thread.h says an own comment is "shown
 * as is". A pending own comment without replies must therefore be visible.
 */
Test(thread, own_pending_comment_is_visible)
{
	struct comment     items[3];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *c;

	items[0] = mk(1, 0, STATUS_APPROVED, 1000, 0);
	items[1] = mk(2, 0, STATUS_PENDING, 2000, 0); /* mine, top level */
	items[1].own = 1;
	items[1].author_name = "Me";
	items[2] = mk(3, 1, STATUS_PENDING, 3000, 0); /* mine, a reply */
	items[2].own = 1;
	cr_assert_eq(thread_build(&t, items, 3, SORT_OLDEST), 0);
	/* Non-fatal checks, so the thread is freed whatever happens. */
	cr_expect_eq(t.ntop, 2, "own pending top-level comment hidden");
	cr_expect_eq(by_id(&t, 2)->visible, 1, "own pending 2 not visible");
	cr_expect_eq(by_id(&t, 3)->visible, 1, "own pending 3 not visible");
	cr_expect_eq(by_id(&t, 1)->first_child, by_id(&t, 3),
	    "own pending reply 3 not attached to 1");
	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	arr = page_json(&t, &pg);
	cr_expect_eq(json_array_size(arr), 2);
	if (json_array_size(arr) == 2) {
		c = json_array_get(arr, 1);
		cr_expect_eq(jint(c, "id"), 2);
		cr_expect_str_eq(jstr(c, "status"), "pending");
		cr_expect_str_eq(jstr(json_object_get(c, "author"), "name"),
		    "Me");
	}
	json_decref(arr);
	thread_free(&t);
}

/* Own means own pending: an own deleted or spam comment stays hidden, or
 * a placeholder when it has replies. */
Test(thread, own_flag_reveals_only_pending)
{
	static const enum comment_status hidden[] = {
		STATUS_SPAM,
		STATUS_DELETED,
	};
	struct comment     items[3];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *c;
	size_t             i;

	for (i = 0; i < NELEM(hidden); i++) {
		items[0] = mk(1, 0, hidden[i], 1000, 3);
		items[0].own = 1;
		items[0].author_name = "Me";
		items[0].html = "<p>removed</p>";
		items[1] = mk(2, 1, STATUS_APPROVED, 2000, 0);
		items[2] = mk(3, 0, hidden[i], 3000, 0); /* no replies */
		items[2].own = 1;
		cr_assert_eq(thread_build(&t, items, 3, SORT_OLDEST), 0);
		expect_top(&t, IDS(1));
		thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
		arr = page_json(&t, &pg);
		c = json_array_get(arr, 0);
		(void)check_comment(c, 1, 0, "deleted", 1);
		check_placeholder(c, "2024-05-01T10:00:00Z");
		json_decref(arr);
		thread_free(&t);
	}
}

Test(thread, own_pending_html_shows_it)
{
	struct comment     items[1];
	struct thread      t;
	struct thread_page pg;
	char              *html;

	items[0] = mk(1, 0, STATUS_PENDING, 1000, 0);
	items[0].own = 1;
	items[0].author_name = "Me";
	items[0].html = "<p>awaiting</p>";
	cr_assert_eq(thread_build(&t, items, 1, SORT_OLDEST), 0);
	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	html = page_html(&t, &pg);
	cr_assert_not_null(strstr(html, "<b>Me</b>"), "%s", html);
	cr_assert_not_null(strstr(html, "<p>awaiting</p>"), "%s", html);
	cr_assert_null(strstr(html, "deleted"), "%s", html);
	free(html);
	thread_free(&t);
}

Test(thread, json_values)
{
	struct comment     items[2];
	struct thread      t;
	struct thread_page pg;
	json_t            *arr, *c, *a, *r;

	items[0] =
	    mk(9007199254740993LL, 0, STATUS_APPROVED, 1700000000000000, -3);
	items[0].author_name = "Ann \"the\" <b>\\ \xc3\xa9\n";
	items[0].author_url = "https://ann.example/?a=1&b=\"2\"";
	items[0].author_role = "moderator";
	items[0].html = "<p>Hello <em>world</em></p>\n";
	items[0].created_at = "2024-05-01T10:00:00Z";
	items[0].edited_at = "2024-05-01T11:30:00Z";
	items[1] = mk(9007199254740994LL, 9007199254740993LL, STATUS_APPROVED,
	    1700000000000001, 12);
	cr_assert_eq(thread_build(&t, items, 2, SORT_OLDEST), 0);
	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	arr = page_json(&t, &pg);
	cr_assert_eq(json_array_size(arr), 1);
	c = json_array_get(arr, 0);
	r = check_comment(c, 9007199254740993LL, 0, "approved", 1);
	a = json_object_get(c, "author");
	cr_assert_str_eq(jstr(a, "name"), "Ann \"the\" <b>\\ \xc3\xa9\n");
	cr_assert_str_eq(jstr(a, "url"), "https://ann.example/?a=1&b=\"2\"");
	jnull(a, "avatar");
	cr_assert_str_eq(jstr(a, "role"), "moderator");
	cr_assert_str_eq(jstr(c, "html"), "<p>Hello <em>world</em></p>\n");
	cr_assert_str_eq(jstr(c, "created_at"), "2024-05-01T10:00:00Z");
	cr_assert_str_eq(jstr(c, "edited_at"), "2024-05-01T11:30:00Z");
	cr_assert_eq(jint(c, "score"), -3);

	c = json_array_get(r, 0);
	(void)check_comment(c, 9007199254740994LL, 9007199254740993LL,
	    "approved", 0);
	a = json_object_get(c, "author");
	cr_assert_str_eq(jstr(a, "name"), "Reader");
	jnull(a, "url");
	cr_assert_str_eq(jstr(a, "role"), "guest");
	jnull(c, "edited_at");
	cr_assert_eq(jint(c, "score"), 12);
	json_decref(arr);
	thread_free(&t);
}

Test(thread, json_is_safe_in_script)
{
	struct comment c;
	struct buf     b;

	c = mk(1, 0, STATUS_APPROVED, 1000, 0);
	c.author_name = "</script><script>alert(1)</script>";
	buf_init(&b);
	comment_write_json(&b, &c);
	cr_assert_null(strstr(b.data, "</script"), "%s", b.data);
	cr_assert_null(strstr(b.data, "<script"), "%s", b.data);
	buf_free(&b);
}

Test(thread, html_exact)
{
	struct comment     items[4];
	struct thread      t;
	struct thread_page pg;
	char              *html;

	items[0] = mk(4, 3, STATUS_APPROVED, 4000, 0);
	items[0].author_name = "Cy";
	items[0].html = "<p>Still here</p>";
	items[0].created_at = "2024-05-01T13:00:00Z";
	items[1] = mk(2, 1, STATUS_APPROVED, 2000, 0);
	items[1].author_name = "Bob";
	items[1].html = "<p>Hi Ann</p>";
	items[1].created_at = "2024-05-01T11:00:00Z";
	items[2] = mk(1, 0, STATUS_APPROVED, 1000, 0);
	items[2].author_name = "Ann";
	items[2].author_url = "https://ann.example/";
	items[2].created_at = "2024-05-01T10:00:00Z";
	items[3] = mk(3, 0, STATUS_DELETED, 3000, 0);
	items[3].author_name = "";
	items[3].html = "";
	cr_assert_eq(thread_build(&t, items, 4, SORT_OLDEST), 0);
	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	html = page_html(&t, &pg);
	cr_assert_str_eq(html,
	    "<ol class=\"parley-thread\">"
	    "<li class=\"parley-comment\" id=\"c1\">"
	    "<div class=\"parley-meta\"><b><a href=\"https://ann.example/\""
	    " rel=\"nofollow ugc noopener\">Ann</a></b> "
	    "<time datetime=\"2024-05-01T10:00:00Z\">May 1, 2024, 10:00 UTC"
	    "</time></div><div class=\"parley-body\"><p>Hello</p></div>"
	    "<ol class=\"parley-replies\">"
	    "<li class=\"parley-comment\" id=\"c2\">"
	    "<div class=\"parley-meta\"><b>Bob</b> "
	    "<time datetime=\"2024-05-01T11:00:00Z\">May 1, 2024, 11:00 UTC"
	    "</time></div><div class=\"parley-body\"><p>Hi Ann</p></div>"
	    "</li></ol></li>"
	    "<li class=\"parley-comment\" id=\"c3\">"
	    "<p class=\"parley-deleted\">This comment was deleted.</p>"
	    "<ol class=\"parley-replies\">"
	    "<li class=\"parley-comment\" id=\"c4\">"
	    "<div class=\"parley-meta\"><b>Cy</b> "
	    "<time datetime=\"2024-05-01T13:00:00Z\">May 1, 2024, 13:00 UTC"
	    "</time></div><div class=\"parley-body\"><p>Still here</p></div>"
	    "</li></ol></li>"
	    "</ol>");
	free(html);
	thread_free(&t);
}

Test(thread, html_escapes_author)
{
	struct comment     items[2];
	struct thread      t;
	struct thread_page pg;
	char              *html;

	items[0] = mk(1, 0, STATUS_APPROVED, 1000, 0);
	items[0].author_name = "<script>alert(1)</script>";
	items[0].author_url = "http://x/\"onmouseover=\"y";
	items[0].created_at = "2024-05-01T10:00:00Z\"><script>";
	items[1] = mk(2, 0, STATUS_APPROVED, 2000, 0);
	items[1].author_name = "O'Brien & <i>Co</i>";
	cr_assert_eq(thread_build(&t, items, 2, SORT_OLDEST), 0);
	thread_page(&t, NULL, 10, SORT_OLDEST, &pg);
	html = page_html(&t, &pg);
	cr_assert_null(strstr(html, "<script"), "%s", html);
	cr_assert_null(strstr(html, "\"onmouseover"), "%s", html);
	cr_assert_null(strstr(html, "<i>"), "%s", html);
	cr_assert_null(strstr(html, "O'Brien"), "%s", html);
	cr_assert_not_null(strstr(html,
	                       "<a href=\"http://x/&quot;onmouseover=&quot;y\" "
	                       "rel=\"nofollow ugc noopener\">"
	                       "&lt;script&gt;alert(1)&lt;/script&gt;</a>"),
	    "%s", html);
	cr_assert_not_null(
	    strstr(html, "<b>O&#39;Brien &amp; &lt;i&gt;Co&lt;/i&gt;</b>"),
	    "%s", html);
	free(html);
	thread_free(&t);
}

Test(thread, html_page_only)
{
	struct comment     items[5];
	struct thread      t;
	struct thread_page pg;
	struct cursor      c;
	char              *html;

	five_tops(items);
	cr_assert_eq(thread_build(&t, items, 5, SORT_NEWEST), 0);
	thread_page(&t, NULL, 2, SORT_NEWEST, &pg);
	c = via_text(&pg, SORT_NEWEST);
	thread_page(&t, &c, 2, SORT_NEWEST, &pg);
	html = page_html(&t, &pg);
	cr_assert_not_null(strstr(html, "id=\"c3\""));
	cr_assert_not_null(strstr(html, "id=\"c2\""));
	cr_assert_lt(strstr(html, "id=\"c3\""), strstr(html, "id=\"c2\""));
	cr_assert_null(strstr(html, "id=\"c1\""));
	cr_assert_null(strstr(html, "id=\"c4\""));
	cr_assert_null(strstr(html, "id=\"c5\""));
	free(html);
	thread_free(&t);
}

/*
 * A page storage cut out of a thread (thread_build_under): the replies of
 * comment 10 are its top level, in id order whatever their dates; a
 * listed placeholder stays though none of its replies came; a comment
 * with replies left out names the last one shown as its cursor.
 */
Test(thread, build_under_a_comment_with_more_replies)
{
	struct comment     items[4];
	struct thread      t;
	struct thread_page pg;
	struct cursor      c;
	json_t            *arr, *r;
	size_t             i;

	items[0] = mk(13, 11, STATUS_APPROVED, 50, 0);
	items[1] = mk(11, 10, STATUS_APPROVED, 300, 0);
	items[2] = mk(12, 10, STATUS_DELETED, 200, 0);
	items[3] = mk(14, 10, STATUS_APPROVED, 100, 0);
	for (i = 0; i < NELEM(items); i++)
		items[i].listed = 1;
	items[1].more = 5;
	cr_assert_eq(thread_build_under(&t, items, 4, SORT_OLDEST, 10), 0);
	expect_top(&t, IDS(11, 12, 14));
	expect_replies(t.top[0], IDS(13));

	thread_page(&t, NULL, 2, SORT_OLDEST, &pg);
	cr_assert_eq(pg.count, 2);
	cr_assert(pg.has_next);
	arr = page_json(&t, &pg);
	cr_assert_eq(json_array_size(arr), 2);
	r = json_array_get(arr, 0);
	cr_assert_eq(jint(r, "more_replies_count"), 5);
	cr_assert_eq(cursor_decode(jstr(r, "more_replies"), SORT_OLDEST, &c),
	    0);
	cr_assert_eq(c.id, 13);
	cr_assert_eq(c.created_us, 50);
	r = json_array_get(arr, 1);
	cr_assert_str_eq(jstr(r, "status"), "deleted");
	jnull(r, "more_replies");
	cr_assert_eq(jint(r, "more_replies_count"), 0);
	json_decref(arr);
	thread_free(&t);
}
