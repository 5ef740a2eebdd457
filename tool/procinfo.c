/* procinfo.c - read a process's facts from /proc. */
#include "procinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Read a small /proc file whole into buf (NUL-terminated): its length,
 * or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

unsigned long long procinfo__start_time(pid_t pid)
{
	char path[64], buf[1024], *p, state = 0;
	unsigned long long v = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* comm, in parentheses, may itself hold ") ": the last one ends it. */
	if (read_small(path, buf, sizeof(buf)) <= 0 || (p = strrchr(buf, ')')) == NULL)
		return 0;
	sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
	       &state, &v);
	return state == 'Z' || state == 'X' ? 0 : v;
}

int procinfo__exe_id(pid_t pid, struct exe_id *id)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st) != 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

int procinfo__comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	n = read_small(path, buf, len);
	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int procinfo__exe_path(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	/* A replaced or deleted file reads "/path/name (deleted)". */
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
	return 0;
}

int procinfo__exe_name(pid_t pid, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	int ret = procinfo__exe_path(pid, target, sizeof(target));

	if (ret)
		return ret;
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base ? base + 1 : target);
	return 0;
}

int procinfo__cgroup(pid_t pid, char *buf, size_t len)
{
	char path[64], text[8192], *line, *save = NULL;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = read_small(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(buf, len, "%s", line + 3);
			return 0;
		}
	return -ENOENT;
}

bool procinfo__cgroup_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool procinfo__container_id(const char *cgroup_path, char id[65])
{
	const char *comp = cgroup_path;
	bool found = false;

	while (*comp) {
		size_t n = strcspn(comp, "/");

		/* "prefix-ID.scope", "ID.scope", "prefix-ID" or "ID" */
		size_t end = n >= 6 && strncmp(comp + n - 6, ".scope", 6) == 0 ? n - 6 : n;

		if (end >= 64 && all_hex(comp + end - 64, 64) &&
		    (end == 64 || comp[end - 65] == '-' || comp[end - 65] == ':')) {
			memcpy(id, comp + end - 64, 64);
			id[64] = '\0';
			found = true;
		}
		comp += n;
		while (*comp == '/')
			comp++;
	}
	return found;
}

int procinfo__cgroup2_mount(char *buf, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	/* "36 25 0:31 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw" */
	while (ret && fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX];
		const char *sep = strstr(line, " - ");

		if (sep && strncmp(sep + 3, "cgroup2 ", 8) == 0 &&
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(buf, len, "%s", mnt);
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}
