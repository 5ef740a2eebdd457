/* connwrap.c - find the binary's net.Conn wrappers (connwrap.h). */
#include "connwrap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 128

/* Wrappers the templates know by name: not worth a slot. */
static bool known_wrapper(const char *type)
{
	return strcmp(type, "crypto/tls.Conn") == 0 ||
	       strncmp(type, "golang.org/x/net/http2/h2c.", 27) == 0;
}

static void note(struct conn_wraps *cw, const char *fmt, ...)
{
	va_list ap;

	if (cw->nnotes == MAX_WRAP_NOTES) {
		cw->nnotes_lost++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(cw->notes[cw->nnotes++], sizeof(cw->notes[0]), fmt, ap);
	va_end(ap);
}

/* "*cmux.MuxConn" of package "github.com/soheilhy/cmux" -> its DWARF name
 * "github.com/soheilhy/cmux.MuxConn"; false for other shapes (not a
 * pointer, generic, no package path). */
static bool dwarf_name(const struct gobin_itab *it, char *out, size_t len)
{
	const char *dot;

	if (!it->concrete || it->concrete[0] != '*' || !it->concrete_pkg || !*it->concrete_pkg ||
	    strchr(it->concrete, '[') || strchr(it->concrete + 1, '*'))
		return false;
	dot = strrchr(it->concrete, '.');
	if (!dot || !dot[1])
		return false;
	return (size_t)snprintf(out, len, "%s.%s", it->concrete_pkg, dot + 1) < len;
}

void conn_wraps__find(struct conn_wraps *cw, struct gobin *gb)
{
	const struct gobin_itab *itabs;
	size_t nitabs;
	static char names[MAX_CANDIDATES][160];
	const char *types[MAX_CANDIDATES];
	uint64_t addrs[MAX_CANDIDATES];
	struct gobin_iface_member members[2 * MAX_CANDIDATES];
	int ntypes = 0, nmembers = 0, dropped = 0, count[MAX_CANDIDATES] = {0};
	const char *why;

	memset(cw, 0, sizeof(*cw));
	if (!gobin__has_dwarf(gb)) {
		cw->why = "the binary has no DWARF (member offsets of wrappers unknown)";
		return;
	}
	if (gobin__itabs(gb, &itabs, &nitabs, &why) != 0) {
		cw->why = why;
		return;
	}
	for (size_t i = 0; i < nitabs; i++) {
		const struct gobin_itab *it = &itabs[i];
		char name[sizeof(names[0])];
		bool twice = false;

		if (!it->iface || strcmp(it->iface, "net.Conn") != 0 || !it->iface_pkg ||
		    strcmp(it->iface_pkg, "net") != 0 || !dwarf_name(it, name, sizeof(name)))
			continue;
		if (strcmp(it->concrete_pkg, "net") == 0 || known_wrapper(name))
			continue; /* net's own connections, and the ones unwrapped by name */
		/* Two types of one name (local types of two functions): which
		 * DWARF entry is whose cannot be told. Neither is used. */
		for (int t = 0; t < ntypes; t++) {
			if (strcmp(types[t], name) == 0) {
				twice = true;
				if (addrs[t]) {
					note(cw, "%s: several types of that name", name);
					addrs[t] = 0;
				}
			}
		}
		if (twice)
			continue;
		if (ntypes == MAX_CANDIDATES) {
			note(cw, "%s: more than %d net.Conn itabs, not looked at", name, MAX_CANDIDATES);
			break;
		}
		memcpy(names[ntypes], name, sizeof(name));
		types[ntypes] = names[ntypes];
		addrs[ntypes] = it->addr;
		ntypes++;
	}
	if (gobin__iface_members(gb, types, ntypes, "net.Conn", members,
				 (int)(sizeof(members) / sizeof(members[0])), &nmembers, &dropped,
				 &why) != 0) {
		cw->why = why;
		return;
	}
	for (int m = 0; m < nmembers; m++)
		count[members[m].type]++;
	for (int m = 0; m < nmembers; m++) {
		int t = members[m].type;
		struct conn_wrap *w;

		if (!addrs[t])
			continue; /* refused above */
		if (count[t] != 1) {
			if (count[t] > 1) {
				note(cw, "%s: %d members of type net.Conn, which one is the connection "
					 "cannot be told", types[t], count[t]);
				count[t] = 0; /* noted once */
			}
			continue;
		}
		if (cw->n == MAX_CONN_WRAPS) {
			note(cw, "%s: dropped, more than %d wrappers", types[t], MAX_CONN_WRAPS);
			continue;
		}
		w = &cw->w[cw->n++];
		w->itab = addrs[t];
		w->offset = members[m].offset;
		snprintf(w->type, sizeof(w->type), "%s", types[t]);
	}
	if (dropped)
		note(cw, "%d more net.Conn members not looked at", dropped);
}
