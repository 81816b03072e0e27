/*
 * Parley's own export, read back (see import_jsonl.h).
 *
 * Accounts come before comments in an export, and a comment names its
 * author's account by id: the ids and e-mails of accounts are kept (one
 * small entry per account, not per comment) to name it by e-mail, which
 * is what stays the same in another database.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "buf.h"
#include "comment_input.h"
#include "import_jsonl.h"

struct account {
	long long id;
	char     *email;
};

struct jsonl_reader {
	const struct import_sink *sink;
	char                     *err;
	size_t                    errlen;
	long                      line;
	struct account           *accounts;
	size_t                    naccounts, cap;
};

static int
fail(struct jsonl_reader *r, const char *fmt, ...)
{
	va_list ap;
	int     n;

	n = snprintf(r->err, r->errlen, "line %ld: ", r->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		(void)vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return (-1);
}

/* A member as a string, or NULL when absent, null or not a string. */
static const char *
str(json_t *o, const char *key)
{
	return (json_string_value(json_object_get(o, key)));
}

/* A member as decimal text (ids and scores), into out; NULL if absent. */
static const char *
id_text(json_t *o, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return (NULL);
	(void)snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
	return (out);
}

static int
remember_account(struct jsonl_reader *r, json_t *o)
{
	struct account *grown;
	json_t         *id = json_object_get(o, "id");
	const char     *email = str(o, "email");

	if (!json_is_integer(id) || email == NULL)
		return (fail(r, "an account without an id or e-mail"));
	if (r->naccounts > 0 &&
	    json_integer_value(id) <= r->accounts[r->naccounts - 1].id)
		return (fail(r, "accounts out of id order"));
	if (r->naccounts == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		if ((grown = realloc(r->accounts, r->cap * sizeof(*grown))) ==
		    NULL)
			return (fail(r, "out of memory"));
		r->accounts = grown;
	}
	r->accounts[r->naccounts].id = json_integer_value(id);
	if ((r->accounts[r->naccounts].email = strdup(email)) == NULL)
		return (fail(r, "out of memory"));
	r->naccounts++;
	return (0);
}

/* The e-mail of the exported account id, or NULL. Exports list accounts
 * by id, so the list is sorted (remember_account refuses others). */
static const char *
account_email(const struct jsonl_reader *r, json_t *id)
{
	size_t    lo = 0, hi = r->naccounts, mid;
	long long want;

	if (!json_is_integer(id))
		return (NULL);
	want = json_integer_value(id);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->accounts[mid].id == want)
			return (r->accounts[mid].email);
		if (r->accounts[mid].id < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

static int
post(struct jsonl_reader *r, json_t *o)
{
	struct import_post p;

	memset(&p, 0, sizeof(p));
	p.key = str(o, "key");
	p.created_at = str(o, "created_at");
	p.source_id = p.key;
	p.url = str(o, "url");
	if (p.url != NULL && !http_url_valid(p.url))
		p.url = NULL;
	p.title = str(o, "title") != NULL ? str(o, "title") : "";
	p.open = !json_is_false(json_object_get(o, "open"));
	if (p.key == NULL || !post_key_valid(p.key))
		return (fail(r, "a post without a valid key"));
	return (r->sink->post(r->sink->arg, &p));
}

static int
comment(struct jsonl_reader *r, json_t *o)
{
	struct import_comment c;
	char                  id[32], parent[32];

	memset(&c, 0, sizeof(c));
	c.source_id = id_text(o, "id", id, sizeof(id));
	c.post_source_id = str(o, "post");
	c.parent_source_id = id_text(o, "parent_id", parent, sizeof(parent));
	c.author_name = str(o, "author_name");
	c.author_email = str(o, "author_email");
	c.author_url = str(o, "author_url");
	c.ip = str(o, "ip");
	c.created_at = str(o, "created_at");
	c.edited_at = str(o, "edited_at");
	c.status = str(o, "status");
	c.markdown = str(o, "body");
	c.user_email = account_email(r, json_object_get(o, "user_id"));
	c.score = json_integer_value(json_object_get(o, "score"));
	c.verdict = str(o, "verdict");
	c.reason = str(o, "reason");
	if (c.source_id == NULL || c.post_source_id == NULL ||
	    c.author_name == NULL || c.created_at == NULL || c.status == NULL ||
	    c.markdown == NULL)
		return (fail(r,
		    "a comment without its id, post, author, time, "
		    "status or body"));
	return (r->sink->comment(r->sink->arg, &c));
}

/* The first line: an export of a version this Parley reads. */
static int
header(struct jsonl_reader *r, json_t *o)
{
	const char *format = str(o, "format");
	json_t     *version = json_object_get(o, "version");

	if (format == NULL || strcmp(format, "parley-export") != 0)
		return (fail(r,
		    "not a Parley export (no \"format\": "
		    "\"parley-export\" header)"));
	if (!json_is_integer(version) || json_integer_value(version) != 1)
		return (fail(r,
		    "a Parley export of version %lld; this Parley "
		    "reads version 1",
		    json_is_integer(version) ?
		        (long long)json_integer_value(version) :
		        -1LL));
	return (0);
}

static int
line(struct jsonl_reader *r, const char *text, size_t len)
{
	json_t      *o;
	json_error_t je;
	const char  *type;
	int          rc;

	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		return (fail(r, "not a JSON object (%s)", je.text));
	}
	type = str(o, "type");
	if (r->line == 1)
		rc = header(r, o);
	else if (type == NULL)
		rc = fail(r, "an object without a \"type\"");
	else if (strcmp(type, "post") == 0)
		rc = post(r, o);
	else if (strcmp(type, "comment") == 0)
		rc = comment(r, o);
	else if (strcmp(type, "user") == 0)
		rc = remember_account(r, o) == -1 ?
		    -1 :
		    r->sink->record(r->sink->arg, 'u', text);
	else if (strcmp(type, "setting") == 0)
		rc = r->sink->record(r->sink->arg, 's', text);
	else if (strcmp(type, "ban") == 0)
		rc = r->sink->record(r->sink->arg, 'b', text);
	else
		rc = fail(r, "an unknown type \"%.40s\"", type);
	json_decref(o);
	return (rc);
}

int
import_jsonl_read(int fd, const struct import_sink *sink, char *err,
    size_t errlen)
{
	struct jsonl_reader r;
	struct buf          b;
	gzFile              f;
	char                chunk[64 * 1024];
	size_t              n;
	int                 rc = 0, eof = 0, zerr;

	memset(&r, 0, sizeof(r));
	r.sink = sink;
	r.err = err;
	r.errlen = errlen;
	if ((f = import_gzdopen(fd)) == NULL) {
		(void)snprintf(err, errlen, "%s", "cannot read the file");
		return (-1);
	}
	buf_init(&b);
	while (rc == 0 && !eof) {
		if (gzgets(f, chunk, sizeof(chunk)) == NULL) {
			eof = 1;
			(void)gzerror(f, &zerr);
			if (zerr != Z_OK && zerr != Z_STREAM_END) {
				rc = fail(&r,
				    "the file is not readable gzip "
				    "(cut short?)");
				break;
			}
		} else {
			/* gzgets stops at no NUL: a line holding one reads as
			 * cut there, which the JSON parser then refuses. One
			 * that starts with it reads as nothing. */
			if (chunk[0] == '\0') {
				rc = fail(&r, "a line holds a NUL byte");
				break;
			}
			buf_puts(&b, chunk);
			if (b.len > IMPORT_JSONL_LINE_MAX) {
				rc = fail(&r, "a line over %d bytes",
				    IMPORT_JSONL_LINE_MAX);
				break;
			}
			if (b.data[b.len - 1] != '\n' && !gzeof(f))
				continue;
		}
		n = b.len;
		while (
		    n > 0 && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r'))
			n--;
		if (n > 0 || (!eof && b.len > 0)) {
			r.line++;
			rc = line(&r, b.data, n);
		}
		buf_reset(&b);
	}
	if (rc == 0 && r.line == 0)
		rc = fail(&r, "the file is empty");
	gzclose(f);
	buf_free(&b);
	for (n = 0; n < r.naccounts; n++)
		free(r.accounts[n].email);
	free(r.accounts);
	return (rc);
}
