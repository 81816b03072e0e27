/*
 * One import, from an open file to a report: the reader of its format
 * (import_xml.c, import_jsonl.c), each body made Markdown source
 * (import_html.c) and rendered by Parley's own renderer, and the store
 * (import_store.c), in one transaction. Shared by parley-import and the
 * admin API's import jobs (import_job.c). Kore-free.
 */
#ifndef PARLEY_IMPORT_RUN_H
#define PARLEY_IMPORT_RUN_H

#include <stdint.h>

#include "buf.h"
#include "import_store.h"
#include "import_xml.h"

/* The report keeps this many errors; the rest are only counted. */
#define IMPORT_ERRORS_KEPT 20

struct import_options {
	enum import_format format;
	enum import_key    key;
	const char        *remap_path; /* moved posts, or NULL */
	/* The caller holds the import lock (an import job, import_job.c);
	 * otherwise the import takes it, and fails while another runs. */
	int locked;
};

/* What an import did, so far or in the end. */
struct import_report {
	int                  done; /* imported and committed */
	int                  reading; /* of the file: 1 (its shape) or 2 */
	int64_t              read; /* records read */
	int64_t              skipped[IMPORT_SKIP_COUNT];
	struct import_counts counts; /* from the store, once done */
	struct buf           errors; /* JSON strings, comma-separated */
	int64_t              nerrors;
};

/* Called every so many records while reading (not while storing). */
struct import_watch {
	void (*progress)(void *arg, const struct import_report *);
	void *arg;
};

/* Imports what fd holds into the database at conninfo: 0 when done
 * (report->done), -1 when nothing was imported (report->errors says
 * why). The report is filled either way; free it with
 * import_report_free. watch may be NULL. */
int  import_run(const char *conninfo, int fd, const struct import_options *,
     const struct import_watch *, struct import_report *);
void import_report_free(struct import_report *);

/* The records left out, every reason together (what was read and left
 * out, posts refused, deleted comments without replies). */
int64_t import_report_skipped(const struct import_report *);

/* The report as parley-import prints it: {"state","read","imported",
 * "skipped","already","orphans","posts","skipped_by":{...},"errors"}. */
void import_report_json(struct buf *, const struct import_report *);

#endif
