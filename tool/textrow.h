/* textrow.h - the text table of calls: which columns, how wide, and how a
 * value longer than its column is shortened, so that no column ever moves.
 *
 * By default a row fits 80 columns, as bcc's tools do (with an IPv4 peer;
 * a PID column is added when several processes are traced):
 *
 *   TIME     SIDE PEER                  STATUS              LAT(ms) METHOD
 *   16:16:01 srv  127.0.0.1:45416       OK                     0.27 Echo/Unary
 *
 * The method comes last and takes what is left: a gRPC method without its
 * package ("Echo/Unary"), an HTTP path after its verb; a longer one keeps
 * its end behind "..", the part that tells methods apart. Wide rows (-w)
 * add PID, request and response sizes, and print the method in full:
 *
 *   TIME     PID     SIDE   PEER                  STATUS              LAT(ms)       REQ      RESP  METHOD
 *
 * Every value from the target is escaped (termtext.h) before it is
 * measured: the width of a column is what the terminal shows.
 */
#ifndef TEXTROW_H
#define TEXTROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TEXTROW_WIDTH 80 /* the default row, one traced process */

struct textrow_layout {
	bool wide; /* -w: every column, the method in full */
	bool pid;  /* a PID column: wide, or several processes traced */
};

struct textrow_size {
	bool known;
	uint64_t bytes;
	uint32_t msgs;
};

/* One call's values. */
struct textrow {
	const char *time;   /* "16:16:01" */
	uint32_t pid;
	int side;	    /* SIDE_SERVER or SIDE_CLIENT */
	const char *peer;   /* from the target: escaped and fitted here */
	const char *status; /* ours: "OK", "HTTP 200", "UNFINISHED" */
	const char *lat;    /* "%.2f" of the latency in ms, or NULL: unknown */
	uint64_t lat_ns;    /* the same, for a latency too long for that form */
	struct textrow_size req, resp;
	bool sizes_doubtful; /* a "?" after both sizes */
	const char *method; /* from the target: "/pkg.Service/Method" or "VERB /path" */
};

void textrow__header(FILE *f, const struct textrow_layout *l);
/* The columns a line of -v's events shares with the rows: TIME, PID when
 * shown, SIDE; what happened follows in the PEER column ("<- stream 1 ..."). */
void textrow__lead(FILE *f, const struct textrow_layout *l, const char *time, uint32_t pid,
		   int side);
void textrow__print(FILE *f, const struct textrow_layout *l, const struct textrow *row);

/* The method as the default row shows it, in at most width columns
 * (escaped); the summary uses it too. */
void textrow__method(FILE *f, const char *name, int width);

#endif
