/* http1.bpf.c - uprobes on net/http's HTTP/1.x (bcc C dialect).
 *
 * Server: serverHandler.ServeHTTP starts a request (only when its
 * ResponseWriter is an HTTP/1 *http.response: HTTP/2 requests pass there
 * too) and (*response).finishRequest ends it with the status and body bytes
 * written. Client: (*persistConn).roundTrip starts it, and the returns of
 * ReadResponse end it: the *Response is the first result (RAX in Go's
 * register ABI), and its Request field names the request. One event per
 * start and per end; no return probe on Go code, only plain probes on RET
 * instructions.
 */
#include "common.bpf.h"

#if PROBE_H1_SRV_START || PROBE_H1_SRV_END || PROBE_H1_CLI_START || PROBE_H1_CLI_END
BPF_PERCPU_ARRAY(h1_scratch, struct ev_h1, 1);

static __always_inline struct ev_h1 *new_h1(u8 kind, u8 probe, u8 side)
{
	u32 zero = 0;
	struct ev_h1 *e = h1_scratch.lookup(&zero);

	if (!e)
		return 0;
	__builtin_memset(e, 0, offsetof(struct ev_h1, method));
	fill_common(&e->c, kind, probe, side, side == SIDE_CLIENT ? DIR_OUT : DIR_IN);
	e->req_len = e->resp_len = -1;
	return e;
}

/* Copy the Go string at addr into dst (mask+1 bytes); returns its length. */
static __always_inline u32 read_gostr(struct ev_h1 *e, char *dst, u32 mask, u64 addr, u16 *copied)
{
	struct go_slice s = {};
	u32 n;
	u64 nread; /* masked where used: see OPAQUE */

	if (read_user(&s, sizeof(s), addr)) {
		e->c.flags |= EVF_READ_ERROR;
		return 0;
	}
	n = s.len > mask ? mask : s.len;
	if (n < s.len)
		e->c.flags |= EVF_TRUNC_BUF;
	nread = n;
	OPAQUE(nread);
	if (bpf_probe_read_user(dst, nread & mask, (void *)s.ptr) != 0) {
		count(CNT_READ_ERRORS);
		e->c.flags |= EVF_READ_ERROR;
		return 0;
	}
	*copied = n;
	return s.len > 0xffffffff ? 0xffffffff : s.len;
}

/* Method, URL path, Host and Content-Length of the *http.Request at req. */
static __always_inline void read_request(struct ev_h1 *e, u64 req)
{
	u64 url = 0;

	read_gostr(e, e->method, H1_METHOD_MASK, req + REQ_METHOD, &e->method_len);
	e->host_total = read_gostr(e, e->host, H1_HOST_MASK, req + REQ_HOST, &e->host_len);
	if (read_user(&url, sizeof(url), req + REQ_URL) == 0 && url)
		e->path_total = read_gostr(e, e->path, H1_PATH_MASK, url + URL_PATH, &e->path_len);
	if (read_user(&e->req_len, sizeof(e->req_len), req + REQ_LEN))
		e->req_len = -1;
}

static __always_inline void emit_h1(struct pt_regs *ctx, struct ev_h1 *e)
{
	if (e->c.flags & EVF_TRUNC_BUF)
		count(CNT_TRUNC_HEADERS);
	emit(ctx, e, sizeof(*e));
}
#endif

#if PROBE_H1_SRV_START
/* serverHandler.ServeHTTP(sh, rw ResponseWriter, req *Request) */
int probe_h1_srv_start(struct pt_regs *ctx)
{
	struct ev_h1 *e;
	u64 req, tls = 0;

	PROBE_ENTER(ctx, H1_SRV_START);
	if (ARG(ctx, H1S_RW_TAB) != ITAB_H1_RESPONSE) {
		count(CNT_IGNORED); /* an HTTP/2 request: its own probes see it */
		return 0;
	}
	e = new_h1(EV_H1_START, H1_SRV_START_IDX, SIDE_SERVER);
	if (!e)
		return 0;
	req = ARG(ctx, H1S_REQ);
	e->c.conn = ARG(ctx, H1S_RW_DATA);
	read_request(e, req);
	read_gostr(e, e->peer, H1_PEER_MASK, req + REQ_REMOTE, &e->peer_len);
	if (read_user(&tls, sizeof(tls), req + REQ_TLS) == 0 && tls)
		e->c.flags |= EVF_TLS;
#if HAS_RESP_CONN && HAS_CONN_RWC
	{
		/* Both addresses from the connection (w.conn.rwc). */
		u64 conn = 0;

		if (read_user(&conn, sizeof(conn), e->c.conn + RESP_CONN) == 0 && conn)
			conn_addrs(conn + CONN_RWC, &e->c.flags, e->peer_ip, &e->peer_ip_len,
				   &e->peer_port, e->local_ip, &e->local_ip_len, &e->local_port);
		/* A unix peer comes as its path (EV_ADDR), not RemoteAddr's text. */
		if (addr_has_peer_path())
			e->peer_len = 0;
		emit_addr(ctx, &e->c);
	}
#endif
	emit_h1(ctx, e);
	return 0;
}
#endif

#if PROBE_H1_SRV_END
/* (*response).finishRequest(w): the handler returned. */
int probe_h1_srv_end(struct pt_regs *ctx)
{
	struct ev_h1 *e;
	u64 w;
	s64 status = 0;

	PROBE_ENTER(ctx, H1_SRV_END);
	e = new_h1(EV_H1_END, H1_SRV_END_IDX, SIDE_SERVER);
	if (!e)
		return 0;
	w = ARG(ctx, H1E_W);
	e->c.conn = w;
	if (read_user(&status, sizeof(status), w + RESP_STATUS) ||
	    read_user(&e->resp_len, sizeof(e->resp_len), w + RESP_WRITTEN)) {
		e->c.flags |= EVF_READ_ERROR;
		e->resp_len = -1;
	}
	e->status = (s32)status;
	emit(ctx, e, offsetof(struct ev_h1, method));
	return 0;
}
#endif

#if PROBE_H1_CLI_START
/* (*persistConn).roundTrip(pc, req *transportRequest) */
int probe_h1_cli_start(struct pt_regs *ctx)
{
	struct ev_h1 *e;
	u64 req = 0, pc;

	PROBE_ENTER(ctx, H1_CLI_START);
	if (read_user(&req, sizeof(req), ARG(ctx, H1C_TREQ) + TREQ_REQ) || !req)
		return 0;
	e = new_h1(EV_H1_START, H1_CLI_START_IDX, SIDE_CLIENT);
	if (!e)
		return 0;
	pc = ARG(ctx, H1C_PC);
	e->c.conn = req;
	read_request(e, req);
	if (e->req_len == 0) {
		/* A client's 0 with a Body (not http.NoBody) means unknown. */
		struct iface body = {};

		if (read_user(&body, sizeof(body), req + REQ_BODY) == 0 && body.tab
#if HAS_ITAB_NOBODY
		    && body.tab != ITAB_NOBODY
#endif
		)
			e->req_len = -1;
	}
	conn_addrs(pc + PC_CONN, &e->c.flags, e->peer_ip, &e->peer_ip_len, &e->peer_port,
		   e->local_ip, &e->local_ip_len, &e->local_port);
	emit_addr(ctx, &e->c);
	emit_h1(ctx, e);
	return 0;
}
#endif

#if PROBE_H1_CLI_END
/* A return of ReadResponse(r, req) (*Response, error): the first result
 * register (DWARF 0: RAX, X0) is the response, nil on an error. */
int probe_h1_cli_end(struct pt_regs *ctx)
{
	struct ev_h1 *e;
	u64 resp = read_reg(ctx, 0);
	s64 status = 0;

	PROBE_ENTER(ctx, H1_CLI_END);
	if (!resp)
		return 0;
	e = new_h1(EV_H1_END, H1_CLI_END_IDX, SIDE_CLIENT);
	if (!e)
		return 0;
	if (read_user(&e->c.conn, sizeof(e->c.conn), resp + RSP_REQ) ||
	    read_user(&status, sizeof(status), resp + RSP_STATUS) ||
	    read_user(&e->resp_len, sizeof(e->resp_len), resp + RSP_LEN))
		return 0;
	e->status = (s32)status;
	emit(ctx, e, offsetof(struct ev_h1, method));
	return 0;
}
#endif
