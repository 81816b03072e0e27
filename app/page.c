/*
 * The pages mail links open (see page.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "escape.h"
#include "page.h"
#include "query.h"

#define HTML_TYPE "text/html; charset=utf-8"

void
page_send(struct http_request *req, int status, const char *title,
    const struct buf *body)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b,
	    "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    "<meta name=\"robots\" content=\"noindex\"><title>");
	escape_html(&b, title, strlen(title));
	buf_puts(&b,
	    "</title><style>"
	    "body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;"
	    "margin:3rem auto;padding:0 1rem;color:#222;"
	    "background:#fff}"
	    "button{font:inherit;padding:.5rem 1rem;cursor:pointer}"
	    "input[type=email]{font:inherit;padding:.4rem;width:100%;"
	    "box-sizing:border-box}"
	    "form{margin:1.5rem 0}"
	    "@media (prefers-color-scheme:dark){body{color:#eee;"
	    "background:#181818}}"
	    "</style></head><body><main><h1>");
	escape_html(&b, title, strlen(title));
	buf_puts(&b, "</h1>");
	buf_append(&b, body->data, body->len);
	buf_puts(&b, "</main></body></html>\n");
	/* With Referrer-Policy: no-referrer (the token is in the URL: no page
	 * this one links to may see it). */
	api_common_headers(req);
	http_response_header(req, "content-type", HTML_TYPE);
	http_response_header(req, "cache-control", "no-store");
	api_respond(req, status, b.data, b.len);
	buf_free(&b);
}

void
page_message(struct http_request *req, int status, const char *title,
    const char *text)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "<p>");
	escape_html(&b, text, strlen(text));
	buf_puts(&b, "</p>");
	page_send(req, status, title, &b);
	buf_free(&b);
}

void
page_put_masked_email(struct buf *b, const char *email)
{
	const char *at = strrchr(email, '@');

	if (at == NULL || at == email) {
		buf_puts(b, "your address");
		return;
	}
	escape_html(b, email, 1);
	buf_puts(b, "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2");
	escape_html(b, at, strlen(at));
}

int
page_link_read(struct http_request *req, struct page_link *link)
{
	char *t;
	int   bad, rc = -1;

	if ((t = query_get(api_query(req), "token", &bad)) == NULL)
		return (bad ? -1 : 0);
	if (strlen(t) == TOKEN_TEXT_LEN && token_hash_sql(t, link->hash) == 0) {
		memcpy(link->token, t, TOKEN_TEXT_LEN + 1);
		rc = 1;
	}
	sodium_memzero(t, strlen(t));
	free(t);
	return (rc);
}
