/* otlpspan.c - calls as OTLP spans.
 *
 * Attributes follow OpenTelemetry's RPC conventions for gRPC (rpc.system,
 * rpc.service, rpc.method, rpc.response.status_code, error.type, server.*,
 * client.*, network.*) with rpc.grpc.status_code, the older numeric code
 * most backends still key on, and HTTP's stable conventions for plain HTTP.
 * What the tool alone knows is under gogrpctrace.*; a value it could not
 * read is left out, never sent as 0 or "".
 */
#include "otlpspan.h"

#include "report.h"
#include "secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>
#include "../bpf_templates/gogrpctrace_events.h"

/* OTLP's field numbers (opentelemetry/proto/trace/v1 and common/v1). */
enum {
	SPAN_TRACE_ID = 1,
	SPAN_SPAN_ID = 2,
	SPAN_PARENT_SPAN_ID = 4,
	SPAN_NAME = 5,
	SPAN_KIND = 6,
	SPAN_START = 7,
	SPAN_END = 8,
	SPAN_ATTRIBUTES = 9,
	SPAN_STATUS = 15,
	STATUS_MESSAGE = 2,
	STATUS_CODE = 3,
	KV_KEY = 1,
	KV_VALUE = 2,
	ANY_STRING = 1,
	ANY_BOOL = 2,
	ANY_INT = 3,
	ANY_ARRAY = 5,
	ARRAY_VALUES = 1,
	RESOURCE_ATTRIBUTES = 1,
};

enum { KIND_SERVER = 2, KIND_CLIENT = 3 };
enum { STATUS_UNSET = 0, STATUS_ERROR = 2 };

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n bytes from 2n lowercase hex digits; false if one is not. */
static bool from_hex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);

		if (lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

bool otlpspan__traceparent(const char *v, struct span_parent *p)
{
	uint8_t version;

	/* version "-" trace-id "-" parent-id "-" flags; version ff is invalid,
	 * and a later version may add fields after the flags. */
	if (strlen(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' ||
	    (v[55] != '\0' && (v[55] != '-' || memcmp(v, "00", 2) == 0)))
		return false;
	if (!from_hex(v, &version, 1) || version == 0xff || !from_hex(v + 3, p->trace_id, 16) ||
	    !from_hex(v + 36, p->span_id, 8) || !from_hex(v + 53, &version, 1))
		return false;
	return !all_zero(p->trace_id, 16) && !all_zero(p->span_id, 8);
}

static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode base64 (padding optional) into out: its length, or -1. */
static int from_base64(const char *s, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		int v = base64_value(*s);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (int)n;
}

bool otlpspan__grpc_trace_bin(const char *b64, struct span_parent *p)
{
	uint8_t bin[64];
	int n = from_base64(b64, bin, sizeof(bin));
	bool have_trace = false, have_span = false;

	if (n < 1 || bin[0] != 0)
		return false;
	/* Fields in order, each a one-byte number then its value; an unknown
	 * field ends what can be read. */
	for (int i = 1; i < n;) {
		if (bin[i] == 0 && i + 17 <= n) {
			memcpy(p->trace_id, bin + i + 1, 16);
			have_trace = true;
			i += 17;
		} else if (bin[i] == 1 && i + 9 <= n) {
			memcpy(p->span_id, bin + i + 1, 8);
			have_span = true;
			i += 9;
		} else if (bin[i] == 2 && i + 2 <= n) {
			i += 2;
		} else {
			break;
		}
	}
	return have_trace && have_span && !all_zero(p->trace_id, 16) && !all_zero(p->span_id, 8);
}

static const char *header(const struct header_list *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return l->values[i];
	return NULL;
}

bool otlpspan__parent(const struct call *c, struct span_parent *p)
{
	const char *tp = header(&c->req_headers, "traceparent");
	const char *bin = header(&c->req_headers, "grpc-trace-bin");

	return (tp && otlpspan__traceparent(tp, p)) || (bin && otlpspan__grpc_trace_bin(bin, p));
}

/* An attribute: KeyValue{key, AnyValue{...}}; the value goes between
 * kv_open and kv_close. */
struct kv_marks {
	size_t kv, any;
};

static struct kv_marks kv_open(struct pbenc *b, uint32_t field, const char *key)
{
	struct kv_marks m;

	m.kv = pbenc__begin(b, field);
	pbenc__string(b, KV_KEY, key);
	m.any = pbenc__begin(b, KV_VALUE);
	return m;
}

static void kv_close(struct pbenc *b, struct kv_marks m)
{
	pbenc__end(b, m.any);
	pbenc__end(b, m.kv);
}

static void kv_str(struct pbenc *b, uint32_t field, const char *key, const char *v)
{
	struct kv_marks m = kv_open(b, field, key);

	pbenc__string(b, ANY_STRING, v);
	kv_close(b, m);
}

static void kv_int(struct pbenc *b, uint32_t field, const char *key, int64_t v)
{
	struct kv_marks m = kv_open(b, field, key);

	pbenc__varint(b, ANY_INT, (uint64_t)v);
	kv_close(b, m);
}

static void kv_bool(struct pbenc *b, uint32_t field, const char *key, bool v)
{
	struct kv_marks m = kv_open(b, field, key);

	pbenc__varint(b, ANY_BOOL, v);
	kv_close(b, m);
}

/* A string[] attribute of one value (metadata, as the conventions type it). */
static void kv_str_array(struct pbenc *b, uint32_t field, const char *key, const char *v)
{
	struct kv_marks m = kv_open(b, field, key);
	size_t arr = pbenc__begin(b, ANY_ARRAY), item = pbenc__begin(b, ARRAY_VALUES);

	pbenc__string(b, ANY_STRING, v);
	pbenc__end(b, item);
	pbenc__end(b, arr);
	kv_close(b, m);
}

/* An address as the tool prints it ("10.0.0.1:443", "[::1]:443",
 * "unix:/run/x.sock", "unix:@name"): host (or socket name), port (-1:
 * none) and transport. false: empty (unknown). */
struct addr {
	char host[ADDR_TEXT];
	long port;
	const char *transport;
};

static bool split_addr(const char *a, struct addr *out)
{
	const char *colon;
	char *end;

	out->port = -1;
	out->transport = "tcp";
	if (!*a)
		return false;
	if (strncmp(a, "unix:", 5) == 0) {
		snprintf(out->host, sizeof(out->host), "%s", a + 5);
		out->transport = "unix";
		return true;
	}
	colon = strrchr(a, ':');
	if (!colon) {
		snprintf(out->host, sizeof(out->host), "%s", a);
		return true;
	}
	out->port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || out->port < 0 || out->port > 65535)
		out->port = -1;
	if (a[0] == '[' && colon > a && colon[-1] == ']')
		snprintf(out->host, sizeof(out->host), "%.*s", (int)(colon - a - 2), a + 1);
	else
		snprintf(out->host, sizeof(out->host), "%.*s", (int)(colon - a), a);
	return true;
}

static void addr_attrs(struct pbenc *b, const char *prefix, const struct addr *a)
{
	char key[64];

	snprintf(key, sizeof(key), "%s.address", prefix);
	kv_str(b, SPAN_ATTRIBUTES, key, a->host);
	if (a->port >= 0) {
		snprintf(key, sizeof(key), "%s.port", prefix);
		kv_int(b, SPAN_ATTRIBUTES, key, a->port);
	}
}

/* server.*: the name the client asked for (:authority, Host), else the
 * server's own address as the connection shows it. */
static void server_attrs(struct pbenc *b, const struct call *c)
{
	struct addr a;
	const char *conn_server = c->side == SIDE_SERVER ? c->local : c->peer;

	if (split_addr(c->authority, &a) || split_addr(conn_server, &a))
		addr_attrs(b, "server", &a);
}

static void network_attrs(struct pbenc *b, const struct call *c)
{
	struct addr peer;

	if (split_addr(c->peer, &peer)) {
		addr_attrs(b, "network.peer", &peer);
		kv_str(b, SPAN_ATTRIBUTES, "network.transport", peer.transport);
		if (c->side == SIDE_SERVER)
			addr_attrs(b, "client", &peer);
	}
	kv_str(b, SPAN_ATTRIBUTES, "network.protocol.name", "http");
	kv_str(b, SPAN_ATTRIBUTES, "network.protocol.version",
	       strcmp(c->proto, "HTTP/2.0") == 0 ? "2" : "1.1");
}

/* The gRPC codes a server's span counts as errors; every code but OK is
 * one for a client's. */
static bool grpc_error(const struct call *c)
{
	static const int server_errors[] = {2, 4, 12, 13, 14, 15};

	if (c->side == SIDE_CLIENT)
		return c->grpc_status != 0;
	for (size_t i = 0; i < sizeof(server_errors) / sizeof(server_errors[0]); i++)
		if (c->grpc_status == server_errors[i])
			return true;
	return false;
}

static void metadata_attrs(struct pbenc *b, const char *prefix, const struct header_list *l,
			   const struct span_opts *o)
{
	char key[CALL_TEXT + 64], shown[64];

	for (int i = 0; i < l->n; i++) {
		if (l->names[i][0] == ':')
			continue; /* pseudo-headers are attributes of their own */
		snprintf(key, sizeof(key), "%s.%s", prefix, l->names[i]);
		kv_str_array(b, SPAN_ATTRIBUTES, key,
			     secrets__shown(o->show_secrets, l->names[i], l->values[i], shown,
					    sizeof(shown)));
	}
}

/* Status, attributes and name of a gRPC call. */
static void grpc_span(struct pbenc *b, const struct call *c, const struct span_opts *o,
		      int *status, const char **message)
{
	const char *method = c->method[0] == '/' ? c->method + 1 : c->method;
	const char *slash = strrchr(method, '/');

	pbenc__string(b, SPAN_NAME, method);
	kv_str(b, SPAN_ATTRIBUTES, "rpc.system", "grpc");
	if (slash) {
		char service[CALL_TEXT];

		snprintf(service, sizeof(service), "%.*s", (int)(slash - method), method);
		kv_str(b, SPAN_ATTRIBUTES, "rpc.service", service);
		kv_str(b, SPAN_ATTRIBUTES, "rpc.method", slash + 1);
	}
	if (c->grpc_status >= 0) {
		kv_str(b, SPAN_ATTRIBUTES, "rpc.response.status_code", grpc_code_name(c->grpc_status));
		kv_int(b, SPAN_ATTRIBUTES, "rpc.grpc.status_code", c->grpc_status);
		if (grpc_error(c)) {
			kv_str(b, SPAN_ATTRIBUTES, "error.type", grpc_code_name(c->grpc_status));
			*status = STATUS_ERROR;
			*message = c->grpc_message;
		}
		if (c->status_from_reset)
			kv_bool(b, SPAN_ATTRIBUTES, "gogrpctrace.status_from_reset", true);
	}
	if (!c->req_size_unknown)
		kv_int(b, SPAN_ATTRIBUTES, "gogrpctrace.request.messages", c->req_msgs);
	if (!c->resp_size_unknown)
		kv_int(b, SPAN_ATTRIBUTES, "gogrpctrace.response.messages", c->resp_msgs);
	if (o->metadata) {
		metadata_attrs(b, "rpc.request.metadata", &c->req_headers, o);
		metadata_attrs(b, "rpc.response.metadata", &c->resp_headers, o);
		metadata_attrs(b, "rpc.response.metadata", &c->trailers, o);
	}
}

/* Status, attributes and name of a plain HTTP request. */
static void http_span(struct pbenc *b, const struct call *c, const struct span_opts *o,
		      int *status)
{
	const char *scheme = c->tls ? "https" : "http";
	bool error;

	pbenc__string(b, SPAN_NAME, *c->http_method ? c->http_method : "HTTP");
	if (*c->http_method)
		kv_str(b, SPAN_ATTRIBUTES, "http.request.method", c->http_method);
	if (c->side == SIDE_SERVER) {
		kv_str(b, SPAN_ATTRIBUTES, "url.path", c->method);
		kv_str(b, SPAN_ATTRIBUTES, "url.scheme", scheme);
	} else {
		char url[2 * CALL_TEXT + 16];

		snprintf(url, sizeof(url), "%s://%s%s", scheme, c->authority, c->method);
		kv_str(b, SPAN_ATTRIBUTES, "url.full", url);
	}
	if (c->http_status >= 0)
		kv_int(b, SPAN_ATTRIBUTES, "http.response.status_code", c->http_status);
	error = c->http_status < 0 || c->http_status >= (c->side == SIDE_SERVER ? 500 : 400);
	if (error && c->complete) {
		char code[16];

		snprintf(code, sizeof(code), "%d", c->http_status);
		kv_str(b, SPAN_ATTRIBUTES, "error.type", c->http_status < 0 ? "_OTHER" : code);
		*status = STATUS_ERROR;
	}
	if (o->metadata) {
		metadata_attrs(b, "http.request.header", &c->req_headers, o);
		metadata_attrs(b, "http.response.header", &c->resp_headers, o);
	}
}

void otlpspan__encode(struct pbenc *b, uint32_t field, const struct call *c, uint64_t start_ns,
		      uint64_t end_ns, const uint8_t trace_id[16], const uint8_t span_id[8],
		      const struct span_parent *parent, const struct span_opts *o,
		      const char *unfinished_why)
{
	size_t span = pbenc__begin(b, field), st;
	int status = STATUS_UNSET;
	const char *message = "";

	pbenc__bytes(b, SPAN_TRACE_ID, trace_id, 16);
	pbenc__bytes(b, SPAN_SPAN_ID, span_id, 8);
	if (parent)
		pbenc__bytes(b, SPAN_PARENT_SPAN_ID, parent->span_id, 8);
	pbenc__varint(b, SPAN_KIND, c->side == SIDE_SERVER ? KIND_SERVER : KIND_CLIENT);
	pbenc__fixed64(b, SPAN_START, start_ns);
	pbenc__fixed64(b, SPAN_END, end_ns);
	if (c->grpc)
		grpc_span(b, c, o, &status, &message);
	else
		http_span(b, c, o, &status);
	server_attrs(b, c);
	network_attrs(b, c);
	kv_str(b, SPAN_ATTRIBUTES, "gogrpctrace.stack", c->stack);
	if (!c->req_size_unknown)
		kv_int(b, SPAN_ATTRIBUTES, "gogrpctrace.request.bytes", (int64_t)c->req_bytes);
	if (!c->resp_size_unknown)
		kv_int(b, SPAN_ATTRIBUTES, "gogrpctrace.response.bytes", (int64_t)c->resp_bytes);
	if (c->tls)
		kv_bool(b, SPAN_ATTRIBUTES, "gogrpctrace.tls", true);
	if (c->stream_id)
		kv_int(b, SPAN_ATTRIBUTES, "gogrpctrace.stream_id", c->stream_id);
	if (unfinished_why) {
		/* Its end is when the tool gave up on it: the duration is a
		 * lower bound, and its status unknown. */
		kv_str(b, SPAN_ATTRIBUTES, "gogrpctrace.unfinished_reason", unfinished_why);
		status = STATUS_UNSET;
	}
	if (status != STATUS_UNSET) {
		st = pbenc__begin(b, SPAN_STATUS);
		if (*message)
			pbenc__string(b, STATUS_MESSAGE, message);
		pbenc__varint(b, STATUS_CODE, (uint64_t)status);
		pbenc__end(b, st);
	}
	pbenc__end(b, span);
}

void otlpspan__resource(struct pbenc *b, uint32_t field, const char *service_name, uint32_t pid,
			const char *exe_path, const char *container_id)
{
	size_t res = pbenc__begin(b, field);
	const char *base = exe_path ? strrchr(exe_path, '/') : NULL;
	char host[256];

	kv_str(b, RESOURCE_ATTRIBUTES, "service.name", service_name);
	kv_int(b, RESOURCE_ATTRIBUTES, "process.pid", pid);
	if (exe_path) {
		kv_str(b, RESOURCE_ATTRIBUTES, "process.executable.path", exe_path);
		kv_str(b, RESOURCE_ATTRIBUTES, "process.executable.name", base ? base + 1 : exe_path);
	}
	if (container_id)
		kv_str(b, RESOURCE_ATTRIBUTES, "container.id", container_id);
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		kv_str(b, RESOURCE_ATTRIBUTES, "host.name", host);
	}
	pbenc__end(b, res);
}
