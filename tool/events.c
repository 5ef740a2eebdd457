/* events.c - turn BPF events into call state.
 *
 * Server: request headers in (operateHeaders) open the call; messages out
 * and DATA in count sizes; the trailers out (writeHeader, END_STREAM)
 * finish it. Client: headers out open it, trailers in (operateHeaders,
 * END_STREAM) finish it. Everything is validated before use: the kernel
 * side is ours, but its copies of target memory are not trusted.
 */
#include "events.h"

#include <linux/types.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf_templates/gogrpctrace_events.h"

static void format_addr(char *out, size_t len, const __u8 *ip, int ip_len, int port)
{
	char buf[INET6_ADDRSTRLEN];
	static const __u8 v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (ip_len == 16 && memcmp(ip, v4mapped, 12) == 0) {
		ip += 12;
		ip_len = 4;
	}
	if (ip_len == 4) {
		inet_ntop(AF_INET, ip, buf, sizeof(buf));
		snprintf(out, len, "%s:%d", buf, port);
	} else {
		inet_ntop(AF_INET6, ip, buf, sizeof(buf));
		snprintf(out, len, "[%s]:%d", buf, port);
	}
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

/* Walk the entries of a header event into a list; 0, or -1 if malformed. */
static int parse_fields(const struct ev_headers *e, size_t size, struct header_list *hl,
			bool *cut)
{
	size_t off = 0, end = e->buf_len;

	if (end > HDR_BUF_SIZE || offsetof(struct ev_headers, buf) + end > size)
		return -1;
	for (int i = 0; i < e->ncopied; i++) {
		struct hdr_entry he;

		if (off + sizeof(he) > end)
			return -1;
		memcpy(&he, e->buf + off, sizeof(he));
		off += sizeof(he);
		if (he.name_len > HDR_NAME_MASK || he.value_len > HDR_VALUE_MASK ||
		    off + he.name_len + he.value_len > end)
			return -1;
		if (he.name_len < he.name_total || he.value_len < he.value_total)
			*cut = true;
		header_list__add(hl, e->buf + off, he.name_len, e->buf + off + he.name_len,
				 he.value_len);
		off += he.name_len + he.value_len;
	}
	return 0;
}

static void copy_text(char *dst, size_t len, const char *src)
{
	if (src)
		snprintf(dst, len, "%s", src);
}

/* Put a header block where it belongs in the call (moved, not copied). */
static void apply_headers(struct call *c, struct header_list *hl, bool request)
{
	const char *status = header_list__get(hl, ":status");
	const char *gs = header_list__get(hl, "grpc-status");
	struct header_list *dst;

	if (request) {
		copy_text(c->method, sizeof(c->method), header_list__get(hl, ":path"));
		copy_text(c->authority, sizeof(c->authority), header_list__get(hl, ":authority"));
		dst = &c->req_headers;
	} else {
		if (status)
			c->http_status = atoi(status);
		/* A block with grpc-status is the trailers (or a trailers-only
		 * response, which also carries :status). */
		dst = gs ? &c->trailers : &c->resp_headers;
		if (gs) {
			c->grpc_status = atoi(gs);
			percent_decode(c->grpc_message, sizeof(c->grpc_message),
				       header_list__get(hl, "grpc-message") ?: "");
		}
	}
	header_list__take(dst, hl);
}

static void on_headers(struct event_sink *s, const struct ev_headers *e, size_t size)
{
	struct header_list hl = {0};
	bool cut = false, request;
	struct call *c;

	if (size < offsetof(struct ev_headers, buf) || parse_fields(e, size, &hl, &cut)) {
		s->tally->malformed++;
		header_list__free(&hl);
		return;
	}
	/* A request block: sent by a client or received by a server. */
	request = (e->c.side == SIDE_CLIENT) == (e->c.dir == DIR_OUT);
	if (s->verbose)
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, e->c.dir, e->c.stream_id,
			      request ? "request headers" : (header_list__get(&hl, "grpc-status")
								     ? "trailers"
								     : "response headers"),
			      &hl, NULL, -1);
	/* Only a request opens a call; a response for a stream we never saw
	 * opening (attached mid-call, or already reset) is not a call. */
	c = request ? calls__get(s->calls, e->c.pid, e->c.conn, e->c.stream_id, e->c.side, e->c.ts_ns)
		    : calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (!c) {
		s->tally->unmatched++;
		header_list__free(&hl);
		return;
	}
	apply_headers(c, &hl, request);
	if (request)
		c->req_header_count += e->nfields;
	header_list__free(&hl);
	if (e->c.flags & EVF_TLS)
		c->tls = true;
	if (cut || (e->c.flags & (EVF_TRUNC_FIELDS | EVF_TRUNC_BUF | EVF_HPACK_TRUNC)))
		c->truncated = true;
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	if ((e->c.flags & EVF_PEER) && e->peer_ip_len)
		format_addr(c->peer, sizeof(c->peer), e->peer_ip, e->peer_ip_len, e->peer_port);
	if ((e->c.flags & EVF_LOCAL) && e->local_ip_len)
		format_addr(c->local, sizeof(c->local), e->local_ip, e->local_ip_len, e->local_port);
	if (*c->peer || *c->local)
		calls__set_conn_addrs(s->calls, c->pid, c->conn, c->peer, c->local);
	/* The call ends with the trailers: sent by a server, received by a client. */
	if (!request && (e->c.flags & EVF_END_STREAM)) {
		c->end_ns = e->c.ts_ns;
		c->complete = true;
		calls__finish(s->calls, c);
	}
}

/* Keep the first captured payload of a direction. */
static void keep_payload(char *dst, int *dst_len, const char *src, int len)
{
	if (*dst_len >= 0 || len < 0)
		return;
	if (len > 1024)
		len = 1024;
	memcpy(dst, src, (size_t)len);
	*dst_len = len;
}

static void on_msg_out(struct event_sink *s, const struct ev_msg *e, size_t size)
{
	struct call *c;
	char what[64];
	int plen;

	if (size < offsetof(struct ev_msg, payload) || e->payload_len > PAYLOAD_MAX ||
	    offsetof(struct ev_msg, payload) + e->payload_len > size) {
		s->tally->malformed++;
		return;
	}
	/* A client's first message can be seen before its headers are
	 * written (grpc-go queues them), so it may open the call. */
	c = e->c.side == SIDE_CLIENT
		    ? calls__get(s->calls, e->c.pid, e->c.conn, e->c.stream_id, e->c.side, e->c.ts_ns)
		    : calls__find(s->calls, e->c.pid, e->c.conn, e->c.stream_id);
	if (!c) {
		s->tally->unmatched++;
		return;
	}
	if (e->c.flags & EVF_READ_ERROR)
		c->read_errors = true;
	plen = s->payload ? e->payload_len : -1;
	if (e->c.side == SIDE_CLIENT) {
		c->req_msgs++;
		c->req_bytes += e->len;
		keep_payload(c->req_payload, &c->req_payload_len, e->payload, plen);
	} else {
		c->resp_msgs++;
		c->resp_bytes += e->len;
		keep_payload(c->resp_payload, &c->resp_payload_len, e->payload, plen);
	}
	if (s->verbose) {
		snprintf(what, sizeof(what), "message sent, %u bytes%s", e->len,
			 e->compressed ? " (compressed)" : "");
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, DIR_OUT, e->c.stream_id,
			      what, NULL, e->payload, plen);
	}
}

static void on_data_in(struct event_sink *s, const struct ev_data *e, size_t size)
{
	struct call *c;
	char what[64];
	int plen;

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
	if (e->c.flags & EVF_DESYNC)
		c->desync = true;
	plen = s->payload && e->nlens ? e->payload_len : -1;
	if (e->c.side == SIDE_CLIENT) {
		c->resp_msgs += e->nmsgs;
		c->resp_bytes += e->msg_bytes;
		keep_payload(c->resp_payload, &c->resp_payload_len, e->payload, plen);
	} else {
		c->req_msgs += e->nmsgs;
		c->req_bytes += e->msg_bytes;
		keep_payload(c->req_payload, &c->req_payload_len, e->payload, plen);
	}
	if (!s->verbose)
		return;
	for (int i = 0; i < e->nlens; i++) {
		snprintf(what, sizeof(what), "message received, %u bytes", e->lens[i]);
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, DIR_IN, e->c.stream_id,
			      what, NULL, e->payload, i == 0 ? plen : -1);
	}
	if (e->nmsgs > e->nlens) {
		snprintf(what, sizeof(what), "%u more messages received in the same frame",
			 e->nmsgs - e->nlens);
		report__event(s->report, e->c.ts_ns, e->c.pid, e->c.side, DIR_IN, e->c.stream_id,
			      what, NULL, NULL, -1);
	}
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
			      what, NULL, NULL, -1);
	}
	if (!c) {
		s->tally->unmatched++; /* the call had already ended (trailers first) */
		return;
	}
	by_client = (c->side == SIDE_CLIENT) == (e->c.dir == DIR_OUT);
	c->reset_code = (int)e->code;
	c->reset_by = by_client ? SIDE_CLIENT : SIDE_SERVER;
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
	switch (c->kind) {
	case EV_HEADERS:
		on_headers(s, data, size);
		break;
	case EV_MSG_OUT:
		on_msg_out(s, data, size);
		break;
	case EV_DATA_IN:
		on_data_in(s, data, size);
		break;
	case EV_RST:
		on_rst(s, data, size);
		break;
	default:
		s->tally->malformed++;
	}
	return 0;
}
