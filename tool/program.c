/* program.c - make one executable's program: read it, resolve its probes,
 * render, compile and load, and warn of what it cannot trace. */
#include "program.h"

#include "inspect.h"
#include "protodb.h"
#include "render.h"
#include "statedir.h"
#include "termtext.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

enum protocol_filter program__protocol(const struct program *p, const struct options *o)
{
	const struct resolution *res = &p->res;

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
static int load_program(struct program_env *s, struct program *p, pid_t pid, struct render_opts *ro,
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
		ret = loader__load(&p->loader, text, &p->res, s->kh, !ro->copy_all_strings, err,
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

/* Read p's executable and load its program. quiet (-a): a program with
 * nothing to trace is passed over without a word. */
static int prepare_program(struct program_env *s, struct program *p, pid_t pid, const char *exe,
			   bool quiet)
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

	/* A program of another machine runs here only under an emulator,
	 * which holds its code as data: a breakpoint there would corrupt it.
	 * A safety net: such a process's /proc/PID/exe is the emulator,
	 * already refused as not a Go program, so no test reaches it. */
	if (!gobin__machine(p->gb) || gobin__machine(p->gb) != gobin__machine_native()) {
		if (!quiet)
			fprintf(stderr, "gogrpctrace: PID %d (%s): the executable is for %s, and this "
					"machine runs %s: not traced (an emulated program's code is "
					"the emulator's data)\n",
				(int)pid, term_text(why, sizeof(why), exe), gobin__arch(p->gb),
				gobin__machine_native() ? gobin__machine_native()->goarch : "?");
		return -1;
	}
	if (resolution__run(&p->res, p->gb, err, sizeof(err)) != 0) {
		fprintf(stderr, "gogrpctrace: %s\n", err);
		return -1;
	}
	s->read_s += now_s() - t0;
	/* Plain HTTP/1.x costs probes on every request: only when shown. */
	if (program__protocol(p, s->o) == PROTO_GRPC)
		resolution__disable_plain_http(&p->res, s->o->protocol == PROTO_GRPC
								? "--protocol grpc"
								: "HTTP/1.x is not shown for a process that links "
								  "grpc-go (--protocol http or all shows it)");
	if (quiet && resolution__enabled(&p->res) == 0)
		return -1;
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

int program__open(struct program *p, struct program_env *env, pid_t pid, const char *exe,
		  struct exe_id id, bool quiet)
{
	char err[GOBIN_ERRLEN];
	double t0 = now_s();
	int ret;

	memset(p, 0, sizeof(*p));
	p->exe = id;
	ret = gobin__open(exe, &env->o->open, &p->gb, err, sizeof(err));
	env->read_s += now_s() - t0;
	if (ret) {
		if (!quiet)
			fprintf(stderr, "gogrpctrace: PID %d: %s\n", (int)pid, err);
		memset(p, 0, sizeof(*p));
		return -1;
	}
	if (prepare_program(env, p, pid, exe, quiet)) {
		program__close(p);
		return -1;
	}
	return 0;
}

void program__close(struct program *p)
{
	loader__close(&p->loader);
	protodb__free(p->types);
	gobin__close(p->gb);
	memset(p, 0, sizeof(*p));
}
