/* common.bpf.h - what every probe template shares (bcc C dialect): the
 * event buffers and counters, argument and memory reads, header-field
 * copying, peer addresses, and the gRPC message parser for DATA frames.
 *
 * gogrpctrace renders the templates for one binary: it puts a block of
 * numeric #defines in front (PROBE_*, argument locations, member offsets,
 * itab addresses, limits) and nothing else. Every function reads only what
 * its probe's defines describe; a probe whose needs were not met is
 * compiled out (PROBE_x 0), never run with a guessed offset. Helpers take
 * offsets as arguments (constants once inlined), so one copy serves every
 * stack.
 *
 * Probes sit on the prologue's stack-check jump where there is one. When
 * that jump is taken the function grows its stack and starts again, so the
 * hit is skipped: it will be seen once more.
 *
 * GO_MACHINE (1 amd64, 2 arm64) picks the registers and the flags: the
 * only parts of a probe that differ between the two.
 */
#ifndef COMMON_BPF_H
#define COMMON_BPF_H

/* The probes that walk DATA frames: they share one parser and its map. */
#define WANT_DATA_PARSER                                                       \
	(PROBE_CLI_DATA_IN || PROBE_SRV_DATA_IN || PROBE_CLI_PDATA_IN ||       \
	 PROBE_SRV_PDATA_IN || PROBE_NH_SRV_DATA_IN || PROBE_NH_CLI_DATA_IN ||  \
	 PROBE_NH_DATA_OUT || PROBE_XH_SRV_DATA_IN || PROBE_XH_CLI_DATA_IN ||   \
	 PROBE_XH_DATA_OUT)

#include <uapi/linux/ptrace.h>
#include "gogrpctrace_events.h"

/* bcc looks every call of bpf_probe_read_user up in /proc/kallsyms (on a
 * kernel without it, before 5.5, it calls bpf_probe_read instead), and
 * each look-up indexes all the kernel's symbols again: 60 ms a call site.
 * When user space knows the kernel has the helper (tool/kheaders.c), the
 * same helper under another name skips the look-ups. */
#ifdef KERNEL_HAS_PROBE_READ_USER
static long (*probe_read_user)(void *dst, u32 size, const void *src) =
	(void *)BPF_FUNC_probe_read_user;
#define bpf_probe_read_user probe_read_user
#endif


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

/* Scratch for an event that may carry payload. With --payload it is
 * larger than a per-CPU map value may be (32 KiB), so it is one slot per
 * possible CPU of a plain array; SCRATCH_CPUS is rendered only then. */
#if PAYLOAD_BYTES
#define PAYLOAD_SCRATCH(name, type) BPF_ARRAY(name, type, SCRATCH_CPUS)
#define PAYLOAD_SLOT() bpf_get_smp_processor_id()
#define PAYLOAD_ROOM_BYTES PAYLOAD_ROOM
#define PAYLOAD_SENT(len) ((len) & PAYLOAD_MASK)
#else
#define PAYLOAD_SCRATCH(name, type) BPF_PERCPU_ARRAY(name, type, 1)
#define PAYLOAD_SLOT() 0
#define PAYLOAD_ROOM_BYTES 8
#define PAYLOAD_SENT(len) 0
#endif

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

/* make bench's --count-ops: every read of the target's memory and every
 * map operation is counted against the probe running (COUNT_OPS 0 in a
 * real run: these compile to nothing). */
#if COUNT_OPS
BPF_PERCPU_ARRAY(running_probe, u32, 1);

static __always_inline void count_op(u32 base)
{
	u32 zero = 0, *p = running_probe.lookup(&zero);

	if (p)
		count(base + (*p & (CNT_MAX_PROBES - 1)));
}

static __always_inline void set_running_probe(u32 idx)
{
	u32 zero = 0, *p = running_probe.lookup(&zero);

	if (p)
		*p = idx;
}

static __always_inline long counted_read_user(void *dst, u32 size, const void *src)
{
	count_op(CNT_READS);
	return bpf_probe_read_user(dst, size, src);
}
#undef bpf_probe_read_user /* the name above, on a kernel that has it */
#define bpf_probe_read_user(dst, size, src) counted_read_user(dst, size, src)
#define MAP_OP() count_op(CNT_MAP_OPS)
#else
#define set_running_probe(idx) do { } while (0)
#define MAP_OP() do { } while (0)
#endif

/* The most of one struct a probe reads in one go, to take several of its
 * members at once (their offsets are constants once inlined; members
 * further apart are read one by one), and the end of such a read: the
 * furthest member's end. */
#define STRUCT_READ 64

static __always_inline u64 furthest(u64 end_a, u64 end_b)
{
	return end_a > end_b ? end_a : end_b;
}

static __always_inline struct proc_key proc_key_of(u64 ptr)
{
	struct proc_key k = {};

	k.ptr = ptr;
	k.pid = bpf_get_current_pid_tgid() >> 32;
	return k;
}

#if GO_MACHINE == 2
/* A register by its DWARF number (x0-x30, 31 the stack pointer); reg is a
 * constant, so this folds. */
static __always_inline u64 read_reg(struct pt_regs *ctx, int reg)
{
	if (reg >= 0 && reg < 31)
		return ctx->regs[reg];
	if (reg == 31)
		return ctx->sp;
	return 0;
}

/* The probe sits on B.LS (taken when C is clear or Z is set, that is when
 * SP is at or below the stack guard). */
#define PSTATE_Z 0x40000000
#define PSTATE_C 0x20000000
#define STACK_CHECK_TAKEN(ctx) (((ctx)->pstate & PSTATE_Z) || !((ctx)->pstate & PSTATE_C))
#else
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

/* The probe sits on JBE (taken when CF or ZF is set) or on JB. */
#define X86_FLAGS_CF 0x1
#define X86_FLAGS_ZF 0x40
#define STACK_CHECK_TAKEN(ctx) ((ctx)->flags & (X86_FLAGS_CF | X86_FLAGS_ZF))
#endif

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
		set_running_probe(P##_IDX);                                  \
		if (P##_AT_STACK_CHECK && STACK_CHECK_TAKEN(ctx)) {          \
			count(CNT_RESTARTS);                                 \
			return 0;                                            \
		}                                                            \
		if (BENCH_EMPTY)                                             \
			return 0;                                            \
	} while (0)

/* Hide a value from the optimizer, so that a mask applied after it stays
 * in the program for the verifier to see: clang drops a mask it proves
 * redundant after a clamp, and older verifiers (Linux 6.1) lose the clamp's
 * bounds once the value has been on the stack. */
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

/* Send an event: 0, or -1 when the buffer had no room (counted lost). */
static __always_inline int emit(struct pt_regs *ctx, void *ev, u32 size)
{
	MAP_OP();
#if USE_PERF_BUFFER
	if (events.perf_submit(ctx, ev, size) == 0) {
#else
	if (events.ringbuf_output(ev, size, BPF_RB_NO_WAKEUP) == 0) {
#endif
		count(CNT_EMITTED);
		return 0;
	}
	count(CNT_LOST);
	return -1;
}

/* ---- header blocks ---- */

/* Where hpack.HeaderField keeps its strings, and its size. */
struct field_layout {
	u32 size, name, value;
};

/* "content-type: application/grpc..." marks a gRPC stream: its DATA frames
 * then hold length-prefixed messages. */
static __always_inline int is_grpc_content_type(struct go_slice *name, struct go_slice *value)
{
	u64 n[2] = {}, v[2] = {};

	if (name->len != 12 || value->len < 16 || bpf_probe_read_user(n, 12, (void *)name->ptr) ||
	    bpf_probe_read_user(v, 16, (void *)value->ptr))
		return 0;
	/* little-endian words of "content-type" and "application/grpc" */
	return n[0] == 0x2d746e65746e6f63ULL && n[1] == 0x65707974ULL &&
	       v[0] == 0x746163696c707061ULL && v[1] == 0x637072672f6e6f69ULL;
}

/* Whether [ptr, ptr+len) is in the executable's read-only data (bounds
 * rendered for this binary; none for a PIE executable): such a string is
 * sent by address, not read. */
static __always_inline int in_rodata(u64 ptr, u64 len)
{
	/* One comparison (len is far below the section's size): fewer
	 * paths for the verifier to walk in copy_fields' loop. */
	return RODATA_HI && ptr - RODATA_LO <= (RODATA_HI - RODATA_LO) - len;
}

/* Put one string of a header field at e->buf[e->buf_len] and move
 * buf_len past it: its 8-byte address when it lies in the read-only data
 * (flagging he with at_flag), else its bytes, as many as the entry says
 * at len_at. The caller made room.
 *
 * The length is read back from the entry, not taken from the clamped
 * register: the clamp's two outcomes would double the states the
 * verifier keeps at each field; read back, it is one range, which the
 * mask bounds (and clang cannot drop it). */
static __always_inline void put_string(struct ev_headers *e, struct hdr_entry *he, u64 ptr,
				       const u16 *len_at, u32 mask, u16 at_flag)
{
	u32 off = e->buf_len;
	u64 n = *(volatile const u16 *)len_at;

	if (in_rodata(ptr, n)) {
		__builtin_memcpy(&e->buf[off & (HDR_BUF_SIZE - 1)], &ptr, sizeof(ptr));
		he->flags |= at_flag;
		e->buf_len = off + sizeof(ptr);
		return;
	}
	if (bpf_probe_read_user(&e->buf[off & (HDR_BUF_SIZE - 1)], n & mask, (void *)ptr) != 0) {
		count(CNT_READ_ERRORS);
		e->c.flags |= EVF_READ_ERROR;
	}
	e->buf_len = off + (n & mask);
}

/* Copy the fields of a []hpack.HeaderField into e->buf.
 *
 * The array itself comes in one read, into the upper half of e->buf
 * (events send only the lower half); then each field costs the reads of
 * its two strings. The running offset lives in e (map memory), not in a
 * register: the verifier then sees every iteration start alike and
 * prunes, where a register offset would make it walk every path of all
 * iterations. */
#define FIELDS_AT HDR_BUF_SIZE /* where in e->buf the array is read to */
static __always_inline void copy_fields(struct ev_headers *e, u64 fields, u64 nfields,
					struct field_layout fl, int detect_grpc)
{
	u64 ncopy = nfields > HDR_MAX_FIELDS ? HDR_MAX_FIELDS : nfields;
	u64 array_len = ncopy * fl.size;
	int i;

	if (fl.size * HDR_MAX_FIELDS > HDR_BUF_SIZE || fl.name + 16 > fl.size ||
	    fl.value + 16 > fl.size)
		return; /* a HeaderField this template cannot hold: none copied */
	e->nfields = nfields > 0xffff ? 0xffff : nfields;
	OPAQUE(array_len);
	array_len &= 2 * HDR_BUF_SIZE - 1;
	if (array_len > HDR_BUF_SIZE)
		return;
	if (array_len && bpf_probe_read_user(&e->buf[FIELDS_AT], array_len, (void *)fields) != 0) {
		count(CNT_READ_ERRORS);
		e->c.flags |= EVF_READ_ERROR;
		return;
	}
	for (i = 0; i < HDR_MAX_FIELDS; i++) {
		struct go_slice name = {}, value = {};
		struct hdr_entry *he;
		u32 off, nlen, vlen, nroom, vroom;
		u32 at = i * fl.size;

		/* The count is read from the event each time, unknown to the
		 * verifier: compared with a register, whose range each test
		 * narrows, it made every iteration's states differ (fewer states
		 * to verify; the same result, as i < HDR_MAX_FIELDS < 0xffff). */
		if (i >= *(volatile u16 *)&e->nfields)
			break;
		OPAQUE(at);
		if (at > HDR_BUF_SIZE - 64)
			break;
		__builtin_memcpy(&name, &e->buf[FIELDS_AT + at + (fl.name & 31)], sizeof(name));
		__builtin_memcpy(&value, &e->buf[FIELDS_AT + at + (fl.value & 31)], sizeof(value));
		if (detect_grpc && is_grpc_content_type(&name, &value))
			e->c.flags |= EVF_GRPC;
		nlen = name.len > HDR_NAME_MASK ? HDR_NAME_MASK : name.len;
		vlen = value.len > HDR_VALUE_MASK ? HDR_VALUE_MASK : value.len;
		/* Room for either form of each string (bytes, or an address). */
		nroom = nlen > 8 ? nlen : 8;
		vroom = vlen > 8 ? vlen : 8;
		off = e->buf_len;
		if (off + sizeof(*he) + nroom + vroom > HDR_BUF_SIZE) {
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
		he->flags = 0;
		e->buf_len = off + sizeof(*he);
		/* Each string moves e->buf_len on itself, so that no register
		 * differs between its two forms once it is put. */
		put_string(e, he, name.ptr, &he->name_len, HDR_NAME_MASK, HE_NAME_AT);
		put_string(e, he, value.ptr, &he->value_len, HDR_VALUE_MASK, HE_VALUE_AT);
		e->ncopied = i + 1;
	}
	if (*(volatile u16 *)&e->ncopied < *(volatile u16 *)&e->nfields)
		e->c.flags |= EVF_TRUNC_FIELDS;
}

/* A decoded header block, x/net's MetaHeadersFrame at f: its stream,
 * END_STREAM and hpack truncation into e, its fields' slice into fields.
 * Two reads, one of the frame's words and one of its FrameHeader's. */
static __always_inline int read_meta_headers(struct ev_headers *e, u64 f, u64 mhf_hf,
					     u64 mhf_fields, long mhf_trunc, u64 hf_sid,
					     u64 hf_flags, struct go_slice *fields)
{
	u64 fspan = furthest(furthest(mhf_hf + 8, mhf_fields + 16), mhf_trunc >= 0 ? mhf_trunc + 1 : 0);
	u64 hspan = furthest(hf_sid + 4, hf_flags + 1);
	u8 fr[STRUCT_READ] = {}, hr[STRUCT_READ] = {};
	u64 hf = 0;

	if (fspan > STRUCT_READ || hspan > STRUCT_READ)
		return -1; /* a layout this template does not know: unread */
	if (read_user(fr, fspan, f))
		return -1;
	__builtin_memcpy(&hf, fr + mhf_hf, sizeof(hf));
	__builtin_memcpy(fields, fr + mhf_fields, sizeof(*fields));
	if (mhf_trunc >= 0 && fr[mhf_trunc])
		e->c.flags |= EVF_HPACK_TRUNC;
	if (read_user(hr, hspan, hf))
		return -1;
	__builtin_memcpy(&e->c.stream_id, hr + hf_sid, sizeof(u32));
	if (hr[hf_flags] & 0x1) /* END_STREAM */
		e->c.flags |= EVF_END_STREAM;
	return 0;
}

static __always_inline int emit_headers(struct pt_regs *ctx, struct ev_headers *e)
{
	u32 len = e->buf_len;

	if (e->c.flags & (EVF_TRUNC_FIELDS | EVF_TRUNC_BUF))
		count(CNT_TRUNC_HEADERS);
	return emit(ctx, e, offsetof(struct ev_headers, buf) + (len & (2 * HDR_BUF_SIZE - 1)));
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

#if HAS_TCPADDR_IP && HAS_TCPADDR_PORT
#define TCPADDR_READ ((TCPADDR_IP > TCPADDR_PORT ? TCPADDR_IP : TCPADDR_PORT) + 16)
#if TCPADDR_READ > 64
#error "net.TCPAddr is larger than this template reads in one go"
#endif
#endif

/* What read_addr found in a net.Addr. */
#define ADDR_NONE 0    /* a nil interface: no address */
#define ADDR_IP 1      /* a *net.TCPAddr: ip and port filled */
#define ADDR_PATH 2    /* a *net.UnixAddr: its Name copied */
#define ADDR_UNKNOWN 3 /* another kind, or a read failed: unknown, never guessed */

/* The unix socket paths of the connection being read, sent as an EV_ADDR
 * before the event they belong to (emit_addr). */
BPF_PERCPU_ARRAY(addr_scratch, struct ev_addr, 1);

static __always_inline struct ev_addr *addr_work(void)
{
	u32 zero = 0;

	return addr_scratch.lookup(&zero);
}

/* Start reading a connection's addresses: no path yet. */
static __always_inline void addr_reset(void)
{
	struct ev_addr *a = addr_work();

	if (a) {
		a->c.flags = 0;
		a->peer_len = a->local_len = 0;
	}
}

/* Send the paths found since addr_reset, if any, under owner's key:
 * 0, or -1 when they were lost. */
static __always_inline int emit_addr(struct pt_regs *ctx, const struct ev_common *owner)
{
	struct ev_addr *a = addr_work();
	int ret;

	if (!a || !(a->c.flags & (EVF_PEER | EVF_LOCAL)))
		return 0;
	fill_common(&a->c, EV_ADDR, owner->probe, owner->side, owner->dir);
	a->c.conn = owner->conn;
	a->c.stream_id = owner->stream_id;
	ret = emit(ctx, a, sizeof(*a));
	a->c.flags = 0;
	return ret;
}

/* True when a peer path was found since addr_reset. */
static __always_inline int addr_has_peer_path(void)
{
	struct ev_addr *a = addr_work();

	return a && (a->c.flags & EVF_PEER);
}

/* The Name of a *net.UnixAddr at data into the scratch's peer or local. */
static __always_inline int read_unixaddr(u64 data, int local)
{
#if HAS_UNIXADDR_NAME
	struct ev_addr *a = addr_work();
	struct go_slice name = {};
	u64 n;

	if (!a || read_user(&name, sizeof(name), data + UNIXADDR_NAME))
		return ADDR_UNKNOWN;
	n = name.len > ADDR_PATH_MAX ? ADDR_PATH_MAX : name.len;
	if (n < name.len)
		a->c.flags |= EVF_TRUNC_BUF;
	OPAQUE(n);
	n &= ADDR_PATH_MASK;
	if (n && bpf_probe_read_user(local ? a->local : a->peer, n, (void *)name.ptr) != 0) {
		count(CNT_READ_ERRORS);
		return ADDR_UNKNOWN;
	}
	if (local) {
		a->local_len = n;
		a->c.flags |= EVF_LOCAL;
	} else {
		a->peer_len = n;
		a->c.flags |= EVF_PEER;
	}
	return ADDR_PATH;
#else
	return ADDR_UNKNOWN;
#endif
}

/* A net.Addr at addr: a *net.TCPAddr's IP bytes and port, or a
 * *net.UnixAddr's path (into the scratch; local says which side). */
static __always_inline int read_addr(u64 addr, u8 *ip, u8 *ip_len, u16 *port, int local)
{
	struct iface a = {};

	if (read_user(&a, sizeof(a), addr))
		return ADDR_UNKNOWN;
	if (!a.tab)
		return ADDR_NONE;
	if (!a.data)
		return ADDR_UNKNOWN;
#if HAS_ITAB_UNIXADDR
	if (a.tab == ITAB_UNIXADDR)
		return read_unixaddr(a.data, local);
#endif
#if HAS_ITAB_TCPADDR && HAS_TCPADDR_IP && HAS_TCPADDR_PORT
	if (a.tab == ITAB_TCPADDR) {
		u8 raw[TCPADDR_READ] = {};
		struct go_slice s = {};
		s64 p = 0;

		/* IP (a slice) and Port in one read of the struct. */
		if (read_user(raw, sizeof(raw), a.data))
			return ADDR_UNKNOWN;
		__builtin_memcpy(&s, raw + TCPADDR_IP, sizeof(s));
		__builtin_memcpy(&p, raw + TCPADDR_PORT, sizeof(p));
		if (s.len == 4) {
			if (read_user(ip, 4, s.ptr))
				return ADDR_UNKNOWN;
		} else if (s.len == 16) {
			if (read_user(ip, 16, s.ptr))
				return ADDR_UNKNOWN;
		} else {
			return ADDR_UNKNOWN;
		}
		*ip_len = s.len;
		*port = p;
		return ADDR_IP;
	}
#endif
	return ADDR_UNKNOWN;
}

/* Read the peer (local 0) or local address at addr; set the event's flags. */
static __always_inline void read_addr_into(u64 addr, u32 *flags, u8 *ip, u8 *ip_len, u16 *port,
					   int local)
{
	int r = read_addr(addr, ip, ip_len, port, local);

	if (r == ADDR_IP)
		*flags |= local ? EVF_LOCAL : EVF_PEER;
	else if (r == ADDR_UNKNOWN)
		*flags |= local ? EVF_LOCAL_UNKNOWN : EVF_PEER_UNKNOWN;
}

/* The member holding the inner net.Conn of a wrapper's itab, or -1.
 * CONN_WRAP_n: the net.Conn wrappers the frontend found in the binary
 * (a struct with a member of type net.Conn, and its itab). */
static __always_inline long wrapped_conn_off(u64 tab)
{
#if HAS_ITAB_H2C_BUFCONN && HAS_H2C_BUFCONN_CONN
	/* h2c hands the server a wrapper holding the connection. */
	if (tab == ITAB_H2C_BUFCONN)
		return H2C_BUFCONN_CONN;
#endif
#define WRAP_CASE(n)                                                           \
	if (CONN_WRAPS > n && tab == CONN_WRAP_##n##_ITAB)                     \
		return CONN_WRAP_##n##_OFF;
	WRAP_CASE(0) WRAP_CASE(1) WRAP_CASE(2) WRAP_CASE(3)
	WRAP_CASE(4) WRAP_CASE(5) WRAP_CASE(6) WRAP_CASE(7)
#undef WRAP_CASE
	return -1;
}

/* How many wrappers (TLS and the ones above) are taken off a connection. */
#define CONN_UNWRAP_DEPTH 4

/* Peer and local address of a net.Conn interface at addr: a *net.TCPConn
 * or a *net.UnixConn, under at most CONN_UNWRAP_DEPTH wrappers: *tls.Conn
 * (EVF_TLS), h2c's bufConn, and the binary's own net.Conn wrappers (cmux's
 * MuxConn and the like). Unix paths go to the scratch (emit_addr sends
 * them). A connection of another kind has its addresses marked unknown. */
static __always_inline void conn_addrs(u64 addr, u32 *flags, u8 *pip, u8 *pip_len, u16 *pport,
				       u8 *lip, u8 *lip_len, u16 *lport)
{
	struct iface c = {};
	u64 fd = 0;
	int i;

	addr_reset();
	if (read_user(&c, sizeof(c), addr))
		goto unknown;
#pragma clang loop unroll(full)
	for (i = 0; i < CONN_UNWRAP_DEPTH; i++) {
		long off = -1;

		if (!c.tab)
			return; /* no connection: nothing to say */
#if HAS_ITAB_TLSCONN
		if (c.tab == ITAB_TLSCONN) {
			*flags |= EVF_TLS;
#if HAS_TLSCONN_CONN
			off = TLSCONN_CONN;
#endif
		}
#endif
		if (off < 0)
			off = wrapped_conn_off(c.tab);
		if (off < 0)
			break;
		if (!c.data || read_user(&c, sizeof(c), c.data + off))
			goto unknown;
	}
#if HAS_ITAB_TCPCONN && HAS_TCPCONN_FD
	if (c.tab == ITAB_TCPCONN) {
		if (read_user(&fd, sizeof(fd), c.data + TCPCONN_FD))
			goto unknown;
	}
#endif
#if HAS_ITAB_UNIXCONN && HAS_UNIXCONN_FD
	if (c.tab == ITAB_UNIXCONN) {
		if (read_user(&fd, sizeof(fd), c.data + UNIXCONN_FD))
			goto unknown;
	}
#endif
	if (!fd)
		goto unknown;
#if HAS_NETFD_RADDR
	read_addr_into(fd + NETFD_RADDR, flags, pip, pip_len, pport, 0);
#else
	*flags |= EVF_PEER_UNKNOWN;
#endif
#if HAS_NETFD_LADDR
	read_addr_into(fd + NETFD_LADDR, flags, lip, lip_len, lport, 1);
#else
	*flags |= EVF_LOCAL_UNKNOWN;
#endif
	return;
unknown:
	*flags |= EVF_PEER_UNKNOWN | EVF_LOCAL_UNKNOWN;
}

/* ---- DATA frames received ---- */

#if WANT_DATA_PARSER
/* Messages may span frames and frames may hold many messages, so the
 * position of the next 5-byte prefix is carried from frame to frame. */
struct msg_key {
	u64 conn;
	u32 stream_id;
	u32 pid;
	u32 dir; /* DIR_IN or DIR_OUT: a stream is parsed both ways */
	u32 pad;
};

struct msg_state {
	u32 pos;       /* scratch: where parsing stands in the current frame */
	u32 remaining; /* body bytes of the current message still to come */
	u32 copied;    /* --payload: bytes of the current message copied so far */
	u8 have;       /* prefix bytes seen so far (0..4) */
	u8 desync;     /* boundaries lost: count bytes only */
	u8 prefix[5];
	u8 cur;	       /* which message the bytes belong to: CUR_* or an index of lens[] */
};

#define CUR_CARRIED 0xfe /* the message carried in from an earlier frame */
#define CUR_NONE 0xff	 /* a message lens[] has no room for: not copied */

BPF_TABLE("lru_hash", struct msg_key, struct msg_state, msg_states, 16384);

/* A stream is opening: whatever parse state its key holds belongs to an
 * earlier stream of a connection whose object had the same address (Go
 * reuses freed memory) and ended mid-message. */
static __always_inline void forget_parse(u64 conn, u32 sid, u32 dir)
{
	struct msg_key key = {};

	key.conn = conn;
	key.stream_id = sid;
	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.dir = dir;
	MAP_OP();
	msg_states.delete(&key);
}

/* The event, and room for a stream's parse state when none is stored. */
struct data_work {
	struct msg_state scratch_state;
	struct ev_data ev;
	char room[PAYLOAD_ROOM_BYTES]; /* ev.payload[] */
};
PAYLOAD_SCRATCH(data_scratch, struct data_work);

#define PARSE_STEPS 64

/* A message's prefix is complete: its bytes follow. */
static __always_inline void note_message(struct ev_data *e, struct msg_state *st, u32 len, u8 flag)
{
	e->nmsgs++;
	e->msg_bytes += len;
	st->remaining = len;
	st->copied = 0;
	st->cur = CUR_NONE;
	if (e->nlens < DATA_MAX_LENS) {
		u32 i = e->nlens & (DATA_MAX_LENS - 1);

		e->lens[i] = len;
		if (flag)
			e->compressed |= 1 << i;
		st->cur = i;
		e->nlens++;
	}
}

#if PAYLOAD_BYTES
/* Copy the next take bytes of the current message, as far as its first
 * PAYLOAD_BYTES and the event's room go. */
static __always_inline void copy_message_bytes(struct ev_data *e, struct msg_state *st, u64 src,
					       u32 take)
{
	u32 n = take, off = e->payload_len;

	if (st->cur == CUR_NONE || st->copied >= PAYLOAD_BYTES || off >= PAYLOAD_MAX)
		return;
	if (n > PAYLOAD_BYTES - st->copied)
		n = PAYLOAD_BYTES - st->copied;
	if (n > PAYLOAD_MAX - off)
		n = PAYLOAD_MAX - off;
	OPAQUE(n);
	n &= PAYLOAD_MASK;
	if (n > PAYLOAD_MAX || n == 0)
		return;
	off &= PAYLOAD_MAX - 1;
	if (bpf_probe_read_user(e->payload + off, n, (void *)src)) {
		count(CNT_READ_ERRORS);
		e->c.flags |= EVF_PAYLOAD_LOST;
		st->copied = PAYLOAD_BYTES; /* nothing more of this one */
		return;
	}
	e->payload_len += n;
	st->copied += n;
	if (st->cur == CUR_CARRIED)
		e->cont_cap += n;
	else
		e->caps[st->cur & (DATA_MAX_LENS - 1)] += n;
}
#endif

/* Walk the frame from prefix to prefix. The position is kept in map
 * memory for the same reason as in copy_fields. */
static __always_inline void parse_frame(struct ev_data *e, struct msg_state *st, u64 data, u32 len)
{
	st->pos = 0;
	st->cur = CUR_CARRIED;
	/* Where this frame's copy of the carried message goes: user space
	 * checks it against what it has, so a lost event leaves no gap. */
	e->cont_off = st->copied;
	/* Linux 6.1's verifier refuses this loop as clang lays it out (a
	 * back-edge reached by falling through); there, and only there, it is
	 * unrolled, which doubles the compile time. */
#if UNROLL_LOOPS
#pragma clang loop unroll(full)
#endif
	for (int i = 0; i < PARSE_STEPS; i++) {
		u32 pos = st->pos, avail, take;

		if (pos >= len)
			break;
		avail = len - pos;
		if (st->remaining) {
			take = st->remaining < avail ? st->remaining : avail;
#if PAYLOAD_BYTES
			copy_message_bytes(e, st, data + pos, take);
#endif
			st->remaining -= take;
			st->pos = pos + take;
			continue;
		}
		if (st->have == 0 && avail >= 5) {
			u8 p[5] = {};

			if (read_user(p, 5, data + pos))
				break;
			st->pos = pos + 5;
			note_message(e, st, ((u32)p[1] << 24) | ((u32)p[2] << 16) | ((u32)p[3] << 8) | p[4],
				     p[0]);
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
			note_message(e, st,
				     ((u32)st->prefix[1] << 24) | ((u32)st->prefix[2] << 16) |
					     ((u32)st->prefix[3] << 8) | st->prefix[4],
				     st->prefix[0]);
		}
	}
	e->tail_left = st->remaining;
	if (st->pos >= len)
		return;
	/* Out of steps or a failed read: stop guessing for this stream. */
	st->desync = 1;
	e->c.flags |= EVF_DESYNC;
	count(CNT_DESYNC);
}

/* One DATA frame of a stream, either way. conn is the connection key; a
 * frame of a gRPC stream (parse) is walked for its messages, any other
 * counts its bytes only. */
static __always_inline int data_frame(struct pt_regs *ctx, u8 probe, u8 side, u8 dir, u64 conn,
				      u32 flags, u32 sid, u8 fflags, u64 data, u64 len, int parse)
{
	struct msg_key key = {};
	struct msg_state *st;
	u32 slot = PAYLOAD_SLOT();
	struct data_work *w = data_scratch.lookup(&slot);
	struct ev_data *e;

	if (!w)
		return 0;
	e = &w->ev;
	__builtin_memset(e, 0, offsetof(struct ev_data, payload));
	fill_common(&e->c, EV_DATA, probe, side, dir);
	e->c.conn = conn;
	e->c.flags = flags;
	e->c.stream_id = sid;
	e->frame_len = len;
	if (fflags & 0x1)
		e->c.flags |= EVF_END_STREAM;
	/* Bytes that are not there (EVF_UNREADABLE) are not walked. */
	if (!parse || (flags & EVF_UNREADABLE)) {
		emit(ctx, e, offsetof(struct ev_data, payload));
		return 0;
	}
	e->c.flags |= EVF_GRPC;
	key.conn = e->c.conn;
	key.dir = dir;
	key.stream_id = sid;
	key.pid = e->c.pid;
	/* Most frames hold whole messages: parse with a scratch state and
	 * touch the map only when something must carry over to the next
	 * frame (a message or prefix cut by the frame's end). */
	MAP_OP();
	st = msg_states.lookup(&key);
	if (st) {
		if (st->desync)
			e->c.flags |= EVF_DESYNC;
		else
			parse_frame(e, st, data, len);
		if ((fflags & 0x1) || (!st->remaining && !st->have && !st->desync)) {
			MAP_OP();
			msg_states.delete(&key);
		}
	} else {
		st = &w->scratch_state;
		__builtin_memset(st, 0, sizeof(*st));
		parse_frame(e, st, data, len);
		if (!(fflags & 0x1) && (st->remaining || st->have || st->desync)) {
			MAP_OP();
			msg_states.update(&key, st);
		}
	}
	emit(ctx, e, offsetof(struct ev_data, payload) + PAYLOAD_SENT(e->payload_len));
	return 0;
}
#endif

#endif /* COMMON_BPF_H */
