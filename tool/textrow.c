/* textrow.c - lay out one call as a row of the text table (textrow.h). */
#include "textrow.h"

#include "numtext.h"
#include "termtext.h"

#include <string.h>

#include <linux/types.h>
#include "../bpf_templates/gogrpctrace_events.h"

/* Column widths. The method takes what the others leave of the default
 * width, and never less than METHOD_MIN. */
#define W_TIME 8
#define W_PID 7
#define W_SIDE 4
#define W_SIDE_WIDE 6
#define W_PEER 21 /* "255.255.255.255:65535" */
#define W_STATUS 19 /* "FAILED_PRECONDITION" */
#define W_LAT 7
#define W_SIZE 8 /* and one more for the "?" of a doubtful size */
#define METHOD_MIN 16

static int side_width(const struct textrow_layout *l) { return l->wide ? W_SIDE_WIDE : W_SIDE; }

static int method_width(const struct textrow_layout *l)
{
	int used = W_TIME + 1 + side_width(l) + 1 + W_PEER + 1 + W_STATUS + 1 + W_LAT + 1;

	if (l->pid)
		used += W_PID + 1;
	return TEXTROW_WIDTH - used < METHOD_MIN ? METHOD_MIN : TEXTROW_WIDTH - used;
}

/* Our own text (never from the target), padded or aligned to width. */
static void put_left(FILE *f, const char *s, int width)
{
	size_t n = strlen(s);

	if (n > (size_t)width)
		n = (size_t)width;
	fwrite(s, 1, n, f);
	term_spaces(f, width - (int)n);
}

static void put_right(FILE *f, const char *s, int width)
{
	size_t n = strlen(s);

	if (n > (size_t)width)
		n = (size_t)width;
	term_spaces(f, width - (int)n);
	fwrite(s, 1, n, f);
}

void textrow__header(FILE *f, const struct textrow_layout *l)
{
	put_left(f, "TIME", W_TIME);
	fputc(' ', f);
	if (l->pid) {
		put_left(f, "PID", W_PID);
		fputc(' ', f);
	}
	put_left(f, "SIDE", side_width(l));
	fputc(' ', f);
	put_left(f, "PEER", W_PEER);
	fputc(' ', f);
	put_left(f, "STATUS", W_STATUS);
	fputc(' ', f);
	put_right(f, "LAT(ms)", W_LAT);
	fputc(' ', f);
	if (l->wide) {
		put_right(f, "REQ", W_SIZE);
		fputs("  ", f);
		put_right(f, "RESP", W_SIZE);
		fputs("  ", f);
	}
	fputs("METHOD\n", f);
}

/* A gRPC method "/pkg.Service/Method" as "Service/Method"; an HTTP call
 * "VERB /path" as its verb and as much of the path's end as fits. */
void textrow__method(FILE *f, const char *name, int width)
{
	const char *slash = name[0] == '/' ? strrchr(name, '/') : NULL;
	const char *space = strchr(name, ' ');

	if (slash && slash != name && !memchr(name, ' ', (size_t)(slash - name))) {
		const char *start = name + 1, *dot;

		/* The service's last dotted part, and the method; when that is
		 * too long, "../" and the method (its end, if still too long). */
		for (dot = start; dot < slash; dot++)
			if (*dot == '.')
				start = dot + 1;
		if (term_columns(start, strlen(start)) > (size_t)width &&
		    term_columns(slash + 1, strlen(slash + 1)) + 3 <= (size_t)width) {
			fputs("../", f);
			term_write(f, slash + 1);
			return;
		}
		term_fit(f, start, strlen(start), width, 0);
		return;
	}
	/* An HTTP verb stays whole when it leaves room for some path. */
	if (space && term_columns(name, (size_t)(space - name) + 1) + 6 <= (size_t)width) {
		size_t cols = term_writen(f, name, (size_t)(space - name) + 1);

		term_fit(f, space + 1, strlen(space + 1), width - (int)cols, 0);
		return;
	}
	term_fit(f, name, strlen(name), width, 0);
}

/* v / d rounded half up, without the overflow of (v + d / 2) / d. */
static uint64_t rounded_div(uint64_t v, uint64_t d)
{
	return v / d + (v % d >= d - d / 2);
}

/* A latency in ms that fits the column: two decimals, else whole
 * milliseconds, else whole seconds, else unknown: a number is never cut
 * to fit (a cut one would be a wrong one). */
static void put_lat(FILE *f, const struct textrow *row)
{
	char buf[32];
	size_t n;

	if (row->lat && strlen(row->lat) <= W_LAT) {
		put_right(f, row->lat, W_LAT);
		return;
	}
	if (!row->lat) {
		put_right(f, "?", W_LAT);
		return;
	}
	u64_text(buf, sizeof(buf), rounded_div(row->lat_ns, 1000000));
	if (strlen(buf) > W_LAT) {
		u64_text(buf, sizeof(buf) - 1, rounded_div(row->lat_ns, 1000000000));
		n = strlen(buf);
		buf[n] = 's';
		buf[n + 1] = '\0';
	}
	put_right(f, strlen(buf) <= W_LAT ? buf : "?", W_LAT);
}

/* A size, and its message count when more than one: "1200(4)"; when that
 * is wider than the column, in binary units ("1.0M(1000)", "1.0M"), or
 * below 1 KiB without the count. */
static void put_size(FILE *f, const struct textrow_size *s, bool doubtful)
{
	static const char units[] = "KMGTPE";
	char buf[48], count[24];
	double v;
	int u = -1;

	if (!s->known) {
		put_right(f, "?", W_SIZE);
		fputc(' ', f);
		return;
	}
	*count = '\0';
	if (s->msgs > 1 || (s->msgs == 0 && s->bytes != 0)) {
		count[0] = '(';
		u64_text(count + 1, sizeof(count) - 2, s->msgs);
		strcat(count, ")");
	}
	u64_text(buf, sizeof(buf), s->bytes);
	strcat(buf, count);
	if (strlen(buf) > W_SIZE && s->bytes < 1024) {
		u64_text(buf, sizeof(buf), s->bytes);
	} else if (strlen(buf) > W_SIZE) {
		for (v = (double)s->bytes; v >= 1024 && u < 5; u++)
			v /= 1024;
		snprintf(buf, sizeof(buf), "%.1f%c%s", v, units[u], count);
		if (strlen(buf) > W_SIZE)
			snprintf(buf, sizeof(buf), "%.1f%c", v, units[u]);
	}
	put_right(f, buf, W_SIZE);
	fputc(doubtful ? '?' : ' ', f);
}

void textrow__lead(FILE *f, const struct textrow_layout *l, const char *time, uint32_t pid,
		   int side)
{
	char num[24];

	put_left(f, time, W_TIME);
	fputc(' ', f);
	if (l->pid) {
		put_left(f, u64_text(num, sizeof(num), pid), W_PID);
		fputc(' ', f);
	}
	put_left(f, side == SIDE_SERVER ? (l->wide ? "server" : "srv") : (l->wide ? "client" : "cli"),
		 side_width(l));
	fputc(' ', f);
}

void textrow__print(FILE *f, const struct textrow_layout *l, const struct textrow *row)
{
	textrow__lead(f, l, row->time, row->pid, row->side);
	/* From the target: escaped, and measured by the columns it shows. */
	term_fit(f, row->peer, strlen(row->peer), W_PEER, 1);
	fputc(' ', f);
	put_left(f, row->status, W_STATUS);
	fputc(' ', f);
	put_lat(f, row);
	fputc(' ', f);
	if (l->wide) {
		put_size(f, &row->req, row->sizes_doubtful);
		fputc(' ', f);
		put_size(f, &row->resp, row->sizes_doubtful);
		fputc(' ', f);
		term_write(f, row->method);
	} else {
		textrow__method(f, row->method, method_width(l));
	}
	fputc('\n', f);
}
