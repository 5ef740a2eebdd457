/* debugfile.h - the DWARF of an executable that holds none, from a
 * separate debug file (--debuginfo, build-id tree, .gnu_debuglink,
 * debuginfod). Stands on the ELF image. Internal to the reader. */
#ifndef DEBUGFILE_H
#define DEBUGFILE_H

#include "elfimage.h"
#include "gobin.h"
#include "notes.h"

#include <elfutils/libdw.h>

#define GO_BUILD_ID_LEN 128 /* bytes kept of Go's build ID, with its NUL */

struct debugfile {
	/* What the executable says of itself, set by debugfile__find. */
	const struct elfimage *exe;
	const char *gnu_build_id; /* hex, "" if none */
	const char *go_build_id;  /* "" if none; truncated at GO_BUILD_ID_LEN - 1 */
	struct notes *notes;
	/* What was found. */
	int fd;	   /* the debug file, or -1 */
	Elf *elf;  /* the debug file, or NULL */
	Dwarf *dw; /* its DWARF, or NULL; the caller ends it before debugfile__close */
	struct gobin_debuginfo info;	/* where the DWARF came from */
	const char *summary;		/* the same in a few words */
	struct gobin_debug_try *tried; /* backing store of info.tried */
};

/**
 * debugfile__find() - where the DWARF of exe is
 * @exe_has_dwarf: exe holds DWARF itself (then nothing is looked for)
 * @opts: may be NULL (the defaults)
 * @err: the reason, on failure
 *
 * Every miss is recorded in df->info.tried; only a --debuginfo FILE that
 * does not fit is an error. Return: 0, or -EINVAL with the reason in err.
 * df must be closed with debugfile__close either way.
 */
int debugfile__find(struct debugfile *df, const struct elfimage *exe, bool exe_has_dwarf,
		    const char *gnu_build_id, const char *go_build_id,
		    const struct gobin_open_opts *opts, struct notes *notes, char *err,
		    size_t errlen);
void debugfile__close(struct debugfile *df);

/**
 * debuginfod__fetch() - ask the servers in DEBUGINFOD_URLS for the debug
 * file of a GNU build-id (hex)
 * Return: an open descriptor, with path (the cached copy) and url (NULL
 * when served from the cache) kept in notes; or a negative errno (-ELIBACC:
 * no libdebuginfod; the server's error) with the reason in why.
 */
int debuginfod__fetch(const char *build_id_hex, struct notes *notes, const char **path,
		      const char **url, const char **why);

#endif
