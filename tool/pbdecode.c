/* pbdecode.c - decode a message's protobuf bytes (see pbdecode.h): what
 * both output forms share, around pbjson.c and pbtext.c. */
#include "pbdecode.h"

#include "pbwire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef int (*writer)(struct pbw *w, const struct pm_message *type, const struct pbw_ent *src,
		      size_t nsrc);

static int decode(writer write, FILE *out, const struct pm_message *type, const void *buf,
		  size_t len, bool cut, const struct pm_lookup *types, struct pbdecode_result *res)
{
	/* The index of the open levels: each occurrence takes at least two
	 * bytes that no other open occurrence takes (tag and length, or the
	 * two group tags), a cut group one: len/2 plus one a level. Small
	 * messages, the usual case, need no allocation. */
	struct pbw_ent small[128];
	size_t cap = len / 2 + PBW_MAX_DEPTH + 2;
	struct pbw w = {
		.out = out,
		.buf = buf,
		.len = (uint32_t)len,
		.types = types,
		.ents = small,
		.cap = sizeof(small) / sizeof(small[0]),
		.err = res->errbuf,
		.errsz = sizeof(res->errbuf),
	};
	/* The top message: as long as the bytes, or without an end when cut. */
	struct pbw_ent top = {
		.off = 0, .len = cut ? UINT32_MAX : (uint32_t)len, .wt = PBW_LEN, .cut = cut};
	int rc;

	res->truncated = false;
	res->error = NULL;
	res->errbuf[0] = '\0';
	if (len > PBW_MAX_LEN) {
		snprintf(res->errbuf, sizeof(res->errbuf), "longer than %u bytes", PBW_MAX_LEN);
		res->error = res->errbuf;
		return -EFBIG;
	}
	if (cap > w.cap) {
		w.ents = malloc(cap * sizeof(*w.ents));
		if (!w.ents) {
			snprintf(res->errbuf, sizeof(res->errbuf), "no memory to index its fields");
			res->error = res->errbuf;
			return -ENOMEM;
		}
		w.cap = cap;
	}
	rc = write(&w, type, &top, 1);
	if (w.ents != small)
		free(w.ents);
	if (rc < 0) {
		if (!res->errbuf[0])
			snprintf(res->errbuf, sizeof(res->errbuf), "%s", strerror(-rc));
		res->error = res->errbuf;
		return rc;
	}
	res->truncated = cut;
	return 0;
}

int pbdecode__json(FILE *out, const struct pm_message *type, const void *buf, size_t len, bool cut,
		   const struct pm_lookup *types, struct pbdecode_result *res)
{
	return decode(pbjson__message, out, type, buf, len, cut, types, res);
}

int pbdecode__text(FILE *out, const struct pm_message *type, const void *buf, size_t len, bool cut,
		   const struct pm_lookup *types, struct pbdecode_result *res)
{
	return decode(pbtext__message, out, type, buf, len, cut, types, res);
}
