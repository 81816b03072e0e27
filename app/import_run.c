/*
 * One import, from an open file to a report (import_run.h).
 *
 * The file is read twice (import_store.h): first for the shape of its
 * threads, then for its bodies, rendered while PostgreSQL writes the ones
 * before. A file that cannot be read twice (a pipe) is copied to a
 * temporary file first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"
#include "import_html.h"
#include "import_jsonl.h"
#include "import_run.h"
#include "markdown.h"

/* The watcher hears of progress every this many records. */
#define PROGRESS_EVERY 1000

/* A remap file's size: old and new keys of moved posts. */
#define REMAP_MAX (4 * 1024 * 1024)

struct remap {
	char  *text; /* the file, its lines cut into old\0new\0 */
	char **old, **new;
	size_t n;
};

struct importer {
	struct import_store       *store;
	struct remap               remap;
	struct buf                 markdown, html, post_key;
	struct import_report      *report;
	const struct import_watch *watch;
	int64_t                    written; /* the second reading's */
};

static void
report_error(struct importer *im, const char *what, const char *why)
{
	struct import_report *r = im->report;

	if (r->nerrors++ >= IMPORT_ERRORS_KEPT)
		return;
	buf_puts(&r->errors, r->errors.len > 0 ? "," : "");
	buf_reset(&im->html);
	buf_printf(&im->html, "%s: %s", what, why);
	escape_json(&r->errors, im->html.data, im->html.len);
}

/* Every so many records, the watcher hears how far the import got. */
static void
record_read(struct importer *im)
{
	if (++im->report->read % PROGRESS_EVERY == 0 && im->watch != NULL)
		im->watch->progress(im->watch->arg, im->report);
}

/* Reads "OLD NEW" lines (blank lines and # comments aside); a URL on
 * either side stands for its path. */
static int
remap_load(struct remap *r, const char *path)
{
	FILE  *f;
	size_t len, i, cap = 0;
	char  *line, *save, *a, *b;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	r->text = calloc(1, REMAP_MAX + 1);
	len = r->text != NULL ? fread(r->text, 1, REMAP_MAX + 1, f) : 0;
	fclose(f);
	if (r->text == NULL || len > REMAP_MAX)
		return (-1);
	for (line = strtok_r(r->text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		a = line + strspn(line, " \t\r");
		if (*a == '#' || *a == '\0')
			continue;
		i = strcspn(a, " \t");
		if (a[i] == '\0')
			return (-1);
		a[i] = '\0';
		b = a + i + 1 + strspn(a + i + 1, " \t");
		b[strcspn(b, " \t\r")] = '\0';
		if (r->n == cap) {
			cap = cap ? cap * 2 : 64;
			r->old = realloc(r->old, cap * sizeof(*r->old));
			r->new = realloc(r->new, cap * sizeof(*r->new));
			if (r->old == NULL || r->new == NULL)
				return (-1);
		}
		r->old[r->n] = a;
		r->new[r->n++] = b;
	}
	return (0);
}

/* The key a moved post has now: key itself when the remap names neither
 * it nor its URL's path. */
static const char *
remapped(struct importer *im, const char *key, const char *url)
{
	char   path[2048], old[2048];
	size_t i;

	if (url == NULL || import_url_path(url, path, sizeof(path)) == -1)
		path[0] = '\0';
	for (i = 0; i < im->remap.n; i++) {
		if (import_url_path(im->remap.old[i], old, sizeof(old)) == -1)
			(void)snprintf(old, sizeof(old), "%s",
			    im->remap.old[i]);
		if (strcmp(old, key) != 0 &&
		    (path[0] == '\0' || strcmp(old, path) != 0) &&
		    strcmp(im->remap.old[i], key) != 0)
			continue;
		buf_reset(&im->post_key);
		if (import_url_path(im->remap.new[i], path, sizeof(path)) == 0)
			buf_puts(&im->post_key, path);
		else
			buf_puts(&im->post_key, im->remap.new[i]);
		return (im->post_key.data);
	}
	return (key);
}

static int
on_post(void *arg, const struct import_post *p)
{
	struct importer   *im = arg;
	struct import_post moved = *p;

	if (im->report->reading == 2)
		return (0);
	moved.key = remapped(im, p->key, p->url);
	if (import_store_post(im->store, &moved) == -1) {
		report_error(im, "post", import_store_error(im->store));
		return (-1);
	}
	return (0);
}

/* Whether the comment's body can be made a body, as source_of would
 * find it: 0, or -1 with why. */
static int
body_check(const struct import_comment *c, const char **why)
{
	if (c->markdown != NULL)
		return (0);
	return (import_html_check(c->body_html, strlen(c->body_html), why));
}

/* The comment's Markdown source into im->markdown: its own (Parley's
 * export), or made from its HTML. 0, or -1 with why. */
static int
source_of(struct importer *im, const struct import_comment *c, const char **why)
{
	buf_reset(&im->markdown);
	if (c->markdown != NULL) {
		buf_puts(&im->markdown, c->markdown);
	} else if (import_html_to_markdown(c->body_html, strlen(c->body_html),
	               c->bare_lines ? IMPORT_HTML_BARE_LINES : 0,
	               &im->markdown, why) == -1) {
		return (-1);
	}
	buf_putc(&im->markdown, '\0');
	im->markdown.len--;
	return (0);
}

/* The first reading: the comment's place, or why it is left out. */
static int
shape_comment(struct importer *im, const struct import_comment *c)
{
	const char *why = NULL;

	record_read(im);
	if (body_check(c, &why) == -1) {
		im->report->skipped[IMPORT_SKIP_INVALID]++;
		report_error(im, c->source_id, why);
		return (0);
	}
	if (import_store_shape(im->store, c) == -1) {
		report_error(im, "comment", import_store_error(im->store));
		return (-1);
	}
	return (0);
}

/* The second reading: the comment rendered and written (one the first
 * reading left out is again). */
static int
write_comment(struct importer *im, const struct import_comment *c)
{
	struct import_comment given = *c;
	const char           *why = NULL;
	int                   next;

	if (body_check(c, &why) == -1)
		return (0);
	if ((next = import_store_next(im->store, c)) != 1) {
		if (next == -1)
			report_error(im, "comment",
			    import_store_error(im->store));
		return (next);
	}
	buf_reset(&im->html);
	if (source_of(im, c, &why) == -1 ||
	    markdown_render(&im->html, im->markdown.data, im->markdown.len) ==
	        -1) {
		report_error(im, c->source_id,
		    why != NULL ? why : "its body could not be rendered");
		return (-1);
	}
	/* What the admin page says of where a comment came from. */
	if (c->markdown == NULL)
		given.reason = "imported";
	if (import_store_comment(im->store, &given, im->markdown.data,
	        im->html.data) == -1) {
		report_error(im, "comment", import_store_error(im->store));
		return (-1);
	}
	if (++im->written % PROGRESS_EVERY == 0 && im->watch != NULL)
		im->watch->progress(im->watch->arg, im->report);
	return (0);
}

static int
on_comment(void *arg, const struct import_comment *c)
{
	struct importer *im = arg;

	return (im->report->reading == 1 ? shape_comment(im, c) :
	                                   write_comment(im, c));
}

static int
on_record(void *arg, char kind, const char *json)
{
	struct importer *im = arg;

	if (im->report->reading == 2)
		return (0);
	if (import_store_record(im->store, kind, json) == -1) {
		report_error(im, "record", import_store_error(im->store));
		return (-1);
	}
	return (0);
}

static void
on_skipped(void *arg, enum import_skip why, const char *what)
{
	struct importer *im = arg;

	if (im->report->reading == 2)
		return;
	record_read(im);
	im->report->skipped[why]++;
	if (why == IMPORT_SKIP_INVALID)
		report_error(im, what, "no id, post or date: left out");
}

/* One reading of the file, from start: 0, or -1 with the error
 * reported. */
static int
read_file(struct importer *im, int fd, off_t start,
    const struct import_options *o, const struct import_sink *sink)
{
	char err[512];
	int  rc;

	if (lseek(fd, start, SEEK_SET) == -1) {
		report_error(im, "file", "cannot read it again");
		return (-1);
	}
	rc = o->format == IMPORT_PARLEY ?
	    import_jsonl_read(fd, sink, err, sizeof(err)) :
	    import_xml_read(fd, o->format, o->key, sink, err, sizeof(err));
	if (rc == -1)
		report_error(im, "file", err);
	return (rc);
}

/* The first reading, the placing, the second reading, the commit: 1 when
 * all is done. */
static int
import_both(struct importer *im, int fd, const struct import_options *o,
    const struct import_sink *sink)
{
	struct import_counts *n = &im->report->counts;
	off_t                 start = lseek(fd, 0, SEEK_CUR);

	im->report->reading = 1;
	if (read_file(im, fd, start, o, sink) == -1)
		return (0);
	/* All read: the watcher hears it, then the comments are placed. */
	if (im->watch != NULL)
		im->watch->progress(im->watch->arg, im->report);
	if (import_store_place(im->store, n) == -1) {
		report_error(im, "database", import_store_error(im->store));
		return (0);
	}
	im->report->reading = 2;
	if (n->imported > 0 && read_file(im, fd, start, o, sink) == -1)
		return (0);
	if (im->watch != NULL)
		im->watch->progress(im->watch->arg, im->report);
	if (import_store_finish(im->store, n) == -1) {
		report_error(im, "database", import_store_error(im->store));
		return (0);
	}
	return (1);
}

/* fd when it can be read twice, else a temporary copy of what it holds
 * (*copy set: the caller closes it); -1 when the copy fails. */
static int
readable_twice(int fd, int *copy)
{
	char    chunk[65536];
	ssize_t n;
	FILE   *tmp;

	*copy = -1;
	if (lseek(fd, 0, SEEK_CUR) != -1)
		return (fd);
	if ((tmp = tmpfile()) == NULL)
		return (-1);
	*copy = dup(fileno(tmp));
	(void)fclose(tmp);
	if (*copy == -1)
		return (-1);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (write(*copy, chunk, (size_t)n) != n)
			return (-1);
	}
	if (n == -1 || lseek(*copy, 0, SEEK_SET) == -1)
		return (-1);
	return (*copy);
}

int64_t
import_report_skipped(const struct import_report *r)
{
	int64_t n = r->counts.no_post + r->counts.dropped;
	int     i;

	for (i = 0; i < IMPORT_SKIP_COUNT; i++)
		n += r->skipped[i];
	return (n);
}

void
import_report_json(struct buf *b, const struct import_report *r)
{
	const struct import_counts *n = &r->counts;

	buf_printf(b,
	    "{\"state\":\"%s\",\"read\":%lld,\"imported\":%lld,"
	    "\"skipped\":%lld,\"already\":%lld,\"orphans\":%lld,"
	    "\"posts\":%lld,\"skipped_by\":{\"trash\":%lld,\"type\":%lld,"
	    "\"invalid\":%lld,\"no_post\":%lld,\"deleted\":%lld},"
	    "\"errors\":[%s]}",
	    r->done ? "done" : "failed", (long long)r->read,
	    (long long)n->imported, (long long)import_report_skipped(r),
	    (long long)n->already, (long long)n->orphans, (long long)n->posts,
	    (long long)r->skipped[IMPORT_SKIP_TRASH],
	    (long long)r->skipped[IMPORT_SKIP_TYPE],
	    (long long)r->skipped[IMPORT_SKIP_INVALID], (long long)n->no_post,
	    (long long)n->dropped,
	    r->errors.data != NULL ? r->errors.data : "");
}

void
import_report_free(struct import_report *r)
{
	buf_free(&r->errors);
}

int
import_run(const char *conninfo, int fd, const struct import_options *o,
    const struct import_watch *watch, struct import_report *report)
{
	struct importer    im;
	struct import_sink sink = { on_post, on_comment, on_skipped, on_record,
		NULL };
	const char        *source;
	char               err[512];
	int                ok = 0, copy = -1;

	memset(report, 0, sizeof(*report));
	buf_init(&report->errors);
	memset(&im, 0, sizeof(im));
	buf_init(&im.markdown);
	buf_init(&im.html);
	buf_init(&im.post_key);
	im.report = report;
	im.watch = watch;
	sink.arg = &im;
	/* Each WordPress site numbers its comments from 1, Disqus ids are
	 * global: the source names the format (and one site per file). */
	source = o->format == IMPORT_WXR ? "wxr" :
	    o->format == IMPORT_DISQUS   ? "disqus" :
	                                   "parley";
	if (o->remap_path != NULL && remap_load(&im.remap, o->remap_path) == -1)
		report_error(&im, "remap",
		    "cannot read the remap file (lines \"OLD NEW\", at most "
		    "4 MiB)");
	else if ((fd = readable_twice(fd, &copy)) == -1)
		report_error(&im, "file",
		    "cannot copy it to a temporary file to read it twice");
	else if ((im.store = import_store_open(conninfo, source, o->locked, err,
	              sizeof(err))) == NULL)
		report_error(&im, "database", err);
	else
		ok = import_both(&im, fd, o, &sink);
	if (!ok)
		memset(&report->counts, 0, sizeof(report->counts));
	report->done = ok;
	import_store_close(im.store);
	if (copy != -1)
		close(copy);
	buf_free(&im.markdown);
	buf_free(&im.html);
	buf_free(&im.post_key);
	free(im.remap.text);
	free(im.remap.old);
	free(im.remap.new);
	return (ok ? 0 : -1);
}
