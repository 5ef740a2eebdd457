/* target.c - locate a process's executable. */
#include "target.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int target__exe_path(pid_t pid, char *path, size_t len, char *err, size_t errlen)
{
	char link[64];
	struct stat st;

	snprintf(link, sizeof(link), "/proc/%d", (int)pid);
	if (stat(link, &st) != 0) {
		snprintf(err, errlen, "no process with PID %d", (int)pid);
		return -ESRCH;
	}
	/* /proc/PID/exe opens the very file the process runs, even when it
	 * was deleted or replaced on disk, and works across mount namespaces. */
	snprintf(path, len, "/proc/%d/exe", (int)pid);
	if (access(path, R_OK) != 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, errlen, "PID %d exited", (int)pid);
		else
			snprintf(err, errlen, "cannot read the executable of PID %d: %s%s", (int)pid,
				 strerror(e), e == EACCES || e == EPERM ? " (run as root)" : "");
		return -e;
	}
	return 0;
}
