/* options.c - getopt_long table, number parsing and the usage text. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "../bpf_templates/gogrpctrace_events.h"

#define DEFAULT_PAYLOAD 64

static const char usage_text[] =
	"Usage: gogrpctrace -p PID [options]\n"
	"       gogrpctrace (-n NAME | --exe PATH | --cgroup PATH | --container ID | -a) [options]\n"
	"       gogrpctrace --inspect [--json] (-p PID | BINARY)\n"
	"       gogrpctrace --ebpf (-p PID | BINARY)\n"
	"\n"
	"Trace the gRPC calls (and HTTP requests) a running Go program makes and serves.\n"
	"\n"
	"  -p, --pid PID          trace this process (repeatable)\n"
	"  -n, --name NAME        trace every process whose executable or comm is NAME,\n"
	"                         those that start later too (repeatable, as are the\n"
	"                         next four; a process that matches any is traced)\n"
	"      --exe PATH         every process running the file PATH (the same file,\n"
	"                         also as a container sees it)\n"
	"      --cgroup PATH      every process in this cgroup v2 or under it\n"
	"      --container ID     every process of the container (its ID or a prefix)\n"
	"  -a, --all              every Go process that links a traced stack\n"
	"  -m, --method GLOB      only calls whose method matches, e.g. '/pkg.Svc/*'\n"
	"      --side SIDE        client or server: only calls of that side\n"
	"      --protocol P       grpc, http or all (default: grpc in a process that\n"
	"                         links grpc-go, else all)\n"
	"  -e, --errors           only calls that did not end OK\n"
	"      --min-latency MS   only calls slower than MS milliseconds\n"
	"  -d, --duration SECS    stop after SECS seconds\n"
	"      --idle-timeout S   give up (print as UNFINISHED) an open call with no\n"
	"                         event for S seconds (default 300; 0: never)\n"
	"      --max-open-calls N keep at most N open calls; past it the least recently\n"
	"                         seen is given up (default 16384; 0: no cap)\n"
	"      --json             one JSON object per line\n"
	"      --otlp URL         also send each call shown as an OpenTelemetry span to\n"
	"                         this OTLP/HTTP receiver, e.g. http://127.0.0.1:4318\n"
	"      --service-name S   the spans' service.name (default: the executable's name)\n"
	"      --otlp-metadata    put request and response metadata in the spans too\n"
	"  -w, --wide             rows with PID and sizes, and the method in full (by\n"
	"                         default a row fits 80 columns)\n"
	"  -v, --verbose          headers, trailers and each message as they happen\n"
	"      --payload[=N]      capture the first N bytes of every message (default 64,\n"
	"                         at most 16384) and decode them with the program's own\n"
	"                         protobuf descriptors\n"
	"      --no-decode        with --payload: show the bytes, do not decode them\n"
	"      --probe-stats      at the end, each probe's hits and the time its BPF\n"
	"                         program ran per hit (the cost to the target)\n"
	"      --show-secrets     do not redact authorization, cookie and similar values\n"
	"      --kernel-headers DIR  kernel header tree for the BPF compiler\n"
	"      --debuginfo FILE   the executable's DWARF is in FILE (a stripped binary's\n"
	"                         separate debug file)\n"
	"      --debug-dir DIR    look for debug files under DIR, not /usr/lib/debug\n"
	"                         (repeatable)\n"
	"      --inspect          show what was read from the binary and exit\n"
	"      --ebpf             print the generated BPF program and exit\n"
	"  -h, --help             this text\n"
	"\n"
	"EXAMPLES:\n"
	"  gogrpctrace -p 1234                  # every call of PID 1234\n"
	"  gogrpctrace -p 1234 -e               # only failed calls\n"
	"  gogrpctrace -n server                # every 'server', restarts included\n"
	"  gogrpctrace -p 1234 -m '/grpc.health.v1.Health/*' -v\n"
	"  gogrpctrace -p 1234 --json -d 10 > calls.jsonl\n"
	"  gogrpctrace -p 1234 --protocol all   # gRPC and plain HTTP requests\n"
	"  gogrpctrace -p 1234 --payload=4096   # requests and responses, decoded\n"
	"  gogrpctrace --inspect ./server       # argument locations, offsets, itabs\n"
	"  gogrpctrace -p 1234 --debuginfo server.debug  # stripped, DWARF kept apart\n"
	"\n"
	"A stripped executable's DWARF is looked for in --debuginfo FILE, then\n"
	"DIR/.build-id/xx/yyyy.debug, then its .gnu_debuglink next to it, in its\n"
	".debug/ and under DIR, then through debuginfod when DEBUGINFOD_URLS is set.\n";

enum {
	OPT_SIDE = 256,
	OPT_PROTOCOL,
	OPT_MIN_LATENCY,
	OPT_JSON,
	OPT_PAYLOAD,
	OPT_NO_DECODE,
	OPT_SHOW_SECRETS,
	OPT_KERNEL_HEADERS,
	OPT_DEBUGINFO,
	OPT_DEBUG_DIR,
	OPT_EBPF,
	OPT_INSPECT,
	OPT_RINGBUF_PAGES,
	OPT_BENCH_EMPTY,
	OPT_BENCH_ENTRY,
	OPT_PROBE_STATS,
	OPT_COUNT_OPS,
	OPT_PERF_BUFFER,
	OPT_PAUSE_BEFORE_ATTACH,
	OPT_IDLE_TIMEOUT,
	OPT_MAX_OPEN_CALLS,
	OPT_EXE,
	OPT_CGROUP,
	OPT_CONTAINER,
	OPT_OTLP,
	OPT_SERVICE_NAME,
	OPT_OTLP_METADATA,
	OPT_OTLP_QUEUE,
};

static const struct option long_options[] = {
	{"pid", required_argument, NULL, 'p'},
	{"name", required_argument, NULL, 'n'},
	{"exe", required_argument, NULL, OPT_EXE},
	{"cgroup", required_argument, NULL, OPT_CGROUP},
	{"container", required_argument, NULL, OPT_CONTAINER},
	{"all", no_argument, NULL, 'a'},
	{"otlp", required_argument, NULL, OPT_OTLP},
	{"service-name", required_argument, NULL, OPT_SERVICE_NAME},
	{"otlp-metadata", no_argument, NULL, OPT_OTLP_METADATA},
	{"test-otlp-queue", required_argument, NULL, OPT_OTLP_QUEUE},
	{"method", required_argument, NULL, 'm'},
	{"side", required_argument, NULL, OPT_SIDE},
	{"protocol", required_argument, NULL, OPT_PROTOCOL},
	{"errors", no_argument, NULL, 'e'},
	{"min-latency", required_argument, NULL, OPT_MIN_LATENCY},
	{"duration", required_argument, NULL, 'd'},
	{"json", no_argument, NULL, OPT_JSON},
	{"wide", no_argument, NULL, 'w'},
	{"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
	{"max-open-calls", required_argument, NULL, OPT_MAX_OPEN_CALLS},
	{"verbose", no_argument, NULL, 'v'},
	{"payload", optional_argument, NULL, OPT_PAYLOAD},
	{"no-decode", no_argument, NULL, OPT_NO_DECODE},
	{"show-secrets", no_argument, NULL, OPT_SHOW_SECRETS},
	{"kernel-headers", required_argument, NULL, OPT_KERNEL_HEADERS},
	{"debuginfo", required_argument, NULL, OPT_DEBUGINFO},
	{"debug-dir", required_argument, NULL, OPT_DEBUG_DIR},
	{"ebpf", no_argument, NULL, OPT_EBPF},
	{"inspect", no_argument, NULL, OPT_INSPECT},
	{"ringbuf-pages", required_argument, NULL, OPT_RINGBUF_PAGES},
	{"bench-empty", no_argument, NULL, OPT_BENCH_EMPTY},
	{"bench-entry", no_argument, NULL, OPT_BENCH_ENTRY},
	{"perf-buffer", no_argument, NULL, OPT_PERF_BUFFER},
	{"probe-stats", no_argument, NULL, OPT_PROBE_STATS},
	{"count-ops", no_argument, NULL, OPT_COUNT_OPS},
	{"test-pause-before-attach", required_argument, NULL, OPT_PAUSE_BEFORE_ATTACH},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static void bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "gogrpctrace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n\n%s", usage_text);
	exit(2);
}

/* One more of a repeatable selector: -n, --exe, --cgroup, --container. */
static void add_selector(const char **list, int *n, const char *opt, const char *arg)
{
	char what[64];

	if (*n == MAX_SELECTORS) {
		snprintf(what, sizeof(what), "too many %s options (at most %d): %%s", opt, MAX_SELECTORS);
		bad(what, arg);
	}
	if (!*arg) {
		snprintf(what, sizeof(what), "%s takes a value%%s", opt);
		bad(what, "");
	}
	list[(*n)++] = arg;
}

static long parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		bad(what, s);
	return v;
}

static double parse_double(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 1e9)
		bad(what, s);
	return v;
}

void options__parse(struct options *o, int argc, char **argv)
{
	bool following;
	int c;

	memset(o, 0, sizeof(*o));
	o->ringbuf_pages = 1024;
	o->idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
	o->max_open_calls = DEFAULT_MAX_OPEN_CALLS;
	o->open.debug_dirs = o->debug_dirs;
	while ((c = getopt_long(argc, argv, "p:n:am:ed:wvh", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o->npids == MAX_PIDS)
				bad("too many -p options (at most 16): %s", optarg);
			o->pids[o->npids++] = (pid_t)parse_long(optarg, "invalid PID: %s", 1, INT_MAX);
			break;
		case 'n':
			add_selector(o->names, &o->nnames, "-n", optarg);
			break;
		case OPT_EXE:
			add_selector(o->exes, &o->nexes, "--exe", optarg);
			break;
		case OPT_CGROUP:
			add_selector(o->cgroups, &o->ncgroups, "--cgroup", optarg);
			break;
		case OPT_CONTAINER:
			add_selector(o->containers, &o->ncontainers, "--container", optarg);
			break;
		case 'a':
			o->all = true;
			break;
		case OPT_OTLP:
			o->otlp_url = optarg;
			break;
		case OPT_SERVICE_NAME:
			if (!*optarg)
				bad("%s", "--service-name takes a name");
			o->service_name = optarg;
			break;
		case OPT_OTLP_METADATA:
			o->otlp_metadata = true;
			break;
		case OPT_OTLP_QUEUE:
			o->otlp_queue = (unsigned)parse_long(optarg, "invalid span queue: %s", 1, 1 << 20);
			break;
		case 'm':
			o->method_glob = optarg;
			break;
		case OPT_SIDE:
			if (strcmp(optarg, "client") == 0)
				o->side = SIDE_FILTER_CLIENT;
			else if (strcmp(optarg, "server") == 0)
				o->side = SIDE_FILTER_SERVER;
			else
				bad("--side takes client or server, not %s", optarg);
			break;
		case OPT_PROTOCOL:
			if (strcmp(optarg, "grpc") == 0)
				o->protocol = PROTO_GRPC;
			else if (strcmp(optarg, "http") == 0)
				o->protocol = PROTO_HTTP;
			else if (strcmp(optarg, "all") == 0)
				o->protocol = PROTO_ALL;
			else
				bad("--protocol takes grpc, http or all, not %s", optarg);
			break;
		case 'e':
			o->errors_only = true;
			break;
		case OPT_MIN_LATENCY:
			o->min_latency_ms = parse_double(optarg, "invalid --min-latency: %s");
			break;
		case 'd':
			o->duration_s = parse_double(optarg, "invalid --duration: %s");
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'w':
			o->wide = true;
			break;
		case OPT_IDLE_TIMEOUT:
			o->idle_timeout_s = (unsigned)parse_long(optarg, "invalid --idle-timeout: %s", 0,
								 1000000);
			break;
		case OPT_MAX_OPEN_CALLS:
			o->max_open_calls = (unsigned)parse_long(optarg, "invalid --max-open-calls: %s", 0,
								 10000000);
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_PAYLOAD:
			o->payload = optarg ? (int)parse_long(optarg, "invalid --payload size: %s", 1,
							      PAYLOAD_MAX)
					    : DEFAULT_PAYLOAD;
			break;
		case OPT_NO_DECODE:
			o->no_decode = true;
			break;
		case OPT_SHOW_SECRETS:
			o->show_secrets = true;
			break;
		case OPT_KERNEL_HEADERS:
			o->kernel_headers = optarg;
			break;
		case OPT_DEBUGINFO:
			if (!*optarg)
				bad("%s", "--debuginfo takes a file name");
			o->open.debuginfo = optarg;
			break;
		case OPT_DEBUG_DIR:
			if (o->open.ndebug_dirs == MAX_DEBUG_DIRS)
				bad("too many --debug-dir options (at most 8): %s", optarg);
			if (!*optarg)
				bad("%s", "--debug-dir takes a directory");
			o->debug_dirs[o->open.ndebug_dirs++] = optarg;
			break;
		case OPT_EBPF:
			o->ebpf = true;
			break;
		case OPT_INSPECT:
			o->inspect = true;
			break;
		case OPT_RINGBUF_PAGES:
			o->ringbuf_pages = (int)parse_long(optarg, "invalid --ringbuf-pages: %s", 1, 65536);
			if (o->ringbuf_pages & (o->ringbuf_pages - 1))
				bad("--ringbuf-pages must be a power of two: %s", optarg);
			break;
		case OPT_BENCH_EMPTY:
			o->bench_empty = true;
			break;
		case OPT_PROBE_STATS:
			o->probe_stats = true;
			break;
		case OPT_COUNT_OPS: /* counting costs: only with what reports it */
			o->count_ops = o->probe_stats = true;
			break;
		case OPT_BENCH_ENTRY:
			o->bench_entry = true;
			break;
		case OPT_PERF_BUFFER:
			o->perf_buffer = true;
			break;
		case OPT_PAUSE_BEFORE_ATTACH:
			o->pause_before_attach_ms = (int)parse_long(optarg, "invalid pause: %s", 0, 60000);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fprintf(stderr, "\n%s", usage_text);
			exit(2);
		}
	}
	if (optind < argc)
		o->binary = argv[optind++];
	if (optind < argc)
		bad("unexpected argument: %s", argv[optind]);
	following = o->nnames || o->nexes || o->ncgroups || o->ncontainers || o->all;
	if (o->binary && o->npids)
		bad("give either -p PID or a BINARY, not both (%s)", o->binary);
	if (!o->inspect && !o->ebpf && o->binary)
		bad("tracing needs a running process: -p PID, -n NAME, --exe PATH, ... (got %s)",
		    o->binary);
	if (!o->binary && !o->npids && !following)
		bad("%s", "no target: give -p PID, -n NAME, --exe PATH, --cgroup PATH, --container ID "
			  "or -a");
	if ((o->service_name || o->otlp_metadata) && !o->otlp_url)
		bad("%s", "--service-name and --otlp-metadata shape the spans of --otlp URL: give it");
	if ((o->inspect || o->ebpf) && (o->npids > 1 || following))
		bad("%s", "--inspect and --ebpf take one target: -p PID or a BINARY");
}
