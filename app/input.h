/*
 * Helpers for reading what clients send (see input.c).
 */
#ifndef PARLEY_INPUT_H
#define PARLEY_INPUT_H

#include <stddef.h>

#include <jansson.h>

struct apierr;

/* 1 if s holds C0 controls or DEL (newline, tab and CR allowed when
 * multiline). */
int input_has_controls(const char *, size_t, int multiline);
/* Code points in valid UTF-8. */
size_t input_chars(const char *, size_t);
/* 1 if s is empty or white space only. */
int input_is_blank(const char *, size_t);
/* A copy without leading and trailing white space; the caller frees it. */
char *input_trimmed_copy(const char *, size_t);
/* An optional string member: 0 with *out NULL when absent or null; -1
 * (e filled, 422 naming the field) for another type or a NUL inside. */
int input_get_string(json_t *, const char *, const char **, size_t *,
    struct apierr *);
/* A plausible e-mail address: one '@', a dot after it, no blanks. */
int input_email_valid(const char *);

#endif
