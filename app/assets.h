/*
 * Static assets (demo page, widget, admin page) read into memory once at
 * start-up, before the workers chroot, each with its content type and a
 * strong ETag, so handlers can answer 304s and set caching headers. The
 * folder is the build's (build/assets/, scripts/build-assets.sh): assets/
 * with the widget minified, and its source maps.
 */
#ifndef PARLEY_ASSETS_H
#define PARLEY_ASSETS_H

#include <stddef.h>

struct asset {
	char          *name; /* file name, e.g. "index.html" */
	unsigned char *data;
	size_t         len;
	const char    *type; /* Content-Type */
	char           etag[40]; /* quoted */
	unsigned char *gz; /* gzip of data, NULL if it saves nothing */
	size_t         gz_len;
	char           gz_etag[44]; /* a different representation */
};

/* Reads every regular file directly in dir. 0, or -1 with a message. */
int                 assets_load(const char *dir, char *err, size_t errlen);
const struct asset *assets_find(const char *name);
/* Content-Type for a file name by its extension. */
const char *assets_type(const char *name);

#endif
