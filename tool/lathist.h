/* lathist.h - a fixed-size log-linear latency histogram (HDR-style): the
 * summary's p50/p99 in bounded memory, whatever the number of calls. */
#ifndef LATHIST_H
#define LATHIST_H

#include <stdint.h>

/* Values are nanoseconds. Below 2^LATHIST_SUB_BITS ns each value has its
 * own bucket; above, each power of two is cut into 2^LATHIST_SUB_BITS
 * equal buckets, so a bucket is at most 1/64 of its lower bound wide and
 * its midpoint is within 1/128 of any value in it. The top power of two
 * is 2^41 ns: 2^42 ns (73 minutes) and above go to the last bucket. */
#define LATHIST_SUB_BITS 6
#define LATHIST_SUB (1u << LATHIST_SUB_BITS)
#define LATHIST_MAX_EXP 41
#define LATHIST_NBUCKETS ((LATHIST_MAX_EXP - LATHIST_SUB_BITS + 2) * LATHIST_SUB)
/* The relative error of a percentile from 1 us up: 1/128 (0.79 %). */
#define LATHIST_REL_ERROR (1.0 / (2 * LATHIST_SUB))

struct lathist {
	uint64_t count;
	uint64_t min_ns, max_ns;
	uint64_t buckets[LATHIST_NBUCKETS];
};

/* Count one value. */
void lathist__add(struct lathist *h, uint64_t ns);
/* The value at quantile q (0..1) as the old sorted-array summary chose
 * it (rank round(q * (count - 1))), as its bucket's midpoint held within
 * the smallest and largest value seen (which the first and last rank
 * give exactly); 0 when empty. Within
 * LATHIST_REL_ERROR of the true value for values of 1 us and more. */
double lathist__quantile_ns(const struct lathist *h, double q);

#endif
