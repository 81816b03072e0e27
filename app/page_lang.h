/*
 * The words of the standalone thread page (/thread.html) in the widget's
 * languages, and its dates written for people: the page has no script to
 * do either in the browser.
 */
#ifndef PARLEY_PAGE_LANG_H
#define PARLEY_PAGE_LANG_H

#include "buf.h"

struct page_lang {
	const char *code; /* the html lang attribute: "en", "de", "fr" */
	const char *comments_on; /* "Comments on" (a title follows) */
	const char *one_comment; /* "1 comment" */
	const char *n_comments; /* "%lld comments" */
	const char *deleted; /* a deleted comment's placeholder */
	const char *no_post; /* the error page when ?post= is missing */
	const char *no_post_title;
	const char *feed; /* the link to the post's Atom feed */
	const char *months[12];
	/* How a date reads: %d day, %m month name, %y year, %t HH:MM. */
	const char *date_pattern;
	const char *one_more_reply; /* the link to a comment's other reply */
	const char *n_more_replies; /* "Show %lld more replies" */
	const char *more_comments; /* the link to the next page */
};

/* The language of a tag such as "de", "de-CH" or "FR" (its primary
 * subtag, any case); English for NULL, "" and the rest. */
const struct page_lang *page_lang_find(const char *tag);

/* Appends the RFC 3339 UTC time at ("2026-12-06T16:05:09Z") as the
 * language writes a date and time, UTC named; at as is when malformed.
 * The text is plain (no markup) and needs no escaping beyond HTML's. */
void page_lang_date(struct buf *, const struct page_lang *, const char *at);

#endif
