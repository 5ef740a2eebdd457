/* offsets_reload.c - offsets__load() on a table that fails to parse half
 * way: the call fails, a second call fails the same way rather than
 * reading on past a half-loaded table, lookups find nothing, and a good
 * table after that loads whole; a machine with no table is refused. tool/offsets.c is compiled in here and
 * handed the table through embedded_file(), which the build otherwise
 * takes from tool/offsets_amd64.tbl.
 *
 * Prints "ok", exit 0; else what went wrong, exit 1.
 */
#include "../../tool/offsets.c"

static const char *table;

const char *embedded_file(const char *name)
{
	return strcmp(name, "offsets_amd64.tbl") == 0 ? table : NULL;
}

/* A build line and a row before the bad line: the parse gets that far. */
static const char bad_table[] =
	"build go1.26.8 v1.85.0 v0.62.0 module test\n"
	"member go1.26 go1.26 go - - crypto/tls.Conn:conn 0 16\n"
	"member this line is cut\n";

static const char good_table[] =
	"build go1.26.8 v1.85.0 v0.62.0 module test\n"
	"member go1.26 go1.26 go - - crypto/tls.Conn:conn 0 16\n";

/* What a lookup of the row both tables hold answers. */
static int lookup_row(uint64_t *off)
{
	struct offsets_versions v = {.table = table_of("amd64"), .go_minor = "go1.26"};
	const char *origin, *why;
	uint64_t size;

	return offsets__member(&v, "crypto/tls.Conn:conn", off, &size, &origin, &why);
}

int main(void)
{
	char err1[256] = "", err2[256] = "";
	uint64_t off = 99;
	int bad = 0, r1, r2;

	table = bad_table;
	r1 = offsets__load("amd64", err1, sizeof(err1));
	r2 = offsets__load("amd64", err2, sizeof(err2));
	if (r1 != -EINVAL || r2 != -EINVAL || strcmp(err1, err2) != 0 || !strstr(err1, "line 3")) {
		printf("bad table: calls returned %d (%s) and %d (%s), want -EINVAL twice naming line 3\n",
		       r1, err1, r2, err2);
		bad = 1;
	}
	if (offsets__nbuilds("amd64") != 0 || lookup_row(&off) == 0) {
		printf("after a failed load: %d builds, lookup found offset %llu; want none\n",
		       offsets__nbuilds("amd64"), (unsigned long long)off);
		bad = 1;
	}
	table = good_table;
	if (offsets__load("amd64", err1, sizeof(err1)) != 0 || offsets__nbuilds("amd64") != 1 ||
	    lookup_row(&off) != 0 || off != 0) {
		printf("good table after a bad one: %s, %d builds\n", err1, offsets__nbuilds("amd64"));
		bad = 1;
	}
	/* A machine whose table is not built in: refused, naming it. */
	if (offsets__load("arm64", err1, sizeof(err1)) != -ENOENT || !strstr(err1, "for arm64")) {
		printf("a machine without a table: %s\n", err1);
		bad = 1;
	}
	if (!bad)
		printf("ok\n");
	return bad;
}
