/* msgasm.c - tool/msgasm.c on made-up DATA frame events: messages put
 * together across frames, many in one frame, the 8-message limit, a copy
 * stopped at N, and a lost event (a gap is never papered over: what is
 * kept is the message's true start). Prints "ok" and exits 0 when every
 * case holds. */
#include "../../tool/msgasm.h"

#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bpf_templates/gogrpctrace_events.h"

#include "check.h"

/* What the callback was handed, in order. */
static struct captured_msg got[32];
static int ngot;

static void on_done(void *ctx, struct captured_msg *m)
{
	(void)ctx;
	if (ngot < 32)
		got[ngot++] = *m;
	else
		free(m->data);
}

static void reset_got(void)
{
	for (int i = 0; i < ngot; i++)
		free(got[i].data);
	ngot = 0;
}

/* One frame event being written; bytes of message k are 'a'+k. */
static union {
	struct ev_data ev;
	char room[sizeof(struct ev_data) + PAYLOAD_MAX];
} frame;

static void begin_frame(void)
{
	memset(&frame, 0, sizeof(frame));
}

static void put(char c, unsigned n)
{
	memset(frame.ev.payload + frame.ev.payload_len, c, n);
	frame.ev.payload_len += n;
}

/* Frame content: bytes of the carried message (copied of them, at offset
 * off of its copy), then messages of the given lengths and copied bytes. */
static void carried(unsigned bytes, unsigned copied, unsigned off, char c)
{
	(void)bytes; /* only the BPF side counts them */
	frame.ev.cont_cap = copied;
	frame.ev.cont_off = off;
	put(c, copied);
}

static void begun(unsigned len, unsigned copied, char c)
{
	unsigned i = frame.ev.nmsgs++;

	if (i < DATA_MAX_LENS) {
		frame.ev.lens[i] = len;
		frame.ev.caps[i] = copied;
		frame.ev.nlens++;
		put(c, copied);
	}
}

static int all(const struct captured_msg *m, char c)
{
	for (unsigned i = 0; i < m->ncopied; i++)
		if (m->data[i] != c)
			return 0;
	return 1;
}

int main(void)
{
	struct msg_asm a = {0};

	/* 1. Three whole messages in one frame. */
	begin_frame();
	begun(10, 10, 'a');
	begun(0, 0, 'b');
	begun(5, 5, 'c');
	msgasm__frame(&a, &frame.ev, 64, on_done, NULL);
	CHECK(ngot == 3, "three messages: got %d", ngot);
	CHECK(ngot == 3 && got[0].len == 10 && got[0].ncopied == 10 && all(&got[0], 'a') &&
		      got[1].len == 0 && got[2].ncopied == 5 && all(&got[2], 'c') &&
		      !got[0].incomplete && !got[1].incomplete,
	      "three messages: wrong contents");
	reset_got();

	/* 2. One message over three frames, N = 100: 40 + 40 + 20 copied. */
	begin_frame();
	begun(300, 40, 'a');
	frame.ev.tail_left = 260;
	msgasm__frame(&a, &frame.ev, 100, on_done, NULL);
	CHECK(ngot == 0, "spanning: done too early");
	begin_frame();
	carried(200, 40, 40, 'a');
	frame.ev.tail_left = 60;
	msgasm__frame(&a, &frame.ev, 100, on_done, NULL);
	begin_frame();
	carried(60, 20, 80, 'a');
	begun(7, 7, 'b');
	msgasm__frame(&a, &frame.ev, 100, on_done, NULL);
	CHECK(ngot == 2 && got[0].len == 300 && got[0].ncopied == 100 && all(&got[0], 'a') &&
		      !got[0].incomplete && got[1].len == 7,
	      "spanning: got %d, first %u/%u", ngot, ngot ? got[0].ncopied : 0, ngot ? got[0].len : 0);
	reset_got();

	/* 3. A lost event in the middle: the start is kept, marked incomplete,
	 * and the bytes after the gap are not appended. */
	begin_frame();
	begun(300, 40, 'a');
	frame.ev.tail_left = 260;
	msgasm__frame(&a, &frame.ev, 100, on_done, NULL);
	/* (the frame copying bytes 40..79 is lost) */
	begin_frame();
	carried(60, 20, 80, 'z');
	msgasm__frame(&a, &frame.ev, 100, on_done, NULL);
	CHECK(ngot == 1 && got[0].ncopied == 40 && all(&got[0], 'a') && got[0].incomplete,
	      "gap: got %d, %u bytes, incomplete %d", ngot, ngot ? got[0].ncopied : 0,
	      ngot ? got[0].incomplete : 0);
	reset_got();

	/* 4. Nine messages begun in a frame, the ninth open: the eight with
	 * lengths are handed over, the ninth's bytes skipped until it ends. */
	begin_frame();
	for (int i = 0; i < 9; i++)
		begun(3, 3, (char)('a' + i));
	frame.ev.tail_left = 50;
	msgasm__frame(&a, &frame.ev, 64, on_done, NULL);
	CHECK(ngot == 8 && all(&got[7], 'h'), "nine: got %d", ngot);
	reset_got();
	begin_frame();
	carried(50, 0, 0, 'x');
	begun(2, 2, 'y');
	msgasm__frame(&a, &frame.ev, 64, on_done, NULL);
	CHECK(ngot == 1 && got[0].len == 2 && all(&got[0], 'y'), "after the ninth: got %d", ngot);
	reset_got();

	/* 5. Boundaries lost: the open message is given up as incomplete. */
	begin_frame();
	begun(100, 10, 'a');
	frame.ev.tail_left = 90;
	msgasm__frame(&a, &frame.ev, 64, on_done, NULL);
	begin_frame();
	frame.ev.c.flags = EVF_DESYNC;
	msgasm__frame(&a, &frame.ev, 64, on_done, NULL);
	CHECK(ngot == 1 && got[0].incomplete && got[0].ncopied == 10, "desync: got %d", ngot);
	reset_got();

	/* 6. The stream ends with a message open: flushed, cut. */
	begin_frame();
	begun(100, 30, 'a');
	frame.ev.tail_left = 70;
	msgasm__frame(&a, &frame.ev, 30, on_done, NULL);
	msgasm__flush(&a, 30, on_done, NULL);
	CHECK(ngot == 1 && got[0].ncopied == 30 && got[0].len == 100 && !got[0].incomplete,
	      "flush: got %d", ngot);
	reset_got();

	/* 7. Hostile sizes: caps past the payload are clamped to it. */
	begin_frame();
	begun(10, 4, 'a');
	frame.ev.caps[0] = 60000;
	msgasm__frame(&a, &frame.ev, 64, on_done, NULL);
	CHECK(ngot == 1 && got[0].ncopied == 4, "clamp: got %d, %u bytes", ngot, ngot ? got[0].ncopied : 0);
	reset_got();
	msgasm__reset(&a);

	if (failures)
		fprintf(stderr, "msgasm: %d failed\n", failures);
	else
		printf("ok\n");
	return failures ? 1 : 0;
}
