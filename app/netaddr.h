/*
 * Client addresses behind reverse proxies: X-Forwarded-For is believed
 * only when the peer is one of the configured proxies.
 */
#ifndef PARLEY_NETADDR_H
#define PARLEY_NETADDR_H

#include <stddef.h>

#define NETADDR_TEXT_MAX    64
#define NETADDR_PROXIES_MAX 16

struct netaddr_cidr {
	int           family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int           prefix; /* bits */
};

struct netaddr_proxies {
	struct netaddr_cidr cidr[NETADDR_PROXIES_MAX];
	size_t              n;
};

/* Parses "10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8". 0 or -1. */
int netaddr_cidr_parse(const char *, struct netaddr_cidr *);
/* 1 if the address text lies in the block. */
int netaddr_cidr_contains(const struct netaddr_cidr *, const char *);
/* Adds a space- or comma-separated list; -1 on a bad entry or too many. */
int netaddr_proxies_parse(struct netaddr_proxies *, const char *);
/* 1 if the address text is one of the trusted proxies. */
int netaddr_is_proxy(const struct netaddr_proxies *, const char *);
/*
 * The client's address: the peer itself unless the peer is a trusted
 * proxy and xff (X-Forwarded-For, may be NULL) is present; then the
 * rightmost address in xff (every X-Forwarded-For line of the request,
 * joined in order with ", ") that is not a trusted proxy (walking from the
 * right), or the leftmost one if all are proxies. Malformed entries stop
 * the walk: the last good address seen (the peer at worst) is used.
 * Output is normalised text (inet_ntop); IPv4-mapped IPv6 becomes IPv4.
 * An entry is a bare address: "1.2.3.4:80" or "[::1]" is malformed. out
 * is "" when peer is NULL or not an address.
 */
void netaddr_client(const struct netaddr_proxies *, const char *peer,
    const char *xff, char out[NETADDR_TEXT_MAX]);

/*
 * The key every per-address limit counts a client by (rate limits,
 * failed logins, registrations, guest votes): an IPv6 address stands for
 * its /64 ("2001:db8:1:2::/64"), the usual allocation of one subscriber,
 * who would otherwise have 2^64 addresses with limits of their own; an
 * IPv4 address stands for itself ("192.0.2.7"; IPv4-mapped IPv6 is the
 * IPv4 it maps). 0, or -1 with out "" when addr is not an address (as in
 * netaddr_client). SQL applies the same rule to stored addresses
 * (limit_net in sql/functions/common.sql).
 */
int netaddr_limit_key(const char *addr, char out[NETADDR_TEXT_MAX]);

#endif
