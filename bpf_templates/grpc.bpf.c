/* grpc.bpf.c - uprobes on grpc-go's own HTTP/2 transport (bcc C dialect):
 * header blocks both ways, messages sent, DATA frames received, stream
 * resets. The helpers are in common.bpf.h. */
#include "common.bpf.h"

/* grpc-go's hpack.HeaderField (golang.org/x/net's). */
#define GRPC_FIELDS ((struct field_layout){FIELD_SIZE, FIELD_NAME, FIELD_VALUE})

/* Connections whose addresses and TLS went to user space (struct
 * proc_key): their later header blocks skip those reads. Kept for a side
 * only when its close probe runs, which drops the key, so that a new
 * connection at a reused address reads them again; an evicted key only
 * costs a read again. */
#define ADDRS_CACHE (PROBE_SRV_CONN_CLOSE || PROBE_CLI_CONN_CLOSE)
#define ADDRS_CACHED(side)                                                     \
	((side) == SIDE_SERVER ? PROBE_SRV_CONN_CLOSE : (side) == SIDE_CLIENT ? PROBE_CLI_CONN_CLOSE : 0)
#if ADDRS_CACHE
BPF_TABLE("lru_hash", struct proc_key, u8, addrs_sent, ADDRS_SENT_MAX);
#endif

/* Whether user space already has conn's addresses and TLS. */
static __always_inline int addrs_known(u8 side, u64 conn)
{
#if ADDRS_CACHE
	struct proc_key k = proc_key_of(conn);

	if (!ADDRS_CACHED(side) || !conn)
		return 0;
	MAP_OP();
	return addrs_sent.lookup(&k) != 0;
#else
	return 0;
#endif
}

static __always_inline void addrs_mark_sent(u8 side, u64 conn)
{
#if ADDRS_CACHE
	struct proc_key k = proc_key_of(conn);
	u8 one = 1;

	if (ADDRS_CACHED(side) && conn) {
		MAP_OP();
		addrs_sent.update(&k, &one);
	}
#endif
}

static __always_inline void addrs_forget(u64 conn)
{
#if ADDRS_CACHE
	struct proc_key k = proc_key_of(conn);

	MAP_OP();
	addrs_sent.delete(&k);
#endif
}

/* The connection key: the data word of a net.Conn interface at addr. The
 * same *tls.Conn or *net.TCPConn is reached from every probe. */
static __always_inline u64 read_conn(u64 addr, u32 *flags)
{
	struct iface c = {};

	if (read_user(&c, sizeof(c), addr))
		return 0;
#if HAS_ITAB_TLS
	if (c.tab == ITAB_TLS)
		*flags |= EVF_TLS;
#endif
#if HAS_ITAB_TLS_WRAP
	if (c.tab == ITAB_TLS_WRAP)
		*flags |= EVF_TLS;
#endif
	return c.data;
}

#if HAS_ITAB_TLS || HAS_ITAB_TLS_WRAP
/* Whether the itab at tab has the concrete type of the static itab at
 * want: both start {interface type, concrete type}. */
static __always_inline int same_concrete(u64 tab, u64 want)
{
	u64 a = 0, b = 0;

	return read_user(&a, sizeof(a), tab + 8) == 0 && read_user(&b, sizeof(b), want + 8) == 0 &&
	       a && a == b;
}
#endif

/* The same key from grpc's bufWriter.conn, which holds the connection as
 * an io.Writer: that itab is made at run time, at no address known
 * before, so its concrete type tells TLS. Only the probes that reach the
 * connection through the writer (headers and resets sent) pay the reads. */
static __always_inline u64 read_writer_conn(u64 addr, u32 *flags, u8 side)
{
	struct iface c = {};

	if (read_user(&c, sizeof(c), addr))
		return 0;
	if (addrs_known(side, c.data))
		return c.data; /* its TLS too */
#if HAS_ITAB_TLS
	if (c.tab && same_concrete(c.tab, ITAB_TLS))
		*flags |= EVF_TLS;
#endif
#if HAS_ITAB_TLS_WRAP
	if (c.tab && !(*flags & EVF_TLS) && same_concrete(c.tab, ITAB_TLS_WRAP))
		*flags |= EVF_TLS;
#endif
	return c.data;
}

#if PROBE_SRV_HDR_IN || PROBE_CLI_HDR_IN
/* operateHeaders(t, frame *MetaHeadersFrame): a header block received. */
static __always_inline int headers_in(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 frame, u64 conn_off,
				      long raddr_off, long laddr_off)
{
	struct ev_headers *e = new_headers(probe, side, DIR_IN);
	struct go_slice fields = {};
	int sent, read;

	if (!e)
		return 0;
	/* The fields before the connection: the verifier then walks their
	 * loop on fewer paths. */
	read = read_meta_headers(e, frame, MHF_HF, MHF_FIELDS,
#if HAS_MHF_TRUNC
				 MHF_TRUNC,
#else
				 -1,
#endif
				 HF_SID, HF_FLAGS, &fields) == 0;
	if (read)
		copy_fields(e, fields.ptr, fields.len, GRPC_FIELDS, 0);
	else
		e->c.flags |= EVF_READ_ERROR;
	e->c.conn = read_conn(t + conn_off, &e->c.flags);
#if WANT_DATA_PARSER
	if (read && side == SIDE_SERVER)
		forget_parse(e->c.conn, e->c.stream_id, DIR_IN);
#endif
	/* remoteAddr, localAddr: net.Addrs the transport took from its
	 * net.Conn when the connection was made, whatever wraps it; read
	 * once per connection. */
	if (addrs_known(side, e->c.conn)) {
		emit_headers(ctx, e);
		return 0;
	}
	addr_reset();
	if (raddr_off >= 0)
		read_addr_into(t + raddr_off, &e->c.flags, e->peer_ip, &e->peer_ip_len, &e->peer_port, 0);
	if (laddr_off >= 0)
		read_addr_into(t + laddr_off, &e->c.flags, e->local_ip, &e->local_ip_len,
			       &e->local_port, 1);
	sent = emit_addr(ctx, &e->c) == 0;
	sent = emit_headers(ctx, e) == 0 && sent;
	if (sent && raddr_off >= 0 && laddr_off >= 0 &&
	    !(e->c.flags & (EVF_PEER_UNKNOWN | EVF_LOCAL_UNKNOWN | EVF_READ_ERROR)))
		addrs_mark_sent(side, e->c.conn);
	return 0;
}
#endif

#if PROBE_SRV_HDR_IN
int probe_srv_hdr_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, SRV_HDR_IN);
	return headers_in(ctx, SRV_HDR_IN_IDX, SIDE_SERVER, ARG(ctx, SHI_T), ARG(ctx, SHI_FRAME), SRV_CONN,
#if HAS_SRV_RADDR
			  SRV_RADDR,
#else
			  -1,
#endif
#if HAS_SRV_LADDR
			  SRV_LADDR
#else
			  -1
#endif
	);
}
#endif

#if PROBE_CLI_HDR_IN
int probe_cli_hdr_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, CLI_HDR_IN);
	return headers_in(ctx, CLI_HDR_IN_IDX, SIDE_CLIENT, ARG(ctx, CHI_T), ARG(ctx, CHI_FRAME), CLI_CONN,
#if HAS_CLI_RADDR
			  CLI_RADDR,
#else
			  -1,
#endif
#if HAS_CLI_LADDR
			  CLI_LADDR
#else
			  -1
#endif
	);
}
#endif

#if PROBE_HDR_OUT
/* (*loopyWriter).writeHeader(l, streamID, endStream, hf, onWrite): every
 * header block either side sends. The connection is l.framer.writer.conn. */
int probe_hdr_out(struct pt_regs *ctx)
{
	struct ev_headers *e;
	u64 l, side = 0, framer = 0, writer = 0;

	PROBE_ENTER(ctx, HDR_OUT);
	l = ARG(ctx, HO_L);
#if LW_SIDE + LW_SIDE_SIZE <= STRUCT_READ && LW_FRAMER + 8 <= STRUCT_READ
	{
		/* side and framer in one read */
		u8 lw[STRUCT_READ] = {};

		if (read_user(lw, furthest(LW_SIDE + LW_SIDE_SIZE, LW_FRAMER + 8), l))
			return 0;
		__builtin_memcpy(&side, lw + LW_SIDE, LW_SIDE_SIZE);
		__builtin_memcpy(&framer, lw + LW_FRAMER, sizeof(framer));
	}
#else
	if (read_user(&side, LW_SIDE_SIZE, l + LW_SIDE) ||
	    read_user(&framer, sizeof(framer), l + LW_FRAMER))
		return 0;
#endif
	e = new_headers(HDR_OUT_IDX, side ? SIDE_SERVER : SIDE_CLIENT, DIR_OUT);
	if (!e)
		return 0;
	/* The fields first: the verifier then walks their loop on one path,
	 * not once per way the connection's reads below may go. */
	copy_fields(e, ARG(ctx, HO_HF_PTR), ARG(ctx, HO_HF_LEN), GRPC_FIELDS, 0);
	e->c.stream_id = ARG(ctx, HO_SID);
	if (ARG(ctx, HO_END))
		e->c.flags |= EVF_END_STREAM;
	if (read_user(&writer, sizeof(writer), framer + FRAMER_WRITER))
		e->c.flags |= EVF_READ_ERROR;
	else
		e->c.conn = read_writer_conn(writer + BW_CONN, &e->c.flags,
					     side ? SIDE_SERVER : SIDE_CLIENT);
#if WANT_DATA_PARSER
	/* A client's only header block opens its stream. */
	if (!side && e->c.conn)
		forget_parse(e->c.conn, e->c.stream_id, DIR_IN);
#endif
	emit_headers(ctx, e);
	return 0;
}
#endif

/* ---- messages sent ---- */

#if PROBE_CLI_MSG_OUT || PROBE_SRV_MSG_OUT
struct msg_work {
	struct ev_msg ev;
	char room[PAYLOAD_ROOM_BYTES]; /* ev.payload[] */
};
PAYLOAD_SCRATCH(msg_scratch, struct msg_work);

/* The bytes of one buffer of a sent message: data is a []byte (before
 * grpc-go 1.66) or a mem.BufferSlice, a slice of Buffers; element i's. */
static __always_inline int message_piece(u64 dptr, u64 dlen, int is_slice, u32 i, u64 *src,
					 u64 *len)
{
	struct iface b = {};
	struct go_slice d = {};

	if (is_slice) {
		*src = dptr;
		*len = dlen;
		return i == 0 ? 0 : -1;
	}
	if (i >= dlen || read_user(&b, sizeof(b), dptr + (u64)i * sizeof(b)))
		return -1;
#if HAS_ITAB_SLICEBUF
	if (b.tab == ITAB_SLICEBUF && read_user(&d, sizeof(d), b.data) == 0) {
		*src = d.ptr;
		*len = d.len;
		return 0;
	}
#endif
#if HAS_ITAB_MEMBUF && HAS_MEMBUF_DATA
	if (b.tab == ITAB_MEMBUF && read_user(&d, sizeof(d), b.data + MEMBUF_DATA) == 0) {
		*src = d.ptr;
		*len = d.len;
		return 0;
	}
#endif
	return -1;
}

#if PAYLOAD_BYTES
/* A compressed message comes as several buffers (gzip's header is one of
 * its own): the first few are copied, one after the other. */
#define MSG_PIECES 8

/* Append len bytes at src to the message's copy, up to PAYLOAD_BYTES. */
static __always_inline void copy_sent_piece(struct ev_msg *e, u64 src, u64 len)
{
	u32 off = e->payload_len, n;

	if (off >= PAYLOAD_BYTES || len == 0)
		return;
	n = len < PAYLOAD_BYTES - off ? len : PAYLOAD_BYTES - off;
	OPAQUE(n);
	n &= PAYLOAD_MASK;
	if (n > PAYLOAD_MAX || n == 0)
		return;
	off &= PAYLOAD_MAX - 1;
	if (bpf_probe_read_user(e->payload + off, n, (void *)src) == 0) {
		e->payload_len += n;
	} else {
		count(CNT_READ_ERRORS);
		e->c.flags |= EVF_PAYLOAD_LOST;
	}
}
#endif

/* (*http2Client|Server).Write/write(t, s, hdr, data, opts): one message;
 * hdr is gRPC's 5-byte prefix: compressed flag, then big-endian length. */
static __always_inline int msg_out(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 s, u64 hdr, u64 hdr_len,
				   u64 conn_off, u64 sid_off, u64 dptr, u64 dlen, int is_slice)
{
	u32 slot = PAYLOAD_SLOT();
	struct msg_work *w;
	struct ev_msg *e;
	u8 prefix[5] = {};

	/* An empty write is the client's half-close, not a message. */
	if (hdr_len == 0)
		return 0;
	w = msg_scratch.lookup(&slot);
	if (!w)
		return 0;
	e = &w->ev;
	fill_common(&e->c, EV_MSG_OUT, probe, side, DIR_OUT);
	e->c.flags = 0;
	e->len = 0;
	e->compressed = 0;
	e->payload_len = 0;
	e->c.conn = read_conn(t + conn_off, &e->c.flags);
	if (read_user(&e->c.stream_id, sizeof(u32), s + sid_off))
		e->c.flags |= EVF_READ_ERROR;
	if (hdr_len < 5 || read_user(prefix, 5, hdr)) {
		e->c.flags |= EVF_READ_ERROR;
	} else {
		e->compressed = prefix[0];
		e->len = ((u32)prefix[1] << 24) | ((u32)prefix[2] << 16) | ((u32)prefix[3] << 8) |
			 prefix[4];
	}
#if PAYLOAD_BYTES
#pragma clang loop unroll(full)
	for (u32 i = 0; i < MSG_PIECES; i++) {
		u64 src = 0, avail = 0;

		if (e->payload_len >= PAYLOAD_BYTES ||
		    message_piece(dptr, dlen, is_slice, i, &src, &avail) != 0)
			break;
		copy_sent_piece(e, src, avail);
	}
#endif
	emit(ctx, e, offsetof(struct ev_msg, payload) + PAYLOAD_SENT(e->payload_len));
	return 0;
}
#endif

/* The data argument of a msg_out probe, when --payload asks for it. */
#if PAYLOAD_BYTES && HAS_CMO_DATA_PTR && HAS_CMO_DATA_LEN
#define CMO_DATA(ctx) ARG(ctx, CMO_DATA_PTR), ARG(ctx, CMO_DATA_LEN), HAS_CMO_DATA_BYTES
#else
#define CMO_DATA(ctx) 0, 0, 1
#endif
#if PAYLOAD_BYTES && HAS_SMO_DATA_PTR && HAS_SMO_DATA_LEN
#define SMO_DATA(ctx) ARG(ctx, SMO_DATA_PTR), ARG(ctx, SMO_DATA_LEN), HAS_SMO_DATA_BYTES
#else
#define SMO_DATA(ctx) 0, 0, 1
#endif

#if PROBE_CLI_MSG_OUT
int probe_cli_msg_out(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, CLI_MSG_OUT);
	return msg_out(ctx, CLI_MSG_OUT_IDX, SIDE_CLIENT, ARG(ctx, CMO_T), ARG(ctx, CMO_S),
		       ARG(ctx, CMO_HDR_PTR), ARG(ctx, CMO_HDR_LEN), CLI_CONN, CMO_SID, CMO_DATA(ctx));
}
#endif

#if PROBE_SRV_MSG_OUT
int probe_srv_msg_out(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, SRV_MSG_OUT);
	return msg_out(ctx, SRV_MSG_OUT_IDX, SIDE_SERVER, ARG(ctx, SMO_T), ARG(ctx, SMO_S),
		       ARG(ctx, SMO_HDR_PTR), ARG(ctx, SMO_HDR_LEN), SRV_CONN, SMO_SID, SMO_DATA(ctx));
}
#endif

/* ---- DATA frames received ---- */

#if PROBE_CLI_DATA_IN || PROBE_SRV_DATA_IN || PROBE_CLI_PDATA_IN || PROBE_SRV_PDATA_IN
/* A DATA frame of grpc-go's transport: always gRPC messages. */
static __always_inline int grpc_data_in(struct pt_regs *ctx, u8 probe, u8 side, u64 conn_addr,
					u32 sid, u8 fflags, u64 data, u64 len, u32 flags)
{
	u64 conn = read_conn(conn_addr, &flags);

	return data_frame(ctx, probe, side, DIR_IN, conn, flags, sid, fflags, data, len, 1);
}
#endif

#if PROBE_CLI_DATA_IN || PROBE_SRV_DATA_IN || PROBE_CLI_PDATA_IN || PROBE_SRV_PDATA_IN
/* A received frame's stream ID, flags and its 16-byte data word (a slice's
 * pointer and length, or an interface) at offsets sid_off, flags_off and
 * data_off of f: one read when they lie close, else three. */
static __always_inline int read_frame_words(u64 f, u64 sid_off, u64 flags_off, u64 data_off,
					    u32 *sid, u8 *fflags, void *data)
{
	u64 span = furthest(furthest(sid_off + 4, flags_off + 1), data_off + 16);
	u8 raw[STRUCT_READ] = {};

	if (span > STRUCT_READ)
		return read_user(sid, sizeof(*sid), f + sid_off) || read_user(fflags, 1, f + flags_off) ||
		       read_user(data, 16, f + data_off);
	if (read_user(raw, span, f))
		return -1;
	__builtin_memcpy(sid, raw + sid_off, sizeof(*sid));
	*fflags = raw[flags_off];
	__builtin_memcpy(data, raw + data_off, 16);
	return 0;
}
#endif

#if PROBE_CLI_DATA_IN || PROBE_SRV_DATA_IN
/* handleData(t, f *http2.DataFrame) */
static __always_inline int data_frame_in(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 f, u64 conn_off)
{
	struct go_slice d = {};
	u32 sid = 0;
	u8 fflags = 0;

	if (read_frame_words(f, DF_SID, DF_FLAGS, DF_DATA, &sid, &fflags, &d))
		return 0;
	return grpc_data_in(ctx, probe, side, t + conn_off, sid, fflags, d.ptr, d.len, 0);
}
#endif

#if PROBE_CLI_DATA_IN
int probe_cli_data_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, CLI_DATA_IN);
	return data_frame_in(ctx, CLI_DATA_IN_IDX, SIDE_CLIENT, ARG(ctx, CDI_T), ARG(ctx, CDI_F), CLI_CONN);
}
#endif

#if PROBE_SRV_DATA_IN
int probe_srv_data_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, SRV_DATA_IN);
	return data_frame_in(ctx, SRV_DATA_IN_IDX, SIDE_SERVER, ARG(ctx, SDI_T), ARG(ctx, SDI_F), SRV_CONN);
}
#endif

#if PROBE_CLI_PDATA_IN || PROBE_SRV_PDATA_IN
/* handleData(t, f *parsedDataFrame): data is a mem.Buffer interface, a
 * SliceBuffer (boxed slice) or a *mem.buffer holding a slice. */
static __always_inline int pdata_frame_in(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 f, u64 conn_off)
{
	struct iface buf = {};
	struct go_slice d = {};
	u32 sid = 0;
	u8 fflags = 0;
	int known = 0;
	u32 flags = 0;

	if (read_frame_words(f, PDF_SID, PDF_FLAGS, PDF_DATA, &sid, &fflags, &buf))
		return 0;
#if HAS_ITAB_SLICEBUF
	if (buf.tab == ITAB_SLICEBUF) {
		if (read_user(&d, sizeof(d), buf.data))
			return 0;
		known = 1;
	}
#endif
#if HAS_ITAB_MEMBUF && HAS_MEMBUF_DATA
	if (buf.tab == ITAB_MEMBUF) {
		if (read_user(&d, sizeof(d), buf.data + MEMBUF_DATA))
			return 0;
		known = 1;
	}
#endif
	if (!known && buf.tab) {
		count(CNT_FOREIGN); /* a buffer kind we cannot read: sizes unknown */
		flags = EVF_UNREADABLE;
	}
	return grpc_data_in(ctx, probe, side, t + conn_off, sid, fflags, d.ptr, d.len, flags);
}
#endif

#if PROBE_CLI_PDATA_IN
int probe_cli_pdata_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, CLI_PDATA_IN);
	return pdata_frame_in(ctx, CLI_PDATA_IN_IDX, SIDE_CLIENT, ARG(ctx, CPI_T), ARG(ctx, CPI_F), CLI_CONN);
}
#endif

#if PROBE_SRV_PDATA_IN
int probe_srv_pdata_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, SRV_PDATA_IN);
	return pdata_frame_in(ctx, SRV_PDATA_IN_IDX, SIDE_SERVER, ARG(ctx, SPI_T), ARG(ctx, SPI_F), SRV_CONN);
}
#endif

/* ---- stream resets ---- */

#if PROBE_CLI_RST_IN || PROBE_SRV_RST_IN
/* handleRSTStream(t, f *http2.RSTStreamFrame) */
static __always_inline int rst_in(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 f, u64 conn_off)
{
	struct ev_rst e = {};

	fill_common(&e.c, EV_RST, probe, side, DIR_IN);
	e.c.conn = read_conn(t + conn_off, &e.c.flags);
	if (read_user(&e.c.stream_id, sizeof(u32), f + RSF_SID) ||
	    read_user(&e.code, sizeof(u32), f + RSF_CODE))
		e.c.flags |= EVF_READ_ERROR;
	emit(ctx, &e, sizeof(e));
	return 0;
}
#endif

#if PROBE_CLI_RST_IN
int probe_cli_rst_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, CLI_RST_IN);
	return rst_in(ctx, CLI_RST_IN_IDX, SIDE_CLIENT, ARG(ctx, CRI_T), ARG(ctx, CRI_F), CLI_CONN);
}
#endif

#if PROBE_SRV_RST_IN
int probe_srv_rst_in(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, SRV_RST_IN);
	return rst_in(ctx, SRV_RST_IN_IDX, SIDE_SERVER, ARG(ctx, SRI_T), ARG(ctx, SRI_F), SRV_CONN);
}
#endif

#if PROBE_RST_OUT
/* x/net's (*Framer).WriteRSTStream(f, streamID, code): only frames written
 * through grpc's bufWriter belong to a grpc connection. */
int probe_rst_out(struct pt_regs *ctx)
{
	struct ev_rst e = {};
	struct iface w = {};

	PROBE_ENTER(ctx, RST_OUT);
	if (read_user(&w, sizeof(w), ARG(ctx, RO_F) + FRAMER_W))
		return 0;
	if (w.tab != ITAB_BUFWRITER) {
		count(CNT_FOREIGN);
		return 0;
	}
	fill_common(&e.c, EV_RST, RST_OUT_IDX, SIDE_UNKNOWN, DIR_OUT);
	e.c.conn = read_writer_conn(w.data + BW_CONN, &e.c.flags, SIDE_UNKNOWN);
	e.c.stream_id = ARG(ctx, RO_SID);
	e.code = ARG(ctx, RO_CODE);
	emit(ctx, &e, sizeof(e));
	return 0;
}
#endif

/* ---- connections closed ---- */

#if PROBE_CLI_CONN_CLOSE || PROBE_SRV_CONN_CLOSE
/* (*http2Client|Server).Close(t, ...): the transport is closing; its
 * streams end with it. Called again on a closed transport: user space
 * then finds nothing open. */
static __always_inline int conn_close(struct pt_regs *ctx, u8 probe, u8 side, u64 conn_addr)
{
	struct ev_close e = {};

	fill_common(&e.c, EV_CONN_CLOSE, probe, side, DIR_IN);
	e.c.conn = read_conn(conn_addr, &e.c.flags);
	if (e.c.conn) {
		addrs_forget(e.c.conn);
		emit(ctx, &e, sizeof(e));
	}
	return 0;
}
#endif

#if PROBE_CLI_CONN_CLOSE
int probe_cli_conn_close(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, CLI_CONN_CLOSE);
	return conn_close(ctx, CLI_CONN_CLOSE_IDX, SIDE_CLIENT, ARG(ctx, CCC_T) + CLI_CONN);
}
#endif

#if PROBE_SRV_CONN_CLOSE
int probe_srv_conn_close(struct pt_regs *ctx)
{
	PROBE_ENTER(ctx, SRV_CONN_CLOSE);
	return conn_close(ctx, SRV_CONN_CLOSE_IDX, SIDE_SERVER, ARG(ctx, SCC_T) + SRV_CONN);
}
#endif
