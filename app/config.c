#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "mail.h"

static char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		abort();
	return (p);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return (s);
}

static int
set_origins(struct config *c, char *v, char *err, size_t errlen)
{
	char *tok, *save;

	for (tok = strtok_r(v, " \t,", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (c->norigins == CONFIG_ORIGINS_MAX) {
			snprintf(err, errlen, "more than %d allowed_origins",
			    CONFIG_ORIGINS_MAX);
			return (-1);
		}
		c->origins[c->norigins++] = xstrdup(tok);
	}
	return (0);
}

/* A whole decimal number within [min, max]. */
static int
set_number(int *out, const char *name, const char *v, long min, long max,
    char *err, size_t errlen)
{
	char *ep;
	long  n;

	errno = 0;
	n = strtol(v, &ep, 10);
	if (errno || *v == '\0' || *ep != '\0' || n < min || n > max) {
		snprintf(err, errlen, "%s must be %ld to %ld", name, min, max);
		return (-1);
	}
	*out = (int)n;
	return (0);
}

static int
set_flag(int *out, const char *name, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0)
		*out = 0;
	else {
		snprintf(err, errlen, "%s must be yes or no", name);
		return (-1);
	}
	return (0);
}

/* Nothing but printable ASCII: what a mail header may hold as is. */
static int
printable_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < ' ' || *s > '~')
			return (0);
	}
	return (1);
}

/* A text setting; empty, as a template leaves it, is unset. */
static int
set_text(char **out, const char *v)
{
	free(*out);
	*out = *v != '\0' ? xstrdup(v) : NULL;
	return (0);
}

/* http(s)://host[:port][/path], kept without its trailing slashes. */
static int
set_public_url(struct config *c, const char *v, char *err, size_t errlen)
{
	size_t n;

	if (*v == '\0')
		return (set_text(&c->public_url, v));
	if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
	    strpbrk(v, " \t\"<>?#") != NULL) {
		snprintf(err, errlen,
		    "public_url must be an http(s) URL without query");
		return (-1);
	}
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	free(c->public_url);
	c->public_url = xstrndup(v, n);
	return (0);
}

/* HOST:PORT ([HOST]:PORT for IPv6), the host numeric; or "off". */
static int
set_metrics_listen(struct config *c, const char *v, char *err, size_t errlen)
{
	const char   *colon, *host = v, *end;
	char          addr[64];
	unsigned char bin[16];
	char         *ep;
	long          port;
	int           family = AF_INET;

	free(c->metrics_host);
	free(c->metrics_port);
	c->metrics_host = c->metrics_port = NULL;
	if (strcmp(v, "off") == 0)
		return (0);
	if ((colon = strrchr(v, ':')) == NULL)
		goto bad;
	end = colon;
	if (*v == '[') {
		host = v + 1;
		if (end == host || end[-1] != ']')
			goto bad;
		end--;
		family = AF_INET6;
	}
	if ((size_t)(end - host) >= sizeof(addr))
		goto bad;
	memcpy(addr, host, (size_t)(end - host));
	addr[end - host] = '\0';
	if (inet_pton(family, addr, bin) != 1)
		goto bad;
	errno = 0;
	port = strtol(colon + 1, &ep, 10);
	if (errno || colon[1] == '\0' || *ep != '\0' || port < 1 ||
	    port > 65535)
		goto bad;
	c->metrics_host = xstrdup(addr);
	c->metrics_port = xstrdup(colon + 1);
	return (0);
bad:
	snprintf(err, errlen,
	    "metrics_listen must be ADDRESS:PORT (e.g. 127.0.0.1:9181, "
	    "[::1]:9181) or off");
	return (-1);
}

static int
set_option(struct config *c, const char *name, char *v, char *err,
    size_t errlen)
{
	if (strcmp(name, "metrics_listen") == 0)
		return (set_metrics_listen(c, v, err, errlen));
	if (strcmp(name, "database") == 0) {
		free(c->database);
		c->database = xstrdup(v);
	} else if (strcmp(name, "database_listen") == 0) {
		return (set_text(&c->database_listen, v));
	} else if (strcmp(name, "database_replica") == 0) {
		return (set_text(&c->database_replica, v));
	} else if (strcmp(name, "prepared_statements") == 0) {
		return (
		    set_flag(&c->prepared_statements, name, v, err, errlen));
	} else if (strcmp(name, "assets_dir") == 0) {
		free(c->assets_dir);
		c->assets_dir = xstrdup(v);
	} else if (strcmp(name, "allowed_origins") == 0) {
		return (set_origins(c, v, err, errlen));
	} else if (strcmp(name, "key_file") == 0) {
		free(c->key_file);
		c->key_file = xstrdup(v);
	} else if (strcmp(name, "trusted_proxies") == 0) {
		free(c->trusted_proxies);
		c->trusted_proxies = xstrdup(v);
	} else if (strcmp(name, "session_ttl_seconds") == 0) {
		return (set_number(&c->session_ttl_seconds, name, v, 1,
		    365 * 86400, err, errlen));
	} else if (strcmp(name, "import_max_mib") == 0) {
		return (set_number(&c->import_max_mib, name, v, 1, 4096, err,
		    errlen));
	} else if (strcmp(name, "stream_max") == 0) {
		return (set_number(&c->stream_max, name, v, 1, 1000000, err,
		    errlen));
	} else if (strcmp(name, "stream_heartbeat_ms") == 0) {
		return (set_number(&c->stream_heartbeat_ms, name, v, 100, 60000,
		    err, errlen));
	} else if (strcmp(name, "deliver_hooks") == 0) {
		return (set_flag(&c->deliver_hooks, name, v, err, errlen));
	} else if (strcmp(name, "hook_allow_private_networks") == 0) {
		return (set_flag(&c->hook_allow_private_networks, name, v, err,
		    errlen));
	} else if (strcmp(name, "public_url") == 0) {
		return (set_public_url(c, v, err, errlen));
	} else if (strcmp(name, "smtp_url") == 0) {
		if (*v != '\0' && mail_smtp_tls(v) == MAIL_TLS_BAD) {
			snprintf(err, errlen,
			    "smtp_url must be smtp://HOST:PORT "
			    "or smtps://HOST:PORT");
			return (-1);
		}
		return (set_text(&c->smtp_url, v));
	} else if (strcmp(name, "smtp_user") == 0) {
		return (set_text(&c->smtp_user, v));
	} else if (strcmp(name, "smtp_password") == 0) {
		return (set_text(&c->smtp_password, v));
	} else if (strcmp(name, "mail_from") == 0) {
		char from[256];

		if (*v != '\0' &&
		    (mail_envelope_from(v, from, sizeof(from)) == -1 ||
		        !printable_ascii(v))) {
			snprintf(err, errlen,
			    "mail_from must be an address, "
			    "as a@example.org or Name <a@example.org>, in "
			    "ASCII");
			return (-1);
		}
		return (set_text(&c->mail_from, v));
	} else if (strcmp(name, "hook_ca_file") == 0) {
		free(c->hook_ca_file);
		/* Empty, as a template leaves it: none. */
		c->hook_ca_file = *v != '\0' ? xstrdup(v) : NULL;
	} else {
		snprintf(err, errlen, "unknown setting '%s'", name);
		return (-1);
	}
	return (0);
}

int
config_parse(struct config *c, const char *text, char *err, size_t errlen)
{
	char *copy, *line, *next, *eq, *name, *value;
	int   lineno, rc;

	memset(c, 0, sizeof(*c));
	c->session_ttl_seconds = 30 * 86400;
	c->deliver_hooks = 1;
	c->prepared_statements = 1;
	c->import_max_mib = 256;
	c->stream_max = 10000;
	c->stream_heartbeat_ms = 15000;
	c->metrics_host = xstrdup("127.0.0.1");
	c->metrics_port = xstrdup("9181");
	copy = xstrdup(text);
	rc = 0;
	lineno = 0;
	/* Not strtok: it would skip blank lines and miscount them. */
	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			snprintf(err, errlen, "line %d: expected name = value",
			    lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = trim(line);
		value = trim(eq + 1);
		if (set_option(c, name, value, err, errlen) == -1) {
			rc = -1;
			break;
		}
	}
	free(copy);
	if (rc == 0 && (c->database == NULL || *c->database == '\0')) {
		snprintf(err, errlen, "'database' is not set");
		rc = -1;
	}
	if (rc == 0 && c->smtp_url != NULL &&
	    (c->mail_from == NULL || c->public_url == NULL)) {
		snprintf(err, errlen,
		    "smtp_url needs mail_from and public_url (the links "
		    "in mail)");
		rc = -1;
	}
	if (rc == 0 && c->database_listen == NULL)
		c->database_listen = xstrdup(c->database);
	if (rc == 0 && c->assets_dir == NULL)
		c->assets_dir = xstrdup("assets");
	if (rc == 0 && c->key_file == NULL)
		c->key_file = xstrdup("parley.key");
	if (rc == -1)
		config_free(c);
	return (rc);
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *text;
	long  size;
	int   rc;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fseek(f, 0, SEEK_END) == -1 || (size = ftell(f)) < 0 ||
	    size > 1 << 20 || fseek(f, 0, SEEK_SET) == -1) {
		snprintf(err, errlen, "%s: unreadable or too large", path);
		fclose(f);
		return (-1);
	}
	if ((text = calloc(1, (size_t)size + 1)) == NULL)
		abort();
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: read error", path);
		free(text);
		fclose(f);
		return (-1);
	}
	fclose(f);
	rc = config_parse(c, text, err, errlen);
	free(text);
	return (rc);
}

void
config_free(struct config *c)
{
	size_t i;

	free(c->database);
	free(c->database_listen);
	free(c->database_replica);
	free(c->assets_dir);
	free(c->key_file);
	free(c->trusted_proxies);
	free(c->hook_ca_file);
	free(c->public_url);
	free(c->smtp_url);
	free(c->smtp_user);
	free(c->smtp_password);
	free(c->mail_from);
	free(c->metrics_host);
	free(c->metrics_port);
	for (i = 0; i < c->norigins; i++)
		free(c->origins[i]);
	memset(c, 0, sizeof(*c));
}
