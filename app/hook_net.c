/*
 * Where hooks may connect (see hook_net.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "ca_bundle.h"
#include "hook_net.h"

static int allow_private;

void
hook_net_allow_private(int yes)
{
	allow_private = yes;
}

/* An IPv4 block: the address's first bits, how many, and its kind. */
struct v4_block {
	uint32_t    net;
	int         bits;
	const char *kind;
};

static const struct v4_block v4_refused[] = {
	{ 0x00000000, 8, "an unspecified address" }, /* 0/8 */
	{ 0x0a000000, 8, "a private address" }, /* 10/8 */
	{ 0x64400000, 10, "a shared (carrier NAT) address" }, /* 100.64/10 */
	{ 0x7f000000, 8, "a loopback address" }, /* 127/8 */
	{ 0xa9fe0000, 16, "a link-local (cloud metadata) address" },
	{ 0xac100000, 12, "a private address" }, /* 172.16/12 */
	{ 0xc0000000, 24, "a reserved address" }, /* 192.0.0/24 */
	{ 0xc0a80000, 16, "a private address" }, /* 192.168/16 */
	{ 0xc6120000, 15, "a benchmarking address" }, /* 198.18/15 */
	{ 0xe0000000, 4, "a multicast address" }, /* 224/4 */
	{ 0xf0000000, 4, "a reserved address" }, /* 240/4 */
};

static const char *
v4_kind(uint32_t a)
{
	size_t i;

	for (i = 0; i < sizeof(v4_refused) / sizeof(v4_refused[0]); i++) {
		uint32_t mask = 0xffffffffu << (32 - v4_refused[i].bits);

		if ((a & mask) == v4_refused[i].net)
			return (v4_refused[i].kind);
	}
	return (NULL);
}

static uint32_t
v4_at(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static const char *
v6_kind(const unsigned char *a)
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	if (memcmp(a, zero, 15) == 0)
		return (a[15] == 1 ? "a loopback address" :
		        a[15] == 0 ? "an unspecified address" :
		                     "a reserved address");
	/* Addresses that carry an IPv4 address are judged by it. */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return (v4_kind(v4_at(a + 12)));
	if (a[0] == 0x20 && a[1] == 0x02) /* 6to4: 2002::/16 */
		return (v4_kind(v4_at(a + 2)));
	if ((a[0] & 0xfe) == 0xfc) /* fc00::/7 */
		return ("a private (unique local) address");
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) /* fe80::/10 */
		return ("a link-local address");
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) /* fec0::/10 */
		return ("a private (site-local) address");
	if (a[0] == 0xff)
		return ("a multicast address");
	return (NULL);
}

const char *
hook_addr_kind_refused(const struct sockaddr *sa)
{
	const struct sockaddr_in  *v4;
	const struct sockaddr_in6 *v6;

	switch (sa->sa_family) {
	case AF_INET:
		v4 = (const struct sockaddr_in *)(const void *)sa;
		return (v4_kind(ntohl(v4->sin_addr.s_addr)));
	case AF_INET6:
		v6 = (const struct sockaddr_in6 *)(const void *)sa;
		return (v6_kind(v6->sin6_addr.s6_addr));
	default:
		return ("not an internet address");
	}
}

/* libcurl asks for each socket it connects: refuse the ones above. */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct hook_guard *g = arg;
	const char        *kind;
	char               text[INET6_ADDRSTRLEN];
	const void        *raw;

	(void)purpose;
	if (!allow_private &&
	    (kind = hook_addr_kind_refused(&addr->addr)) != NULL) {
		raw = addr->family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)(void *)&addr->addr)
		        ->sin6_addr :
		    (const void *)&((struct sockaddr_in *)(void *)&addr->addr)
		        ->sin_addr;
		if (inet_ntop(addr->family, raw, text, sizeof(text)) == NULL)
			(void)snprintf(text, sizeof(text), "?");
		(void)snprintf(g->refused, sizeof(g->refused),
		    "refused to "
		    "connect to %s: %s (hook_allow_private_networks is off)",
		    text, kind);
		return (CURL_SOCKET_BAD);
	}
	return (socket(addr->family, addr->socktype, addr->protocol));
}

void
hook_net_setup(CURL *h, struct hook_guard *g)
{
	g->refused[0] = '\0';
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* Admins enter hook URLs; Parley still goes nowhere else. */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, g);
	/* Checked when the bundle was loaded: cannot fail here. */
	(void)ca_bundle_apply(h);
}
