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

/* Needs to read a peer address out of a net.Addr holding a *net.TCPAddr. */
#define TCPADDR_NEEDS                                                           \
	{"TCPADDR_IP", NEED_MEMBER, {"net.TCPAddr:IP"}, .optional = true},        \
	{"TCPADDR_PORT", NEED_MEMBER, {"net.TCPAddr:Port"}, .optional = true},    \
	{"ITAB_TCPADDR", NEED_ITAB, {"*net.TCPAddr,net.Addr"}, .optional = true}

#define META_HEADERS_NEEDS                                                      \
	{"MHF_HF", NEED_MEMBER, {H2 "MetaHeadersFrame:HeadersFrame"}},           \
	{"MHF_FIELDS", NEED_MEMBER, {H2 "MetaHeadersFrame:Fields"}},             \
	{"MHF_TRUNC", NEED_MEMBER, {H2 "MetaHeadersFrame:Truncated"}, .optional = true}, \
	{"HF_SID", NEED_MEMBER, {H2 "HeadersFrame:FrameHeader.StreamID"}},       \
	{"HF_FLAGS", NEED_MEMBER, {H2 "HeadersFrame:FrameHeader.Flags"}}

/* grpc's TLS credentials hand the transport a *tls.Conn, or a wrapper
 * that keeps the raw conn's syscall access: either means TLS. */
/* Reading a grpc mem.Buffer: a SliceBuffer or a *mem.buffer. */
#define MEM_BUFFER_NEEDS                                                        \
	{"MEMBUF_DATA", NEED_MEMBER, {MEM "buffer:data"}, .optional = true},     \
	{"ITAB_SLICEBUF", NEED_ITAB, {MEM "SliceBuffer," MEM "Buffer"}, .optional = true}, \
	{"ITAB_MEMBUF", NEED_ITAB, {"*" MEM "buffer," MEM "Buffer"}, .optional = true}

#define ITAB_TLS_NEED                                                           \
	{"ITAB_TLS", NEED_ITAB, {"*crypto/tls.Conn,net.Conn"}, .optional = true}, \
	{"ITAB_TLS_WRAP", NEED_ITAB, {"*google.golang.org/grpc/internal/credentials.syscallConn,net.Conn", \
				      "*google.golang.org/grpc/credentials/internal.syscallConn,net.Conn"}, .optional = true}

/* ---- HTTP/2 through net/http's bundled copy (NH) and golang.org/x/net/http2
 * (XH): the same code under two names. PKG is the package, PFX the bundle's
 * prefix of its type names, MP our macro prefix, HP the hpack package.
 * Connections are keyed by their serverConn or ClientConn; the Framer and
 * the hpack Encoder of each are mapped to it at run time. */

/* Peer and local address, and TLS, of any net.Conn: a *net.TCPConn, or a
 * *tls.Conn around one, either perhaps inside x/net h2c's bufConn. */
#define CONN_ADDR_NEEDS                                                            \
	{"ITAB_TCPCONN", NEED_ITAB, {"*net.TCPConn,net.Conn"}, .optional = true},    \
	{"TCPCONN_FD", NEED_MEMBER, {"net.TCPConn:conn.fd"}, .optional = true},      \
	{"NETFD_RADDR", NEED_MEMBER, {"net.netFD:raddr"}, .optional = true},         \
	{"NETFD_LADDR", NEED_MEMBER, {"net.netFD:laddr"}, .optional = true},         \
	{"ITAB_TLSCONN", NEED_ITAB, {"*crypto/tls.Conn,net.Conn"}, .optional = true}, \
	{"TLSCONN_CONN", NEED_MEMBER, {"crypto/tls.Conn:conn"}, .optional = true},   \
	/* h2c's wrapper: bufConn, rwConn before x/net of 2021 */                  \
	{"ITAB_H2C_BUFCONN", NEED_ITAB, {"*golang.org/x/net/http2/h2c.bufConn,net.Conn", \
					 "*golang.org/x/net/http2/h2c.rwConn,net.Conn"}, .optional = true}, \
	{"H2C_BUFCONN_CONN", NEED_MEMBER, {"golang.org/x/net/http2/h2c.bufConn:Conn", \
					   "golang.org/x/net/http2/h2c.rwConn:Conn"}, .optional = true}, \
	TCPADDR_NEEDS

#define H2_FIELD_NEEDS(MP, HP)                                                   \
	{MP "FIELD_SIZE", NEED_SIZE, {HP "HeaderField"}},                          \
	{MP "FIELD_NAME", NEED_MEMBER, {HP "HeaderField:Name"}},                   \
	{MP "FIELD_VALUE", NEED_MEMBER, {HP "HeaderField:Value"}}

#define H2_META_NEEDS(MP, PKG, PFX)                                              \
	{MP "MHF_HF", NEED_MEMBER, {PKG PFX "MetaHeadersFrame:" PFX "HeadersFrame"}}, \
	{MP "MHF_FIELDS", NEED_MEMBER, {PKG PFX "MetaHeadersFrame:Fields"}},      \
	{MP "MHF_TRUNC", NEED_MEMBER, {PKG PFX "MetaHeadersFrame:Truncated"}, .optional = true}, \
	{MP "HF_SID", NEED_MEMBER, {PKG PFX "HeadersFrame:" PFX "FrameHeader.StreamID"}}, \
	{MP "HF_FLAGS", NEED_MEMBER, {PKG PFX "HeadersFrame:" PFX "FrameHeader.Flags"}}

#define H2_DATA_NEEDS(MP, PKG, PFX)                                              \
	{MP "DF_SID", NEED_MEMBER, {PKG PFX "DataFrame:" PFX "FrameHeader.StreamID"}}, \
	{MP "DF_FLAGS", NEED_MEMBER, {PKG PFX "DataFrame:" PFX "FrameHeader.Flags"}}, \
	{MP "DF_DATA", NEED_MEMBER, {PKG PFX "DataFrame:data"}}

#define H2_RST_NEEDS(MP, PKG, PFX)                                               \
	{MP "RSF_SID", NEED_MEMBER, {PKG PFX "RSTStreamFrame:" PFX "FrameHeader.StreamID"}}, \
	{MP "RSF_CODE", NEED_MEMBER, {PKG PFX "RSTStreamFrame:ErrCode"}}

#define H2_PROBES(ID, MP, STACK, PKG, PFX, HP)                                   \
	{                                                                          \
		.id = ID "srv_hdr_in", .stack = STACK, .opens_calls = true,        \
		.what = "server: request headers and trailers received",          \
		.funcs = {PKG "(*" PFX "serverConn).processHeaders"},             \
		.needs = {                                                         \
			{MP "SHI_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SHI_F", NEED_PARAM, {"f"}},                           \
			{MP "SC_CONN", NEED_MEMBER, {PKG PFX "serverConn:conn"}},  \
			{MP "SC_FRAMER", NEED_MEMBER, {PKG PFX "serverConn:framer"}}, \
			H2_META_NEEDS(MP, PKG, PFX), H2_FIELD_NEEDS(MP, HP), CONN_ADDR_NEEDS, \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_hdr_out", .stack = STACK,                            \
		.what = "server: response headers and trailers sent (start)",     \
		.funcs = {PKG "(*" PFX "writeResHeaders).writeFrame"},            \
		.needs = {                                                         \
			{MP "SHO_W", NEED_PARAM, {"w"}},                           \
			{MP "SHO_CTX_TAB", NEED_PARAM, {"ctx"}, .piece = 0},       \
			{MP "SHO_CTX_DATA", NEED_PARAM, {"ctx"}, .piece = 1},      \
			{MP "ITAB_SC_WCTX", NEED_ITAB, {"*" PKG PFX "serverConn," PKG PFX "writeContext"}}, \
			{MP "WRH_SID", NEED_MEMBER, {PKG PFX "writeResHeaders:streamID"}}, \
			{MP "WRH_CODE", NEED_MEMBER, {PKG PFX "writeResHeaders:httpResCode"}}, \
			{MP "WRH_END", NEED_MEMBER, {PKG PFX "writeResHeaders:endStream"}}, \
			{MP "SC_ENC", NEED_MEMBER, {PKG PFX "serverConn:hpackEncoder"}}, \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_data_in", .stack = STACK,                            \
		.what = "server: DATA frame received",                             \
		.funcs = {PKG "(*" PFX "serverConn).processData"},                \
		.needs = {                                                         \
			{MP "SDI_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SDI_F", NEED_PARAM, {"f"}},                           \
			H2_DATA_NEEDS(MP, PKG, PFX),                               \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_rst_in", .stack = STACK,                             \
		.what = "server: stream reset by the client (RST_STREAM)",        \
		.funcs = {PKG "(*" PFX "serverConn).processResetStream"},         \
		.needs = {                                                         \
			{MP "SRI_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SRI_F", NEED_PARAM, {"f"}},                           \
			H2_RST_NEEDS(MP, PKG, PFX),                                \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_hdr_out", .stack = STACK, .opens_calls = true,       \
		.what = "client: request headers sent (start)",                   \
		.funcs = {PKG "(*" PFX "clientStream).encodeAndWriteHeaders"},    \
		.needs = {                                                         \
			{MP "CHO_CS", NEED_PARAM, {"cs"}},                         \
			{MP "CS_CC", NEED_MEMBER, {PKG PFX "clientStream:cc"}},    \
			{MP "CS_ID", NEED_MEMBER, {PKG PFX "clientStream:ID"}},    \
			{MP "CC_TCONN", NEED_MEMBER, {PKG PFX "ClientConn:tconn"}}, \
			{MP "CC_FR", NEED_MEMBER, {PKG PFX "ClientConn:fr"}},      \
			{MP "CC_HENC", NEED_MEMBER, {PKG PFX "ClientConn:henc"}},  \
			CONN_ADDR_NEEDS,                                           \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_hdr_in", .stack = STACK,                             \
		.what = "client: response headers and trailers received",         \
		.funcs = {PKG "(*" PFX "clientConnReadLoop).processHeaders"},     \
		.needs = {                                                         \
			{MP "CHI_RL", NEED_PARAM, {"rl"}},                         \
			{MP "CHI_F", NEED_PARAM, {"f"}},                           \
			{MP "RL_CC", NEED_MEMBER, {PKG PFX "clientConnReadLoop:cc"}}, \
			H2_META_NEEDS(MP, PKG, PFX), H2_FIELD_NEEDS(MP, HP),       \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_data_in", .stack = STACK,                            \
		.what = "client: DATA frame received",                             \
		.funcs = {PKG "(*" PFX "clientConnReadLoop).processData"},        \
		.needs = {                                                         \
			{MP "CDI_RL", NEED_PARAM, {"rl"}},                         \
			{MP "CDI_F", NEED_PARAM, {"f"}},                           \
			{MP "RL_CC", NEED_MEMBER, {PKG PFX "clientConnReadLoop:cc"}}, \
			H2_DATA_NEEDS(MP, PKG, PFX),                               \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_rst_in", .stack = STACK,                             \
		.what = "client: stream reset by the server (RST_STREAM)",        \
		.funcs = {PKG "(*" PFX "clientConnReadLoop).processResetStream"}, \
		.needs = {                                                         \
			{MP "CRI_RL", NEED_PARAM, {"rl"}},                         \
			{MP "CRI_F", NEED_PARAM, {"f"}},                           \
			{MP "RL_CC", NEED_MEMBER, {PKG PFX "clientConnReadLoop:cc"}}, \
			H2_RST_NEEDS(MP, PKG, PFX),                                \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "data_out", .stack = STACK,                               \
		.what = "both sides: DATA frame sent",                             \
		.funcs = {PKG "(*" PFX "Framer).startWriteDataPadded",             \
			  PKG "(*" PFX "Framer).WriteDataPadded"},                 \
		.needs = {                                                         \
			{MP "DO_F", NEED_PARAM, {"f"}},                            \
			{MP "DO_SID", NEED_PARAM, {"streamID"}},                   \
			{MP "DO_END", NEED_PARAM, {"endStream"}},                  \
			{MP "DO_DATA_PTR", NEED_PARAM, {"data"}, .piece = 0},      \
			{MP "DO_DATA_LEN", NEED_PARAM, {"data"}, .piece = 1},      \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "rst_out", .stack = STACK,                                \
		.what = "both sides: stream reset sent (RST_STREAM)",             \
		.funcs = {PKG "(*" PFX "Framer).WriteRSTStream"},                 \
		.needs = {                                                         \
			{MP "RSO_F", NEED_PARAM, {"f"}},                           \
			{MP "RSO_SID", NEED_PARAM, {"streamID"}},                  \
			{MP "RSO_CODE", NEED_PARAM, {"code"}},                     \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "field_out", .stack = STACK,                              \
		.what = "both sides: one header field sent (hpack encoder)",      \
		.funcs = {HP "(*Encoder).WriteField"},                             \
		.needs = {                                                         \
			{MP "FO_E", NEED_PARAM, {"e"}},                            \
			{MP "FO_NAME_PTR", NEED_PARAM, {"f"}, .piece = 0},         \
			{MP "FO_NAME_LEN", NEED_PARAM, {"f"}, .piece = 1},         \
			{MP "FO_VALUE_PTR", NEED_PARAM, {"f"}, .piece = 2},        \
			{MP "FO_VALUE_LEN", NEED_PARAM, {"f"}, .piece = 3},        \
		},                                                                 \
	}

/* ---- HTTP/1.x through net/http ---- */
#define HTTP "net/http."

#define H1_REQUEST_NEEDS                                                         \
	{"REQ_METHOD", NEED_MEMBER, {HTTP "Request:Method"}},                     \
	{"REQ_URL", NEED_MEMBER, {HTTP "Request:URL"}},                           \
	{"URL_PATH", NEED_MEMBER, {"net/url.URL:Path"}},                         \
	{"REQ_HOST", NEED_MEMBER, {HTTP "Request:Host"}},                         \
	{"REQ_LEN", NEED_MEMBER, {HTTP "Request:ContentLength"}}

#define H1_PROBES                                                                \
	{                                                                          \
		.id = "h1_srv_start", .stack = "net/http h1", .opens_calls = true,  \
		.what = "server: HTTP/1.x request handed to its handler",         \
		.funcs = {HTTP "serverHandler.ServeHTTP"},                         \
		.needs = {                                                         \
			{"H1S_RW_TAB", NEED_PARAM, {"rw"}, .piece = 0},            \
			{"H1S_RW_DATA", NEED_PARAM, {"rw"}, .piece = 1},           \
			{"H1S_REQ", NEED_PARAM, {"req"}},                          \
			{"ITAB_H1_RESPONSE", NEED_ITAB, {"*" HTTP "response," HTTP "ResponseWriter"}}, \
			{"REQ_REMOTE", NEED_MEMBER, {HTTP "Request:RemoteAddr"}},  \
			{"REQ_TLS", NEED_MEMBER, {HTTP "Request:TLS"}},            \
			{"RESP_CONN", NEED_MEMBER, {HTTP "response:conn"}, .optional = true}, \
			{"CONN_RWC", NEED_MEMBER, {HTTP "conn:rwc"}, .optional = true}, \
			H1_REQUEST_NEEDS, CONN_ADDR_NEEDS,                         \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = "h1_srv_end", .stack = "net/http h1",                         \
		.what = "server: HTTP/1.x handler done (status, body bytes)",     \
		.funcs = {HTTP "(*response).finishRequest"},                       \
		.needs = {                                                         \
			{"H1E_W", NEED_PARAM, {"w"}},                              \
			{"RESP_STATUS", NEED_MEMBER, {HTTP "response:status"}},    \
			{"RESP_WRITTEN", NEED_MEMBER, {HTTP "response:written"}},  \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = "h1_cli_start", .stack = "net/http h1", .opens_calls = true,  \
		.what = "client: HTTP/1.x request sent on a connection",          \
		.funcs = {HTTP "(*persistConn).roundTrip"},                        \
		.needs = {                                                         \
			{"H1C_PC", NEED_PARAM, {"pc"}},                            \
			{"H1C_TREQ", NEED_PARAM, {"req"}},                         \
			{"TREQ_REQ", NEED_MEMBER, {HTTP "transportRequest:Request"}}, \
			{"PC_CONN", NEED_MEMBER, {HTTP "persistConn:conn"}},       \
			{"REQ_BODY", NEED_MEMBER, {HTTP "Request:Body"}},          \
			{"ITAB_NOBODY", NEED_ITAB, {HTTP "noBody,io.ReadCloser"}, .optional = true}, \
			H1_REQUEST_NEEDS, CONN_ADDR_NEEDS,                         \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = "h1_cli_end", .stack = "net/http h1", .at_returns = true,    \
		.what = "client: HTTP/1.x response read (at each return)",        \
		.funcs = {HTTP "ReadResponse"},                                    \
		.needs = {                                                         \
			{"RSP_STATUS", NEED_MEMBER, {HTTP "Response:StatusCode"}}, \
			{"RSP_LEN", NEED_MEMBER, {HTTP "Response:ContentLength"}}, \
			{"RSP_REQ", NEED_MEMBER, {HTTP "Response:Request"}},       \
		},                                                                 \
	}

#define NH_PROBE_IDS(ID)                                                         \
	ID "srv_hdr_in", ID "srv_hdr_out", ID "srv_data_in", ID "srv_rst_in",    \
	ID "cli_hdr_out", ID "cli_hdr_in", ID "cli_data_in", ID "cli_rst_in",    \
	ID "data_out", ID "rst_out", ID "field_out"

const struct probe_spec probe_specs[] = {
	{
		.id = "srv_hdr_in",
		.what = "server: request headers received",
		.funcs = {T "(*http2Server).operateHeaders"},
		.needs = {
			{"SHI_T", NEED_PARAM, {"t"}},
			{"SHI_FRAME", NEED_PARAM, {"frame"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"SRV_RADDR", NEED_MEMBER, {T "http2Server:remoteAddr", T "http2Server:peer.Addr"}, .optional = true},
			{"SRV_LADDR", NEED_MEMBER, {T "http2Server:localAddr", T "http2Server:peer.LocalAddr"}, .optional = true},
			META_HEADERS_NEEDS, HEADER_FIELD_NEEDS, TCPADDR_NEEDS, ITAB_TLS_NEED,
		},
	},
	{
		.id = "cli_hdr_in",
		.what = "client: response headers and trailers received",
		.funcs = {T "(*http2Client).operateHeaders"},
		.needs = {
			{"CHI_T", NEED_PARAM, {"t"}},
			{"CHI_FRAME", NEED_PARAM, {"frame"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"CLI_RADDR", NEED_MEMBER, {T "http2Client:remoteAddr"}, .optional = true},
			{"CLI_LADDR", NEED_MEMBER, {T "http2Client:localAddr"}, .optional = true},
			META_HEADERS_NEEDS, HEADER_FIELD_NEEDS, TCPADDR_NEEDS, ITAB_TLS_NEED,
		},
	},
	{
		.id = "hdr_out",
		.what = "both sides: headers and trailers sent",
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
		.id = "cli_msg_out",
		.what = "client: message sent",
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
			MEM_BUFFER_NEEDS,
		},
	},
	{
		.id = "srv_msg_out",
		.what = "server: message sent",
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
			MEM_BUFFER_NEEDS,
		},
	},
	{
		.id = "cli_data_in",
		.what = "client: DATA frame received (x/net DataFrame)",
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
		.id = "srv_data_in",
		.what = "server: DATA frame received (x/net DataFrame)",
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
		.id = "cli_pdata_in",
		.what = "client: DATA frame received (grpc parsedDataFrame)",
		.funcs = {T "(*http2Client).handleData"},
		.needs = {
			{"CPI_T", NEED_PARAM, {"t"}},
			{"CPI_F", NEED_PARAM, {"f"}},
			{"CPI_F_TYPE", NEED_PARAM_TYPE, {"f", "*" T "parsedDataFrame"}},
			{"CLI_CONN", NEED_MEMBER, {T "http2Client:conn"}},
			{"PDF_SID", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.StreamID"}},
			{"PDF_FLAGS", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.Flags"}},
			{"PDF_DATA", NEED_MEMBER, {T "parsedDataFrame:data"}},
			MEM_BUFFER_NEEDS,
		},
	},
	{
		.id = "srv_pdata_in",
		.what = "server: DATA frame received (grpc parsedDataFrame)",
		.funcs = {T "(*http2Server).handleData"},
		.needs = {
			{"SPI_T", NEED_PARAM, {"t"}},
			{"SPI_F", NEED_PARAM, {"f"}},
			{"SPI_F_TYPE", NEED_PARAM_TYPE, {"f", "*" T "parsedDataFrame"}},
			{"SRV_CONN", NEED_MEMBER, {T "http2Server:conn"}},
			{"PDF_SID", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.StreamID"}},
			{"PDF_FLAGS", NEED_MEMBER, {T "parsedDataFrame:FrameHeader.Flags"}},
			{"PDF_DATA", NEED_MEMBER, {T "parsedDataFrame:data"}},
			MEM_BUFFER_NEEDS,
		},
	},
	{
		.id = "cli_rst_in",
		.what = "client: stream reset by the server (RST_STREAM)",
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
		.id = "srv_rst_in",
		.what = "server: stream reset by the client (RST_STREAM)",
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
		.id = "rst_out",
		.what = "both sides: stream reset sent (RST_STREAM)",
		.funcs = {H2 "(*Framer).WriteRSTStream"},
		.needs = {
			{"RO_F", NEED_PARAM, {"f"}},
			{"RO_SID", NEED_PARAM, {"streamID"}},
			{"RO_CODE", NEED_PARAM, {"code"}},
			{"FRAMER_W", NEED_MEMBER, {H2 "Framer:w"}},
			{"ITAB_BUFWRITER", NEED_ITAB, {"*" T "bufWriter,io.Writer"}},
			{"BW_CONN", NEED_MEMBER, {T "bufWriter:conn"}},
		},
	},
	H2_PROBES("nh_", "NH_", "net/http h2", "net/http.", "http2", "vendor/golang.org/x/net/http2/hpack."),
	H2_PROBES("xh_", "XH_", "x/net h2", "golang.org/x/net/http2.", "", "golang.org/x/net/http2/hpack."),
	H1_PROBES,
};
const int nprobe_specs = sizeof(probe_specs) / sizeof(probe_specs[0]);

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
			   "cli_rst_in", "srv_rst_in", "rst_out"},
	},
	{
		.name = "net/http HTTP/2",
		.module = NULL, /* the standard library: keyed by the Go release */
		/* its server or client: net/http links the bundle's Framer either way */
		.markers = {"net/http.(*http2serverConn).processHeaders",
			    "net/http.(*http2clientConnReadLoop).processHeaders"},
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
	"net/http.(*http2serverConn).processHeaders",
	"net/http.(*http2writeResHeaders).writeFrame",
	"net/http.(*http2Framer).WriteDataPadded",
	"net/http.(*http2Framer).checkFrameOrder",
	NULL,
};

const char *const inspect_extra_members[] = {
	H2 "Framer:w",
	H2 "FrameHeader:Type",
	H2 "FrameHeader:Flags",
	H2 "FrameHeader:StreamID",
	H2 "HeadersFrame:FrameHeader",
	"net/http.http2serverConn:conn",
	"net/http.http2serverConn:hpackEncoder",
	"net/http.http2HeadersFrame:http2FrameHeader",
	"net/http.http2FrameHeader:Type",
	"net/http.http2FrameHeader:Flags",
	"net/http.http2FrameHeader:StreamID",
	"net/http.http2DataFrame:data",
	"net/http.http2writeResHeaders:streamID",
	"net/http.http2writeResHeaders:endStream",
	"net/http.http2MetaHeadersFrame:http2HeadersFrame",
	"net/http.http2MetaHeadersFrame:Fields",
	"net/http.http2Framer:w",
	"net/http.http2bufferedWriter:w",
	NULL,
};

const char *const inspect_extra_itabs[] = {
	"*net.TCPConn,net.Conn",
	"*net/http.http2bufferedWriter,io.Writer",
	"*" T "bufWriter,io.Writer",
	NULL,
};

const struct probe_spec *probe_spec__find(const char *id)
{
	for (int i = 0; i < nprobe_specs; i++)
		if (strcmp(probe_specs[i].id, id) == 0)
			return &probe_specs[i];
	return NULL;
}
