/* events.c - tool/events.c and tool/calls.c on made-up events, the rules
 * of "only what happened": a reset sent is queued and one received takes
 * its place; TLS is the connection's, whichever event says it; a server
 * call answered before its request ended waits for the request's last
 * DATA (its END_STREAM, the next request on the connection, or the settle
 * time), and a new request on its key is never merged into it; a
 * connection's close ends its calls after its last frames, or at once when
 * its address is reused; header strings sent by address are read from the
 * executable's read-only data, and no other address is taken; a forgotten
 * connection is told to whoever sent its addresses. Prints
 * "ok" and exits 0 when every case holds. */
#include "../../tool/events.h"

#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bpf_templates/gogrpctrace_events.h"

#include "check.h"

/* What a finished call showed, in order. */
struct done {
	uint32_t stream_id;
	bool complete, tls, reset_queued, conn_closed, process_exited;
	int reset_code, reset_by, grpc_status;
	uint32_t req_msgs;
	char method[256];
	char peer[64];
};
static struct done done[16];
static int ndone;

static void on_done(struct call *c, void *ctx)
{
	(void)ctx;
	if (ndone == 16)
		return;
	done[ndone] = (struct done){c->stream_id, c->complete, c->tls, c->reset_queued,
				    c->conn_closed, c->process_exited, c->reset_code, c->reset_by,
				    c->grpc_status, c->req_msgs, "", ""};
	snprintf(done[ndone].method, sizeof(done[0].method), "%s", c->method);
	snprintf(done[ndone].peer, sizeof(done[0].peer), "%.63s", c->peer);
	ndone++;
}

static struct tally tally;
static struct event_sink sink;

#define PID 7
#define MS 1000000ULL

static struct ev_common common(int kind, int side, int dir, uint64_t conn, uint32_t sid,
			       uint64_t ts, uint32_t flags)
{
	/* probe 0 is one of grpc-go's own: stack "grpc-go", a gRPC call */
	return (struct ev_common){.ts_ns = ts, .conn = conn, .pid = PID, .stream_id = sid,
				  .flags = flags, .kind = (__u8)kind, .side = (__u8)side,
				  .dir = (__u8)dir};
}

/* A header block with one field. */
static void headers(int side, int dir, uint64_t conn, uint32_t sid, uint64_t ts, uint32_t flags,
		    const char *name, const char *value)
{
	struct ev_headers e = {.c = common(EV_HEADERS, side, dir, conn, sid, ts, flags)};
	struct hdr_entry he = {0};
	size_t nl = strlen(name), vl = strlen(value);

	he.name_len = he.name_total = (__u16)nl;
	he.value_len = he.value_total = (__u16)vl;
	memcpy(e.buf, &he, sizeof(he));
	memcpy(e.buf + sizeof(he), name, nl);
	memcpy(e.buf + sizeof(he) + nl, value, vl);
	e.nfields = e.ncopied = 1;
	e.buf_len = (__u16)(sizeof(he) + nl + vl);
	events__on_sample(&sink, &e, sizeof(e));
}

/* A DATA frame received with nmsgs empty messages. */
static void data_in(int side, uint64_t conn, uint32_t sid, uint64_t ts, uint32_t flags, int nmsgs)
{
	struct ev_data e = {.c = common(EV_DATA, side, DIR_IN, conn, sid, ts, flags | EVF_GRPC)};

	e.frame_len = (__u32)(5 * nmsgs);
	e.nmsgs = e.nlens = (__u16)nmsgs;
	events__on_sample(&sink, &e, sizeof(e));
}

static void rst(int dir, uint64_t conn, uint32_t sid, uint64_t ts, uint32_t flags, uint32_t code)
{
	struct ev_rst e = {.c = common(EV_RST, SIDE_UNKNOWN, dir, conn, sid, ts, flags),
			   .code = code};

	events__on_sample(&sink, &e, sizeof(e));
}

static void request_in(uint64_t conn, uint32_t sid, uint64_t ts, uint32_t flags)
{
	headers(SIDE_SERVER, DIR_IN, conn, sid, ts, flags, ":path", "/s.S/M");
}

static void trailers_out(uint64_t conn, uint32_t sid, uint64_t ts)
{
	headers(SIDE_SERVER, DIR_OUT, conn, sid, ts, EVF_END_STREAM, "grpc-status", "12");
}

static void start(void)
{
	ndone = 0;
	sink.calls = calls__new(on_done, NULL);
	sink.tally = &tally;
}

static void stop(void)
{
	calls__flush(sink.calls);
	calls__free(sink.calls);
}

/* The request's DATA read after the server's trailers-only answer. */
static void early_answer(void)
{
	start();
	request_in(1, 1, 1 * MS, 0);
	trailers_out(1, 1, 2 * MS);
	CHECK(ndone == 0, "answered before the request ended: finished at once (%d)", ndone);
	data_in(SIDE_SERVER, 1, 1, 3 * MS, EVF_END_STREAM, 1);
	CHECK(ndone == 1 && done[0].req_msgs == 1 && done[0].grpc_status == 12 && done[0].complete,
	      "finished at the request's END_STREAM with its message: %d calls, req_msgs %u",
	      ndone, ndone ? done[0].req_msgs : 0);

	/* With the request ended first: finished with the trailers. */
	request_in(1, 3, 4 * MS, 0);
	data_in(SIDE_SERVER, 1, 3, 5 * MS, EVF_END_STREAM, 1);
	trailers_out(1, 3, 6 * MS);
	CHECK(ndone == 2, "request ended, trailers sent: %d calls finished, want 2", ndone);

	/* No END_STREAM: the settle time ends it. */
	request_in(1, 5, 7 * MS, 0);
	trailers_out(1, 5, 8 * MS);
	events__tick(&sink, 8 * MS + 10 * MS);
	CHECK(ndone == 2, "finished before the settle time");
	events__tick(&sink, 8 * MS + 30 * MS);
	CHECK(ndone == 3 && done[2].stream_id == 5 && done[2].req_msgs == 0,
	      "not finished after the settle time: %d", ndone);

	/* The next request read from the connection: every DATA frame of
	 * the one before was read, so it is finished first, in order. */
	request_in(1, 7, 40 * MS, 0);
	trailers_out(1, 7, 41 * MS);
	request_in(2, 1, 42 * MS, 0); /* another connection: no effect */
	CHECK(ndone == 3, "a request on another connection finished an ending call");
	request_in(1, 9, 43 * MS, EVF_END_STREAM);
	CHECK(ndone == 4 && done[3].stream_id == 7, "the next request did not finish the ending call");

	/* A new request on the key of an ending call is a new call. */
	request_in(3, 1, 50 * MS, 0);
	trailers_out(3, 1, 51 * MS);
	request_in(3, 1, 52 * MS, 0);
	data_in(SIDE_SERVER, 3, 1, 53 * MS, 0, 2);
	CHECK(ndone == 5 && done[4].req_msgs == 0, "a new request merged into an ending call");
	trailers_out(3, 1, 54 * MS);
	data_in(SIDE_SERVER, 3, 1, 55 * MS, EVF_END_STREAM, 0);
	CHECK(ndone >= 6 && done[5].req_msgs == 2, "the new call lost its messages");

	/* The server's own reset after its trailers, then the request's DATA. */
	request_in(4, 1, 60 * MS, 0);
	trailers_out(4, 1, 61 * MS);
	rst(DIR_OUT, 4, 1, 62 * MS, 0, 0);
	CHECK(ndone == 6, "a server's reset after its trailers finished the call (%d)", ndone);
	data_in(SIDE_SERVER, 4, 1, 63 * MS, EVF_END_STREAM, 1);
	CHECK(ndone == 7 && done[6].req_msgs == 1 && done[6].reset_code == 0 && done[6].reset_queued &&
		      done[6].reset_by == SIDE_SERVER,
	      "a server's reset after its trailers: the call lost its message or its reset");
	stop();
}

/* Resets sent are queued; one received takes the place of a queued one. */
static void resets(void)
{
	start();
	request_in(1, 1, 1 * MS, 0);
	trailers_out(1, 1, 2 * MS);
	rst(DIR_OUT, 1, 1, 3 * MS, 0, 0);
	rst(DIR_IN, 1, 1, 4 * MS, 0, 8);
	CHECK(ndone == 1 && done[0].reset_code == 8 && !done[0].reset_queued &&
		      done[0].reset_by == SIDE_CLIENT,
	      "a received reset did not replace a queued one");

	/* A client's cancel: queued, status derived. */
	headers(SIDE_CLIENT, DIR_OUT, 2, 1, 5 * MS, 0, ":path", "/s.S/M");
	rst(DIR_OUT, 2, 1, 6 * MS, 0, 8);
	CHECK(ndone == 2 && done[1].reset_queued && done[1].reset_by == SIDE_CLIENT &&
		      done[1].grpc_status == 1,
	      "a client's own reset: queued %d by %d status %d", done[1].reset_queued,
	      done[1].reset_by, done[1].grpc_status);
	stop();
}

/* TLS from any event of the connection. */
static void tls(void)
{
	start();
	/* The call's own events say nothing; its reset does. */
	headers(SIDE_CLIENT, DIR_OUT, 1, 1, 1 * MS, 0, ":path", "/s.S/M");
	rst(DIR_OUT, 1, 1, 2 * MS, EVF_TLS, 8);
	CHECK(ndone == 1 && done[0].tls, "TLS on the reset alone was lost");
	/* Another call of a connection seen to be TLS before. */
	headers(SIDE_CLIENT, DIR_OUT, 1, 3, 3 * MS, 0, ":path", "/s.S/M");
	rst(DIR_OUT, 1, 3, 4 * MS, 0, 8);
	CHECK(ndone == 2 && done[1].tls, "the connection's TLS was not remembered");
	/* A connection never seen to be TLS. */
	headers(SIDE_CLIENT, DIR_OUT, 2, 1, 5 * MS, 0, ":path", "/s.S/M");
	rst(DIR_OUT, 2, 1, 6 * MS, 0, 8);
	CHECK(ndone == 3 && !done[2].tls, "TLS on a connection that never showed it");
	stop();
}

static void conn_close(uint64_t conn, uint64_t ts)
{
	struct ev_close e = {.c = common(EV_CONN_CLOSE, SIDE_CLIENT, DIR_IN, conn, 0, ts, 0)};

	events__on_sample(&sink, &e, sizeof(e));
}

/* A connection's close ends its open calls, once its last frames have had
 * time to come, or at once when a new call shows its address reused. */
static void closes(void)
{
	start();
	/* A reset written as the close begins still ends its call. */
	headers(SIDE_CLIENT, DIR_OUT, 1, 1, 1 * MS, 0, ":path", "/s.S/M");
	conn_close(1, 2 * MS);
	rst(DIR_OUT, 1, 1, 3 * MS, 0, 8);
	CHECK(ndone == 1 && done[0].complete && done[0].reset_code == 8,
	      "a reset written as the close began was not the call's end");
	/* A call with no end: unfinished, "connection closed", after the settle time. */
	headers(SIDE_CLIENT, DIR_OUT, 2, 1, 4 * MS, 0, ":path", "/s.S/M");
	conn_close(2, 5 * MS);
	events__tick(&sink, 50 * MS);
	CHECK(ndone == 1, "a closing connection's call ended before the settle time");
	events__tick(&sink, 200 * MS);
	CHECK(ndone == 2 && !done[1].complete && done[1].conn_closed,
	      "a call whose connection closed was not ended as such");
	/* A new connection at a closing one's address: the old call ends
	 * first, the new one is not merged into it. */
	headers(SIDE_CLIENT, DIR_OUT, 3, 1, 300 * MS, 0, ":path", "/s.S/M");
	conn_close(3, 301 * MS);
	headers(SIDE_CLIENT, DIR_OUT, 3, 1, 302 * MS, 0, ":path", "/s.S/N");
	CHECK(ndone == 3 && done[2].conn_closed, "the old call was not ended by the reuse");
	rst(DIR_OUT, 3, 1, 303 * MS, 0, 8);
	CHECK(ndone == 4 && done[3].complete && !done[3].conn_closed,
	      "the new call on the reused address was not one of its own");
	stop();
}

/* A made-up executable's read-only data at RODATA_AT. */
#define RODATA_AT 0x400000ULL
static const char rodata[] = "xx:path/s.S/Byaddr";

static const uint8_t *rodata_at(void *ctx, uint32_t pid, uint64_t addr, uint64_t len)
{
	(void)ctx;
	if (pid != PID || addr < RODATA_AT || addr - RODATA_AT > sizeof(rodata) ||
	    len > sizeof(rodata) - (addr - RODATA_AT))
		return NULL;
	return (const uint8_t *)rodata + (addr - RODATA_AT);
}

/* A request header block whose field's name and value are sent by
 * address (addresses of name and value; flags as the probe set them). */
static void request_by_address(uint64_t conn, uint64_t ts, uint64_t name_at, uint64_t value_at,
			       uint16_t flags)
{
	struct ev_headers e = {
		.c = common(EV_HEADERS, SIDE_SERVER, DIR_IN, conn, 1, ts, EVF_END_STREAM)};
	struct hdr_entry he = {.name_len = 5, .name_total = 5, .value_len = 11,
			       .value_total = 11, .flags = flags};

	memcpy(e.buf, &he, sizeof(he));
	memcpy(e.buf + sizeof(he), &name_at, 8);
	memcpy(e.buf + sizeof(he) + 8, &value_at, 8);
	e.nfields = e.ncopied = 1;
	e.buf_len = (__u16)(sizeof(he) + 16);
	events__on_sample(&sink, &e, sizeof(e));
}

static uint64_t forgotten_conn;
static int nforgotten;

static void count_forget(uint32_t pid, uint64_t conn, void *ctx)
{
	(void)ctx;
	(void)conn;
	nforgotten += pid == PID;
}

static void on_forget(uint32_t pid, uint64_t conn, void *ctx)
{
	(void)ctx;
	if (pid == PID)
		forgotten_conn = conn;
}

static void by_address(void)
{
	uint64_t malformed;

	start();
	sink.rodata = rodata_at;
	calls__on_conn_forget(sink.calls, on_forget, NULL);
	request_by_address(1, 1 * MS, RODATA_AT + 2, RODATA_AT + 7, HE_NAME_AT | HE_VALUE_AT);
	trailers_out(1, 1, 2 * MS);
	CHECK(ndone == 1 && strcmp(done[0].method, "/s.S/Byaddr") == 0,
	      "a method sent by address was not read from the read-only data");
	malformed = tally.malformed;
	/* An address past the read-only data, and a flag no probe sets. */
	request_by_address(2, 3 * MS, RODATA_AT + 2, RODATA_AT + 4096, HE_NAME_AT | HE_VALUE_AT);
	request_by_address(3, 4 * MS, RODATA_AT + 2, RODATA_AT + 7, 0x4 | HE_NAME_AT);
	CHECK(tally.malformed == malformed + 2 && ndone == 1,
	      "a header block with an address outside the read-only data was taken");
	/* The closed connection is forgotten once its settle time is over. */
	conn_close(1, 5 * MS);
	events__tick(&sink, 500 * MS);
	CHECK(forgotten_conn == 1, "a closed connection was not told as forgotten");
	sink.rodata = NULL;
	stop();
}

/* The probes send a connection's addresses once (grpc.bpf.c's
 * addrs_sent): on a block of a stream already reset, they are still the
 * connection's, and a later call on it shows them. */
static void addresses_once(void)
{
	struct ev_headers e = {.c = common(EV_HEADERS, SIDE_CLIENT, DIR_IN, 1, 1, 3 * MS,
					   EVF_PEER)};

	start();
	headers(SIDE_CLIENT, DIR_OUT, 1, 1, 1 * MS, 0, ":path", "/s.S/M");
	rst(DIR_OUT, 1, 1, 2 * MS, 0, 8);
	e.peer_ip_len = 4;
	memcpy(e.peer_ip, (const __u8[]){10, 1, 2, 3}, 4);
	e.peer_port = 443;
	events__on_sample(&sink, &e, sizeof(e)); /* stream 1's answer, after its reset */
	headers(SIDE_CLIENT, DIR_OUT, 1, 3, 4 * MS, 0, ":path", "/s.S/M");
	headers(SIDE_CLIENT, DIR_IN, 1, 3, 5 * MS, EVF_END_STREAM, "grpc-status", "0");
	CHECK(ndone == 2 && strcmp(done[1].peer, "10.1.2.3:443") == 0,
	      "the addresses sent on a reset stream's block were lost to the connection");
	stop();
}

/* The process exits: a call whose connection began to close ends as
 * closed (its frames can no longer come), another as "process exited",
 * and its connections are forgotten: a new process may get its PID. */
static void process_exits(void)
{
	start();
	calls__on_conn_forget(sink.calls, count_forget, NULL);
	nforgotten = 0;
	headers(SIDE_CLIENT, DIR_OUT, 1, 1, 1 * MS, 0, ":path", "/s.S/M");
	conn_close(1, 2 * MS);
	headers(SIDE_CLIENT, DIR_OUT, 2, 1, 3 * MS, 0, ":path", "/s.S/M");
	calls__process_gone(sink.calls, PID + 1);
	CHECK(ndone == 0, "another process's end ended calls of this one");
	calls__process_gone(sink.calls, PID);
	CHECK(ndone == 2, "%d calls ended with their process, want 2", ndone);
	CHECK(!done[0].complete && done[0].conn_closed && !done[0].process_exited,
	      "the closing connection's call: conn_closed %d, process_exited %d", done[0].conn_closed,
	      done[0].process_exited);
	CHECK(!done[1].complete && !done[1].conn_closed && done[1].process_exited,
	      "the open connection's call: conn_closed %d, process_exited %d", done[1].conn_closed,
	      done[1].process_exited);
	CHECK(nforgotten == 2, "%d connections forgotten, want 2", nforgotten);
	stop();
}

int main(void)
{
	early_answer();
	resets();
	tls();
	closes();
	process_exits();
	by_address();
	addresses_once();
	if (failures) {
		fprintf(stderr, "%d failures\n", failures);
		return 1;
	}
	puts("ok");
	return 0;
}
