/*
 * Web origins and lists of them (see origin.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apierr.h"
#include "origin.h"

#define HOST_MAX  253 /* a DNS name's length */
#define LABEL_MAX 63

static const char *const why_scheme =
    "An origin starts with http:// or https://.";
static const char *const why_shape =
    "An origin is a scheme, a host and an optional port, with no path, "
    "query or user name (like https://blog.example.org).";
static const char *const why_host =
    "The host is not a valid name or address (write international "
    "names in their ASCII xn-- form).";
static const char *const why_port =
    "The port must be a number from 1 to 65535.";

/* A DNS name of letters, digits and hyphens in dot-separated labels. */
static int
dns_name_ok(const char *h, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > HOST_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return (0);
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)h[i]) && h[i] != '-')
			return (0);
		if (h[i] == '-' && label == 0)
			return (0);
		if (++label > LABEL_MAX)
			return (0);
	}
	return (label > 0 && h[n - 1] != '-');
}

/* "[v6]" with a valid IPv6 address inside. */
static int
ipv6_literal_ok(const char *h, size_t n)
{
	char          text[INET6_ADDRSTRLEN];
	unsigned char a[16];

	if (n < 3 || h[0] != '[' || h[n - 1] != ']' || n - 2 >= sizeof(text))
		return (0);
	memcpy(text, h + 1, n - 2);
	text[n - 2] = '\0';
	return (inet_pton(AF_INET6, text, a) == 1);
}

/* The port's digits as a number, or -1 when they are not 1..65535. */
static long
port_value(const char *p, size_t n)
{
	long   v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return (-1);
		v = v * 10 + (p[i] - '0');
	}
	return (v >= 1 && v <= 65535 ? v : -1);
}

int
origin_normalize(const char *in, char out[ORIGIN_MAX + 1], const char **why)
{
	const char *host, *end, *colon;
	size_t      hlen, i, len;
	long        port = -1, dflt;
	int         https;

	if (strncasecmp(in, "https://", 8) == 0) {
		https = 1;
		host = in + 8;
	} else if (strncasecmp(in, "http://", 7) == 0) {
		https = 0;
		host = in + 7;
	} else {
		*why = why_scheme;
		return (-1);
	}
	dflt = https ? 443 : 80;
	end = host + strlen(host);
	if (end > host && end[-1] == '/')
		end--;
	if (memchr(host, '/', end - host) != NULL ||
	    memchr(host, '@', end - host) != NULL ||
	    memchr(host, '?', end - host) != NULL ||
	    memchr(host, '#', end - host) != NULL) {
		*why = why_shape;
		return (-1);
	}
	/* The port follows the last colon, past an IPv6 literal's bracket. */
	colon = NULL;
	for (i = end - host; i > 0; i--) {
		if (host[i - 1] == ']')
			break;
		if (host[i - 1] == ':') {
			colon = host + i - 1;
			break;
		}
	}
	hlen = (colon != NULL ? colon : end) - host;
	if (colon != NULL &&
	    (port = port_value(colon + 1, end - colon - 1)) == -1) {
		*why = why_port;
		return (-1);
	}
	if (!(host[0] == '[' ? ipv6_literal_ok(host, hlen) :
	                       dns_name_ok(host, hlen))) {
		*why = why_host;
		return (-1);
	}
	len = (https ? 8 : 7) + hlen;
	if (len > ORIGIN_MAX - 6) {
		*why = why_host;
		return (-1);
	}
	memcpy(out, https ? "https://" : "http://", https ? 8 : 7);
	for (i = 0; i < hlen; i++)
		out[len - hlen + i] = (char)tolower((unsigned char)host[i]);
	out[len] = '\0';
	if (port != -1 && port != dflt)
		(void)snprintf(out + len, ORIGIN_MAX + 1 - len, ":%ld", port);
	return (0);
}

int
origin_of_url(const char *url, char out[ORIGIN_MAX + 1])
{
	char        head[ORIGIN_MAX + 1];
	const char *p, *why;
	size_t      n;

	if ((p = strstr(url, "://")) == NULL)
		return (-1);
	n = (p + 3 - url) + strcspn(p + 3, "/?#");
	if (n > ORIGIN_MAX)
		return (-1);
	memcpy(head, url, n);
	head[n] = '\0';
	return (origin_normalize(head, out, &why));
}

void
origin_list_init(struct origin_list *l)
{
	l->v = NULL;
	l->n = 0;
}

void
origin_list_free(struct origin_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	origin_list_init(l);
}

int
origin_list_has(const struct origin_list *l, const char *origin)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], origin) == 0)
			return (1);
	}
	return (0);
}

int
origin_list_has_url(const struct origin_list *l, const char *url)
{
	char origin[ORIGIN_MAX + 1];

	if (url == NULL || *url == '\0' || origin_of_url(url, origin) == -1)
		return (0);
	return (origin_list_has(l, origin));
}

void
origin_list_add(struct origin_list *l, const char *origin)
{
	char **v;

	if (origin_list_has(l, origin))
		return;
	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL)
		abort();
	l->v = v;
	if ((l->v[l->n] = strdup(origin)) == NULL)
		abort();
	l->n++;
}

int
origin_list_parse(json_t *a, const char *field, struct origin_list *out,
    struct apierr *e)
{
	struct origin_list l;
	json_t            *v;
	const char        *why;
	char               canon[ORIGIN_MAX + 1];
	size_t             i;

	if (!json_is_array(a))
		return (apierr_set(e, 422, "invalid_value",
		    "Allowed origins must be an array of strings.", field));
	if (json_array_size(a) > ORIGIN_LIST_MAX)
		return (apierr_set(e, 422, "invalid_value",
		    "At most 50 origins may be allowed.", field));
	origin_list_init(&l);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) > ORIGIN_MAX ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			origin_list_free(&l);
			return (apierr_set(e, 422, "invalid_value",
			    "Each allowed origin is a string of at most 100 "
			    "bytes.",
			    field));
		}
		if (origin_normalize(json_string_value(v), canon, &why) == -1) {
			origin_list_free(&l);
			return (
			    apierr_set(e, 422, "invalid_value", why, field));
		}
		origin_list_add(&l, canon);
	}
	*out = l;
	return (0);
}

json_t *
origin_list_json(const struct origin_list *l)
{
	json_t *a;
	size_t  i;

	if ((a = json_array()) == NULL)
		abort();
	for (i = 0; i < l->n; i++) {
		if (json_array_append_new(a, json_string(l->v[i])) == -1)
			abort();
	}
	return (a);
}
