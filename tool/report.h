/* report.h - everything gogrpctrace prints about calls: one line (or JSON
 * object) per finished call, -v event lines, and the closing summary. */
#ifndef REPORT_H
#define REPORT_H

#include "calls.h"
#include "options.h"
#include "probes.h"

#include <stdint.h>
#include <stdio.h>

struct report;

/* --probe-stats: one probe's hits and, with the kernel's BPF statistics
 * on, its programs' run time (summed over the traced executables). */
struct probe_tally {
	const char *id;
	uint64_t hits;
	uint64_t runs, run_ns; /* runs == 0: the time is unknown */
	uint64_t reads, map_ops; /* --count-ops */
};

/* --otlp: what became of the spans (otlp.h's counts). */
struct span_tally {
	bool on;
	const char *url;
	uint64_t exported, dropped_full, dropped_failed;
	char last_error[160];
};

struct tally {
	uint64_t received;    /* events read from the ring buffers */
	uint64_t emitted;     /* events the BPF side handed to them */
	uint64_t lost;	      /* events dropped: a buffer was full, or no memory to keep them */
	uint64_t read_errors; /* failed reads of target memory */
	uint64_t truncated;   /* header blocks with something cut */
	uint64_t desync;      /* DATA frames whose message boundaries were lost */
	uint64_t foreign;     /* DATA frames in a buffer kind we cannot read */
	uint64_t restarts;    /* hits skipped because the function restarted */
	uint64_t hits;	      /* probe hits in all */
	uint64_t malformed;   /* events that failed validation in user space */
	uint64_t unmatched;   /* events for a stream without a call */
	uint64_t evicted_idle; /* open calls given up: no event for --idle-timeout */
	uint64_t evicted_full; /* open calls given up: --max-open-calls were open */
	unsigned idle_timeout_s, max_open_calls; /* the limits, for the summary's words */
	struct span_tally spans;
	int nprobes; /* --probe-stats only */
	struct probe_tally probes[MAX_PROBES];
};

struct report *report__new(const struct options *o, FILE *out);
void report__free(struct report *r);

/* What to know of PID: which of its calls to show (the tracer resolves
 * PROTO_AUTO per process), and the output fields (enum output_field) its
 * probes cannot fill, printed as unknown. */
void report__set_process(struct report *r, uint32_t pid, enum protocol_filter p,
			 unsigned unknown_fields);
/* PID is no longer traced: forget it (a new process may get its PID). */
void report__forget_process(struct report *r, uint32_t pid);
struct protodb;
/* PID's protobuf descriptors, which --payload decodes messages with (NULL:
 * none, why_none says why). After report__set_process; db outlives r. */
void report__set_types(struct report *r, uint32_t pid, const struct protodb *db,
		       const char *why_none);
/* Each call shown (past the filters) is handed to fn too, with its times
 * in Unix nanoseconds: its end, or for an unfinished call when it was
 * given up; unfinished_why NULL for a finished call. --otlp's way in. */
typedef void (*shown_call_fn)(const struct call *c, uint64_t start_ns, uint64_t end_ns,
			      const char *unfinished_why, void *ctx);
void report__on_shown(struct report *r, shown_call_fn fn, void *ctx);
/* Tracing has started: the summary's clock starts now. */
void report__header(struct report *r);
/* The column header line (text mode). */
void report__columns(struct report *r);
/* A call ended (or is flushed unfinished at the end). */
void report__call(struct call *c, void *report);
/* A message shown by -v: its first bytes, and its call (method, headers)
 * to decode them by. */
struct msg_event {
	const struct captured_msg *m;
	const struct call *c;
	bool request;
};

/* -v: one line about an event. side/dir as in the events header; me: the
 * message it is, or NULL. */
void report__event(struct report *r, uint64_t ts_ns, uint32_t pid, int side, int dir,
		   uint32_t stream_id, const char *what, const struct header_list *hl,
		   const struct msg_event *me);
void report__summary(struct report *r, const struct tally *t);

/* Monotonic nanoseconds (the BPF clock) to wall-clock text. */
void report__time(const struct report *r, uint64_t mono_ns, char *buf, size_t len, bool iso);

const char *grpc_code_name(int code);

#endif
