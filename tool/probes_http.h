/* probes_http.h - the probes of the HTTP stacks (net/http's HTTP/2 and
 * HTTP/1.x, golang.org/x/net/http2) as initializer macros for the table in
 * probes.c, which alone includes this file. It needs probes.c's
 * TCPADDR_NEEDS and PEER_LOCAL. */
#ifndef PROBES_HTTP_H
#define PROBES_HTTP_H

/* ---- HTTP/2 through net/http's copy (NH) and golang.org/x/net/http2 (XH):
 * the same code under other names. A stack's names come from its naming
 * schemes S: S(BUILDER, args) spells one name in each scheme, the first
 * found in a binary wins. net/http bundled the code into its own package
 * with an "http2" prefix on every type up to Go 1.26, and moved it to
 * net/http/internal/http2 in Go 1.27. MP is our macro prefix, HP the hpack
 * package. Connections are keyed by their serverConn or ClientConn; the
 * Framer and the hpack Encoder of each are mapped to it at run time. */
#define NH_SCHEMES(B, ...) B("net/http.", "http2", __VA_ARGS__), B("net/http/internal/http2.", "", __VA_ARGS__)
#define XH_SCHEMES(B, ...) B("golang.org/x/net/http2.", "", __VA_ARGS__)

/* Name builders: PKG is a scheme's package, PFX its prefix of type names. */
#define H2_TYPE(PKG, PFX, t) PKG PFX t
#define H2_METHOD(PKG, PFX, recv, m) PKG "(*" PFX recv ")." m
#define H2_MEMBER(PKG, PFX, t, path) PKG PFX t ":" path
#define H2_EMBED(PKG, PFX, t, e, rest) PKG PFX t ":" PFX e rest /* an embedded type's field */
#define H2_ITAB(PKG, PFX, c, i) "*" PKG PFX c "," PKG PFX i

/* Peer and local address, and TLS, of a net.Conn: a *net.TCPConn or a
 * *net.UnixConn, perhaps inside a *tls.Conn, x/net h2c's bufConn or a
 * wrapper the binary has (render.c's CONN_WRAP_n). */
#define CONN_ADDR_NEEDS                                                            \
	{"ITAB_TCPCONN", NEED_ITAB, {"*net.TCPConn,net.Conn"}, .optional = true, .fills = PEER_LOCAL}, \
	{"TCPCONN_FD", NEED_MEMBER, {"net.TCPConn:conn.fd"}, .optional = true, .fills = PEER_LOCAL}, \
	{"NETFD_RADDR", NEED_MEMBER, {"net.netFD:raddr"}, .optional = true, .fills = FIELD_PEER}, \
	{"NETFD_LADDR", NEED_MEMBER, {"net.netFD:laddr"}, .optional = true, .fills = FIELD_LOCAL}, \
	{"ITAB_TLSCONN", NEED_ITAB, {"*crypto/tls.Conn,net.Conn"}, .optional = true,      \
	 .fills = FIELD_TLS | PEER_LOCAL},                                          \
	{"TLSCONN_CONN", NEED_MEMBER, {"crypto/tls.Conn:conn"}, .optional = true, .fills = PEER_LOCAL}, \
	{"ITAB_UNIXCONN", NEED_ITAB, {"*net.UnixConn,net.Conn"}, .optional = true},        \
	{"UNIXCONN_FD", NEED_MEMBER, {"net.UnixConn:conn.fd"}, .optional = true},            \
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

#define H2_META_NEEDS(MP, S)                                              \
	{MP "MHF_HF", NEED_MEMBER, {S(H2_EMBED, "MetaHeadersFrame", "HeadersFrame", "")}}, \
	{MP "MHF_FIELDS", NEED_MEMBER, {S(H2_MEMBER, "MetaHeadersFrame", "Fields")}},      \
	{MP "MHF_TRUNC", NEED_MEMBER, {S(H2_MEMBER, "MetaHeadersFrame", "Truncated")}, .optional = true}, \
	{MP "HF_SID", NEED_MEMBER, {S(H2_EMBED, "HeadersFrame", "FrameHeader", ".StreamID")}}, \
	{MP "HF_FLAGS", NEED_MEMBER, {S(H2_EMBED, "HeadersFrame", "FrameHeader", ".Flags")}}

#define H2_DATA_NEEDS(MP, S)                                              \
	{MP "DF_SID", NEED_MEMBER, {S(H2_EMBED, "DataFrame", "FrameHeader", ".StreamID")}}, \
	{MP "DF_FLAGS", NEED_MEMBER, {S(H2_EMBED, "DataFrame", "FrameHeader", ".Flags")}}, \
	{MP "DF_DATA", NEED_MEMBER, {S(H2_MEMBER, "DataFrame", "data")}}

#define H2_RST_NEEDS(MP, S)                                               \
	{MP "RSF_SID", NEED_MEMBER, {S(H2_EMBED, "RSTStreamFrame", "FrameHeader", ".StreamID")}}, \
	{MP "RSF_CODE", NEED_MEMBER, {S(H2_MEMBER, "RSTStreamFrame", "ErrCode")}}

#define H2_PROBES(ID, MP, STACK, S, HP)                                   \
	{                                                                          \
		.id = ID "srv_hdr_in", .stack = STACK, .opens_calls = true,        \
		.side = SIDE_SERVER, .role = ROLE_HDR_IN,                          \
		.what = "request headers and trailers received",                   \
		.funcs = {S(H2_METHOD, "serverConn", "processHeaders")},             \
		.needs = {                                                         \
			{MP "SHI_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SHI_F", NEED_PARAM, {"f"}},                           \
			{MP "SC_CONN", NEED_MEMBER, {S(H2_MEMBER, "serverConn", "conn")}},  \
			{MP "SC_FRAMER", NEED_MEMBER, {S(H2_MEMBER, "serverConn", "framer")}}, \
			H2_META_NEEDS(MP, S), H2_FIELD_NEEDS(MP, HP), CONN_ADDR_NEEDS, \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_hdr_out", .stack = STACK,                            \
		.side = SIDE_SERVER, .role = ROLE_HDR_OUT,                         \
		.what = "response headers and trailers sent (start)",              \
		.funcs = {S(H2_METHOD, "writeResHeaders", "writeFrame")},            \
		.needs = {                                                         \
			{MP "SHO_W", NEED_PARAM, {"w"}},                           \
			{MP "SHO_CTX_TAB", NEED_PARAM, {"ctx"}, .piece = 0},       \
			{MP "SHO_CTX_DATA", NEED_PARAM, {"ctx"}, .piece = 1},      \
			{MP "ITAB_SC_WCTX", NEED_ITAB, {S(H2_ITAB, "serverConn", "writeContext")}}, \
			{MP "WRH_SID", NEED_MEMBER, {S(H2_MEMBER, "writeResHeaders", "streamID")}}, \
			{MP "WRH_CODE", NEED_MEMBER, {S(H2_MEMBER, "writeResHeaders", "httpResCode")}}, \
			{MP "WRH_END", NEED_MEMBER, {S(H2_MEMBER, "writeResHeaders", "endStream")}}, \
			{MP "SC_ENC", NEED_MEMBER, {S(H2_MEMBER, "serverConn", "hpackEncoder")}}, \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_data_in", .stack = STACK,                            \
		.side = SIDE_SERVER, .role = ROLE_DATA_IN,                         \
		.what = "DATA frame received",                                     \
		.funcs = {S(H2_METHOD, "serverConn", "processData")},                \
		.needs = {                                                         \
			{MP "SDI_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SDI_F", NEED_PARAM, {"f"}},                           \
			H2_DATA_NEEDS(MP, S),                               \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_rst_in", .stack = STACK,                             \
		.side = SIDE_SERVER, .role = ROLE_RST_IN,                          \
		.what = "stream reset by the client (RST_STREAM)",                 \
		.funcs = {S(H2_METHOD, "serverConn", "processResetStream")},         \
		.needs = {                                                         \
			{MP "SRI_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SRI_F", NEED_PARAM, {"f"}},                           \
			H2_RST_NEEDS(MP, S),                                \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_hdr_out", .stack = STACK, .opens_calls = true,       \
		.side = SIDE_CLIENT, .role = ROLE_HDR_OUT,                         \
		.what = "request headers sent (start)",                            \
		.funcs = {S(H2_METHOD, "clientStream", "encodeAndWriteHeaders")},    \
		.needs = {                                                         \
			{MP "CHO_CS", NEED_PARAM, {"cs"}},                         \
			{MP "CS_CC", NEED_MEMBER, {S(H2_MEMBER, "clientStream", "cc")}},    \
			{MP "CS_ID", NEED_MEMBER, {S(H2_MEMBER, "clientStream", "ID")}},    \
			{MP "CC_TCONN", NEED_MEMBER, {S(H2_MEMBER, "ClientConn", "tconn")}}, \
			{MP "CC_FR", NEED_MEMBER, {S(H2_MEMBER, "ClientConn", "fr")}},      \
			{MP "CC_HENC", NEED_MEMBER, {S(H2_MEMBER, "ClientConn", "henc")}},  \
			CONN_ADDR_NEEDS,                                           \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_hdr_in", .stack = STACK,                             \
		.side = SIDE_CLIENT, .role = ROLE_HDR_IN,                          \
		.what = "response headers and trailers received",                  \
		.funcs = {S(H2_METHOD, "clientConnReadLoop", "processHeaders")},     \
		.needs = {                                                         \
			{MP "CHI_RL", NEED_PARAM, {"rl"}},                         \
			{MP "CHI_F", NEED_PARAM, {"f"}},                           \
			{MP "RL_CC", NEED_MEMBER, {S(H2_MEMBER, "clientConnReadLoop", "cc")}}, \
			H2_META_NEEDS(MP, S), H2_FIELD_NEEDS(MP, HP),       \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_data_in", .stack = STACK,                            \
		.side = SIDE_CLIENT, .role = ROLE_DATA_IN,                         \
		.what = "DATA frame received",                                     \
		.funcs = {S(H2_METHOD, "clientConnReadLoop", "processData")},        \
		.needs = {                                                         \
			{MP "CDI_RL", NEED_PARAM, {"rl"}},                         \
			{MP "CDI_F", NEED_PARAM, {"f"}},                           \
			{MP "RL_CC", NEED_MEMBER, {S(H2_MEMBER, "clientConnReadLoop", "cc")}}, \
			H2_DATA_NEEDS(MP, S),                               \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_rst_in", .stack = STACK,                             \
		.side = SIDE_CLIENT, .role = ROLE_RST_IN,                          \
		.what = "stream reset by the server (RST_STREAM)",                 \
		.funcs = {S(H2_METHOD, "clientConnReadLoop", "processResetStream")}, \
		.needs = {                                                         \
			{MP "CRI_RL", NEED_PARAM, {"rl"}},                         \
			{MP "CRI_F", NEED_PARAM, {"f"}},                           \
			{MP "RL_CC", NEED_MEMBER, {S(H2_MEMBER, "clientConnReadLoop", "cc")}}, \
			H2_RST_NEEDS(MP, S),                                \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "data_out", .stack = STACK,                               \
		.side = SIDE_BOTH, .role = ROLE_DATA_OUT,                          \
		.what = "DATA frame sent",                                         \
		.funcs = {S(H2_METHOD, "Framer", "startWriteDataPadded"),             \
			  S(H2_METHOD, "Framer", "WriteDataPadded")},                 \
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
		.side = SIDE_BOTH, .role = ROLE_RST_OUT,                           \
		.what = "stream reset sent (RST_STREAM)",                          \
		.funcs = {S(H2_METHOD, "Framer", "WriteRSTStream")},                 \
		.needs = {                                                         \
			{MP "RSO_F", NEED_PARAM, {"f"}},                           \
			{MP "RSO_SID", NEED_PARAM, {"streamID"}},                  \
			{MP "RSO_CODE", NEED_PARAM, {"code"}},                     \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "srv_conn_close", .stack = STACK,                         \
		.side = SIDE_SERVER, .role = ROLE_CONN_CLOSE,                      \
		.what = "connection closed (its open calls end)",                  \
		.funcs = {S(H2_METHOD, "serverConn", "closeAllStreamsOnConnClose")}, \
		.needs = {                                                         \
			{MP "SCC_SC", NEED_PARAM, {"sc"}},                         \
			{MP "SC_FRAMER", NEED_MEMBER, {S(H2_MEMBER, "serverConn", "framer")}}, \
			{MP "SC_ENC", NEED_MEMBER, {S(H2_MEMBER, "serverConn", "hpackEncoder")}}, \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "cli_conn_close", .stack = STACK,                         \
		.side = SIDE_CLIENT, .role = ROLE_CONN_CLOSE,                      \
		.what = "connection closed (its open calls end)",                  \
		.funcs = {S(H2_METHOD, "clientConnReadLoop", "cleanup")},            \
		.needs = {                                                         \
			{MP "CCC_RL", NEED_PARAM, {"rl"}},                         \
			{MP "RL_CC", NEED_MEMBER, {S(H2_MEMBER, "clientConnReadLoop", "cc")}}, \
			{MP "CC_FR", NEED_MEMBER, {S(H2_MEMBER, "ClientConn", "fr")}},      \
			{MP "CC_HENC", NEED_MEMBER, {S(H2_MEMBER, "ClientConn", "henc")}},  \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = ID "field_out", .stack = STACK,                              \
		.side = SIDE_BOTH, .role = ROLE_FIELD_OUT,                         \
		.what = "one header field sent (hpack encoder)",                   \
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
		.id = "h1_srv_start", .stack = "net/http h1", .opens_calls = true, \
		.side = SIDE_SERVER, .role = ROLE_CALL_START,                      \
		.what = "HTTP/1.x request handed to its handler",                  \
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
		.id = "h1_srv_end", .stack = "net/http h1",                        \
		.side = SIDE_SERVER, .role = ROLE_CALL_END,                        \
		.what = "HTTP/1.x handler done (status, body bytes)",              \
		.funcs = {HTTP "(*response).finishRequest"},                       \
		.needs = {                                                         \
			{"H1E_W", NEED_PARAM, {"w"}},                              \
			{"RESP_STATUS", NEED_MEMBER, {HTTP "response:status"}},    \
			{"RESP_WRITTEN", NEED_MEMBER, {HTTP "response:written"}},  \
		},                                                                 \
	},                                                                         \
	{                                                                          \
		.id = "h1_cli_start", .stack = "net/http h1", .opens_calls = true, \
		.side = SIDE_CLIENT, .role = ROLE_CALL_START,                      \
		.what = "HTTP/1.x request sent on a connection",                   \
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
		.side = SIDE_CLIENT, .role = ROLE_CALL_END,                        \
		.what = "HTTP/1.x response read (at each return)",                 \
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
	ID "data_out", ID "rst_out", ID "srv_conn_close", ID "cli_conn_close", ID "field_out"

#endif
