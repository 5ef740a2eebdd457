/* version.c - order Go and module version strings. A leaf of the reader:
 * a pure function, tested on its own (tests/unit/dwarf_pure.c). */
#include "gobin.h"

#include <stdlib.h>
#include <string.h>

/* Skip a "go" or "v" prefix, then compare dotted numbers; a pre-release
 * suffix ("rc1", "-dev") sorts before the release. */
int gobin__version_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : (b ? -1 : 0);
	if (strncmp(a, "go", 2) == 0)
		a += 2;
	if (strncmp(b, "go", 2) == 0)
		b += 2;
	if (*a == 'v')
		a++;
	if (*b == 'v')
		b++;
	for (int i = 0; i < 3; i++) {
		char *ea, *eb;
		long na = strtol(a, &ea, 10), nb = strtol(b, &eb, 10);

		if (na != nb)
			return na < nb ? -1 : 1;
		a = ea;
		b = eb;
		if (*a == '.' && *b == '.') {
			a++;
			b++;
			continue;
		}
		if (*a == '.')
			return 1;
		if (*b == '.')
			return -1;
		break;
	}
	/* "1.2" vs "1.2rc1": a release (no suffix) is newer. Two suffixes
	 * (pre-releases, or pseudo-versions "-20201021035429-f5854403a974")
	 * compare as text: a pseudo-version's timestamp orders it. */
	if (!*a != !*b)
		return *a ? -1 : 1;
	return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
}
