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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "buf.h"
#include "import_run.h"

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
	    "FILE is read twice; a pipe (/dev/stdin) is copied to a "
	    "temporary file first.\n"
	    "Database: PARLEY_DATABASE, a libpq connection string.\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct import_options o = { IMPORT_WXR, IMPORT_KEY_ID, NULL, 0 };
	struct import_report  report;
	struct buf            out;
	const char           *db;
	int                   ch, fd, rc;

	while ((ch = getopt(argc, argv, "f:k:r:h")) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "wxr") == 0)
				o.format = IMPORT_WXR;
			else if (strcmp(optarg, "disqus") == 0)
				o.format = IMPORT_DISQUS;
			else if (strcmp(optarg, "parley") == 0)
				o.format = IMPORT_PARLEY;
			else
				usage();
			break;
		case 'k':
			if (strcmp(optarg, "id") == 0)
				o.key = IMPORT_KEY_ID;
			else if (strcmp(optarg, "path") == 0)
				o.key = IMPORT_KEY_PATH;
			else
				usage();
			break;
		case 'r':
			o.remap_path = optarg;
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
	if ((fd = open(argv[optind], O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "parley-import: cannot open %s\n",
		    argv[optind]);
		return (2);
	}
	rc = import_run(db, fd, &o, NULL, &report);
	close(fd);
	buf_init(&out);
	import_report_json(&out, &report);
	printf("%s\n", out.data);
	buf_free(&out);
	import_report_free(&report);
	xmlCleanupParser();
	return (rc == 0 ? 0 : 1);
}
