/* lockdown.c - read /sys/kernel/security/lockdown ("none [integrity]
 * confidentiality": the bracketed word is the mode in force). */
#include "lockdown.h"

#include <stdio.h>
#include <string.h>

const char *lockdown__mode(void)
{
	static const char *const modes[] = {"none", "integrity", "confidentiality"};
	char buf[128];
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	char *open, *close;

	if (!f)
		return "unknown";
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return "unknown";
	}
	fclose(f);
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close)
		return "unknown";
	*close = '\0';
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(open + 1, modes[i]) == 0)
			return modes[i];
	return "unknown";
}
