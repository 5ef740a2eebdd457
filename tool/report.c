/* report.c - printing: call lines, JSON objects, -v events, the summary. */
#include "report.h"
#include "probes.h"

#include "follow.h"
#include "json.h"
#include "lathist.h"
#include "msgprint.h"
#include "secrets.h"
#include "termtext.h"
#include "textrow.h"
#include "numtext.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <linux/types.h>
#include "../bpf_templates/gogrpctrace_events.h"

#define MAX_METHODS 1024
/* What the summary's other columns leave of 80. */
#define SUMMARY_METHOD_WIDTH (TEXTROW_WIDTH - (6 + 1 + 7 + 1 + 7 + 1 + 9 + 1 + 9 + 1))

struct method_stats {
	char method[CALL_TEXT];
	int side;
	uint64_t calls, errors, unfinished;
	struct lathist *lat; /* finished calls' latencies; NULL until the first */
};

struct report {
	const struct options *o;
	FILE *out;
	int64_t mono_to_real_ns;
	uint64_t start_mono_ns;
	struct method_stats methods[MAX_METHODS];
	int nmethods;
	uint64_t dropped_methods; /* calls past MAX_METHODS distinct methods */
	uint64_t unfinished;
	uint64_t unfinished_conn_closed; /* of which: their connection closed first */
	uint64_t printed;
	struct process {
		uint32_t pid;
		enum protocol_filter protocol; /* never PROTO_AUTO */
		unsigned unknown_fields;       /* enum output_field: cannot be read */
		struct msg_types types;	       /* its protobuf descriptors, for --payload */
	} processes[MAX_TARGETS];
	int nprocesses;
	shown_call_fn on_shown;
	void *on_shown_ctx;
};

static const char *const code_names[] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
	"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
	"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
	"UNAUTHENTICATED",
};

const char *grpc_code_name(int code)
{
	if (code >= 0 && code < (int)(sizeof(code_names) / sizeof(code_names[0])))
		return code_names[code];
	return code < 0 ? "-" : "CODE_UNKNOWN";
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct report *report__new(const struct options *o, FILE *out)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->o = o;
	r->out = out;
	r->start_mono_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	r->mono_to_real_ns = clock_ns(CLOCK_REALTIME) - (int64_t)r->start_mono_ns;
	return r;
}

void report__free(struct report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nmethods; i++)
		free(r->methods[i].lat);
	free(r);
}

void report__time(const struct report *r, uint64_t mono_ns, char *buf, size_t len, bool iso)
{
	/* Calls end thousands a second: the broken-down time of the last
	 * second seen, each way, is kept and reused. */
	static struct {
		bool valid;
		time_t secs;
		char text[32];
	} last[2];
	int64_t real = (int64_t)mono_ns + r->mono_to_real_ns;
	time_t secs = (time_t)(real / 1000000000LL);
	struct tm tm;

	if (!last[iso].valid || last[iso].secs != secs) {
		if (iso) {
			gmtime_r(&secs, &tm);
			strftime(last[iso].text, sizeof(last[iso].text), "%Y-%m-%dT%H:%M:%S", &tm);
		} else {
			localtime_r(&secs, &tm);
			strftime(last[iso].text, sizeof(last[iso].text), "%H:%M:%S", &tm);
		}
		last[iso].valid = true;
		last[iso].secs = secs;
	}
	if (iso && real >= 0 && len > strlen(last[iso].text) + sizeof(".000000Z") - 1) {
		/* "%s.%06lldZ", by hand. */
		int64_t us = real % 1000000000LL / 1000;
		char *p = stpcpy(buf, last[iso].text);

		*p++ = '.';
		for (int k = 5; k >= 0; k--, us /= 10)
			p[k] = (char)('0' + us % 10);
		p[6] = 'Z';
		p[7] = '\0';
	} else if (iso) {
		snprintf(buf, len, "%s.%06lldZ", last[iso].text,
			 (long long)(real % 1000000000LL) / 1000);
	} else {
		snprintf(buf, len, "%s", last[iso].text);
	}
}

static const char *shown_value(const struct report *r, const char *name, const char *value,
			       char *buf, size_t len)
{
	return secrets__shown(r->o->show_secrets, name, value, buf, len);
}

static const char *side_name(int side)
{
	return side == SIDE_SERVER ? "server" : "client";
}

static void put_u64(FILE *f, uint64_t v)
{
	char buf[24];

	fputs(u64_text(buf, sizeof(buf), v), f);
}

static void put_bool(FILE *f, bool v)
{
	fputs(v ? "true" : "false", f);
}

/* One member of an object: key is its text with the comma, quotes and
 * colon (",\"pid\":"), then the value as JSON. */
static void member_str(FILE *f, const char *key, const char *v)
{
	fputs(key, f);
	json_str(f, v);
}

static void member_u64(FILE *f, const char *key, uint64_t v)
{
	fputs(key, f);
	put_u64(f, v);
}

static void member_bool(FILE *f, const char *key, bool v)
{
	fputs(key, f);
	put_bool(f, v);
}

/* A value of ours that needs no escaping (true, null, "server"). */
static void member_raw(FILE *f, const char *key, const char *v)
{
	fputs(key, f);
	fputs(v, f);
}

static const struct process *process_of(const struct report *r, uint32_t pid)
{
	for (int i = 0; i < r->nprocesses; i++)
		if (r->processes[i].pid == pid)
			return &r->processes[i];
	return NULL;
}

void report__set_process(struct report *r, uint32_t pid, enum protocol_filter p,
			 unsigned unknown_fields)
{
	struct process *slot = (struct process *)process_of(r, pid);

	if (!slot && r->nprocesses < MAX_TARGETS)
		slot = &r->processes[r->nprocesses++];
	if (slot)
		*slot = (struct process){.pid = pid, .protocol = p, .unknown_fields = unknown_fields};
}

void report__forget_process(struct report *r, uint32_t pid)
{
	struct process *p = (struct process *)process_of(r, pid);

	if (p)
		*p = r->processes[--r->nprocesses];
}

void report__set_types(struct report *r, uint32_t pid, const struct protodb *db,
		       const char *why_none)
{
	for (int i = 0; i < r->nprocesses; i++)
		if (r->processes[i].pid == pid)
			r->processes[i].types = (struct msg_types){db, why_none};
}

static const struct msg_types *types_of(const struct report *r, uint32_t pid)
{
	const struct process *p = process_of(r, pid);

	return p ? &p->types : NULL;
}

/* Whether captured messages are decoded. */
static bool decoding(const struct report *r)
{
	return r->o->payload && !r->o->no_decode;
}

static enum protocol_filter protocol_of(const struct report *r, uint32_t pid)
{
	const struct process *p = process_of(r, pid);

	if (p)
		return p->protocol;
	return r->o->protocol == PROTO_AUTO ? PROTO_ALL : r->o->protocol;
}

/* Whether the process of c cannot read that field (enum output_field). */
static bool field_unknown(const struct report *r, const struct call *c, unsigned field)
{
	const struct process *p = process_of(r, c->pid);

	return p && (p->unknown_fields & field);
}

/* Did the call fail? gRPC: any status but OK. HTTP: no final status, a
 * reset, or a status of 400 or more. */
static bool failed(const struct call *c)
{
	if (!c->complete)
		return true;
	if (c->grpc)
		return c->grpc_status != 0;
	return c->reset_code >= 0 || c->http_status < 200 || c->http_status >= 400;
}

/* "/pkg.Svc/Method" for gRPC, "GET /path" for HTTP. */
static const char *call_name(const struct call *c, char *buf, size_t len)
{
	if (c->grpc)
		return c->method;
	snprintf(buf, len, "%s %s", *c->http_method ? c->http_method : "-",
		 *c->method ? c->method : "-");
	return buf;
}

static bool wanted(const struct report *r, const struct call *c, double lat_ms)
{
	const struct options *o = r->o;
	enum protocol_filter p = protocol_of(r, c->pid);
	char name[CALL_TEXT + 20];

	if ((c->grpc && p == PROTO_HTTP) || (!c->grpc && p == PROTO_GRPC))
		return false;
	if (o->side == SIDE_FILTER_CLIENT && c->side != SIDE_CLIENT)
		return false;
	if (o->side == SIDE_FILTER_SERVER && c->side != SIDE_SERVER)
		return false;
	if (o->method_glob && fnmatch(o->method_glob, c->method, 0) != 0 &&
	    fnmatch(o->method_glob, call_name(c, name, sizeof(name)), 0) != 0)
		return false;
	if (o->errors_only && !failed(c))
		return false;
	if (lat_ms < o->min_latency_ms)
		return false;
	return true;
}

static struct method_stats *stats_for(struct report *r, const struct call *c)
{
	char buf[CALL_TEXT + 20];
	const char *name = call_name(c, buf, sizeof(buf));

	for (int i = 0; i < r->nmethods; i++)
		if (r->methods[i].side == c->side && strcmp(r->methods[i].method, name) == 0)
			return &r->methods[i];
	if (r->nmethods == MAX_METHODS)
		return NULL;
	snprintf(r->methods[r->nmethods].method, CALL_TEXT, "%.*s", CALL_TEXT - 1, name);
	r->methods[r->nmethods].side = c->side;
	return &r->methods[r->nmethods++];
}

static void record(struct report *r, const struct call *c, double lat_ms)
{
	struct method_stats *m = stats_for(r, c);

	if (!m) {
		r->dropped_methods++;
		return;
	}
	m->calls++;
	if (!c->complete) {
		m->unfinished++;
		return;
	}
	if (failed(c))
		m->errors++;
	/* A fixed-size histogram per method: memory does not grow with
	 * the number of calls (lathist.h states the error of its p50/p99). */
	if (!m->lat)
		m->lat = calloc(1, sizeof(*m->lat));
	if (m->lat)
		lathist__add(m->lat, (uint64_t)(lat_ms * 1e6 + 0.5));
}

void report__header(struct report *r)
{
	/* The summary's duration counts from here: probes are attached. */
	r->start_mono_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
}

/* The columns of the text rows: fixed for the whole run. */
static struct textrow_layout row_layout(const struct report *r)
{
	return (struct textrow_layout){.wide = r->o->wide,
				       .pid = r->o->wide || r->o->npids > 1 || follow__wanted(r->o)};
}

void report__columns(struct report *r)
{
	struct textrow_layout l = row_layout(r);

	textrow__header(r->out, &l);
	fflush(r->out);
}

/* Why an unfinished call was given up before the end, or NULL. */
static const char *unfinished_why(const struct call *c, char *buf, size_t len)
{
	if (c->complete)
		return NULL;
	if (c->evicted_idle_s)
		snprintf(buf, len, "evicted: no event for %u s", c->evicted_idle_s);
	else if (c->evicted_full)
		snprintf(buf, len, "evicted: too many open calls (the least recently seen)");
	else if (c->conn_closed)
		snprintf(buf, len, "connection closed");
	else if (c->process_exited)
		snprintf(buf, len, "process exited");
	else if (c->open_at_exit)
		snprintf(buf, len, "still open when tracing ended");
	else
		return NULL;
	return buf;
}

/* A call's duration is known when its end is: an unfinished call given
 * up, or still open at the end, has none. */
static bool duration_known(const struct call *c)
{
	return c->end_ns != 0;
}

/* "%.2f" of lat_ms, which is lat_ns / 1e6. Below 10^15 ns the double is
 * within 1e-7 ms of the exact quotient, and a quotient that is not a tie
 * is at least 1e-6 ms from where the rounding turns: both round alike,
 * and the exact one is done with integers. */
static void lat_text(char *buf, size_t len, uint64_t lat_ns, double lat_ms)
{
	uint64_t q = lat_ns / 10000, rem = lat_ns % 10000;
	size_t n;

	if (lat_ns >= 1000000000000000ULL || rem == 5000 || len < 16) {
		snprintf(buf, len, "%.2f", lat_ms);
		return;
	}
	q += rem > 5000;
	n = strlen(u64_text(buf, len, q / 100));
	buf[n] = '.';
	buf[n + 1] = (char)('0' + q % 100 / 10);
	buf[n + 2] = (char)('0' + q % 10);
	buf[n + 3] = '\0';
}

static void text_line(struct report *r, const struct call *c, uint64_t lat_ns, double lat_ms)
{
	char t[16], status[48], lat[32], why[96];
	char name[CALL_TEXT + 20];
	struct textrow_layout l = row_layout(r);
	struct textrow row = {
		.time = t,
		.pid = c->pid,
		.side = c->side,
		.status = status,
		.lat_ns = lat_ns,
		.req = {!c->req_size_unknown, c->req_bytes, c->grpc ? c->req_msgs : 1},
		.resp = {!c->resp_size_unknown, c->resp_bytes, c->grpc ? c->resp_msgs : 1},
		.sizes_doubtful = c->desync || c->read_errors,
	};

	report__time(r, c->end_ns ? c->end_ns : c->start_ns, t, sizeof(t), false);
	if (!c->complete)
		row.status = "UNFINISHED";
	else if (!c->grpc && c->reset_code >= 0)
		snprintf(status, sizeof(status), "RESET(%d)", c->reset_code);
	else if (!c->grpc)
		snprintf(status, sizeof(status), "HTTP %d", c->http_status);
	else
		row.status = grpc_code_name(c->grpc_status);
	row.method = call_name(c, name, sizeof(name));
	if (!*row.method)
		row.method = "-";
	row.peer = *c->peer ? c->peer
		   : c->peer_unknown || field_unknown(r, c, FIELD_PEER) ? "?"
									: "-";
	/* A call given up, or still open at the end, has no known duration. */
	if (duration_known(c)) {
		lat_text(lat, sizeof(lat), lat_ns, lat_ms);
		row.lat = lat;
	}
	textrow__print(r->out, &l, &row);
	if (c->complete && c->grpc_status > 0 && *c->grpc_message) {
		fprintf(r->out, "%-8s   grpc-message: ", "");
		term_write(r->out, c->grpc_message);
		fputc('\n', r->out);
	}
	if (c->reset_code >= 0)
		fprintf(r->out, "%-8s   reset by the %s (RST_STREAM code %d%s)%s\n", "",
			side_name(c->reset_by), c->reset_code, c->reset_queued ? ", queued" : "",
			!c->grpc		? ""
			: c->status_from_reset ? "; status as grpc-go derives it"
					       : " after the status");
	if (!c->complete && unfinished_why(c, why, sizeof(why))) {
		fprintf(r->out, "%-8s   %s\n", "", why);
	}
	if (c->grpc && r->o->payload) {
		msgprint__text(r->out, "request", types_of(r, c->pid), c, true,
			       msgprint__first(c, true), decoding(r));
		msgprint__text(r->out, "response", types_of(r, c->pid), c, false,
			       msgprint__first(c, false), decoding(r));
	}
}

/* The call's RST_STREAM; "queued": one it sent, seen written into the
 * connection's buffer, not seen leaving the process. */
static void json_reset(struct report *r, const struct call *c)
{
	if (c->reset_code < 0) {
		fputs(",\"reset\":null", r->out);
		return;
	}
	member_raw(r->out, ",\"reset\":{\"by\":\"", side_name(c->reset_by));
	member_u64(r->out, "\",\"code\":", (uint64_t)c->reset_code);
	member_bool(r->out, ",\"queued\":", c->reset_queued);
	fputc('}', r->out);
}

static void json_headers(struct report *r, const char *key, const struct header_list *hl)
{
	char buf[64];

	fputs(",\"", r->out);
	fputs(key, r->out);
	fputs("\":{", r->out);
	for (int i = 0; i < hl->n; i++) {
		bool dup = false;

		/* A repeated name keeps its first value; JSON keys are unique. */
		for (int j = 0; j < i && !dup; j++)
			dup = hl->names[j][0] == hl->names[i][0] &&
			      strcmp(hl->names[j], hl->names[i]) == 0;
		if (dup)
			continue;
		if (i)
			fputc(',', r->out);
		json_str(r->out, hl->names[i]);
		fputc(':', r->out);
		json_str(r->out, shown_value(r, hl->names[i], hl->values[i], buf, sizeof(buf)));
	}
	fputc('}', r->out);
}

static void json_size(FILE *f, const char *key, uint64_t bytes, bool unknown)
{
	if (unknown)
		member_raw(f, key, "null");
	else
		member_u64(f, key, bytes);
}

/* Sizes, headers and flags: the end of an rpc or http line. */
static void json_tail(struct report *r, const struct call *c, double lat_ms)
{
	/* "%.0f": the nearest integer, a tie to the even one. */
	if (duration_known(c))
		member_u64(r->out, ",\"duration_us\":", (uint64_t)nearbyint(lat_ms * 1000.0));
	else
		member_raw(r->out, ",\"duration_us\":", "null");
	json_size(r->out, ",\"req_bytes\":", c->req_bytes, c->req_size_unknown);
	json_size(r->out, ",\"resp_bytes\":", c->resp_bytes, c->resp_size_unknown);
	if (c->grpc) {
		json_size(r->out, ",\"req_msgs\":", c->req_msgs, c->req_size_unknown);
		json_size(r->out, ",\"resp_msgs\":", c->resp_msgs, c->resp_size_unknown);
	}
	if (c->grpc && r->o->payload) {
		msgprint__json(r->out, "req_", types_of(r, c->pid), c, true, msgprint__first(c, true),
			       decoding(r));
		msgprint__json(r->out, "resp_", types_of(r, c->pid), c, false,
			       msgprint__first(c, false), decoding(r));
	}
	member_u64(r->out, ",\"req_header_count\":", c->req_header_count);
	json_headers(r, "req_headers", &c->req_headers);
	json_headers(r, "resp_headers", &c->resp_headers);
	json_headers(r, "trailers", &c->trailers);
	member_bool(r->out, ",\"truncated\":", c->truncated);
	member_bool(r->out, ",\"sizes_exact\":",
		    !(c->desync || c->req_size_unknown || c->resp_size_unknown));
	member_bool(r->out, ",\"read_errors\":", c->read_errors);
	fputs("}\n", r->out);
}

static void json_call(struct report *r, const struct call *c, double lat_ms)
{
	char ts[48];

	report__time(r, c->start_ns, ts, sizeof(ts), true);
	fputs(c->grpc ? "{\"type\":\"rpc\",\"ts\":\"" : "{\"type\":\"http\",\"ts\":\"", r->out);
	fputs(ts, r->out);
	member_u64(r->out, "\",\"pid\":", c->pid);
	member_raw(r->out, ",\"side\":\"", side_name(c->side));
	if (c->grpc) {
		member_str(r->out, "\",\"method\":", c->method);
	} else {
		member_str(r->out, "\",\"method\":", c->http_method);
		member_str(r->out, ",\"path\":", c->method);
	}
	member_str(r->out, ",\"authority\":", c->authority);
	/* Never an empty address or a false TLS that was not seen: null. */
	fputs(",\"peer\":", r->out);
	json_str_or_null(r->out, c->peer);
	fputs(",\"local\":", r->out);
	json_str_or_null(r->out, c->local);
	member_raw(r->out, ",\"tls\":",
		   c->tls ? "true" : field_unknown(r, c, FIELD_TLS) ? "null" : "false");
	member_raw(r->out, ",\"stack\":\"", c->stack);
	member_raw(r->out, "\",\"proto\":\"", c->proto);
	member_u64(r->out, "\",\"stream_id\":", c->stream_id);
	member_bool(r->out, ",\"complete\":", c->complete);
	{
		char why[96];
		const char *w = unfinished_why(c, why, sizeof(why));

		if (w)
			member_str(r->out, ",\"unfinished_reason\":", w);
	}
	if (c->http_status >= 0)
		member_u64(r->out, ",\"http_status\":", (uint64_t)c->http_status);
	else
		member_raw(r->out, ",\"http_status\":", "null");
	if (!c->grpc) {
		json_reset(r, c);
		json_tail(r, c, lat_ms);
		return;
	}
	if (c->grpc_status >= 0) {
		member_u64(r->out, ",\"grpc_status\":", (uint64_t)c->grpc_status);
		member_raw(r->out, ",\"grpc_status_name\":\"", grpc_code_name(c->grpc_status));
		fputc('"', r->out);
	} else {
		fputs(",\"grpc_status\":null,\"grpc_status_name\":null", r->out);
	}
	member_str(r->out, ",\"grpc_message\":", c->grpc_message);
	json_reset(r, c);
	member_bool(r->out, ",\"status_from_reset\":", c->status_from_reset);
	json_tail(r, c, lat_ms);
}

void report__on_shown(struct report *r, shown_call_fn fn, void *ctx)
{
	r->on_shown = fn;
	r->on_shown_ctx = ctx;
}

/* Monotonic nanoseconds (the BPF clock) as Unix nanoseconds. */
static uint64_t unix_ns(const struct report *r, uint64_t mono_ns)
{
	int64_t real = (int64_t)mono_ns + r->mono_to_real_ns;

	return real > 0 ? (uint64_t)real : 0;
}

/* Hand c to the --otlp exporter: an unfinished call ends when it was
 * given up, now. */
static void hand_on(const struct report *r, const struct call *c)
{
	char why[96];
	const char *w = unfinished_why(c, why, sizeof(why));
	uint64_t end = duration_known(c) ? c->end_ns : (uint64_t)clock_ns(CLOCK_MONOTONIC);

	r->on_shown(c, unix_ns(r, c->start_ns), unix_ns(r, end > c->start_ns ? end : c->start_ns), w,
		    r->on_shown_ctx);
}

void report__call(struct call *c, void *report)
{
	struct report *r = report;
	uint64_t end = c->end_ns ? c->end_ns : c->start_ns;
	uint64_t lat_ns = end > c->start_ns ? end - c->start_ns : 0;
	double lat_ms = (double)lat_ns / 1e6;

	if (!c->complete)
		r->unfinished++;
	if (!c->complete && c->conn_closed)
		r->unfinished_conn_closed++;
	if (!wanted(r, c, lat_ms))
		return;
	record(r, c, lat_ms);
	r->printed++;
	if (r->on_shown)
		hand_on(r, c);
	/* No flush here: the tracer flushes once per drain (every 10 ms), not
	 * once per call, to keep the write calls off a busy machine. */
	if (r->o->json)
		json_call(r, c, lat_ms);
	else
		text_line(r, c, lat_ns, lat_ms);
}

void report__event(struct report *r, uint64_t ts_ns, uint32_t pid, int side, int dir,
		   uint32_t stream_id, const char *what, const struct header_list *hl,
		   const struct msg_event *me)
{
	char t[48], buf[64];

	if (r->o->json) {
		report__time(r, ts_ns, t, sizeof(t), true);
		fprintf(r->out,
			"{\"type\":\"event\",\"ts\":\"%s\",\"pid\":%u,\"side\":\"%s\",\"dir\":\"%s\","
			"\"stream_id\":%u,\"what\":",
			t, pid, side_name(side), dir == DIR_OUT ? "out" : "in", stream_id);
		json_str(r->out, what);
		if (hl)
			json_headers(r, "headers", hl);
		if (me)
			msgprint__json(r->out, "", types_of(r, pid), me->c, me->request, me->m,
				       decoding(r));
		fprintf(r->out, "}\n");
		return;
	}
	report__time(r, ts_ns, t, sizeof(t), false);
	/* what can hold a path or method (HTTP/1.x), and every name, value
	 * and payload byte is the target's: all of it escaped. */
	{
		struct textrow_layout l = row_layout(r);

		textrow__lead(r->out, &l, t, pid, side);
	}
	fprintf(r->out, "%s stream %u ", dir == DIR_OUT ? "->" : "<-", stream_id);
	term_write(r->out, what);
	fputc('\n', r->out);
	for (int i = 0; hl && i < hl->n; i++) {
		fprintf(r->out, "%-8s   ", "");
		term_write(r->out, hl->names[i]);
		fputs(": ", r->out);
		term_write(r->out, shown_value(r, hl->names[i], hl->values[i], buf, sizeof(buf)));
		fputc('\n', r->out);
	}
	if (me)
		msgprint__text(r->out, decoding(r) ? "msg" : "payload", types_of(r, pid), me->c,
			       me->request, me->m, decoding(r));
}

static double percentile(const struct method_stats *m, double p)
{
	return m->lat ? lathist__quantile_ns(m->lat, p) / 1e6 : 0;
}

/* --probe-stats: the probes' hits and BPF time per hit (unknown when the
 * kernel's statistics were off). */
static void probes_json(FILE *out, const struct tally *t, bool count_ops)
{
	fprintf(out, ",\"probes\":[");
	for (int i = 0; i < t->nprobes; i++) {
		const struct probe_tally *p = &t->probes[i];

		fprintf(out, "%s{\"probe\":\"%s\",\"hits\":%" PRIu64 ",\"bpf_ns_per_hit\":", i ? "," : "",
			p->id, p->hits);
		if (p->runs)
			fprintf(out, "%.0f", (double)p->run_ns / (double)p->runs);
		else
			fprintf(out, "null");
		if (count_ops && p->hits)
			fprintf(out, ",\"reads_per_hit\":%.2f,\"map_ops_per_hit\":%.2f",
				(double)p->reads / (double)p->hits, (double)p->map_ops / (double)p->hits);
		fprintf(out, "}");
	}
	fprintf(out, "]");
}

static void probes_text(FILE *out, const struct tally *t)
{
	fprintf(out, "%-20s %12s %16s\n", "PROBE", "HITS", "BPF NS PER HIT");
	for (int i = 0; i < t->nprobes; i++) {
		const struct probe_tally *p = &t->probes[i];

		fprintf(out, "%-20s %12" PRIu64 " ", p->id, p->hits);
		if (p->runs)
			fprintf(out, "%16.0f\n", (double)p->run_ns / (double)p->runs);
		else
			fprintf(out, "%16s\n", "?");
	}
}

void report__summary(struct report *r, const struct tally *t)
{
	double secs = (double)((uint64_t)clock_ns(CLOCK_MONOTONIC) - r->start_mono_ns) / 1e9;

	if (r->o->json) {
		fprintf(r->out, "{\"type\":\"summary\",\"duration_s\":%.3f,\"calls\":%" PRIu64
				",\"methods\":[",
			secs, r->printed);
		for (int i = 0; i < r->nmethods; i++) {
			struct method_stats *m = &r->methods[i];

			fprintf(r->out, "%s{\"method\":", i ? "," : "");
			json_str(r->out, m->method);
			fprintf(r->out,
				",\"side\":\"%s\",\"calls\":%" PRIu64 ",\"errors\":%" PRIu64
				",\"unfinished\":%" PRIu64 ",\"p50_ms\":%.3f,\"p99_ms\":%.3f}",
				side_name(m->side), m->calls, m->errors, m->unfinished,
				percentile(m, 0.5), percentile(m, 0.99));
		}
		fprintf(r->out,
			"],\"unfinished_calls\":%" PRIu64 ",\"unfinished_conn_closed\":%" PRIu64
			",\"events_received\":%" PRIu64
			",\"events_emitted\":%" PRIu64 ",\"events_lost\":%" PRIu64
			",\"reads_failed\":%" PRIu64 ",\"truncated_headers\":%" PRIu64
			",\"desync_frames\":%" PRIu64 ",\"unreadable_frames\":%" PRIu64
			",\"malformed_events\":%" PRIu64 ",\"unmatched_events\":%" PRIu64 ",\"probe_hits\":%" PRIu64
			",\"restarts_skipped\":%" PRIu64 ",\"dropped_methods\":%" PRIu64
			",\"evicted_idle_calls\":%" PRIu64 ",\"evicted_full_calls\":%" PRIu64,
			r->unfinished, r->unfinished_conn_closed, t->received, t->emitted, t->lost, t->read_errors, t->truncated,
			t->desync, t->foreign, t->malformed, t->unmatched, t->hits, t->restarts,
			r->dropped_methods, t->evicted_idle, t->evicted_full);
		if (r->o->probe_stats)
			probes_json(r->out, t, r->o->count_ops);
		if (t->spans.on) {
			fprintf(r->out, ",\"spans_exported\":%" PRIu64 ",\"spans_dropped_full\":%" PRIu64
					",\"spans_dropped_failed\":%" PRIu64 ",\"spans_last_error\":",
				t->spans.exported, t->spans.dropped_full, t->spans.dropped_failed);
			json_str(r->out, t->spans.last_error);
		}
		fprintf(r->out, "}\n");
		fflush(r->out);
		return;
	}
	/* The method last, as in the rows: shortened to 80 columns unless -w. */
	fprintf(r->out, "\nSUMMARY (%.1f s)\n%-6s %7s %7s %9s %9s %s\n", secs, "SIDE", "CALLS",
		"ERRORS", "P50(ms)", "P99(ms)", "METHOD");
	for (int i = 0; i < r->nmethods; i++) {
		struct method_stats *m = &r->methods[i];

		fprintf(r->out, "%-6s %7" PRIu64 " %7" PRIu64 " %9.2f %9.2f ", side_name(m->side),
			m->calls, m->errors, percentile(m, 0.5), percentile(m, 0.99));
		if (r->o->wide)
			term_write(r->out, m->method);
		else
			textrow__method(r->out, m->method, SUMMARY_METHOD_WIDTH);
		fputc('\n', r->out);
	}
	/* Past MAX_METHODS distinct names a call has no row: say how many. */
	if (r->dropped_methods)
		fprintf(r->out, "%" PRIu64 " calls of methods beyond the first %d are in no row above\n",
			r->dropped_methods, MAX_METHODS);
	fprintf(r->out,
		"events: %" PRIu64 " received, %" PRIu64 " lost (buffer full or no memory); %" PRIu64
		" failed reads; %" PRIu64 " truncated header blocks; %" PRIu64
		" frames with message boundaries lost; %" PRIu64 " frames unreadable; %" PRIu64
		" calls unfinished (%" PRIu64 " when their connection closed)\n",
		t->received, t->lost, t->read_errors, t->truncated, t->desync, t->foreign, r->unfinished,
		r->unfinished_conn_closed);
	/* Open calls given up before the end are among the unfinished. */
	fprintf(r->out,
		"open calls given up: %" PRIu64 " with no event for %u s, %" PRIu64
		" past %u open calls\n",
		t->evicted_idle, t->idle_timeout_s, t->evicted_full, t->max_open_calls);
	if (t->spans.on) {
		fputs("spans to ", r->out);
		term_write(r->out, t->spans.url);
		fprintf(r->out,
			": %" PRIu64 " exported, %" PRIu64 " dropped (queue full), %" PRIu64
			" dropped (requests failed)",
			t->spans.exported, t->spans.dropped_full, t->spans.dropped_failed);
		if (*t->spans.last_error) {
			fputs("; last error: ", r->out);
			term_write(r->out, t->spans.last_error);
		}
		fputc('\n', r->out);
	}
	if (r->o->probe_stats)
		probes_text(r->out, t);
	fflush(r->out);
}
