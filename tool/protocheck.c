/* protocheck.c - check one parsed FileDescriptorProto (protocheck.h): the
 * names are identifiers, the numbers are in range and unique, every field
 * says what it is, map entries have protoc's shape. A file that breaks a
 * rule is refused whole: its bytes were made by something that was not
 * protoc, and nothing in it is worth believing. */
#include "protocheck.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

typedef Google__Protobuf__FileDescriptorProto FileProto;
typedef Google__Protobuf__DescriptorProto MsgProto;
typedef Google__Protobuf__FieldDescriptorProto FieldProto;
typedef Google__Protobuf__EnumDescriptorProto EnumProto;
typedef Google__Protobuf__ServiceDescriptorProto ServiceProto;

#define MAX_NESTING 64 /* as dwarf/protoscan.c lets through */

struct ck {
	char *buf;
	size_t len;
	bool failed;
};

static bool fail(struct ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->buf, c->len, fmt, ap);
	va_end(ap);
	c->failed = true;
	return false;
}

bool protocheck__ident(const char *s)
{
	if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* "a.b.c": identifiers joined by single dots. */
static bool dotted_ident(const char *s)
{
	char part[256];

	while (*s) {
		size_t n = strcspn(s, ".");

		if (n == 0 || n >= sizeof(part))
			return false;
		memcpy(part, s, n);
		part[n] = '\0';
		if (!protocheck__ident(part))
			return false;
		s += n;
		if (*s == '.' && !*++s)
			return false; /* a trailing dot */
	}
	return true;
}

void protocheck__json_name(const char *name, char *out)
{
	bool under = false;

	for (; *name; name++) {
		char c = *name;

		if (c != '_') {
			if (under && c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			*out++ = c;
		}
		under = c == '_';
	}
	*out = '\0';
}

/* A type reference: ".pkg.Type" (protoc writes them fully qualified). */
static bool type_ref(const char *s)
{
	return s && s[0] == '.' && dotted_ident(s + 1);
}

/* A json_name: text for a JSON key; the scan has checked it is UTF-8. */
static bool json_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_int(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* The first name that v[0..n) holds twice (sorted, so a hostile file of a
 * million names costs n log n), NULL when none; "" when out of memory. */
static const char *dup_name(const char *const *v, size_t n)
{
	const char **s = malloc((n ? n : 1) * sizeof(*s));
	const char *d = NULL;

	if (!s)
		return "";
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_str);
	for (size_t i = 1; i < n && !d; i++)
		if (strcmp(s[i - 1], s[i]) == 0)
			d = s[i];
	free(s);
	return d;
}

/* Whether v[0..n) holds a number twice; *dup gets it. -1: out of memory. */
static int dup_number(const int32_t *v, size_t n, int32_t *dup)
{
	int32_t *s = malloc((n ? n : 1) * sizeof(*s));
	int found = 0;

	if (!s)
		return -1;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_int);
	for (size_t i = 1; i < n && !found; i++)
		if (s[i - 1] == s[i])
			found = 1, *dup = s[i];
	free(s);
	return found;
}

static bool field_ok(struct ck *c, const char *scope, const MsgProto *m, const FieldProto *f)
{
	const char *n = f->name;
	int t = f->type;

	if (!protocheck__ident(n))
		return fail(c, "message %s: a field name that is not an identifier", scope);
	if (!f->has_number || f->number < 1 || f->number > (1 << 29) - 1)
		return fail(c, "message %s: field %s has no number in 1..2^29-1", scope, n);
	if (f->number >= 19000 && f->number <= 19999)
		return fail(c, "message %s: field %s is numbered %d, in the reserved 19000..19999",
			    scope, n, f->number);
	if (!f->has_label || f->label < 1 || f->label > 3)
		return fail(c, "message %s: field %s has no label", scope, n);
	if (!f->has_type || t < 1 || t > 18)
		return fail(c, "message %s: field %s has no type", scope, n);
	if ((t == 10 || t == 11 || t == 14) != (f->type_name != NULL))
		return fail(c, "message %s: field %s: a type name %s", scope, n,
			    f->type_name ? "where its type takes none" : "missing");
	if (f->type_name && !type_ref(f->type_name))
		return fail(c, "message %s: field %s: type name is not .pkg.Type", scope, n);
	if (f->has_oneof_index && (f->oneof_index < 0 || (size_t)f->oneof_index >= m->n_oneof_decl))
		return fail(c, "message %s: field %s: oneof index out of range", scope, n);
	if (f->json_name && !json_name_ok(f->json_name))
		return fail(c, "message %s: field %s: json_name empty or with control characters",
			    scope, n);
	if (f->extendee)
		return fail(c, "message %s: field %s names an extendee", scope, n);
	return true;
}

/* protoc's map entry: "XEntry" { optional K key = 1; optional V value = 2; }
 * with K integral, bool or string, V anything but a group. */
static bool map_entry_ok(struct ck *c, const char *scope, const MsgProto *m)
{
	const FieldProto *k, *v;
	size_t n = strlen(m->name);

	if (n < 5 || strcmp(m->name + n - 5, "Entry") != 0 || m->n_field != 2 || m->n_nested_type ||
	    m->n_enum_type || m->n_oneof_decl)
		return fail(c, "map entry %s: not protoc's shape", scope);
	k = m->field[0]->number == 1 ? m->field[0] : m->field[1];
	v = m->field[0]->number == 1 ? m->field[1] : m->field[0];
	if (k->number != 1 || v->number != 2 || strcmp(k->name, "key") != 0 ||
	    strcmp(v->name, "value") != 0 || k->label != 1 || v->label != 1)
		return fail(c, "map entry %s: not fields key = 1 and value = 2", scope);
	if (k->type == 1 || k->type == 2 || k->type == 10 || k->type == 11 || k->type == 12 ||
	    k->type == 14)
		return fail(c, "map entry %s: a key of a type maps cannot have", scope);
	if (v->type == 10)
		return fail(c, "map entry %s: a group value", scope);
	return true;
}

/* Names and numbers of one scope, gathered for the duplicate checks. */
struct names {
	const char **v;
	size_t n;
};

static bool add_name(struct names *ns, const char *name)
{
	ns->v[ns->n++] = name;
	return true;
}

/* The name held twice, NULL when none; a failed check when out of memory. */
static bool unique(struct ck *c, struct names *ns, const char *what, const char *scope)
{
	const char *d = dup_name(ns->v, ns->n);

	free(ns->v);
	ns->v = NULL;
	if (d && !*d)
		return fail(c, "out of memory");
	if (d)
		return fail(c, "%s %s: the name %s twice", what, scope, d);
	return true;
}

static bool enum_ok(struct ck *c, const char *outer, const EnumProto *e)
{
	char scope[512];
	bool alias = e->options && e->options->has_allow_alias && e->options->allow_alias;
	struct names ns = {0};
	int32_t *nums, dup;
	int r;

	if (!protocheck__ident(e->name))
		return fail(c, "%s: an enum name that is not an identifier", *outer ? outer : "file");
	snprintf(scope, sizeof(scope), "%s%s%s", outer, *outer ? "." : "", e->name);
	if (e->n_value == 0)
		return fail(c, "enum %s has no value", scope);
	for (size_t i = 0; i < e->n_value; i++)
		if (!protocheck__ident(e->value[i]->name) || !e->value[i]->has_number)
			return fail(c, "enum %s: a value without an identifier or a number", scope);
	ns.v = malloc(e->n_value * sizeof(*ns.v));
	nums = malloc(e->n_value * sizeof(*nums));
	if (!ns.v || !nums) {
		free(ns.v);
		free(nums);
		return fail(c, "out of memory");
	}
	for (size_t i = 0; i < e->n_value; i++) {
		add_name(&ns, e->value[i]->name);
		nums[i] = e->value[i]->number;
	}
	r = alias ? 0 : dup_number(nums, e->n_value, &dup);
	free(nums);
	if (r < 0) {
		free(ns.v);
		return fail(c, "out of memory");
	}
	if (r > 0) {
		free(ns.v);
		return fail(c, "enum %s: two values numbered %d without allow_alias", scope, dup);
	}
	return unique(c, &ns, "enum", scope);
}

/* Field, oneof, nested message and enum names of a message differ (the
 * model keys types by full name); so do its field numbers. */
static bool members_unique(struct ck *c, const char *scope, const MsgProto *m)
{
	struct names ns = {0};
	int32_t *nums = malloc((m->n_field ? m->n_field : 1) * sizeof(*nums)), dup;
	int r;

	if (!nums)
		return fail(c, "out of memory");
	for (size_t i = 0; i < m->n_field; i++)
		nums[i] = m->field[i]->number;
	r = dup_number(nums, m->n_field, &dup);
	free(nums);
	if (r)
		return r < 0 ? fail(c, "out of memory")
			     : fail(c, "message %s: two fields numbered %d", scope, dup);
	ns.v = malloc((m->n_field + m->n_nested_type + m->n_enum_type + m->n_oneof_decl + 1) *
		      sizeof(*ns.v));
	if (!ns.v)
		return fail(c, "out of memory");
	for (size_t i = 0; i < m->n_field; i++)
		add_name(&ns, m->field[i]->name);
	for (size_t i = 0; i < m->n_nested_type; i++)
		add_name(&ns, m->nested_type[i]->name);
	for (size_t i = 0; i < m->n_enum_type; i++)
		add_name(&ns, m->enum_type[i]->name);
	for (size_t i = 0; i < m->n_oneof_decl; i++)
		add_name(&ns, m->oneof_decl[i]->name);
	return unique(c, &ns, "message", scope);
}

static bool message_ok(struct ck *c, const char *outer, const MsgProto *m, int depth)
{
	char scope[512];

	if (depth > MAX_NESTING)
		return fail(c, "%s: messages nested more than %d deep", outer, MAX_NESTING);
	if (!protocheck__ident(m->name))
		return fail(c, "%s: a message name that is not an identifier", *outer ? outer : "file");
	snprintf(scope, sizeof(scope), "%s%s%s", outer, *outer ? "." : "", m->name);
	for (size_t i = 0; i < m->n_oneof_decl; i++)
		if (!protocheck__ident(m->oneof_decl[i]->name))
			return fail(c, "message %s: a oneof name that is not an identifier", scope);
	for (size_t i = 0; i < m->n_nested_type; i++)
		if (!protocheck__ident(m->nested_type[i]->name))
			return fail(c, "message %s: a nested message name that is not an identifier",
				    scope);
	for (size_t i = 0; i < m->n_enum_type; i++)
		if (!protocheck__ident(m->enum_type[i]->name))
			return fail(c, "message %s: an enum name that is not an identifier", scope);
	for (size_t i = 0; i < m->n_field; i++)
		if (!field_ok(c, scope, m, m->field[i]))
			return false;
	if (!members_unique(c, scope, m))
		return false;
	if (m->options && m->options->has_map_entry && m->options->map_entry &&
	    !map_entry_ok(c, scope, m))
		return false;
	for (size_t i = 0; i < m->n_nested_type; i++)
		if (!message_ok(c, scope, m->nested_type[i], depth + 1))
			return false;
	for (size_t i = 0; i < m->n_enum_type; i++)
		if (!enum_ok(c, scope, m->enum_type[i]))
			return false;
	return true;
}

static bool service_ok(struct ck *c, const char *pkg, const ServiceProto *s)
{
	char scope[512];
	struct names ns = {0};

	if (!protocheck__ident(s->name))
		return fail(c, "a service name that is not an identifier");
	snprintf(scope, sizeof(scope), "%s%s%s", pkg, *pkg ? "." : "", s->name);
	for (size_t i = 0; i < s->n_method; i++) {
		const Google__Protobuf__MethodDescriptorProto *m = s->method[i];

		if (!protocheck__ident(m->name) || !type_ref(m->input_type) ||
		    !type_ref(m->output_type))
			return fail(c, "service %s: a method without an identifier or .pkg.Type "
				       "input and output types",
				    scope);
	}
	ns.v = malloc((s->n_method + 1) * sizeof(*ns.v));
	if (!ns.v)
		return fail(c, "out of memory");
	for (size_t i = 0; i < s->n_method; i++)
		add_name(&ns, s->method[i]->name);
	return unique(c, &ns, "service", scope);
}

const char *protocheck__file(const FileProto *fd, char *buf, size_t len)
{
	struct ck c = {buf, len, false};
	const char *pkg = fd->package ? fd->package : "";

	if (!fd->name || !*fd->name)
		return "no file name";
	if (*pkg && !dotted_ident(pkg))
		return "a package name that is not dotted identifiers";
	if (fd->syntax && strcmp(fd->syntax, "proto2") != 0 && strcmp(fd->syntax, "proto3") != 0 &&
	    strcmp(fd->syntax, "editions") != 0)
		return "syntax is not proto2, proto3 or editions";
	for (size_t i = 0; i < fd->n_message_type && !c.failed; i++)
		message_ok(&c, pkg, fd->message_type[i], 1);
	for (size_t i = 0; i < fd->n_enum_type && !c.failed; i++)
		enum_ok(&c, pkg, fd->enum_type[i]);
	for (size_t i = 0; i < fd->n_service && !c.failed; i++)
		service_ok(&c, pkg, fd->service[i]);
	/* Top-level names are unique across the file's kinds too. */
	if (!c.failed) {
		struct names ns = {0};

		ns.v = malloc((fd->n_message_type + fd->n_enum_type + fd->n_service + 1) *
			      sizeof(*ns.v));
		if (!ns.v)
			return "out of memory";
		for (size_t i = 0; i < fd->n_message_type; i++)
			add_name(&ns, fd->message_type[i]->name);
		for (size_t i = 0; i < fd->n_enum_type; i++)
			add_name(&ns, fd->enum_type[i]->name);
		for (size_t i = 0; i < fd->n_service; i++)
			add_name(&ns, fd->service[i]->name);
		unique(&c, &ns, "package", *pkg ? pkg : "(none)");
	}
	return c.failed ? buf : NULL;
}
