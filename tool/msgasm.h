/* msgasm.h - a stream's gRPC messages put back together, one direction at
 * a time, from the bytes the BPF side copied out of each DATA frame
 * (struct ev_data): a message may span frames and a frame may hold many. */
#ifndef MSGASM_H
#define MSGASM_H

#include <stdbool.h>
#include <stdint.h>

struct ev_data;

/* The first bytes of one message, as copied (--payload=N). */
struct captured_msg {
	uint32_t len;	  /* its length, from its 5-byte prefix */
	uint32_t ncopied; /* bytes in data: its first ones; fewer than len = cut */
	bool compressed;  /* the prefix's compressed flag */
	bool incomplete;  /* fewer than min(len, N) bytes arrived (a read failed, events lost) */
	char *data;	  /* malloc'd, NULL when ncopied is 0 */
};

/* One direction of one stream. Zeroed = nothing open. */
struct msg_asm {
	struct captured_msg open; /* the message whose bytes are still coming */
	bool is_open;
	bool copying; /* the open message is being copied (not one of a frame's extra ones) */
	bool gap;     /* an event of it was lost: what it has is its start, no more comes */
};

/* A message is complete (or given up): the callee takes m->data. */
typedef void (*msg_done_fn)(void *ctx, struct captured_msg *m);

/* Add one DATA frame's messages (the event passed the size checks of
 * events.c). cap is --payload's N. Every message that completes is handed
 * to done, in order. */
void msgasm__frame(struct msg_asm *a, const struct ev_data *e, uint32_t cap, msg_done_fn done,
		   void *ctx);
/* The stream ended: hand over a message still open, as incomplete. */
void msgasm__flush(struct msg_asm *a, uint32_t cap, msg_done_fn done, void *ctx);
/* Forget what is open (the stream's boundaries were lost). */
void msgasm__reset(struct msg_asm *a);
void captured_msg__free(struct captured_msg *m);

#endif
