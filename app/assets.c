#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <zlib.h>

#include "assets.h"

#define ASSETS_MAX     64
#define ASSET_SIZE_MAX (4 << 20)

static struct asset assets[ASSETS_MAX];
static size_t       nassets;

const char *
assets_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".json", "application/json" },
		{ ".map", "application/json" }, /* source maps */
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
	};
	const char *dot = strrchr(name, '.');
	size_t      i;

	for (i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(dot, types[i].ext) == 0)
			return (types[i].type);
	}
	return ("application/octet-stream");
}

/* gzip at the highest level: done once at start-up, served many times. */
static void
compress_one(struct asset *a)
{
	z_stream z;
	uLong    bound;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return;
	bound = deflateBound(&z, a->len);
	if ((a->gz = malloc(bound)) == NULL)
		abort();
	z.next_in = a->data;
	z.avail_in = a->len;
	z.next_out = a->gz;
	z.avail_out = bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= a->len) {
		free(a->gz);
		a->gz = NULL;
	} else {
		a->gz_len = z.total_out;
		/* The same opaque tag with a suffix: another representation. */
		memcpy(a->gz_etag, a->etag, strlen(a->etag) - 1);
		strcpy(a->gz_etag + strlen(a->etag) - 1, "-gz\"");
	}
	deflateEnd(&z);
}

static int
load_one(const char *dir, const char *name, char *err, size_t errlen)
{
	struct asset *a = &assets[nassets];
	unsigned char hash[16];
	char          path[4096];
	struct stat   st;
	FILE         *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return (0);
	if (nassets == ASSETS_MAX || st.st_size > ASSET_SIZE_MAX) {
		snprintf(err, errlen, "%s: too many or too large assets", path);
		return (-1);
	}
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	a->len = (size_t)st.st_size;
	if ((a->data = malloc(a->len + 1)) == NULL ||
	    (a->name = strdup(name)) == NULL)
		abort();
	if (fread(a->data, 1, a->len, f) != a->len) {
		snprintf(err, errlen, "%s: read error", path);
		fclose(f);
		free(a->data);
		free(a->name);
		return (-1);
	}
	fclose(f);
	a->type = assets_type(name);
	crypto_generichash(hash, sizeof(hash), a->data, a->len, NULL, 0);
	a->etag[0] = '"';
	sodium_bin2hex(a->etag + 1, 33, hash, sizeof(hash));
	strcat(a->etag, "\"");
	compress_one(a);
	nassets++;
	return (0);
}

int
assets_load(const char *dir, char *err, size_t errlen)
{
	DIR           *d;
	struct dirent *de;
	int            rc = 0;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		rc = load_one(dir, de->d_name, err, errlen);
	}
	closedir(d);
	return (rc);
}

const struct asset *
assets_find(const char *name)
{
	size_t i;

	for (i = 0; i < nassets; i++) {
		if (strcmp(assets[i].name, name) == 0)
			return (&assets[i]);
	}
	return (NULL);
}
