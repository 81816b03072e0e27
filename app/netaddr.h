/*
 * Client addresses behind reverse proxies: X-Forwarded-For is believed
 * only when the peer is one of the configured proxies.
 */
#ifndef PARLEY_NETADDR_H
#define PARLEY_NETADDR_H

#include <stddef.h>

#define NETADDR_TEXT_MAX	64
#define NETADDR_PROXIES_MAX	16

struct netaddr_cidr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];
	int		prefix;		/* bits */
};

struct netaddr_proxies {
	struct netaddr_cidr	cidr[NETADDR_PROXIES_MAX];
	size_t			n;
};

/* Parses "10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8". 0 or -1. */
int	netaddr_cidr_parse(const char *, struct netaddr_cidr *);
/* 1 if the address text lies in the block. */
int	netaddr_cidr_contains(const struct netaddr_cidr *, const char *);
/* Adds a space- or comma-separated list; -1 on a bad entry or too many. */
int	netaddr_proxies_parse(struct netaddr_proxies *, const char *);
/*
 * The client's address: the peer itself unless the peer is a trusted
 * proxy and xff (X-Forwarded-For, may be NULL) is present; then the
 * rightmost address in xff that is not a trusted proxy (walking from the
 * right), or the leftmost one if all are proxies. Malformed entries stop
 * the walk: the last good address seen (the peer at worst) is used.
 * Output is normalised text (inet_ntop); IPv4-mapped IPv6 becomes IPv4.
 * An entry is a bare address: "1.2.3.4:80" or "[::1]" is malformed. out
 * is "" when peer is NULL or not an address.
 */
void	netaddr_client(const struct netaddr_proxies *, const char *peer,
	    const char *xff, char out[NETADDR_TEXT_MAX]);

#endif
