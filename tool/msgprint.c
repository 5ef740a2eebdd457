/* msgprint.c - print a call's captured messages, decoded where possible. */
#include "msgprint.h"

#include "json.h"
#include "termtext.h"

#include <string.h>

static void base64(FILE *f, const unsigned char *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	fputc('"', f);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		fputc(tbl[v >> 18 & 63], f);
		fputc(tbl[v >> 12 & 63], f);
		fputc(i + 1 < n ? tbl[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? tbl[v & 63] : '=', f);
	}
	fputc('"', f);
}

/* The decoder's text form is printable ASCII, its escapes its own
 * (\303\251); anything else would still be escaped for the terminal. */
static void write_text(FILE *f, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			term_write(f, s);
			return;
		}
	}
	fputs(s, f);
}

static void str_or_null(FILE *f, const char *s)
{
	if (s)
		json_str(f, s);
	else
		fputs("null", f);
}

const struct captured_msg *msgprint__first(const struct call *c, bool request)
{
	const struct msg_asm *a = request ? &c->req_asm : &c->resp_asm;

	if (request ? c->have_req_first : c->have_resp_first)
		return request ? &c->req_first : &c->resp_first;
	return a->is_open && a->copying ? &a->open : NULL;
}

static const char *encoding_of(const struct call *c, bool request)
{
	return header_list__get(request ? &c->req_headers : &c->resp_headers, "grpc-encoding");
}

void msgprint__json(FILE *out, const char *key, const struct msg_types *t, const struct call *c,
		    bool request, const struct captured_msg *m, bool decode)
{
	struct decoded_msg d = {0};

	fprintf(out, ",\"%spayload_b64\":", key);
	if (m)
		base64(out, (const unsigned char *)(m->data ? m->data : ""), m->ncopied);
	else
		fputs("null", out);
	if (!decode)
		return;
	if (!m) {
		/* No message that way (an error ended the call): its type is
		 * still what the method says. */
		fprintf(out, ",\"%smsg\":null,\"%smsg_type\":", key, key);
		str_or_null(out, msgdecode__type(t, c->method, request));
		fprintf(out, ",\"%smsg_truncated\":false,\"%smsg_error\":null", key, key);
		return;
	}
	msgdecode(t, c->method, request, encoding_of(c, request), m, true, &d);
	fprintf(out, ",\"%smsg\":%s,\"%smsg_type\":", key, d.value ? d.value : "null", key);
	str_or_null(out, d.type);
	fprintf(out, ",\"%smsg_truncated\":%s,\"%smsg_error\":", key,
		d.value && d.truncated ? "true" : "false", key);
	str_or_null(out, d.value ? NULL : d.error);
	decoded_msg__free(&d);
}

void msgprint__text(FILE *out, const char *label, const struct msg_types *t, const struct call *c,
		    bool request, const struct captured_msg *m, bool decode)
{
	struct decoded_msg d = {0};

	if (!m)
		return;
	fprintf(out, "%-8s   %s: ", "", label);
	if (decode) {
		msgdecode(t, c->method, request, encoding_of(c, request), m, false, &d);
		if (d.value) {
			write_text(out, d.value);
			fputs(d.truncated ? " (truncated)\n" : "\n", out);
			decoded_msg__free(&d);
			return;
		}
		fputs("(raw: ", out);
		term_write(out, d.error);
		fputs(") ", out);
	}
	fputc('"', out);
	term_writen(out, m->data ? m->data : "", m->ncopied);
	fputs(m->ncopied < m->len ? "\"...\n" : "\"\n", out);
}
