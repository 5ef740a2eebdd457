/* events.c - turn BPF events into call state.
 *
 * Server: request headers in (operateHeaders) open the call; messages out
 * and DATA in count sizes; the trailers out (writeHeader, END_STREAM)
 * finish it. Client: headers out open it, trailers in (operateHeaders,
 * END_STREAM) finish it. Everything is validated before use: the kernel
 * side is ours, but its copies of target memory are not trusted.
 */
#include "events.h"

#include "probes.h"

#include <linux/types.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf_templates/gogrpctrace_events.h"

_Static_assert(ADDR_TEXT >= sizeof("unix:") + ADDR_PATH_MAX,
	       "ADDR_TEXT (tool/calls.h) cannot hold a unix socket path of ADDR_PATH_MAX bytes");

/* v in decimal at p; returns the end. */
static char *put_dec(char *p, unsigned v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static void format_addr(char *out, size_t len, const __u8 *ip, int ip_len, int port)
{
	char buf[INET6_ADDRSTRLEN];
	static const __u8 v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (ip_len == 16 && memcmp(ip, v4mapped, 12) == 0) {
		ip += 12;
		ip_len = 4;
	}
	if (ip_len == 4 && port >= 0 && len >= sizeof("255.255.255.255:2147483647")) {
		/* The common case, each event that carries it: by hand. */
		char *p = out;

		for (int i = 0; i < 4; i++) {
			p = put_dec(p, ip[i]);
			*p++ = i < 3 ? '.' : ':';
		}
		*put_dec(p, (unsigned)port) = '\0';
	} else if (ip_len == 4) {
		inet_ntop(AF_INET, ip, buf, sizeof(buf));
		snprintf(out, len, "%s:%d", buf, port);
	} else {
		inet_ntop(AF_INET6, ip, buf, sizeof(buf));
		snprintf(out, len, "[%s]:%d", buf, port);
	}
}

/* An address the probe saw but could not read stays unknown ("?"). */
static void note_unknown_addrs(struct call *c, __u32 flags)
{
	if (flags & EVF_PEER_UNKNOWN)
		c->peer_unknown = true;
	if (flags & EVF_LOCAL_UNKNOWN)
		c->local_unknown = true;
}

/* "unix:PATH" from an EV_ADDR's copy; a NUL byte ends it (and counts as a
 * cut: the text cannot show it). */
static bool format_path(char *out, size_t len, const char *path, unsigned n)
{
	const char *nul = memchr(path, '\0', n);
	unsigned keep = nul ? (unsigned)(nul - path) : n;

	snprintf(out, len, "unix:%.*s", (int)keep, path);
	return nul != NULL;
}

/* A connection's unix socket paths: kept with the connection, the calls
 * on it take them when they end (calls__fill_addrs). */
static void on_addr(struct event_sink *s, const struct ev_addr *e, size_t size)
{
	char peer[ADDR_TEXT] = "", local[ADDR_TEXT] = "";
	bool cut = (e->c.flags & EVF_TRUNC_BUF) != 0;

	if (size < sizeof(*e) || e->peer_len > ADDR_PATH_MAX || e->local_len > ADDR_PATH_MAX) {
		s->tally->malformed++;
		return;
	}
	if (e->c.flags & EVF_PEER)
		cut |= format_path(peer, sizeof(peer), e->peer, e->peer_len);
	if (e->c.flags & EVF_LOCAL)
		cut |= format_path(local, sizeof(local), e->local, e->local_len);
	if (*peer || *local)
		calls__set_conn_addrs(s->calls, e->c.pid, e->c.conn, peer, local, cut);
}

/* grpc-message is percent-encoded on the wire. */
static void percent_decode(char *dst, size_t len, const char *src)
{
	size_t o = 0;

	for (size_t i = 0; src[i] && o + 1 < len; i++) {
		unsigned v;

		if (src[i] == '%' && src[i + 1] && src[i + 2] && sscanf(src + i + 1, "%2x", &v) == 1) {
			dst[o++] = (char)v;
			i += 2;
		} else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
}

/* One string of a header entry: len bytes copied at p, or, flagged as
 * sent by address, the 8 bytes at p naming where they are in the
 * executable's read-only data. *used: the bytes it took in the event. */
static const char *entry_text(const struct event_sink *s, const struct ev_headers *e,
			      const char *p, size_t len, bool by_addr, size_t *used)
{
	uint64_t addr;

	*used = len;
	if (!by_addr)
		return p;
	*used = sizeof(addr);
	memcpy(&addr, p, sizeof(addr));
	return s->rodata ? (const char *)s->rodata(s->rodata_ctx, e->c.pid, addr, len) : NULL;
}

/* Walk the entries of a header event into a list; 0, or -1 if malformed. */
static int parse_fields(const struct event_sink *s, const struct ev_headers *e, size_t size,
			struct header_list *hl, bool *cut)
{
	size_t off = 0, end = e->buf_len;

	if (end > HDR_BUF_SIZE || offsetof(struct ev_headers, buf) + end > size)
		return -1;
	for (int i = 0; i < e->ncopied; i++) {
		struct hdr_entry he;

		if (off + sizeof(he) > end)
			return -1;
		memcpy(&he, e->buf + off, sizeof(he));
		const char *name, *value;
		size_t nused, vused;

		off += sizeof(he);
		if (he.name_len > HDR_NAME_MASK || he.value_len > HDR_VALUE_MASK ||
		    (he.flags & ~(HE_NAME_AT | HE_VALUE_AT)))
			return -1;
		nused = he.flags & HE_NAME_AT ? 8 : he.name_len;
		vused = he.flags & HE_VALUE_AT ? 8 : he.value_len;
		if (off + nused + vused > end)
			return -1;
		name = entry_text(s, e, e->buf + off, he.name_len, he.flags & HE_NAME_AT, &nused);
		value = entry_text(s, e, e->buf + off + nused, he.value_len, he.flags & HE_VALUE_AT,
				   &vused);
		if (!name || !value)
			return -1; /* an address outside the read-only data */
		if (he.name_len < he.name_total || he.value_len < he.value_total)
			*cut = true;
		header_list__add(hl, name, he.name_len, value, he.value_len);
		off += nused + vused;
	}
	return 0;
}

static void copy_counted(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* snprintf(dst, len, "%s", src) without its format parsing. */
static void copy_text(char *dst, size_t len, const char *src)
{
	if (src)
		copy_counted(dst, len, src, strnlen(src, len - 1));
}

/* What one header field tells about its call. */
static void apply_field(struct call *c, bool request, const char *name, const char *value)
{
	/* Every field of every block comes here: its first byte rules out
	 * most names before any compare. */
	if (request) {
		if (name[0] == ':') {
			if (strcmp(name, ":path") == 0)
				copy_text(c->method, sizeof(c->method), value);
			else if (strcmp(name, ":method") == 0)
				copy_text(c->http_method, sizeof(c->http_method), value);
			else if (strcmp(name, ":authority") == 0)
				copy_text(c->authority, sizeof(c->authority), value);
		} else if (name[0] == 'c' && strcmp(name, "content-type") == 0 &&
			   strncmp(value, "application/grpc", 16) == 0) {
			c->grpc = true;
		}
		return;
	}
	if (name[0] == ':' && strcmp(name, ":status") == 0) {
		c->http_status = atoi(value);
	} else if (name[0] == 'g') {
		if (strcmp(name, "grpc-status") == 0)
			c->grpc_status = atoi(value);
		else if (strcmp(name, "grpc-message") == 0)
			percent_decode(c->grpc_message, sizeof(c->grpc_message), value);
	}
}

/* Put a header block where it belongs in the call (moved, not copied). */
static void apply_headers(struct call *c, struct header_list *hl, bool request)
{
	struct header_list *dst = &c->req_headers;

	for (int i = 0; i < hl->n; i++)
		apply_field(c, request, hl->names[i], hl->values[i]);
	/* A response block with grpc-status is the trailers (or a
	 * trailers-only response, which also carries :status); so is one
	 * without :status (HTTP trailers). */
	if (!request)
		dst = header_list__get(hl, "grpc-status") || !header_list__get(hl, ":status")
			      ? &c->trailers
			      : &c->resp_headers;
	header_list__take(dst, hl);
}

/* The stack the probe that saw the call watches. grpc-go's transport
 * carries only gRPC; on the HTTP stacks the headers tell. */
static void set_stack(struct call *c, unsigned probe)
{
	c->stack = probe < (unsigned)nprobe_specs ? probe_specs[probe].stack : GRPC_GO_STACK;
	if (strcmp(c->stack, GRPC_GO_STACK) == 0)
		c->grpc = true;
}

static void show_pending(struct event_sink *s, struct call *c);

static void on_headers(struct event_sink *s, const struct ev_headers *e, size_t size)
{
	char peer[ADDR_TEXT] = "", local[ADDR_TEXT] = "";
	struct header_list hl = {0};
	bool cut = false, request;
	struct call *c;

	if (size < offsetof(struct ev_headers, buf)) {
		s->tally->malformed++;
		return;
	}
	/* The connection's addresses go to its entry whether or not the
	 * block is sound or has a call: the probes send them once per
	 * connection (grpc.bpf.c's addrs_sent), perhaps on a block of a
	 * stream already reset. Before the call is found: a new connection
	 * at a closing one's address takes them (calls__get). */
	if ((e->c.flags & EVF_PEER) && e->peer_ip_len)
		format_addr(peer, sizeof(peer), e->peer_ip, e->peer_ip_len, e->peer_port);
	if ((e->c.flags & EVF_LOCAL) && e->local_ip_len)
		format_addr(local, sizeof(local), e->local_ip, e->local_ip_len, e->local_port);
	if (*peer || *local)
		calls__set_conn_addrs(s->calls, e->c.pid, e->c.conn, peer, local, false);
	if (parse_fields(s, e, size, &hl, &cut)) {
		s->tally->malformed++;
		header_list__free(&hl);
		return;
	}
	/* A request block: sent by a client or received by a server. */
	request = (e->c.side == SIDE_CLIENT) == (e->c.dir == DIR_OUT);
	if (s->verbose)
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir, e->c.stream_id,
			      request ? "request headers"
				      : (header_list__get(&hl, "grpc-status") || !header_list__get(&hl, ":status")
						 ? "trailers"
						 : "response headers"),
			      &hl, NULL);
	/* A server reads a connection's frames in order: a new request's
	 * headers come after every DATA frame of the calls before it. */
	if (request && e->c.side == SIDE_SERVER)
		calls__finish_awaiting(s->calls, e->c.pid, e->c.conn);
	/* Only a request opens a call; a response for a stream we never saw
	 * opening (attached mid-call, or already reset) is not a call. */
	c = request ? calls__get(s->calls, e->c.pid, e->c.conn, e->c.stream_id, e->c.side, e->c.ts_ns)
		    : calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (!c) {
		s->tally->unmatched++;
		header_list__free(&hl);
		return;
	}
	set_stack(c, e->c.probe);
	apply_headers(c, &hl, request);
	if (request)
		c->req_header_count += e->nfields;
	header_list__free(&hl);
	show_pending(s, c);
	if (request && (e->c.flags & EVF_END_STREAM))
		c->req_ended = true;
	if (e->c.flags & EVF_TLS)
		c->tls = true;
	if (cut || (e->c.flags & (EVF_TRUNC_FIELDS | EVF_TRUNC_BUF | EVF_HPACK_TRUNC)))
		c->truncated = true;
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	_Static_assert(sizeof(c->peer) == sizeof(peer) && sizeof(c->local) == sizeof(local),
		       "a call's addresses are ADDR_TEXT long");
	if (*peer)
		memcpy(c->peer, peer, sizeof(peer));
	if (*local)
		memcpy(c->local, local, sizeof(local));
	note_unknown_addrs(c, e->c.flags);
	/* The call ends with the trailers: sent by a server, received by a
	 * client. A server may answer before the request has ended (an
	 * unknown method, say): the request's last DATA frames may still be
	 * read, so the call waits for its END_STREAM or the settle time. */
	if (!request && (e->c.flags & EVF_END_STREAM)) {
		if (c->side == SIDE_SERVER && !c->req_ended && c->reset_code < 0) {
			calls__await_request(s->calls, c, e->c.ts_ns);
			return;
		}
		c->end_ns = e->c.ts_ns;
		c->complete = true;
		calls__finish(s->calls, c);
	}
}

/* A message of a call is complete: keep it if it is the first its way,
 * and show it with -v. */
struct msg_done_ctx {
	struct event_sink *s;
	struct call *c;
	const struct ev_common *ev;
	bool request;
};

static void show_message(struct event_sink *s, const struct call *c, uint64_t ts_ns, int side,
			 int dir, bool request, const struct captured_msg *m)
{
	char what[64];
	struct msg_event me = {m, c, request};

	snprintf(what, sizeof(what), "message %s, %u bytes%s", dir == DIR_OUT ? "sent" : "received",
		 m->len, m->compressed ? " (compressed)" : "");
	report__event(s->report, ts_ns, c->pid, side, dir, c->stream_id, what, NULL, &me);
}

/* The most messages held back for their method; past it they are shown
 * without (their type unknown). */
#define MAX_PENDING 64

/* -v: hold a copy of m until the call's method is known. */
static bool hold_message(struct call *c, const struct ev_common *ev, bool request,
			 const struct captured_msg *m)
{
	struct pending_msg *grown, *p;

	if (c->npending == MAX_PENDING)
		return false;
	grown = realloc(c->pending, (size_t)(c->npending + 1) * sizeof(*grown));
	if (!grown)
		return false;
	c->pending = grown;
	p = &c->pending[c->npending];
	*p = (struct pending_msg){.m = *m, .ts_ns = ev->ts_ns, .side = ev->side, .dir = ev->dir,
				  .request = request};
	p->m.data = NULL;
	if (m->ncopied) {
		p->m.data = malloc(m->ncopied);
		if (!p->m.data)
			return false;
		memcpy(p->m.data, m->data, m->ncopied);
	}
	c->npending++;
	return true;
}

/* The call's method is known: show what was held back. */
static void show_pending(struct event_sink *s, struct call *c)
{
	if (!*c->method)
		return;
	for (int i = 0; i < c->npending; i++) {
		struct pending_msg *p = &c->pending[i];

		show_message(s, c, p->ts_ns, p->side, p->dir, p->request, &p->m);
		captured_msg__free(&p->m);
	}
	free(c->pending);
	c->pending = NULL;
	c->npending = 0;
}

static void on_message(void *ctx, struct captured_msg *m)
{
	struct msg_done_ctx *d = ctx;
	struct call *c = d->c;
	bool *have = d->request ? &c->have_req_first : &c->have_resp_first;

	if (d->s->verbose && (*c->method || !hold_message(c, d->ev, d->request, m)))
		show_message(d->s, c, d->ev->ts_ns, d->ev->side, d->ev->dir, d->request, m);
	if (*have) {
		captured_msg__free(m);
		return;
	}
	*have = true;
	*(d->request ? &c->req_first : &c->resp_first) = *m;
	m->data = NULL;
}

static void on_msg_out(struct event_sink *s, const struct ev_msg *e, size_t size)
{
	struct call *c;
	bool request = e->c.side == SIDE_CLIENT;

	if (size < offsetof(struct ev_msg, payload) || e->payload_len > PAYLOAD_MAX ||
	    offsetof(struct ev_msg, payload) + e->payload_len > size) {
		s->tally->malformed++;
		return;
	}
	/* A client's first message can be seen before its headers are
	 * written (grpc-go queues them), so it may open the call. */
	c = request ? calls__get(s->calls, e->c.pid, e->c.conn, e->c.stream_id, e->c.side, e->c.ts_ns)
		    : calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (!c) {
		s->tally->unmatched++;
		return;
	}
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	if (request) {
		c->req_msgs++;
		c->req_bytes += e->len;
	} else {
		c->resp_msgs++;
		c->resp_bytes += e->len;
	}
	if (s->payload) {
		/* One event, one whole message: its first bytes are here. */
		struct captured_msg m = {.len = e->len, .compressed = e->compressed != 0};
		struct msg_done_ctx d = {s, c, &e->c, request};
		uint32_t n = e->payload_len < (uint32_t)s->payload ? e->payload_len : (uint32_t)s->payload;
		uint32_t want = e->len < (uint32_t)s->payload ? e->len : (uint32_t)s->payload;

		if (n && (m.data = malloc(n)) != NULL) {
			memcpy(m.data, e->payload, n);
			m.ncopied = n;
		}
		m.incomplete = m.ncopied < want && (e->c.flags & EVF_PAYLOAD_LOST);
		on_message(&d, &m);
	} else if (s->verbose) {
		char what[64];

		snprintf(what, sizeof(what), "message sent, %u bytes%s", e->len,
			 e->compressed ? " (compressed)" : "");
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, DIR_OUT, e->c.stream_id,
			      what, NULL, NULL);
	}
}

/* A DATA frame either way. On a gRPC stream the BPF side walked it for
 * messages; on any other it counts body bytes. The response's last frame
 * ends the call. */
static void on_data(struct event_sink *s, const struct ev_data *e, size_t size)
{
	struct call *c;
	char what[64];
	bool request, grpc = e->c.flags & EVF_GRPC;
	const char *dir = e->c.dir == DIR_OUT ? "sent" : "received";

	if (size < offsetof(struct ev_data, payload) || e->nlens > DATA_MAX_LENS ||
	    e->payload_len > PAYLOAD_MAX || offsetof(struct ev_data, payload) + e->payload_len > size) {
		s->tally->malformed++;
		return;
	}
	c = calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (!c) {
		s->tally->unmatched++;
		return;
	}
	request = (e->c.side == SIDE_CLIENT) == (e->c.dir == DIR_OUT);
	if (e->c.flags & EVF_DESYNC)
		c->desync = true;
	if (e->c.flags & EVF_UNREADABLE) {
		/* The probe could not read this frame: its sizes are unknown. */
		*(request ? &c->req_size_unknown : &c->resp_size_unknown) = true;
	} else if (!grpc) {
		*(request ? &c->req_bytes : &c->resp_bytes) += e->frame_len;
	} else if (request) {
		c->req_msgs += e->nmsgs;
		c->req_bytes += e->msg_bytes;
	} else {
		c->resp_msgs += e->nmsgs;
		c->resp_bytes += e->msg_bytes;
	}
	if (grpc && s->payload && !(e->c.flags & EVF_UNREADABLE)) {
		/* Messages are shown (-v) once put together. */
		struct msg_done_ctx d = {s, c, &e->c, request};

		msgasm__frame(request ? &c->req_asm : &c->resp_asm, e, (uint32_t)s->payload,
			      on_message, &d);
	} else if (s->verbose && grpc) {
		for (int i = 0; i < e->nlens; i++) {
			snprintf(what, sizeof(what), "message %s, %u bytes", dir, e->lens[i]);
			report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir,
				      e->c.stream_id, what, NULL, NULL);
		}
	}
	if (s->verbose && !grpc) {
		snprintf(what, sizeof(what), "DATA %s, %u bytes%s", dir, e->frame_len,
			 e->c.flags & EVF_END_STREAM ? ", end of stream" : "");
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir, e->c.stream_id,
			      what, NULL, NULL);
	}
	if (s->verbose && grpc && e->nmsgs > e->nlens) {
		snprintf(what, sizeof(what), "%u more messages %s in the same frame",
			 e->nmsgs - e->nlens, dir);
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir, e->c.stream_id,
			      what, NULL, NULL);
	}
	if (!request && (e->c.flags & EVF_END_STREAM)) {
		c->end_ns = e->c.ts_ns;
		c->complete = true;
		calls__finish(s->calls, c);
	} else if (request && (e->c.flags & EVF_END_STREAM)) {
		c->req_ended = true;
		/* A server call that had answered already: nothing more comes. */
		if (c->ending && c->side == SIDE_SERVER && c->out_block == OUT_NONE)
			calls__finish(s->calls, c);
	}
}

static void format_begin_addrs(struct call *c, const struct ev_hdr_begin *b)
{
	if ((b->c.flags & EVF_PEER) && b->peer_ip_len)
		format_addr(c->peer, sizeof(c->peer), b->peer_ip, b->peer_ip_len, b->peer_port);
	if ((b->c.flags & EVF_LOCAL) && b->local_ip_len)
		format_addr(c->local, sizeof(c->local), b->local_ip, b->local_ip_len, b->local_port);
	note_unknown_addrs(c, b->c.flags);
}

/* net/http and x/net start sending a header block: a client's request
 * opens the call; a server's block with END_STREAM ends it once its fields
 * (the events that follow) are in. */
static void on_hdr_begin(struct event_sink *s, const struct ev_hdr_begin *b, size_t size)
{
	bool request = b->c.side == SIDE_CLIENT;
	struct call *c;

	if (size < sizeof(*b) || b->c.dir != DIR_OUT) {
		s->tally->malformed++;
		return;
	}
	c = request ? calls__get(s->calls, b->c.pid, b->c.conn, b->c.stream_id, b->c.side, b->c.ts_ns)
		    : calls__find(s->calls, b->c.pid, b->c.conn, b->c.stream_id);
	if (!c) {
		s->tally->unmatched++;
		return;
	}
	set_stack(c, b->c.probe);
	if (b->c.flags & EVF_TLS)
		c->tls = true;
	if (request) {
		c->out_block = c->out_block == OUT_NONE ? OUT_REQUEST : OUT_NONE; /* trailers: not kept */
		format_begin_addrs(c, b);
		if (*c->peer || *c->local)
			calls__set_conn_addrs(s->calls, c->pid, c->conn, c->peer, c->local, false);
	} else if (b->status > 0 && b->status < 1000) {
		c->http_status = b->status;
		c->out_block = OUT_RESPONSE;
	} else {
		c->out_block = OUT_TRAILERS;
	}
	if (s->verbose)
		report__event(s->report, b->c.ts_ns, b->c.pid, b->c.side, DIR_OUT, b->c.stream_id,
			      c->out_block == OUT_REQUEST	  ? "request headers (fields follow)"
			      : c->out_block == OUT_RESPONSE ? "response headers (fields follow)"
							     : "trailers (fields follow)",
			      NULL, NULL);
	if (!request && (b->c.flags & EVF_END_STREAM))
		calls__mark_ending(s->calls, c, b->c.ts_ns);
}

/* One field of the block begun last on its stream. */
static void on_hdr_field(struct event_sink *s, const struct ev_field *e, size_t size)
{
	struct header_list *dst;
	struct header_list one = {0};
	struct call *c;

	if (size < offsetof(struct ev_field, buf) || e->he.name_len > HDR_NAME_MASK ||
	    e->he.value_len > HDR_VALUE_MASK ||
	    offsetof(struct ev_field, buf) + e->he.name_len + e->he.value_len > size) {
		s->tally->malformed++;
		return;
	}
	c = calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (!c || c->out_block == OUT_NONE) {
		s->tally->unmatched++;
		return;
	}
	dst = c->out_block == OUT_REQUEST    ? &c->req_headers
	      : c->out_block == OUT_RESPONSE ? &c->resp_headers
					     : &c->trailers;
	if (header_list__add(&one, e->buf, e->he.name_len, e->buf + e->he.name_len, e->he.value_len))
		return;
	apply_field(c, c->out_block == OUT_REQUEST, one.names[0], one.values[0]);
	if (c->out_block == OUT_REQUEST)
		c->req_header_count++;
	if (e->he.name_len < e->he.name_total || e->he.value_len < e->he.value_total ||
	    (e->c.flags & EVF_TRUNC_BUF))
		c->truncated = true;
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	if (s->verbose)
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, DIR_OUT, e->c.stream_id,
			      "header field", &one, NULL);
	header_list__take(dst, &one);
	header_list__free(&one);
	show_pending(s, c);
}

/* An HTTP/1.x request starts: handed to a server's handler, or sent by a
 * client. One call per request, keyed by its response or request object. */
static void on_h1_start(struct event_sink *s, const struct ev_h1 *e, size_t size)
{
	struct call *c;

	if (size < sizeof(*e) || e->method_len > H1_METHOD_MASK || e->peer_len > H1_PEER_MASK ||
	    e->host_len > H1_HOST_MASK || e->path_len > H1_PATH_MASK) {
		s->tally->malformed++;
		return;
	}
	/* "PRI * HTTP/2.0" is HTTP/2's preface read by an HTTP/1 server that
	 * hands it to h2c: not a request. */
	if (e->method_len == 3 && memcmp(e->method, "PRI", 3) == 0) {
		s->tally->unmatched++;
		return;
	}
	c = calls__get(s->calls, e->c.pid, e->c.conn, 0, e->c.side, e->c.ts_ns);
	if (!c)
		return;
	set_stack(c, e->c.probe);
	c->proto = "HTTP/1.1";
	copy_counted(c->http_method, sizeof(c->http_method), e->method, e->method_len);
	copy_counted(c->method, sizeof(c->method), e->path, e->path_len);
	copy_counted(c->authority, sizeof(c->authority), e->host, e->host_len);
	if (e->peer_len)
		copy_counted(c->peer, sizeof(c->peer), e->peer, e->peer_len);
	if ((e->c.flags & EVF_PEER) && e->peer_ip_len)
		format_addr(c->peer, sizeof(c->peer), e->peer_ip, e->peer_ip_len, e->peer_port);
	if ((e->c.flags & EVF_LOCAL) && e->local_ip_len)
		format_addr(c->local, sizeof(c->local), e->local_ip, e->local_ip_len, e->local_port);
	note_unknown_addrs(c, e->c.flags);
	if (e->c.flags & EVF_TLS)
		c->tls = true;
	if (e->path_total > e->path_len || e->host_total > e->host_len ||
	    (e->c.flags & EVF_TRUNC_BUF))
		c->truncated = true;
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	/* A body of unknown length (chunked) is not counted: say so. A
	 * client's GET has none at all, and says 0. */
	if (e->req_len >= 0)
		c->req_bytes = (uint64_t)e->req_len;
	else
		c->req_size_unknown = true;
	if (s->verbose) {
		char what[CALL_TEXT + 64];

		snprintf(what, sizeof(what), "HTTP/1.x %s %s %s", c->http_method, c->method,
			 e->c.side == SIDE_SERVER ? "received" : "sent");
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir, 0, what, NULL,
			      NULL);
	}
}

/* Its end: the server's handler returned (status, body bytes written), or
 * the client read the response's headers (status, Content-Length). */
static void on_h1_end(struct event_sink *s, const struct ev_h1 *e, size_t size)
{
	struct call *c;

	if (size < offsetof(struct ev_h1, method)) {
		s->tally->malformed++;
		return;
	}
	/* 1xx responses other than 101 come before the real one. */
	if (e->c.side == SIDE_CLIENT && e->status >= 100 && e->status < 200 && e->status != 101)
		return;
	c = calls__find(s->calls, e->c.pid, e->c.conn, 0);
	if (!c) {
		s->tally->unmatched++;
		return;
	}
	c->http_status = e->c.side == SIDE_SERVER && e->status == 0 ? 200 : e->status;
	/* A HEAD response has no body whatever the handler wrote or the
	 * Content-Length says; nor have 204 and 304. */
	if (strcmp(c->http_method, "HEAD") == 0 || c->http_status == 204 || c->http_status == 304)
		c->resp_bytes = 0;
	else if (e->resp_len >= 0)
		c->resp_bytes = (uint64_t)e->resp_len;
	else
		c->resp_size_unknown = true; /* chunked: the client's reader counts it, we do not */
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	c->end_ns = e->c.ts_ns;
	c->complete = true;
	if (s->verbose) {
		char what[64];

		snprintf(what, sizeof(what), "HTTP/1.x response %d", c->http_status);
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, DIR_OUT, 0, what, NULL,
			      NULL);
	}
	calls__finish(s->calls, c);
}

void events__tick(struct event_sink *s, uint64_t now_ns)
{
	/* A block's fields follow its begin within microseconds, on the
	 * same goroutine; by this much later they are in the buffer. */
	const uint64_t settle_ns = 20 * 1000 * 1000;

	/* A connection's last frames are written by other goroutines as
	 * its close begins (grpc-go's loopy writes a queued RST_STREAM
	 * after Close was called): its calls end this much later. */
	const uint64_t close_settle_ns = 100 * 1000 * 1000;

	if (now_ns > settle_ns)
		calls__finish_ending(s->calls, now_ns - settle_ns);
	if (now_ns > close_settle_ns)
		calls__finish_closing(s->calls, now_ns - close_settle_ns);
	/* Open calls with no event for --idle-timeout: given up. */
	calls__tick(s->calls, now_ns);
}

/* grpc-go's own mapping of a reset received from the server. */
static int status_of_reset(uint32_t code)
{
	switch (code) {
	case 0x8: /* CANCEL */
		return 1;  /* CANCELLED */
	case 0x7: /* REFUSED_STREAM */
		return 14; /* UNAVAILABLE */
	case 0xb: /* ENHANCE_YOUR_CALM */
		return 8;  /* RESOURCE_EXHAUSTED */
	case 0xc: /* INADEQUATE_SECURITY */
		return 7;  /* PERMISSION_DENIED */
	default:
		return 13; /* INTERNAL */
	}
}

/* grpc-timeout: digits and a unit (H M S m u n). */
static double timeout_ms(const char *v)
{
	char *end;
	double n;

	if (!v)
		return -1;
	n = strtod(v, &end);
	switch (*end) {
	case 'H': return n * 3600e3;
	case 'M': return n * 60e3;
	case 'S': return n * 1e3;
	case 'm': return n;
	case 'u': return n / 1e3;
	case 'n': return n / 1e6;
	default: return -1;
	}
}

/* A reset ends a call that got no trailers. The status is the one
 * grpc-go's client reports: a client that gave up saw CANCELLED, a reset
 * from the server maps as grpc-go maps it, and either becomes
 * DEADLINE_EXCEEDED when the deadline had run out. */
static void on_rst(struct event_sink *s, const struct ev_rst *e, size_t size)
{
	struct call *c;
	bool by_client;
	double limit, elapsed;

	if (size < sizeof(*e)) {
		s->tally->malformed++;
		return;
	}
	c = calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (s->verbose && c) {
		char what[64];

		snprintf(what, sizeof(what), "RST_STREAM, error code %u", e->code);
		report__event(s->report, e->c.ts_ns, e->c.pid, c->side, e->c.dir, e->c.stream_id,
			      what, NULL, NULL);
	}
	if (!c) {
		s->tally->unmatched++; /* the call had already ended (trailers first) */
		return;
	}
	by_client = (c->side == SIDE_CLIENT) == (e->c.dir == DIR_OUT);
	/* The first reset is the call's (a server may reset after its
	 * trailers, and the client too before it read them). The probes of
	 * resets sent fire when the frame is written into the connection's
	 * buffer, which the process may never flush: "queued". One received
	 * is a fact, and takes the place of a queued one. */
	if (c->reset_code < 0 || (c->reset_queued && e->c.dir == DIR_IN)) {
		c->reset_code = (int)e->code;
		c->reset_by = by_client ? SIDE_CLIENT : SIDE_SERVER;
		c->reset_queued = e->c.dir == DIR_OUT;
	}
	if (c->ending && e->c.dir == DIR_OUT)
		return; /* a server's reset after its trailers: the request's last DATA may follow */
	c->end_ns = e->c.ts_ns;
	c->complete = true;
	if (!c->grpc || c->grpc_status >= 0) {
		/* Not gRPC, or its status already came: the reset is all. */
		calls__finish(s->calls, c);
		return;
	}
	c->status_from_reset = true;
	/* grpc-go turns a CANCEL into DEADLINE_EXCEEDED once the call's
	 * deadline has passed, whoever reset the stream; the first event we
	 * see comes a little after the client read its clock for
	 * grpc-timeout, so allow for that. */
	limit = timeout_ms(header_list__get(&c->req_headers, "grpc-timeout"));
	elapsed = (double)(e->c.ts_ns - c->start_ns) / 1e6;
	if (e->code == 0x8 && limit >= 0 && elapsed + 1.0 + limit * 0.02 >= limit)
		c->grpc_status = 4;
	else
		c->grpc_status = by_client ? 1 : status_of_reset(e->code);
	c->end_ns = e->c.ts_ns;
	c->complete = true;
	calls__finish(s->calls, c);
}

/* A connection closes: its calls end now, and what was known of it is
 * forgotten (its object's address may be reused by the next one). */
static void on_conn_close(struct event_sink *s, const struct ev_close *e, size_t size)
{
	if (size < sizeof(*e)) {
		s->tally->malformed++;
		return;
	}
	if (s->verbose)
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir, 0,
			      "connection closed", NULL, NULL);
	calls__conn_closed(s->calls, e->c.pid, e->c.conn, e->c.ts_ns);
}

int events__on_sample(void *ctx, void *data, size_t size)
{
	struct event_sink *s = ctx;
	const struct ev_common *c = data;

	s->tally->received++;
	if (size < sizeof(*c) || c->side > SIDE_UNKNOWN ||
	    (c->side == SIDE_UNKNOWN && c->kind != EV_RST)) {
		s->tally->malformed++;
		return 0;
	}
	/* TLS is the connection's: any event of it may be the one to say
	 * so, the one that ends a call included. */
	if ((c->flags & EVF_TLS) && c->kind != EV_H1_START && c->kind != EV_H1_END)
		calls__set_conn_tls(s->calls, c->pid, c->conn);
	switch (c->kind) {
	case EV_HEADERS:
		on_headers(s, data, size);
		break;
	case EV_MSG_OUT:
		on_msg_out(s, data, size);
		break;
	case EV_DATA:
		on_data(s, data, size);
		break;
	case EV_HDR_BEGIN:
		on_hdr_begin(s, data, size);
		break;
	case EV_HDR_FIELD:
		on_hdr_field(s, data, size);
		break;
	case EV_H1_START:
		on_h1_start(s, data, size);
		break;
	case EV_H1_END:
		on_h1_end(s, data, size);
		break;
	case EV_RST:
		on_rst(s, data, size);
		break;
	case EV_CONN_CLOSE:
		on_conn_close(s, data, size);
		break;
	case EV_ADDR:
		on_addr(s, data, size);
		break;
	default:
		s->tally->malformed++;
		return 0;
	}
	/* Again: one that opened a call on a reused address has made the
	 * connection a new one. */
	if ((c->flags & EVF_TLS) && c->kind != EV_H1_START && c->kind != EV_H1_END)
		calls__set_conn_tls(s->calls, c->pid, c->conn);
	return 0;
}
