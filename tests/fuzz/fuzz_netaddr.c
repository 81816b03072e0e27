/*
 * libFuzzer harness for app/netaddr.c. The input is lines: trusted
 * proxies, the peer, then X-Forwarded-For. Whatever they hold, the client
 * address is "" or an address inet_pton reads back, and every line is
 * tried as a CIDR block, which then holds its own address.
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The next line of *p (NUL-terminated in place), or NULL. */
static char *
line(char **p)
{
	char *s = *p, *nl;

	if (s == NULL)
		return (NULL);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else
		*p = NULL;
	return (s);
}

static void
check_address(const char *a)
{
	unsigned char bin[16];

	if (strlen(a) >= NETADDR_TEXT_MAX)
		abort();
	if (a[0] != '\0' && inet_pton(AF_INET, a, bin) != 1 &&
	    inet_pton(AF_INET6, a, bin) != 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netaddr_proxies proxies;
	struct netaddr_cidr    cidr;
	char                  *text, *rest, *proxy_line, *peer, *xff, *l;
	char                   out[NETADDR_TEXT_MAX];

	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	rest = text;
	proxy_line = line(&rest);
	peer = line(&rest);
	xff = rest;

	memset(&proxies, 0, sizeof(proxies));
	if (proxy_line != NULL)
		(void)netaddr_proxies_parse(&proxies, proxy_line);
	netaddr_client(&proxies, peer, xff, out);
	check_address(out);
	if (peer != NULL)
		(void)netaddr_is_proxy(&proxies, peer);

	/* Each line as a block, which holds the address it names. */
	memcpy(text, data, size);
	text[size] = '\0';
	for (rest = text; (l = line(&rest)) != NULL;) {
		if (netaddr_cidr_parse(l, &cidr) == -1)
			continue;
		if (cidr.prefix < 0 ||
		    cidr.prefix > (cidr.family == AF_INET ? 32 : 128))
			abort();
		if (strchr(l, '/') == NULL && !netaddr_cidr_contains(&cidr, l))
			abort();
		if (peer != NULL)
			(void)netaddr_cidr_contains(&cidr, peer);
	}
	free(text);
	return (0);
}
