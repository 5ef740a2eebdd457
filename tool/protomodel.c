/* protomodel.c - lookups on the resolved message types of protomodel.h. */
#include "protomodel.h"

const struct pm_field *pm_message__field(const struct pm_message *m, uint32_t number)
{
	size_t lo = 0, hi = m->nfields;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->fields[mid].number == number)
			return &m->fields[mid];
		if (m->fields[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
