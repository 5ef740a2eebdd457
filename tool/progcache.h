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

/* Why the kernel's verifier refused a program: a loop (render it with
 * render_opts.unroll_loops), or more paths than it walks (render it with
 * render_opts.copy_all_strings, the simpler form). */
enum progcache_refusal { REFUSED_LOOP, REFUSED_COMPLEX };

/* Whether the kernel's verifier refused key's program for that reason,
 * and remembering that it did: the next start then renders the form it
 * takes at once instead of compiling twice. */
int progcache__refused(uint64_t key, enum progcache_refusal why);
void progcache__mark_refused(uint64_t key, enum progcache_refusal why);

#endif
