/* probe_table.c - the probe table and the rules hold together: every row
 * is complete and named by exactly one rule, every id a rule names is a
 * row. Prints "ok"; with "ids", prints the table's ids one per line for
 * the runner, which checks each has its probe_<id> in the templates
 * (tests/runner/render.go). */
#include "../../tool/probes.h"
#include "check.h"

#include <stdio.h>
#include <string.h>

/* How many rules name id (each name counted once per listing). */
static int rules_naming(const char *id)
{
	int n = 0;

	for (int r = 0; r < nrules; r++)
		for (int p = 0; p < MAX_RULE_PROBES && rules[r].probes[p]; p++)
			n += strcmp(rules[r].probes[p], id) == 0;
	return n;
}

static void check_row(const struct probe_spec *ps, int i)
{
	const char *id = ps->id;

	CHECK(id && *id, "row %d: no id", i);
	if (!id || !*id)
		return;
	for (int k = 0; k < i; k++)
		CHECK(strcmp(probe_specs[k].id, id) != 0, "%s: two rows", id);
	CHECK(strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(id),
	      "%s: not a C name suffix (probe_<id>)", id);
	CHECK(ps->what && *ps->what, "%s: no words for people", id);
	CHECK(ps->stack && *ps->stack, "%s: no stack", id);
	CHECK(ps->role != 0, "%s: no role", id);
	CHECK(ps->funcs[0], "%s: no function", id);
	CHECK(ps->side == SIDE_SERVER || ps->side == SIDE_CLIENT || ps->side == SIDE_BOTH,
	      "%s: side %d", id, ps->side);
	/* The side's name is printed before the words: not in them too. */
	CHECK(strncmp(ps->what, "server", 6) && strncmp(ps->what, "client", 6) &&
		      strncmp(ps->what, "both", 4),
	      "%s: the side is in its words", id);
	/* Ids name the side for people; a row copied from its sibling
	 * without changing the field shows here. */
	if (strstr(id, "srv_"))
		CHECK(ps->side == SIDE_SERVER, "%s: side is not the server's", id);
	else if (strstr(id, "cli_"))
		CHECK(ps->side == SIDE_CLIENT, "%s: side is not the client's", id);
	else
		CHECK(ps->side == SIDE_BOTH, "%s: side is not both", id);
	/* Calls open on one side: a probe on code both sides run cannot say which. */
	CHECK(!ps->opens_calls || ps->side != SIDE_BOTH, "%s: opens calls of both sides", id);
	CHECK(rules_naming(id) == 1, "%s: named by %d rules, not one", id, rules_naming(id));
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "ids") == 0) {
		for (int i = 0; i < nprobe_specs; i++)
			printf("%s\n", probe_specs[i].id);
		return 0;
	}
	CHECK(nprobe_specs > 0 && nprobe_specs <= MAX_PROBES, "%d rows", nprobe_specs);
	for (int i = 0; i < nprobe_specs; i++)
		check_row(&probe_specs[i], i);
	for (int r = 0; r < nrules; r++) {
		CHECK(rules[r].name && rules[r].probes[0], "rule %d: no name or no probes", r);
		for (int p = 0; p < MAX_RULE_PROBES && rules[r].probes[p]; p++)
			CHECK(probe_spec__find(rules[r].probes[p]), "rule %s names %s: no such row",
			      rules[r].name, rules[r].probes[p]);
	}
	if (failures)
		return 1;
	printf("ok\n");
	return 0;
}
