/* loader.h - compile a rendered program with libbcc, attach its probes to
 * processes, read its counters, detach. */
#ifndef LOADER_H
#define LOADER_H

#include "kheaders.h"
#include "progcache.h"
#include "resolve.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define LOADER_MAX_LINKS 2048 /* probes x PIDs, and each RET of a return probe */

struct loader_link {
	char ev_name[64];
	int fd;
	pid_t pid;
};

struct loader_table {
	char name[32];
	int fd;
};

struct loader {
	void *mod; /* bcc module; NULL when loaded from the cache */
	bool from_cache;
	int ntables;
	struct loader_table tables[PROGCACHE_MAX_TABLES];
	int nprogs;
	int prog_fds[MAX_PROBES];
	const struct resolved_probe *progs[MAX_PROBES];
	struct loader_link links[LOADER_MAX_LINKS];
	int nlinks;
	double compile_s; /* the compiler's time (0 from the cache) */
	double verify_s;  /* the verifier's, all programs (on threads side by side) */
	double attach_s;
	int load_threads;
};

/* A failed compile or load leaves its log (the compiler's or verifier's
 * words, then the program) in STATE_DIR/LOADER_LOG_PREFIX<pid>.log. */
#define LOADER_LOG_PREFIX "build-"

/* Compile text and load every enabled probe of res. On a verifier or
 * compiler failure the log is saved (above) and named in err; -ELOOP
 * when the verifier refused a loop (render it unrolled and try again),
 * -E2BIG when it refused for another reason, most often the program's
 * size or paths (render the simpler form and try again). The log of a
 * refusal that is not a loop's is compiled again with source lines for
 * the user to read, unless simpler_left says the caller will try the
 * simpler form first (the user never reads that one). */
int loader__load(struct loader *l, const char *text, const struct resolution *res,
		 const struct kheaders *kh, bool simpler_left, char *err, size_t errlen);

/* Attach every loaded probe to pid at the file offsets of binary. */
int loader__attach(struct loader *l, const char *binary, pid_t pid, bool at_entry, char *err,
		   size_t errlen);

/* Remove the uprobes attached to pid (it exited, or runs another file). */
void loader__detach_pid(struct loader *l, pid_t pid);

/* The file descriptor of a table of the program, or -1. */
int loader__table_fd(const struct loader *l, const char *name);

/* Sum a per-CPU u64 array's slots into out[n]. */
int loader__read_counters(const struct loader *l, uint64_t *out, int n);

/* Turn the kernel's BPF run-time statistics on for as long as the
 * returned descriptor stays open (close it to turn them off); -errno. */
int loader__enable_stats(void);
/* How often program i ran and for how long in all (the kernel counts only
 * while the statistics are on): 0, or -errno. */
int loader__prog_stats(const struct loader *l, int i, uint64_t *runs, uint64_t *ns);

/* Remove the uprobes; the programs and tables stay, to be drained and
 * read. Safe to call twice. */
void loader__detach(struct loader *l);
/* Detach everything and free the module; safe to call twice. */
void loader__close(struct loader *l);

#endif
