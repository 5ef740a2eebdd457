/* otlp.c - the span exporter: a bounded queue filled by the tracer, and a
 * thread that sends it as OTLP/HTTP requests, a batch at a time.
 *
 * Each queued span carries its own encoded Resource (the process it came
 * from), so a process may go while its spans wait. The queue holds at
 * most DEFAULT_MAX_QUEUED spans (a test sets fewer): past that, and when a
 * request fails, spans are dropped and counted; the receiver never slows
 * tracing down.
 */
#include "otlp.h"

#include "httppost.h"
#include "otlpspan.h"
#include "pbenc.h"
#include "options.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <time.h>

#define DEFAULT_MAX_QUEUED 8192
#define BATCH 512
#define SEND_EVERY_MS 1000
#define TIMEOUT_MS 2000	      /* connect, send, receive: each */
#define CLOSE_DEADLINE_S 5    /* at the end, how long what is queued may take */

/* OTLP's field numbers: ExportTraceServiceRequest, ResourceSpans,
 * ScopeSpans, InstrumentationScope. */
enum {
	REQ_RESOURCE_SPANS = 1,
	RS_RESOURCE = 1,
	RS_SCOPE_SPANS = 2,
	SS_SCOPE = 1,
	SS_SPANS = 2,
	SCOPE_NAME = 1,
};

struct queued {
	struct pbenc resource; /* field RS_RESOURCE, whole */
	struct pbenc span;     /* field SS_SPANS, whole */
};

struct proc_resource {
	pid_t pid;
	struct pbenc resource;
};

struct otlp {
	struct otlp_opts o;
	struct http_url url;
	struct span_opts span_opts;
	uint64_t rng; /* span and trace IDs */
	struct proc_resource procs[MAX_TARGETS];
	int nprocs;

	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	struct queued *q; /* a ring of cap */
	size_t cap;
	size_t head, n;
	bool stop;
	struct otlp_stats st; /* under mu */
};

static uint64_t next_random(struct otlp *x)
{
	/* splitmix64: IDs need to be unique, not secret */
	uint64_t z = (x->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void random_id(struct otlp *x, uint8_t *id, size_t n)
{
	do {
		for (size_t i = 0; i < n; i += 8) {
			uint64_t r = next_random(x);

			memcpy(id + i, &r, n - i < 8 ? n - i : 8);
		}
	} while (id[0] == 0 && id[n - 1] == 0); /* never the all-zero invalid ID */
}

/* The request of batch[0..count): one ResourceSpans per run of
 * spans with the same resource. */
static void build_request(struct pbenc *req, const struct queued *batch, size_t count)
{
	pbenc__reset(req);
	for (size_t i = 0; i < count;) {
		size_t rs = pbenc__begin(req, REQ_RESOURCE_SPANS), ss, scope, j;

		pbenc__raw(req, batch[i].resource.data, batch[i].resource.len);
		ss = pbenc__begin(req, RS_SCOPE_SPANS);
		scope = pbenc__begin(req, SS_SCOPE);
		pbenc__string(req, SCOPE_NAME, "gogrpctrace");
		pbenc__end(req, scope);
		for (j = i; j < count && batch[j].resource.len == batch[i].resource.len &&
			    memcmp(batch[j].resource.data, batch[i].resource.data,
				   batch[i].resource.len) == 0;
		     j++)
			pbenc__raw(req, batch[j].span.data, batch[j].span.len);
		pbenc__end(req, ss);
		pbenc__end(req, rs);
		i = j;
	}
}

/* Send a batch; count it exported or dropped. */
static void send_batch(struct otlp *x, struct queued *batch, size_t count, struct pbenc *req)
{
	char err[160] = "";
	int status;

	build_request(req, batch, count);
	if (req->failed) {
		snprintf(err, sizeof(err), "out of memory");
		status = -1;
	} else {
		status = httppost__send(&x->url, "application/x-protobuf", req->data, req->len,
					TIMEOUT_MS, err, sizeof(err));
		if (status >= 0 && (status < 200 || status > 299))
			snprintf(err, sizeof(err), "the receiver answered HTTP %d", status);
	}
	pthread_mutex_lock(&x->mu);
	if (*err) {
		x->st.dropped_failed += count;
		snprintf(x->st.last_error, sizeof(x->st.last_error), "%s", err);
	} else {
		x->st.exported += count;
	}
	pthread_mutex_unlock(&x->mu);
	for (size_t i = 0; i < count; i++) {
		pbenc__free(&batch[i].resource);
		pbenc__free(&batch[i].span);
	}
}

static void *exporter(void *arg)
{
	struct otlp *x = arg;
	struct queued *batch = calloc(BATCH, sizeof(*batch));
	struct pbenc req = {0};
	time_t deadline = 0;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		size_t count = 0;

		if (!x->stop && x->n < BATCH) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += SEND_EVERY_MS / 1000;
			pthread_cond_timedwait(&x->wake, &x->mu, &ts);
		}
		if (x->stop && !deadline)
			deadline = time(NULL) + CLOSE_DEADLINE_S;
		/* At the end, what is still queued past the deadline is lost. */
		if (x->stop && (time(NULL) > deadline || !batch)) {
			x->st.dropped_failed += x->n;
			while (x->n) {
				struct queued *e = &x->q[x->head];

				pbenc__free(&e->resource);
				pbenc__free(&e->span);
				x->head = (x->head + 1) % x->cap;
				x->n--;
			}
		}
		while (batch && count < BATCH && x->n) {
			batch[count++] = x->q[x->head];
			x->head = (x->head + 1) % x->cap;
			x->n--;
		}
		if (!count && x->stop)
			break;
		pthread_mutex_unlock(&x->mu);
		if (count)
			send_batch(x, batch, count, &req);
		pthread_mutex_lock(&x->mu);
	}
	pthread_mutex_unlock(&x->mu);
	pbenc__free(&req);
	free(batch);
	return NULL;
}

struct otlp *otlp__new(const struct otlp_opts *o, char *err, size_t errlen)
{
	struct otlp *x = calloc(1, sizeof(*x));

	size_t cap = o->max_queued ? o->max_queued : DEFAULT_MAX_QUEUED;

	if (!x || !(x->q = calloc(cap, sizeof(*x->q)))) {
		free(x);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->o = *o;
	x->cap = cap;
	x->span_opts = (struct span_opts){.metadata = o->metadata, .show_secrets = o->show_secrets};
	if (httppost__parse_url(o->url, "/v1/traces", &x->url, err, errlen)) {
		free(x->q);
		free(x);
		return NULL;
	}
	if (getrandom(&x->rng, sizeof(x->rng), 0) != sizeof(x->rng))
		x->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->wake, NULL);
	if (pthread_create(&x->thread, NULL, exporter, x) != 0) {
		snprintf(err, errlen, "cannot start the exporter thread: %s", strerror(errno));
		free(x->q);
		free(x);
		return NULL;
	}
	return x;
}

static struct proc_resource *proc_of(struct otlp *x, pid_t pid)
{
	for (int i = 0; i < x->nprocs; i++)
		if (x->procs[i].pid == pid)
			return &x->procs[i];
	return NULL;
}

void otlp__set_process(struct otlp *x, pid_t pid, const char *exe_path, const char *container_id)
{
	struct proc_resource *p = proc_of(x, pid);
	const char *base = exe_path ? strrchr(exe_path, '/') : NULL;
	const char *service = x->o.service_name ? x->o.service_name
				: exe_path	   ? (base ? base + 1 : exe_path)
						   : "unknown_service";

	if (!p) {
		if (x->nprocs == MAX_TARGETS)
			return;
		p = &x->procs[x->nprocs++];
		*p = (struct proc_resource){.pid = pid};
	}
	pbenc__reset(&p->resource);
	otlpspan__resource(&p->resource, RS_RESOURCE, service, (uint32_t)pid, exe_path, container_id);
}

void otlp__forget_process(struct otlp *x, pid_t pid)
{
	struct proc_resource *p = proc_of(x, pid);

	if (!p)
		return;
	pbenc__free(&p->resource);
	*p = x->procs[--x->nprocs];
}

void otlp__call(struct otlp *x, const struct call *c, uint64_t start_ns, uint64_t end_ns,
		const char *unfinished_why)
{
	struct proc_resource *p = proc_of(x, (pid_t)c->pid);
	struct queued e = {0};
	struct span_parent parent;
	bool has_parent = otlpspan__parent(c, &parent);
	uint8_t trace_id[16], span_id[8];

	if (has_parent)
		memcpy(trace_id, parent.trace_id, 16);
	else
		random_id(x, trace_id, 16);
	random_id(x, span_id, 8);
	otlpspan__encode(&e.span, SS_SPANS, c, start_ns, end_ns, trace_id, span_id,
			 has_parent ? &parent : NULL, &x->span_opts, unfinished_why);
	if (p)
		pbenc__raw(&e.resource, p->resource.data, p->resource.len);
	else
		otlpspan__resource(&e.resource, RS_RESOURCE, "unknown_service", c->pid, NULL, NULL);
	pthread_mutex_lock(&x->mu);
	if (x->n == x->cap || e.span.failed || e.resource.failed) {
		x->st.dropped_full++;
		pbenc__free(&e.span);
		pbenc__free(&e.resource);
	} else {
		x->q[(x->head + x->n) % x->cap] = e;
		if (++x->n == BATCH)
			pthread_cond_signal(&x->wake);
	}
	pthread_mutex_unlock(&x->mu);
}

void otlp__close(struct otlp *x, struct otlp_stats *st)
{
	pthread_mutex_lock(&x->mu);
	x->stop = true;
	pthread_cond_signal(&x->wake);
	pthread_mutex_unlock(&x->mu);
	pthread_join(x->thread, NULL);
	*st = x->st;
	for (int i = 0; i < x->nprocs; i++)
		pbenc__free(&x->procs[i].resource);
	pthread_mutex_destroy(&x->mu);
	pthread_cond_destroy(&x->wake);
	free(x->q);
	free(x);
}
