/* debuginfod.c - fetch a debug file by GNU build-id from the servers named
 * in DEBUGINFOD_URLS, through elfutils' libdebuginfod.
 *
 * The library is loaded with dlopen() when it is first needed, not linked:
 * it brings an HTTP client (libcurl and its TLS stack) into a process that
 * runs as root, which only a user who set DEBUGINFOD_URLS asked for, and the
 * tool keeps working on machines without libdebuginfod1. libdw does the
 * same. The prototypes come from <elfutils/debuginfod.h>, so a changed
 * signature fails the build rather than the call.
 */
#include "debugfile.h"

#include <errno.h>

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct dfn {
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_end) *end;
	__typeof__(debuginfod_find_debuginfo) *find_debuginfo;
	__typeof__(debuginfod_get_url) *get_url; /* elfutils >= 0.179; may be NULL */
};

/* The library stays loaded once found: unloading libcurl (which may keep
 * global state and atexit handlers) is not safe. */
static const char *load(struct dfn *f)
{
	static void *lib;

	if (!lib)
		lib = dlopen(DEBUGINFOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return "cannot load " DEBUGINFOD_SONAME " (install libdebuginfod1)";
	f->begin = (__typeof__(f->begin))dlsym(lib, "debuginfod_begin");
	f->end = (__typeof__(f->end))dlsym(lib, "debuginfod_end");
	f->find_debuginfo = (__typeof__(f->find_debuginfo))dlsym(lib, "debuginfod_find_debuginfo");
	f->get_url = (__typeof__(f->get_url))dlsym(lib, "debuginfod_get_url");
	if (!f->begin || !f->end || !f->find_debuginfo)
		return DEBUGINFOD_SONAME " lacks debuginfod_find_debuginfo";
	return NULL;
}

int debuginfod__fetch(const char *build_id_hex, struct notes *notes, const char **path,
		      const char **url, const char **why)
{
	debuginfod_client *c;
	struct dfn f;
	char *cached = NULL;
	const char *u;
	int fd;

	*path = *url = NULL;
	*why = load(&f);
	if (*why)
		return -ELIBACC;
	c = f.begin();
	if (!c) {
		*why = "debuginfod_begin failed";
		return -ENOMEM;
	}
	/* A length of 0 means: the build-id is given as lowercase hex. */
	fd = f.find_debuginfo(c, (const unsigned char *)build_id_hex, 0, &cached);
	if (fd < 0) {
		*why = notes__add(notes, "no debug file for build-id %s: %s", build_id_hex,
				  strerror(-fd));
		f.end(c);
		return fd;
	}
	*path = notes__add(notes, "%s", cached ? cached : "(unnamed)");
	/* NULL when the file came from the local cache without a download. */
	u = f.get_url ? f.get_url(c) : NULL;
	if (u)
		*url = notes__add(notes, "%s", u);
	free(cached);
	f.end(c);
	return fd;
}
