/* tracer.c - a tracing session: attach to the targets -> poll -> summary,
 * with one cleanup path that detaches everything.
 *
 * Targets running the same executable share one program (program.c); each
 * PID gets its own uprobes. -p's targets are fixed; the selectors' (-n,
 * --exe, ..., follow.c) are found as they start and dropped as they exit,
 * and a program stays loaded for the next run of its file. Events come
 * through BPF ring buffers (perf buffers on older kernels) written without
 * wakeups and drained on a short timer, so a busy target never pays for
 * waking us.
 */
#include "tracer.h"

#include "announce.h"
#include "session.h"
#include "statedir.h"
#include "target.h"

#include <bcc/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../bpf_templates/gogrpctrace_events.h"

#define DRAIN_INTERVAL_MS 10
#define ALIVE_CHECK_MS 200
#define SCAN_INTERVAL_MS 250 /* a started process is traced well within a second */
#define OUT_BUFFER_SIZE (256 * 1024)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
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

	for (int i = 0; i < s->ntargets; i++)
		if ((uint32_t)s->targets[i].pid == pid) {
			const struct program *p = &s->progs[s->targets[i].prog];

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

static bool is_rejected(const struct session *s, struct exe_id id)
{
	int n = s->nrejected < MAX_REJECTED ? s->nrejected : MAX_REJECTED;

	for (int i = 0; i < n; i++)
		if (procinfo__same_exe(s->rejected[i], id))
			return true;
	return false;
}

/* An executable with nothing to trace, or that could not be read: its
 * other processes are passed over without reading it again. */
static void reject(struct session *s, struct exe_id id)
{
	s->rejected[s->nrejected++ % MAX_REJECTED] = id;
}

/* The program of the executable id, made (read, compiled and loaded) if
 * there is none yet; NULL when it cannot be (said why, unless quiet). */
static struct program *program_for(struct session *s, pid_t pid, const char *exe,
				   struct exe_id id, bool quiet, bool *made)
{
	struct program *p;

	*made = false;
	for (int k = 0; k < s->nprogs; k++)
		if (procinfo__same_exe(s->progs[k].exe, id))
			return &s->progs[k];
	if (s->nprogs == MAX_PROGRAMS) {
		if (!s->full_said)
			fprintf(stderr, "gogrpctrace: PID %d not traced: %d executables are traced "
					"already\n", (int)pid, MAX_PROGRAMS);
		s->full_said = true;
		return NULL;
	}
	p = &s->progs[s->nprogs];
	if (program__open(p, &s->env, pid, exe, id, quiet))
		return NULL;
	s->nprogs++;
	*made = true;
	return p;
}

/* Read program k's events too. */
static int open_event_buffer(struct session *s, int k)
{
	/* Perf buffers are per CPU: give each a share of the ring's size. */
	int perf_pages = s->o->ringbuf_pages >= 64 ? s->o->ringbuf_pages / 8 : s->o->ringbuf_pages;
	int fd = loader__table_fd(&s->progs[k].loader, "events"), ret;

	if (fd < 0) {
		fprintf(stderr, "gogrpctrace: internal error: no events buffer\n");
		return -1;
	}
	ret = eventbuf__add(s->eb, fd, perf_pages);
	if (ret) {
		fprintf(stderr, "gogrpctrace: cannot open the %s: %s\n",
			s->env.perf_buffer ? "perf buffers" : "ring buffer", strerror(-ret));
		return -1;
	}
	return 0;
}

static int open_event_buffers(struct session *s)
{
	s->eb = eventbuf__new(s->env.perf_buffer, events__on_sample, &s->sink);
	if (!s->eb)
		return -1;
	for (int k = 0; k < s->nprogs; k++)
		if (open_event_buffer(s, k))
			return -1;
	return 0;
}

/* --otlp: the resource pid's spans will carry. */
static void tell_exporter(struct session *s, pid_t pid)
{
	char exe[PATH_MAX], cgroup[PATH_MAX], id[65];
	bool have_exe = procinfo__exe_path(pid, exe, sizeof(exe)) == 0;
	bool in_container = procinfo__cgroup(pid, cgroup, sizeof(cgroup)) == 0 &&
			    procinfo__container_id(cgroup, id);

	otlp__set_process(s->otlp, pid, have_exe ? exe : NULL, in_container ? id : NULL);
}

/* report.c hands each call shown to the exporter. */
static void export_call(const struct call *c, uint64_t start_ns, uint64_t end_ns,
			const char *unfinished_why, void *ctx)
{
	otlp__call(ctx, c, start_ns, end_ns, unfinished_why);
}

/* Send the spans still queued, and keep the exporter's counts. */
static void close_exporter(struct session *s)
{
	struct otlp_stats st;

	if (!s->otlp)
		return;
	otlp__close(s->otlp, &st);
	s->otlp = NULL;
	s->tally.spans = (struct span_tally){.on = true, .url = s->o->otlp_url,
					     .exported = st.exported,
					     .dropped_full = st.dropped_full,
					     .dropped_failed = st.dropped_failed};
	snprintf(s->tally.spans.last_error, sizeof(s->tally.spans.last_error), "%s", st.last_error);
}

/* Trace pid: -p's (why NULL; a failure ends the session), or found by a
 * selector (why says which; a failure is said and passed over, and with
 * -a alone an executable that has nothing to trace is passed over
 * without a word). 0, or -1. */
static int attach_process(struct session *s, pid_t pid, const char *why)
{
	bool quiet = why && strcmp(why, "all") == 0, made;
	char exe[256], err[GOBIN_ERRLEN];
	struct target t = {.pid = pid};
	struct program *p;

	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i].pid == pid)
			return 0; /* -p's and a selector's both */
	if (s->ntargets == MAX_TARGETS) {
		if (!s->full_said)
			fprintf(stderr, "gogrpctrace: PID %d not traced: %d processes are traced "
					"already\n", (int)pid, MAX_TARGETS);
		s->full_said = true;
		return -1;
	}
	if (target__exe_path(pid, exe, sizeof(exe), err, sizeof(err)) != 0 ||
	    procinfo__exe_id(pid, &t.exe) != 0) {
		if (!quiet)
			fprintf(stderr, "gogrpctrace: %s\n", *err ? err : strerror(errno));
		return -1;
	}
	t.starttime = procinfo__start_time(pid);
	if (!t.starttime) {
		if (!quiet)
			fprintf(stderr, "gogrpctrace: PID %d exited\n", (int)pid);
		return -1;
	}
	if (why && is_rejected(s, t.exe))
		return -1;
	p = program_for(s, pid, exe, t.exe, quiet, &made);
	if (!p) {
		reject(s, t.exe);
		return -1;
	}
	t.prog = (int)(p - s->progs);
	report__set_process(s->report, (uint32_t)pid, program__protocol(p, s->o),
			    p->res.unknown_fields);
	report__set_types(s->report, (uint32_t)pid, p->types, p->types_why);
	if (s->o->pause_before_attach_ms) {
		struct timespec ts = {s->o->pause_before_attach_ms / 1000,
				      (s->o->pause_before_attach_ms % 1000) * 1000000L};

		fprintf(stderr, "gogrpctrace: test: pausing before attach\n");
		nanosleep(&ts, NULL);
	}
	/* The process may have exited or been replaced meanwhile: its PID
	 * may even belong to another process by now. */
	if (procinfo__start_time(pid) != t.starttime) {
		fprintf(stderr, "gogrpctrace: PID %d exited or changed before attaching\n", (int)pid);
		report__forget_process(s->report, (uint32_t)pid);
		return -1;
	}
	if (loader__attach(&p->loader, exe, pid, s->o->bench_entry, err, sizeof(err)) != 0) {
		loader__detach_pid(&p->loader, pid);
		report__forget_process(s->report, (uint32_t)pid);
		/* A target that exits mid-way takes its probes' place with it:
		 * say that, not the attach error it caused. */
		if (procinfo__start_time(pid) != t.starttime)
			fprintf(stderr, "gogrpctrace: PID %d exited while attaching\n", (int)pid);
		else
			fprintf(stderr, "gogrpctrace: %s\n", err);
		return -1;
	}
	if (s->otlp)
		tell_exporter(s, pid);
	t.why = why ? strdup(why) : NULL;
	t.reused = !made;
	s->targets[s->ntargets++] = t;
	if (!s->started)
		return 0; /* all are announced at once */
	/* Its events wait in its buffer meanwhile. */
	if (made && open_event_buffer(s, t.prog) == 0)
		announce__program(s, t.prog);
	announce__attach(s, &s->targets[s->ntargets - 1]);
	return 0;
}

/* A selector found pid. */
static void on_found(pid_t pid, const char *why, void *ctx)
{
	attach_process(ctx, pid, why);
}

/* Attach to each -p PID, then to the processes the selectors find now. */
static int prepare(struct session *s)
{
	for (int i = 0; i < s->o->npids; i++)
		if (attach_process(s, s->o->pids[i], NULL))
			return -1;
	if (s->follow)
		follow__scan(s->follow, on_found, s);
	return 0;
}

/* pid is no longer traced: its probes come off, the events it sent are
 * read, its open calls end ("process exited"), and a selector will judge
 * whatever runs under its PID next. */
static void drop_target(struct session *s, int i, const char *why)
{
	struct target t = s->targets[i];

	loader__detach_pid(&s->progs[t.prog].loader, t.pid);
	eventbuf__drain(s->eb, false);
	calls__process_gone(s->calls, (uint32_t)t.pid);
	if (s->otlp)
		otlp__forget_process(s->otlp, t.pid);
	report__forget_process(s->report, (uint32_t)t.pid);
	s->targets[i] = s->targets[--s->ntargets];
	announce__detach(s, t.pid, why);
	if (s->follow)
		follow__forget(s->follow, t.pid);
	free(t.why);
}

/* Drop the targets that exited (their PID now free or another process's)
 * or, found by a selector, run another executable now; true while one is
 * left. */
static bool check_targets(struct session *s)
{
	for (int i = s->ntargets - 1; i >= 0; i--) {
		const struct target *t = &s->targets[i];
		struct exe_id exe;

		if (procinfo__start_time(t->pid) != t->starttime)
			drop_target(s, i, "exited");
		else if (s->follow &&
			 (procinfo__exe_id(t->pid, &exe) != 0 || !procinfo__same_exe(exe, t->exe)))
			drop_target(s, i, "exec");
	}
	return s->ntargets > 0;
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
	double start = now_s(), last_alive = start, last_scan = start;
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
			/* With selectors, the session waits for the next one. */
			if (!check_targets(s) && !s->follow)
				break;
		}
		if (s->follow && (t - last_scan) * 1000 >= SCAN_INTERVAL_MS) {
			last_scan = t;
			follow__scan(s->follow, on_found, s);
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
	s.env = (struct program_env){.o = o, .kh = &s.kh,
				     .perf_buffer = o->perf_buffer || !eventbuf__ringbuf_supported()};
	if (o->verbose)
		fprintf(stderr, "gogrpctrace: a failed compile or load is logged to %s/%s%d.log\n",
			STATE_DIR, LOADER_LOG_PREFIX, (int)getpid());
	if (o->otlp_url) {
		struct otlp_opts oo = {.url = o->otlp_url, .service_name = o->service_name,
				       .metadata = o->otlp_metadata, .show_secrets = o->show_secrets,
				       .max_queued = o->otlp_queue};

		s.otlp = otlp__new(&oo, err, sizeof(err));
		if (!s.otlp) {
			fprintf(stderr, "gogrpctrace: --otlp %s\n", err);
			goto cleanup;
		}
		report__on_shown(s.report, export_call, s.otlp);
	}
	if (follow__wanted(o)) {
		s.follow = follow__new(o, err, sizeof(err));
		if (!s.follow) {
			fprintf(stderr, "gogrpctrace: %s\n", err);
			goto cleanup;
		}
	}
	if (prepare(&s) || open_event_buffers(&s))
		goto cleanup;
	if (o->verbose)
		announce__startup_times(&s);
	announce__start(&s);
	poll_loop(&s);
	finish(&s);
	calls__flush(s.calls);
	close_exporter(&s);
	collect_evicted(&s);
	report__summary(s.report, &s.tally);
	ret = 0;
cleanup:
	if (s.otlp) {
		struct otlp_stats st;

		otlp__close(s.otlp, &st);
	}
	/* Detach first: the target stops paying for probes at once. */
	for (int k = s.nprogs - 1; k >= 0; k--)
		loader__close(&s.progs[k].loader);
	if (s.calls)
		calls__on_conn_forget(s.calls, NULL, NULL); /* the tables are gone */
	if (s.stats_fd >= 0)
		close(s.stats_fd);
	eventbuf__free(s.eb);
	for (int k = 0; k < s.nprogs; k++)
		program__close(&s.progs[k]);
	for (int i = 0; i < s.ntargets; i++)
		free(s.targets[i].why);
	follow__free(s.follow);
	calls__free(s.calls);
	report__free(s.report);
	return ret;
}
