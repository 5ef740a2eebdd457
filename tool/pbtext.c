/* pbtext.c - a message as one line of protobuf text format, printable
 * ASCII only (pbdecode__text; the rules are in pbdecode.h). Written with
 * the unlocked stdio calls: the output is the caller's own memstream, and
 * a lock per character was half the decoder's time. */
#include "pbwire.h"
#include "shortfloat.h"

#include <math.h>
#include <string.h>

static void space(FILE *f, bool *first)
{
	if (!*first)
		putc_unlocked(' ', f);
	*first = false;
}

/* Names are protobuf identifiers (protodb checks them): anything else is
 * shown as '?' so the line stays printable ASCII whatever the model. */
static void name(FILE *f, const char *s)
{
	for (; *s; s++)
		putc_unlocked(*s > ' ' && *s < 0x7f ? *s : '?', f);
}

static void quoted(FILE *f, const uint8_t *p, size_t n)
{
	putc_unlocked('"', f);
	for (size_t i = 0; i < n;) {
		size_t run = 0;

		while (i + run < n && p[i + run] >= 0x20 && p[i + run] < 0x7f && p[i + run] != '"' &&
		       p[i + run] != '\'' && p[i + run] != '\\')
			run++;
		if (run) {
			fwrite_unlocked(p + i, 1, run, f);
			i += run;
			continue;
		}
		switch (p[i]) {
		case '\n':
			fputs_unlocked("\\n", f);
			break;
		case '\r':
			fputs_unlocked("\\r", f);
			break;
		case '\t':
			fputs_unlocked("\\t", f);
			break;
		case '"':
		case '\'':
		case '\\':
			putc_unlocked('\\', f);
			putc_unlocked(p[i], f);
			break;
		default: {
			char o[4] = {'\\', (char)('0' + (p[i] >> 6)), (char)('0' + (p[i] >> 3 & 7)),
				     (char)('0' + (p[i] & 7))};

			fwrite_unlocked(o, 1, sizeof(o), f);
		}
		}
		i++;
	}
	putc_unlocked('"', f);
}

static void scalar(struct pbw *w, const struct pm_field *f, uint64_t bits)
{
	char b[SHORTFLOAT_BUF];
	const char *enum_name = NULL;

	if (f->kind == PM_DOUBLE || f->kind == PM_FLOAT) {
		size_t n = shortfloat__format(b, pbw__float(f->kind, bits), f->kind == PM_FLOAT);

		fwrite_unlocked(b, 1, n, w->out);
		return;
	}
	if (f->kind == PM_ENUM)
		enum_name = pbw__enum_name(f->enum_type, (int32_t)pbw__int(PM_ENUM, bits));
	if (enum_name)
		name(w->out, enum_name);
	else
		fwrite_unlocked(b, 1, pbw__int_text(b, f->kind, bits), w->out);
}

static void field_name(FILE *f, const struct pm_field *fd)
{
	name(f, fd->kind == PM_GROUP ? pbw__short_name(fd->message) : fd->name);
}

/* One field's live occurrences e[0..n): every element of a repeated one,
 * the last of a singular scalar, a singular message merged from all. */
static int field(struct pbw *w, const struct pbw_msg *msg, const struct pm_field *f,
		 const struct pbw_ent *e, size_t n, bool *first)
{
	size_t from = f->repeated ? 0 : n - 1;
	int rc = 0;

	if (f->kind == PM_MESSAGE || f->kind == PM_GROUP) {
		size_t each = f->repeated ? 1 : n;

		for (size_t k = 0; k < n && rc == 0; k += each) {
			space(w->out, first);
			field_name(w->out, f);
			putc_unlocked(' ', w->out);
			rc = pbtext__message(w, f->message, &e[k], each);
		}
		return rc;
	}
	for (size_t k = from; k < n; k++) {
		uint32_t pos = 0;
		uint64_t bits;

		if (f->kind == PM_STRING || f->kind == PM_BYTES) {
			if (e[k].cut) /* an Any's value whose type is not found */
				continue;
			space(w->out, first);
			field_name(w->out, f);
			fputs_unlocked(": ", w->out);
			quoted(w->out, pbw__bytes(w, &e[k]), e[k].len);
			continue;
		}
		while ((rc = pbw__next(w, msg, &e[k], &pos, &bits)) > 0) {
			space(w->out, first);
			field_name(w->out, f);
			fputs_unlocked(": ", w->out);
			scalar(w, f, bits);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void unknown(struct pbw *w, const struct pbw_msg *msg, const struct pbw_ent *e, size_t n,
		    bool *first)
{
	char b[24];

	for (size_t k = 0; k < n; k++) {
		uint64_t bits = 0;
		uint32_t pos = 0;

		space(w->out, first);
		fwrite_unlocked(b, 1, pbw__int_text(b, PM_UINT32, e[k].number), w->out);
		fputs_unlocked(": ", w->out);
		if (e[k].wt == PBW_LEN) {
			quoted(w->out, pbw__bytes(w, &e[k]), e[k].len);
		} else {
			pbw__next(w, msg, &e[k], &pos, &bits); /* checked when indexed */
			fwrite_unlocked(b, 1, pbw__int_text(b, PM_UINT64, bits), w->out);
		}
	}
}

/* A type URL shown between brackets as is: nothing that could end the
 * brackets or leave printable ASCII. */
static bool plain_url(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || (p[i] && strchr("._/:-", p[i]))))
			return false;
	return n > 0;
}

/* An Any whose type is found: "[url] {...}". 1 when it is not one. */
static int expanded_any(struct pbw *w, const struct pbw_msg *msg)
{
	const struct pbw_ent *url = pbw__last(msg, 1), *val = pbw__last(msg, 2);
	const struct pm_message *t;

	if (!url || !plain_url(pbw__bytes(w, url), url->len) || !(t = pbw__any_type(w, url)))
		return 1;
	putc_unlocked('[', w->out);
	fwrite_unlocked(pbw__bytes(w, url), 1, url->len, w->out);
	fputs_unlocked("] ", w->out);
	return pbtext__message(w, t, val, val ? 1 : 0);
}

int pbtext__message(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src,
		    size_t nsrc)
{
	struct pbw_msg msg;
	bool first = true;
	int rc = pbw__open(w, type, src, nsrc, &msg);

	if (rc)
		return rc;
	putc_unlocked('{', w->out);
	if (type->wkt == PM_WKT_ANY && (rc = expanded_any(w, &msg)) <= 0)
		goto out;
	rc = 0;
	for (size_t i = 0, j; i < msg.n && rc == 0; i = j) {
		const struct pm_field *f = msg.e[i].f;
		size_t k;

		j = pbw__group_end(&msg, i);
		k = pbw__live(&msg, i, j);
		if (k == j)
			continue;
		if (f)
			rc = field(w, &msg, f, msg.e + k, j - k, &first);
		else
			unknown(w, &msg, msg.e + k, j - k, &first);
	}
out:
	putc_unlocked('}', w->out);
	pbw__close(w, &msg);
	return rc;
}
