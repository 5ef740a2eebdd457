/* pbwire.c - the protobuf wire reader under the payload decoder (see
 * pbwire.h). */
#include "pbwire.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define MAX_NUMBER 0x1fffffffu /* field numbers are 29 bits */

enum { READ_OK, READ_SHORT, READ_LONG };

/* A varint at *p before end: READ_SHORT when the bytes end first,
 * READ_LONG past 10 bytes or 64 bits (protobuf-go refuses both). */
static int varint(const uint8_t *b, size_t *p, size_t end, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = *p;

	for (int n = 0; n < 10; n++) {
		uint8_t c;

		if (i >= end)
			return READ_SHORT;
		c = b[i++];
		if (n == 9 && c > 1)
			return READ_LONG;
		x |= (uint64_t)(c & 0x7f) << (7 * n);
		if (!(c & 0x80)) {
			*v = x;
			*p = i;
			return READ_OK;
		}
	}
	return READ_LONG;
}

static uint64_t little_endian(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int pbw__fail(struct pbw *w, const struct pm_message *m, const char *fmt, ...)
{
	va_list ap;
	int o = 0;

	if (w->err[0])
		return -EBADMSG; /* keep the first: the rest follows from it */
	if (w->depth > 1)
		o = snprintf(w->err, w->errsz, "in %s: ", m->full_name);
	if (o < 0 || (size_t)o >= w->errsz)
		return -EBADMSG;
	va_start(ap, fmt);
	vsnprintf(w->err + o, w->errsz - (size_t)o, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* "field 3 (name)" or "field 3" for error messages. */
static const char *field_desc(char *buf, size_t n, uint32_t number, const struct pm_field *f)
{
	if (f)
		snprintf(buf, n, "field %u (%s)", number, f->name);
	else
		snprintf(buf, n, "field %u", number);
	return buf;
}

/* The wire type a kind takes for one value, -1 for a kind not known. */
static int native_wire(enum pm_kind k)
{
	switch (k) {
	case PM_DOUBLE:
	case PM_FIXED64:
	case PM_SFIXED64:
		return PBW_I64;
	case PM_FLOAT:
	case PM_FIXED32:
	case PM_SFIXED32:
		return PBW_I32;
	case PM_INT64:
	case PM_UINT64:
	case PM_INT32:
	case PM_BOOL:
	case PM_UINT32:
	case PM_ENUM:
	case PM_SINT32:
	case PM_SINT64:
		return PBW_VARINT;
	case PM_STRING:
	case PM_BYTES:
	case PM_MESSAGE:
		return PBW_LEN;
	case PM_GROUP:
		return PBW_SGROUP;
	}
	return -1;
}

bool pbw__packable(enum pm_kind k)
{
	int wt = native_wire(k);

	return wt == PBW_VARINT || wt == PBW_I64 || wt == PBW_I32;
}

static bool wire_fits(const struct pm_field *f, int wt)
{
	return wt == native_wire(f->kind) || (f->repeated && wt == PBW_LEN && pbw__packable(f->kind));
}

/* A cut occurrence whose first bytes still say something: a nested
 * message is read as far as it goes (a map entry is not: half an entry
 * would show a key with a wrong value), and so is a packed run, and an
 * Any's value when its type is found (the writers leave it out when not). */
static bool readable_when_cut(const struct pm_message *m, const struct pm_field *f, int wt)
{
	if (!f)
		return false;
	if (m->wkt == PM_WKT_ANY && f->number == 2 && f->kind == PM_BYTES)
		return true;
	if (f->kind == PM_MESSAGE || f->kind == PM_GROUP)
		return !f->message->map_entry;
	return wt == PBW_LEN && pbw__packable(f->kind);
}

/* Skip the fields of a group (its start tag read) up to its end tag:
 * 0 with *p past the end tag and *content_end at it, 1 when the bytes end
 * first, or a negative errno. */
static int skip_group(struct pbw *w, const struct pm_message *m, size_t *p, size_t end,
		      uint32_t number, int depth, size_t *content_end)
{
	if (depth > PBW_MAX_DEPTH + 1)
		return pbw__fail(w, m, "groups nested more than %d deep", PBW_MAX_DEPTH);
	for (;;) {
		size_t at = *p;
		uint64_t tag, v;
		uint32_t n;
		int rc;

		if (at >= end)
			return 1;
		rc = varint(w->buf, p, end, &tag);
		if (rc == READ_SHORT)
			return 1;
		if (rc == READ_LONG || tag >> 3 == 0 || tag >> 3 > MAX_NUMBER)
			return pbw__fail(w, m, "group %u holds a bad tag", number);
		n = (uint32_t)(tag >> 3);
		switch (tag & 7) {
		case PBW_VARINT:
			rc = varint(w->buf, p, end, &v);
			if (rc == READ_LONG)
				return pbw__fail(w, m, "group %u: field %u: varint longer than 10 bytes",
						 number, n);
			if (rc == READ_SHORT)
				return 1;
			break;
		case PBW_I64:
		case PBW_I32:
			v = (tag & 7) == PBW_I64 ? 8 : 4;
			if (end - *p < v)
				return 1;
			*p += v;
			break;
		case PBW_LEN:
			rc = varint(w->buf, p, end, &v);
			if (rc == READ_LONG)
				return pbw__fail(w, m, "group %u: field %u: length longer than 10 bytes",
						 number, n);
			if (rc == READ_SHORT || v > end - *p)
				return 1;
			*p += v;
			break;
		case PBW_SGROUP:
			rc = skip_group(w, m, p, end, n, depth + 1, &at);
			if (rc)
				return rc;
			break;
		case PBW_EGROUP:
			if (n != number)
				return pbw__fail(w, m, "group %u ended by end group %u", number, n);
			*content_end = at;
			return 0;
		default:
			return pbw__fail(w, m, "group %u: field %u has wire type %d", number, n,
					 (int)(tag & 7));
		}
	}
}

/* What a range does when the end of the bytes cuts a field: stop
 * quietly (1) in a cut range, else fail. */
static int ran_out(struct pbw *w, const struct pm_message *m, const struct pbw_ent *r,
		   const char *what)
{
	if (r->cut)
		return 1;
	return pbw__fail(w, m, "%s runs past the end of the message", what);
}

/* A varint of occurrence e (its value, or its length) at *p: 0, 1 when
 * the end of a cut range falls in it, or a negative errno. */
static int field_varint(struct pbw *w, const struct pm_message *m, const struct pbw_ent *r,
			const struct pbw_ent *e, size_t *p, size_t end, const char *what, uint64_t *v)
{
	char d[160];
	int rc = varint(w->buf, p, end, v);

	if (rc == READ_OK)
		return 0;
	field_desc(d, sizeof(d), e->number, e->f);
	if (rc == READ_LONG)
		return pbw__fail(w, m, "%s: %s longer than 10 bytes", d, what);
	return ran_out(w, m, r, d);
}

static int push(struct pbw *w, const struct pm_message *m, const struct pbw_ent *e)
{
	/* Cannot happen: every occurrence takes two bytes that no open
	 * level's other occurrences take (pbdecode.c sizes the stack). */
	if (w->top >= w->cap) {
		pbw__fail(w, m, "too many fields");
		return -ENOSPC;
	}
	w->ents[w->top++] = *e;
	return 0;
}

/* Index the fields in the bytes of r. 0, 1 when the end of the bytes cut
 * it (nothing after counts), or a negative errno. */
static int scan(struct pbw *w, const struct pm_message *m, const struct pbw_ent *r)
{
	uint64_t decl_end = (uint64_t)r->off + r->len;
	size_t p = r->off, end = r->cut ? w->len : r->off + r->len;
	char d[160];

	while (p < end) {
		struct pbw_ent e = {0};
		size_t at = p;
		uint64_t tag, v;
		int rc = varint(w->buf, &p, end, &tag);

		if (rc == READ_SHORT)
			return ran_out(w, m, r, "a tag");
		if (rc == READ_LONG || tag >> 3 == 0 || tag >> 3 > MAX_NUMBER)
			return pbw__fail(w, m, "bad tag at byte %zu", at);
		e.number = (uint32_t)(tag >> 3);
		e.wt = tag & 7;
		e.f = pm_message__field(m, e.number);
		if (e.f && !wire_fits(e.f, e.wt))
			return pbw__fail(w, m, "%s has wire type %d",
					 field_desc(d, sizeof(d), e.number, e.f), e.wt);
		e.off = (uint32_t)p;
		switch (e.wt) {
		case PBW_VARINT:
			if ((rc = field_varint(w, m, r, &e, &p, end, "varint", &v)))
				return rc;
			e.len = (uint32_t)(p - e.off);
			break;
		case PBW_I64:
		case PBW_I32:
			e.len = e.wt == PBW_I64 ? 8 : 4;
			if (end - p < e.len)
				return ran_out(w, m, r, field_desc(d, sizeof(d), e.number, e.f));
			p += e.len;
			break;
		case PBW_LEN:
			if ((rc = field_varint(w, m, r, &e, &p, end, "length", &v)))
				return rc;
			if (v > decl_end - p)
				return pbw__fail(w, m, "%s: length %llu runs past the end of the message",
						 field_desc(d, sizeof(d), e.number, e.f),
						 (unsigned long long)v);
			e.off = (uint32_t)p;
			e.len = (uint32_t)v;
			if (v > end - p) {
				/* Only in a cut range: else end == decl_end. */
				e.cut = true;
				if (readable_when_cut(m, e.f, e.wt) && (rc = push(w, m, &e)) < 0)
					return rc;
				return 1;
			}
			p += v;
			break;
		case PBW_SGROUP: {
			size_t content_end = 0;

			rc = skip_group(w, m, &p, end, e.number, w->depth + 1, &content_end);
			if (rc < 0)
				return rc;
			if (rc) {
				if (!r->cut)
					return pbw__fail(w, m, "%s: group has no end",
							 field_desc(d, sizeof(d), e.number, e.f));
				e.cut = true;
				e.len = (uint32_t)(decl_end - e.off < UINT32_MAX ? decl_end - e.off
										 : UINT32_MAX);
				if (readable_when_cut(m, e.f, e.wt) && (rc = push(w, m, &e)) < 0)
					return rc;
				return 1;
			}
			e.len = (uint32_t)(content_end - e.off);
			if (!e.f)
				continue; /* unknown groups are skipped */
			break;
		}
		case PBW_EGROUP:
			return pbw__fail(w, m, "end group %u without a start", e.number);
		default:
			return pbw__fail(w, m, "%s has wire type %d",
					 field_desc(d, sizeof(d), e.number, e.f), e.wt);
		}
		if ((rc = push(w, m, &e)) < 0)
			return rc;
	}
	return 0;
}

/* Sort keys: a field's number, or with by_oneof its oneof first (members
 * of one oneof together, to settle which holds); occurrences of a number
 * stay in wire order. */
static uint64_t key_of(const struct pbw_ent *e, bool by_oneof)
{
	uint64_t cls = by_oneof && e->f && e->f->oneof >= 0 ? (uint64_t)e->f->oneof + 1 : 0;

	return cls << 32 | e->number;
}

static bool before(const struct pbw_ent *a, const struct pbw_ent *b, bool by_oneof)
{
	uint64_t ka = key_of(a, by_oneof), kb = key_of(b, by_oneof);

	return ka < kb || (ka == kb && a->off < b->off);
}

static void swap(struct pbw_ent *a, struct pbw_ent *b)
{
	struct pbw_ent t = *a;

	*a = *b;
	*b = t;
}

static void sift_down(struct pbw_ent *e, size_t i, size_t n, bool by_oneof)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			return;
		if (c + 1 < n && before(&e[c], &e[c + 1], by_oneof))
			c++;
		if (!before(&e[i], &e[c], by_oneof))
			return;
		swap(&e[i], &e[c]);
		i = c;
	}
}

/* Usually already in order (encoders write fields by number): checked in
 * one pass. Else insertion sort for a few, heapsort for many: in place,
 * and keys are unique (offsets differ), so stability does not matter. */
static void sort(struct pbw_ent *e, size_t n, bool by_oneof)
{
	size_t i;

	for (i = 1; i < n && !before(&e[i], &e[i - 1], by_oneof); i++)
		;
	if (i >= n)
		return;
	if (n <= 16) {
		for (i = 1; i < n; i++)
			for (size_t j = i; j > 0 && before(&e[j], &e[j - 1], by_oneof); j--)
				swap(&e[j], &e[j - 1]);
		return;
	}
	for (i = n / 2; i-- > 0;)
		sift_down(e, i, n, by_oneof);
	for (i = n; i-- > 1;) {
		swap(&e[0], &e[i]);
		sift_down(e, 0, i, by_oneof);
	}
}

/* A oneof holds the member set last: the others are overridden, and so
 * are the winner's occurrences from before another member was set (a
 * message member starts afresh then). e is sorted by oneof. */
static void settle_oneofs(struct pbw_ent *e, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint64_t cls = key_of(&e[i], true) >> 32;
		size_t j = i, last = i;
		uint32_t cutoff = 0;
		bool other = false;

		if (!cls) {
			i++;
			continue;
		}
		for (; j < n && key_of(&e[j], true) >> 32 == cls; j++)
			if (e[j].off > e[last].off)
				last = j;
		for (size_t k = i; k < j; k++)
			if (e[k].number != e[last].number && (!other || e[k].off > cutoff)) {
				cutoff = e[k].off;
				other = true;
			}
		for (size_t k = i; k < j; k++)
			e[k].dead = e[k].number != e[last].number || (other && e[k].off < cutoff);
		i = j;
	}
}

/* The usual case, a few oneof members present, settled where the
 * occurrences are sorted by number: each member against the others of
 * its oneof. false when there are too many for that. */
static bool settle_few_oneofs(struct pbw_ent *e, size_t n)
{
	size_t start[8], end[8], k = 0;

	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && e[j].number == e[i].number; j++)
			;
		if (!e[i].f || e[i].f->oneof < 0)
			continue;
		if (k == 8)
			return false;
		start[k] = i;
		end[k++] = j;
	}
	for (size_t a = 0; a < k; a++) {
		uint32_t last = e[end[a] - 1].off, cutoff = 0;
		bool winner = true, other = false;

		for (size_t b = 0; b < k; b++) {
			uint32_t lb = e[end[b] - 1].off;

			if (b == a || e[start[b]].f->oneof != e[start[a]].f->oneof)
				continue;
			if (lb > last)
				winner = false;
			else if (!other || lb > cutoff)
				cutoff = lb;
			other = true;
		}
		for (size_t i = start[a]; i < end[a]; i++)
			e[i].dead = !winner || (other && e[i].off < cutoff);
	}
	return true;
}

int pbw__open(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src, size_t nsrc,
	      struct pbw_msg *msg)
{
	size_t base = w->top;
	int rc = 0;

	msg->type = type;
	msg->cut = nsrc && src[nsrc - 1].cut;
	if (++w->depth > PBW_MAX_DEPTH + 1) {
		rc = pbw__fail(w, type, "messages nested more than %d deep", PBW_MAX_DEPTH);
		w->depth--;
		return rc;
	}
	for (size_t i = 0; i < nsrc && rc == 0; i++)
		rc = scan(w, type, &src[i]);
	if (rc < 0) {
		w->top = base;
		w->depth--;
		return rc;
	}
	msg->e = w->ents + base;
	msg->n = w->top - base;
	sort(msg->e, msg->n, false);
	if (!settle_few_oneofs(msg->e, msg->n)) {
		sort(msg->e, msg->n, true);
		settle_oneofs(msg->e, msg->n);
		sort(msg->e, msg->n, false);
	}
	return 0;
}

void pbw__close(struct pbw *w, const struct pbw_msg *msg)
{
	w->top = (size_t)(msg->e - w->ents);
	w->depth--;
}

size_t pbw__group_end(const struct pbw_msg *msg, size_t i)
{
	size_t j = i + 1;

	while (j < msg->n && msg->e[j].number == msg->e[i].number)
		j++;
	return j;
}

size_t pbw__live(const struct pbw_msg *msg, size_t i, size_t j)
{
	while (i < j && msg->e[i].dead)
		i++;
	return i;
}

size_t pbw__occurrences(const struct pbw_msg *msg, uint32_t number, const struct pbw_ent **e)
{
	for (size_t i = 0, j; i < msg->n; i = j) {
		j = pbw__group_end(msg, i);
		if (msg->e[i].number == number) {
			size_t k = pbw__live(msg, i, j);

			*e = msg->e + k;
			return j - k;
		}
	}
	*e = NULL;
	return 0;
}

const struct pbw_ent *pbw__last(const struct pbw_msg *msg, uint32_t number)
{
	const struct pbw_ent *e;
	size_t n = pbw__occurrences(msg, number, &e);

	return n ? &e[n - 1] : NULL;
}

int pbw__next(struct pbw *w, const struct pbw_msg *msg, const struct pbw_ent *e, uint32_t *pos,
	      uint64_t *bits)
{
	int wt = e->wt == PBW_LEN ? native_wire(e->f->kind) : e->wt;
	size_t p = (size_t)e->off + *pos, end = e->cut ? w->len : (size_t)e->off + e->len;
	char d[160];
	int rc;

	if (p >= end)
		return 0;
	if (wt == PBW_VARINT) {
		rc = varint(w->buf, &p, end, bits);
		if (rc == READ_LONG || (rc == READ_SHORT && !e->cut))
			return pbw__fail(w, msg->type, "%s: packed values do not parse",
					 field_desc(d, sizeof(d), e->number, e->f));
		if (rc == READ_SHORT)
			return 0;
	} else {
		int size = wt == PBW_I64 ? 8 : 4;

		if (end - p < (size_t)size) {
			if (e->cut)
				return 0;
			return pbw__fail(w, msg->type, "%s: packed values do not parse",
					 field_desc(d, sizeof(d), e->number, e->f));
		}
		*bits = little_endian(w->buf + p, size);
		p += size;
	}
	*pos = (uint32_t)(p - e->off);
	return 1;
}

static size_t utoa(char *buf, uint64_t v)
{
	char t[20];
	size_t n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
	return n;
}

static int64_t zigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int64_t pbw__int(enum pm_kind k, uint64_t bits)
{
	switch (k) {
	case PM_INT32:
	case PM_SFIXED32:
	case PM_ENUM:
		return (int32_t)(uint32_t)bits;
	case PM_UINT32:
	case PM_FIXED32:
		return (uint32_t)bits;
	case PM_SINT32:
		return zigzag((uint32_t)bits);
	case PM_SINT64:
		return zigzag(bits);
	case PM_BOOL:
		return bits != 0;
	default:
		return (int64_t)bits;
	}
}

size_t pbw__int_text(char *buf, enum pm_kind k, uint64_t bits)
{
	int64_t v;

	if (k == PM_BOOL)
		return (size_t)snprintf(buf, 8, bits ? "true" : "false");
	if (k == PM_UINT64 || k == PM_FIXED64)
		return utoa(buf, bits);
	v = pbw__int(k, bits);
	if (v >= 0)
		return utoa(buf, (uint64_t)v);
	buf[0] = '-';
	return 1 + utoa(buf + 1, -(uint64_t)v);
}

double pbw__float(enum pm_kind k, uint64_t bits)
{
	if (k == PM_FLOAT) {
		uint32_t b = (uint32_t)bits;
		float f;

		memcpy(&f, &b, sizeof(f));
		return f;
	} else {
		double d;

		memcpy(&d, &bits, sizeof(d));
		return d;
	}
}

const char *pbw__enum_name(const struct pm_enum *e, int32_t number)
{
	size_t lo = 0, hi = e->nvalues;

	/* The first of equal numbers (allow_alias): the lowest index. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->values[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->nvalues && e->values[lo].number == number ? e->values[lo].name : NULL;
}

const struct pm_message *pbw__any_type(const struct pbw *w, const struct pbw_ent *url)
{
	const uint8_t *s = pbw__bytes(w, url), *name = s;
	char buf[512];
	size_t n;

	if (!w->types || !w->types->message)
		return NULL;
	for (size_t i = 0; i < url->len; i++)
		if (s[i] == '/')
			name = s + i + 1;
	n = url->len - (size_t)(name - s);
	if (n == 0 || n >= sizeof(buf) || memchr(name, '\0', n))
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return w->types->message(w->types->ctx, buf);
}

const char *pbw__short_name(const struct pm_message *m)
{
	const char *dot = strrchr(m->full_name, '.');

	return dot ? dot + 1 : m->full_name;
}
