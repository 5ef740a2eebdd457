/* events.h - decode ring buffer samples and feed them to the call table. */
#ifndef EVENTS_H
#define EVENTS_H

#include "calls.h"
#include "report.h"

#include <stddef.h>
#include <stdint.h>

struct event_sink {
	struct calls *calls;
	struct report *report;
	struct tally *tally;
	int verbose;
	int payload; /* --payload bytes, 0 = off */
	/* The bytes of a header string the probes sent by address (HE_*_AT):
	 * len bytes at addr in the read-only data of process pid's
	 * executable, or NULL. */
	const uint8_t *(*rodata)(void *ctx, uint32_t pid, uint64_t addr, uint64_t len);
	void *rodata_ctx;
};

/* libbpf ring_buffer_sample_fn. */
int events__on_sample(void *ctx, void *data, size_t size);
/* After each drain: finish the calls whose last block's fields are in by
 * now (now_ns on the BPF clock, CLOCK_MONOTONIC), and give up the calls
 * idle longer than --idle-timeout. */
void events__tick(struct event_sink *s, uint64_t now_ns);

#endif
