/* options.h - command-line options of gogrpctrace. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include "../dwarf/gobin.h"

#include <stdbool.h>
#include <sys/types.h>

#define MAX_PIDS 16
#define MAX_TARGETS 256 /* processes traced at once, -p's and those followed */
#define MAX_SELECTORS 8 /* of each of -n, --exe, --cgroup, --container */
#define MAX_DEBUG_DIRS 8
#define DEFAULT_IDLE_TIMEOUT_S 300
#define DEFAULT_MAX_OPEN_CALLS 16384

enum side_filter { SIDE_FILTER_ANY, SIDE_FILTER_CLIENT, SIDE_FILTER_SERVER };

/* Which calls to show. AUTO: gRPC only in a process that links grpc-go,
 * everything (HTTP too) in one that does not. */
enum protocol_filter { PROTO_AUTO, PROTO_GRPC, PROTO_HTTP, PROTO_ALL };

struct options {
	pid_t pids[MAX_PIDS];
	int npids;
	/* Processes found by what they are, followed as they start and exit
	 * (follow.h): any that matches one of these is traced. */
	const char *names[MAX_SELECTORS];
	int nnames;
	const char *exes[MAX_SELECTORS];
	int nexes;
	const char *cgroups[MAX_SELECTORS];
	int ncgroups;
	const char *containers[MAX_SELECTORS];
	int ncontainers;
	bool all; /* -a: every Go process that links a traced stack */
	/* --otlp URL: each shown call also goes as a span to this OTLP/HTTP
	 * receiver (otlp.h); --service-name, --otlp-metadata shape them. */
	const char *otlp_url;
	const char *service_name;
	bool otlp_metadata;
	unsigned otlp_queue; /* hidden: tests shrink the span queue to fill it */
	const char *binary; /* positional, for --inspect/--ebpf without -p */
	const char *method_glob;
	enum side_filter side;
	enum protocol_filter protocol;
	bool errors_only;
	double min_latency_ms;
	double duration_s;
	unsigned idle_timeout_s;  /* give up an open call with no event this long; 0 = never */
	unsigned max_open_calls;  /* give up the least recently seen past this many; 0 = no cap */
	bool json;
	bool wide; /* -w: text rows with every column and the method in full */
	int verbose;
	int payload; /* bytes of each message to capture; 0 = off */
	bool no_decode; /* --payload bytes shown raw, not decoded */
	bool show_secrets;
	const char *kernel_headers;
	/* Where the DWARF of a stripped executable is looked for:
	 * --debuginfo and --debug-dir, handed to gobin__open. */
	struct gobin_open_opts open;
	const char *debug_dirs[MAX_DEBUG_DIRS];
	bool ebpf;
	bool inspect;
	int ringbuf_pages; /* hidden: tests shrink it to force loss */
	bool bench_empty;  /* hidden: probes only count their hits */
	bool bench_entry;  /* hidden: attach at entries, not stack-check jumps */
	bool perf_buffer;  /* hidden: use the perf buffer even with a ring buffer */
	bool probe_stats;  /* --probe-stats: each probe's hits and BPF time at the end */
	bool count_ops;    /* hidden, make bench: with --probe-stats, reads and map ops too */
	int pause_before_attach_ms; /* hidden: tests swap the process meanwhile */
};

/* Parse argv; on error prints one line plus usage and exits 2. */
void options__parse(struct options *o, int argc, char **argv);

#endif
