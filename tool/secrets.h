/* secrets.h - credentials stay out of terminals, logs and tracing backends
 * unless asked for (--show-secrets). */
#ifndef SECRETS_H
#define SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a header field of this name holds a credential: authorization,
 * cookie, x-api-key and the like, and any name with "token", "secret",
 * "password" or "api-key" in it (any case). */
bool secrets__name(const char *name);

/* value, or "[redacted N bytes]" in buf when it is a credential's and
 * show is false. */
const char *secrets__shown(bool show, const char *name, const char *value, char *buf, size_t len);

#endif
