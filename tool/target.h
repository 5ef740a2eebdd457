/* target.h - turn -p PID or a path into the executable to read. */
#ifndef TARGET_H
#define TARGET_H

#include <stddef.h>
#include <sys/types.h>

/* The path of PID's executable as this process can open it: through
 * /proc/PID/root so a target in another mount namespace (a container)
 * resolves to its own file. Returns 0, or -errno with a reason in err. */
int target__exe_path(pid_t pid, char *path, size_t len, char *err, size_t errlen);

#endif
