/*
 * The small HTML pages the links in Parley's mail open (mail/confirm,
 * mail/unsubscribe, privacy): one plain, self-contained page, light and
 * dark, never cached, never telling a linked page its URL (the token is
 * in it).
 */
#ifndef PARLEY_PAGE_H
#define PARLEY_PAGE_H

#include <kore/kore.h>
#include <kore/http.h>

#include "buf.h"
#include "token.h"

/* A page titled title (escaped here) around body (HTML, as given). */
void page_send(struct http_request *, int status, const char *title,
    const struct buf *body);
/* A page with one paragraph of text (escaped here). */
void page_message(struct http_request *, int status, const char *title,
    const char *text);
/* "a•••@example.org", escaped: enough for its owner to know it, little
 * for a forwarded link's reader. */
void page_put_masked_email(struct buf *, const char *email);

/* A mail link's token (from ?token=) and the hash storage knows it by. */
struct page_link {
	char token[TOKEN_TEXT_LEN + 1];
	char hash[TOKEN_HASH_SQL_LEN];
};
/* 1 with link filled, 0 when the URL has no token, -1 when it is
 * malformed (nothing answered). */
int page_link_read(struct http_request *, struct page_link *);

#endif
