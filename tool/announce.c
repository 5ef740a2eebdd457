/* announce.c - what a session says of what it traces: the start lines (or
 * --json start and watch objects), each process attached and detached as
 * selectors find them, and -v's start-up times. */
#include "announce.h"

#include "json.h"
#include "lockdown.h"
#include "termtext.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

void announce__startup_times(const struct session *s)
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
		s->env.read_s, s->env.render_s, s->env.compile_s, cached ? " (from the cache)" : "", attach_s,
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
	for (int i = 0; i < s->ntargets && n < len - 16; i++)
		if (s->targets[i].prog == k)
			n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? "," : "", s->targets[i].pid);
}

/* Text: the first start line, on stdout, ends with how to stop; one made
 * later, as the selectors find processes, goes to stderr: never between
 * rows. */
void announce__program(struct session *s, int k)
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
		enum protocol_filter pr = program__protocol(p, s->o);
		const char *what = pr == PROTO_GRPC ? "gRPC calls" : pr == PROTO_HTTP ? "HTTP requests"
											: "gRPC calls and HTTP requests";
		char gov[128], grv[128], grpcs[160];
		bool first = k == 0 && !s->follow;

		term_text(gov, sizeof(gov), gobin__go_version(p->gb));
		if (resolution__has_grpc(&p->res))
			snprintf(grpcs, sizeof(grpcs), "grpc-go %s",
				 grpc ? term_text(grv, sizeof(grv), grpc) : "version unknown");
		else
			snprintf(grpcs, sizeof(grpcs), "no grpc-go");
		fprintf(s->started ? stderr : stdout, "%s%s %s of PID %s (%s, %s, %d probes)%s\n",
			s->started ? "gogrpctrace: " : "", first ? "Tracing" : k ? "Also tracing" : "Tracing",
			what, pids, gov, grpcs, p->loader.nprogs, first ? "... Ctrl-C to end." : "");
	}
}

void announce__attach(struct session *s, const struct target *t)
{
	const char *why = t->why;
	bool reused = t->reused;
	char exe[PATH_MAX], shown[PATH_MAX], whys[PATH_MAX];
	bool have_exe = procinfo__exe_path(t->pid, exe, sizeof(exe)) == 0;

	/* The path is the target's: quoted or escaped. */
	if (s->o->json) {
		printf("{\"type\":\"attach\",\"pid\":%d,\"exe\":", t->pid);
		json_str_or_null(stdout, have_exe ? exe : NULL);
		printf(",\"matched\":");
		json_str(stdout, why ? why : "pid");
		printf(",\"reused_program\":%s}\n", reused ? "true" : "false");
		fflush(stdout);
	} else {
		fprintf(stderr, "gogrpctrace: PID %d (%s) traced: %s%s\n", t->pid,
			have_exe ? term_text(shown, sizeof(shown), exe) : "?",
			why ? term_text(whys, sizeof(whys), why) : "-p",
			reused ? "; its executable's program was loaded already" : "");
	}
}

void announce__detach(struct session *s, pid_t pid, const char *why)
{
	/* Without a selector --json has no attach objects, nor detach ones. */
	if (s->o->json && s->follow) {
		printf("{\"type\":\"detach\",\"pid\":%d,\"reason\":\"%s\"}\n", pid, why);
		fflush(stdout);
	} else if (!s->o->json) {
		fprintf(stderr, "gogrpctrace: PID %d %s\n", pid,
			strcmp(why, "exec") == 0 ? "runs another program now: no longer traced" : why);
	}
}

void announce__start(struct session *s)
{
	char what[2048], shown[2048];

	report__header(s->report);
	if (s->follow) {
		follow__describe(s->follow, what, sizeof(what));
		if (s->o->json) {
			printf("{\"type\":\"watch\"");
			follow__json(s->follow, stdout);
			printf("}\n");
		} else {
			/* The selectors are the user's words, escaped all the same. */
			printf("Watching for %s: each is traced as it starts... Ctrl-C to end.\n",
			       term_text(shown, sizeof(shown), what));
		}
	}
	for (int k = 0; k < s->nprogs; k++)
		announce__program(s, k);
	if (s->follow && s->o->json)
		for (int i = 0; i < s->ntargets; i++)
			announce__attach(s, &s->targets[i]);
	if (!s->o->json)
		report__columns(s->report);
	s->started = true;
	fflush(stdout);
}
