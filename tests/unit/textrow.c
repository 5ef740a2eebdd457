/* textrow.c - the text table keeps its columns whatever the values: rows
 * of extreme values (the longest status, latencies of hours, sizes of
 * exabytes and thousands of messages, long and hostile peers and methods,
 * HTTP verbs) are printed in each layout, and every column separator must
 * sit where the header's layout puts it; by default (one process) no row
 * is wider than 80 columns. Prints "ok" when all of that holds. */
#include "../../tool/textrow.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include "../../bpf_templates/gogrpctrace_events.h"

/* Columns of a line as a terminal shows it: one per UTF-8 character. */
static size_t columns(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* The column (0-based, on screen) at which byte i of s starts. */
static const char *at_column(const char *s, size_t col)
{
	size_t c = 0;

	for (; *s && *s != '\n'; s++) {
		if (((unsigned char)*s & 0xc0) == 0x80)
			continue;
		if (c++ == col)
			return s;
	}
	return NULL;
}

/* The documented widths of the columns before METHOD (man page, FIELDS):
 * TIME, [PID], SIDE, PEER, STATUS, LAT(ms), [REQ, RESP with their "?"]. */
static int widths(const struct textrow_layout *l, int *w)
{
	int n = 0;

	w[n++] = 8;
	if (l->pid)
		w[n++] = 7;
	w[n++] = l->wide ? 6 : 4;
	w[n++] = 21;
	w[n++] = 19;
	w[n++] = 7;
	if (l->wide) {
		w[n++] = 9;
		w[n++] = 9;
	}
	return n;
}

static void check_layout(const struct textrow_layout *l, const struct textrow *row, const char *what)
{
	char *buf = NULL, *line;
	size_t len = 0, col = 0;
	FILE *f = open_memstream(&buf, &len);
	int w[8], n = widths(l, w);
	const char *r;

	textrow__header(f, l);
	textrow__print(f, l, row);
	fclose(f);
	line = strchr(buf, '\n') + 1;
	/* After each column one blank, in the header and in the row; a value
	 * starts its column (TIME to STATUS) or ends it (the numbers, before
	 * the sizes' "?" column): a value that moved breaks one of these. */
	for (int i = 0; i < n; i++) {
		size_t start = col, end = col + (size_t)w[i];
		size_t edge = i < 5 - !l->pid ? start : end - 1 - (w[i] == 9);
		const char *e = at_column(line, edge);

		r = at_column(line, end);
		CHECK(buf[end] == ' ' && r && *r == ' ' && e && *e != ' ',
		      "%s (wide %d, pid %d): column %d moved:\n%s", what, l->wide, l->pid, i, buf);
		col = end + 1;
	}
	CHECK(strncmp(buf + col, "METHOD", 6) == 0, "%s: the header's METHOD is not at %zu:\n%s",
	      what, col, buf);
	if (!l->wide && !l->pid)
		CHECK(columns(line, strlen(line) - 1) <= TEXTROW_WIDTH, "%s: %zu columns:\n%s", what,
		      columns(line, strlen(line) - 1), buf);
	free(buf);
}

int main(void)
{
	const struct textrow rows[] = {
		{.time = "12:00:00", .pid = 1, .side = SIDE_SERVER, .peer = "127.0.0.1:1", .status = "OK",
		 .lat = "0.10", .lat_ns = 100000, .req = {true, 10, 1}, .resp = {true, 10, 1},
		 .method = "/a.b.Echo/Unary"},
		{.time = "23:59:59", .pid = 4194304, .side = SIDE_CLIENT,
		 .peer = "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535",
		 .status = "FAILED_PRECONDITION", .lat = "123456789.12", .lat_ns = 123456789120000ULL,
		 .req = {true, UINT64_MAX, UINT32_MAX}, .resp = {true, 1000, 100000},
		 .sizes_doubtful = true,
		 .method = "/a.very.long.package.name.AVeryLongServiceNameIndeed/AnEvenLongerMethodNameThanThat"},
		{.time = "00:00:00", .pid = 7, .side = SIDE_SERVER, .peer = "unix:@\x1b]0;t\x07\xff\xfe",
		 .status = "UNFINISHED", .lat = NULL, .req = {false, 0, 0}, .resp = {true, 1048576, 1000},
		 .method = "/\x1b[2J\xc2\x9b.S/M\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"},
		{.time = "01:02:03", .pid = 8, .side = SIDE_CLIENT, .peer = "?", .status = "HTTP 200",
		 .lat = "5.00", .lat_ns = 5000000, .req = {true, 0, 0}, .resp = {true, 5, 1},
		 .method = "GET /a/very/long/path/with/many/segments/and/an/id/12345"},
		{.time = "01:02:03", .pid = 8, .side = SIDE_CLIENT, .peer = "-", .status = "RESET(-2147483648)",
		 .lat = "0.00", .req = {true, 1, 1}, .resp = {true, 0, 0},
		 .method = "\x1b\x1b\x1b\x1b\x1b\x1b\x1b /p"},
		{.time = "01:02:03", .pid = 8, .side = SIDE_SERVER, .peer = "10.0.0.1:1", .status = "OK",
		 .lat = "0.01", .req = {true, 1, 1}, .resp = {true, 1, 1}, .method = "ünïcödé/✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		for (int wide = 0; wide < 2; wide++)
			for (int pid = 0; pid < 2; pid++) {
				struct textrow_layout l = {.wide = wide, .pid = pid || wide};
				char what[32];

				snprintf(what, sizeof(what), "row %zu", i);
				check_layout(&l, &rows[i], what);
			}
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
