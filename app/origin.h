/*
 * Web origins ("https://blog.example.org", "http://127.0.0.1:8080"): the
 * sites that may write to Parley and use members' tokens from a browser.
 * An origin is written as browsers send it in the Origin header: scheme,
 * host and a port only when it is not the scheme's default, lower case,
 * no path. Lists come from the configuration file (a floor always
 * allowed) and from the allowed_origins setting (edited by admins).
 */
#ifndef PARLEY_ORIGIN_H
#define PARLEY_ORIGIN_H

#include <stddef.h>

#include <jansson.h>

struct apierr;

#define ORIGIN_MAX      100 /* bytes of one origin, NUL excluded */
#define ORIGIN_LIST_MAX 50 /* origins in the setting */

struct origin_list {
	char **v;
	size_t n;
};

/*
 * Writes the canonical form of in to out: "http" or "https", "://", a
 * host (DNS name in ASCII, IPv4, or IPv6 in brackets), ":port" unless it
 * is the default; a single trailing "/" is accepted and dropped. 0, or -1
 * with why (a static sentence) when in is not such an origin.
 */
int origin_normalize(const char *in, char out[ORIGIN_MAX + 1],
    const char **why);

/* The origin of an http(s) URL ("https://blog.example.org/2018/x?y" gives
 * "https://blog.example.org"), canonical. 0, or -1 when it has none. */
int origin_of_url(const char *url, char out[ORIGIN_MAX + 1]);

void origin_list_init(struct origin_list *);
void origin_list_free(struct origin_list *);
/* Adds a copy of an origin already in canonical form (duplicates once). */
void origin_list_add(struct origin_list *, const char *);
/* 1 when the list holds origin (canonical form), else 0. */
int origin_list_has(const struct origin_list *, const char *);
/* 1 when url (an http(s) URL) has an origin and the list holds it, else
 * 0 (also for NULL or ""). */
int origin_list_has_url(const struct origin_list *, const char *url);

/*
 * Parses the allowed_origins setting: an array of at most ORIGIN_LIST_MAX
 * origins, each normalised. 0 with *out filled (caller frees), or -1 and
 * 422 invalid_value naming field, *out untouched.
 */
int origin_list_parse(json_t *, const char *field, struct origin_list *,
    struct apierr *);
/* The list as a JSON array of strings. Caller decrefs. */
json_t *origin_list_json(const struct origin_list *);

#endif
