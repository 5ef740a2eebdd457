/* progcache.c - the compiled-program cache.
 *
 * An entry holds each table's description and each probe's instructions as
 * libbcc produced them, with map references as file descriptors of the
 * process that compiled them. Loading creates the maps again and rewrites
 * those descriptors; the kernel's verifier checks the program as always.
 * Entries live in a root-only directory and are keyed by the program text,
 * the kernel release and the libbcc version, so any change recompiles.
 */
#include "progcache.h"
#include "statedir.h"

#include <bcc/bcc_version.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAGIC "GGTPROG2"
#define MAX_INSN_BYTES (1 << 20)

static uint64_t fnv(uint64_t h, const char *s)
{
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t progcache__key(const char *text)
{
	struct utsname u;
	uint64_t h = 1469598103934665603ULL;

	uname(&u);
	h = fnv(h, u.release);
	h = fnv(h, u.version);
	h = fnv(h, LIBBCC_VERSION);
	return fnv(h, text);
}

/* Names inside STATE_DIR. */
static void entry_name(uint64_t key, char *name, size_t len)
{
	snprintf(name, len, "%016llx.prog", (unsigned long long)key);
}

static void marker_name(uint64_t key, enum progcache_refusal why, char *name, size_t len)
{
	snprintf(name, len, "%016llx.%s", (unsigned long long)key,
		 why == REFUSED_LOOP ? "loops" : "complex");
}

/* A cache file for reading, when it and the directory are root's alone;
 * else -1. */
static int open_trusted(const char *name)
{
	int dfd = statedir__open(false), fd;

	if (dfd < 0)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	close(dfd);
	if (fd >= 0 && !statedir__trusted(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

void progcache__free(struct progcache_entry *e)
{
	for (int i = 0; i < e->nprogs; i++)
		free(e->progs[i].insns);
	memset(e, 0, sizeof(*e));
}

static int read_all(int fd, void *buf, size_t len)
{
	return read(fd, buf, len) == (ssize_t)len ? 0 : -EIO;
}

int progcache__read(uint64_t key, struct progcache_entry *e)
{
	char name[64], magic[8];
	int fd, ret = -ENOENT;

	memset(e, 0, sizeof(*e));
	entry_name(key, name, sizeof(name));
	fd = open_trusted(name);
	if (fd < 0)
		return -ENOENT;
	if (read_all(fd, magic, sizeof(magic)) || memcmp(magic, MAGIC, 8) ||
	    read_all(fd, &e->ntables, sizeof(e->ntables)) || e->ntables < 0 ||
	    e->ntables > PROGCACHE_MAX_TABLES ||
	    read_all(fd, e->tables, sizeof(e->tables[0]) * (size_t)e->ntables) ||
	    read_all(fd, &e->nprogs, sizeof(e->nprogs)) || e->nprogs < 0 ||
	    e->nprogs > PROGCACHE_MAX_PROGS)
		goto out;
	for (int i = 0; i < e->nprogs; i++) {
		struct progcache_prog *p = &e->progs[i];

		if (read_all(fd, p->name, sizeof(p->name)) || read_all(fd, &p->len, sizeof(p->len)) ||
		    p->len == 0 || p->len > MAX_INSN_BYTES || p->len % 8)
			goto out;
		p->name[sizeof(p->name) - 1] = '\0';
		p->insns = malloc(p->len);
		if (!p->insns || read_all(fd, p->insns, p->len))
			goto out;
	}
	if (read_all(fd, e->license, sizeof(e->license)) ||
	    read_all(fd, &e->kern_version, sizeof(e->kern_version)))
		goto out;
	e->license[sizeof(e->license) - 1] = '\0';
	for (int i = 0; i < e->ntables; i++)
		e->tables[i].name[sizeof(e->tables[i].name) - 1] = '\0';
	ret = 0;
out:
	close(fd);
	if (ret)
		progcache__free(e);
	return ret;
}

int progcache__refused(uint64_t key, enum progcache_refusal why)
{
	char name[64];
	int fd;

	marker_name(key, why, name, sizeof(name));
	fd = open_trusted(name);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

void progcache__mark_refused(uint64_t key, enum progcache_refusal why)
{
	char name[64];
	int dfd = statedir__open(true), fd;

	if (dfd < 0)
		return;
	marker_name(key, why, name, sizeof(name));
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
	close(dfd);
}

void progcache__write(uint64_t key, const struct progcache_entry *e)
{
	char name[64], tmp[96];
	int dfd = statedir__open(true), fd;
	FILE *f;

	if (dfd < 0)
		return;
	entry_name(key, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), "%s.%d", name, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		close(dfd);
		return;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return;
	}
	fwrite(MAGIC, 1, 8, f);
	fwrite(&e->ntables, sizeof(e->ntables), 1, f);
	fwrite(e->tables, sizeof(e->tables[0]), (size_t)e->ntables, f);
	fwrite(&e->nprogs, sizeof(e->nprogs), 1, f);
	for (int i = 0; i < e->nprogs; i++) {
		fwrite(e->progs[i].name, sizeof(e->progs[i].name), 1, f);
		fwrite(&e->progs[i].len, sizeof(e->progs[i].len), 1, f);
		fwrite(e->progs[i].insns, 1, e->progs[i].len, f);
	}
	fwrite(e->license, sizeof(e->license), 1, f);
	fwrite(&e->kern_version, sizeof(e->kern_version), 1, f);
	/* Publish whole or not at all. */
	if (fclose(f) != 0 || renameat(dfd, tmp, dfd, name) != 0)
		unlinkat(dfd, tmp, 0);
	close(dfd);
}
