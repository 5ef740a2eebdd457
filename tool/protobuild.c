/* protobuild.c - from checked FileDescriptorProtos to the resolved message
 * types of protomodel.h, across every file found.
 *
 * 1. Name: every message, enum and service of each file gets its full
 *    name; a file that defines a name an earlier file defined is refused
 *    whole (protoregistry refuses such a registration too).
 * 2. Build: fields sorted by number, each message or enum field pointing
 *    at its type; a field whose type is not found is dropped (the decoder
 *    then shows it as an unknown field by number) and counted; methods get
 *    their path and their types, NULL for a type not found.
 * 3. Well-known types: google.protobuf.* messages that have the fields
 *    their JSON form needs get their pm_wkt.
 * Messages may refer to each other in cycles (a tree node holding its
 * children): only pointers are set, nothing here follows them.
 */
#include "protocheck.h"
#include "protodb_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Google__Protobuf__FileDescriptorProto FileProto;
typedef Google__Protobuf__DescriptorProto MsgProto;
typedef Google__Protobuf__FieldDescriptorProto FieldProto;
typedef Google__Protobuf__EnumDescriptorProto EnumProto;

#define TAG_ENUM 1u
#define TAG_SERVICE 2u /* the value alone: a service takes its name */

struct msg_ref {
	struct pm_message *pm;
	const MsgProto *mp;
};

struct enum_ref {
	struct pm_enum *pe;
	const EnumProto *ep;
};

/* One file's types, named (step 1), built in step 2. */
struct file_types {
	size_t nmsgs, nenums;
	struct msg_ref *msgs; /* pre-order: a message, then what it nests */
	struct enum_ref *enums;
	const char **services; /* full names */
};

static void count(const MsgProto *m, size_t *nmsgs, size_t *nenums)
{
	(*nmsgs)++;
	*nenums += m->n_enum_type;
	for (size_t i = 0; i < m->n_nested_type; i++)
		count(m->nested_type[i], nmsgs, nenums); /* depth checked by protocheck.c */
}

static int name_enum(struct arena *a, struct file_types *ft, const char *scope,
		     const EnumProto *e)
{
	struct pm_enum *pe = arena__calloc(a, 1, sizeof(*pe));

	if (!pe || !(pe->full_name = arena__join(a, scope, '.', e->name)))
		return -ENOMEM;
	pe->null_value = strcmp(pe->full_name, "google.protobuf.NullValue") == 0;
	ft->enums[ft->nenums++] = (struct enum_ref){pe, e};
	return 0;
}

static int name_msg(struct arena *a, struct file_types *ft, const char *scope, const MsgProto *m)
{
	struct pm_message *pm = arena__calloc(a, 1, sizeof(*pm));

	if (!pm || !(pm->full_name = arena__join(a, scope, '.', m->name)))
		return -ENOMEM;
	pm->map_entry = m->options && m->options->has_map_entry && m->options->map_entry;
	ft->msgs[ft->nmsgs++] = (struct msg_ref){pm, m};
	for (size_t i = 0; i < m->n_enum_type; i++)
		if (name_enum(a, ft, pm->full_name, m->enum_type[i]))
			return -ENOMEM;
	for (size_t i = 0; i < m->n_nested_type; i++)
		if (name_msg(a, ft, pm->full_name, m->nested_type[i]))
			return -ENOMEM;
	return 0;
}

static int name_file(struct arena *a, const FileProto *fd, struct file_types *ft)
{
	const char *pkg = fd->package ? fd->package : "";
	size_t nmsgs = 0, nenums = fd->n_enum_type;

	for (size_t i = 0; i < fd->n_message_type; i++)
		count(fd->message_type[i], &nmsgs, &nenums);
	ft->msgs = arena__calloc(a, nmsgs + 1, sizeof(*ft->msgs));
	ft->enums = arena__calloc(a, nenums + 1, sizeof(*ft->enums));
	ft->services = arena__calloc(a, fd->n_service + 1, sizeof(*ft->services));
	if (!ft->msgs || !ft->enums || !ft->services)
		return -ENOMEM;
	/* Top-level enums first, then each message's after it (pre-order):
	 * the order the test programs' own dump lists them in. */
	for (size_t i = 0; i < fd->n_enum_type; i++)
		if (name_enum(a, ft, pkg, fd->enum_type[i]))
			return -ENOMEM;
	for (size_t i = 0; i < fd->n_message_type; i++)
		if (name_msg(a, ft, pkg, fd->message_type[i]))
			return -ENOMEM;
	for (size_t i = 0; i < fd->n_service; i++)
		if (!(ft->services[i] = arena__join(a, pkg, '.', fd->service[i]->name)))
			return -ENOMEM;
	return 0;
}

/* The first of ft's names that db already holds, or NULL. */
static const char *taken_name(const struct protodb *db, const struct file_types *ft, size_t nsvc)
{
	uint64_t v;

	for (size_t i = 0; i < ft->nmsgs; i++)
		if (strmap__get(&db->types, ft->msgs[i].pm->full_name, &v))
			return ft->msgs[i].pm->full_name;
	for (size_t i = 0; i < ft->nenums; i++)
		if (strmap__get(&db->types, ft->enums[i].pe->full_name, &v))
			return ft->enums[i].pe->full_name;
	for (size_t i = 0; i < nsvc; i++)
		if (strmap__get(&db->types, ft->services[i], &v))
			return ft->services[i];
	return NULL;
}

static int take_names(struct protodb *db, const struct file_types *ft, size_t nsvc)
{
	for (size_t i = 0; i < ft->nmsgs; i++)
		if (strmap__put(&db->types, ft->msgs[i].pm->full_name, (uintptr_t)ft->msgs[i].pm))
			return -ENOMEM;
	for (size_t i = 0; i < ft->nenums; i++)
		if (strmap__put(&db->types, ft->enums[i].pe->full_name,
				(uintptr_t)ft->enums[i].pe | TAG_ENUM))
			return -ENOMEM;
	for (size_t i = 0; i < nsvc; i++)
		if (strmap__put(&db->types, ft->services[i], TAG_SERVICE))
			return -ENOMEM;
	return 0;
}

/* The type a ".pkg.Type" reference names: a message (want_enum false) or
 * an enum; NULL when there is none of that kind. */
static const void *resolve(const struct protodb *db, const char *ref, bool want_enum)
{
	uint64_t v;

	if (!ref || ref[0] != '.' || !strmap__get(&db->types, ref + 1, &v) || v == TAG_SERVICE)
		return NULL;
	if (want_enum != ((v & TAG_ENUM) != 0))
		return NULL;
	return (const void *)(uintptr_t)(v & ~(uint64_t)TAG_ENUM);
}

static int cmp_field(const void *a, const void *b)
{
	const struct pm_field *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* Count a dropped field, keeping the first reason. */
static int drop(struct protodb *db, struct protodb_file *pf, const char *msg, const FieldProto *f,
		const char *what)
{
	char buf[640];

	db->stats.dropped_fields++;
	if (pf->ndropped++)
		return 0;
	snprintf(buf, sizeof(buf), "field %s.%s: %s %s", msg, f->name, what, f->type_name);
	return (pf->dropped_why = arena__strdup(&db->arena, buf)) ? 0 : -ENOMEM;
}

static int build_field(struct protodb *db, struct protodb_file *pf, const struct pm_message *pm,
		       const FieldProto *f, struct pm_field *out, bool *kept)
{
	*kept = false;
	out->number = (uint32_t)f->number;
	out->name = f->name;
	out->kind = (enum pm_kind)f->type;
	out->repeated = f->label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED;
	out->oneof = f->has_oneof_index ? f->oneof_index : -1;
	if (f->json_name) {
		out->json_name = f->json_name;
	} else {
		char *j = arena__calloc(&db->arena, strlen(f->name) + 1, 1);

		if (!j)
			return -ENOMEM;
		protocheck__json_name(f->name, j);
		out->json_name = j;
	}
	if (out->kind == PM_ENUM) {
		if (!(out->enum_type = resolve(db, f->type_name, true)))
			return drop(db, pf, pm->full_name, f, "no enum");
	} else if (out->kind == PM_MESSAGE || out->kind == PM_GROUP) {
		if (!(out->message = resolve(db, f->type_name, false)))
			return drop(db, pf, pm->full_name, f, "no message");
		if (out->message->map_entry && !out->repeated)
			return drop(db, pf, pm->full_name, f, "a map entry in a field not repeated:");
	}
	*kept = true;
	return 0;
}

static int build_msg(struct protodb *db, struct protodb_file *pf, const struct msg_ref *r)
{
	const MsgProto *m = r->mp;
	struct pm_message *pm = r->pm;
	struct pm_field *fields = arena__calloc(&db->arena, m->n_field + 1, sizeof(*fields));
	const char **oneofs = arena__calloc(&db->arena, m->n_oneof_decl + 1, sizeof(*oneofs));
	size_t n = 0;

	if (!fields || !oneofs)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_field; i++) {
		bool kept;

		if (build_field(db, pf, pm, m->field[i], &fields[n], &kept))
			return -ENOMEM;
		if (kept)
			n++;
		else
			memset(&fields[n], 0, sizeof(fields[n]));
	}
	qsort(fields, n, sizeof(*fields), cmp_field);
	for (size_t i = 0; i < m->n_oneof_decl; i++)
		oneofs[i] = m->oneof_decl[i]->name;
	pm->fields = fields;
	pm->nfields = n;
	pm->oneof_names = oneofs;
	pm->noneofs = m->n_oneof_decl;
	return 0;
}

struct value_ix {
	int32_t number;
	size_t index;
	const char *name;
};

static int cmp_value(const void *a, const void *b)
{
	const struct value_ix *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index; /* the first alias first */
}

static int build_enum(struct protodb *db, const struct enum_ref *r)
{
	const EnumProto *e = r->ep;
	struct pm_enum_value *v = arena__calloc(&db->arena, e->n_value + 1, sizeof(*v));
	struct value_ix *ix = malloc((e->n_value + 1) * sizeof(*ix));

	if (!v || !ix) {
		free(ix);
		return -ENOMEM;
	}
	for (size_t i = 0; i < e->n_value; i++)
		ix[i] = (struct value_ix){e->value[i]->number, i, e->value[i]->name};
	qsort(ix, e->n_value, sizeof(*ix), cmp_value);
	for (size_t i = 0; i < e->n_value; i++)
		v[i] = (struct pm_enum_value){ix[i].number, ix[i].name};
	free(ix);
	r->pe->values = v;
	r->pe->nvalues = e->n_value;
	return 0;
}

static int build_services(struct protodb *db, struct protodb_file *pf, const FileProto *fd,
			  const struct file_types *ft)
{
	struct protodb_service *svcs = arena__calloc(&db->arena, fd->n_service + 1, sizeof(*svcs));

	if (!svcs)
		return -ENOMEM;
	for (size_t i = 0; i < fd->n_service; i++) {
		const Google__Protobuf__ServiceDescriptorProto *s = fd->service[i];
		struct protodb_method *ms = arena__calloc(&db->arena, s->n_method + 1, sizeof(*ms));

		if (!ms)
			return -ENOMEM;
		svcs[i].full_name = ft->services[i];
		svcs[i].methods = ms;
		svcs[i].nmethods = s->n_method;
		for (size_t k = 0; k < s->n_method; k++) {
			const Google__Protobuf__MethodDescriptorProto *md = s->method[k];
			struct pm_method *pm = arena__calloc(&db->arena, 1, sizeof(*pm));
			char *path;

			if (!pm || !(path = arena__calloc(&db->arena, strlen(ft->services[i]) +
									   strlen(md->name) + 3, 1)))
				return -ENOMEM;
			sprintf(path, "/%s/%s", ft->services[i], md->name);
			pm->path = path;
			pm->input = resolve(db, md->input_type, false);
			pm->output = resolve(db, md->output_type, false);
			pm->client_streaming = md->has_client_streaming && md->client_streaming;
			pm->server_streaming = md->has_server_streaming && md->server_streaming;
			db->stats.unresolved_methods += !pm->input || !pm->output;
			ms[k] = (struct protodb_method){md->name, md->input_type + 1,
							md->output_type + 1, pm};
			if (strmap__put(&db->methods, path, (uintptr_t)pm))
				return -ENOMEM;
		}
	}
	pf->services = svcs;
	pf->nservices = fd->n_service;
	return 0;
}

/* The field number of m holds kind k, repeated or not. */
static const struct pm_field *has(const struct pm_message *m, uint32_t num, enum pm_kind k,
				  bool repeated)
{
	const struct pm_field *f = pm_message__field(m, num);

	return f && f->kind == k && f->repeated == repeated ? f : NULL;
}

static bool named(const struct pm_message *m, const char *name)
{
	return m && strcmp(m->full_name, name) == 0;
}

static const struct {
	const char *name;
	enum pm_kind kind;
} wrappers[] = {
	{"DoubleValue", PM_DOUBLE}, {"FloatValue", PM_FLOAT},	{"Int64Value", PM_INT64},
	{"UInt64Value", PM_UINT64}, {"Int32Value", PM_INT32},	{"UInt32Value", PM_UINT32},
	{"BoolValue", PM_BOOL},	    {"StringValue", PM_STRING}, {"BytesValue", PM_BYTES},
};

static enum pm_wkt wkt_of(const struct pm_message *m)
{
	const struct pm_field *f;
	const char *n = m->full_name + 16;

	if (strncmp(m->full_name, "google.protobuf.", 16) != 0)
		return PM_WKT_NONE;
	if (!strcmp(n, "Any") && m->nfields == 2 && has(m, 1, PM_STRING, false) &&
	    has(m, 2, PM_BYTES, false))
		return PM_WKT_ANY;
	if ((!strcmp(n, "Timestamp") || !strcmp(n, "Duration")) && m->nfields == 2 &&
	    has(m, 1, PM_INT64, false) && has(m, 2, PM_INT32, false))
		return n[0] == 'T' ? PM_WKT_TIMESTAMP : PM_WKT_DURATION;
	if (!strcmp(n, "Struct") && m->nfields == 1 && (f = has(m, 1, PM_MESSAGE, true)) &&
	    f->message->map_entry && has(f->message, 1, PM_STRING, false) &&
	    (f = has(f->message, 2, PM_MESSAGE, false)) && named(f->message, "google.protobuf.Value"))
		return PM_WKT_STRUCT;
	if (!strcmp(n, "Value") && m->nfields == 6 && (f = has(m, 1, PM_ENUM, false)) &&
	    f->enum_type->null_value && has(m, 2, PM_DOUBLE, false) && has(m, 3, PM_STRING, false) &&
	    has(m, 4, PM_BOOL, false) && (f = has(m, 5, PM_MESSAGE, false)) &&
	    named(f->message, "google.protobuf.Struct") && (f = has(m, 6, PM_MESSAGE, false)) &&
	    named(f->message, "google.protobuf.ListValue"))
		return PM_WKT_VALUE;
	if (!strcmp(n, "ListValue") && m->nfields == 1 && (f = has(m, 1, PM_MESSAGE, true)) &&
	    named(f->message, "google.protobuf.Value"))
		return PM_WKT_LIST_VALUE;
	if (!strcmp(n, "FieldMask") && m->nfields == 1 && has(m, 1, PM_STRING, true))
		return PM_WKT_FIELD_MASK;
	if (!strcmp(n, "Empty") && m->nfields == 0)
		return PM_WKT_EMPTY;
	for (size_t i = 0; i < sizeof(wrappers) / sizeof(wrappers[0]); i++)
		if (!strcmp(n, wrappers[i].name) && m->nfields == 1 &&
		    has(m, 1, wrappers[i].kind, false))
			return PM_WKT_WRAPPER;
	return PM_WKT_NONE;
}

static int build_file(struct protodb *db, size_t i, const struct file_types *ft)
{
	struct protodb_file *pf = &db->files[i];
	const struct pm_message **msgs = arena__calloc(&db->arena, ft->nmsgs + 1, sizeof(*msgs));
	const struct pm_enum **enums = arena__calloc(&db->arena, ft->nenums + 1, sizeof(*enums));

	if (!msgs || !enums)
		return -ENOMEM;
	for (size_t k = 0; k < ft->nenums; k++) {
		if (build_enum(db, &ft->enums[k]))
			return -ENOMEM;
		enums[k] = ft->enums[k].pe;
	}
	for (size_t k = 0; k < ft->nmsgs; k++) {
		if (build_msg(db, pf, &ft->msgs[k]))
			return -ENOMEM;
		msgs[k] = ft->msgs[k].pm;
	}
	pf->messages = msgs;
	pf->nmessages = ft->nmsgs;
	pf->enums = enums;
	pf->nenums = ft->nenums;
	return build_services(db, pf, db->fds[i], ft);
}

int protobuild__run(struct protodb *db)
{
	struct file_types *fts = calloc(db->nfiles + 1, sizeof(*fts));
	size_t kept = 0;
	int ret = -ENOMEM;

	if (!fts)
		return -ENOMEM;
	/* 1. Names, file by file: a file is taken whole or refused whole. */
	for (size_t i = 0; i < db->nfiles; i++) {
		const FileProto *fd = db->fds[i];
		struct file_types ft = {0};
		const char *taken;
		char why[600];

		if (name_file(&db->arena, fd, &ft))
			goto out;
		if ((taken = taken_name(db, &ft, fd->n_service)) != NULL) {
			snprintf(why, sizeof(why), "defines %s, which an earlier file defined", taken);
			if (protodb__refuse(db, db->files[i].name, db->files[i].storage,
					    db->files[i].vaddr, why))
				goto out;
			protobuf_c_message_free_unpacked(&db->fds[i]->base, NULL);
			db->fds[i] = NULL;
			continue;
		}
		if (take_names(db, &ft, fd->n_service))
			goto out;
		db->files[kept] = db->files[i];
		db->fds[kept] = db->fds[i];
		if (kept != i)
			db->fds[i] = NULL; /* one owner per parsed file */
		fts[kept++] = ft;
	}
	db->nfiles = kept;
	/* 2. The model; 3. well-known types, once every field is resolved. */
	for (size_t i = 0; i < db->nfiles; i++)
		if (build_file(db, i, &fts[i]))
			goto out;
	for (size_t i = 0; i < db->nfiles; i++)
		for (size_t k = 0; k < fts[i].nmsgs; k++)
			fts[i].msgs[k].pm->wkt = wkt_of(fts[i].msgs[k].pm);
	ret = 0;
out:
	free(fts);
	return ret;
}
