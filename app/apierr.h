/*
 * The one error convention of the domain layer: a function that can refuse
 * its input fills a struct apierr and returns -1. Handlers turn it into
 * SPEC.md's {"error": {"code", "message", "field"}} with its status.
 */
#ifndef PARLEY_APIERR_H
#define PARLEY_APIERR_H

struct apierr {
	int         status; /* HTTP status, e.g. 422 */
	const char *code; /* snake_case, static */
	const char *message; /* a sentence, static */
	const char *field; /* input at fault, or NULL */
};

static inline int
apierr_set(struct apierr *e, int status, const char *code, const char *message,
    const char *field)
{
	e->status = status;
	e->code = code;
	e->message = message;
	e->field = field;
	return (-1);
}

#endif
