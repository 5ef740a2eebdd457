/* tracer.c - a tracing session: resolve -> render -> compile -> attach ->
 * poll -> summary, with one cleanup path that detaches everything.
 *
 * Targets running the same executable share one compiled program; each
 * PID gets its own uprobes. Events come through BPF ring buffers (perf
 * buffers on older kernels) written without wakeups and drained on a short
 * timer, so a busy target never pays for waking us.
 */
#include "tracer.h"

#include "inspect.h"
#include "json.h"

#include "../dwarf/gobin.h"
#include "calls.h"
#include "eventbuf.h"
#include "events.h"
#include "kheaders.h"
#include "loader.h"
#include "protodb.h"
#include "lockdown.h"
#include "render.h"
#include "report.h"
#include "resolve.h"
#include "statedir.h"
#include "target.h"
#include "termtext.h"

#include <bcc/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../bpf_templates/gogrpctrace_events.h"

#define DRAIN_INTERVAL_MS 10
#define ALIVE_CHECK_MS 200
#define OUT_BUFFER_SIZE (256 * 1024)

struct program {
	dev_t dev;
	ino_t ino;
	struct gobin *gb;
	struct resolution res;
	struct loader loader;
	bool loaded;
	struct protodb *types; /* --payload: its protobuf descriptors, NULL: none */
	/* The read-only data its probes may send strings from by address
	 * (0, 0: none, as for a PIE executable): events.c's look-ups. */
	uint64_t rodata_lo, rodata_hi;
	char types_why[256];   /* then why */
};

struct session {
	const struct options *o;
	struct kheaders kh;
	struct program progs[MAX_PIDS];
	int nprogs;
	int prog_of[MAX_PIDS]; /* index in progs of each -p target's program */
	unsigned long long starttime[MAX_PIDS]; /* to notice a reused PID */
	bool alive[MAX_PIDS];
	bool perf_buffer; /* no ring buffer on this kernel (or --perf-buffer) */
	struct eventbuf *eb;
	struct calls *calls;
	struct report *report;
	struct tally tally;
	struct event_sink sink;
	double read_s, render_s, compile_s; /* start-up, for -v and make bench */
	int stats_fd; /* --probe-stats: keeps the kernel's BPF statistics on; -1 */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Field 22 of /proc/PID/stat: when the process started; 0 when it is
 * gone or a zombie (exited, not yet reaped: its memory is gone too). */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p, state = 0;
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		       &state, &v);
	fclose(f);
	return state == 'Z' || state == 'X' ? 0 : v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* events.c's reader of header strings sent by address: from the file
 * of the program traced in pid, within the range its probes were given. */
static const uint8_t *rodata_of_pid(void *ctx, uint32_t pid, uint64_t addr, uint64_t len)
{
	const struct session *s = ctx;

	for (int i = 0; i < s->o->npids; i++)
		if ((uint32_t)s->o->pids[i] == pid) {
			const struct program *p = &s->progs[s->prog_of[i]];

			if (addr < p->rodata_lo || addr >= p->rodata_hi)
				return NULL;
			return gobin__rodata_bytes(p->gb, addr, len);
		}
	return NULL;
}

/* The call table forgot a connection: the probes must send its addresses
 * again (each program's table of connections whose addresses were sent). */
static void forget_conn_addrs(uint32_t pid, uint64_t conn, void *ctx)
{
	const struct session *s = ctx;
	struct proc_key k = {.ptr = conn, .pid = pid};

	for (int i = 0; i < s->nprogs; i++) {
		int fd = s->progs[i].loaded ? loader__table_fd(&s->progs[i].loader, ADDRS_SENT_TABLE) : -1;

		if (fd >= 0)
			bpf_delete_elem(fd, &k);
	}
}

/* Where a PIE executable is mapped: its own file's mapping at offset 0,
 * minus the address it was linked at. */
static int load_bias(pid_t pid, struct gobin *gb, uint64_t *bias)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	uint64_t start, off;
	ssize_t n;
	FILE *f;
	int ret = -ENOENT;

	*bias = 0;
	if (!gobin__is_pie(gb))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return -errno;
	exe[n] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, '/');

		if (!name || sscanf(line, "%" SCNx64 "-%*s %*s %" SCNx64, &start, &off) != 2 || off)
			continue;
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, exe) == 0) {
			*bias = start - gobin__load_base(gb);
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

static bool rule_applies(const struct resolution *res, const struct rule *r)
{
	for (int i = 0; i < res->nrules; i++)
		if (res->rules[i].rule == r)
			return res->rules[i].applies;
	return false;
}

/* --protocol, with its default decided for this binary: gRPC only where
 * grpc-go is linked in, everything elsewhere. */
static enum protocol_filter effective_protocol(const struct options *o,
					       const struct resolution *res)
{
	if (o->protocol != PROTO_AUTO)
		return o->protocol;
	return resolution__has_grpc(res) ? PROTO_GRPC : PROTO_ALL;
}

/* A side of a stack that is linked in (some of its probes are on, or the
 * function that opens its calls is there) but whose calls cannot open is
 * silent: say so, whatever -v says. */
static void warn_silent_sides(const struct program *p, pid_t pid)
{
	char why[1024];

	for (int i = 0; i < p->res.nprobes; i++) {
		const struct resolved_probe *op = &p->res.probes[i];
		bool sibling_on = false;

		if (!op->spec->opens_calls || op->enabled || op->spec->side == SIDE_BOTH ||
		    !rule_applies(&p->res, op->rule))
			continue;
		for (int k = 0; k < p->res.nprobes && !sibling_on; k++) {
			const struct resolved_probe *q = &p->res.probes[k];

			/* Its side's received headers are probed: that side is
			 * linked in and working, only its calls cannot open. */
			sibling_on = q->enabled && q->rule == op->rule && q->spec->side == op->spec->side &&
				     q->spec->role == ROLE_HDR_IN;
		}
		/* HTTP/1.x's probes are off by --protocol's default: not a loss. */
		if (sibling_on || (op->fn && !op->rule->plain_http))
			fprintf(stderr, "gogrpctrace: PID %d: %s %s calls will not be shown: %s\n",
				(int)pid, op->spec->stack, probe_side__name(op->spec->side),
				term_text(why, sizeof(why), op->why));
	}
}

/* Output fields this binary's probes cannot fill print as unknown: say
 * which and why, whatever -v says; fields sharing a cause on one line
 * (-v and --inspect name each need). */
static void warn_unknown_fields(const struct program *p, pid_t pid)
{
	const struct resolution *res = &p->res;
	unsigned done = 0;
	char why[1024];

	for (int f = 0; f < NFIELDS; f++) {
		char names[128] = "";
		size_t len = 0;

		if (!(res->unknown_fields & (1u << f)) || (done & (1u << f)))
			continue;
		for (int g = f; g < NFIELDS; g++) {
			if (!(res->unknown_fields & (1u << g)) ||
			    strcmp(res->unknown_cause[g], res->unknown_cause[f]) != 0)
				continue;
			done |= 1u << g;
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", output_fields[g].text);
			if (len >= sizeof(names))
				break;
		}
		fprintf(stderr, "gogrpctrace: PID %d: %s unknown: %s\n", (int)pid, names,
			term_text(why, sizeof(why), res->unknown_cause[f]));
	}
}

static void explain_disabled(const struct program *p, pid_t pid)
{
	char why[1024];

	for (int i = 0; i < p->res.nprobes; i++) {
		const struct resolved_probe *rp = &p->res.probes[i];

		if (rp->enabled)
			fprintf(stderr, "gogrpctrace: PID %d: probe %-13s on at 0x%llx (%s)\n", (int)pid,
				rp->spec->id, (unsigned long long)rp->fn->probe,
				rp->fn->probe_is_stack_check ? "stack-check jump" : "function entry");
		else
			fprintf(stderr, "gogrpctrace: PID %d: probe %-13s off: %s\n", (int)pid,
				rp->spec->id, term_text(why, sizeof(why), rp->why));
	}
}

/* Where the DWARF came from, and where else it was looked for. */
static void explain_debuginfo(const struct program *p, pid_t pid)
{
	const struct gobin_debuginfo *d = gobin__debuginfo(p->gb);
	char src[PATH_MAX], file[PATH_MAX], why[1024];

	/* Debug file names come from the binary (its debuglink): escaped. */
	fprintf(stderr, "gogrpctrace: PID %d: DWARF %s%s\n", (int)pid,
		gobin__has_dwarf(p->gb) ? term_text(src, sizeof(src), gobin__dwarf_source(p->gb))
					: "none",
		d->symtab_from_debug_file ? ", symbol table from the debug file" : "");
	for (int i = 0; i < d->ntried; i++)
		fprintf(stderr, "gogrpctrace: PID %d: passed over %s%s%s: %s\n", (int)pid,
			d->tried[i].source, d->tried[i].file ? " " : "",
			d->tried[i].file ? term_text(file, sizeof(file), d->tried[i].file) : "",
			term_text(why, sizeof(why), d->tried[i].why));
}

/* Render and load p's program. Linux 6.1's verifier refuses a loop of the
 * program as clang lays it out: then the same program is rendered with
 * that loop unrolled (slower to compile), and the cache remembers the
 * refusal so that the next start goes there at once. */
static int load_program(struct session *s, struct program *p, pid_t pid, struct render_opts *ro,
			char *err, size_t errlen)
{
	for (;;) {
		double t0 = now_s();
		char *text = render__program(&p->res, ro, err, errlen);
		uint64_t key;
		int ret;

		s->render_s += now_s() - t0;
		if (!text)
			return -EINVAL;
		key = progcache__key(text);
		if (!ro->unroll_loops && progcache__refused(key, REFUSED_LOOP)) {
			free(text);
			ro->unroll_loops = true;
			continue;
		}
		if (!ro->copy_all_strings && progcache__refused(key, REFUSED_COMPLEX)) {
			free(text);
			ro->copy_all_strings = true;
			continue;
		}
		t0 = now_s();
		ret = loader__load(&p->loader, text, &p->res, &s->kh, !ro->copy_all_strings, err,
				   errlen);
		s->compile_s += now_s() - t0;
		free(text);
		/* An older verifier (Linux 6.1) refuses the DATA parser's loop
		 * as clang lays it out, and walks fewer paths than the header
		 * probes' strings-by-address take: each refusal has a simpler
		 * form, tried once and remembered. */
		if (ret == -ELOOP && !ro->unroll_loops) {
			progcache__mark_refused(key, REFUSED_LOOP);
			ro->unroll_loops = true;
			if (s->o->verbose)
				fprintf(stderr, "gogrpctrace: PID %d: this kernel's verifier refuses the "
						"program's loops; compiling them unrolled\n", (int)pid);
		} else if (ret == -E2BIG && !ro->copy_all_strings) {
			progcache__mark_refused(key, REFUSED_COMPLEX);
			ro->copy_all_strings = true;
			if (s->o->verbose)
				fprintf(stderr, "gogrpctrace: PID %d: this kernel's verifier gives up on "
						"the header probes' paths; compiling them to copy every "
						"string\n", (int)pid);
		} else {
			return ret;
		}
		loader__close(&p->loader);
	}
}

/* --payload decodes messages with the protobuf descriptors the program
 * carries; without them they are shown raw, and the user is told why. */
static void load_types(struct program *p, pid_t pid)
{
	const char *why = NULL;
	char shown[300];

	if (protodb__load(p->gb, &p->types, &why) < 0) {
		p->types = NULL;
		snprintf(p->types_why, sizeof(p->types_why), "no protobuf descriptors read: %s",
			 why ? why : "unknown error");
	} else if (protodb__nfiles(p->types) == 0) {
		snprintf(p->types_why, sizeof(p->types_why),
			 "no protobuf descriptors found in the program");
	}
	if (*p->types_why)
		fprintf(stderr, "gogrpctrace: PID %d: messages are shown undecoded: %s\n", (int)pid,
			term_text(shown, sizeof(shown), p->types_why));
}

static int prepare_program(struct session *s, struct program *p, pid_t pid, const char *exe)
{
	struct render_opts ro = {.payload = s->o->payload,
				 /* read only when --payload needs a scratch slot per CPU */
				 .scratch_cpus = s->o->payload ? render__possible_cpus() : 0,
				 .ringbuf_pages = s->o->ringbuf_pages,
				 .empty = s->o->bench_empty,
				 .at_entry = s->o->bench_entry,
				 .count_ops = s->o->count_ops,
				 .perf_buffer = s->perf_buffer};
	char err[512], why[1024];
	double t0 = now_s();
	int ret;

	if (resolution__run(&p->res, p->gb, err, sizeof(err)) != 0) {
		fprintf(stderr, "gogrpctrace: %s\n", err);
		return -1;
	}
	s->read_s += now_s() - t0;
	/* Plain HTTP/1.x costs probes on every request: only when shown. */
	if (effective_protocol(s->o, &p->res) == PROTO_GRPC)
		resolution__disable_plain_http(&p->res, s->o->protocol == PROTO_GRPC
								? "--protocol grpc"
								: "HTTP/1.x is not shown for a process that links "
								  "grpc-go (--protocol http or all shows it)");
	if (s->o->verbose) {
		explain_debuginfo(p, pid);
		explain_disabled(p, pid);
		fprintf(stderr, "gogrpctrace: PID %d: net.Conn wrappers unwrapped for peer and local:\n",
			(int)pid);
		inspect__wraps_human(stderr, &p->res.wraps, "  ");
	}
	warn_silent_sides(p, pid);
	warn_unknown_fields(p, pid);
	if (resolution__enabled(&p->res) == 0) {
		const struct resolved_probe *first = NULL;

		/* The first probe of a linked stack, one whose function is there
		 * if any (a client does not have the server's functions). */
		for (int pass = 0; pass < 2 && !first; pass++)
			for (int i = 0; i < p->res.nprobes && !first; i++)
				if (p->res.probes[i].rule && rule_applies(&p->res, p->res.probes[i].rule) &&
				    (pass == 1 || p->res.probes[i].fn))
					first = &p->res.probes[i];
		if (first)
			fprintf(stderr, "gogrpctrace: PID %d (%s): nothing to trace: no probe's needs are "
					"met; the first: %s\n(-v or --inspect gives each reason)\n",
				(int)pid, exe, term_text(why, sizeof(why), first->why));
		else
			fprintf(stderr, "gogrpctrace: PID %d (%s): nothing to trace: grpc-go %s, and no "
					"HTTP/2 of net/http or golang.org/x/net is linked in\n",
				(int)pid, exe, term_text(why, sizeof(why), p->res.rules[0].why));
		if (first && !gobin__has_dwarf(p->gb))
			fprintf(stderr, "gogrpctrace: hint: the executable is stripped and no debug "
					"file was found for it; give --debuginfo FILE or --debug-dir DIR\n");
		return -1;
	}
	if (load_bias(pid, p->gb, &ro.load_bias) != 0) {
		fprintf(stderr, "gogrpctrace: PID %d: cannot find where the executable is mapped\n",
			(int)pid);
		return -1;
	}
	/* A PIE executable's programs are shared by processes mapped at
	 * different places: they copy every string. */
	if (!gobin__is_pie(p->gb)) {
		const char *no_rodata; /* then the probes copy every string */

		gobin__rodata_range(p->gb, &p->rodata_lo, &p->rodata_hi, &no_rodata);
	}
	ro.rodata_lo = p->rodata_lo;
	ro.rodata_hi = p->rodata_hi;
	ret = load_program(s, p, pid, &ro, err, sizeof(err));
	if (ret) {
		/* Not a lockdown hint: confidentiality mode (tests/vm) loads and
		 * runs these programs; what it refuses, we do not use. */
		fprintf(stderr, "gogrpctrace: %s\n", err);
		return -1;
	}
	p->loaded = true;
	if (s->o->payload && !s->o->no_decode)
		load_types(p, pid);
	return 0;
}

/* Open each PID's executable; PIDs running the same file share a program. */
static int prepare(struct session *s)
{
	char exe[256], err[GOBIN_ERRLEN];

	for (int i = 0; i < s->o->npids; i++) {
		pid_t pid = s->o->pids[i];
		struct program *p = NULL;
		int ret;
		struct stat st;

		if (target__exe_path(pid, exe, sizeof(exe), err, sizeof(err)) != 0 ||
		    stat(exe, &st) != 0) {
			fprintf(stderr, "gogrpctrace: %s\n", *err ? err : strerror(errno));
			return -1;
		}
		s->starttime[i] = start_time(pid);
		if (!s->starttime[i]) {
			fprintf(stderr, "gogrpctrace: PID %d exited\n", (int)pid);
			return -1;
		}
		s->alive[i] = true;
		for (int k = 0; k < s->nprogs; k++)
			if (s->progs[k].dev == st.st_dev && s->progs[k].ino == st.st_ino)
				p = &s->progs[k];
		s->prog_of[i] = p ? (int)(p - s->progs) : s->nprogs;
		if (!p) {
			p = &s->progs[s->nprogs++];
			p->dev = st.st_dev;
			p->ino = st.st_ino;
			double t0 = now_s();

			ret = gobin__open(exe, &s->o->open, &p->gb, err, sizeof(err));
			s->read_s += now_s() - t0;
			if (ret) {
				fprintf(stderr, "gogrpctrace: PID %d: %s\n", (int)pid, err);
				return -1;
			}
			if (prepare_program(s, p, pid, exe))
				return -1;
		}
		report__set_process(s->report, (uint32_t)pid, effective_protocol(s->o, &p->res),
				    p->res.unknown_fields);
		report__set_types(s->report, (uint32_t)pid, p->types, p->types_why);
		if (s->o->pause_before_attach_ms) {
			struct timespec ts = {s->o->pause_before_attach_ms / 1000,
					      (s->o->pause_before_attach_ms % 1000) * 1000000L};

			fprintf(stderr, "gogrpctrace: test: pausing before attach\n");
			nanosleep(&ts, NULL);
		}
		/* The process may have exited or been replaced meanwhile: its
		 * PID may even belong to another process by now. */
		if (start_time(pid) != s->starttime[i]) {
			fprintf(stderr, "gogrpctrace: PID %d exited or changed before attaching\n",
				(int)pid);
			return -1;
		}
		if (loader__attach(&p->loader, exe, pid, s->o->bench_entry, err, sizeof(err)) != 0) {
			/* A target that exits mid-way takes its probes' place with it:
			 * say that, not the attach error it caused. */
			if (start_time(pid) != s->starttime[i])
				fprintf(stderr, "gogrpctrace: PID %d exited while attaching\n", (int)pid);
			else
				fprintf(stderr, "gogrpctrace: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static int open_event_buffers(struct session *s)
{
	/* Perf buffers are per CPU: give each a share of the ring's size. */
	int perf_pages = s->o->ringbuf_pages >= 64 ? s->o->ringbuf_pages / 8 : s->o->ringbuf_pages;

	s->eb = eventbuf__new(s->perf_buffer, events__on_sample, &s->sink);
	if (!s->eb)
		return -1;
	for (int k = 0; k < s->nprogs; k++) {
		int fd = loader__table_fd(&s->progs[k].loader, "events"), ret;

		if (fd < 0) {
			fprintf(stderr, "gogrpctrace: internal error: no events buffer\n");
			return -1;
		}
		ret = eventbuf__add(s->eb, fd, perf_pages);
		if (ret) {
			fprintf(stderr, "gogrpctrace: cannot open the %s: %s\n",
				s->perf_buffer ? "perf buffers" : "ring buffer", strerror(-ret));
			return -1;
		}
	}
	return 0;
}

static void report_startup(const struct session *s)
{
	struct rusage ru;
	double attach_s = 0;
	bool cached = s->nprogs > 0;

	for (int k = 0; k < s->nprogs; k++) {
		attach_s += s->progs[k].loader.attach_s;
		cached &= s->progs[k].loader.from_cache;
	}
	getrusage(RUSAGE_SELF, &ru);
	for (int k = 0; k < s->nprogs; k++) {
		const struct loader *l = &s->progs[k].loader;

		fprintf(stderr, "gogrpctrace: start-up: %d programs: compiler %.3f s%s, verifier %.3f s "
				"(%d threads side by side)\n",
			l->nprogs, l->compile_s, l->from_cache ? " (from the cache)" : "", l->verify_s,
			l->load_threads);
	}
	fprintf(stderr,
		"gogrpctrace: start-up: read %.3f s, render %.3f s, compile %.3f s%s, attach %.3f s, "
		"peak RSS %ld kB; kernel lockdown: %s\n",
		s->read_s, s->render_s, s->compile_s, cached ? " (from the cache)" : "", attach_s,
		ru.ru_maxrss, lockdown__mode());
}

/* {"field": "why", ...}: what p's rows will show as unknown (null). */
static void json_unknown_fields(const struct program *p)
{
	const struct resolution *res = &p->res;
	bool first = true;

	putchar('{');
	for (int f = 0; f < NFIELDS; f++) {
		if (!(res->unknown_fields & (1u << f)))
			continue;
		printf("%s\"%s\":", first ? "" : ",", output_fields[f].key);
		json_str(stdout, res->unknown_why[f]);
		first = false;
	}
	putchar('}');
}

/* The PIDs running program k, comma-separated. */
static void pids_of(const struct session *s, int k, char *buf, size_t len)
{
	size_t n = 0;

	*buf = '\0';
	for (int i = 0; i < s->o->npids && n < len - 16; i++)
		if (s->prog_of[i] == k)
			n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? "," : "", s->o->pids[i]);
}

/* One start line (or JSON start object) per distinct executable: its
 * PIDs, its Go and grpc-go versions, its probes, its unknown fields. */
static void announce_program(struct session *s, int k)
{
	const struct program *p = &s->progs[k];
	const char *grpc = p->res.rules[0].version;
	char pids[256];

	pids_of(s, k, pids, sizeof(pids));
	/* Both versions are strings of the binary: quoted or escaped. */
	if (s->o->json) {
		printf("{\"type\":\"start\",\"pids\":[%s],\"go_version\":", pids);
		json_str(stdout, gobin__go_version(p->gb));
		printf(",\"grpc_version\":");
		json_str(stdout, !resolution__has_grpc(&p->res) ? "none" : grpc ? grpc : "unknown");
		printf(",\"probes\":%d,\"unknown_fields\":", p->loader.nprogs);
		json_unknown_fields(p);
		printf("}\n");
	} else {
		enum protocol_filter pr = effective_protocol(s->o, &p->res);
		const char *what = pr == PROTO_GRPC ? "gRPC calls" : pr == PROTO_HTTP ? "HTTP requests"
											: "gRPC calls and HTTP requests";
		char gov[128], grv[128], grpcs[160];

		term_text(gov, sizeof(gov), gobin__go_version(p->gb));
		if (resolution__has_grpc(&p->res))
			snprintf(grpcs, sizeof(grpcs), "grpc-go %s",
				 grpc ? term_text(grv, sizeof(grv), grpc) : "version unknown");
		else
			snprintf(grpcs, sizeof(grpcs), "no grpc-go");
		printf("%s %s of PID %s (%s, %s, %d probes)%s\n", k ? "Also tracing" : "Tracing", what,
		       pids, gov, grpcs, p->loader.nprogs, k ? "" : "... Ctrl-C to end.");
	}
}

static void announce(struct session *s)
{
	report__header(s->report);
	for (int k = 0; k < s->nprogs; k++)
		announce_program(s, k);
	if (!s->o->json)
		report__columns(s->report);
	fflush(stdout);
}

/* True while at least one target runs (the same process, not a reuse). */
static bool targets_alive(struct session *s)
{
	bool any = false;

	for (int i = 0; i < s->o->npids; i++) {
		if (s->alive[i] && start_time(s->o->pids[i]) != s->starttime[i]) {
			s->alive[i] = false;
			if (!s->o->json)
				fprintf(stderr, "gogrpctrace: PID %d exited\n", s->o->pids[i]);
		}
		any |= s->alive[i];
	}
	return any;
}

/* --probe-stats: one executable's loaded probes, from its counters c
 * (the BPF side counts hits per probe) and its programs' run time, added
 * to the tally's by probe. */
static void tally_probes(struct session *s, const struct loader *l, const uint64_t *c)
{
	struct tally *t = &s->tally;

	for (int i = 0; i < l->nprogs; i++) {
		const struct probe_spec *spec = l->progs[i]->spec;
		long idx = spec - probe_specs;
		struct probe_tally *pt = NULL;
		uint64_t runs, ns;

		for (int j = 0; j < t->nprobes && !pt; j++)
			if (t->probes[j].id == spec->id)
				pt = &t->probes[j];
		if (!pt && t->nprobes < MAX_PROBES) {
			pt = &t->probes[t->nprobes++];
			*pt = (struct probe_tally){.id = spec->id};
		}
		if (!pt || idx < 0 || idx >= CNT_MAX_PROBES)
			continue;
		pt->hits += c[CNT_HITS + idx];
		pt->reads += c[CNT_READS + idx];
		pt->map_ops += c[CNT_MAP_OPS + idx];
		if (s->stats_fd >= 0 && loader__prog_stats(l, i, &runs, &ns) == 0 && runs) {
			pt->runs += runs;
			pt->run_ns += ns;
		}
	}
}

static void collect_counters(struct session *s)
{
	for (int k = 0; k < s->nprogs; k++) {
		uint64_t c[CNT_NUM];

		if (!s->progs[k].loaded || loader__read_counters(&s->progs[k].loader, c, CNT_NUM))
			continue;
		for (int i = 0; i < CNT_MAX_PROBES; i++)
			s->tally.hits += c[CNT_HITS + i];
		s->tally.restarts += c[CNT_RESTARTS];
		s->tally.emitted += c[CNT_EMITTED];
		s->tally.lost += c[CNT_LOST];
		s->tally.read_errors += c[CNT_READ_ERRORS];
		s->tally.truncated += c[CNT_TRUNC_HEADERS];
		s->tally.desync += c[CNT_DESYNC];
		s->tally.foreign += c[CNT_FOREIGN];
		if (s->o->probe_stats)
			tally_probes(s, &s->progs[k].loader, c);
	}
	/* Emitted by the BPF side, then dropped here: lost all the same. */
	s->tally.lost += eventbuf__dropped(s->eb);
}

/* Open calls given up before the end (idle, or the table full). */
static void collect_evicted(struct session *s)
{
	struct calls_evicted ev = calls__evicted(s->calls);

	s->tally.evicted_idle = ev.idle;
	s->tally.evicted_full = ev.full;
	s->tally.idle_timeout_s = s->o->idle_timeout_s;
	s->tally.max_open_calls = s->o->max_open_calls;
}

/* The clock of bpf_ktime_get_ns(). */
static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void poll_loop(struct session *s)
{
	double start = now_s(), last_alive = start;
	struct timespec nap = {0, DRAIN_INTERVAL_MS * 1000000L};

	while (!stop_requested) {
		double t;

		eventbuf__drain(s->eb, false);
		events__tick(&s->sink, mono_ns());
		fflush(stdout);
		nanosleep(&nap, NULL);
		t = now_s();
		if (s->o->duration_s > 0 && t - start >= s->o->duration_s)
			break;
		if ((t - last_alive) * 1000 >= ALIVE_CHECK_MS) {
			last_alive = t;
			if (!targets_alive(s))
				break;
		}
	}
}

/* The end of tracing. Once the probes are gone no event can be emitted:
 * the last drain gets every one, and the counters read after it say
 * emitted == received unless something was really lost (read first, an
 * event of the target's last moments would count as emitted and never
 * received). The target also stops paying for probes at once. */
static void finish(struct session *s)
{
	for (int k = 0; k < s->nprogs; k++)
		loader__detach(&s->progs[k].loader);
	eventbuf__drain(s->eb, true);
	collect_counters(s);
}

int tracer__run(const struct options *o)
{
	static struct session s;
	static char out_buffer[OUT_BUFFER_SIZE];
	struct sigaction sa = {.sa_handler = on_signal};
	char err[1024];
	int ret = 1;

	s.o = o;
	s.stats_fd = -1;
	/* Lines go out through one large buffer, flushed once per drain: a
	 * pipe or a file takes a few writes a second, not one per 4 KB (a
	 * terminal keeps its line buffering). Only this thread prints to
	 * stdout: stdio need not lock it for every call. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	if (geteuid() != 0) {
		fprintf(stderr, "gogrpctrace: tracing needs root (to load BPF programs and attach "
				"uprobes); try sudo\n");
		return 1;
	}
	if (kheaders__find(&s.kh, o->kernel_headers, err, sizeof(err)) != 0) {
		fprintf(stderr, "gogrpctrace: %s\n", err);
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	s.report = report__new(o, stdout);
	s.calls = calls__new(report__call, s.report);
	if (!s.report || !s.calls)
		goto cleanup;
	calls__set_limits(s.calls, o->idle_timeout_s, o->max_open_calls);
	calls__on_conn_forget(s.calls, forget_conn_addrs, &s);
	if (o->probe_stats) {
		s.stats_fd = loader__enable_stats();
		if (s.stats_fd < 0)
			fprintf(stderr, "gogrpctrace: --probe-stats: the kernel's BPF statistics could "
					"not be turned on (%s): hits only, no run time\n",
				strerror(-s.stats_fd));
	}
	s.sink = (struct event_sink){s.calls, s.report, &s.tally, o->verbose, o->payload,
				     rodata_of_pid, &s};
	s.perf_buffer = o->perf_buffer || !eventbuf__ringbuf_supported();
	if (o->verbose)
		fprintf(stderr, "gogrpctrace: a failed compile or load is logged to %s/%s%d.log\n",
			STATE_DIR, LOADER_LOG_PREFIX, (int)getpid());
	if (prepare(&s) || open_event_buffers(&s))
		goto cleanup;
	if (o->verbose)
		report_startup(&s);
	announce(&s);
	poll_loop(&s);
	finish(&s);
	calls__flush(s.calls);
	collect_evicted(&s);
	report__summary(s.report, &s.tally);
	ret = 0;
cleanup:
	/* Detach first: the target stops paying for probes at once. */
	for (int k = s.nprogs - 1; k >= 0; k--)
		loader__close(&s.progs[k].loader);
	if (s.calls)
		calls__on_conn_forget(s.calls, NULL, NULL); /* the tables are gone */
	if (s.stats_fd >= 0)
		close(s.stats_fd);
	eventbuf__free(s.eb);
	for (int k = 0; k < s.nprogs; k++) {
		protodb__free(s.progs[k].types);
		gobin__close(s.progs[k].gb);
		s.progs[k].gb = NULL;
	}
	calls__free(s.calls);
	report__free(s.report);
	return ret;
}
