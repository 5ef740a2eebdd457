/* gogrpctrace_events.h - the events the BPF program sends to user space.
 * Shared by bpf_templates/grpc.bpf.c and tool/; fixed-size types only. */
#ifndef GOGRPCTRACE_EVENTS_H
#define GOGRPCTRACE_EVENTS_H

#define EV_HEADERS 1 /* a header block, sent or received */
#define EV_MSG_OUT 2 /* one gRPC message sent */
#define EV_DATA 3    /* one DATA frame, with the gRPC messages it starts */
#define EV_RST 4     /* RST_STREAM sent or received */
#define EV_HDR_BEGIN 5 /* a header block is being sent: its fields follow one by one */
#define EV_HDR_FIELD 6 /* one field of the block begun last on that stream */
#define EV_H1_START 7  /* an HTTP/1.x request: handed to a handler, or sent */
#define EV_H1_END 8    /* an HTTP/1.x response: finished (server), headers read (client) */
#define EV_CONN_CLOSE 9 /* a connection is closing: its open calls end */
#define EV_ADDR 10     /* a connection's unix socket paths, sent just before the event they belong to */

#define SIDE_CLIENT 0
#define SIDE_SERVER 1
#define SIDE_UNKNOWN 2 /* the call table knows: RST_STREAM sent */
#define DIR_IN 0
#define DIR_OUT 1

#define EVF_END_STREAM 0x1   /* the frame ends the stream this way */
#define EVF_TLS 0x2	     /* the connection is a *tls.Conn */
#define EVF_TRUNC_FIELDS 0x4 /* more header fields than were copied */
#define EVF_TRUNC_BUF 0x8    /* names or values cut to fit */
#define EVF_READ_ERROR 0x10  /* a read of the target's memory failed */
#define EVF_HPACK_TRUNC 0x20 /* the target itself dropped headers (size limit) */
#define EVF_DESYNC 0x40	     /* message boundaries lost on this stream */
#define EVF_PEER 0x80	     /* peer address present */
#define EVF_LOCAL 0x100	     /* local address present */
#define EVF_GRPC 0x200	     /* a gRPC stream: content-type application/grpc */
#define EVF_UNREADABLE 0x400 /* a frame of a kind the probe cannot read: sizes unknown */
#define EVF_PAYLOAD_LOST 0x800 /* --payload: a read of message bytes failed; what was captured is incomplete */
#define EVF_PEER_UNKNOWN 0x1000	 /* the peer address is of a kind no probe reads (or unreadable) */
#define EVF_LOCAL_UNKNOWN 0x2000 /* the same for the local address */

struct ev_common {
	__u64 ts_ns;
	__u64 conn; /* address of the connection object: the key with stream_id */
	__u32 pid;
	__u32 tid;
	__u32 stream_id;
	__u32 flags;
	__u8 kind;
	__u8 side;
	__u8 dir;
	__u8 probe;
	__u32 pad;
};

/* Limits of what one header event copies; longer values are cut and the
 * entry says how long they really were. Masks keep the verifier happy. */
#define HDR_MAX_FIELDS 48
#define HDR_NAME_MASK 127  /* name bytes copied: at most 127 */
#define HDR_VALUE_MASK 511 /* value bytes copied: at most 511 */
#define HDR_BUF_SIZE 4096

struct hdr_entry {
	__u32 value_total;
	__u16 name_total;
	__u16 name_len;
	__u16 value_len;
	__u16 flags; /* HE_*_AT */
}; /* followed by name_len bytes of name, then value_len bytes of value */

/* A name or value in the executable's read-only data is not copied: its
 * place holds its 8-byte address there instead (user space reads the
 * bytes from the file; they cannot differ from the process's). */
#define HE_NAME_AT 0x1
#define HE_VALUE_AT 0x2

/* An object of one traced process, as a map key: its address, and the
 * process (Go heap addresses repeat from one process to the next). */
struct proc_key {
	__u64 ptr;
	__u32 pid;
	__u32 pad;
};

/* The table of connections (proc_key) whose addresses and TLS user space
 * has been sent: later header blocks on them skip those reads. User space
 * drops a key when it forgets the connection. */
#define ADDRS_SENT_TABLE "addrs_sent"
#define ADDRS_SENT_MAX 16384

struct ev_headers {
	struct ev_common c;
	__u16 nfields; /* fields in the block */
	__u16 ncopied; /* fields copied into buf */
	__u16 buf_len;
	__u16 peer_port;
	__u16 local_port;
	__u8 peer_ip_len; /* 4 or 16 */
	__u8 local_ip_len;
	__u8 pad[4];
	__u8 peer_ip[16];
	__u8 local_ip[16];
	char buf[2 * HDR_BUF_SIZE]; /* only buf_len bytes are sent */
};

/* A header block net/http or x/net is about to encode (the stacks hand
 * their hpack encoder one field at a time, so the fields come as
 * EV_HDR_FIELD events after this one). */
struct ev_hdr_begin {
	struct ev_common c;
	__s32 status; /* the :status a server sends; 0 for trailers and requests */
	__u16 peer_port;
	__u16 local_port;
	__u8 peer_ip_len;
	__u8 local_ip_len;
	__u8 pad[6];
	__u8 peer_ip[16];
	__u8 local_ip[16];
};

struct ev_field {
	struct ev_common c;
	struct hdr_entry he;
	char buf[HDR_NAME_MASK + 1 + HDR_VALUE_MASK + 1]; /* name, then value */
};

/* HTTP/1.x through net/http. c.conn is the request's key: the server's
 * *http.response, the client's *http.Request. Texts are cut to fit their
 * buffers; *_total says how long they were. */
#define H1_METHOD_MASK 15
#define H1_PEER_MASK 63
#define H1_HOST_MASK 127
#define H1_PATH_MASK 255

struct ev_h1 {
	struct ev_common c;
	__s64 req_len;	/* request Content-Length, -1: unknown (chunked) */
	__s64 resp_len; /* body bytes written (server) or Content-Length (client), -1: unknown */
	__s32 status;	/* EV_H1_END: the status code; 0 on the server: 200 implied */
	__u16 method_len, peer_len, host_len, path_len;
	__u32 host_total, path_total;
	__u16 peer_port, local_port;
	__u8 peer_ip_len, local_ip_len;
	__u8 pad[2];
	__u8 peer_ip[16], local_ip[16];
	char method[H1_METHOD_MASK + 1];
	char peer[H1_PEER_MASK + 1]; /* server: Request.RemoteAddr */
	char host[H1_HOST_MASK + 1];
	char path[H1_PATH_MASK + 1];
};

/* A connection's addresses that are unix socket paths (net.UnixAddr's
 * Name), which do not fit the ip+port fields of the events above: sent
 * only when there is one, keyed by the same c.conn as the event it comes
 * before. EVF_PEER, EVF_LOCAL: that path is present; EVF_TRUNC_BUF: one
 * was longer than ADDR_PATH_MAX (a sun_path's size) and was cut. */
#define ADDR_PATH_MAX 108
#define ADDR_PATH_MASK 127

struct ev_addr {
	struct ev_common c;
	__u16 peer_len, local_len; /* bytes in peer[], local[]: at most ADDR_PATH_MAX */
	__u8 pad[4];
	char peer[ADDR_PATH_MASK + 1];
	char local[ADDR_PATH_MASK + 1];
};

/* --payload: at most this many bytes of a message are copied (N of
 * --payload=N), and at most this many bytes go into one event. Events that
 * carry payload end in payload[]; the BPF side keeps PAYLOAD_ROOM bytes of
 * room after them: a copy starts below PAYLOAD_MAX and is at most
 * PAYLOAD_MASK long, the bounds older verifiers (Linux 6.1) can prove from
 * the masks alone. */
#define PAYLOAD_MAX 16384
#define PAYLOAD_MASK (2 * PAYLOAD_MAX - 1)
#define PAYLOAD_ROOM (3 * PAYLOAD_MAX)

struct ev_msg {
	struct ev_common c;
	__u32 len; /* message length from its 5-byte prefix */
	__u8 compressed;
	__u8 pad;
	__u16 payload_len; /* bytes of payload[] sent: the message's first ones */
	char payload[];
};

struct ev_rst {
	struct ev_common c;
	__u32 code; /* HTTP/2 error code */
	__u32 pad;
};

/* A connection is closing (its transport's Close, or its serve loop or
 * read loop ending): c.conn is its key, as in every other event. */
struct ev_close {
	struct ev_common c;
};

#define DATA_MAX_LENS 8

/* One DATA frame. On a gRPC stream the BPF side walks it from message
 * prefix to message prefix: a frame may end one message begun in an
 * earlier frame (cont_*), begin several, and leave the last one open
 * (tail_left; the carried one when none begins here). With --payload,
 * payload[] holds the message bytes it copied, in frame order: cont_cap
 * bytes of the message carried in, then caps[i] bytes of message i begun
 * here; each message's copy stops at N bytes. */
struct ev_data {
	struct ev_common c;
	__u32 frame_len;
	__u16 nmsgs; /* messages whose prefix completed in this frame */
	__u16 nlens; /* of which lens[] holds the first */
	__u64 msg_bytes; /* sum of those messages' lengths */
	__u32 lens[DATA_MAX_LENS];
	__u32 tail_left;  /* bytes of the message open at the frame's end still to come */
	__u32 pad0;
	__u16 cont_cap;	  /* --payload: bytes copied of the message carried in */
	__u16 caps[DATA_MAX_LENS]; /* --payload: bytes copied of message i */
	__u8 compressed; /* bit i: message i has the compressed flag set */
	__u8 pad;
	__u16 payload_len; /* bytes of payload[] sent */
	__u16 cont_off;	   /* bytes of the message carried in copied before this frame */
	__u8 pad2[4];
	char payload[];
};

/* Counters, one slot each in a per-CPU array. */
#define CNT_HITS 0		 /* + probe index: hits of each probe */
#define CNT_MAX_PROBES 64
#define CNT_RESTARTS 64		 /* hits skipped: the function restarts after growing its stack */
#define CNT_EMITTED 65		 /* events handed to the ring buffer */
#define CNT_LOST 66		 /* events dropped: ring buffer full */
#define CNT_READ_ERRORS 67	 /* failed reads of target memory */
#define CNT_TRUNC_HEADERS 68	 /* header events with something cut */
#define CNT_DESYNC 69		 /* DATA frames whose message boundaries were lost */
#define CNT_FOREIGN 70		 /* hits on connections of an unknown kind */
#define CNT_IGNORED 71		 /* hits on a Framer or Encoder of no traced connection */
/* make bench (--count-ops): user-memory reads and map operations (hash
 * tables and the event buffer; not the per-CPU counter and scratch
 * slots) of each probe, + probe index. */
#define CNT_READS 72
#define CNT_MAP_OPS (CNT_READS + CNT_MAX_PROBES)
#define CNT_NUM (CNT_MAP_OPS + CNT_MAX_PROBES)

#endif
