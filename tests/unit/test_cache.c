/*
 * Unit tests for app/cache.c: entries by key, dropped by post, the
 * generation guard, the byte budget, and buckets that requests cannot
 * choose to crowd.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "cache.h"

static void
setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	cache_init(1 << 20);
	cache_set_usable(1);
}

static void
teardown(void)
{
	cache_set_usable(0);
	cache_init(0);
}

TestSuite(cache, .init = setup, .fini = teardown);

static const struct cache_entry *
put(const char *key, const char *post, const char *body)
{
	return (cache_put(key, post, body, strlen(body), cache_generation()));
}

Test(cache, put_and_get)
{
	const struct cache_entry *e;

	cr_assert_not_null(put("k1", "p1", "{\"a\":1}"));
	e = cache_get("k1");
	cr_assert_not_null(e);
	cr_assert_eq(e->body_len, 7);
	cr_assert_eq(memcmp(e->body, "{\"a\":1}", 7), 0);
	cr_assert_eq(e->etag[0], '"');
	cr_assert_null(cache_get("k2"));
	/* A second put replaces the first. */
	cr_assert_not_null(put("k1", "p1", "{\"a\":2}"));
	cr_assert_eq(memcmp(cache_get("k1")->body, "{\"a\":2}", 7), 0);
}

Test(cache, invalidate_drops_one_post)
{
	put("t1", "p1", "one");
	put("h1", "p1", "<p>one</p>");
	put("t2", "p2", "two");
	put("counts", NULL, "all");
	cache_invalidate("p1");
	cr_assert_null(cache_get("t1"));
	cr_assert_null(cache_get("h1"));
	/* Answers that depend on every post go too. */
	cr_assert_null(cache_get("counts"));
	cr_assert_not_null(cache_get("t2"));
}

Test(cache, fill_started_before_a_change_is_not_kept)
{
	uint64_t gen = cache_generation();

	cache_invalidate("p1");
	cr_assert_null(cache_put("t1", "p1", "old", 3, gen));
	cr_assert_null(cache_get("t1"));
}

Test(cache, unusable_cache_neither_answers_nor_stores)
{
	put("t1", "p1", "one");
	cache_set_usable(0);
	cr_assert_null(cache_get("t1"));
	cr_assert_null(put("t2", "p2", "two"));
	cache_set_usable(1);
	/* Whatever was cached before the outage is gone. */
	cr_assert_null(cache_get("t1"));
}

Test(cache, budget_evicts_least_recent)
{
	char body[4096];

	cache_init(4 * sizeof(body));
	memset(body, 'x', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	/* gzip shrinks a run of x: keep each entry at its size. */
	put("a", "p", body);
	put("b", "p", body);
	cr_assert_not_null(cache_get("a"));
	put("c", "p", body);
	put("d", "p", body);
	cr_assert_not_null(cache_get("d"));
	cr_assert_not_null(cache_get("c"));
	cr_assert_not_null(cache_get("a"), "recently used: kept");
	cr_assert_null(cache_get("b"), "least recently used: evicted");
}

/*
 * Keys that an unkeyed hash puts in one bucket can be found by anyone
 * who reads the source, by trying, as this does for the hash cache.c
 * used (BLAKE2b, 1024 buckets); post keys are the client's choice, so
 * every lookup would then walk one long chain.
 */
Test(cache, chosen_keys_do_not_share_a_bucket)
{
	unsigned char h[8];
	unsigned int  v, i, found = 0;
	char          key[64];

	for (i = 0; found < 200; i++) {
		snprintf(key, sizeof(key),
		    "t\x1fpost-%u\x1f"
		    "0\x1f"
		    "50",
		    i);
		crypto_generichash(h, sizeof(h), (unsigned char *)key,
		    strlen(key), NULL, 0);
		memcpy(&v, h, sizeof(v));
		if (v % 1024 != 0)
			continue;
		cr_assert_not_null(put(key, key, "{}"));
		found++;
	}
	cr_assert_lt(cache_longest_chain(), 16, "%zu keys in one bucket",
	    cache_longest_chain());
}

static uint64_t fake_now;

static uint64_t
fake_clock(void)
{
	return (fake_now);
}

Test(cache, an_entry_answers_for_its_max_age_only)
{
	fake_now = 1000;
	cache_set_clock(fake_clock);
	cr_assert_not_null(put("t|a", "a", "old"));
	fake_now += CACHE_MAX_AGE_MS - 1;
	cr_assert_not_null(cache_get("t|a"), "still young");
	/* A missed announcement leaves it stale this long at most. */
	fake_now += 1;
	cr_assert_null(cache_get("t|a"));
	/* Dropped, not only hidden: stored afresh, it answers again. */
	cr_assert_not_null(put("t|a", "a", "new"));
	cr_assert_not_null(cache_get("t|a"));
	cache_set_clock(NULL);
}
