/* pbjson.c - a message in protobuf's JSON mapping, as Go's protojson
 * writes it (pbdecode__json; the rules are in pbdecode.h). Written with
 * the unlocked stdio calls: the output is the caller's own memstream, and
 * a lock per character was half the decoder's time. */
#include "json.h"
#include "pbwire.h"
#include "shortfloat.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>

/* Timestamp's range, 0001-01-01 to 9999-12-31, and Duration's, about
 * 10,000 years: protojson refuses what is outside. */
#define TS_MIN_SECONDS (-62135596800LL)
#define TS_MAX_SECONDS 253402300799LL
#define DUR_MAX_SECONDS 315576000000LL

static void comma(FILE *f, bool *first)
{
	if (!*first)
		putc_unlocked(',', f);
	*first = false;
}

/* "key": a json_name is an identifier, written as it is (json.c's
 * escaping of every byte is for values); anything else is escaped. */
static void key(FILE *f, const char *name)
{
	size_t n = 0;
	bool plain = true;

	for (; name[n]; n++)
		if ((unsigned char)name[n] < 0x20 || (unsigned char)name[n] >= 0x7f || name[n] == '"' ||
		    name[n] == '\\')
			plain = false;
	if (plain) {
		putc_unlocked('"', f);
		fwrite_unlocked(name, 1, n, f);
		putc_unlocked('"', f);
	} else {
		json_str(f, name);
	}
	putc_unlocked(':', f);
}

static void base64(FILE *f, const uint8_t *p, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[256];
	size_t o = 0;

	putc_unlocked('"', f);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
		if (o == sizeof(out)) {
			fwrite_unlocked(out, 1, o, f);
			o = 0;
		}
	}
	fwrite_unlocked(out, 1, o, f);
	putc_unlocked('"', f);
}

static bool single_value_form(enum pm_wkt k)
{
	return k == PM_WKT_TIMESTAMP || k == PM_WKT_DURATION || k == PM_WKT_WRAPPER ||
	       k == PM_WKT_FIELD_MASK || k == PM_WKT_VALUE;
}

static bool quoted_int(enum pm_kind k)
{
	return k == PM_INT64 || k == PM_UINT64 || k == PM_FIXED64 || k == PM_SFIXED64 ||
	       k == PM_SINT64;
}

/* A number, bool or enum of field f. */
static void scalar(struct pbw *w, const struct pm_field *f, uint64_t bits)
{
	char b[SHORTFLOAT_BUF];
	const char *name;

	switch (f->kind) {
	case PM_DOUBLE:
	case PM_FLOAT: {
		double d = pbw__float(f->kind, bits);

		if (isnan(d))
			fputs_unlocked("\"NaN\"", w->out);
		else if (isinf(d))
			fputs_unlocked(d < 0 ? "\"-Infinity\"" : "\"Infinity\"", w->out);
		else
			fwrite_unlocked(b, 1, shortfloat__format(b, d, f->kind == PM_FLOAT), w->out);
		return;
	}
	case PM_ENUM:
		if (f->enum_type->null_value) {
			fputs_unlocked("null", w->out);
			return;
		}
		name = pbw__enum_name(f->enum_type, (int32_t)pbw__int(PM_ENUM, bits));
		if (name) {
			json_str(w->out, name);
			return;
		}
		break;
	default:
		break;
	}
	if (quoted_int(f->kind))
		putc_unlocked('"', w->out);
	fwrite_unlocked(b, 1, pbw__int_text(b, f->kind, bits), w->out);
	if (quoted_int(f->kind))
		putc_unlocked('"', w->out);
}

/* A string or bytes occurrence (NULL: the empty default). */
static void string_or_bytes(struct pbw *w, const struct pm_field *f, const struct pbw_ent *e)
{
	const uint8_t *p = e ? pbw__bytes(w, e) : (const uint8_t *)"";
	size_t n = e ? pbw__avail(w, e) : 0;

	if (f->kind == PM_STRING)
		json_strn(w->out, (const char *)p, n);
	else
		base64(w->out, p, n);
}

/* The value of a singular field from its live occurrences e[0..n) (none:
 * its default): a message merged from all, any other kind the last. */
static int value(struct pbw *w, const struct pbw_msg *msg, const struct pm_field *f,
		 const struct pbw_ent *e, size_t n)
{
	uint64_t bits = 0;
	uint32_t pos = 0;

	if (f->kind == PM_MESSAGE || f->kind == PM_GROUP)
		return pbjson__message(w, f->message, e, n);
	if (f->kind == PM_STRING || f->kind == PM_BYTES) {
		string_or_bytes(w, f, n ? &e[n - 1] : NULL);
		return 0;
	}
	if (n) {
		int rc = pbw__next(w, msg, &e[n - 1], &pos, &bits);

		if (rc < 0)
			return rc;
	}
	scalar(w, f, bits);
	return 0;
}

static int array(struct pbw *w, const struct pbw_msg *msg, const struct pm_field *f,
		 const struct pbw_ent *e, size_t n)
{
	bool first = true;
	int rc = 0;

	putc_unlocked('[', w->out);
	for (size_t k = 0; k < n && rc >= 0; k++) {
		uint32_t pos = 0;
		uint64_t bits;

		if (f->kind == PM_MESSAGE || f->kind == PM_GROUP) {
			comma(w->out, &first);
			rc = pbjson__message(w, f->message, &e[k], 1);
		} else if (f->kind == PM_STRING || f->kind == PM_BYTES) {
			comma(w->out, &first);
			string_or_bytes(w, f, &e[k]);
		} else {
			while ((rc = pbw__next(w, msg, &e[k], &pos, &bits)) > 0) {
				comma(w->out, &first);
				scalar(w, f, bits);
			}
		}
	}
	putc_unlocked(']', w->out);
	return rc < 0 ? rc : 0;
}

/* A map key: always a JSON string. */
static int map_key(struct pbw *w, const struct pbw_msg *entry, const struct pm_field *kf)
{
	const struct pbw_ent *e = pbw__last(entry, 1);
	uint64_t bits = 0;
	uint32_t pos = 0;
	char b[24];

	if (kf->kind == PM_STRING || kf->kind == PM_BYTES) {
		string_or_bytes(w, kf, e);
		return 0;
	}
	if (e) {
		int rc = pbw__next(w, entry, e, &pos, &bits);

		if (rc < 0)
			return rc;
	}
	putc_unlocked('"', w->out);
	fwrite_unlocked(b, 1, pbw__int_text(b, kf->kind, bits), w->out);
	putc_unlocked('"', w->out);
	return 0;
}

static int map(struct pbw *w, const struct pm_field *f, const struct pbw_ent *e, size_t n)
{
	const struct pm_field *kf = pm_message__field(f->message, 1),
			      *vf = pm_message__field(f->message, 2);
	bool first = true;
	int rc = 0;

	if (!kf || !vf)
		return pbw__fail(w, f->message, "map entry without key or value");
	putc_unlocked('{', w->out);
	for (size_t k = 0; k < n && rc == 0; k++) {
		const struct pbw_ent *v;
		struct pbw_msg entry;
		size_t nv;

		rc = pbw__open(w, f->message, &e[k], 1, &entry);
		if (rc)
			break;
		comma(w->out, &first);
		rc = map_key(w, &entry, kf);
		putc_unlocked(':', w->out);
		nv = pbw__occurrences(&entry, 2, &v);
		if (rc == 0)
			rc = value(w, &entry, vf, v, nv);
		pbw__close(w, &entry);
	}
	putc_unlocked('}', w->out);
	return rc;
}

/* An empty packed run makes no element: protojson omits a repeated
 * field that has none. */
static bool has_elements(const struct pm_field *f, const struct pbw_ent *e, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!(e[k].wt == PBW_LEN && pbw__packable(f->kind) && e[k].len == 0))
			return true;
	return false;
}

static void unknown_value(struct pbw *w, const struct pbw_msg *msg, const struct pbw_ent *e)
{
	uint64_t bits = 0;
	uint32_t pos = 0;
	char b[24];

	if (e->wt == PBW_LEN) {
		base64(w->out, pbw__bytes(w, e), e->len);
		return;
	}
	pbw__next(w, msg, e, &pos, &bits); /* checked when indexed */
	putc_unlocked('"', w->out);
	fwrite_unlocked(b, 1, pbw__int_text(b, PM_UINT64, bits), w->out);
	putc_unlocked('"', w->out);
}

/* A number the type does not have: its value, or an array of them. */
static void unknown(struct pbw *w, const struct pbw_msg *msg, const struct pbw_ent *e, size_t n,
		    bool *first)
{
	char b[24];

	comma(w->out, first);
	putc_unlocked('"', w->out);
	fwrite_unlocked(b, 1, pbw__int_text(b, PM_UINT32, e->number), w->out);
	fputs_unlocked("\":", w->out);
	if (n > 1)
		putc_unlocked('[', w->out);
	for (size_t k = 0; k < n; k++) {
		if (k)
			putc_unlocked(',', w->out);
		unknown_value(w, msg, &e[k]);
	}
	if (n > 1)
		putc_unlocked(']', w->out);
}

/* Every field of msg as "key":value members of an object already open. */
static int members(struct pbw *w, const struct pbw_msg *msg, bool *first)
{
	int rc = 0;

	for (size_t i = 0, j; i < msg->n && rc == 0; i = j) {
		const struct pm_field *f = msg->e[i].f;
		const struct pbw_ent *e;
		size_t k, n;

		j = pbw__group_end(msg, i);
		k = pbw__live(msg, i, j);
		e = msg->e + k;
		n = j - k;
		if (!n)
			continue;
		if (!f) {
			unknown(w, msg, e, n, first);
			continue;
		}
		if (f->repeated && !has_elements(f, e, n))
			continue;
		comma(w->out, first);
		key(w->out, f->json_name);
		if (!f->repeated)
			rc = value(w, msg, f, e, n);
		else if (f->kind == PM_MESSAGE && f->message->map_entry)
			rc = map(w, f, e, n);
		else
			rc = array(w, msg, f, e, n);
	}
	return rc;
}

/* The seconds and nanos of a Timestamp or Duration. */
static int seconds_nanos(struct pbw *w, const struct pbw_msg *msg, int64_t *s, int64_t *ns)
{
	int64_t *out[2] = {s, ns};

	for (uint32_t number = 1; number <= 2; number++) {
		const struct pbw_ent *e = pbw__last(msg, number);
		uint64_t bits = 0;
		uint32_t pos = 0;
		int rc;

		if (e && !e->f)
			e = NULL;
		if (e && (rc = pbw__next(w, msg, e, &pos, &bits)) < 0)
			return rc;
		*out[number - 1] = e ? pbw__int(e->f->kind, bits) : 0;
	}
	return 0;
}

/* ".5" style fraction digits: none, 3, 6 or 9 as protojson writes. */
static void fraction(FILE *f, int64_t nanos)
{
	if (nanos == 0)
		return;
	if (nanos % 1000000 == 0)
		fprintf(f, ".%03" PRId64, nanos / 1000000);
	else if (nanos % 1000 == 0)
		fprintf(f, ".%06" PRId64, nanos / 1000);
	else
		fprintf(f, ".%09" PRId64, nanos);
}

static int timestamp(struct pbw *w, const struct pbw_msg *msg)
{
	int64_t s, ns, days, rem, y, era, doe, yoe, doy, mp, d, m;
	int rc = seconds_nanos(w, msg, &s, &ns);

	if (rc)
		return rc;
	if (s < TS_MIN_SECONDS || s > TS_MAX_SECONDS || ns < 0 || ns > 999999999)
		return pbw__fail(w, msg->type,
				 "out of range (seconds %" PRId64 ", nanos %" PRId64 ")", s, ns);
	days = s / 86400;
	rem = s % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	fprintf(w->out, "\"%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64
			":%02" PRId64,
		y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
	fraction(w->out, ns);
	fputs_unlocked("Z\"", w->out);
	return 0;
}

static int duration(struct pbw *w, const struct pbw_msg *msg)
{
	int64_t s, ns;
	int rc = seconds_nanos(w, msg, &s, &ns);

	if (rc)
		return rc;
	if (s < -DUR_MAX_SECONDS || s > DUR_MAX_SECONDS || ns <= -1000000000 || ns >= 1000000000 ||
	    (s > 0 && ns < 0) || (s < 0 && ns > 0))
		return pbw__fail(w, msg->type,
				 "out of range (seconds %" PRId64 ", nanos %" PRId64 ")", s, ns);
	fputs_unlocked(s < 0 || ns < 0 ? "\"-" : "\"", w->out);
	fprintf(w->out, "%" PRId64, s < 0 ? -s : s);
	fraction(w->out, ns < 0 ? -ns : ns);
	fputs_unlocked("s\"", w->out);
	return 0;
}

/* protojson writes a path only when lowerCamelCase turns back into it:
 * dotted identifiers, no capitals, every '_' before a lowercase letter. */
static bool camel_path(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool start = i == 0 || p[i - 1] == '.';
		uint8_t c = p[i];

		if (c == '.' ? start || i + 1 == n
			     : !((c >= 'a' && c <= 'z') || c == '_' || (!start && c >= '0' && c <= '9')))
			return false;
		if (c == '_' && !(i + 1 < n && p[i + 1] >= 'a' && p[i + 1] <= 'z'))
			return false;
	}
	return n > 0;
}

static int field_mask(struct pbw *w, const struct pbw_msg *msg)
{
	const struct pbw_ent *e;
	size_t n = pbw__occurrences(msg, 1, &e);

	putc_unlocked('"', w->out);
	for (size_t k = 0; k < n; k++) {
		const uint8_t *p = pbw__bytes(w, &e[k]);

		if (!camel_path(p, e[k].len))
			return pbw__fail(w, msg->type, "a path is not in lower_snake_case");
		if (k)
			putc_unlocked(',', w->out);
		for (size_t i = 0; i < e[k].len; i++)
			if (p[i] != '_')
				putc_unlocked(i && p[i - 1] == '_' ? p[i] - 'a' + 'A' : p[i], w->out);
	}
	putc_unlocked('"', w->out);
	return 0;
}

/* google.protobuf.Value: the one kind set, as plain JSON. */
static int json_value(struct pbw *w, const struct pbw_msg *msg)
{
	for (size_t i = 0, j; i < msg->n; i = j) {
		const struct pm_field *f = msg->e[i].f;
		size_t k;

		j = pbw__group_end(msg, i);
		k = pbw__live(msg, i, j);
		if (!f || k == j)
			continue;
		if (f->kind == PM_DOUBLE) {
			uint64_t bits = 0;
			uint32_t pos = 0;
			int rc = pbw__next(w, msg, &msg->e[j - 1], &pos, &bits);

			if (rc < 0)
				return rc;
			if (!isfinite(pbw__float(PM_DOUBLE, bits)))
				return pbw__fail(w, msg->type, "number_value is not finite");
		}
		return value(w, msg, f, msg->e + k, j - k);
	}
	return pbw__fail(w, msg->type, "no kind set");
}

static int any(struct pbw *w, const struct pbw_msg *msg)
{
	const struct pbw_ent *url = pbw__last(msg, 1), *val = pbw__last(msg, 2);
	const struct pm_message *t = url ? pbw__any_type(w, url) : NULL;
	struct pbw_msg inner;
	bool first = false;
	int rc;

	if (!url && !val) {
		fputs_unlocked("{}", w->out);
		return 0;
	}
	fputs_unlocked("{\"@type\":", w->out);
	if (url)
		json_strn(w->out, (const char *)pbw__bytes(w, url), url->len);
	else
		fputs_unlocked("\"\"", w->out);
	if (!t) {
		/* Not found: its bytes, as an unknown field's (left out when
		 * cut, like any cut bytes). */
		if (!val || !val->cut) {
			fputs_unlocked(",\"value\":", w->out);
			base64(w->out, val ? pbw__bytes(w, val) : (const uint8_t *)"", val ? val->len : 0);
		}
		putc_unlocked('}', w->out);
		return 0;
	}
	if (t->wkt != PM_WKT_NONE && !(val && val->cut && single_value_form(t->wkt))) {
		fputs_unlocked(",\"value\":", w->out);
		rc = pbjson__message(w, t, val, val ? 1 : 0);
	} else if ((rc = pbw__open(w, t, val, val ? 1 : 0, &inner)) == 0) {
		rc = members(w, &inner, &first);
		pbw__close(w, &inner);
	}
	putc_unlocked('}', w->out);
	return rc;
}

static int well_known(struct pbw *w, const struct pbw_msg *msg)
{
	const struct pm_field *f1 = pm_message__field(msg->type, 1);
	const struct pbw_ent *e;
	size_t n = pbw__occurrences(msg, 1, &e);

	/* protodb marks a well-known type only when its fields are there:
	 * a model that breaks that is refused, not followed. */
	if (!f1 && msg->type->wkt != PM_WKT_EMPTY && msg->type->wkt != PM_WKT_ANY)
		return pbw__fail(w, msg->type, "well-known type without field 1");
	switch (msg->type->wkt) {
	case PM_WKT_ANY:
		return any(w, msg);
	case PM_WKT_TIMESTAMP:
		return timestamp(w, msg);
	case PM_WKT_DURATION:
		return duration(w, msg);
	case PM_WKT_STRUCT:
		if (n)
			return map(w, f1, e, n);
		fputs_unlocked("{}", w->out);
		return 0;
	case PM_WKT_LIST_VALUE:
		return array(w, msg, f1, e, n);
	case PM_WKT_VALUE:
		return json_value(w, msg);
	case PM_WKT_FIELD_MASK:
		return field_mask(w, msg);
	case PM_WKT_WRAPPER:
		return value(w, msg, f1, e, n);
	case PM_WKT_EMPTY:
	case PM_WKT_NONE:
		break;
	}
	fputs_unlocked("{}", w->out);
	return 0;
}

int pbjson__message(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src,
		    size_t nsrc)
{
	struct pbw_msg msg;
	bool first = true;
	int rc = pbw__open(w, type, src, nsrc, &msg);

	if (rc)
		return rc;
	/* A cut well-known type whose JSON is one value: its fields, as far
	 * as they go, rather than a value that may be wrong. */
	if (type->wkt != PM_WKT_NONE && !(msg.cut && single_value_form(type->wkt))) {
		rc = well_known(w, &msg);
	} else {
		putc_unlocked('{', w->out);
		rc = members(w, &msg, &first);
		putc_unlocked('}', w->out);
	}
	pbw__close(w, &msg);
	return rc;
}
