/*
 * Unit tests for app/hook_net.c: which addresses hooks may not reach
 * unless hook_allow_private_networks is on.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include <criterion/criterion.h>

#include "hook_net.h"

TestSuite(hook_net);

static const char *
kind(const char *text)
{
	struct sockaddr_in  v4;
	struct sockaddr_in6 v6;

	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		return (hook_addr_kind_refused((struct sockaddr *)&v4));
	}
	cr_assert_eq(inet_pton(AF_INET6, text, &v6.sin6_addr), 1, "%s", text);
	v6.sin6_family = AF_INET6;
	return (hook_addr_kind_refused((struct sockaddr *)&v6));
}

Test(hook_net, refuses_the_machines_own_networks)
{
	static const char *const refused[] = {
		"127.0.0.1",
		"127.255.255.254",
		"0.0.0.0",
		"10.1.2.3",
		"172.16.0.1",
		"172.31.255.255",
		"192.168.1.1",
		"169.254.169.254",
		"100.64.0.1",
		"100.127.255.255",
		"192.0.0.8",
		"198.18.0.1",
		"224.0.0.1",
		"255.255.255.255",
		"240.0.0.1",
		"::1",
		"::",
		"fc00::1",
		"fd00:ec2::254",
		"fe80::1",
		"fec0::1",
		"ff02::1",
		"::ffff:127.0.0.1",
		"::ffff:10.0.0.1",
		"64:ff9b::a9fe:a9fe",
		"2002:7f00:1::1",
		"2002:c0a8:0101::1",
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		cr_assert_not_null(kind(refused[i]), "%s allowed", refused[i]);
	cr_assert_str_eq(kind("127.0.0.1"), "a loopback address");
	cr_assert(strstr(kind("169.254.169.254"), "metadata") != NULL);
}

Test(hook_net, allows_the_internet)
{
	static const char *const allowed[] = {
		"93.184.216.34",
		"1.1.1.1",
		"8.8.8.8",
		"172.15.255.255",
		"172.32.0.1",
		"192.169.0.1",
		"100.63.255.255",
		"100.128.0.1",
		"169.253.255.255",
		"11.0.0.1",
		"223.255.255.255",
		"2606:2800:220:1:248:1893:25c8:1946",
		"2001:4860:4860::8888",
		"::ffff:93.184.216.34",
		"2002:5db8:d822::1",
	};
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		cr_assert_null(kind(allowed[i]), "%s refused: %s", allowed[i],
		    kind(allowed[i]));
}
