#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ca_bundle.h"

#define PEM_CERT_BEGIN "-----BEGIN CERTIFICATE-----"

/* PEM text of every certificate added; lives until the process ends. */
static struct buf bundle;
static size_t     ncerts;
static char       system_path[4096];

const char *
ca_bundle_system_path(void)
{
#if LIBCURL_VERSION_NUM >= 0x075400
	CURL *h;
	char *p = NULL;

	if (system_path[0] != '\0')
		return (system_path);
	if ((h = curl_easy_init()) != NULL) {
		if (curl_easy_getinfo(h, CURLINFO_CAINFO, &p) == CURLE_OK &&
		    p != NULL && *p != '\0')
			(void)snprintf(system_path, sizeof(system_path), "%s",
			    p);
		curl_easy_cleanup(h);
	}
#endif
	if (system_path[0] == '\0')
		(void)snprintf(system_path, sizeof(system_path), "%s",
		    CA_BUNDLE_SYSTEM);
	return (system_path);
}

static size_t
count_certs(const char *pem, size_t len)
{
	const char *p, *end = pem + len;
	size_t      n = 0, k = sizeof(PEM_CERT_BEGIN) - 1;

	for (p = pem; (size_t)(end - p) >= k &&
	     (p = memmem(p, (size_t)(end - p), PEM_CERT_BEGIN, k)) != NULL;
	     p += k)
		n++;
	return (n);
}

int
ca_bundle_add_pem(const char *pem, size_t len, const char *name, char *err,
    size_t errlen)
{
	size_t n;

	/* A file with none is a mistake (a key, a DER file) worth a word
	 * at start rather than a failed handshake later. */
	if ((n = count_certs(pem, len)) == 0) {
		(void)snprintf(err, errlen,
		    "%s: no PEM certificate "
		    "(\"" PEM_CERT_BEGIN "\") in it",
		    name);
		return (-1);
	}
	buf_append(&bundle, pem, len);
	/* The next file's first line must not join this one's last. */
	if (len > 0 && pem[len - 1] != '\n')
		buf_putc(&bundle, '\n');
	ncerts += n;
	return ((int)n);
}

/* The whole file at path into out (NUL-terminated); -1 with err. */
static int
read_file(const char *path, struct buf *out, char *err, size_t errlen)
{
	FILE  *f;
	char   chunk[16384];
	size_t n;
	int    rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > CA_BUNDLE_FILE_MAX) {
			(void)snprintf(err, errlen, "%s: larger than %d bytes",
			    path, CA_BUNDLE_FILE_MAX);
			rc = -1;
			break;
		}
		buf_append(out, chunk, n);
	}
	if (rc == 0 && ferror(f)) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	(void)fclose(f);
	return (rc);
}

int
ca_bundle_add_file(const char *path, char *err, size_t errlen)
{
	struct buf text;
	int        rc;

	buf_init(&text);
	rc = read_file(path, &text, err, errlen);
	if (rc == 0)
		rc = ca_bundle_add_pem(text.data != NULL ? text.data : "",
		    text.len, path, err, errlen);
	buf_free(&text);
	return (rc);
}

size_t
ca_bundle_count(void)
{
	return (ncerts);
}

const char *
ca_bundle_text(size_t *len)
{
	*len = bundle.len;
	return (bundle.data != NULL ? bundle.data : "");
}

int
ca_bundle_apply(CURL *h)
{
	struct curl_blob blob;

	(void)curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
	(void)curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	if (bundle.len == 0)
		return (0);
	blob.data = bundle.data;
	blob.len = bundle.len;
	/* The bundle outlives every handle: libcurl need not copy it. */
	blob.flags = CURL_BLOB_NOCOPY;
	return (curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK ?
	        0 :
	        -1);
}

int
ca_bundle_check(char *err, size_t errlen)
{
	struct curl_blob blob;
	CURL            *h;
	CURLcode         rc;

	if ((h = curl_easy_init()) == NULL) {
		(void)snprintf(err, errlen, "curl_easy_init failed");
		return (-1);
	}
	/* Whatever the bundle holds yet: only the option is tried. */
	blob.data = (void *)(uintptr_t)PEM_CERT_BEGIN;
	blob.len = sizeof(PEM_CERT_BEGIN) - 1;
	blob.flags = CURL_BLOB_COPY;
	rc = curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		(void)snprintf(err, errlen,
		    "this libcurl cannot check https "
		    "hooks against CAs read before the chroot "
		    "(CURLOPT_CAINFO_BLOB: %s)",
		    curl_easy_strerror(rc));
		return (-1);
	}
	return (0);
}

void
ca_bundle_clear(void)
{
	buf_free(&bundle);
	ncerts = 0;
	system_path[0] = '\0';
}
