/* calls.c - the table of open calls. */
#include "calls.h"
#include "probes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 4096
#define NCONN_BUCKETS 1024
/* Connections with no open call are kept for their addresses, at most
 * this many (the least recently left are dropped first): a connection
 * whose close is never seen must not grow the table forever. */
#define MAX_IDLE_CONNS 1024

/* What is known of one connection: its addresses (seen on one call, true
 * for all) and its open calls. Created with its first call or address,
 * destroyed when it closes. */
struct conn_entry {
	struct conn_entry *next;	    /* hash chain */
	struct conn_entry *older, *newer;   /* idle connections, least recently left first */
	uint32_t pid;
	uint64_t conn;
	char peer[ADDR_TEXT];
	char local[ADDR_TEXT];
	bool cut; /* an address was cut to fit */
	bool addrs_after_close; /* set since the close began: a reuse's, likely */
	bool tls;
	uint32_t awaiting_sid; /* a server call that answered before its request ended */
	struct call *calls; /* open calls, through conn_next */
	/* Closing since closing_ns (0: open): its last frames, written by
	 * other goroutines as the close begins, may still come; it is
	 * forgotten once they have had time to, or at once if a new call
	 * shows its address reused. Linked in the calls' closing list. */
	uint64_t closing_ns;
	struct conn_entry *closing_prev, *closing_next;
};

struct calls {
	struct call *buckets[NBUCKETS];
	struct conn_entry *conn_buckets[NCONN_BUCKETS];
	struct conn_entry *idle_oldest, *idle_newest;
	struct conn_entry *closing_oldest, *closing_newest;
	uint64_t nidle;
	call_done_fn done;
	void *ctx;
	conn_forget_fn forget;
	void *forget_ctx;
	uint64_t open;
	uint64_t ending; /* open calls marked ending */
	/* Every open call, least recently seen first: the idle and the
	 * oldest are found at the head. */
	struct call *oldest, *newest;
	uint64_t now_ns; /* the last calls__tick's time */
	uint64_t idle_ns, max_open;
	struct calls_evicted evicted;
	/* Finished calls kept for the next ones (through next): a call is
	 * a few KB, made and freed thousands of times a second. */
	struct call *spare;
	int nspare;
};

#define MAX_SPARE_CALLS 64

static unsigned bucket(uint32_t pid, uint64_t conn, uint32_t sid)
{
	uint64_t h = conn * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)pid << 32 | sid);

	return (unsigned)((h ^ (h >> 29)) % NBUCKETS);
}

static struct conn_entry **conn_bucket(struct calls *cs, uint32_t pid, uint64_t conn)
{
	return &cs->conn_buckets[bucket(pid, conn, 0) % NCONN_BUCKETS];
}

static struct conn_entry *conn_find(struct calls *cs, uint32_t pid, uint64_t conn)
{
	struct conn_entry *e;

	for (e = *conn_bucket(cs, pid, conn); e; e = e->next)
		if (e->pid == pid && e->conn == conn)
			return e;
	return NULL;
}

static void idle_unlink(struct calls *cs, struct conn_entry *e)
{
	if (!e->older && !e->newer && cs->idle_oldest != e)
		return; /* not idle */
	if (e->older)
		e->older->newer = e->newer;
	else
		cs->idle_oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		cs->idle_newest = e->older;
	e->older = e->newer = NULL;
	cs->nidle--;
}

static void closing_unlink(struct calls *cs, struct conn_entry *e)
{
	if (!e->closing_ns)
		return;
	if (e->closing_prev)
		e->closing_prev->closing_next = e->closing_next;
	else
		cs->closing_oldest = e->closing_next;
	if (e->closing_next)
		e->closing_next->closing_prev = e->closing_prev;
	else
		cs->closing_newest = e->closing_prev;
	e->closing_prev = e->closing_next = NULL;
}

void calls__on_conn_forget(struct calls *cs, conn_forget_fn fn, void *ctx)
{
	cs->forget = fn;
	cs->forget_ctx = ctx;
}

static void conn_free(struct calls *cs, struct conn_entry *e)
{
	struct conn_entry **pp = conn_bucket(cs, e->pid, e->conn);

	if (cs->forget)
		cs->forget(e->pid, e->conn, cs->forget_ctx);
	idle_unlink(cs, e);
	closing_unlink(cs, e);
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	free(e);
}

/* e has no open call left: it waits, among the idle, for its next call
 * or its close. */
static void conn_idle(struct calls *cs, struct conn_entry *e)
{
	e->older = cs->idle_newest;
	e->newer = NULL;
	if (cs->idle_newest)
		cs->idle_newest->newer = e;
	else
		cs->idle_oldest = e;
	cs->idle_newest = e;
	cs->nidle++;
	if (cs->nidle > MAX_IDLE_CONNS)
		conn_free(cs, cs->idle_oldest);
}

/* The entry of (pid, conn), made (idle) if there is none; NULL only when
 * out of memory. */
static struct conn_entry *conn_get(struct calls *cs, uint32_t pid, uint64_t conn)
{
	struct conn_entry *e = conn_find(cs, pid, conn), **head;

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->pid = pid;
	e->conn = conn;
	head = conn_bucket(cs, pid, conn);
	e->next = *head;
	*head = e;
	conn_idle(cs, e);
	return e;
}

static void conn_add_call(struct calls *cs, struct call *c)
{
	struct conn_entry *e = conn_get(cs, c->pid, c->conn);

	if (!e)
		return; /* the call just cannot be ended by its connection's close */
	if (!e->calls)
		idle_unlink(cs, e);
	c->conn_next = e->calls;
	if (e->calls)
		e->calls->conn_prev = c;
	e->calls = c;
}

static void conn_remove_call(struct calls *cs, struct call *c)
{
	struct conn_entry *e = conn_find(cs, c->pid, c->conn);

	if (!e)
		return;
	if (c->conn_prev)
		c->conn_prev->conn_next = c->conn_next;
	else if (e->calls == c)
		e->calls = c->conn_next;
	else
		return; /* never linked (out of memory then) */
	if (c->conn_next)
		c->conn_next->conn_prev = c->conn_prev;
	c->conn_next = c->conn_prev = NULL;
	if (!e->calls)
		conn_idle(cs, e);
}

static void conn_finish_close(struct calls *cs, struct conn_entry *e);

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
	struct conn_entry *e = conn_find(cs, pid, conn), carry = {0};

	/* A stream opening on a closing connection's key is a new connection
	 * at the old one's address: the old one's close is final first. The
	 * addresses set since it began (sent just before this event) are the
	 * new connection's. */
	if (e && e->closing_ns) {
		if (e->addrs_after_close)
			carry = *e;
		conn_finish_close(cs, e);
		c = NULL;
	}
	if (c && c->ending) {
		/* A new request on the key of a call that has ended. */
		calls__finish(cs, c);
		c = NULL;
	}
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
	if (cs->spare) {
		c = cs->spare;
		cs->spare = c->next;
		cs->nspare--;
		memset(c, 0, sizeof(*c));
	} else if (!(c = calloc(1, sizeof(*c)))) {
		return NULL;
	}
	c->pid = pid;
	c->conn = conn;
	c->stream_id = stream_id;
	c->side = side;
	c->start_ns = ts;
	c->http_status = -1;
	c->grpc_status = -1;
	c->reset_code = -1;
	c->stack = GRPC_GO_STACK;
	c->proto = "HTTP/2.0";
	c->next = cs->buckets[b];
	cs->buckets[b] = c;
	cs->open++;
	touch(cs, c, ts);
	conn_add_call(cs, c);
	if (carry.addrs_after_close)
		calls__set_conn_addrs(cs, pid, conn, carry.peer, carry.local, carry.cut);
	return c;
}

/* What a call holds; the call itself stays. */
static void release_call(struct call *c)
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
}

static void free_call(struct call *c)
{
	release_call(c);
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
	conn_remove_call(cs, c);
}

void calls__finish(struct calls *cs, struct call *c)
{
	if (c->ending)
		cs->ending--;
	unlink_call(cs, c);
	calls__fill_addrs(cs, c);
	cs->done(c, cs->ctx);
	if (cs->nspare == MAX_SPARE_CALLS) {
		free_call(c);
		return;
	}
	release_call(c);
	c->next = cs->spare;
	cs->spare = c;
	cs->nspare++;
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

/* The close of e is final: its calls end, it is forgotten. */
static void conn_finish_close(struct calls *cs, struct conn_entry *e)
{
	while (e->calls) {
		struct call *c = e->calls;

		if (!c->ending) {
			c->complete = false;
			c->conn_closed = true;
			if (e->closing_ns > c->start_ns)
				c->end_ns = e->closing_ns;
		}
		calls__finish(cs, c);
	}
	conn_free(cs, e);
}

void calls__conn_closed(struct calls *cs, uint32_t pid, uint64_t conn, uint64_t ts)
{
	struct conn_entry *e = conn_find(cs, pid, conn);

	if (!e || e->closing_ns)
		return;
	e->closing_ns = ts ? ts : 1;
	e->closing_prev = cs->closing_newest;
	if (cs->closing_newest)
		cs->closing_newest->closing_next = e;
	else
		cs->closing_oldest = e;
	cs->closing_newest = e;
}

void calls__process_gone(struct calls *cs, uint32_t pid)
{
	/* A connection that began to close first ends its calls as closed:
	 * no frame of it can come now. Finishing one may free others (the
	 * idle ones past the cap): the bucket is walked again each time. */
	for (unsigned b = 0; b < NCONN_BUCKETS; b++) {
		struct conn_entry *e = cs->conn_buckets[b];

		while (e) {
			if (e->pid == pid && e->closing_ns) {
				conn_finish_close(cs, e);
				e = cs->conn_buckets[b];
			} else {
				e = e->next;
			}
		}
	}
	for (unsigned b = 0; b < NBUCKETS && cs->open; b++) {
		struct call *c = cs->buckets[b], *next;

		for (; c; c = next) {
			next = c->next;
			if (c->pid != pid)
				continue;
			if (!c->ending) {
				c->complete = false;
				c->process_exited = true;
				c->end_ns = 0;
			}
			calls__finish(cs, c);
		}
	}
	for (unsigned b = 0; b < NCONN_BUCKETS; b++) {
		struct conn_entry *e = cs->conn_buckets[b], *next;

		for (; e; e = next) {
			next = e->next;
			if (e->pid == pid)
				conn_free(cs, e);
		}
	}
}

void calls__finish_closing(struct calls *cs, uint64_t before_ns)
{
	while (cs->closing_oldest && cs->closing_oldest->closing_ns < before_ns)
		conn_finish_close(cs, cs->closing_oldest);
}

void calls__set_conn_tls(struct calls *cs, uint32_t pid, uint64_t conn)
{
	struct conn_entry *e = conn_get(cs, pid, conn);

	if (e)
		e->tls = true;
}

void calls__await_request(struct calls *cs, struct call *c, uint64_t ts)
{
	struct conn_entry *e;

	calls__mark_ending(cs, c, ts);
	if (c->conn && (e = conn_get(cs, c->pid, c->conn)) != NULL)
		e->awaiting_sid = c->stream_id;
}

void calls__finish_awaiting(struct calls *cs, uint32_t pid, uint64_t conn)
{
	struct conn_entry *e = conn_find(cs, pid, conn);
	struct call *c;

	if (!e || !e->awaiting_sid)
		return;
	c = calls__find(cs, pid, conn, e->awaiting_sid);
	e->awaiting_sid = 0;
	if (c && c->ending)
		calls__finish(cs, c);
}

/* snprintf(dst, len, "%s", src) without its format parsing. */
static void copy_text(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void calls__set_conn_addrs(struct calls *cs, uint32_t pid, uint64_t conn, const char *peer,
			   const char *local, bool cut)
{
	struct conn_entry *e = conn_get(cs, pid, conn);

	if (!e)
		return;
	if (*peer)
		copy_text(e->peer, sizeof(e->peer), peer);
	if (*local)
		copy_text(e->local, sizeof(e->local), local);
	e->cut |= cut;
	if (e->closing_ns)
		e->addrs_after_close = true;
}

void calls__fill_addrs(struct calls *cs, struct call *c)
{
	struct conn_entry *e = conn_find(cs, c->pid, c->conn);

	if (!e)
		return;
	if (!*c->peer && *e->peer) {
		copy_text(c->peer, sizeof(c->peer), e->peer);
		c->peer_unknown = false;
		c->truncated |= e->cut;
	}
	if (!*c->local && *e->local) {
		copy_text(c->local, sizeof(c->local), e->local);
		c->local_unknown = false;
		c->truncated |= e->cut;
	}
	if (e->tls)
		c->tls = true;
}

void calls__flush(struct calls *cs)
{
	calls__finish_closing(cs, UINT64_MAX);
	calls__finish_ending(cs, UINT64_MAX);
	for (int b = 0; b < NBUCKETS; b++) {
		while (cs->buckets[b]) {
			struct call *c = cs->buckets[b];

			c->complete = false;
			c->open_at_exit = true;
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
	while (cs->spare) {
		struct call *c = cs->spare;

		cs->spare = c->next;
		free(c);
	}
	for (int b = 0; b < NCONN_BUCKETS; b++) {
		while (cs->conn_buckets[b]) {
			struct conn_entry *e = cs->conn_buckets[b];

			cs->conn_buckets[b] = e->next;
			free(e);
		}
	}
	free(cs);
}

uint64_t calls__open_count(const struct calls *cs)
{
	return cs->open;
}

/* Text blocks of a header list: fields are copied one after another. */
struct header_text {
	struct header_text *next;
	size_t used, size;
	char buf[];
};

#define HEADER_TEXT_BLOCK 1024
#define HEADER_LIST_CAP 16 /* fields a list has room for at first */

/* Header lists are made and freed a few times per call: their usual
 * pieces (a text block, room for HEADER_LIST_CAP fields) are kept for the
 * next ones, at most MAX_SPARE of each. */
#define MAX_SPARE 64

struct spare {
	void *head; /* each piece's first bytes point to the next */
	int n;
};

static struct spare spare_text, spare_names;

static void *spare_get(struct spare *sp, size_t size)
{
	void *p = sp->head;

	if (!p)
		return malloc(size);
	sp->head = *(void **)p;
	sp->n--;
	return p;
}

static void spare_put(struct spare *sp, void *p)
{
	if (sp->n == MAX_SPARE) {
		free(p);
		return;
	}
	*(void **)p = sp->head;
	sp->head = p;
	sp->n++;
}

static void names_free(struct header_list *l)
{
	if (l->names && l->cap == HEADER_LIST_CAP)
		spare_put(&spare_names, l->names);
	else
		free(l->names);
}

/* Room for cap names and values: names and values in one allocation. */
static int header_list_grow(struct header_list *l, int cap)
{
	size_t size = (size_t)cap * 2 * sizeof(char *);
	char **names = cap == HEADER_LIST_CAP ? spare_get(&spare_names, size) : malloc(size);

	if (!names)
		return -ENOMEM;
	if (l->n) {
		memcpy(names, l->names, (size_t)l->n * sizeof(*names));
		memcpy(names + cap, l->values, (size_t)l->n * sizeof(*names));
	}
	names_free(l);
	l->names = names;
	l->values = names + cap;
	l->cap = cap;
	return 0;
}

/* A copy of the n bytes at s up to its first NUL, as strndup makes. */
static char *header_text_dup(struct header_list *l, const char *s, size_t n)
{
	struct header_text *t = l->text;
	char *out;

	n = strnlen(s, n);
	if (!t || t->size - t->used < n + 1) {
		size_t size = n + 1 > HEADER_TEXT_BLOCK ? n + 1 : HEADER_TEXT_BLOCK;

		t = size == HEADER_TEXT_BLOCK ? spare_get(&spare_text, sizeof(*t) + size)
					      : malloc(sizeof(*t) + size);
		if (!t)
			return NULL;
		t->next = l->text;
		t->used = 0;
		t->size = size;
		l->text = t;
	}
	out = t->buf + t->used;
	memcpy(out, s, n);
	out[n] = '\0';
	t->used += n + 1;
	return out;
}

int header_list__add(struct header_list *l, const char *name, size_t nlen, const char *value,
		     size_t vlen)
{
	if (l->n == l->cap && header_list_grow(l, l->cap ? l->cap * 2 : HEADER_LIST_CAP))
		return -ENOMEM;
	l->names[l->n] = header_text_dup(l, name, nlen);
	l->values[l->n] = header_text_dup(l, value, vlen);
	if (!l->names[l->n] || !l->values[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

int header_list__take(struct header_list *dst, struct header_list *src)
{
	struct header_text **tail;

	if (!dst->n) {
		header_list__free(dst);
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	if (dst->n + src->n > dst->cap && header_list_grow(dst, dst->n + src->n))
		return -ENOMEM;
	memcpy(dst->names + dst->n, src->names, (size_t)src->n * sizeof(char *));
	memcpy(dst->values + dst->n, src->values, (size_t)src->n * sizeof(char *));
	dst->n += src->n;
	/* The text moves with its fields: src's blocks join dst's. */
	for (tail = &src->text; *tail; tail = &(*tail)->next)
		;
	*tail = dst->text;
	dst->text = src->text;
	names_free(src);
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
	while (l->text) {
		struct header_text *t = l->text;

		l->text = t->next;
		if (t->size == HEADER_TEXT_BLOCK)
			spare_put(&spare_text, t);
		else
			free(t);
	}
	names_free(l);
	memset(l, 0, sizeof(*l));
}
