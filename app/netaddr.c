/*
 * Client addresses behind reverse proxies (see netaddr.h).
 *
 * An address is exactly what inet_pton takes: dotted IPv4 or IPv6 text
 * without brackets, zone or port. An X-Forwarded-For entry like
 * "1.2.3.4:5678" or "[::1]" is malformed, and stops the walk like any
 * other bad entry. IPv4-mapped IPv6 (::ffff:a.b.c.d) is treated as the
 * IPv4 address it maps, so a dual-stack listener that reports
 * "::ffff:127.0.0.1" still matches a proxy configured as 127.0.0.1.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "netaddr.h"

static const unsigned char v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff };

/* Parses n bytes of address text; no normalisation. */
static int
addr_parse_raw(const char *s, size_t n, int *family, unsigned char a[16])
{
	char tmp[NETADDR_TEXT_MAX];

	if (n == 0 || n >= sizeof(tmp))
		return (-1);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (memchr(tmp, '\0', n) != NULL)
		return (-1);
	memset(a, 0, 16);
	if (inet_pton(AF_INET, tmp, a) == 1) {
		*family = AF_INET;
		return (0);
	}
	if (inet_pton(AF_INET6, tmp, a) == 1) {
		*family = AF_INET6;
		return (0);
	}
	return (-1);
}

static int
is_v4mapped(int family, const unsigned char a[16])
{
	return (family == AF_INET6 &&
	    memcmp(a, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0);
}

static void
to_v4(int *family, unsigned char a[16])
{
	memmove(a, a + 12, 4);
	memset(a + 4, 0, 12);
	*family = AF_INET;
}

/* An address, IPv4-mapped IPv6 turned into IPv4. */
static int
addr_parse(const char *s, size_t n, int *family, unsigned char a[16])
{
	if (addr_parse_raw(s, n, family, a) == -1)
		return (-1);
	if (is_v4mapped(*family, a))
		to_v4(family, a);
	return (0);
}

static int
cidr_has(const struct netaddr_cidr *c, int family, const unsigned char a[16])
{
	int           bytes, bits;
	unsigned char mask;

	if (c->family != family)
		return (0);
	bytes = c->prefix / 8;
	bits = c->prefix % 8;
	if (memcmp(c->addr, a, bytes) != 0)
		return (0);
	if (bits == 0)
		return (1);
	mask = (unsigned char)(0xff << (8 - bits));
	return ((c->addr[bytes] & mask) == (a[bytes] & mask));
}

int
netaddr_cidr_parse(const char *s, struct netaddr_cidr *c)
{
	const char   *slash, *p;
	size_t        n;
	int           family, prefix, max;
	unsigned char a[16];

	if (s == NULL)
		return (-1);
	slash = strchr(s, '/');
	n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (addr_parse_raw(s, n, &family, a) == -1)
		return (-1);
	max = family == AF_INET ? 32 : 128;
	prefix = max;
	if (slash != NULL) {
		/* Digits only: no sign, no blanks, at most three. */
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3)
			return (-1);
		for (prefix = 0; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return (-1);
			prefix = prefix * 10 + (*p - '0');
		}
		if (prefix > max)
			return (-1);
	}
	/* ::ffff:10.0.0.0/104 is 10.0.0.0/8; shorter prefixes stay IPv6. */
	if (is_v4mapped(family, a) && prefix >= 96) {
		to_v4(&family, a);
		prefix -= 96;
	}
	c->family = family;
	memcpy(c->addr, a, sizeof(c->addr));
	c->prefix = prefix;
	return (0);
}

int
netaddr_cidr_contains(const struct netaddr_cidr *c, const char *s)
{
	int           family;
	unsigned char a[16];

	if (s == NULL || addr_parse(s, strlen(s), &family, a) == -1)
		return (0);
	return (cidr_has(c, family, a));
}

static int
is_sep(char ch)
{
	return (
	    ch == ' ' || ch == ',' || ch == '\t' || ch == '\n' || ch == '\r');
}

/* All or nothing: p only changes when every entry is good. */
int
netaddr_proxies_parse(struct netaddr_proxies *p, const char *list)
{
	struct netaddr_proxies tmp;
	char                   word[NETADDR_TEXT_MAX + 8];
	const char            *s, *e;

	if (list == NULL)
		return (0);
	tmp = *p;
	for (s = list; *s != '\0'; s = e) {
		while (is_sep(*s))
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e != '\0' && !is_sep(*e); e++)
			;
		if ((size_t)(e - s) >= sizeof(word) ||
		    tmp.n >= NETADDR_PROXIES_MAX)
			return (-1);
		memcpy(word, s, e - s);
		word[e - s] = '\0';
		if (netaddr_cidr_parse(word, &tmp.cidr[tmp.n]) == -1)
			return (-1);
		tmp.n++;
	}
	*p = tmp;
	return (0);
}

static int
is_proxy(const struct netaddr_proxies *p, int family, const unsigned char a[16])
{
	size_t i;

	if (p == NULL)
		return (0);
	for (i = 0; i < p->n && i < NETADDR_PROXIES_MAX; i++) {
		if (cidr_has(&p->cidr[i], family, a))
			return (1);
	}
	return (0);
}

static void
addr_text(int family, const unsigned char a[16], char out[NETADDR_TEXT_MAX])
{
	if (inet_ntop(family, a, out, NETADDR_TEXT_MAX) == NULL)
		out[0] = '\0';
}

int
netaddr_is_proxy(const struct netaddr_proxies *p, const char *text)
{
	int           family;
	unsigned char a[16];

	if (text == NULL || addr_parse(text, strlen(text), &family, a) == -1)
		return (0);
	return (is_proxy(p, family, a));
}

void
netaddr_client(const struct netaddr_proxies *p, const char *peer,
    const char *xff, char out[NETADDR_TEXT_MAX])
{
	size_t        end, b, s, e;
	int           family;
	unsigned char a[16];

	out[0] = '\0';
	if (peer == NULL || addr_parse(peer, strlen(peer), &family, a) == -1)
		return;
	addr_text(family, a, out);
	if (xff == NULL || !is_proxy(p, family, a))
		return;

	/* Walk the entries from the right; out holds the last good one. */
	for (end = strlen(xff);; end = b - 1) {
		for (b = end; b > 0 && xff[b - 1] != ','; b--)
			;
		for (s = b; s < end && (xff[s] == ' ' || xff[s] == '\t'); s++)
			;
		for (e = end;
		     e > s && (xff[e - 1] == ' ' || xff[e - 1] == '\t'); e--)
			;
		if (addr_parse(xff + s, e - s, &family, a) == -1)
			return;
		addr_text(family, a, out);
		if (!is_proxy(p, family, a) || b == 0)
			return;
	}
}

int
netaddr_limit_key(const char *addr, char out[NETADDR_TEXT_MAX])
{
	int           family;
	size_t        len;
	unsigned char a[16];

	out[0] = '\0';
	if (addr == NULL || addr_parse(addr, strlen(addr), &family, a) == -1)
		return (-1);
	if (family == AF_INET) {
		addr_text(family, a, out);
		return (out[0] != '\0' ? 0 : -1);
	}
	/* The interface identifier goes: what is left names the /64. */
	memset(a + 8, 0, 8);
	addr_text(family, a, out);
	len = strlen(out);
	if (len == 0 || len + sizeof("/64") > NETADDR_TEXT_MAX) {
		out[0] = '\0';
		return (-1);
	}
	memcpy(out + len, "/64", sizeof("/64"));
	return (0);
}
