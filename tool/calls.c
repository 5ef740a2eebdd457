/* calls.c - the table of open calls. */
#include "calls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 4096
#define NCONNS 1024

/* A connection's addresses; a small cache, a newer connection may take
 * an older one's slot. */
struct conn_addrs {
	uint32_t pid;
	uint64_t conn;
	char peer[ADDR_TEXT];
	char local[ADDR_TEXT];
	bool cut; /* an address was cut to fit */
};

struct calls {
	struct call *buckets[NBUCKETS];
	struct conn_addrs conns[NCONNS];
	call_done_fn done;
	void *ctx;
	uint64_t open;
	uint64_t ending; /* open calls marked ending */
	/* Every open call, least recently seen first: the idle and the
	 * oldest are found at the head. */
	struct call *oldest, *newest;
	uint64_t now_ns; /* the last calls__tick's time */
	uint64_t idle_ns, max_open;
	struct calls_evicted evicted;
};

static unsigned bucket(uint32_t pid, uint64_t conn, uint32_t sid)
{
	uint64_t h = conn * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)pid << 32 | sid);

	return (unsigned)((h ^ (h >> 29)) % NBUCKETS);
}

struct calls *calls__new(call_done_fn done, void *ctx)
{
	struct calls *cs = calloc(1, sizeof(*cs));

	if (cs) {
		cs->done = done;
		cs->ctx = ctx;
	}
	return cs;
}

void calls__set_limits(struct calls *cs, uint32_t idle_s, uint64_t max_open)
{
	cs->idle_ns = (uint64_t)idle_s * 1000000000ULL;
	cs->max_open = max_open;
}

static void lru_unlink(struct calls *cs, struct call *c)
{
	if (c->older)
		c->older->newer = c->newer;
	else if (cs->oldest == c)
		cs->oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else if (cs->newest == c)
		cs->newest = c->older;
	c->older = c->newer = NULL;
}

/* An event of c was seen at ts: c becomes the most recently seen. The
 * list stays in order of last_ns, which never goes back. */
static void touch(struct calls *cs, struct call *c, uint64_t ts)
{
	uint64_t t = ts > cs->now_ns ? ts : cs->now_ns;

	if (cs->newest && cs->newest->last_ns > t)
		t = cs->newest->last_ns;
	if (t > c->last_ns)
		c->last_ns = t;
	if (cs->newest == c)
		return;
	lru_unlink(cs, c);
	c->older = cs->newest;
	if (cs->newest)
		cs->newest->newer = c;
	else
		cs->oldest = c;
	cs->newest = c;
}

struct call *calls__find(struct calls *cs, uint32_t pid, uint64_t conn, uint32_t stream_id)
{
	struct call *c;

	for (c = cs->buckets[bucket(pid, conn, stream_id)]; c; c = c->next)
		if (c->pid == pid && c->conn == conn && c->stream_id == stream_id) {
			touch(cs, c, 0);
			return c;
		}
	return NULL;
}

/* Give c up: printed as unfinished (or as complete if only its last
 * header fields were awaited). */
static void evict(struct calls *cs, struct call *c, bool idle)
{
	if (!c->ending) {
		c->complete = false;
		if (idle) {
			c->evicted_idle_s = (uint32_t)(cs->idle_ns / 1000000000ULL);
			cs->evicted.idle++;
		} else {
			c->evicted_full = true;
			cs->evicted.full++;
		}
	}
	calls__finish(cs, c);
}

void calls__tick(struct calls *cs, uint64_t now_ns)
{
	if (now_ns > cs->now_ns)
		cs->now_ns = now_ns;
	while (cs->idle_ns && cs->oldest && cs->oldest->last_ns + cs->idle_ns <= cs->now_ns)
		evict(cs, cs->oldest, true);
}

struct calls_evicted calls__evicted(const struct calls *cs)
{
	return cs->evicted;
}

struct call *calls__get(struct calls *cs, uint32_t pid, uint64_t conn, uint32_t stream_id,
			int side, uint64_t ts)
{
	unsigned b = bucket(pid, conn, stream_id);
	struct call *c = calls__find(cs, pid, conn, stream_id);

	if (c) {
		/* Events of one call can arrive out of order (the client's
		 * first message may be seen before its headers are written). */
		if (ts && ts < c->start_ns)
			c->start_ns = ts;
		touch(cs, c, ts);
		return c;
	}
	if (cs->max_open && cs->open >= cs->max_open && cs->oldest)
		evict(cs, cs->oldest, false);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->pid = pid;
	c->conn = conn;
	c->stream_id = stream_id;
	c->side = side;
	c->start_ns = ts;
	c->http_status = -1;
	c->grpc_status = -1;
	c->reset_code = -1;
	c->stack = "grpc-go";
	c->proto = "HTTP/2.0";
	c->next = cs->buckets[b];
	cs->buckets[b] = c;
	cs->open++;
	touch(cs, c, ts);
	return c;
}

static void free_call(struct call *c)
{
	header_list__free(&c->req_headers);
	header_list__free(&c->resp_headers);
	header_list__free(&c->trailers);
	captured_msg__free(&c->req_first);
	captured_msg__free(&c->resp_first);
	msgasm__reset(&c->req_asm);
	msgasm__reset(&c->resp_asm);
	for (int i = 0; i < c->npending; i++)
		captured_msg__free(&c->pending[i].m);
	free(c->pending);
	free(c);
}

static void unlink_call(struct calls *cs, struct call *c)
{
	struct call **pp = &cs->buckets[bucket(c->pid, c->conn, c->stream_id)];

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = c->next;
		cs->open--;
	}
	lru_unlink(cs, c);
}

void calls__finish(struct calls *cs, struct call *c)
{
	if (c->ending)
		cs->ending--;
	unlink_call(cs, c);
	calls__fill_addrs(cs, c);
	cs->done(c, cs->ctx);
	free_call(c);
}

void calls__mark_ending(struct calls *cs, struct call *c, uint64_t ts)
{
	if (!c->ending)
		cs->ending++;
	c->ending = true;
	c->complete = true;
	c->end_ns = ts;
}

void calls__finish_ending(struct calls *cs, uint64_t before_ns)
{
	for (unsigned b = 0; b < NBUCKETS && cs->ending; b++) {
		struct call *c = cs->buckets[b], *next;

		for (; c; c = next) {
			next = c->next;
			if (c->ending && c->end_ns < before_ns)
				calls__finish(cs, c);
		}
	}
}

static struct conn_addrs *conn_slot(struct calls *cs, uint32_t pid, uint64_t conn)
{
	return &cs->conns[bucket(pid, conn, 0) % NCONNS];
}

void calls__set_conn_addrs(struct calls *cs, uint32_t pid, uint64_t conn, const char *peer,
			   const char *local, bool cut)
{
	struct conn_addrs *a = conn_slot(cs, pid, conn);

	if (a->pid != pid || a->conn != conn)
		memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->conn = conn;
	if (*peer)
		snprintf(a->peer, sizeof(a->peer), "%s", peer);
	if (*local)
		snprintf(a->local, sizeof(a->local), "%s", local);
	a->cut |= cut;
}

void calls__fill_addrs(struct calls *cs, struct call *c)
{
	struct conn_addrs *a = conn_slot(cs, c->pid, c->conn);

	if (a->pid != c->pid || a->conn != c->conn)
		return;
	if (!*c->peer && *a->peer) {
		snprintf(c->peer, sizeof(c->peer), "%s", a->peer);
		c->peer_unknown = false;
		c->truncated |= a->cut;
	}
	if (!*c->local && *a->local) {
		snprintf(c->local, sizeof(c->local), "%s", a->local);
		c->local_unknown = false;
		c->truncated |= a->cut;
	}
}

void calls__flush(struct calls *cs)
{
	calls__finish_ending(cs, UINT64_MAX);
	for (int b = 0; b < NBUCKETS; b++) {
		while (cs->buckets[b]) {
			struct call *c = cs->buckets[b];

			c->complete = false;
			calls__finish(cs, c);
		}
	}
}

void calls__free(struct calls *cs)
{
	if (!cs)
		return;
	for (int b = 0; b < NBUCKETS; b++) {
		while (cs->buckets[b]) {
			struct call *c = cs->buckets[b];

			cs->buckets[b] = c->next;
			free_call(c);
		}
	}
	free(cs);
}

uint64_t calls__open_count(const struct calls *cs)
{
	return cs->open;
}

int header_list__add(struct header_list *l, const char *name, size_t nlen, const char *value,
		     size_t vlen)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 8;
		char **n = realloc(l->names, (size_t)cap * sizeof(*n));
		char **v;

		if (!n)
			return -ENOMEM;
		l->names = n;
		v = realloc(l->values, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->values = v;
		l->cap = cap;
	}
	l->names[l->n] = strndup(name, nlen);
	l->values[l->n] = strndup(value, vlen);
	if (!l->names[l->n] || !l->values[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

int header_list__take(struct header_list *dst, struct header_list *src)
{
	if (!dst->n) {
		header_list__free(dst);
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	if (dst->n + src->n > dst->cap) {
		int cap = dst->n + src->n;
		char **n = realloc(dst->names, (size_t)cap * sizeof(*n));
		char **v;

		if (!n)
			return -ENOMEM;
		dst->names = n;
		v = realloc(dst->values, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		dst->values = v;
		dst->cap = cap;
	}
	memcpy(dst->names + dst->n, src->names, (size_t)src->n * sizeof(char *));
	memcpy(dst->values + dst->n, src->values, (size_t)src->n * sizeof(char *));
	dst->n += src->n;
	free(src->names);
	free(src->values);
	memset(src, 0, sizeof(*src));
	return 0;
}

const char *header_list__get(const struct header_list *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return l->values[i];
	return NULL;
}

void header_list__free(struct header_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->names[i]);
		free(l->values[i]);
	}
	free(l->names);
	free(l->values);
	memset(l, 0, sizeof(*l));
}
