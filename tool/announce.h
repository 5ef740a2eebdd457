/* announce.h - what a session says of what it traces. */
#ifndef ANNOUNCE_H
#define ANNOUNCE_H

#include "session.h"

/* The start: the report's header, with a selector what is watched, one
 * start line (or JSON start object) per executable traced so far, their
 * attach objects, the column header. Later ones are announced as they come. */
void announce__start(struct session *s);

/* One start line (or JSON start object) per distinct executable: its
 * PIDs, its Go and grpc-go versions, its probes, its unknown fields. */
void announce__program(struct session *s, int k);

/* A process is traced: --json's attach object; text, a line on stderr.
 * t->why: the selector that found it (NULL: -p); t->reused: its
 * executable's program was loaded already (another process, or an
 * earlier run of it). */
void announce__attach(struct session *s, const struct target *t);

/* A process is no longer traced: why ("exited", "exec"). */
void announce__detach(struct session *s, pid_t pid, const char *why);

/* -v: the start-up's time by phase, and the peak memory. */
void announce__startup_times(const struct session *s);

#endif
