/* otlp.c - the span exporter's pure parts (tool/pbenc.c, tool/otlpspan.c,
 * tool/httppost.c): protobuf bytes as the wire format defines them, trace
 * contexts as W3C and gRPC write them (and what they refuse), URLs, and a
 * call's span holding what the conventions ask for and nothing that is not
 * UTF-8. */
#include "../../tool/httppost.h"
#include "../../tool/otlpspan.h"
#include "../../tool/pbenc.h"
#include "check.h"

#include <string.h>

#include <linux/types.h>
#include "../../bpf_templates/gogrpctrace_events.h"

static bool has(const struct pbenc *b, const char *s)
{
	return memmem(b->data, b->len, s, strlen(s)) != NULL;
}

static void wire(void)
{
	struct pbenc b = {0};
	static const uint8_t small[] = {0x08, 0x96, 0x01, 0x11, 1, 0, 0, 0, 0, 0, 0, 0, 0x1a, 2, 'h', 'i'};
	char big[300];
	size_t m;

	/* The encoding guide's 150, a fixed64 1, a string */
	pbenc__varint(&b, 1, 150);
	pbenc__fixed64(&b, 2, 1);
	pbenc__string(&b, 3, "hi");
	CHECK(b.len == sizeof(small) && memcmp(b.data, small, sizeof(small)) == 0, "scalars");
	/* A nested message of 300 bytes: a two-byte length, body moved back */
	pbenc__reset(&b);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m = pbenc__begin(&b, 4);
	pbenc__string(&b, 1, big);
	pbenc__end(&b, m);
	CHECK(b.len == 1 + 2 + 1 + 2 + 299 && b.data[0] == 0x22 && b.data[1] == 0xae && b.data[2] == 0x02 &&
	      b.data[3] == 0x0a && b.data[4] == 0xab && b.data[5] == 0x02 && b.data[6] == 'x',
	      "nested length, %zu bytes", b.len);
	/* An empty nested message */
	pbenc__reset(&b);
	m = pbenc__begin(&b, 5);
	pbenc__end(&b, m);
	CHECK(b.len == 2 && b.data[0] == 0x2a && b.data[1] == 0, "empty nested");
	/* Bytes that are not UTF-8 become U+FFFD; well-formed ones stay */
	pbenc__reset(&b);
	pbenc__string(&b, 1, "a\xff\xc3\xa9\xed\xa0\x80z");
	CHECK(b.len == 2 + 1 + 3 + 2 + 9 + 1 && memcmp(b.data + 2, "a\xef\xbf\xbd\xc3\xa9", 6) == 0 &&
	      b.data[b.len - 1] == 'z', "utf-8: %zu bytes", b.len);
	pbenc__free(&b);
}

static void trace_contexts(void)
{
	struct span_parent p;
	static const uint8_t tid[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
					0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
	static const uint8_t sid[8] = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};

	CHECK(otlpspan__traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &p) &&
	      memcmp(p.trace_id, tid, 16) == 0 && memcmp(p.span_id, sid, 8) == 0, "W3C example");
	CHECK(!otlpspan__traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01", &p),
	      "zero trace ID");
	CHECK(!otlpspan__traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", &p),
	      "zero span ID");
	CHECK(!otlpspan__traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &p),
	      "version ff");
	CHECK(!otlpspan__traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", &p),
	      "upper case");
	CHECK(!otlpspan__traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", &p),
	      "version 00 with more");
	CHECK(otlpspan__traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", &p),
	      "a later version may add fields");
	CHECK(!otlpspan__traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", &p), "short");
	/* gRPC's binary form: 0, 0 trace, 1 span, 2 flags; base64 without padding */
	CHECK(otlpspan__grpc_trace_bin("AABL+S81d7NNpqPOkp0ODkc2AQDwZ6oLqQK3AgE", &p) &&
	      memcmp(p.trace_id, tid, 16) == 0 && memcmp(p.span_id, sid, 8) == 0, "grpc-trace-bin");
	CHECK(otlpspan__grpc_trace_bin("AABL+S81d7NNpqPOkp0ODkc2AQDwZ6oLqQK3AgE=", &p), "padded");
	CHECK(!otlpspan__grpc_trace_bin("AQBL+S81d7NNpqPOkp0ODkc2AQDwZ6oLqQK3AgE", &p), "version 1");
	CHECK(!otlpspan__grpc_trace_bin("AABL+S81d7NNpqPOkp0ODkc2", &p), "no span ID");
	CHECK(!otlpspan__grpc_trace_bin("AA!!", &p), "not base64");
	CHECK(!otlpspan__grpc_trace_bin("", &p), "empty");
}

static void urls(void)
{
	struct http_url u;
	char err[256];

	CHECK(httppost__parse_url("http://127.0.0.1:4318", "/v1/traces", &u, err, sizeof(err)) == 0 &&
	      strcmp(u.host, "127.0.0.1") == 0 && strcmp(u.port, "4318") == 0 &&
	      strcmp(u.path, "/v1/traces") == 0, "host:port");
	CHECK(httppost__parse_url("http://[::1]:4318/x/y", "/v1/traces", &u, err, sizeof(err)) == 0 &&
	      strcmp(u.host, "::1") == 0 && strcmp(u.port, "4318") == 0 && strcmp(u.path, "/x/y") == 0,
	      "v6 and a path");
	CHECK(httppost__parse_url("http://collector/", "/v1/traces", &u, err, sizeof(err)) == 0 &&
	      strcmp(u.port, "80") == 0 && strcmp(u.path, "/v1/traces") == 0, "default port");
	CHECK(httppost__parse_url("https://x:4318", "/", &u, err, sizeof(err)) != 0 && strstr(err, "https"),
	      "https refused with its reason: %s", err);
	CHECK(httppost__parse_url("http://:4318", "/", &u, err, sizeof(err)) != 0, "no host");
	CHECK(httppost__parse_url("http://x:43a8", "/", &u, err, sizeof(err)) != 0, "port not a number");
	CHECK(httppost__parse_url("http://x:123456789", "/", &u, err, sizeof(err)) != 0, "port too long");
	CHECK(httppost__parse_url("http://x:1/a b", "/", &u, err, sizeof(err)) != 0, "space in path");
	CHECK(httppost__parse_url("x:4318", "/", &u, err, sizeof(err)) != 0, "no scheme");
}

static void add(struct header_list *l, const char *name, const char *value)
{
	header_list__add(l, name, strlen(name), value, strlen(value));
}

static void spans(void)
{
	static struct call c;
	struct span_parent parent;
	struct span_opts o = {.metadata = true};
	uint8_t tid[16] = {1}, sid[8] = {2};
	struct pbenc b = {0};

	c.side = SIDE_SERVER;
	c.grpc = true;
	c.complete = true;
	c.stack = "grpc-go";
	c.proto = "HTTP/2.0";
	strcpy(c.method, "/pkg.Svc/Get\xff");
	strcpy(c.authority, "svc.example:8443");
	strcpy(c.peer, "[::1]:51234");
	strcpy(c.local, "[::1]:8443");
	c.grpc_status = 14;
	strcpy(c.grpc_message, "down");
	c.http_status = 200;
	c.req_msgs = c.resp_msgs = 1;
	c.req_bytes = 10;
	add(&c.req_headers, "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
	add(&c.req_headers, "authorization", "Bearer s3cr3t");
	add(&c.req_headers, "x-user", "alice");
	CHECK(otlpspan__parent(&c, &parent), "the request's traceparent");
	otlpspan__encode(&b, 2, &c, 1000, 2000, parent.trace_id, sid, &parent, &o, NULL);
	CHECK(!b.failed && has(&b, "rpc.system") && has(&b, "pkg.Svc") && has(&b, "rpc.method") &&
	      has(&b, "UNAVAILABLE") && has(&b, "error.type") && has(&b, "down") &&
	      has(&b, "svc.example") && has(&b, "server.port") && has(&b, "client.address") &&
	      has(&b, "network.peer.port") && has(&b, "rpc.request.metadata.x-user") && has(&b, "alice"),
	      "a failed server call's attributes");
	CHECK(!has(&b, "s3cr3t") && has(&b, "[redacted 13 bytes]"), "the credential redacted");
	CHECK(!has(&b, "\xff") && has(&b, "Get\xef\xbf\xbd"), "the method's bad byte replaced");
	CHECK(has(&b, "\x22\x08\x00\xf0\x67\xaa\x0b\xa9\x02\xb7"), "parent span ID, field 4");
	/* A server's INVALID_ARGUMENT is the client's fault: no error status */
	pbenc__reset(&b);
	c.grpc_status = 3;
	otlpspan__encode(&b, 2, &c, 1000, 2000, tid, sid, NULL, &o, NULL);
	CHECK(has(&b, "INVALID_ARGUMENT") && !has(&b, "error.type"), "server-side 3 is no error");
	/* A client's is */
	pbenc__reset(&b);
	c.side = SIDE_CLIENT;
	otlpspan__encode(&b, 2, &c, 1000, 2000, tid, sid, NULL, &o, NULL);
	CHECK(has(&b, "error.type"), "client-side 3 is an error");
	/* Unknown sizes and status are left out; unfinished says why */
	pbenc__reset(&b);
	c.grpc_status = -1;
	c.req_size_unknown = c.resp_size_unknown = true;
	c.complete = false;
	c.peer[0] = '\0';
	otlpspan__encode(&b, 2, &c, 1000, 2000, tid, sid, NULL, &o, "connection closed");
	CHECK(!has(&b, "rpc.grpc.status_code") && !has(&b, "gogrpctrace.request.bytes") &&
	      !has(&b, "network.peer.address") && has(&b, "connection closed"), "unknowns left out");
	pbenc__free(&b);
}

int main(void)
{
	wire();
	trace_contexts();
	urls();
	spans();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	else
		printf("ok\n");
	return failures != 0;
}
