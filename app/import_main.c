/*
 * parley-import: loads a WordPress (WXR), Disqus or Parley export into
 * Parley's database, in one transaction, and prints a report as JSON.
 *
 *   parley-import [-f wxr|disqus|parley] [-k id|path] [-r REMAP] FILE
 *
 * The database is PARLEY_DATABASE (a libpq connection string). Bodies are
 * HTML: each becomes Markdown source (import_html.c) rendered by Parley's
 * own renderer, so imported comments look, escape and edit like native
 * ones. Exit 0 when imported, 1 when nothing was (the report says why),
 * 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "buf.h"
#include "escape.h"
#include "import_html.h"
#include "import_jsonl.h"
#include "import_store.h"
#include "import_xml.h"
#include "markdown.h"

/* The report keeps this many errors; the rest are only counted. */
#define ERRORS_KEPT 20
/* A remap file's size: old and new keys of moved posts. */
#define REMAP_MAX (4 * 1024 * 1024)

struct remap {
	char  *text; /* the file, its lines cut into old\0new\0 */
	char **old, **new;
	size_t n;
};

struct importer {
	struct import_store *store;
	struct remap         remap;
	struct buf           markdown, html, post_key, errors;
	int64_t              read, skipped[IMPORT_SKIP_COUNT], nerrors;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: parley-import [-f wxr|disqus|parley] [-k id|path] "
	    "[-r REMAP] FILE\n"
	    "  -f  the export's format: WordPress (default), Disqus (.xml or "
	    ".xml.gz), or Parley's own (make export)\n"
	    "  -k  a post's key: the export's id (default; a Disqus thread "
	    "without one: its link's path) or always the link's path\n"
	    "  -r  a file of moved posts: lines \"OLD NEW\" (keys or URLs)\n"
	    "Database: PARLEY_DATABASE, a libpq connection string.\n");
	exit(2);
}

static void
report_error(struct importer *im, const char *what, const char *why)
{
	if (im->nerrors++ >= ERRORS_KEPT)
		return;
	buf_puts(&im->errors, im->errors.len > 0 ? "," : "");
	buf_reset(&im->html);
	buf_printf(&im->html, "%s: %s", what, why);
	escape_json(&im->errors, im->html.data, im->html.len);
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

	moved.key = remapped(im, p->key, p->url);
	if (import_store_post(im->store, &moved) == -1) {
		report_error(im, "post", import_store_error(im->store));
		return (-1);
	}
	return (0);
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

static int
on_comment(void *arg, const struct import_comment *c)
{
	struct importer      *im = arg;
	struct import_comment given = *c;
	const char           *why = NULL;

	im->read++;
	buf_reset(&im->html);
	if (source_of(im, c, &why) == -1 ||
	    markdown_render(&im->html, im->markdown.data, im->markdown.len) ==
	        -1) {
		im->skipped[IMPORT_SKIP_INVALID]++;
		report_error(im, c->source_id, why != NULL ? why : "body");
		return (0);
	}
	/* What the admin page says of where a comment came from. */
	if (c->markdown == NULL)
		given.reason = "imported";
	if (import_store_comment(im->store, &given, im->markdown.data,
	        im->html.data) == -1) {
		report_error(im, "comment", import_store_error(im->store));
		return (-1);
	}
	return (0);
}

static int
on_record(void *arg, char kind, const char *json)
{
	struct importer *im = arg;

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

	im->read++;
	im->skipped[why]++;
	if (why == IMPORT_SKIP_INVALID)
		report_error(im, what, "no id, post or date: left out");
}

static void
print_report(struct importer *im, const char *state,
    const struct import_counts *n)
{
	int64_t skipped = 0;
	int     i;

	for (i = 0; i < IMPORT_SKIP_COUNT; i++)
		skipped += im->skipped[i];
	printf("{\"state\":\"%s\",\"read\":%lld,\"imported\":%lld,"
	       "\"skipped\":%lld,\"already\":%lld,\"orphans\":%lld,"
	       "\"posts\":%lld,\"skipped_by\":{\"trash\":%lld,\"type\":%lld,"
	       "\"invalid\":%lld,\"no_post\":%lld,\"deleted\":%lld},"
	       "\"errors\":[%s]}\n",
	    state, (long long)im->read, (long long)n->imported,
	    (long long)(skipped + n->no_post + n->dropped),
	    (long long)n->already, (long long)n->orphans, (long long)n->posts,
	    (long long)im->skipped[IMPORT_SKIP_TRASH],
	    (long long)im->skipped[IMPORT_SKIP_TYPE],
	    (long long)im->skipped[IMPORT_SKIP_INVALID], (long long)n->no_post,
	    (long long)n->dropped,
	    im->errors.data != NULL ? im->errors.data : "");
}

int
main(int argc, char *argv[])
{
	struct importer      im;
	struct import_counts n;
	struct import_sink sink = { on_post, on_comment, on_skipped, on_record,
		NULL };
	enum import_format format = IMPORT_WXR;
	enum import_key    key = IMPORT_KEY_ID;
	const char        *db, *remap = NULL, *source;
	char               err[512];
	int                ch, ok;

	while ((ch = getopt(argc, argv, "f:k:r:h")) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "wxr") == 0)
				format = IMPORT_WXR;
			else if (strcmp(optarg, "disqus") == 0)
				format = IMPORT_DISQUS;
			else if (strcmp(optarg, "parley") == 0)
				format = IMPORT_PARLEY;
			else
				usage();
			break;
		case 'k':
			if (strcmp(optarg, "id") == 0)
				key = IMPORT_KEY_ID;
			else if (strcmp(optarg, "path") == 0)
				key = IMPORT_KEY_PATH;
			else
				usage();
			break;
		case 'r':
			remap = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	if ((db = getenv("PARLEY_DATABASE")) == NULL || *db == '\0') {
		fprintf(stderr,
		    "parley-import: set PARLEY_DATABASE to a libpq "
		    "connection string\n");
		return (2);
	}
	memset(&im, 0, sizeof(im));
	memset(&n, 0, sizeof(n));
	buf_init(&im.markdown);
	buf_init(&im.html);
	buf_init(&im.post_key);
	buf_init(&im.errors);
	sink.arg = &im;
	if (remap != NULL && remap_load(&im.remap, remap) == -1) {
		fprintf(stderr,
		    "parley-import: cannot read the remap file %s "
		    "(lines \"OLD NEW\", at most 4 MiB)\n",
		    remap);
		return (2);
	}
	/* Each WordPress site numbers its comments from 1, Disqus ids are
	 * global: the source names the format (and one site per file). */
	source = format == IMPORT_WXR ? "wxr" :
	    format == IMPORT_DISQUS   ? "disqus" :
	                                "parley";
	ok = 0;
	if ((im.store = import_store_open(db, source, err, sizeof(err))) ==
	    NULL) {
		report_error(&im, "database", err);
	} else if ((format == IMPORT_PARLEY ?
	                   import_jsonl_read(argv[optind], &sink, err,
	                       sizeof(err)) :
	                   import_xml_read(argv[optind], format, key, &sink,
	                       err, sizeof(err))) == -1) {
		report_error(&im, "file", err);
	} else if (import_store_finish(im.store, &n) == -1) {
		report_error(&im, "database", import_store_error(im.store));
	} else {
		ok = 1;
	}
	if (!ok)
		memset(&n, 0, sizeof(n));
	print_report(&im, ok ? "done" : "failed", &n);
	import_store_close(im.store);
	buf_free(&im.markdown);
	buf_free(&im.html);
	buf_free(&im.post_key);
	buf_free(&im.errors);
	free(im.remap.text);
	free(im.remap.old);
	free(im.remap.new);
	xmlCleanupParser();
	return (ok ? 0 : 1);
}
