/* progcache.h - compiled BPF programs kept on disk, so that attaching to a
 * binary seen before skips the compiler. */
#ifndef PROGCACHE_H
#define PROGCACHE_H

#include <stddef.h>
#include <stdint.h>

#define PROGCACHE_MAX_TABLES 32
#define PROGCACHE_MAX_PROGS 64

struct progcache_table {
	char name[32];
	int type;
	uint32_t key_size, leaf_size, max_entries, flags;
	int fd; /* in the process that wrote the entry; replaced on load */
};

struct progcache_prog {
	char name[64];
	uint32_t len; /* bytes */
	void *insns;
};

struct progcache_entry {
	int ntables;
	struct progcache_table tables[PROGCACHE_MAX_TABLES];
	int nprogs;
	struct progcache_prog progs[PROGCACHE_MAX_PROGS];
	char license[32];
	uint32_t kern_version;
};

/* The cache key of a rendered program on this kernel and libbcc. */
uint64_t progcache__key(const char *text);

/* Read the entry of key; 0, or -ENOENT when absent or unusable. */
int progcache__read(uint64_t key, struct progcache_entry *e);
/* Store an entry; failures are silent (a cache is optional). */
void progcache__write(uint64_t key, const struct progcache_entry *e);
void progcache__free(struct progcache_entry *e);

/* Whether the kernel's verifier refused key's program for a loop (see
 * render_opts.unroll_loops), and remembering that it did: the next start
 * then renders the unrolled form at once instead of compiling twice. */
int progcache__loop_refused(uint64_t key);
void progcache__mark_loop_refused(uint64_t key);

#endif
