/* statedir.c - the tool's root-only directory (see statedir.h). */
#include "statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

bool statedir__trusted(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_uid == 0 && !(st.st_mode & 022);
}

int statedir__open(bool create)
{
	int fd;

	if (create && mkdir(STATE_DIR, 0700) != 0 && errno != EEXIST)
		return -errno;
	/* O_NOFOLLOW: the directory itself, not where a symlink points. */
	fd = open(STATE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!statedir__trusted(fd)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int statedir__create(const char *name, char *path, size_t len)
{
	int dfd = statedir__open(true), fd;

	snprintf(path, len, "%s/%s", STATE_DIR, name);
	if (dfd < 0)
		return dfd;
	/* Only root writes here, so removing an old file first is safe; then
	 * O_EXCL makes the file ours and new whatever was there. */
	if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT) {
		int e = errno;

		close(dfd);
		return -e;
	}
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}
