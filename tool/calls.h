/* calls.h - stitch events into calls by (pid, connection, stream ID). */
#ifndef CALLS_H
#define CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgasm.h"

#define CALL_TEXT 256
#define ADDR_TEXT 128 /* an address as text: "unix:" and a path of ADDR_PATH_MAX bytes fit */

/* A header block's fields: names[i] and values[i] point into the list's
 * text blocks, which it owns; one allocation holds many fields. */
struct header_list {
	int n, cap;
	char **names; /* one allocation: values is names + cap */
	char **values;
	struct header_text *text; /* the text, newest block first */
};

/* -v: a message seen before its call's method was (a client may write
 * its first messages before its headers), shown once the method is known. */
struct pending_msg {
	struct captured_msg m;
	uint64_t ts_ns;
	int side, dir;
	bool request;
};

/* Which list a header block being sent one field at a time goes to. */
enum out_block { OUT_NONE, OUT_REQUEST, OUT_RESPONSE, OUT_TRAILERS };

struct call {
	struct call *next; /* hash chain */
	struct call *older, *newer; /* open calls, least recently seen first */
	struct call *conn_next, *conn_prev; /* the open calls of its connection */
	uint64_t last_ns; /* when an event of it was last seen (BPF clock) */
	uint32_t pid;
	uint64_t conn;
	uint32_t stream_id;
	int side; /* SIDE_CLIENT / SIDE_SERVER */
	uint64_t start_ns, end_ns;
	const char *stack; /* "grpc-go", "net/http h2", "x/net h2", "net/http h1" */
	const char *proto; /* "HTTP/2.0" or "HTTP/1.1" */
	bool grpc;	   /* request content-type application/grpc */
	char method[CALL_TEXT]; /* :path: the gRPC method, or the HTTP path */
	char http_method[16];	/* :method */
	char authority[CALL_TEXT];
	char peer[ADDR_TEXT];
	char local[ADDR_TEXT];
	bool peer_unknown, local_unknown; /* of a kind no probe reads: never guessed */
	bool tls;
	int http_status; /* -1: not seen */
	int grpc_status; /* -1: not seen */
	char grpc_message[1024];
	uint64_t req_bytes, resp_bytes;
	bool req_size_unknown, resp_size_unknown; /* an HTTP/1.x body of unknown length */
	uint32_t req_msgs, resp_msgs;
	struct header_list req_headers, resp_headers, trailers;
	bool truncated;	  /* a header block or value was cut */
	uint32_t req_header_count; /* fields in the request block, copied or not */
	bool desync;	  /* message boundaries lost: counts are a lower bound */
	bool read_errors; /* some memory read failed */
	bool complete;
	/* --payload: the first message each way (have_*: one was seen), and
	 * the messages of DATA frames being put together */
	struct captured_msg req_first, resp_first;
	bool have_req_first, have_resp_first;
	struct msg_asm req_asm, resp_asm;
	struct pending_msg *pending; /* malloc'd, npending of them */
	int npending;
	int reset_code;		/* HTTP/2 error code of an RST_STREAM, -1: none */
	int reset_by;		/* SIDE_CLIENT or SIDE_SERVER: who reset the stream */
	bool reset_queued;	/* the reset was sent: written into the connection's
				 * buffer, which may not have been flushed */
	bool req_ended;		/* the request's END_STREAM was seen */
	bool status_from_reset; /* grpc_status derived from the reset, not sent */
	enum out_block out_block; /* the block whose fields are arriving */
	bool ending;		  /* its last block was sent; its fields may still come */
	/* Why an unfinished call was given up before the end: */
	uint32_t evicted_idle_s; /* no event for this many seconds (--idle-timeout) */
	bool evicted_full;	 /* the table of open calls was full (--max-open-calls) */
	bool conn_closed;	 /* its connection closed first: end_ns is when */
	bool open_at_exit;	 /* still open when tracing ended */
	bool process_exited;	 /* its process exited (or ran another program) first */
};

/* Open calls dropped from the table before their end, each printed as
 * unfinished with its reason. */
struct calls_evicted {
	uint64_t idle; /* no event for --idle-timeout seconds */
	uint64_t full; /* the oldest, when --max-open-calls were open */
};

/* Called once per finished call (and per unfinished one at the end). */
typedef void (*call_done_fn)(struct call *c, void *ctx);

struct calls;

struct calls *calls__new(call_done_fn done, void *ctx);
/* Called when the table forgets a connection (closed, or the oldest of
 * too many idle ones): whoever told it once about the connection's
 * addresses must tell it again. */
typedef void (*conn_forget_fn)(uint32_t pid, uint64_t conn, void *ctx);
void calls__on_conn_forget(struct calls *cs, conn_forget_fn fn, void *ctx);
/* Bound the table: an open call with no event for idle_s seconds is given
 * up at the next calls__tick (0: never); past max_open open calls the
 * least recently seen one is given up (0: no cap). */
void calls__set_limits(struct calls *cs, uint32_t idle_s, uint64_t max_open);
/* The time is now_ns (BPF clock): give up the calls idle too long. */
void calls__tick(struct calls *cs, uint64_t now_ns);
/* How many calls were given up, and why. */
struct calls_evicted calls__evicted(const struct calls *cs);
/* Find or create the call of this stream. A call marked ending is not
 * this stream's: it is finished first, and a new one made. */
struct call *calls__get(struct calls *cs, uint32_t pid, uint64_t conn, uint32_t stream_id,
			int side, uint64_t ts);
/* The call of this stream if one is open, else NULL. */
struct call *calls__find(struct calls *cs, uint32_t pid, uint64_t conn, uint32_t stream_id);
/* Hand a call to the done callback and forget it. */
void calls__finish(struct calls *cs, struct call *c);
/* The connection (pid, conn) began to close at ts. Its last frames may
 * still be on their way (other goroutines write them as the close
 * begins), so its calls end at the next calls__finish_closing past the
 * settle time, or as soon as a new call on its key shows the address
 * reused: those only awaiting their last header fields as complete, the
 * others as unfinished ("connection closed", ending at ts). What was known
 * of the connection is then forgotten: an object at the same address
 * later is a new one. */
void calls__conn_closed(struct calls *cs, uint32_t pid, uint64_t conn, uint64_t ts);
/* Process pid is gone (it exited, or an exec replaced its program): the
 * calls of its connections that began to close end as closed; its other
 * open calls as unfinished ("process exited", duration unknown); and
 * what was known of its connections is forgotten (a new process may get
 * its PID). */
void calls__process_gone(struct calls *cs, uint32_t pid);
/* Make final the closes begun before before_ns (UINT64_MAX: all). */
void calls__finish_closing(struct calls *cs, uint64_t before_ns);
/* Remember a connection's addresses (seen on one call, true for all). */
void calls__set_conn_addrs(struct calls *cs, uint32_t pid, uint64_t conn, const char *peer,
			   const char *local, bool cut);
/* Remember that a connection is TLS (seen on one event, true for all). */
void calls__set_conn_tls(struct calls *cs, uint32_t pid, uint64_t conn);
/* Fill c->peer and c->local from what its connection showed, if empty,
 * and c->tls if the connection was seen to be TLS. */
void calls__fill_addrs(struct calls *cs, struct call *c);
/* The call's last header block is being sent: it is complete, and is
 * finished once its fields have had time to arrive. */
void calls__mark_ending(struct calls *cs, struct call *c, uint64_t ts);
/* Finish every call marked ending whose end is older than before_ns
 * (its last header fields have arrived by then); before_ns = UINT64_MAX
 * finishes them all. */
void calls__finish_ending(struct calls *cs, uint64_t before_ns);
/* A server call answered before its request ended: mark it ending (the
 * request's last DATA frames may still be read) and remember it as its
 * connection's latest such call. */
void calls__await_request(struct calls *cs, struct call *c, uint64_t ts);
/* A new request was read from the connection: its frames come in order,
 * so the call remembered by calls__await_request has all its DATA;
 * finish it if still open. */
void calls__finish_awaiting(struct calls *cs, uint32_t pid, uint64_t conn);
/* Hand every open call to the callback (complete = false). */
void calls__flush(struct calls *cs);
void calls__free(struct calls *cs);
uint64_t calls__open_count(const struct calls *cs);

int header_list__add(struct header_list *l, const char *name, size_t nlen, const char *value,
		     size_t vlen);
/* Move every entry of src to the end of dst; src is left empty. */
int header_list__take(struct header_list *dst, struct header_list *src);
/* The first value of name, or NULL. */
const char *header_list__get(const struct header_list *l, const char *name);
void header_list__free(struct header_list *l);

#endif
