/* statedir.h - /var/cache/gogrpctrace, the one directory the tool writes:
 * compiled programs (progcache.c) and the log of a failed compile or load
 * (loader.c). Trusted only while root alone can write it, so that no
 * other user can plant a file or a symlink where root will write. */
#ifndef STATEDIR_H
#define STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

#define STATE_DIR "/var/cache/gogrpctrace"

/* Whether fd is owned by root and writable by no group or other user. */
bool statedir__trusted(int fd);

/* A descriptor of the directory, made (mode 0700) if create and it is
 * missing; -errno, -EPERM when someone besides root could write it. */
int statedir__open(bool create);

/* Create STATE_DIR/NAME afresh for writing, mode 0600: an old file of that
 * name is replaced, a symlink is never followed. Returns the descriptor
 * and the full path in path, or -errno with path naming what failed. */
int statedir__create(const char *name, char *path, size_t len);

#endif
