/*
 * Unit tests for app/stream_caps.c: the node's and each address's
 * stream caps hold across worker slots and across processes, an IPv6
 * /64 counts as one address, and a restarted worker's slot starts empty.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <unistd.h>

#include <criterion/criterion.h>

#include "stream_caps.h"

TestSuite(stream_caps);

static void
ok(struct stream_caps *c, unsigned slot, const char *addr, uint32_t *t)
{
	cr_assert_eq(stream_caps_open(c, slot, addr, t), STREAM_CAPS_OK,
	    "refused: %s on slot %u", addr, slot);
}

Test(stream_caps, bad_arguments)
{
	cr_assert_null(stream_caps_create(0, 10, 8));
	cr_assert_null(stream_caps_create(256, 10, 8));
	cr_assert_null(stream_caps_create(2, 0, 8));
	cr_assert_null(stream_caps_create(2, 10, 0));
}

Test(stream_caps, node_cap_over_workers)
{
	struct stream_caps *c = stream_caps_create(2, 3, 8);
	uint32_t            t[4];

	cr_assert_not_null(c);
	ok(c, 0, "192.0.2.1", &t[0]);
	ok(c, 1, "192.0.2.2", &t[1]);
	ok(c, 1, "192.0.2.3", &t[2]);
	cr_assert_eq(stream_caps_node(c), 3);
	/* Neither worker holds 3, the node does. */
	cr_assert_eq(stream_caps_open(c, 0, "192.0.2.4", &t[3]),
	    STREAM_CAPS_NODE);
	cr_assert_eq(stream_caps_open(c, 1, "192.0.2.4", &t[3]),
	    STREAM_CAPS_NODE);
	cr_assert_eq(stream_caps_node(c), 3, "a refusal is not counted");
	cr_assert_eq(stream_caps_address(c, "192.0.2.4"), 0);
	stream_caps_close(c, 1, t[1]);
	ok(c, 0, "192.0.2.4", &t[3]);
	stream_caps_destroy(c);
}

Test(stream_caps, address_cap_over_workers)
{
	struct stream_caps *c = stream_caps_create(3, 100000, 2);
	uint32_t            t[4];

	ok(c, 0, "198.51.100.7", &t[0]);
	ok(c, 2, "198.51.100.7", &t[1]);
	cr_assert_eq(stream_caps_address(c, "198.51.100.7"), 2);
	cr_assert_eq(stream_caps_open(c, 1, "198.51.100.7", &t[2]),
	    STREAM_CAPS_ADDRESS);
	cr_assert_eq(stream_caps_node(c), 2);
	ok(c, 1, "198.51.100.8", &t[2]);
	stream_caps_close(c, 0, t[0]);
	ok(c, 1, "198.51.100.7", &t[3]);
	stream_caps_destroy(c);
}

Test(stream_caps, ipv6_counts_by_64)
{
	struct stream_caps *c = stream_caps_create(2, 100000, 2);
	uint32_t            t[4];

	ok(c, 0, "2001:db8:1:2::1", &t[0]);
	ok(c, 1, "2001:db8:1:2:ffff:eeee:dddd:9", &t[1]);
	cr_assert_eq(stream_caps_address(c, "2001:db8:1:2::77"), 2);
	cr_assert_eq(stream_caps_open(c, 0, "2001:db8:1:2::abcd", &t[2]),
	    STREAM_CAPS_ADDRESS);
	ok(c, 0, "2001:db8:1:3::1", &t[2]);
	/* IPv4-mapped IPv6 is its IPv4 address. */
	ok(c, 0, "192.0.2.9", &t[3]);
	cr_assert_eq(stream_caps_address(c, "::ffff:192.0.2.9"), 1);
	stream_caps_destroy(c);
}

Test(stream_caps, restarted_worker_starts_empty)
{
	struct stream_caps *c = stream_caps_create(2, 4, 8);
	uint32_t            t[4];

	stream_caps_worker_start(c, 0);
	stream_caps_worker_start(c, 1);
	ok(c, 0, "192.0.2.1", &t[0]);
	ok(c, 1, "192.0.2.1", &t[1]);
	ok(c, 1, "192.0.2.1", &t[2]);
	ok(c, 1, "192.0.2.2", &t[3]);
	cr_assert_eq(stream_caps_open(c, 0, "192.0.2.3", &t[3]),
	    STREAM_CAPS_NODE);
	/* Worker 1 died with its three streams and starts again. */
	stream_caps_worker_start(c, 1);
	cr_assert_eq(stream_caps_node(c), 1);
	cr_assert_eq(stream_caps_address(c, "192.0.2.1"), 1);
	cr_assert_eq(stream_caps_address(c, "192.0.2.2"), 0);
	ok(c, 1, "192.0.2.3", &t[3]);
	stream_caps_destroy(c);
}

/* Workers are processes forked after the mapping: each sees the others'. */
Test(stream_caps, shared_across_processes)
{
	struct stream_caps *c = stream_caps_create(2, 2, 8);
	uint32_t            t;
	pid_t               pid;
	int                 st;

	ok(c, 0, "192.0.2.1", &t);
	if ((pid = fork()) == 0) {
		uint32_t u;

		_exit(
		    stream_caps_open(c, 1, "192.0.2.1", &u) == STREAM_CAPS_OK &&
		            stream_caps_open(c, 1, "192.0.2.2", &u) ==
		                STREAM_CAPS_NODE ?
		        0 :
		        1);
	}
	cr_assert_gt(pid, 0);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(stream_caps_node(c), 2, "the child's stream counts here");
	cr_assert_eq(stream_caps_address(c, "192.0.2.1"), 2);
	stream_caps_destroy(c);
}
