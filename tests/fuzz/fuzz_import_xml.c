/*
 * libFuzzer harness for app/import_xml.c and app/import_jsonl.c: any file
 * is read to its end or refused with a reason, never a crash, and every
 * record handed over keeps the readers' promises (import_xml.h): ids and
 * names present, times in RFC 3339 UTC, a known status, e-mails with an
 * '@', URLs http(s). The first byte picks the format.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "import_jsonl.h"
#include "import_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
rfc3339(const char *s)
{
	return (s != NULL && strlen(s) == 20 && s[4] == '-' && s[10] == 'T' &&
	    s[19] == 'Z');
}

static int
on_post(void *arg, const struct import_post *p)
{
	(void)arg;
	if (p->source_id == NULL || p->key == NULL || *p->key == '\0' ||
	    p->title == NULL)
		abort();
	if (p->url != NULL && strncasecmp(p->url, "http", 4) != 0)
		abort();
	return (0);
}

static int
on_comment(void *arg, const struct import_comment *c)
{
	int parley = *(int *)arg;

	if (c->source_id == NULL || c->post_source_id == NULL ||
	    c->author_name == NULL || c->status == NULL)
		abort();
	if (parley) {
		if (c->markdown == NULL)
			abort();
		return (0);
	}
	if (*c->author_name == '\0' || !rfc3339(c->created_at) ||
	    c->body_html == NULL)
		abort();
	if (strcmp(c->status, "approved") != 0 &&
	    strcmp(c->status, "pending") != 0 &&
	    strcmp(c->status, "spam") != 0 && strcmp(c->status, "deleted") != 0)
		abort();
	if (c->author_email != NULL && strchr(c->author_email, '@') == NULL)
		abort();
	if (c->author_url != NULL && strncasecmp(c->author_url, "http", 4) != 0)
		abort();
	return (0);
}

static int
on_record(void *arg, char kind, const char *json)
{
	(void)arg;
	if (strchr("sub", kind) == NULL || json == NULL)
		abort();
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_sink sink = { on_post, on_comment, NULL, on_record,
		NULL };
	char               err[512];
	int                fd, which, parley;

	if (size == 0)
		return (0);
	which = data[0] % 3;
	parley = which == 2;
	sink.arg = &parley;
	if ((fd = memfd_create("import", 0)) == -1)
		abort();
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	err[0] = '\0';
	if ((parley ?
	            import_jsonl_read(fd, &sink, err, sizeof(err)) :
	            import_xml_read(fd, which == 0 ? IMPORT_WXR : IMPORT_DISQUS,
	                IMPORT_KEY_ID, &sink, err, sizeof(err))) == -1 &&
	    err[0] == '\0')
		abort();
	close(fd);
	return (0);
}
