/* follow.h - the processes the user named by what they are rather than by
 * PID (-n, --exe, --cgroup, --container, -a), found in /proc as they
 * start, a restart or a new replica included. */
#ifndef FOLLOW_H
#define FOLLOW_H

#include "options.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct follow;

/* Whether o names processes to follow. */
bool follow__wanted(const struct options *o);

/* NULL with a reason in err when a selector cannot work (a --cgroup
 * outside cgroup v2's tree, a --container that is no hex ID). */
struct follow *follow__new(const struct options *o, char *err, size_t errlen);
void follow__free(struct follow *f);

/* A process that matches: why says which selector took it ("name
 * server", "exe /srv/app", "cgroup /x", "container 0123abcd", "all"). */
typedef void (*follow_found_fn)(pid_t pid, const char *why, void *ctx);

/* Look through /proc; call found for each process that matches and was
 * not seen before, or runs another executable since it was (an exec). A
 * process seen once is judged once: call follow__forget to have it
 * judged again. */
void follow__scan(struct follow *f, follow_found_fn found, void *ctx);
void follow__forget(struct follow *f, pid_t pid);

/* The start line's words for what is followed ("processes named server,
 * running /srv/app"). */
void follow__describe(const struct follow *f, char *buf, size_t len);
/* The --json "watch" object's members, from the first "," on. */
void follow__json(const struct follow *f, FILE *out);

/* The pure parts, for the unit test: does a process of this comm, file
 * name and cgroup match a name, a cgroup, a container ID prefix? */
bool follow__name_matches(const char *name, const char *comm, const char *exe_name);
bool follow__container_matches(const char *id_prefix, const char *cgroup_path);

#endif
