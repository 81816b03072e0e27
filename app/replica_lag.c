#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "replica_lag.h"

static int
hex_half(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t   i;
	int      d;

	if (len == 0 || len > 8)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else
			return (-1);
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return (0);
}

int
lsn_parse(const char *s, uint64_t *out)
{
	const char *slash;
	uint64_t    hi, lo;

	if (s == NULL || (slash = strchr(s, '/')) == NULL ||
	    hex_half(s, (size_t)(slash - s), &hi) == -1 ||
	    hex_half(slash + 1, strlen(slash + 1), &lo) == -1)
		return (-1);
	*out = hi << 32 | lo;
	return (0);
}

void
lsn_format(uint64_t lsn, char out[LSN_TEXT_MAX])
{
	(void)snprintf(out, LSN_TEXT_MAX, "%" PRIX64 "/%" PRIX64, lsn >> 32,
	    lsn & 0xffffffffu);
}

void
lag_init(struct lag *l)
{
	memset(l, 0, sizeof(*l));
}

static void
entry_drop(struct lag *l, size_t i)
{
	free(l->e[i].key);
	l->e[i] = l->e[--l->n];
}

void
lag_free(struct lag *l)
{
	while (l->n > 0)
		entry_drop(l, l->n - 1);
	lag_init(l);
}

/* Waits for the next query: an answer to one sent before the mark could
 * come from before the change. */
static void
entry_wait(struct lag *l, struct lag_entry *e)
{
	e->lsn = 0;
	e->round = l->asked + 1;
}

void
lag_mark(struct lag *l, const char *key)
{
	size_t i;

	if (key != NULL && key[0] != '\0' && l->n == LAG_KEYS_MAX)
		key = NULL;
	if (key == NULL || key[0] == '\0') {
		/* "Every post" covers the keys waiting so far. */
		while (l->n > 0)
			entry_drop(l, l->n - 1);
		entry_wait(l, &l->all);
		return;
	}
	for (i = 0; i < l->n; i++)
		if (strcmp(l->e[i].key, key) == 0)
			break;
	if (i == l->n)
		l->e[l->n++].key = xstrdup(key);
	entry_wait(l, &l->e[i]);
}

int
lag_wants_query(const struct lag *l)
{
	size_t i;

	if (l->all.round > l->asked)
		return (1);
	for (i = 0; i < l->n; i++)
		if (l->e[i].round > l->asked)
			return (1);
	return (0);
}

uint64_t
lag_asked(struct lag *l)
{
	return (++l->asked);
}

static void
entry_answer(struct lag_entry *e, uint64_t round, uint64_t lsn)
{
	if (e->round != 0 && e->lsn == 0 && e->round <= round)
		e->lsn = lsn;
}

void
lag_answered(struct lag *l, uint64_t round, uint64_t lsn)
{
	size_t i;

	/* A position of 0 would read as "not known": no commit is there. */
	if (lsn == 0)
		lsn = 1;
	entry_answer(&l->all, round, lsn);
	for (i = 0; i < l->n; i++)
		entry_answer(&l->e[i], round, lsn);
	if (lsn > l->heard)
		l->heard = lsn;
}

static int
entry_shown(const struct lag_entry *e, uint64_t replayed)
{
	return (e->round == 0 || (e->lsn != 0 && e->lsn <= replayed));
}

void
lag_prune(struct lag *l, uint64_t replayed)
{
	size_t i;

	if (l->all.round != 0 && entry_shown(&l->all, replayed))
		memset(&l->all, 0, sizeof(l->all));
	for (i = l->n; i > 0; i--)
		if (entry_shown(&l->e[i - 1], replayed))
			entry_drop(l, i - 1);
}

int
lag_fresh(const struct lag *l, const char *key, uint64_t replayed)
{
	size_t i;

	if (!entry_shown(&l->all, replayed))
		return (0);
	for (i = 0; i < l->n; i++)
		if ((key == NULL || strcmp(l->e[i].key, key) == 0) &&
		    !entry_shown(&l->e[i], replayed))
			return (0);
	return (1);
}
