/* program.h - one executable's program: read the file, resolve its probes
 * for this binary, render, compile and load them; and say, once, what of
 * it cannot be traced. Processes running the same file share it. */
#ifndef PROGRAM_H
#define PROGRAM_H

#include "../dwarf/gobin.h"
#include "kheaders.h"
#include "loader.h"
#include "options.h"
#include "procinfo.h"
#include "resolve.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct protodb;

/* What making a program needs from the session, and the start-up's time
 * it adds to, by phase (-v and make bench print them). */
struct program_env {
	const struct options *o;
	const struct kheaders *kh;
	bool perf_buffer; /* no ring buffer on this kernel (or --perf-buffer) */
	double read_s, render_s, compile_s;
};

struct program {
	struct exe_id exe; /* the file it was made for */
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

/* Read exe, the file pid runs (id names it), and load its program
 * into p. quiet (-a): a file that is not a Go program, or has nothing to
 * trace, is passed over without a word. 0, or -1 with the reason said
 * (unless quiet) and p left empty. */
int program__open(struct program *p, struct program_env *env, pid_t pid, const char *exe,
		  struct exe_id id, bool quiet);
void program__close(struct program *p);

/* --protocol, with its default decided for this binary: gRPC only where
 * grpc-go is linked in, everything elsewhere. */
enum protocol_filter program__protocol(const struct program *p, const struct options *o);

#endif
