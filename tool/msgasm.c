/* msgasm.c - put a stream's gRPC messages back together from DATA frames. */
#include "msgasm.h"

#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf_templates/gogrpctrace_events.h"

void captured_msg__free(struct captured_msg *m)
{
	free(m->data);
	m->data = NULL;
	m->ncopied = 0;
}

void msgasm__reset(struct msg_asm *a)
{
	captured_msg__free(&a->open);
	memset(a, 0, sizeof(*a));
}

static void append(struct captured_msg *m, const char *p, uint32_t n, uint32_t cap)
{
	char *grown;

	if (n > cap - m->ncopied) /* never more than N in all */
		n = cap - m->ncopied;
	if (!n)
		return;
	grown = realloc(m->data, (size_t)m->ncopied + n);
	if (!grown) {
		m->incomplete = true;
		return;
	}
	memcpy(grown + m->ncopied, p, n);
	m->data = grown;
	m->ncopied += n;
}

static void finish(struct captured_msg *m, uint32_t cap, msg_done_fn done, void *ctx)
{
	uint32_t want = m->len < cap ? m->len : cap;

	if (m->ncopied < want)
		m->incomplete = true;
	done(ctx, m);
	m->data = NULL;
}

void msgasm__frame(struct msg_asm *a, const struct ev_data *e, uint32_t cap, msg_done_fn done,
		   void *ctx)
{
	const char *p = e->payload, *end = e->payload + e->payload_len;
	uint32_t n;

	if (e->c.flags & EVF_DESYNC) {
		/* Boundaries are lost for good on this stream. */
		if (a->is_open && a->copying) {
			a->open.incomplete = true;
			finish(&a->open, cap, done, ctx);
		}
		msgasm__reset(a);
		return;
	}
	/* The message carried in from earlier frames. */
	n = e->cont_cap <= (uint32_t)(end - p) ? e->cont_cap : (uint32_t)(end - p);
	if (a->is_open) {
		/* The copy goes on where ours ends, or an event was lost. */
		if (a->copying && n && e->cont_off != a->open.ncopied)
			a->gap = a->open.incomplete = true;
		if (a->copying && !a->gap)
			append(&a->open, p, n, cap);
		if (e->c.flags & EVF_PAYLOAD_LOST)
			a->open.incomplete = true;
		/* It ended here if another began here or none is left open:
		 * the BPF side's boundaries, right even when an event was lost. */
		if (e->nmsgs || !e->tail_left) {
			a->is_open = false;
			if (a->copying)
				finish(&a->open, cap, done, ctx);
			memset(&a->open, 0, sizeof(a->open));
			a->gap = false;
		}
	}
	p += n;
	/* The messages begun here; the last may stay open. */
	for (uint32_t i = 0; i < e->nlens && i < DATA_MAX_LENS; i++) {
		struct captured_msg m = {.len = e->lens[i], .compressed = (e->compressed >> i) & 1};
		bool last = i + 1 == e->nmsgs;

		n = e->caps[i] <= (uint32_t)(end - p) ? e->caps[i] : (uint32_t)(end - p);
		append(&m, p, n, cap);
		p += n;
		if (e->c.flags & EVF_PAYLOAD_LOST)
			m.incomplete = true;
		if (last && e->tail_left) {
			msgasm__reset(a);
			a->open = m;
			a->is_open = a->copying = true;
		} else {
			finish(&m, cap, done, ctx);
		}
	}
	/* The open message is one lens[] had no room for: skip its bytes. */
	if (e->nmsgs > e->nlens && e->tail_left) {
		msgasm__reset(a);
		a->is_open = true;
	}
}

void msgasm__flush(struct msg_asm *a, uint32_t cap, msg_done_fn done, void *ctx)
{
	if (a->is_open && a->copying)
		finish(&a->open, cap, done, ctx);
	msgasm__reset(a);
}
