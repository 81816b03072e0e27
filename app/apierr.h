/*
 * The one error convention of the domain layer: a function that can refuse
 * its input fills a struct apierr and returns -1. Handlers turn it into
 * SPEC.md's {"error": {"code", "message", "field"}} with its status.
 */
#ifndef PARLEY_APIERR_H
#define PARLEY_APIERR_H

/* Input that can have several faults at once (settings) lists them all. */
#define APIERR_LIST_MAX 16

struct apierr_item {
	const char *code;
	const char *message;
	const char *field;
};

struct apierr {
	int         status; /* HTTP status, e.g. 422 */
	const char *code; /* snake_case, static */
	const char *message; /* a sentence, static */
	const char *field; /* input at fault, or NULL */
	/* Every fault, the first included, when apierr_add found them;
	 * answered as "errors": [{"code","message","field"}...]. */
	size_t             n_all;
	struct apierr_item all[APIERR_LIST_MAX];
};

static inline int
apierr_set(struct apierr *e, int status, const char *code, const char *message,
    const char *field)
{
	e->status = status;
	e->code = code;
	e->message = message;
	e->field = field;
	e->n_all = 0;
	return (-1);
}

/*
 * One more fault of the same input: the first one found is e's own
 * (status, code, message, field); each is listed in e->all, up to
 * APIERR_LIST_MAX. Start with e->n_all = 0 (apierr_set or zeroed).
 */
static inline int
apierr_add(struct apierr *e, int status, const char *code, const char *message,
    const char *field)
{
	size_t n = e->n_all;

	if (n == 0)
		apierr_set(e, status, code, message, field);
	if (n < APIERR_LIST_MAX) {
		e->all[n].code = code;
		e->all[n].message = message;
		e->all[n].field = field;
		e->n_all = n + 1;
	}
	return (-1);
}

#endif
