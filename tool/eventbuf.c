/* eventbuf.c - ring buffer or perf buffers, drained on a timer.
 *
 * Neither wakes us per event: the BPF side writes the ring buffer without
 * wakeups, and perf buffers are opened with a wakeup watermark no burst
 * reaches; we read both on a short timer instead.
 */
#include "eventbuf.h"

#include <bcc/libbpf.h>
#include <bcc/perf_reader.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_READERS 1024
#define NO_WAKEUP_EVENTS (1 << 30)
#define HOLD_BACK_NS 1000000ULL /* perf: later CPUs may still write older events */

struct pending {
	uint64_t ts;
	size_t size;
	void *data;
};

struct eventbuf {
	bool perf;
	eventbuf_fn fn;
	void *ctx;
	struct ring_buffer *rb;
	struct perf_reader *readers[MAX_READERS];
	int nreaders;
	struct pending *pending; /* perf: read but not yet delivered */
	size_t npending, cap;
	uint64_t dropped; /* perf: read, but no memory to keep them */
};

bool eventbuf__ringbuf_supported(void)
{
	int fd = bcc_create_map(BPF_MAP_TYPE_RINGBUF, "gogrpctrace_rb", 0, 0, 4096, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

struct eventbuf *eventbuf__new(bool perf, eventbuf_fn fn, void *ctx)
{
	struct eventbuf *eb = calloc(1, sizeof(*eb));

	if (eb) {
		eb->perf = perf;
		eb->fn = fn;
		eb->ctx = ctx;
	}
	return eb;
}

/* Per-CPU buffers are each in order, not with each other: keep a copy,
 * sorted and delivered by eventbuf__drain. */
static void on_perf_sample(void *cookie, void *raw, int size)
{
	struct eventbuf *eb = cookie;
	struct pending *p;

	/* The BPF side counted each of these as emitted: one that is not
	 * delivered must be counted as lost, or the summary would not add up. */
	if (size < (int)sizeof(uint64_t)) {
		eb->dropped++;
		return;
	}
	if (eb->npending == eb->cap) {
		size_t cap = eb->cap ? eb->cap * 2 : 1024;
		struct pending *grown = realloc(eb->pending, cap * sizeof(*grown));

		if (!grown) {
			eb->dropped++;
			return;
		}
		eb->pending = grown;
		eb->cap = cap;
	}
	p = &eb->pending[eb->npending];
	p->data = malloc((size_t)size);
	if (!p->data) {
		eb->dropped++;
		return;
	}
	memcpy(p->data, raw, (size_t)size);
	memcpy(&p->ts, raw, sizeof(p->ts));
	p->size = (size_t)size;
	eb->npending++;
}

static int by_time(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	return (x->ts > y->ts) - (x->ts < y->ts);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void deliver_pending(struct eventbuf *eb, uint64_t cutoff)
{
	size_t n = 0, kept;

	qsort(eb->pending, eb->npending, sizeof(*eb->pending), by_time);
	while (n < eb->npending && eb->pending[n].ts < cutoff) {
		eb->fn(eb->ctx, eb->pending[n].data, eb->pending[n].size);
		free(eb->pending[n].data);
		n++;
	}
	kept = eb->npending - n;
	memmove(eb->pending, eb->pending + n, kept * sizeof(*eb->pending));
	eb->npending = kept;
}

/* The BPF side counts what perf_submit could not write; the kernel's own
 * lost records report the same events again, so they are not added. */
static void on_perf_lost(void *cookie, uint64_t lost)
{
	(void)cookie;
	(void)lost;
}

static int add_perf(struct eventbuf *eb, int map_fd, int pages)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	for (int cpu = 0; cpu < ncpu; cpu++) {
		struct bcc_perf_buffer_opts opts = {.pid = -1, .cpu = cpu,
						    .wakeup_events = NO_WAKEUP_EVENTS};
		struct perf_reader *r;
		int fd;

		if (eb->nreaders == MAX_READERS)
			return -E2BIG;
		r = bpf_open_perf_buffer_opts(on_perf_sample, on_perf_lost, eb, pages, &opts);
		if (!r)
			return -errno ? -errno : -EINVAL;
		eb->readers[eb->nreaders++] = r;
		fd = perf_reader_fd(r);
		if (bpf_update_elem(map_fd, &cpu, &fd, 0) != 0)
			return -errno;
	}
	return 0;
}

int eventbuf__add(struct eventbuf *eb, int map_fd, int perf_pages)
{
	if (eb->perf)
		return add_perf(eb, map_fd, perf_pages);
	if (!eb->rb) {
		eb->rb = bpf_new_ringbuf(map_fd, eb->fn, eb->ctx);
		return eb->rb ? 0 : (errno ? -errno : -EINVAL);
	}
	return bpf_add_ringbuf(eb->rb, map_fd, eb->fn, eb->ctx) == 0 ? 0 : -EINVAL;
}

void eventbuf__drain(struct eventbuf *eb, bool final)
{
	uint64_t start = mono_ns();

	if (eb->rb)
		bpf_consume_ringbuf(eb->rb);
	if (!eb->nreaders)
		return;
	for (int i = 0; i < eb->nreaders; i++)
		perf_reader_event_read(eb->readers[i]);
	deliver_pending(eb, final ? UINT64_MAX : start - HOLD_BACK_NS);
}

uint64_t eventbuf__dropped(const struct eventbuf *eb)
{
	return eb ? eb->dropped : 0;
}

void eventbuf__free(struct eventbuf *eb)
{
	if (!eb)
		return;
	if (eb->rb)
		bpf_free_ringbuf(eb->rb);
	for (int i = 0; i < eb->nreaders; i++)
		perf_reader_free(eb->readers[i]);
	for (size_t i = 0; i < eb->npending; i++)
		free(eb->pending[i].data);
	free(eb->pending);
	free(eb);
}
