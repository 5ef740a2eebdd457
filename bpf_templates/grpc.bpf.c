/* grpc.bpf.c - uprobes on grpc-go's HTTP/2 transport (bcc C dialect).
 *
 * gogrpctrace renders this template for one binary: it puts a block of
 * numeric #defines in front (PROBE_*, argument locations, member offsets,
 * itab addresses, limits) and nothing else. Every function below reads only
 * what its probe's defines describe; a probe whose needs were not met is
 * compiled out (PROBE_x 0), never run with a guessed offset.
 *
 * Probes sit on the prologue's stack-check jump where there is one. When
 * that jump is taken (CF or ZF set) the function grows its stack and starts
 * again, so the hit is skipped: it will be seen once more.
 */
#include <uapi/linux/ptrace.h>
#include "gogrpctrace_events.h"

#define X86_FLAGS_CF 0x1
#define X86_FLAGS_ZF 0x40

#define LOC_REG 1
#define LOC_STACK 2

/* Events go through a ring buffer, or a per-CPU perf buffer on kernels
 * without one (before 5.8). */
#if USE_PERF_BUFFER
BPF_PERF_OUTPUT(events);
#else
BPF_RINGBUF_OUTPUT(events, RINGBUF_PAGES);
#endif
BPF_PERCPU_ARRAY(counters, u64, CNT_NUM);
BPF_PERCPU_ARRAY(hdr_scratch, struct ev_headers, 1);

struct iface {
	u64 tab;
	u64 data;
};

struct go_slice {
	u64 ptr;
	u64 len;
};

static __always_inline void count(u32 slot)
{
	u64 *v = counters.lookup(&slot);

	if (v)
		(*v)++;
}

/* A register by its DWARF number; reg is a constant, so this folds. */
static __always_inline u64 read_reg(struct pt_regs *ctx, int reg)
{
	switch (reg) {
	case 0: return ctx->ax;
	case 1: return ctx->dx;
	case 2: return ctx->cx;
	case 3: return ctx->bx;
	case 4: return ctx->si;
	case 5: return ctx->di;
	case 6: return ctx->bp;
	case 7: return ctx->sp;
	case 8: return ctx->r8;
	case 9: return ctx->r9;
	case 10: return ctx->r10;
	case 11: return ctx->r11;
	case 12: return ctx->r12;
	case 13: return ctx->r13;
	case 14: return ctx->r14;
	case 15: return ctx->r15;
	}
	return 0;
}

/* One word of an argument, masked to its size: Go leaves the upper bytes
 * of a register holding a bool or uint32 undefined. */
static __always_inline u64 arg_word(struct pt_regs *ctx, int kind, int reg, long off, int size)
{
	u64 v = 0;

	if (kind == LOC_REG)
		v = read_reg(ctx, reg);
	else if (bpf_probe_read_user(&v, sizeof(v), (void *)(ctx->sp + off)) != 0)
		count(CNT_READ_ERRORS);
	if (size < 8)
		v &= (1ULL << (size * 8)) - 1;
	return v;
}

#define ARG(ctx, P) arg_word(ctx, P##_KIND, P##_REG, P##_OFF, P##_SIZE)

/* Enter a probe: count the hit, skip it if the stack check will restart
 * the function. BENCH_EMPTY (make bench only) stops there, to measure
 * the cost of the trap itself. */
#define PROBE_ENTER(ctx, P)                                                  \
	do {                                                                 \
		count(CNT_HITS + P##_IDX);                                   \
		if (P##_AT_JBE && ((ctx)->flags & (X86_FLAGS_CF | X86_FLAGS_ZF))) { \
			count(CNT_RESTARTS);                                 \
			return 0;                                            \
		}                                                            \
		if (BENCH_EMPTY)                                             \
			return 0;                                            \
	} while (0)

/* Hide a value from the optimizer, so that a mask applied after it stays
 * in the program for the verifier to see. */
#define OPAQUE(v) asm volatile("" : "=r"(v) : "0"(v))

static __always_inline int read_user(void *dst, u32 size, u64 src)
{
	if (bpf_probe_read_user(dst, size, (void *)src) == 0)
		return 0;
	count(CNT_READ_ERRORS);
	return -1;
}

static __always_inline void fill_common(struct ev_common *c, u8 kind, u8 probe, u8 side, u8 dir)
{
	u64 id = bpf_get_current_pid_tgid();

	c->ts_ns = bpf_ktime_get_ns();
	c->pid = id >> 32;
	c->tid = (u32)id;
	c->kind = kind;
	c->probe = probe;
	c->side = side;
	c->dir = dir;
}

static __always_inline void emit(struct pt_regs *ctx, void *ev, u32 size)
{
#if USE_PERF_BUFFER
	if (events.perf_submit(ctx, ev, size) == 0)
#else
	if (events.ringbuf_output(ev, size, BPF_RB_NO_WAKEUP) == 0)
#endif
		count(CNT_EMITTED);
	else
		count(CNT_LOST);
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

/* ---- header blocks ---- */

#if PROBE_SRV_HDR_IN || PROBE_CLI_HDR_IN || PROBE_HDR_OUT
/* The bytes of a HeaderField holding both string headers. */
#define FIELD_READ ((FIELD_NAME > FIELD_VALUE ? FIELD_NAME : FIELD_VALUE) + 16)
#if FIELD_READ > 64
#error "hpack.HeaderField is larger than this template reads in one go"
#endif

/* Copy the fields of a []hpack.HeaderField into e->buf.
 *
 * The running offset lives in e (map memory), not in a register: the
 * verifier then sees every iteration start alike and prunes, where a
 * register offset would make it walk every path of all iterations. */
static __always_inline void copy_fields(struct ev_headers *e, u64 fields, u64 nfields)
{
	int i;

	e->nfields = nfields > 0xffff ? 0xffff : nfields;
	for (i = 0; i < HDR_MAX_FIELDS; i++) {
		u8 raw[FIELD_READ] = {};
		struct go_slice name = {}, value = {};
		struct hdr_entry *he;
		u32 off, nlen, vlen;
		u64 f = fields + (u64)i * FIELD_SIZE;

		if (i >= nfields)
			break;
		/* One read per field: both string headers at once. */
		if (read_user(raw, sizeof(raw), f)) {
			e->c.flags |= EVF_READ_ERROR;
			break;
		}
		__builtin_memcpy(&name, raw + FIELD_NAME, sizeof(name));
		__builtin_memcpy(&value, raw + FIELD_VALUE, sizeof(value));
		nlen = name.len > HDR_NAME_MASK ? HDR_NAME_MASK : name.len;
		vlen = value.len > HDR_VALUE_MASK ? HDR_VALUE_MASK : value.len;
		off = e->buf_len;
		if (off + sizeof(*he) + nlen + vlen > HDR_BUF_SIZE) {
			e->c.flags |= EVF_TRUNC_FIELDS;
			break;
		}
		if (nlen < name.len || vlen < value.len)
			e->c.flags |= EVF_TRUNC_BUF;
		he = (struct hdr_entry *)&e->buf[off & (HDR_BUF_SIZE - 1)];
		he->name_total = name.len > 0xffff ? 0xffff : name.len;
		he->value_total = value.len > 0xffffffff ? 0xffffffff : value.len;
		he->name_len = nlen;
		he->value_len = vlen;
		he->pad = 0;
		if (bpf_probe_read_user(&e->buf[(off + sizeof(*he)) & (HDR_BUF_SIZE - 1)],
					nlen & HDR_NAME_MASK, (void *)name.ptr) != 0 ||
		    bpf_probe_read_user(&e->buf[(off + sizeof(*he) + nlen) & (HDR_BUF_SIZE - 1)],
					vlen & HDR_VALUE_MASK, (void *)value.ptr) != 0) {
			count(CNT_READ_ERRORS);
			e->c.flags |= EVF_READ_ERROR;
		}
		e->buf_len = off + sizeof(*he) + nlen + vlen;
		e->ncopied = i + 1;
	}
	if (e->ncopied < nfields)
		e->c.flags |= EVF_TRUNC_FIELDS;
}

static __always_inline void emit_headers(struct pt_regs *ctx, struct ev_headers *e)
{
	u32 len = e->buf_len;

	if (e->c.flags & (EVF_TRUNC_FIELDS | EVF_TRUNC_BUF))
		count(CNT_TRUNC_HEADERS);
	emit(ctx, e, offsetof(struct ev_headers, buf) + (len & (2 * HDR_BUF_SIZE - 1)));
}

static __always_inline struct ev_headers *new_headers(u8 probe, u8 side, u8 dir)
{
	u32 zero = 0;
	struct ev_headers *e = hdr_scratch.lookup(&zero);

	if (!e)
		return 0;
	fill_common(&e->c, EV_HEADERS, probe, side, dir);
	e->c.conn = 0;
	e->c.stream_id = 0;
	e->c.flags = 0;
	e->nfields = e->ncopied = e->buf_len = 0;
	e->peer_ip_len = e->local_ip_len = 0;
	e->peer_port = e->local_port = 0;
	return e;
}
#endif

#if PROBE_SRV_HDR_IN || PROBE_CLI_HDR_IN
#if HAS_TCPADDR_IP && HAS_TCPADDR_PORT
#define TCPADDR_READ ((TCPADDR_IP > TCPADDR_PORT ? TCPADDR_IP : TCPADDR_PORT) + 16)
#if TCPADDR_READ > 64
#error "net.TCPAddr is larger than this template reads in one go"
#endif
#endif

/* A net.Addr holding a *net.TCPAddr: its IP bytes and port. */
static __always_inline int read_tcpaddr(u64 addr, u8 *ip, u8 *ip_len, u16 *port)
{
#if HAS_ITAB_TCPADDR && HAS_TCPADDR_IP && HAS_TCPADDR_PORT
	struct iface a = {};
	u8 raw[TCPADDR_READ] = {};
	struct go_slice s = {};
	s64 p = 0;

	if (read_user(&a, sizeof(a), addr) || a.tab != ITAB_TCPADDR || !a.data)
		return 0;
	/* IP (a slice) and Port in one read of the struct. */
	if (read_user(raw, sizeof(raw), a.data))
		return 0;
	__builtin_memcpy(&s, raw + TCPADDR_IP, sizeof(s));
	__builtin_memcpy(&p, raw + TCPADDR_PORT, sizeof(p));
	if (s.len == 4) {
		if (read_user(ip, 4, s.ptr))
			return 0;
	} else if (s.len == 16) {
		if (read_user(ip, 16, s.ptr))
			return 0;
	} else {
		return 0;
	}
	*ip_len = s.len;
	*port = p;
	return 1;
#else
	return 0;
#endif
}

/* operateHeaders(t, frame *MetaHeadersFrame): a header block received. */
static __always_inline int headers_in(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 frame, u64 conn_off,
				      long raddr_off, long laddr_off)
{
	struct ev_headers *e = new_headers(probe, side, DIR_IN);
	struct go_slice fields = {};
	u64 hf = 0;
	u8 flags = 0;

	if (!e)
		return 0;
	e->c.conn = read_conn(t + conn_off, &e->c.flags);
	if (read_user(&hf, sizeof(hf), frame + MHF_HF) ||
	    read_user(&e->c.stream_id, sizeof(u32), hf + HF_SID) ||
	    read_user(&flags, 1, hf + HF_FLAGS) ||
	    read_user(&fields, sizeof(fields), frame + MHF_FIELDS)) {
		e->c.flags |= EVF_READ_ERROR;
	} else {
		if (flags & 0x1) /* END_STREAM */
			e->c.flags |= EVF_END_STREAM;
		copy_fields(e, fields.ptr, fields.len);
	}
#if HAS_MHF_TRUNC
	{
		u8 trunc = 0;

		if (read_user(&trunc, 1, frame + MHF_TRUNC) == 0 && trunc)
			e->c.flags |= EVF_HPACK_TRUNC;
	}
#endif
	if (raddr_off >= 0 && read_tcpaddr(t + raddr_off, e->peer_ip, &e->peer_ip_len, &e->peer_port))
		e->c.flags |= EVF_PEER;
	if (laddr_off >= 0 &&
	    read_tcpaddr(t + laddr_off, e->local_ip, &e->local_ip_len, &e->local_port))
		e->c.flags |= EVF_LOCAL;
	emit_headers(ctx, e);
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
	if (read_user(&side, LW_SIDE_SIZE, l + LW_SIDE))
		return 0;
	e = new_headers(HDR_OUT_IDX, side ? SIDE_SERVER : SIDE_CLIENT, DIR_OUT);
	if (!e)
		return 0;
	e->c.stream_id = ARG(ctx, HO_SID);
	if (ARG(ctx, HO_END))
		e->c.flags |= EVF_END_STREAM;
	if (read_user(&framer, sizeof(framer), l + LW_FRAMER) ||
	    read_user(&writer, sizeof(writer), framer + FRAMER_WRITER))
		e->c.flags |= EVF_READ_ERROR;
	else
		e->c.conn = read_conn(writer + BW_CONN, &e->c.flags);
	copy_fields(e, ARG(ctx, HO_HF_PTR), ARG(ctx, HO_HF_LEN));
	emit_headers(ctx, e);
	return 0;
}
#endif

/* ---- messages sent ---- */

#if PROBE_CLI_MSG_OUT || PROBE_SRV_MSG_OUT
BPF_PERCPU_ARRAY(msg_scratch, struct ev_msg, 1);

/* Where a sent message's bytes are: data is a []byte (before grpc-go 1.66)
 * or a mem.BufferSlice, whose first buffer holds the message start. */
static __always_inline int message_bytes(u64 dptr, u64 dlen, int is_slice, u64 *src, u64 *len)
{
	struct iface b = {};
	struct go_slice d = {};

	if (is_slice) {
		*src = dptr;
		*len = dlen;
		return 0;
	}
	if (dlen == 0 || read_user(&b, sizeof(b), dptr))
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

/* (*http2Client|Server).Write/write(t, s, hdr, data, opts): one message;
 * hdr is gRPC's 5-byte prefix: compressed flag, then big-endian length. */
static __always_inline int msg_out(struct pt_regs *ctx, u8 probe, u8 side, u64 t, u64 s, u64 hdr, u64 hdr_len,
				   u64 conn_off, u64 sid_off, u64 dptr, u64 dlen, int is_slice)
{
	u32 zero = 0;
	struct ev_msg *e;
	u8 prefix[5] = {};

	/* An empty write is the client's half-close, not a message. */
	if (hdr_len == 0)
		return 0;
	e = msg_scratch.lookup(&zero);
	if (!e)
		return 0;
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
	{
		u64 src = 0, avail = 0;
		u32 n;

		if (message_bytes(dptr, dlen, is_slice, &src, &avail) == 0) {
			n = avail < PAYLOAD_BYTES ? avail : PAYLOAD_BYTES;
			OPAQUE(n);
			n &= PAYLOAD_MASK;
			if (bpf_probe_read_user(e->payload, n, (void *)src) == 0)
				e->payload_len = n;
			else
				count(CNT_READ_ERRORS);
		}
	}
#endif
	emit(ctx, e, offsetof(struct ev_msg, payload) + (e->payload_len & PAYLOAD_MASK));
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
/* Messages may span frames and frames may hold many messages, so the
 * position of the next 5-byte prefix is carried from frame to frame. */
struct msg_key {
	u64 conn;
	u32 stream_id;
	u32 pid;
};

struct msg_state {
	u32 pos;       /* scratch: where parsing stands in the current frame */
	u32 remaining; /* body bytes of the current message still to come */
	u8 have;       /* prefix bytes seen so far (0..4) */
	u8 desync;     /* boundaries lost: count bytes only */
	u8 prefix[5];
};

BPF_TABLE("lru_hash", struct msg_key, struct msg_state, msg_states, 16384);

/* The event, and room for a stream's parse state when none is stored. */
struct data_work {
	struct ev_data ev;
	struct msg_state scratch_state;
};
BPF_PERCPU_ARRAY(data_scratch, struct data_work, 1);

#define PARSE_STEPS 64

static __always_inline void note_message(struct ev_data *e, u32 len)
{
	e->nmsgs++;
	e->msg_bytes += len;
	if (e->nlens < DATA_MAX_LENS) {
		e->lens[e->nlens & (DATA_MAX_LENS - 1)] = len;
		e->nlens++;
	}
}

/* Walk the frame from prefix to prefix. The position is kept in map
 * memory for the same reason as in copy_fields. */
static __always_inline void parse_frame(struct ev_data *e, struct msg_state *st, u64 data, u32 len)
{
	st->pos = 0;
	for (int i = 0; i < PARSE_STEPS; i++) {
		u32 pos = st->pos, avail, take;

		if (pos >= len)
			return;
		avail = len - pos;
		if (st->remaining) {
			take = st->remaining < avail ? st->remaining : avail;
			st->remaining -= take;
			st->pos = pos + take;
			continue;
		}
		if (st->have == 0 && avail >= 5) {
			u8 p[5] = {};

			if (read_user(p, 5, data + pos))
				break;
			st->remaining = ((u32)p[1] << 24) | ((u32)p[2] << 16) | ((u32)p[3] << 8) | p[4];
			st->pos = pos + 5;
			note_message(e, st->remaining);
#if PAYLOAD_BYTES
			if (e->nlens == 1) {
				u32 n = st->remaining < avail - 5 ? st->remaining : avail - 5;

				n = n < PAYLOAD_BYTES ? n : PAYLOAD_BYTES;
				OPAQUE(n);
				n &= PAYLOAD_MASK;
				if (bpf_probe_read_user(e->payload, n, (void *)(data + pos + 5)) == 0)
					e->payload_len = n;
			}
#endif
			continue;
		}
		/* A prefix split across frames: one byte at a time. */
		{
			u8 h = st->have > 4 ? 4 : st->have;

			if (read_user(&st->prefix[h], 1, data + pos))
				break;
			st->have = h + 1;
		}
		st->pos = pos + 1;
		if (st->have == 5) {
			st->have = 0;
			st->remaining = ((u32)st->prefix[1] << 24) | ((u32)st->prefix[2] << 16) |
					((u32)st->prefix[3] << 8) | st->prefix[4];
			note_message(e, st->remaining);
		}
	}
	if (st->pos >= len)
		return;
	/* Out of steps or a failed read: stop guessing for this stream. */
	st->desync = 1;
	e->c.flags |= EVF_DESYNC;
	count(CNT_DESYNC);
}

static __always_inline int data_in(struct pt_regs *ctx, u8 probe, u8 side, u64 conn_addr, u32 sid, u8 fflags,
				   u64 data, u64 len)
{
	struct msg_key key = {};
	struct msg_state *st;
	u32 slot = 0;
	struct data_work *w = data_scratch.lookup(&slot);
	struct ev_data *e;

	if (!w)
		return 0;
	e = &w->ev;
	__builtin_memset(e, 0, offsetof(struct ev_data, payload));
	fill_common(&e->c, EV_DATA_IN, probe, side, DIR_IN);
	e->c.conn = read_conn(conn_addr, &e->c.flags);
	e->c.stream_id = sid;
	e->frame_len = len;
	if (fflags & 0x1)
		e->c.flags |= EVF_END_STREAM;
	key.conn = e->c.conn;
	key.stream_id = sid;
	key.pid = e->c.pid;
	/* Most frames hold whole messages: parse with a scratch state and
	 * touch the map only when something must carry over to the next
	 * frame (a message or prefix cut by the frame's end). */
	st = msg_states.lookup(&key);
	if (st) {
		if (st->desync)
			e->c.flags |= EVF_DESYNC;
		else
			parse_frame(e, st, data, len);
		if ((fflags & 0x1) || (!st->remaining && !st->have && !st->desync))
			msg_states.delete(&key);
	} else {
		st = &w->scratch_state;
		__builtin_memset(st, 0, sizeof(*st));
		parse_frame(e, st, data, len);
		if (!(fflags & 0x1) && (st->remaining || st->have || st->desync))
			msg_states.update(&key, st);
	}
	emit(ctx, e, offsetof(struct ev_data, payload) + (e->payload_len & PAYLOAD_MASK));
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

	if (read_user(&sid, sizeof(sid), f + DF_SID) || read_user(&fflags, 1, f + DF_FLAGS) ||
	    read_user(&d, sizeof(d), f + DF_DATA))
		return 0;
	return data_in(ctx, probe, side, t + conn_off, sid, fflags, d.ptr, d.len);
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

	if (read_user(&sid, sizeof(sid), f + PDF_SID) || read_user(&fflags, 1, f + PDF_FLAGS) ||
	    read_user(&buf, sizeof(buf), f + PDF_DATA))
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
	if (!known && buf.tab)
		count(CNT_FOREIGN); /* a buffer kind we cannot read: sizes unknown */
	return data_in(ctx, probe, side, t + conn_off, sid, fflags, d.ptr, d.len);
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
	e.c.conn = read_conn(w.data + BW_CONN, &e.c.flags);
	e.c.stream_id = ARG(ctx, RO_SID);
	e.code = ARG(ctx, RO_CODE);
	emit(ctx, &e, sizeof(e));
	return 0;
}
#endif
