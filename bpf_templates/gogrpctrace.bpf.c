/* gogrpctrace.bpf.c - the program's templates, in the order they are put
 * together after the numbers rendered for one binary. This list is the
 * only one: tool/render.c and the tests read it. */
#include "grpc.bpf.c"
#include "h2.bpf.c"
#include "http1.bpf.c"
