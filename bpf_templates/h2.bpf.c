/* h2.bpf.c - uprobes on the HTTP/2 of net/http's bundled copy (NH) and of
 * golang.org/x/net/http2 (XH), server and client (bcc C dialect).
 *
 * Both stacks are the same code under two sets of names, so each probe is
 * one macro written once and instantiated per stack. A connection is keyed
 * by its serverConn or ClientConn. Two objects of a connection are met
 * without it: its Framer (DATA and RST_STREAM written) and its hpack
 * Encoder (header fields written). The probes that see the connection
 * first map them to it; a Framer or Encoder that is not mapped belongs to
 * someone else (grpc-go uses x/net's too) and is ignored.
 *
 * Header blocks sent are not read as a whole: the stacks build them one
 * field at a time (writeResHeaders.writeFrame, encodeAndWriteHeaders), so a
 * begin event names the stream and each field follows as its own event.
 * Received blocks arrive decoded (MetaHeadersFrame) and are copied whole.
 */
#include "common.bpf.h"

#define WANT_NH                                                                 \
	(PROBE_NH_SRV_HDR_IN || PROBE_NH_SRV_HDR_OUT || PROBE_NH_SRV_DATA_IN ||  \
	 PROBE_NH_SRV_RST_IN || PROBE_NH_CLI_HDR_OUT || PROBE_NH_CLI_HDR_IN ||   \
	 PROBE_NH_CLI_DATA_IN || PROBE_NH_CLI_RST_IN || PROBE_NH_DATA_OUT ||     \
	 PROBE_NH_RST_OUT || PROBE_NH_FIELD_OUT ||                \
	 PROBE_NH_SRV_CONN_CLOSE || PROBE_NH_CLI_CONN_CLOSE)
#define WANT_XH                                                                 \
	(PROBE_XH_SRV_HDR_IN || PROBE_XH_SRV_HDR_OUT || PROBE_XH_SRV_DATA_IN ||  \
	 PROBE_XH_SRV_RST_IN || PROBE_XH_CLI_HDR_OUT || PROBE_XH_CLI_HDR_IN ||   \
	 PROBE_XH_CLI_DATA_IN || PROBE_XH_CLI_RST_IN || PROBE_XH_DATA_OUT ||     \
	 PROBE_XH_RST_OUT || PROBE_XH_FIELD_OUT ||                \
	 PROBE_XH_SRV_CONN_CLOSE || PROBE_XH_CLI_CONN_CLOSE)

#if WANT_NH || WANT_XH

/* What a Framer belongs to (keyed by the Framer: a proc_key). */
struct h2_conn {
	u64 conn;
	u32 flags; /* EVF_TLS */
	u8 side;
	u8 pad[3];
};

/* The header block an Encoder is writing (keyed by the Encoder). */
struct h2_block {
	u64 conn;
	u32 sid;
	u8 side;
	u8 pad[3];
};

/* A stream whose content-type is application/grpc. */
struct h2_stream {
	u64 conn;
	u32 sid;
	u32 pid;
};

BPF_TABLE("lru_hash", struct proc_key, struct h2_conn, h2_framers, 16384);
BPF_TABLE("lru_hash", struct proc_key, struct h2_block, h2_encoders, 16384);
BPF_TABLE("lru_hash", struct h2_stream, u8, h2_grpc_streams, 16384);
BPF_PERCPU_ARRAY(field_scratch, struct ev_field, 1);

static __always_inline void mark_grpc(u64 conn, u32 sid)
{
	struct h2_stream st = {};
	u8 one = 1;

	st.conn = conn;
	st.sid = sid;
	st.pid = bpf_get_current_pid_tgid() >> 32;
	MAP_OP();
	h2_grpc_streams.update(&st, &one);
}

static __always_inline void unmark_grpc(u64 conn, u32 sid)
{
	struct h2_stream st = {};

	st.conn = conn;
	st.sid = sid;
	st.pid = bpf_get_current_pid_tgid() >> 32;
	MAP_OP();
	h2_grpc_streams.delete(&st);
}

/* A stream opens on (conn, sid): nothing of an earlier stream with the
 * same key (a connection object at a reused address) may carry over. */
static __always_inline void stream_opens(u64 conn, u32 sid)
{
	unmark_grpc(conn, sid);
#if WANT_DATA_PARSER
	forget_parse(conn, sid, DIR_IN);
	forget_parse(conn, sid, DIR_OUT);
#endif
}

/* A header block received is a request's, not trailers, when its first
 * field is a pseudo-header (":method", ...). */
static __always_inline int is_request_block(struct ev_headers *e)
{
	struct hdr_entry *he = (struct hdr_entry *)e->buf;
	u64 at = 0;
	char c = 0;

	if (e->ncopied == 0)
		return 0;
	if (!(he->flags & HE_NAME_AT))
		return e->buf[sizeof(struct hdr_entry)] == ':';
	/* The name was sent by address (copy_fields): its first byte. */
	__builtin_memcpy(&at, &e->buf[sizeof(struct hdr_entry)], sizeof(at));
	return bpf_probe_read_user(&c, 1, (void *)at) == 0 && c == ':';
}

static __always_inline int is_grpc(u64 conn, u32 sid)
{
	struct h2_stream st = {};

	st.conn = conn;
	st.sid = sid;
	st.pid = bpf_get_current_pid_tgid() >> 32;
	MAP_OP();
	return h2_grpc_streams.lookup(&st) != 0;
}

/* A decoded header block received: MetaHeadersFrame f on connection conn.
 * Returns its stream ID (0 on a failed read). */
static __always_inline u32 h2_headers_in(struct pt_regs *ctx, struct ev_headers *e, u64 conn, u64 f,
					 u64 mhf_hf, u64 mhf_fields, long mhf_trunc, u64 hf_sid,
					 u64 hf_flags, struct field_layout fl)
{
	struct go_slice fields = {};

	e->c.conn = conn;
	if (read_meta_headers(e, f, mhf_hf, mhf_fields, mhf_trunc, hf_sid, hf_flags, &fields))
		e->c.flags |= EVF_READ_ERROR;
	else
		copy_fields(e, fields.ptr, fields.len, fl, 1);
	return e->c.stream_id;
}

/* A DATA frame received: DataFrame f on connection conn. */
static __always_inline int h2_data_in(struct pt_regs *ctx, u8 probe, u8 side, u64 conn, u64 f,
				      u64 df_sid, u64 df_flags, u64 df_data)
{
	struct go_slice d = {};
	u32 sid = 0;
	u8 fflags = 0;

	if (read_user(&sid, sizeof(sid), f + df_sid) || read_user(&fflags, 1, f + df_flags) ||
	    read_user(&d, sizeof(d), f + df_data))
		return 0;
	return data_frame(ctx, probe, side, DIR_IN, conn, 0, sid, fflags, d.ptr, d.len,
			  is_grpc(conn, sid));
}

/* A RST_STREAM frame received: RSTStreamFrame f on connection conn. */
static __always_inline int h2_rst_in(struct pt_regs *ctx, u8 probe, u8 side, u64 conn, u64 f,
				     u64 rsf_sid, u64 rsf_code)
{
	struct ev_rst e = {};

	fill_common(&e.c, EV_RST, probe, side, DIR_IN);
	e.c.conn = conn;
	if (read_user(&e.c.stream_id, sizeof(u32), f + rsf_sid) ||
	    read_user(&e.code, sizeof(u32), f + rsf_code))
		e.c.flags |= EVF_READ_ERROR;
	emit(ctx, &e, sizeof(e));
	return 0;
}

/* A header block is being sent on (conn, sid): map the encoder to it and
 * say so; its fields follow through field_out. */
static __always_inline void h2_begin(struct pt_regs *ctx, struct ev_hdr_begin *b, u64 enc)
{
	struct proc_key k = proc_key_of(enc);
	struct h2_block blk = {};

	blk.conn = b->c.conn;
	blk.sid = b->c.stream_id;
	blk.side = b->c.side;
	MAP_OP();
	h2_encoders.update(&k, &blk);
	emit(ctx, b, sizeof(*b));
}

/* (*Encoder).WriteField(e, f HeaderField): one field of the block begun
 * last on e. */
static __always_inline int h2_field_out(struct pt_regs *ctx, u8 probe, u64 enc, u64 name, u64 nlen,
					u64 value, u64 vlen)
{
	struct proc_key k = proc_key_of(enc);
	struct h2_block *blk;
	struct go_slice ns = {}, vs = {};
	struct ev_field *e;
	u32 zero = 0, n, v;
	u64 nread, vread; /* read back from the event: see below */

	MAP_OP();
	blk = h2_encoders.lookup(&k);
	if (!blk) {
		count(CNT_IGNORED);
		return 0;
	}
	e = field_scratch.lookup(&zero);
	if (!e)
		return 0;
	fill_common(&e->c, EV_HDR_FIELD, probe, blk->side, DIR_OUT);
	e->c.conn = blk->conn;
	e->c.stream_id = blk->sid;
	e->c.flags = 0;
	n = nlen > HDR_NAME_MASK ? HDR_NAME_MASK : nlen;
	v = vlen > HDR_VALUE_MASK ? HDR_VALUE_MASK : vlen;
	e->he.name_total = nlen > 0xffff ? 0xffff : nlen;
	e->he.value_total = vlen > 0xffffffff ? 0xffffffff : vlen;
	e->he.name_len = n;
	e->he.value_len = v;
	e->he.flags = 0;
	if (n < nlen || v < vlen) {
		e->c.flags |= EVF_TRUNC_BUF;
		count(CNT_TRUNC_HEADERS);
	}
	/* Lengths read back from the event: fresh values with no history of
	 * the clamps above, whose dead branches make Linux 6.1's verifier
	 * turn the buffer pointer into a scalar. */
	nread = *(volatile __u16 *)&e->he.name_len & HDR_NAME_MASK;
	vread = *(volatile __u16 *)&e->he.value_len & HDR_VALUE_MASK;
	if (bpf_probe_read_user(e->buf, nread, (void *)name) ||
	    bpf_probe_read_user(&e->buf[nread], vread, (void *)value)) {
		count(CNT_READ_ERRORS);
		e->c.flags |= EVF_READ_ERROR;
	}
	ns.ptr = name;
	ns.len = nlen;
	vs.ptr = value;
	vs.len = vlen;
	if (is_grpc_content_type(&ns, &vs))
		mark_grpc(blk->conn, blk->sid);
	emit(ctx, e, offsetof(struct ev_field, buf) + ((n + v) & (HDR_NAME_MASK + HDR_VALUE_MASK + 1)));
	return 0;
}

/* (*Framer).WriteDataPadded(f, streamID, endStream, data, pad), or its
 * startWriteDataPadded half. */
static __always_inline int h2_data_out(struct pt_regs *ctx, u8 probe, u64 fr, u32 sid, u64 end,
				       u64 data, u64 len)
{
	struct proc_key k = proc_key_of(fr);
	struct h2_conn *c;

	MAP_OP();
	c = h2_framers.lookup(&k);
	if (!c) {
		count(CNT_IGNORED);
		return 0;
	}
	return data_frame(ctx, probe, c->side, DIR_OUT, c->conn, c->flags, sid, end ? 1 : 0, data,
			  len, is_grpc(c->conn, sid));
}

/* (*Framer).WriteRSTStream(f, streamID, code) */
static __always_inline int h2_rst_out(struct pt_regs *ctx, u8 probe, u64 fr, u32 sid, u32 code)
{
	struct proc_key k = proc_key_of(fr);
	struct h2_conn *c;
	struct ev_rst e = {};

	MAP_OP();
	c = h2_framers.lookup(&k);
	if (!c) {
		count(CNT_IGNORED);
		return 0;
	}
	fill_common(&e.c, EV_RST, probe, c->side, DIR_OUT);
	e.c.conn = c->conn;
	e.c.stream_id = sid;
	e.code = code;
	emit(ctx, &e, sizeof(e));
	return 0;
}

static __always_inline void map_framer(u64 fr, u64 conn, u32 flags, u8 side)
{
	struct proc_key k = proc_key_of(fr);
	struct h2_conn c = {};

	c.conn = conn;
	c.flags = flags & EVF_TLS;
	c.side = side;
	MAP_OP();
	h2_framers.update(&k, &c);
}

BPF_PERCPU_ARRAY(begin_scratch, struct ev_hdr_begin, 1);

static __always_inline struct ev_hdr_begin *new_begin(u8 probe, u8 side)
{
	u32 zero = 0;
	struct ev_hdr_begin *b = begin_scratch.lookup(&zero);

	if (!b)
		return 0;
	__builtin_memset(b, 0, sizeof(*b));
	fill_common(&b->c, EV_HDR_BEGIN, probe, side, DIR_OUT);
	return b;
}

/* ---- the probes, one macro each, instantiated per stack below ----
 * s/S: the stack's probe prefix in lower and upper case (nh/NH, xh/XH). */

#define H2_FIELDS(S) ((struct field_layout){S##_FIELD_SIZE, S##_FIELD_NAME, S##_FIELD_VALUE})

/* MetaHeadersFrame.Truncated is optional: -1 when unknown. */
#if HAS_NH_MHF_TRUNC
#define NH_MHF_TRUNC_OPT ((long)NH_MHF_TRUNC)
#else
#define NH_MHF_TRUNC_OPT (-1L)
#endif
#if HAS_XH_MHF_TRUNC
#define XH_MHF_TRUNC_OPT ((long)XH_MHF_TRUNC)
#else
#define XH_MHF_TRUNC_OPT (-1L)
#endif

/* (*serverConn).processHeaders(sc, f *MetaHeadersFrame) */
#define H2_SRV_HDR_IN(s, S)                                                       \
	int probe_##s##_srv_hdr_in(struct pt_regs *ctx)                           \
	{                                                                          \
		struct ev_headers *e;                                              \
		u64 sc, fr = 0;                                                    \
		u32 sid;                                                           \
                                                                                   \
		PROBE_ENTER(ctx, S##_SRV_HDR_IN);                                  \
		sc = ARG(ctx, S##_SHI_SC);                                         \
		e = new_headers(S##_SRV_HDR_IN_IDX, SIDE_SERVER, DIR_IN);          \
		if (!e)                                                            \
			return 0;                                                  \
		conn_addrs(sc + S##_SC_CONN, &e->c.flags, e->peer_ip, &e->peer_ip_len, \
			   &e->peer_port, e->local_ip, &e->local_ip_len, &e->local_port); \
		sid = h2_headers_in(ctx, e, sc, ARG(ctx, S##_SHI_F), S##_MHF_HF,   \
				    S##_MHF_FIELDS, S##_MHF_TRUNC_OPT, S##_HF_SID, \
				    S##_HF_FLAGS, H2_FIELDS(S));                   \
		if (sid && is_request_block(e)) {                                  \
			stream_opens(sc, sid);                                     \
			if (e->c.flags & EVF_GRPC)                                 \
				mark_grpc(sc, sid);                                \
		}                                                                  \
		if (read_user(&fr, sizeof(fr), sc + S##_SC_FRAMER) == 0)           \
			map_framer(fr, sc, e->c.flags, SIDE_SERVER);               \
		emit_addr(ctx, &e->c);                                             \
		emit_headers(ctx, e);                                              \
		return 0;                                                          \
	}

/* (*writeResHeaders).writeFrame(w, ctx writeContext): ctx is the
 * serverConn; its hpackEncoder is about to get the fields. */
#define H2_SRV_HDR_OUT(s, S)                                                      \
	int probe_##s##_srv_hdr_out(struct pt_regs *ctx)                          \
	{                                                                          \
		struct ev_hdr_begin *b;                                            \
		u64 w, sc, enc = 0;                                                \
		s64 code = 0;                                                      \
		u8 end = 0;                                                        \
                                                                                   \
		PROBE_ENTER(ctx, S##_SRV_HDR_OUT);                                 \
		if (ARG(ctx, S##_SHO_CTX_TAB) != S##_ITAB_SC_WCTX) {               \
			count(CNT_IGNORED);                                        \
			return 0;                                                  \
		}                                                                  \
		w = ARG(ctx, S##_SHO_W);                                           \
		sc = ARG(ctx, S##_SHO_CTX_DATA);                                   \
		b = new_begin(S##_SRV_HDR_OUT_IDX, SIDE_SERVER);                   \
		if (!b)                                                            \
			return 0;                                                  \
		b->c.conn = sc;                                                    \
		if (read_user(&b->c.stream_id, sizeof(u32), w + S##_WRH_SID) ||    \
		    read_user(&code, sizeof(code), w + S##_WRH_CODE) ||            \
		    read_user(&end, 1, w + S##_WRH_END) ||                         \
		    read_user(&enc, sizeof(enc), sc + S##_SC_ENC))                 \
			return 0;                                                  \
		b->status = (s32)code;                                             \
		if (end)                                                           \
			b->c.flags |= EVF_END_STREAM;                              \
		h2_begin(ctx, b, enc);                                             \
		return 0;                                                          \
	}

/* (*serverConn).processData(sc, f *DataFrame) */
#define H2_SRV_DATA_IN(s, S)                                                      \
	int probe_##s##_srv_data_in(struct pt_regs *ctx)                          \
	{                                                                          \
		PROBE_ENTER(ctx, S##_SRV_DATA_IN);                                 \
		return h2_data_in(ctx, S##_SRV_DATA_IN_IDX, SIDE_SERVER, ARG(ctx, S##_SDI_SC), \
				  ARG(ctx, S##_SDI_F), S##_DF_SID, S##_DF_FLAGS, S##_DF_DATA); \
	}

/* (*serverConn).processResetStream(sc, f *RSTStreamFrame) */
#define H2_SRV_RST_IN(s, S)                                                       \
	int probe_##s##_srv_rst_in(struct pt_regs *ctx)                           \
	{                                                                          \
		PROBE_ENTER(ctx, S##_SRV_RST_IN);                                  \
		return h2_rst_in(ctx, S##_SRV_RST_IN_IDX, SIDE_SERVER, ARG(ctx, S##_SRI_SC), \
				 ARG(ctx, S##_SRI_F), S##_RSF_SID, S##_RSF_CODE);  \
	}

/* (*clientStream).encodeAndWriteHeaders(cs, req): the stream has its ID;
 * the fields go to cc.henc next. Also maps cc.fr to the connection. */
#define H2_CLI_HDR_OUT(s, S)                                                      \
	int probe_##s##_cli_hdr_out(struct pt_regs *ctx)                          \
	{                                                                          \
		struct ev_hdr_begin *b;                                            \
		u64 cs, cc = 0, fr = 0, enc = 0;                                   \
                                                                                   \
		PROBE_ENTER(ctx, S##_CLI_HDR_OUT);                                 \
		cs = ARG(ctx, S##_CHO_CS);                                         \
		b = new_begin(S##_CLI_HDR_OUT_IDX, SIDE_CLIENT);                   \
		if (!b)                                                            \
			return 0;                                                  \
		if (read_user(&cc, sizeof(cc), cs + S##_CS_CC) ||                  \
		    read_user(&b->c.stream_id, sizeof(u32), cs + S##_CS_ID) ||     \
		    read_user(&fr, sizeof(fr), cc + S##_CC_FR) ||                  \
		    read_user(&enc, sizeof(enc), cc + S##_CC_HENC))                \
			return 0;                                                  \
		b->c.conn = cc;                                                    \
		conn_addrs(cc + S##_CC_TCONN, &b->c.flags, b->peer_ip, &b->peer_ip_len, \
			   &b->peer_port, b->local_ip, &b->local_ip_len, &b->local_port); \
		map_framer(fr, cc, b->c.flags, SIDE_CLIENT);                       \
		stream_opens(cc, b->c.stream_id);                                  \
		emit_addr(ctx, &b->c);                                             \
		h2_begin(ctx, b, enc);                                             \
		return 0;                                                          \
	}

/* (*clientConnReadLoop).processHeaders(rl, f *MetaHeadersFrame) */
#define H2_CLI_HDR_IN(s, S)                                                       \
	int probe_##s##_cli_hdr_in(struct pt_regs *ctx)                           \
	{                                                                          \
		struct ev_headers *e;                                              \
		u64 cc = 0;                                                        \
                                                                                   \
		PROBE_ENTER(ctx, S##_CLI_HDR_IN);                                  \
		if (read_user(&cc, sizeof(cc), ARG(ctx, S##_CHI_RL) + S##_RL_CC))  \
			return 0;                                                  \
		e = new_headers(S##_CLI_HDR_IN_IDX, SIDE_CLIENT, DIR_IN);          \
		if (!e)                                                            \
			return 0;                                                  \
		h2_headers_in(ctx, e, cc, ARG(ctx, S##_CHI_F), S##_MHF_HF, S##_MHF_FIELDS, \
			      S##_MHF_TRUNC_OPT, S##_HF_SID, S##_HF_FLAGS, H2_FIELDS(S)); \
		emit_headers(ctx, e);                                              \
		return 0;                                                          \
	}

/* (*clientConnReadLoop).processData(rl, f *DataFrame) */
#define H2_CLI_DATA_IN(s, S)                                                      \
	int probe_##s##_cli_data_in(struct pt_regs *ctx)                          \
	{                                                                          \
		u64 cc = 0;                                                        \
                                                                                   \
		PROBE_ENTER(ctx, S##_CLI_DATA_IN);                                 \
		if (read_user(&cc, sizeof(cc), ARG(ctx, S##_CDI_RL) + S##_RL_CC))  \
			return 0;                                                  \
		return h2_data_in(ctx, S##_CLI_DATA_IN_IDX, SIDE_CLIENT, cc, ARG(ctx, S##_CDI_F), \
				  S##_DF_SID, S##_DF_FLAGS, S##_DF_DATA);          \
	}

/* (*clientConnReadLoop).processResetStream(rl, f *RSTStreamFrame) */
#define H2_CLI_RST_IN(s, S)                                                       \
	int probe_##s##_cli_rst_in(struct pt_regs *ctx)                           \
	{                                                                          \
		u64 cc = 0;                                                        \
                                                                                   \
		PROBE_ENTER(ctx, S##_CLI_RST_IN);                                  \
		if (read_user(&cc, sizeof(cc), ARG(ctx, S##_CRI_RL) + S##_RL_CC))  \
			return 0;                                                  \
		return h2_rst_in(ctx, S##_CLI_RST_IN_IDX, SIDE_CLIENT, cc, ARG(ctx, S##_CRI_F), \
				 S##_RSF_SID, S##_RSF_CODE);                       \
	}

#define H2_DATA_OUT(s, S)                                                         \
	int probe_##s##_data_out(struct pt_regs *ctx)                             \
	{                                                                          \
		PROBE_ENTER(ctx, S##_DATA_OUT);                                    \
		return h2_data_out(ctx, S##_DATA_OUT_IDX, ARG(ctx, S##_DO_F), ARG(ctx, S##_DO_SID), \
				   ARG(ctx, S##_DO_END), ARG(ctx, S##_DO_DATA_PTR),   \
				   ARG(ctx, S##_DO_DATA_LEN));                     \
	}

#define H2_RST_OUT(s, S)                                                          \
	int probe_##s##_rst_out(struct pt_regs *ctx)                              \
	{                                                                          \
		PROBE_ENTER(ctx, S##_RST_OUT);                                     \
		return h2_rst_out(ctx, S##_RST_OUT_IDX, ARG(ctx, S##_RSO_F), ARG(ctx, S##_RSO_SID), \
				  ARG(ctx, S##_RSO_CODE));                         \
	}

/* A connection ends: forget what its Framer and Encoder were mapped to
 * (a later connection may get the same objects' addresses), and say so. */
static __always_inline int h2_conn_close(struct pt_regs *ctx, u8 probe, u8 side, u64 conn, u64 fr,
					 u64 enc)
{
	struct proc_key k = proc_key_of(fr);
	struct ev_close e = {};

	MAP_OP();
	h2_framers.delete(&k);
	k = proc_key_of(enc);
	MAP_OP();
	h2_encoders.delete(&k);
	fill_common(&e.c, EV_CONN_CLOSE, probe, side, DIR_IN);
	e.c.conn = conn;
	emit(ctx, &e, sizeof(e));
	return 0;
}

/* (*serverConn).closeAllStreamsOnConnClose(sc): deferred by serve, as the
 * connection ends. */
#define H2_SRV_CONN_CLOSE(s, S)                                                   \
	int probe_##s##_srv_conn_close(struct pt_regs *ctx)                       \
	{                                                                          \
		u64 sc, fr = 0, enc = 0;                                           \
                                                                                   \
		PROBE_ENTER(ctx, S##_SRV_CONN_CLOSE);                              \
		sc = ARG(ctx, S##_SCC_SC);                                         \
		read_user(&fr, sizeof(fr), sc + S##_SC_FRAMER);                    \
		read_user(&enc, sizeof(enc), sc + S##_SC_ENC);                     \
		return h2_conn_close(ctx, S##_SRV_CONN_CLOSE_IDX, SIDE_SERVER, sc, fr, enc); \
	}

/* (*clientConnReadLoop).cleanup(rl): the read loop ends with its
 * connection. */
#define H2_CLI_CONN_CLOSE(s, S)                                                   \
	int probe_##s##_cli_conn_close(struct pt_regs *ctx)                       \
	{                                                                          \
		u64 cc = 0, fr = 0, enc = 0;                                       \
                                                                                   \
		PROBE_ENTER(ctx, S##_CLI_CONN_CLOSE);                              \
		if (read_user(&cc, sizeof(cc), ARG(ctx, S##_CCC_RL) + S##_RL_CC))  \
			return 0;                                                  \
		read_user(&fr, sizeof(fr), cc + S##_CC_FR);                        \
		read_user(&enc, sizeof(enc), cc + S##_CC_HENC);                    \
		return h2_conn_close(ctx, S##_CLI_CONN_CLOSE_IDX, SIDE_CLIENT, cc, fr, enc); \
	}

#define H2_FIELD_OUT(s, S)                                                        \
	int probe_##s##_field_out(struct pt_regs *ctx)                            \
	{                                                                          \
		PROBE_ENTER(ctx, S##_FIELD_OUT);                                   \
		return h2_field_out(ctx, S##_FIELD_OUT_IDX, ARG(ctx, S##_FO_E),    \
				    ARG(ctx, S##_FO_NAME_PTR), ARG(ctx, S##_FO_NAME_LEN), \
				    ARG(ctx, S##_FO_VALUE_PTR), ARG(ctx, S##_FO_VALUE_LEN)); \
	}

#endif /* WANT_NH || WANT_XH */

/* ---- net/http's bundled copy ---- */
#if PROBE_NH_SRV_HDR_IN
H2_SRV_HDR_IN(nh, NH)
#endif
#if PROBE_NH_SRV_HDR_OUT
H2_SRV_HDR_OUT(nh, NH)
#endif
#if PROBE_NH_SRV_DATA_IN
H2_SRV_DATA_IN(nh, NH)
#endif
#if PROBE_NH_SRV_RST_IN
H2_SRV_RST_IN(nh, NH)
#endif
#if PROBE_NH_CLI_HDR_OUT
H2_CLI_HDR_OUT(nh, NH)
#endif
#if PROBE_NH_CLI_HDR_IN
H2_CLI_HDR_IN(nh, NH)
#endif
#if PROBE_NH_CLI_DATA_IN
H2_CLI_DATA_IN(nh, NH)
#endif
#if PROBE_NH_CLI_RST_IN
H2_CLI_RST_IN(nh, NH)
#endif
#if PROBE_NH_DATA_OUT
H2_DATA_OUT(nh, NH)
#endif
#if PROBE_NH_RST_OUT
H2_RST_OUT(nh, NH)
#endif
#if PROBE_NH_FIELD_OUT
H2_FIELD_OUT(nh, NH)
#endif
#if PROBE_NH_SRV_CONN_CLOSE
H2_SRV_CONN_CLOSE(nh, NH)
#endif
#if PROBE_NH_CLI_CONN_CLOSE
H2_CLI_CONN_CLOSE(nh, NH)
#endif

/* ---- golang.org/x/net/http2 ---- */
#if PROBE_XH_SRV_HDR_IN
H2_SRV_HDR_IN(xh, XH)
#endif
#if PROBE_XH_SRV_HDR_OUT
H2_SRV_HDR_OUT(xh, XH)
#endif
#if PROBE_XH_SRV_DATA_IN
H2_SRV_DATA_IN(xh, XH)
#endif
#if PROBE_XH_SRV_RST_IN
H2_SRV_RST_IN(xh, XH)
#endif
#if PROBE_XH_CLI_HDR_OUT
H2_CLI_HDR_OUT(xh, XH)
#endif
#if PROBE_XH_CLI_HDR_IN
H2_CLI_HDR_IN(xh, XH)
#endif
#if PROBE_XH_CLI_DATA_IN
H2_CLI_DATA_IN(xh, XH)
#endif
#if PROBE_XH_CLI_RST_IN
H2_CLI_RST_IN(xh, XH)
#endif
#if PROBE_XH_DATA_OUT
H2_DATA_OUT(xh, XH)
#endif
#if PROBE_XH_RST_OUT
H2_RST_OUT(xh, XH)
#endif
#if PROBE_XH_FIELD_OUT
H2_FIELD_OUT(xh, XH)
#endif
#if PROBE_XH_SRV_CONN_CLOSE
H2_SRV_CONN_CLOSE(xh, XH)
#endif
#if PROBE_XH_CLI_CONN_CLOSE
H2_CLI_CONN_CLOSE(xh, XH)
#endif
