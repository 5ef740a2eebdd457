/* inspect_protos.c - the protos part of --inspect: the descriptor files
 * found in the binary, how each was stored, their services and methods
 * with request and response types, and the blobs refused with reasons.
 * Every name is the target's: escaped (termtext.h, json.h). */
#include "inspect.h"
#include "json.h"
#include "protodb.h"
#include "termtext.h"

#include <string.h>

static const char *storage_text(enum protodesc_storage s)
{
	switch (s) {
	case PROTODESC_RODATA:
		return "rodata string";
	case PROTODESC_DATA:
		return "data bytes";
	case PROTODESC_GZIP:
		return "gzip";
	}
	return "?";
}

/* A service's name within its package. */
static const char *short_name(const struct protodb_file *f, const char *full)
{
	size_t n = strlen(f->package);

	return n && strncmp(full, f->package, n) == 0 && full[n] == '.' ? full + n + 1 : full;
}

static void human_file(FILE *f, const struct protodb_file *pf)
{
	fprintf(f, "  ");
	term_write(f, pf->name);
	fprintf(f, "  package ");
	term_write(f, *pf->package ? pf->package : "(none)");
	fprintf(f, ", %s, %s at 0x%llx (%zu bytes), %zu messages, %zu enums\n", pf->syntax,
		storage_text(pf->storage), (unsigned long long)pf->vaddr, pf->size, pf->nmessages,
		pf->nenums);
	if (pf->ndropped) {
		fprintf(f, "    %zu field(s) dropped, first: ", pf->ndropped);
		term_write(f, pf->dropped_why);
		fprintf(f, "\n");
	}
	for (size_t s = 0; s < pf->nservices; s++) {
		const struct protodb_service *sv = &pf->services[s];

		fprintf(f, "    service ");
		term_write(f, sv->full_name);
		fprintf(f, "\n");
		for (size_t m = 0; m < sv->nmethods; m++) {
			const struct protodb_method *me = &sv->methods[m];

			fprintf(f, "      ");
			term_write(f, me->method->path);
			fprintf(f, "  %s", me->method->client_streaming ? "stream " : "");
			term_write(f, me->input_type);
			fprintf(f, "%s -> %s", me->method->input ? "" : " (not found)",
				me->method->server_streaming ? "stream " : "");
			term_write(f, me->output_type);
			fprintf(f, "%s\n", me->method->output ? "" : " (not found)");
		}
	}
}

void inspect__protos_human(FILE *f, struct gobin *gb)
{
	struct protodb *db;
	const char *why;
	const struct protodb_stats *st;

	if (protodb__load(gb, &db, &why) != 0) {
		fprintf(f, "\nPROTOS\n  not read: %s\n", why);
		return;
	}
	st = protodb__stats(db);
	fprintf(f, "\nPROTOS (%zu files; %zu refused; %zu identical duplicates)\n",
		protodb__nfiles(db), protodb__nrefused(db), st->identical_dups);
	for (size_t i = 0; i < protodb__nfiles(db); i++)
		human_file(f, protodb__file(db, i));
	for (size_t i = 0; i < protodb__nrefused(db); i++) {
		const struct protodb_refusal *r = protodb__refusal(db, i);

		fprintf(f, "  refused ");
		term_write(f, r->name ? r->name : "(no name)");
		fprintf(f, ", %s at 0x%llx: ", storage_text(r->storage),
			(unsigned long long)r->vaddr);
		term_write(f, r->why);
		fprintf(f, "\n");
	}
	protodb__free(db);
}

static void json_names(FILE *f, const char *key, size_t n, const char *(*name)(const void *, size_t),
		       const void *v)
{
	fprintf(f, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_str(f, name(v, i));
	}
	fprintf(f, "]");
}

static const char *message_name(const void *v, size_t i)
{
	return ((const struct protodb_file *)v)->messages[i]->full_name;
}

static const char *enum_name(const void *v, size_t i)
{
	return ((const struct protodb_file *)v)->enums[i]->full_name;
}

static void json_method(FILE *f, const struct protodb_method *me)
{
	fprintf(f, "{\"name\":");
	json_str(f, me->name);
	fprintf(f, ",\"path\":");
	json_str(f, me->method->path);
	fprintf(f, ",\"input\":");
	json_str(f, me->input_type);
	fprintf(f, ",\"output\":");
	json_str(f, me->output_type);
	fprintf(f, ",\"input_found\":%s,\"output_found\":%s,\"client_streaming\":%s,"
		   "\"server_streaming\":%s}",
		me->method->input ? "true" : "false", me->method->output ? "true" : "false",
		me->method->client_streaming ? "true" : "false",
		me->method->server_streaming ? "true" : "false");
}

static void json_file(FILE *f, const struct protodb_file *pf)
{
	fprintf(f, "{\"file\":");
	json_str(f, pf->name);
	fprintf(f, ",\"package\":");
	json_str(f, pf->package);
	fprintf(f, ",\"syntax\":");
	json_str(f, pf->syntax);
	fprintf(f, ",\"storage\":\"%s\",\"address\":\"0x%llx\",\"size\":%zu,\"services\":[",
		protodesc__storage_name(pf->storage), (unsigned long long)pf->vaddr, pf->size);
	for (size_t s = 0; s < pf->nservices; s++) {
		const struct protodb_service *sv = &pf->services[s];

		fprintf(f, "%s{\"name\":", s ? "," : "");
		json_str(f, short_name(pf, sv->full_name));
		fprintf(f, ",\"full_name\":");
		json_str(f, sv->full_name);
		fprintf(f, ",\"methods\":[");
		for (size_t m = 0; m < sv->nmethods; m++) {
			fprintf(f, "%s", m ? "," : "");
			json_method(f, &sv->methods[m]);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]");
	json_names(f, "messages", pf->nmessages, message_name, pf);
	json_names(f, "enums", pf->nenums, enum_name, pf);
	fprintf(f, ",\"dropped_fields\":%zu,\"dropped_why\":", pf->ndropped);
	if (pf->dropped_why)
		json_str(f, pf->dropped_why);
	else
		fprintf(f, "null");
	fprintf(f, "}");
}

/* ,"protos":{"files":[...],"refused":[...],"identical_duplicates":N,
 * "differing_duplicates":N}, or ,"protos":{"error":"..."}. */
void inspect__protos_json(FILE *f, struct gobin *gb)
{
	struct protodb *db;
	const char *why;
	const struct protodb_stats *st;

	if (protodb__load(gb, &db, &why) != 0) {
		fprintf(f, ",\"protos\":{\"error\":");
		json_str(f, why);
		fprintf(f, "}");
		return;
	}
	fprintf(f, ",\"protos\":{\"files\":[");
	for (size_t i = 0; i < protodb__nfiles(db); i++) {
		fprintf(f, "%s", i ? "," : "");
		json_file(f, protodb__file(db, i));
	}
	fprintf(f, "],\"refused\":[");
	for (size_t i = 0; i < protodb__nrefused(db); i++) {
		const struct protodb_refusal *r = protodb__refusal(db, i);

		fprintf(f, "%s{\"file\":", i ? "," : "");
		if (r->name)
			json_str(f, r->name);
		else
			fprintf(f, "null");
		fprintf(f, ",\"storage\":\"%s\",\"address\":\"0x%llx\",\"why\":",
			protodesc__storage_name(r->storage), (unsigned long long)r->vaddr);
		json_str(f, r->why);
		fprintf(f, "}");
	}
	st = protodb__stats(db);
	fprintf(f, "],\"identical_duplicates\":%zu,\"differing_duplicates\":%zu}",
		st->identical_dups, st->differing_dups);
	protodb__free(db);
}
