/*
 * Where hooks may connect, and how every hook request is set up (event
 * deliveries, deliver.c; the verdict hook, verdict.c). Admins type hook
 * URLs, so a hook must not become a way into the machine's own network
 * (SSRF): loopback, private, link-local (cloud metadata lives there),
 * shared, multicast and reserved addresses are refused unless the
 * configuration says hook_allow_private_networks = yes. The check is made
 * on each address libcurl is about to connect to, after name resolution,
 * so a name that later resolves elsewhere is caught too. Kore-free.
 */
#ifndef PARLEY_HOOK_NET_H
#define PARLEY_HOOK_NET_H

#include <sys/socket.h>

#include <stddef.h>

#include <curl/curl.h>

#define HOOK_REFUSED_MAX 192

/* Why the last connection of a request was refused ("" if none). */
struct hook_guard {
	char refused[HOOK_REFUSED_MAX];
};

/* Once at start, from the configuration: 1 lets hooks reach any address. */
void hook_net_allow_private(int);

/*
 * NULL when hooks may connect to the address, else what kind of address
 * it is ("a loopback address", "a private address", ...). IPv4-mapped,
 * NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address inside.
 */
const char *hook_addr_kind_refused(const struct sockaddr *);

/*
 * Sets up h for a hook request: http and https only, no redirects, no
 * proxy from the environment, no signals, the CA bundle (ca_bundle.h),
 * and the address check above, reporting into g. Again after every
 * curl_easy_reset.
 */
void hook_net_setup(CURL *h, struct hook_guard *g);

#endif
