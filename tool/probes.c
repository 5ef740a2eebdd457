/* probes.c - the probe table and the rules, as data.
 *
 * Each probe names candidate functions (the first present in the binary
 * wins) and the numbers its BPF code needs. Parameters are found by name,
 * so signature changes across grpc-go releases (the ctx added to
 * (*http2Server).operateHeaders, Write becoming write) need no code. Where
 * a parameter's type changed meaning (handleData's frame), a NEED_PARAM_TYPE
 * pins the variant to the type it was written for.
 */
#include "probes.h"

#include <string.h>

#define T "google.golang.org/grpc/internal/transport."
#define H2 "golang.org/x/net/http2."
#define HPACK "golang.org/x/net/http2/hpack."
#define MEM "google.golang.org/grpc/mem."

/* Needs shared by every probe that copies a header block. */
#define HEADER_FIELD_NEEDS                                                      \
	{"FIELD_SIZE", NEED_SIZE, {HPACK "HeaderField"}},                         \
	{"FIELD_NAME", NEED_MEMBER, {HPACK "HeaderField:Name"}},                  \
	{"FIELD_VALUE", NEED_MEMBER, {HPACK "HeaderField:Value"}}

#define PEER_LOCAL (FIELD_PEER | FIELD_LOCAL)

/* Needs to read a peer address out of a net.Addr holding a *net.TCPAddr. */
#define TCPADDR_NEEDS                                                           \
	{"TCPADDR_IP", NEED_MEMBER, {"net.TCPAddr:IP"}, .optional = true, .fills = PEER_LOCAL}, \
	{"TCPADDR_PORT", NEED_MEMBER, {"net.TCPAddr:Port"}, .optional = true, .fills = PEER_LOCAL}, \
	{"ITAB_TCPADDR", NEED_ITAB, {"*net.TCPAddr,net.Addr"}, .optional = true, .fills = PEER_LOCAL}, \
	UNIXADDR_NEEDS

/* Needs to read a unix socket path out of a net.Addr holding a
 * *net.UnixAddr. They fill no field for certain: a binary that has no unix
 * socket has none of them, and an address of a kind the program cannot
 * read is marked unknown at run time, per call. */
#define UNIXADDR_NEEDS                                                          \
	{"ITAB_UNIXADDR", NEED_ITAB, {"*net.UnixAddr,net.Addr"}, .optional = true}, \
	{"UNIXADDR_NAME", NEED_MEMBER, {"net.UnixAddr:Name"}, .optional = true}

#define META_HEADERS_NEEDS                                                      \
	{"MHF_HF", NEED_MEMBER, {H2 "MetaHeadersFrame:HeadersFrame"}},           \
	{"MHF_FIELDS", NEED_MEMBER, {H2 "MetaHeadersFrame:Fields"}},             \
	{"MHF_TRUNC", NEED_MEMBER, {H2 "MetaHeadersFrame:Truncated"}, .optional = true}, \
	{"HF_SID", NEED_MEMBER, {H2 "HeadersFrame:FrameHeader.StreamID"}},       \
	{"HF_FLAGS", NEED_MEMBER, {H2 "HeadersFrame:FrameHeader.Flags"}}

/* grpc's TLS credentials hand the transport a *tls.Conn, or a wrapper
 * that keeps the raw conn's syscall access: either means TLS. */
/* Reading a grpc mem.Buffer: a SliceBuffer or a *mem.buffer. */
#define MEM_BUFFER_NEEDS(FILLS)                                                 \
	{"MEMBUF_DATA", NEED_MEMBER, {MEM "buffer:data"}, .optional = true, .fills = FILLS}, \
	{"ITAB_SLICEBUF", NEED_ITAB, {MEM "SliceBuffer," MEM "Buffer"}, .optional = true, .fills = FILLS}, \
	{"ITAB_MEMBUF", NEED_ITAB, {"*" MEM "buffer," MEM "Buffer"}, .optional = true, .fills = FILLS}

#define ITAB_TLS_NEED                                                           \
	{"ITAB_TLS", NEED_ITAB, {"*crypto/tls.Conn,net.Conn"}, .optional = true, .fills = FIELD_TLS}, \
	{"ITAB_TLS_WRAP", NEED_ITAB, {"*google.golang.org/grpc/internal/credentials.syscallConn,net.Conn", \
				      "*google.golang.org/grpc/credentials/internal.syscallConn,net.Conn"}, \
	 .optional = true, .fills = FIELD_TLS}

#include "probes_http.h"

const struct output_field_name output_fields[NFIELDS] = {
	{"peer", "peer"},
	{"local", "local"},
	{"TLS", "tls"},
	{"request sizes", "req_sizes"},
	{"response sizes", "resp_sizes"},
};

const struct probe_spec probe_specs[] = {
	{
		.id = "srv_hdr_in", .stack = GRPC_GO_STACK, .side = SIDE_SERVER, .role = ROLE_HDR_IN,
		.what = "request headers received",
		.funcs = {T "(*http2Server).operateHeaders"},
		.needs = {
			{"SHI_T", NEED_PARAM, {"t"}},
			{"SHI_FRAME", NEED_PARAM, {"frame"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"SRV_RADDR", NEED_MEMBER, {T "http2Server:remoteAddr", T "http2Server:peer.Addr"},
			 .optional = true, .fills = FIELD_PEER},
			{"SRV_LADDR", NEED_MEMBER, {T "http2Server:localAddr", T "http2Server:peer.LocalAddr"},
			 .optional = true, .fills = FIELD_LOCAL},
			META_HEADERS_NEEDS, HEADER_FIELD_NEEDS, TCPADDR_NEEDS, ITAB_TLS_NEED,
		},
	},
	{
		.id = "cli_hdr_in", .stack = GRPC_GO_STACK, .side = SIDE_CLIENT, .role = ROLE_HDR_IN,
		.what = "response headers and trailers received",
		.funcs = {T "(*http2Client).operateHeaders"},
		.needs = {
			{"CHI_T", NEED_PARAM, {"t"}},
			{"CHI_FRAME", NEED_PARAM, {"frame"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"CLI_RADDR", NEED_MEMBER, {T "http2Client:remoteAddr"}, .optional = true, .fills = FIELD_PEER},
			{"CLI_LADDR", NEED_MEMBER, {T "http2Client:localAddr"}, .optional = true, .fills = FIELD_LOCAL},
			META_HEADERS_NEEDS, HEADER_FIELD_NEEDS, TCPADDR_NEEDS, ITAB_TLS_NEED,
		},
	},
	{
		.id = "hdr_out", .stack = GRPC_GO_STACK, .side = SIDE_BOTH, .role = ROLE_HDR_OUT,
		.what = "headers and trailers sent",
		.funcs = {T "(*loopyWriter).writeHeader"},
		.needs = {
			{"HO_L", NEED_PARAM, {"l"}},
			{"HO_SID", NEED_PARAM, {"streamID"}},
			{"HO_END", NEED_PARAM, {"endStream"}},
			{"HO_HF_PTR", NEED_PARAM, {"hf"}, .piece = 0},
			{"HO_HF_LEN", NEED_PARAM, {"hf"}, .piece = 1},
			{"LW_SIDE", NEED_MEMBER, {T "loopyWriter:side"}},
			{"LW_FRAMER", NEED_MEMBER, {T "loopyWriter:framer"}},
			{"FRAMER_WRITER", NEED_MEMBER, {T "framer:writer"}},
			{"BW_CONN", NEED_MEMBER, {T "bufWriter:conn"}},
			HEADER_FIELD_NEEDS, ITAB_TLS_NEED,
		},
	},
	{
		.id = "cli_msg_out", .stack = GRPC_GO_STACK, .side = SIDE_CLIENT, .role = ROLE_MSG_OUT,
		.what = "message sent",
		.funcs = {T "(*http2Client).write", T "(*http2Client).Write"},
		.needs = {
			{"CMO_T", NEED_PARAM, {"t"}},
			{"CMO_S", NEED_PARAM, {"s"}},
			{"CMO_HDR_PTR", NEED_PARAM, {"hdr"}, .piece = 0},
			{"CMO_HDR_LEN", NEED_PARAM, {"hdr"}, .piece = 1},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"CMO_SID", NEED_MEMBER, {T "ClientStream:Stream.id", T "Stream:id"}},
			/* --payload only: the message bytes */
			{"CMO_DATA_PTR", NEED_PARAM, {"data"}, .piece = 0, .optional = true},
			{"CMO_DATA_LEN", NEED_PARAM, {"data"}, .piece = 1, .optional = true},
			{"CMO_DATA_BYTES", NEED_PARAM_TYPE, {"data", "[]uint8"}, .optional = true},
			MEM_BUFFER_NEEDS(0),
		},
	},
	{
		.id = "srv_msg_out", .stack = GRPC_GO_STACK, .side = SIDE_SERVER, .role = ROLE_MSG_OUT,
		.what = "message sent",
		.funcs = {T "(*http2Server).write", T "(*http2Server).Write"},
		.needs = {
			{"SMO_T", NEED_PARAM, {"t"}},
			{"SMO_S", NEED_PARAM, {"s"}},
			{"SMO_HDR_PTR", NEED_PARAM, {"hdr"}, .piece = 0},
			{"SMO_HDR_LEN", NEED_PARAM, {"hdr"}, .piece = 1},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"SMO_SID", NEED_MEMBER, {T "ServerStream:Stream.id", T "Stream:id"}},
			/* --payload only: the message bytes */
			{"SMO_DATA_PTR", NEED_PARAM, {"data"}, .piece = 0, .optional = true},
			{"SMO_DATA_LEN", NEED_PARAM, {"data"}, .piece = 1, .optional = true},
			{"SMO_DATA_BYTES", NEED_PARAM_TYPE, {"data", "[]uint8"}, .optional = true},
			MEM_BUFFER_NEEDS(0),
		},
	},
	{
		.id = "cli_data_in", .stack = GRPC_GO_STACK, .side = SIDE_CLIENT, .role = ROLE_DATA_IN,
		.what = "DATA frame received (x/net DataFrame)",
		.funcs = {T "(*http2Client).handleData"},
		.needs = {
			{"CDI_T", NEED_PARAM, {"t"}},
			{"CDI_F", NEED_PARAM, {"f"}},
			{"CDI_F_TYPE", NEED_PARAM_TYPE, {"f", "*" H2 "DataFrame"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"DF_SID", NEED_MEMBER, {H2 "DataFrame:FrameHeader.StreamID"}},
			{"DF_FLAGS", NEED_MEMBER, {H2 "DataFrame:FrameHeader.Flags"}},
			{"DF_DATA", NEED_MEMBER, {H2 "DataFrame:data"}},
		},
	},
	{
		.id = "srv_data_in", .stack = GRPC_GO_STACK, .side = SIDE_SERVER, .role = ROLE_DATA_IN,
		.what = "DATA frame received (x/net DataFrame)",
		.funcs = {T "(*http2Server).handleData"},
		.needs = {
			{"SDI_T", NEED_PARAM, {"t"}},
			{"SDI_F", NEED_PARAM, {"f"}},
			{"SDI_F_TYPE", NEED_PARAM_TYPE, {"f", "*" H2 "DataFrame"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"DF_SID", NEED_MEMBER, {H2 "DataFrame:FrameHeader.StreamID"}},
			{"DF_FLAGS", NEED_MEMBER, {H2 "DataFrame:FrameHeader.Flags"}},
			{"DF_DATA", NEED_MEMBER, {H2 "DataFrame:data"}},
		},
	},
	{
		.id = "cli_pdata_in", .stack = GRPC_GO_STACK, .side = SIDE_CLIENT, .role = ROLE_DATA_IN,
		.what = "DATA frame received (grpc parsedDataFrame)",
		.funcs = {T "(*http2Client).handleData"},
		.needs = {
			{"CPI_T", NEED_PARAM, {"t"}},
			{"CPI_F", NEED_PARAM, {"f"}},
			{"CPI_F_TYPE", NEED_PARAM_TYPE, {"f", "*" T "parsedDataFrame"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"PDF_SID", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.StreamID"}},
			{"PDF_FLAGS", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.Flags"}},
			{"PDF_DATA", NEED_MEMBER, {T "parsedDataFrame:data"}},
			MEM_BUFFER_NEEDS(FIELD_RESP_SIZES),
		},
	},
	{
		.id = "srv_pdata_in", .stack = GRPC_GO_STACK, .side = SIDE_SERVER, .role = ROLE_DATA_IN,
		.what = "DATA frame received (grpc parsedDataFrame)",
		.funcs = {T "(*http2Server).handleData"},
		.needs = {
			{"SPI_T", NEED_PARAM, {"t"}},
			{"SPI_F", NEED_PARAM, {"f"}},
			{"SPI_F_TYPE", NEED_PARAM_TYPE, {"f", "*" T "parsedDataFrame"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"PDF_SID", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.StreamID"}},
			{"PDF_FLAGS", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.Flags"}},
			{"PDF_DATA", NEED_MEMBER, {T "parsedDataFrame:data"}},
			MEM_BUFFER_NEEDS(FIELD_REQ_SIZES),
		},
	},
	{
		.id = "cli_rst_in", .stack = GRPC_GO_STACK, .side = SIDE_CLIENT, .role = ROLE_RST_IN,
		.what = "stream reset by the server (RST_STREAM)",
		.funcs = {T "(*http2Client).handleRSTStream"},
		.needs = {
			{"CRI_T", NEED_PARAM, {"t"}},
			{"CRI_F", NEED_PARAM, {"f"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"RSF_SID", NEED_MEMBER, {H2 "RSTStreamFrame:FrameHeader.StreamID"}},
			{"RSF_CODE", NEED_MEMBER, {H2 "RSTStreamFrame:ErrCode"}},
		},
	},
	{
		.id = "srv_rst_in", .stack = GRPC_GO_STACK, .side = SIDE_SERVER, .role = ROLE_RST_IN,
		.what = "stream reset by the client (RST_STREAM)",
		.funcs = {T "(*http2Server).handleRSTStream"},
		.needs = {
			{"SRI_T", NEED_PARAM, {"t"}},
			{"SRI_F", NEED_PARAM, {"f"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"RSF_SID", NEED_MEMBER, {H2 "RSTStreamFrame:FrameHeader.StreamID"}},
			{"RSF_CODE", NEED_MEMBER, {H2 "RSTStreamFrame:ErrCode"}},
		},
	},
	{
		.id = "rst_out", .stack = GRPC_GO_STACK, .side = SIDE_BOTH, .role = ROLE_RST_OUT,
		.what = "stream reset sent (RST_STREAM)",
		.funcs = {H2 "(*Framer).WriteRSTStream"},
		.needs = {
			{"RO_F", NEED_PARAM, {"f"}},
			{"RO_SID", NEED_PARAM, {"streamID"}},
			{"RO_CODE", NEED_PARAM, {"code"}},
			{"FRAMER_W", NEED_MEMBER, {H2 "Framer:w"}},
			{"ITAB_BUFWRITER", NEED_ITAB, {"*" T "bufWriter,io.Writer"}},
			{"BW_CONN", NEED_MEMBER, {T "bufWriter:conn"}},
			ITAB_TLS_NEED,
		},
	},
	{
		.id = "cli_conn_close", .stack = GRPC_GO_STACK, .side = SIDE_CLIENT, .role = ROLE_CONN_CLOSE,
		.what = "connection closed (its open calls end)",
		.funcs = {T "(*http2Client).Close"},
		.needs = {
			{"CCC_T", NEED_PARAM, {"t"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
		},
	},
	{
		.id = "srv_conn_close", .stack = GRPC_GO_STACK, .side = SIDE_SERVER, .role = ROLE_CONN_CLOSE,
		.what = "connection closed (its open calls end)",
		.funcs = {T "(*http2Server).Close"},
		.needs = {
			{"SCC_T", NEED_PARAM, {"t"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
		},
	},
	H2_PROBES("nh_", "NH_", "net/http h2", NH_SCHEMES, "vendor/golang.org/x/net/http2/hpack."),
	H2_PROBES("xh_", "XH_", "x/net h2", XH_SCHEMES, "golang.org/x/net/http2/hpack."),
	H1_PROBES,
};
const int nprobe_specs = sizeof(probe_specs) / sizeof(probe_specs[0]);
_Static_assert(sizeof(probe_specs) / sizeof(probe_specs[0]) <= MAX_PROBES,
	       "more probes than MAX_PROBES (and the BPF side's counters) allow");

const struct rule rules[] = {
	{
		.name = "grpc-go transport",
		.module = "google.golang.org/grpc",
		.markers = {T "(*loopyWriter).writeHeader"},
		.min_version = "v1.33.0",
		/* grpc-go compiles its version into its user agent. */
		.version_mark = "grpc-go/",
		.probes = {"srv_hdr_in", "cli_hdr_in", "hdr_out", "cli_msg_out", "srv_msg_out",
			   "cli_data_in", "srv_data_in", "cli_pdata_in", "srv_pdata_in",
			   "cli_rst_in", "srv_rst_in", "rst_out", "cli_conn_close", "srv_conn_close"},
	},
	{
		.name = "net/http HTTP/2",
		.module = NULL, /* the standard library: keyed by the Go release */
		/* its server or client: net/http links the bundle's Framer either way */
		.markers = {NH_SCHEMES(H2_METHOD, "serverConn", "processHeaders"),
			    NH_SCHEMES(H2_METHOD, "clientConnReadLoop", "processHeaders")},
		.probes = {NH_PROBE_IDS("nh_")},
	},
	{
		.name = "x/net HTTP/2",
		.module = "golang.org/x/net",
		/* Not the Framer or hpack alone: grpc-go uses those too, and its
		 * writes must not pay for probes that would ignore them. */
		.markers = {"golang.org/x/net/http2.(*serverConn).processHeaders",
			    "golang.org/x/net/http2.(*clientConnReadLoop).processHeaders"},
		.probes = {NH_PROBE_IDS("xh_")},
	},
	{
		.name = "net/http HTTP/1",
		.module = NULL,
		.markers = {HTTP "serverHandler.ServeHTTP", HTTP "(*persistConn).roundTrip"},
		.plain_http = true,
		.probes = {"h1_srv_start", "h1_srv_end", "h1_cli_start", "h1_cli_end"},
	},
};
const int nrules = sizeof(rules) / sizeof(rules[0]);

/* The rest of the seed document's list: shown by --inspect so the numbers
 * can be checked, read by no probe yet. */
const char *const inspect_extra_funcs[] = {
	H2 "(*Framer).WriteDataPadded",
	H2 "(*Framer).checkFrameOrder",
	HPACK "(*Encoder).WriteField",
	"vendor/" HPACK "(*Encoder).WriteField",
	NH_SCHEMES(H2_METHOD, "serverConn", "processHeaders"),
	NH_SCHEMES(H2_METHOD, "writeResHeaders", "writeFrame"),
	NH_SCHEMES(H2_METHOD, "Framer", "WriteDataPadded"),
	NH_SCHEMES(H2_METHOD, "Framer", "checkFrameOrder"),
	NULL,
};

const char *const inspect_extra_members[] = {
	H2 "Framer:w",
	H2 "FrameHeader:Type",
	H2 "FrameHeader:Flags",
	H2 "FrameHeader:StreamID",
	H2 "HeadersFrame:FrameHeader",
	NH_SCHEMES(H2_MEMBER, "serverConn", "conn"),
	NH_SCHEMES(H2_MEMBER, "serverConn", "hpackEncoder"),
	NH_SCHEMES(H2_EMBED, "HeadersFrame", "FrameHeader", ""),
	NH_SCHEMES(H2_MEMBER, "FrameHeader", "Type"),
	NH_SCHEMES(H2_MEMBER, "FrameHeader", "Flags"),
	NH_SCHEMES(H2_MEMBER, "FrameHeader", "StreamID"),
	NH_SCHEMES(H2_MEMBER, "DataFrame", "data"),
	NH_SCHEMES(H2_MEMBER, "writeResHeaders", "streamID"),
	NH_SCHEMES(H2_MEMBER, "writeResHeaders", "endStream"),
	NH_SCHEMES(H2_EMBED, "MetaHeadersFrame", "HeadersFrame", ""),
	NH_SCHEMES(H2_MEMBER, "MetaHeadersFrame", "Fields"),
	NH_SCHEMES(H2_MEMBER, "Framer", "w"),
	NH_SCHEMES(H2_MEMBER, "bufferedWriter", "w"),
	NULL,
};

const char *const inspect_extra_itabs[] = {
	"*net.TCPConn,net.Conn",
	"*net/http.http2bufferedWriter,io.Writer",
	"*net/http/internal/http2.bufferedWriter,io.Writer",
	"*" T "bufWriter,io.Writer",
	NULL,
};

const char *probe_side__name(int side)
{
	return side == SIDE_SERVER ? "server" : side == SIDE_CLIENT ? "client" : "both sides";
}

const struct probe_spec *probe_spec__find(const char *id)
{
	for (int i = 0; i < nprobe_specs; i++)
		if (strcmp(probe_specs[i].id, id) == 0)
			return &probe_specs[i];
	return NULL;
}
