/* perf_oom.c - a perf-buffer sample that cannot be kept (no memory for it,
 * or too short for its timestamp) must be counted as dropped, so that the
 * summary's lost events cover it. tool/eventbuf.c is compiled in here,
 * its allocator calls routed through one that fails when told to, and its
 * sample callback fed by hand.
 *
 * Prints "ok", exit 0; else what went wrong, exit 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail_realloc, fail_malloc;

static void *test_realloc(void *p, size_t n)
{
	if (fail_realloc) {
		fail_realloc = 0;
		return NULL;
	}
	return realloc(p, n);
}

static void *test_malloc(size_t n)
{
	if (fail_malloc) {
		fail_malloc = 0;
		return NULL;
	}
	return malloc(n);
}

#define realloc test_realloc
#define malloc test_malloc
#include "../../tool/eventbuf.c"
#undef realloc
#undef malloc

static int delivered;

static int count(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	delivered++;
	return 0;
}

int main(void)
{
	struct eventbuf *eb = eventbuf__new(true, count, NULL);
	uint64_t sample[4] = {1000, 0, 0, 0};
	int fed = 0;

	if (!eb) {
		fprintf(stderr, "perf-oom: out of memory\n");
		return 2;
	}
	fail_realloc = 1; /* the first sample: the queue cannot grow */
	on_perf_sample(eb, sample, sizeof(sample)), fed++;
	sample[0]++;
	on_perf_sample(eb, sample, sizeof(sample)), fed++; /* kept */
	sample[0]++;
	fail_malloc = 1; /* no copy of this one */
	on_perf_sample(eb, sample, sizeof(sample)), fed++;
	on_perf_sample(eb, sample, 4), fed++; /* no room for a timestamp */
	deliver_pending(eb, UINT64_MAX); /* what a final drain does after reading */
	if (delivered != 1 || eventbuf__dropped(eb) != 3 ||
	    (uint64_t)delivered + eventbuf__dropped(eb) != (uint64_t)fed) {
		printf("fed %d samples: %d delivered, %llu counted dropped; want 1 and 3\n", fed,
		       delivered, (unsigned long long)eventbuf__dropped(eb));
		eventbuf__free(eb);
		return 1;
	}
	eventbuf__free(eb);
	printf("ok\n");
	return 0;
}
