/* tracer.h - attach to the target processes and print their calls. */
#ifndef TRACER_H
#define TRACER_H

#include "options.h"

/* Run a tracing session; returns the process exit status. */
int tracer__run(const struct options *o);

#endif
