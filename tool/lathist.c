/* lathist.c - a fixed-size log-linear latency histogram. */
#include "lathist.h"

/* Bucket of v: v itself below LATHIST_SUB; else its power of two e and the
 * next LATHIST_SUB_BITS bits below the leading one. */
static unsigned bucket_of(uint64_t v)
{
	unsigned e;

	if (v < LATHIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e > LATHIST_MAX_EXP)
		return LATHIST_NBUCKETS - 1;
	return (e - LATHIST_SUB_BITS + 1) * LATHIST_SUB +
	       (unsigned)((v >> (e - LATHIST_SUB_BITS)) - LATHIST_SUB);
}

/* The lowest value of bucket b and the bucket's width. */
static void bucket_range(unsigned b, double *low, double *width)
{
	unsigned e, sub;

	if (b < LATHIST_SUB) {
		*low = b;
		*width = 1;
		return;
	}
	e = b / LATHIST_SUB + LATHIST_SUB_BITS - 1;
	sub = b % LATHIST_SUB;
	*width = (double)(1ULL << (e - LATHIST_SUB_BITS));
	*low = (double)(1ULL << e) + sub * *width;
}

void lathist__add(struct lathist *h, uint64_t ns)
{
	if (!h->count || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->buckets[bucket_of(ns)]++;
}

double lathist__quantile_ns(const struct lathist *h, double q)
{
	uint64_t rank, seen = 0;
	double low, width, v;

	if (!h->count)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	rank = (uint64_t)(q * (double)(h->count - 1) + 0.5);
	/* The ends are known exactly. */
	if (rank == 0)
		return (double)h->min_ns;
	if (rank >= h->count - 1)
		return (double)h->max_ns;
	for (unsigned b = 0; b < LATHIST_NBUCKETS; b++) {
		seen += h->buckets[b];
		if (seen <= rank)
			continue;
		bucket_range(b, &low, &width);
		/* Integer values: bucket b holds low .. low + width - 1. */
		v = low + (width - 1) / 2;
		if (b == LATHIST_NBUCKETS - 1 || v > (double)h->max_ns)
			v = (double)h->max_ns;
		if (v < (double)h->min_ns)
			v = (double)h->min_ns;
		return v;
	}
	return (double)h->max_ns;
}
