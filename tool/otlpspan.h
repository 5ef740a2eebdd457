/* otlpspan.h - a finished call as an OpenTelemetry span (OTLP's protobuf
 * Span message), with the RPC or HTTP semantic conventions' attributes, and
 * the trace it joins when its request carries one. */
#ifndef OTLPSPAN_H
#define OTLPSPAN_H

#include "calls.h"
#include "pbenc.h"

#include <stdbool.h>
#include <stdint.h>

/* The caller's trace, from a request's traceparent (W3C) or grpc-trace-bin
 * field: its trace ID and the span that is the call's parent. */
struct span_parent {
	uint8_t trace_id[16];
	uint8_t span_id[8];
};

/* "00-<32 hex>-<16 hex>-<2 hex>" with neither ID all zeros. */
bool otlpspan__traceparent(const char *value, struct span_parent *p);
/* gRPC's binary trace context, base64 (padded or not) as it travels:
 * version 0, then field 0 (trace ID), field 1 (span ID), field 2 (flags). */
bool otlpspan__grpc_trace_bin(const char *base64, struct span_parent *p);
/* The parent c's request names: traceparent first, then grpc-trace-bin. */
bool otlpspan__parent(const struct call *c, struct span_parent *p);

struct span_opts {
	bool metadata;	   /* --otlp-metadata: request and response metadata as attributes */
	bool show_secrets; /* --show-secrets: credentials not redacted */
};

/* Append c as a Span message (field number field of the enclosing
 * message). Times are Unix nanoseconds; end_ns of an unfinished call is
 * when it was given up, and the span says so. trace_id and span_id are
 * the span's own (trace_id the parent's when it has one). */
void otlpspan__encode(struct pbenc *b, uint32_t field, const struct call *c, uint64_t start_ns,
		      uint64_t end_ns, const uint8_t trace_id[16], const uint8_t span_id[8],
		      const struct span_parent *parent, const struct span_opts *o,
		      const char *unfinished_why);

/* Append a Resource message naming a process: service.name, process.pid,
 * process.executable.path and .name, container.id when known (NULL: not
 * in a container the cgroup path names), host.name. */
void otlpspan__resource(struct pbenc *b, uint32_t field, const char *service_name, uint32_t pid,
			const char *exe_path, const char *container_id);

#endif
