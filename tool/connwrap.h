/* connwrap.h - the net.Conn wrappers of one binary: types that hold the
 * connection they wrap in a member of type net.Conn (cmux's MuxConn, a
 * proxy's counting conn, grpc's syscallConn), found from the binary's own
 * itabs and DWARF, so that the BPF side can reach the *net.TCPConn or
 * *net.UnixConn under them. */
#ifndef CONNWRAP_H
#define CONNWRAP_H

#include "../dwarf/gobin.h"

#include <stdint.h>

#define MAX_CONN_WRAPS 8  /* rendered as CONN_WRAP_0..7: bpf_templates/common.bpf.h */
#define MAX_WRAP_NOTES 16 /* wrappers dropped or refused, named for --inspect */

struct conn_wrap {
	uint64_t itab;	 /* link-time address of the "*X,net.Conn" itab */
	uint64_t offset; /* of X's net.Conn member */
	char type[160];	 /* "pkg/path.X", from the binary: for people only */
};

struct conn_wraps {
	int n;
	struct conn_wrap w[MAX_CONN_WRAPS];
	int nnotes, nnotes_lost; /* notes kept, and those past MAX_WRAP_NOTES */
	char notes[MAX_WRAP_NOTES][224]; /* "pkg/path.X: why not used" */
	const char *why; /* none searched for: no itab list, no DWARF */
};

/* Find the wrappers: every itab "*X,net.Conn" of the runtime's itab list
 * whose struct X has exactly one member of type net.Conn (DWARF), except
 * the ones the templates unwrap by name (crypto/tls.Conn, h2c's). At most
 * MAX_CONN_WRAPS are kept; the others are noted, as are the types with
 * several such members (which one is the connection cannot be told).
 * Never fails: cw->why says when nothing could be searched. */
void conn_wraps__find(struct conn_wraps *cw, struct gobin *gb);

#endif
