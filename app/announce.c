#include <stdlib.h>
#include <string.h>

#include "announce.h"

void
announce_init(struct announce *a)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->keys);
}

void
announce_free(struct announce *a)
{
	buf_free(&a->keys);
	memset(a, 0, sizeof(*a));
}

static int
has_key(const struct announce *a, const char *key, size_t len)
{
	const char *p = a->keys.data, *end = p + a->keys.len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) == len && memcmp(p, key, len) == 0)
			return (1);
		p = nl + 1;
	}
	return (0);
}

static void
announce_everything(struct announce *a)
{
	a->all = 1;
	a->n = 0;
	buf_reset(&a->keys);
}

void
announce_post(struct announce *a, const char *key)
{
	size_t len;

	if (a->all)
		return;
	if (key == NULL || *key == '\0' || strchr(key, '\n') != NULL) {
		announce_everything(a);
		return;
	}
	len = strlen(key);
	if (has_key(a, key, len))
		return;
	if (a->n >= ANNOUNCE_KEYS_MAX ||
	    a->keys.len + 1 + len > ANNOUNCE_BYTES_MAX) {
		announce_everything(a);
		return;
	}
	if (a->n > 0)
		buf_putc(&a->keys, '\n');
	buf_append(&a->keys, key, len);
	a->n++;
}

void
announce_deliveries(struct announce *a)
{
	a->deliveries = 1;
}

void
announce_barrier(struct announce *a)
{
	a->barrier = 1;
}

int
announce_pending(const struct announce *a)
{
	return (a->all || a->n > 0 || a->deliveries || a->barrier);
}

void
announce_take(struct announce *a, char **keys, int *deliveries)
{
	*deliveries = a->deliveries;
	if (a->all)
		*keys = NULL;
	else
		*keys = buf_release(&a->keys, NULL); /* NUL-terminated */
	a->all = 0;
	a->n = 0;
	a->deliveries = 0;
	a->barrier = 0;
	buf_reset(&a->keys);
}
