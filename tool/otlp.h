/* otlp.h - send finished calls as spans to an OpenTelemetry receiver
 * (OTLP/HTTP, protobuf: the Collector's otlp receiver, Jaeger, Tempo),
 * batched by a thread of its own, with bounded memory and counted drops:
 * tracing never waits for the receiver. */
#ifndef OTLP_H
#define OTLP_H

#include "calls.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct otlp;

struct otlp_opts {
	const char *url;	  /* http://host:port[/path]; the path defaults to /v1/traces */
	const char *service_name; /* NULL: each process's executable name */
	bool metadata;		  /* --otlp-metadata */
	bool show_secrets;
	unsigned max_queued; /* spans that may wait; 0: the default, 8192 */
};

struct otlp_stats {
	uint64_t exported;	 /* spans the receiver accepted */
	uint64_t dropped_full;	 /* spans dropped: the queue was full (receiver slow or down) */
	uint64_t dropped_failed; /* spans in requests that failed or were refused */
	char last_error[160];	 /* why the last request failed; "" if none did */
};

/* Start the exporter; NULL with a reason in err (a URL it cannot use). */
struct otlp *otlp__new(const struct otlp_opts *o, char *err, size_t errlen);

/* The resource of pid's spans: its executable (NULL: unknown) and its
 * container's ID (NULL: none). Called when pid is attached. */
void otlp__set_process(struct otlp *x, pid_t pid, const char *exe_path, const char *container_id);
void otlp__forget_process(struct otlp *x, pid_t pid);

/* Queue c's span: times in Unix nanoseconds; unfinished_why: NULL for a
 * finished call. Never blocks on the receiver. */
void otlp__call(struct otlp *x, const struct call *c, uint64_t start_ns, uint64_t end_ns,
		const char *unfinished_why);

/* Send what is queued (waiting at most a few seconds for the receiver),
 * stop, fill st and free x. */
void otlp__close(struct otlp *x, struct otlp_stats *st);

#endif
