/*
 * Unit tests for app/metrics.c: values add up across worker slots (and
 * across processes sharing the mapping), counters outlive a worker's
 * restart while gauges start again from zero, histogram buckets are
 * cumulative, label values are escaped, and the start-time table.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "metrics.h"

TestSuite(metrics);

static char *
render(const struct metrics *m, const struct metrics_extra *x)
{
	struct buf b;
	char      *s;

	buf_init(&b);
	metrics_render(m, x, &b);
	buf_putc(&b, '\0');
	s = xstrdup(b.data);
	buf_free(&b);
	return (s);
}

Test(metrics, bad_arguments)
{
	struct metrics *m;
	char            name[METRICS_ROUTE_NAME_MAX + 1];
	int             i;

	cr_assert_null(metrics_create(0));
	cr_assert_null(metrics_create(256));
	m = metrics_create(1);
	cr_assert_eq(metrics_route(m, ""), -1);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	cr_assert_eq(metrics_route(m, name), -1);
	for (i = 0; i < METRICS_ROUTES_MAX; i++) {
		char n[16];

		snprintf(n, sizeof(n), "r%d", i);
		cr_assert_eq(metrics_route(m, n), i);
	}
	cr_assert_eq(metrics_route(m, "one_too_many"), -1);
	cr_assert_eq(metrics_route(m, "r3"), 3, "a name given again");
	metrics_destroy(m);
	/* Without a slot nothing counts, nothing crashes. */
	metrics_count(METRICS_CACHE_HITS, 1);
	metrics_request(0, METRICS_GET, 200, 5);
}

Test(metrics, sums_across_slots)
{
	struct metrics *m = metrics_create(3);
	int             r = metrics_route(m, "comments");

	metrics_attach(m, 0);
	metrics_count(METRICS_CACHE_HITS, 2);
	metrics_gauge_set(METRICS_CACHE_BYTES, 100);
	metrics_request(r, METRICS_GET, 200, 10);
	metrics_attach(m, 2);
	metrics_count(METRICS_CACHE_HITS, 5);
	metrics_gauge_set(METRICS_CACHE_BYTES, 50);
	metrics_gauge_add(METRICS_PW_QUEUE, 2);
	metrics_gauge_add(METRICS_PW_QUEUE, -1);
	metrics_request(r, METRICS_GET, 204, 10);
	metrics_request(r, METRICS_POST, 503, 10);
	metrics_request(r, METRICS_POST, 999, 10); /* nonsense: 5xx */
	cr_assert_eq(metrics_counter_sum(m, METRICS_CACHE_HITS), 7);
	cr_assert_eq(metrics_gauge_sum(m, METRICS_CACHE_BYTES), 150);
	cr_assert_eq(metrics_gauge_sum(m, METRICS_PW_QUEUE), 1);
	cr_assert_eq(metrics_requests_sum(m, r, METRICS_GET, 2), 2);
	cr_assert_eq(metrics_requests_sum(m, r, METRICS_POST, 5), 2);
	cr_assert_eq(metrics_requests_sum(m, r, METRICS_POST, 2), 0);
	metrics_attach(NULL, 0);
	metrics_destroy(m);
}

Test(metrics, across_processes)
{
	struct metrics *m = metrics_create(4);
	int             r = metrics_route(m, "counts");
	unsigned        w;
	int             i, status;
	pid_t           pid[4];

	for (w = 0; w < 4; w++) {
		if ((pid[w] = fork()) == 0) {
			metrics_attach(m, w);
			for (i = 0; i < 1000; i++) {
				metrics_request(r, METRICS_GET, 200, 1);
				metrics_count(METRICS_COMMENTS_HOLD, 1);
			}
			_exit(0);
		}
		cr_assert_gt(pid[w], 0);
	}
	for (w = 0; w < 4; w++) {
		cr_assert_eq(waitpid(pid[w], &status, 0), pid[w]);
		cr_assert_eq(status, 0);
	}
	cr_assert_eq(metrics_requests_sum(m, r, METRICS_GET, 2), 4000);
	cr_assert_eq(metrics_counter_sum(m, METRICS_COMMENTS_HOLD), 4000);
	metrics_destroy(m);
}

Test(metrics, restart_keeps_counters_zeroes_gauges)
{
	struct metrics *m = metrics_create(2);

	metrics_attach(m, 1);
	metrics_count(METRICS_DB_ERRORS, 3);
	metrics_gauge_set(METRICS_CACHE_ENTRIES, 9);
	/* The worker dies; Kore starts another in the same slot. */
	metrics_attach(m, 1);
	cr_assert_eq(metrics_counter_sum(m, METRICS_DB_ERRORS), 3);
	cr_assert_eq(metrics_gauge_sum(m, METRICS_CACHE_ENTRIES), 0);
	metrics_attach(NULL, 0);
	metrics_destroy(m);
}

Test(metrics, histogram_buckets_are_cumulative)
{
	struct metrics *m = metrics_create(2);
	int             r = metrics_route(m, "thread_page");
	char           *text;

	metrics_attach(m, 0);
	metrics_request(r, METRICS_GET, 200, 500); /* <= 1 ms */
	metrics_request(r, METRICS_GET, 200,
	    1000); /* <= 1 ms: bound included */
	metrics_request(r, METRICS_GET, 200, 3000); /* <= 5 ms */
	metrics_attach(m, 1);
	metrics_request(r, METRICS_GET, 200, 70000); /* <= 100 ms */
	metrics_request(r, METRICS_GET, 200, 60000000); /* +Inf only */
	cr_assert_eq(metrics_bucket_sum(m, r, 0), 2);
	cr_assert_eq(metrics_bucket_sum(m, r, 1), 2);
	cr_assert_eq(metrics_bucket_sum(m, r, 2), 3);
	cr_assert_eq(metrics_bucket_sum(m, r, 6), 4);
	cr_assert_eq(metrics_bucket_sum(m, r, METRICS_BUCKETS - 1), 4);
	cr_assert_eq(metrics_bucket_sum(m, r, METRICS_BUCKETS), 5);

	text = render(m, NULL);
	cr_assert_not_null(strstr(text,
	    "parley_http_request_duration_seconds_bucket{route=\"thread_page\","
	    "le=\"0.001\"} 2\n"));
	cr_assert_not_null(strstr(text,
	    "parley_http_request_duration_seconds_bucket{route=\"thread_page\","
	    "le=\"0.005\"} 3\n"));
	cr_assert_not_null(strstr(text,
	    "parley_http_request_duration_seconds_bucket{route=\"thread_page\","
	    "le=\"10\"} 4\n"));
	cr_assert_not_null(strstr(text,
	    "parley_http_request_duration_seconds_bucket{route=\"thread_page\","
	    "le=\"+Inf\"} 5\n"));
	cr_assert_not_null(strstr(text,
	    "parley_http_request_duration_seconds_sum{route=\"thread_page\"} "
	    "60.074500\n"));
	cr_assert_not_null(strstr(text,
	    "parley_http_request_duration_seconds_count{route=\"thread_page\"} "
	    "5\n"));
	cr_assert_not_null(strstr(text,
	    "parley_http_requests_total{route=\"thread_page\",method=\"GET\","
	    "code=\"2xx\"} 5\n"));
	cr_assert_not_null(
	    strstr(text, "parley_worker_requests_total{worker=\"1\"} 3\n"));
	cr_assert_not_null(
	    strstr(text, "parley_worker_requests_total{worker=\"2\"} 2\n"));
	free(text);
	metrics_attach(NULL, 0);
	metrics_destroy(m);
}

Test(metrics, label_values_escaped)
{
	struct metrics *m = metrics_create(1);
	struct buf      b;
	int             r = metrics_route(m, "a\"b\\c\nd");
	char           *text;

	buf_init(&b);
	metrics_label_escape(&b, "plain \"quoted\" back\\slash\nline");
	buf_putc(&b, '\0');
	cr_assert_str_eq(b.data, "plain \\\"quoted\\\" back\\\\slash\\nline");
	buf_free(&b);

	metrics_attach(m, 0);
	metrics_request(r, METRICS_DELETE, 404, 1);
	text = render(m, NULL);
	cr_assert_not_null(
	    strstr(text,
	        "parley_http_requests_total{route=\"a\\\"b\\\\c\\nd\","
	        "method=\"DELETE\",code=\"4xx\"} 1\n"),
	    "%s", text);
	free(text);
	metrics_attach(NULL, 0);
	metrics_destroy(m);
}

Test(metrics, every_family_has_help_and_type)
{
	struct metrics      *m = metrics_create(1);
	struct metrics_extra x = { .have_db = 1,
		.mail_pending = 4,
		.streams_open = 2 };
	char                *text = render(m, &x);

	cr_assert_not_null(strstr(text, "# HELP parley_comments_total "));
	cr_assert_not_null(strstr(text,
	    "# TYPE parley_comments_total counter\n"
	    "parley_comments_total{verdict=\"approved\"} 0\n"
	    "parley_comments_total{verdict=\"held\"} 0\n"
	    "parley_comments_total{verdict=\"spam\"} 0\n"
	    "parley_comments_total{verdict=\"refused\"} 0\n"));
	cr_assert_not_null(strstr(text,
	    "# TYPE parley_mail_pending gauge\nparley_mail_pending 4\n"));
	cr_assert_not_null(strstr(text, "parley_streams_open 2\n"));
	cr_assert_not_null(strstr(text, "parley_database_up 1\n"));
	free(text);

	/* Without the database its queues are left out, not shown as 0. */
	x.have_db = 0;
	text = render(m, &x);
	cr_assert_not_null(strstr(text, "parley_database_up 0\n"));
	cr_assert_null(strstr(text, "parley_mail_pending"));
	free(text);
	metrics_destroy(m);
}

Test(metrics, start_times)
{
	int      keys[3] = { 0, 0, 0 };
	uint64_t t;

	metrics_begin(&keys[0], 1000);
	metrics_begin(&keys[1], 2000);
	/* Begun again (a retried first run): the later start. */
	metrics_begin(&keys[0], 1500);
	cr_assert_eq(metrics_end(&keys[0]), 1500);
	cr_assert_eq(metrics_end(&keys[0]), 0, "forgotten once answered");
	cr_assert_eq(metrics_end(&keys[2]), 0, "never begun");
	t = metrics_end(&keys[1]);
	cr_assert_eq(t, 2000);
}
