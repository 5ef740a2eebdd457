/* lathist.c - check-lathist: the summary's histogram (tool/lathist.c) fed
 * known distributions; each p50 and p99 must be within the error the man
 * page states (LATHIST_REL_ERROR) of the exact value, as the old sorted
 * array picked it. Prints "ok" and exits 0, or names each miss. */
#include "../../tool/lathist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 200000

static uint64_t v[N];
static int failures;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* xorshift64*: the same numbers on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static double uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 0x2545f4914f6cdd1dULL) >> 11) / 9007199254740992.0;
}

static void check(const char *name, size_t n)
{
	static struct lathist h;
	const double qs[] = {0.5, 0.99, 0.0, 1.0};

	for (size_t i = 0; i < sizeof(h.buckets) / sizeof(h.buckets[0]); i++)
		h.buckets[i] = 0;
	h.count = h.min_ns = h.max_ns = 0;
	for (size_t i = 0; i < n; i++)
		lathist__add(&h, v[i]);
	qsort(v, n, sizeof(v[0]), cmp_u64);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		size_t i = (size_t)(qs[k] * (double)(n - 1) + 0.5);
		double want = (double)v[i], got = lathist__quantile_ns(&h, qs[k]);
		/* Below 1 us the bound is absolute: half a nanosecond. */
		double bound = want >= 1000 ? want * LATHIST_REL_ERROR : 0.5;

		if (fabs(got - want) > bound) {
			printf("%s: q%.2f = %.1f ns, want %.0f ns within %.1f\n", name, qs[k], got, want,
			       bound);
			failures++;
		}
	}
}

int main(void)
{
	const uint64_t us = 1000, ms = 1000 * us, s = 1000 * ms;
	size_t n;

	/* Every call the same: exact. */
	for (n = 0; n < 1000; n++)
		v[n] = 250 * us;
	check("constant", n);
	/* Uniform 1 us .. 10 ms. */
	for (n = 0; n < N; n++)
		v[n] = us + (uint64_t)(uniform() * (double)(10 * ms));
	check("uniform", n);
	/* Log-normal around 200 us with a long tail. */
	for (n = 0; n < N; n++) {
		double a = uniform(), b = uniform();
		double z = sqrt(-2 * log(a + 1e-300)) * cos(2 * M_PI * b);

		v[n] = (uint64_t)(200.0 * (double)us * exp(1.2 * z)) + us;
	}
	check("lognormal", n);
	/* Bimodal: 98 % fast (100 us), 2 % slow (300 ms): p99 in the slow mode. */
	for (n = 0; n < N; n++)
		v[n] = uniform() < 0.98 ? 100 * us + (uint64_t)(uniform() * 10000)
					: 300 * ms + (uint64_t)(uniform() * (double)ms);
	check("bimodal", n);
	/* The range's ends: 1 us and 1 hour. */
	for (n = 0; n < 1000; n++)
		v[n] = n < 500 ? us : 3600 * s;
	check("ends", n);
	/* Every power of two from 1 ns to 2^41 ns, each at a bucket's edge. */
	for (n = 0; n < 42; n++)
		v[n] = (1ULL << n) + (n > 6 ? (1ULL << (n - 6)) - 1 : 0);
	check("edges", n);
	/* Fixed size whatever the count. */
	if (sizeof(struct lathist) > 20 * 1024) {
		printf("histogram takes %zu bytes\n", sizeof(struct lathist));
		failures++;
	}
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
