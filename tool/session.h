/* session.h - a tracing session's state, shared by tracer.c (targets and
 * the event loop) and announce.c (what it says of them). */
#ifndef SESSION_H
#define SESSION_H

#include "calls.h"
#include "eventbuf.h"
#include "events.h"
#include "follow.h"
#include "otlp.h"
#include "procinfo.h"
#include "program.h"
#include "report.h"

#define MAX_PROGRAMS 16	  /* distinct executables, kept loaded for their restarts */
#define MAX_REJECTED 1024 /* executables found to have nothing to trace */

/* A traced process. */
struct target {
	pid_t pid;
	unsigned long long starttime; /* to notice a reused PID */
	struct exe_id exe;	      /* to notice an exec */
	int prog;		      /* its program, in progs */
	char *why;		      /* the selector that found it (malloc'd); NULL: -p */
	bool reused;		      /* its program was loaded before it was found */
};

struct session {
	const struct options *o;
	struct kheaders kh;
	struct program_env env; /* the options, headers and start-up times programs are made with */
	/* One program per executable, kept loaded once made: a restart of
	 * the same file is attached at once. */
	struct program progs[MAX_PROGRAMS];
	int nprogs;
	struct target targets[MAX_TARGETS];
	int ntargets;
	struct follow *follow; /* -n, --exe, ...: NULL with -p alone */
	struct otlp *otlp;     /* --otlp: NULL without */
	struct exe_id rejected[MAX_REJECTED]; /* a ring: the oldest is forgotten */
	int nrejected;
	bool started;	   /* announced: later attaches are announced as they come */
	bool full_said;	   /* MAX_TARGETS or MAX_PROGRAMS reached, said once */
	struct eventbuf *eb;
	struct calls *calls;
	struct report *report;
	struct tally tally;
	struct event_sink sink;
	int stats_fd; /* --probe-stats: keeps the kernel's BPF statistics on; -1 */
};

#endif
