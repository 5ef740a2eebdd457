/* procinfo.h - what /proc says of a process: when it started, the file it
 * runs, its names and its cgroup; and what a cgroup path says of the
 * container it belongs to. */
#ifndef PROCINFO_H
#define PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The identity of the file a process runs (the same file however it is
 * named, in whichever mount namespace). */
struct exe_id {
	dev_t dev;
	ino_t ino;
};

static inline bool procinfo__same_exe(struct exe_id a, struct exe_id b)
{
	return a.dev == b.dev && a.ino == b.ino;
}

/* Field 22 of /proc/PID/stat: when the process started; 0 when it is gone
 * or a zombie (exited, not yet reaped: its memory is gone too). */
unsigned long long procinfo__start_time(pid_t pid);

/* The file PID runs: 0, or -errno (a kernel thread runs none: -ENOENT). */
int procinfo__exe_id(pid_t pid, struct exe_id *id);

/* Its comm (at most 15 bytes, set from the executable's name at exec);
 * its executable's path as the process's mount namespace names it, and
 * that path's last component: 0, or -errno. */
int procinfo__comm(pid_t pid, char *buf, size_t len);
int procinfo__exe_path(pid_t pid, char *buf, size_t len);
int procinfo__exe_name(pid_t pid, char *buf, size_t len);

/* Its cgroup v2 path ("/system.slice/x.service"), from the "0::" line of
 * /proc/PID/cgroup: 0, or -errno (-ENOENT: no cgroup v2 line). */
int procinfo__cgroup(pid_t pid, char *buf, size_t len);

/* Whether path is dir or lies under it ("/a/b" is under "/a", not "/ab"). */
bool procinfo__cgroup_under(const char *path, const char *dir);

/* The container a cgroup path names: the innermost component that is, or
 * ends in, 64 hex digits, the way container runtimes name them
 * ("/docker/ID", "docker-ID.scope", "cri-containerd-ID.scope",
 * "crio-ID.scope", "libpod-ID.scope"). id gets the 64 digits; false: none. */
bool procinfo__container_id(const char *cgroup_path, char id[65]);

/* Where cgroup v2 is mounted ("/sys/fs/cgroup", or "/sys/fs/cgroup/unified"
 * on a hybrid system): 0, or -ENOENT. */
int procinfo__cgroup2_mount(char *buf, size_t len);

#endif
