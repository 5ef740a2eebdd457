/* follow.c - find the processes -n, --exe, --cgroup, --container and -a
 * ask for.
 *
 * A scan lists /proc and stats each process's executable: one system call
 * per process, so scanning a few times a second costs the machine next to
 * nothing. Only a process not seen before, or one running another file
 * since (an exec keeps the PID), is read further and judged.
 */
#include "follow.h"

#include "json.h"
#include "procinfo.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COMM_MAX 15 /* the kernel keeps the first 15 bytes of a name */

struct seen {
	pid_t pid;
	struct exe_id exe;
};

struct follow {
	const struct options *o;
	struct exe_id exe_ids[MAX_SELECTORS]; /* of o->exes in our own namespace */
	bool exe_found[MAX_SELECTORS];
	char cgroups[MAX_SELECTORS][PATH_MAX]; /* as /proc/PID/cgroup writes them */
	struct seen *seen, *next; /* the last scan's processes by PID, and the one being made */
	size_t nseen, nnext, cap;
};

bool follow__wanted(const struct options *o)
{
	return o->nnames || o->nexes || o->ncgroups || o->ncontainers || o->all;
}

bool follow__name_matches(const char *name, const char *comm, const char *exe_name)
{
	/* comm holds a name's first 15 bytes: a longer name matches by those. */
	size_t n = strlen(name);

	if (exe_name && strcmp(name, exe_name) == 0)
		return true;
	return comm && (n > COMM_MAX ? strlen(comm) == COMM_MAX && strncmp(name, comm, COMM_MAX) == 0
				     : strcmp(name, comm) == 0);
}

bool follow__container_matches(const char *id_prefix, const char *cgroup_path)
{
	char id[65];

	return procinfo__container_id(cgroup_path, id) &&
	       strncmp(id, id_prefix, strlen(id_prefix)) == 0;
}

/* --cgroup takes the directory under cgroup v2's mount or the path as
 * /proc/PID/cgroup writes it; keep the latter. */
static int cgroup_arg(const char *arg, char *out, size_t len, char *err, size_t errlen)
{
	char mnt[PATH_MAX];
	size_t n;

	if (procinfo__cgroup2_mount(mnt, sizeof(mnt)) == 0) {
		n = strlen(mnt);
		if (strncmp(arg, mnt, n) == 0 && (arg[n] == '/' || arg[n] == '\0')) {
			snprintf(out, len, "%s", arg[n] ? arg + n : "/");
			return 0;
		}
		if (strncmp(arg, "/sys/fs/cgroup", 14) == 0 && (arg[14] == '/' || !arg[14])) {
			snprintf(err, errlen, "--cgroup %s: not in cgroup v2's tree (mounted at %s)", arg,
				 mnt);
			return -EINVAL;
		}
	}
	if (arg[0] != '/') {
		snprintf(err, errlen, "--cgroup %s: give a path such as /system.slice/x.service", arg);
		return -EINVAL;
	}
	snprintf(out, len, "%s", arg);
	return 0;
}

static int container_arg(const char *arg, char *err, size_t errlen)
{
	size_t n = strlen(arg);

	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)arg[i]) || isupper((unsigned char)arg[i]))
			n = 0;
	if (n < 4 || n > 64) {
		snprintf(err, errlen, "--container %s: give the container's ID (4 to 64 lowercase hex "
				      "digits, as docker ps or crictl ps show it)", arg);
		return -EINVAL;
	}
	return 0;
}

struct follow *follow__new(const struct options *o, char *err, size_t errlen)
{
	struct follow *f = calloc(1, sizeof(*f));

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->o = o;
	for (int i = 0; i < o->nexes; i++) {
		struct stat st;

		/* A file only a container sees is found through each process's root. */
		f->exe_found[i] = stat(o->exes[i], &st) == 0;
		f->exe_ids[i] = (struct exe_id){st.st_dev, st.st_ino};
		if (!f->exe_found[i] && o->exes[i][0] != '/') {
			snprintf(err, errlen, "--exe %s: %s", o->exes[i], strerror(errno));
			goto fail;
		}
	}
	for (int i = 0; i < o->ncgroups; i++)
		if (cgroup_arg(o->cgroups[i], f->cgroups[i], sizeof(f->cgroups[i]), err, errlen))
			goto fail;
	for (int i = 0; i < o->ncontainers; i++)
		if (container_arg(o->containers[i], err, errlen))
			goto fail;
	return f;
fail:
	free(f);
	return NULL;
}

void follow__free(struct follow *f)
{
	if (!f)
		return;
	free(f->seen);
	free(f->next);
	free(f);
}

/* Is the file at path, seen from pid's root, the one pid runs? */
static bool runs_file(pid_t pid, struct exe_id exe, const char *path)
{
	char root_path[PATH_MAX + 64];
	struct stat st;

	if (path[0] != '/')
		return false;
	snprintf(root_path, sizeof(root_path), "/proc/%d/root%s", (int)pid, path);
	return stat(root_path, &st) == 0 && procinfo__same_exe(exe, (struct exe_id){st.st_dev, st.st_ino});
}

/* Which selector takes pid, in why; false: none. */
static bool judge(const struct follow *f, pid_t pid, struct exe_id exe, char *why, size_t len)
{
	const struct options *o = f->o;
	char comm[64] = "", name[256] = "", cgroup[PATH_MAX] = "";
	bool have_cgroup;

	if (o->nnames) {
		bool have_comm = procinfo__comm(pid, comm, sizeof(comm)) == 0;
		bool have_name = procinfo__exe_name(pid, name, sizeof(name)) == 0;

		for (int i = 0; i < o->nnames; i++)
			if (follow__name_matches(o->names[i], have_comm ? comm : NULL,
						 have_name ? name : NULL)) {
				snprintf(why, len, "name %s", o->names[i]);
				return true;
			}
	}
	for (int i = 0; i < o->nexes; i++)
		if ((f->exe_found[i] && procinfo__same_exe(exe, f->exe_ids[i])) ||
		    runs_file(pid, exe, o->exes[i])) {
			snprintf(why, len, "exe %s", o->exes[i]);
			return true;
		}
	have_cgroup = (o->ncgroups || o->ncontainers) &&
		      procinfo__cgroup(pid, cgroup, sizeof(cgroup)) == 0;
	for (int i = 0; i < o->ncgroups && have_cgroup; i++)
		if (procinfo__cgroup_under(cgroup, f->cgroups[i])) {
			snprintf(why, len, "cgroup %s", f->cgroups[i]);
			return true;
		}
	for (int i = 0; i < o->ncontainers && have_cgroup; i++)
		if (follow__container_matches(o->containers[i], cgroup)) {
			snprintf(why, len, "container %s", o->containers[i]);
			return true;
		}
	if (o->all) {
		snprintf(why, len, "all");
		return true;
	}
	return false;
}

static const struct seen *find_seen(const struct follow *f, pid_t pid)
{
	size_t lo = 0, hi = f->nseen;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (f->seen[mid].pid == pid)
			return &f->seen[mid];
		if (f->seen[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct seen *)a)->pid, y = ((const struct seen *)b)->pid;

	return (x > y) - (x < y);
}

static bool remember(struct follow *f, pid_t pid, struct exe_id exe)
{
	if (f->nnext == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 512;
		struct seen *a = realloc(f->seen, cap * sizeof(*a)), *b;

		if (!a)
			return false;
		f->seen = a;
		b = realloc(f->next, cap * sizeof(*b));
		if (!b)
			return false;
		f->next = b;
		f->cap = cap;
	}
	f->next[f->nnext++] = (struct seen){pid, exe};
	return true;
}

void follow__scan(struct follow *f, follow_found_fn found, void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	if (!d)
		return;
	f->nnext = 0;
	while ((de = readdir(d)) != NULL) {
		char *end, why[PATH_MAX + 32];
		long v = strtol(de->d_name, &end, 10);
		pid_t pid = (pid_t)v;
		struct exe_id exe;
		const struct seen *old;
		bool judged;

		if (*end || v <= 0 || v > INT_MAX || pid == self || procinfo__exe_id(pid, &exe) != 0)
			continue;
		old = find_seen(f, pid);
		judged = old && procinfo__same_exe(old->exe, exe);
		/* (remember may move the arrays: old is not used past here.)
		 * Out of memory: it is judged again on the next scan. */
		if (!remember(f, pid, exe) || judged)
			continue;
		if (judge(f, pid, exe, why, sizeof(why)))
			found(pid, why, ctx);
	}
	closedir(d);
	/* /proc lists processes by PID, but nothing promises it. */
	qsort(f->next, f->nnext, sizeof(*f->next), by_pid);
	{
		struct seen *t = f->seen;

		f->seen = f->next;
		f->next = t;
		f->nseen = f->nnext;
	}
}

void follow__forget(struct follow *f, pid_t pid)
{
	struct seen *s = (struct seen *)find_seen(f, pid);

	if (s)
		s->exe = (struct exe_id){0, 0};
}

static size_t add_list(char *buf, size_t len, size_t n, const char *what, const char *const *v,
		       int nv)
{
	for (int i = 0; i < nv && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s%s", n ? (i ? ", " : "; ") : "",
				      i ? "" : what, v[i]);
	return n;
}

void follow__describe(const struct follow *f, char *buf, size_t len)
{
	const struct options *o = f->o;
	size_t n = 0;

	*buf = '\0';
	n = add_list(buf, len, n, "processes named ", o->names, o->nnames);
	n = add_list(buf, len, n, "processes running ", o->exes, o->nexes);
	n = add_list(buf, len, n, "processes in cgroup ", o->cgroups, o->ncgroups);
	n = add_list(buf, len, n, "processes in container ", o->containers, o->ncontainers);
	if (o->all && n < len)
		snprintf(buf + n, len - n, "%severy Go process that links a traced stack",
			 n ? "; " : "");
}

static void json_list(FILE *out, const char *key, const char *const *v, int nv)
{
	fprintf(out, ",\"%s\":[", key);
	for (int i = 0; i < nv; i++) {
		if (i)
			fputc(',', out);
		json_str(out, v[i]);
	}
	fputc(']', out);
}

void follow__json(const struct follow *f, FILE *out)
{
	const struct options *o = f->o;

	json_list(out, "name", o->names, o->nnames);
	json_list(out, "exe", o->exes, o->nexes);
	json_list(out, "cgroup", o->cgroups, o->ncgroups);
	json_list(out, "container", o->containers, o->ncontainers);
	fprintf(out, ",\"all\":%s", o->all ? "true" : "false");
}
