/* main.c - gogrpctrace: trace the gRPC calls of a running Go program.
 *
 * parse options -> open the binary -> resolve probes -> (--inspect | --ebpf
 * | trace). Tracing itself lives in tracer.c. */
#include "../dwarf/gobin.h"
#include "inspect.h"
#include "options.h"
#include "render.h"
#include "resolve.h"
#include "target.h"
#include "tracer.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int open_target(const struct options *o, struct gobin **gb)
{
	char path[PATH_MAX], err[GOBIN_ERRLEN];

	/* A path cut short would name another file, or none: refuse it. */
	if (o->binary && strlen(o->binary) >= sizeof(path)) {
		fprintf(stderr, "gogrpctrace: path too long (%zu bytes, at most %zu): %s\n",
			strlen(o->binary), sizeof(path) - 1, o->binary);
		return -1;
	}
	if (o->binary) {
		snprintf(path, sizeof(path), "%s", o->binary);
	} else if (target__exe_path(o->pids[0], path, sizeof(path), err, sizeof(err)) != 0) {
		fprintf(stderr, "gogrpctrace: %s\n", err);
		return -1;
	}
	if (gobin__open(path, &o->open, gb, err, sizeof(err))) {
		fprintf(stderr, "gogrpctrace: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct resolution res;
	struct options o;
	struct gobin *gb = NULL;
	char err[GOBIN_ERRLEN];
	int ret = 1;

	options__parse(&o, argc, argv);
	if (!o.inspect && !o.ebpf)
		return tracer__run(&o);
	if (open_target(&o, &gb))
		return 1;
	if (resolution__run(&res, gb, err, sizeof(err)) != 0) {
		fprintf(stderr, "gogrpctrace: %s\n", err);
		goto out;
	}
	if (!resolution__has_any(&res)) {
		fprintf(stderr, "gogrpctrace: %s: nothing to trace in this Go program (no grpc-go, "
				"and no HTTP/2 of net/http or golang.org/x/net)\n",
			gobin__path(gb));
		goto out;
	}
	if (o.inspect) {
		inspect__print(stdout, &res, o.json);
		ret = 0;
	} else {
		struct render_opts ro = {.payload = o.payload,
					 .scratch_cpus = o.payload ? render__possible_cpus() : 0};
		char *text = render__program(&res, &ro, err, sizeof(err));

		if (!text) {
			fprintf(stderr, "gogrpctrace: %s\n", err);
			goto out;
		}
		fputs(text, stdout);
		free(text);
		ret = 0;
	}
out:
	gobin__close(gb);
	return ret;
}
