/* eventbuf.h - the channel events take from the BPF program to us: a BPF
 * ring buffer, or per-CPU perf buffers where the kernel has no ring buffer. */
#ifndef EVENTBUF_H
#define EVENTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int (*eventbuf_fn)(void *ctx, void *data, size_t size);

struct eventbuf;

/* Does this kernel have BPF ring buffers (5.8+)? */
bool eventbuf__ringbuf_supported(void);

struct eventbuf *eventbuf__new(bool perf, eventbuf_fn fn, void *ctx);
/* Add the "events" map of one loaded program. 0, or -errno. */
int eventbuf__add(struct eventbuf *eb, int map_fd, int perf_pages);
/* Deliver the events waiting now, in order; never blocks. Events must
 * begin with a u64 CLOCK_MONOTONIC timestamp in nanoseconds. With per-CPU
 * perf buffers the newest millisecond is held back unless final. */
void eventbuf__drain(struct eventbuf *eb, bool final);
/* Events read that were never delivered (perf buffers: no memory to hold
 * them until their turn, or too short to carry a timestamp): lost. */
uint64_t eventbuf__dropped(const struct eventbuf *eb);
void eventbuf__free(struct eventbuf *eb);

#endif
