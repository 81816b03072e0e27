/*
 * Unit tests for app/netaddr.c: CIDR parsing and membership, the proxy
 * list, and which X-Forwarded-For entry is believed.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "netaddr.h"

TestSuite(netaddr);

static struct netaddr_cidr
cidr(const char *s)
{
	struct netaddr_cidr c;

	cr_assert_eq(netaddr_cidr_parse(s, &c), 0, "refused: %s", s);
	return (c);
}

static struct netaddr_proxies
proxies(const char *list)
{
	struct netaddr_proxies p;

	memset(&p, 0, sizeof(p));
	cr_assert_eq(netaddr_proxies_parse(&p, list), 0, "refused: %s", list);
	return (p);
}

/* The client address for this peer and X-Forwarded-For. */
static const char *
client(const struct netaddr_proxies *p, const char *peer, const char *xff)
{
	static char out[NETADDR_TEXT_MAX];

	memset(out, 'x', sizeof(out));
	netaddr_client(p, peer, xff, out);
	cr_assert_lt(strlen(out), sizeof(out));
	return (out);
}

Test(netaddr, cidr_parse)
{
	struct netaddr_cidr c;

	c = cidr("10.0.0.0/8");
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 8);
	cr_assert_eq(c.addr[0], 10);
	c = cidr("127.0.0.1");
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 32);
	c = cidr("::1");
	cr_assert_eq(c.family, AF_INET6);
	cr_assert_eq(c.prefix, 128);
	cr_assert_eq(c.addr[15], 1);
	c = cidr("fd00::/8");
	cr_assert_eq(c.family, AF_INET6);
	cr_assert_eq(c.prefix, 8);
	cr_assert_eq(c.addr[0], 0xfd);
	c = cidr("0.0.0.0/0");
	cr_assert_eq(c.prefix, 0);
	c = cidr("::/0");
	cr_assert_eq(c.prefix, 0);
	c = cidr("2001:db8::/128");
	cr_assert_eq(c.prefix, 128);
	/* IPv4-mapped blocks become IPv4. */
	c = cidr("::ffff:10.0.0.0/104");
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 8);
	cr_assert_eq(c.addr[0], 10);
	c = cidr("::ffff:127.0.0.1");
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.prefix, 32);
}

Test(netaddr, cidr_parse_refused)
{
	static const char *const bad[] = {
		"",
		"/",
		"/8",
		"10.0.0.0/",
		"10.0.0.0/33",
		"::/129",
		"10.0.0.0/-1",
		"10.0.0.0/+8",
		"10.0.0.0/ 8",
		"10.0.0.0/8 ",
		" 10.0.0.0/8",
		"10.0.0.0/8/8",
		"10.0.0.0/0008",
		"10.0.0.0/x",
		"10.0.0",
		"10.0.0.256",
		"010.0.0.1",
		"1.2.3.4.5",
		"garbage",
		"localhost",
		"1.2.3.4:80",
		"[::1]",
		"fe80::1%eth0",
		":::1",
		"2001:db8::g",
		"10.0.0.0/8,",
		"1.2.3.4\n",
		"aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:a",
	};
	struct netaddr_cidr c;
	size_t              i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(netaddr_cidr_parse(bad[i], &c), -1,
		    "accepted: \"%s\"", bad[i]);
	cr_assert_eq(netaddr_cidr_parse(NULL, &c), -1);
}

Test(netaddr, contains)
{
	struct netaddr_cidr c;

	c = cidr("10.0.0.0/8");
	cr_assert(netaddr_cidr_contains(&c, "10.0.0.1"));
	cr_assert(netaddr_cidr_contains(&c, "10.255.255.255"));
	cr_assert_not(netaddr_cidr_contains(&c, "11.0.0.0"));
	cr_assert_not(netaddr_cidr_contains(&c, "9.255.255.255"));
	/* IPv4-mapped addresses are their IPv4 selves. */
	cr_assert(netaddr_cidr_contains(&c, "::ffff:10.1.2.3"));
	cr_assert_not(netaddr_cidr_contains(&c, "::ffff:11.1.2.3"));
	cr_assert_not(netaddr_cidr_contains(&c, "::1"));
	cr_assert_not(netaddr_cidr_contains(&c, "garbage"));
	cr_assert_not(netaddr_cidr_contains(&c, ""));
	cr_assert_not(netaddr_cidr_contains(&c, NULL));

	/* Prefixes not on a byte boundary. */
	c = cidr("192.168.4.0/22");
	cr_assert(netaddr_cidr_contains(&c, "192.168.4.0"));
	cr_assert(netaddr_cidr_contains(&c, "192.168.7.255"));
	cr_assert_not(netaddr_cidr_contains(&c, "192.168.8.0"));
	cr_assert_not(netaddr_cidr_contains(&c, "192.168.3.255"));
	/* Host bits in the block are ignored. */
	c = cidr("192.168.5.77/22");
	cr_assert(netaddr_cidr_contains(&c, "192.168.4.1"));
	c = cidr("203.0.113.9");
	cr_assert(netaddr_cidr_contains(&c, "203.0.113.9"));
	cr_assert_not(netaddr_cidr_contains(&c, "203.0.113.8"));
	c = cidr("0.0.0.0/0");
	cr_assert(netaddr_cidr_contains(&c, "1.2.3.4"));
	cr_assert_not(netaddr_cidr_contains(&c, "::1"));

	c = cidr("fd00::/8");
	cr_assert(netaddr_cidr_contains(&c, "fd12:3456::1"));
	cr_assert_not(netaddr_cidr_contains(&c, "fe80::1"));
	cr_assert_not(netaddr_cidr_contains(&c, "10.0.0.1"));
	c = cidr("2001:db8::/33");
	cr_assert(netaddr_cidr_contains(&c, "2001:db8:7fff::1"));
	cr_assert_not(netaddr_cidr_contains(&c, "2001:db8:8000::1"));
	c = cidr("::1");
	cr_assert(netaddr_cidr_contains(&c, "0:0:0:0:0:0:0:1"));
	cr_assert_not(netaddr_cidr_contains(&c, "127.0.0.1"));
	c = cidr("::/0");
	cr_assert(netaddr_cidr_contains(&c, "2001:db8::1"));
	/* An IPv4 address is never in an IPv6 block. */
	cr_assert_not(netaddr_cidr_contains(&c, "1.2.3.4"));
	cr_assert_not(netaddr_cidr_contains(&c, "::ffff:1.2.3.4"));

	c = cidr("::ffff:127.0.0.1");
	cr_assert(netaddr_cidr_contains(&c, "127.0.0.1"));
}

Test(netaddr, proxies_parse)
{
	struct netaddr_proxies p;

	p = proxies("10.0.0.0/8 127.0.0.1,::1 , fd00::/8,,\t192.168.0.1  ");
	cr_assert_eq(p.n, 5);
	cr_assert_eq(p.cidr[1].prefix, 32);
	cr_assert_eq(p.cidr[2].family, AF_INET6);
	p = proxies("");
	cr_assert_eq(p.n, 0);
	p = proxies(" , ");
	cr_assert_eq(p.n, 0);
	p = proxies(NULL);
	cr_assert_eq(p.n, 0);
	/* Adds to what is there. */
	p = proxies("10.0.0.1");
	cr_assert_eq(netaddr_proxies_parse(&p, "10.0.0.2 10.0.0.3"), 0);
	cr_assert_eq(p.n, 3);
}

Test(netaddr, proxies_refused)
{
	struct netaddr_proxies p;
	char                   list[1024];
	size_t                 i;

	memset(&p, 0, sizeof(p));
	cr_assert_eq(netaddr_proxies_parse(&p, "10.0.0.0/8 bogus"), -1);
	cr_assert_eq(p.n, 0, "a bad list adds nothing");
	cr_assert_eq(netaddr_proxies_parse(&p, "10.0.0.0/33"), -1);
	cr_assert_eq(netaddr_proxies_parse(&p, "10.0.0.0/8;127.0.0.1"), -1);
	cr_assert_eq(
	    netaddr_proxies_parse(&p,
	        "aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa/128-and-far-too-long-"
	        "to-be-an-address"),
	    -1);
	cr_assert_eq(p.n, 0);

	/* 16 fit, 17 do not. */
	list[0] = '\0';
	for (i = 0; i < NETADDR_PROXIES_MAX; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "10.0.0.%zu ", i);
	cr_assert_eq(netaddr_proxies_parse(&p, list), 0);
	cr_assert_eq(p.n, NETADDR_PROXIES_MAX);
	cr_assert_eq(netaddr_proxies_parse(&p, "10.1.0.0/16"), -1);
	cr_assert_eq(p.n, NETADDR_PROXIES_MAX);
	memset(&p, 0, sizeof(p));
	strcat(list, "10.0.0.99");
	cr_assert_eq(netaddr_proxies_parse(&p, list), -1);
	cr_assert_eq(p.n, 0);
}

Test(netaddr, peer_not_a_proxy_ignores_xff)
{
	struct netaddr_proxies p = proxies("10.0.0.0/8");

	/* A random client forging the header. */
	cr_assert_str_eq(client(&p, "198.51.100.4", "1.1.1.1"), "198.51.100.4");
	cr_assert_str_eq(client(&p, "198.51.100.4", "10.0.0.1, 1.1.1.1"),
	    "198.51.100.4");
	/* No proxies configured: the header is never believed. */
	memset(&p, 0, sizeof(p));
	cr_assert_str_eq(client(&p, "10.0.0.2", "1.1.1.1"), "10.0.0.2");
	cr_assert_str_eq(client(NULL, "10.0.0.2", "1.1.1.1"), "10.0.0.2");
}

Test(netaddr, no_xff_is_the_peer)
{
	struct netaddr_proxies p = proxies("10.0.0.0/8");

	cr_assert_str_eq(client(&p, "10.0.0.2", NULL), "10.0.0.2");
	cr_assert_str_eq(client(&p, "198.51.100.4", NULL), "198.51.100.4");
	cr_assert_str_eq(client(&p, "10.0.0.2", ""), "10.0.0.2");
	cr_assert_str_eq(client(&p, "10.0.0.2", "  "), "10.0.0.2");
}

Test(netaddr, proxy_peer_believed)
{
	struct netaddr_proxies p = proxies("10.0.0.0/8");

	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1, 10.0.0.2"),
	    "1.1.1.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1"), "1.1.1.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1,10.0.0.2"), "1.1.1.1");
	/* The client's own forged entries on the left are not believed. */
	cr_assert_str_eq(client(&p, "10.0.0.1",
	                     "6.6.6.6, 7.7.7.7, 1.1.1.1, 10.0.0.2"),
	    "1.1.1.1");
	/* Text is normalised. */
	cr_assert_str_eq(client(&p, "10.0.0.1", "2001:DB8:0:0::1"),
	    "2001:db8::1");
	cr_assert_str_eq(client(&p, "10.0.0.1", " ::ffff:1.1.1.1 "), "1.1.1.1");
}

Test(netaddr, chain_of_proxies)
{
	struct netaddr_proxies p = proxies("10.0.0.0/8, 192.168.1.1");

	cr_assert_str_eq(client(&p, "10.0.0.1",
	                     "1.1.1.1, 10.9.9.9, 192.168.1.1, 10.0.0.3"),
	    "1.1.1.1");
	/* All proxies: the leftmost. */
	cr_assert_str_eq(client(&p, "10.0.0.1", "10.1.1.1, 192.168.1.1"),
	    "10.1.1.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "192.168.1.1"), "192.168.1.1");
}

Test(netaddr, malformed_entries_stop_the_walk)
{
	struct netaddr_proxies p = proxies("10.0.0.0/8");

	/* The last good address seen: here the proxy entry. */
	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1, junk, 10.0.0.2"),
	    "10.0.0.2");
	/* The peer at worst. */
	cr_assert_str_eq(client(&p, "10.0.0.1", "junk"), "10.0.0.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1, "), "10.0.0.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1,,10.0.0.3"),
	    "10.0.0.3");
	/* Ports and brackets are malformed. */
	cr_assert_str_eq(client(&p, "10.0.0.1", "1.1.1.1:5678"), "10.0.0.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "[2001:db8::1]"), "10.0.0.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "[2001:db8::1]:443"),
	    "10.0.0.1");
	cr_assert_str_eq(client(&p, "10.0.0.1", "unknown, 10.0.0.5"),
	    "10.0.0.5");
	/* Malformed entries left of the client do not matter. */
	cr_assert_str_eq(client(&p, "10.0.0.1", "junk, 1.1.1.1"), "1.1.1.1");
	/* A huge entry. */
	cr_assert_str_eq(
	    client(&p, "10.0.0.1",
	        "1.1.1.1, 1111111111111111111111111111111111111111111111111111"
	        "111111111111111111111111111111111111111111111111111111111111"),
	    "10.0.0.1");
}

Test(netaddr, ipv6)
{
	struct netaddr_proxies p = proxies("fd00::/8 ::1");

	cr_assert_str_eq(client(&p, "::1", "2001:db8::7, fd00::2"),
	    "2001:db8::7");
	cr_assert_str_eq(client(&p, "fd00::1", "203.0.113.7"), "203.0.113.7");
	cr_assert_str_eq(client(&p, "2001:db8::99", "203.0.113.7"),
	    "2001:db8::99");
	cr_assert_str_eq(client(&p, "2001:0db8:0000::0099", NULL),
	    "2001:db8::99");
}

Test(netaddr, ipv4_mapped_peer)
{
	struct netaddr_proxies p = proxies("127.0.0.1");

	/* A dual-stack listener reports IPv4 peers mapped. */
	cr_assert_str_eq(client(&p, "::ffff:127.0.0.1", "1.1.1.1"), "1.1.1.1");
	cr_assert_str_eq(client(&p, "::ffff:127.0.0.1", NULL), "127.0.0.1");
	cr_assert_str_eq(client(&p, "::ffff:198.51.100.4", "1.1.1.1"),
	    "198.51.100.4");
	/* Mapped entries in the header are proxies too. */
	cr_assert_str_eq(client(&p, "127.0.0.1", "1.1.1.1, ::ffff:127.0.0.1"),
	    "1.1.1.1");
}

Test(netaddr, bad_peer)
{
	struct netaddr_proxies p = proxies("0.0.0.0/0");

	cr_assert_str_eq(client(&p, NULL, "1.1.1.1"), "");
	cr_assert_str_eq(client(&p, "", "1.1.1.1"), "");
	cr_assert_str_eq(client(&p, "unix:/tmp/sock", "1.1.1.1"), "");
}

/* The key an address is limited by: "" when refused. */
static const char *
limit_key(const char *addr, int want)
{
	static char out[NETADDR_TEXT_MAX];

	memset(out, 'x', sizeof(out));
	cr_assert_eq(netaddr_limit_key(addr, out), want, "%s",
	    addr ? addr : "(null)");
	cr_assert_lt(strlen(out), sizeof(out));
	return (out);
}

Test(netaddr, limit_key_groups_ipv6_by_64)
{
	cr_assert_str_eq(limit_key("2001:db8:1:2:abcd:ef01:2345:6789", 0),
	    "2001:db8:1:2::/64");
	cr_assert_str_eq(limit_key("2001:DB8:1:2::1", 0), "2001:db8:1:2::/64");
	cr_assert_str_eq(limit_key("2001:db8:1:2:ffff:ffff:ffff:ffff", 0),
	    "2001:db8:1:2::/64");
	cr_assert_str_eq(limit_key("2001:db8:1:3::1", 0), "2001:db8:1:3::/64");
	cr_assert_str_eq(limit_key("2001:db8::1", 0), "2001:db8::/64");
	cr_assert_str_eq(limit_key("fe80::1:2:3:4", 0), "fe80::/64");
	cr_assert_str_eq(limit_key("::1", 0), "::/64");
	cr_assert_str_eq(limit_key("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 0),
	    "2001:db8:ffff:ffff::/64");
}

Test(netaddr, limit_key_keeps_ipv4_whole)
{
	cr_assert_str_eq(limit_key("192.0.2.7", 0), "192.0.2.7");
	cr_assert_str_eq(limit_key("192.0.2.8", 0), "192.0.2.8");
	cr_assert_str_eq(limit_key("10.0.0.1", 0), "10.0.0.1");
	/* IPv4-mapped IPv6 is the IPv4 address it maps, not a /64. */
	cr_assert_str_eq(limit_key("::ffff:192.0.2.7", 0), "192.0.2.7");
	cr_assert_str_eq(limit_key("::FFFF:c000:0207", 0), "192.0.2.7");
}

Test(netaddr, limit_key_refuses_what_is_not_an_address)
{
	const char *bad[] = {
		"",
		" 192.0.2.7",
		"192.0.2.7 ",
		"192.0.2.7:80",
		"[::1]",
		"2001:db8::/64",
		"192.0.2.0/24",
		"fe80::1%eth0",
		"localhost",
		"2001:db8:1:2:3:4:5:6:7",
		"1.2.3",
		"::ffff:1.2.3.4.5",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_str_eq(limit_key(bad[i], -1), "", "%s", bad[i]);
	cr_assert_str_eq(limit_key(NULL, -1), "");
}

Test(netaddr, limit_key_fits_the_longest_address)
{
	char long6[NETADDR_TEXT_MAX];

	/* The longest text inet_ntop makes, IPv4-in-IPv6 included. */
	cr_assert_str_eq(limit_key("1234:5678:9abc:def0:1234:5678:9abc:def0",
	                     0),
	    "1234:5678:9abc:def0::/64");
	cr_assert_str_eq(limit_key("1234:5678:9abc:def0::255.255.255.255", 0),
	    "1234:5678:9abc:def0::/64");
	memset(long6, 'a', sizeof(long6) - 1);
	long6[sizeof(long6) - 1] = '\0';
	cr_assert_str_eq(limit_key(long6, -1), "");
}
