/* inspect.h - print what the reader found in a binary (--inspect). */
#ifndef INSPECT_H
#define INSPECT_H

#include "resolve.h"

#include <stdbool.h>
#include <stdio.h>

void inspect__print(FILE *f, const struct resolution *res, bool json);
/* The net.Conn wrappers found, and those not used with the reason, one
 * line each after indent; names escaped for the terminal. */
void inspect__wraps_human(FILE *f, const struct conn_wraps *cw, const char *indent);
/* The protobuf descriptors part (inspect_protos.c): a PROTOS table, or
 * the ,"protos":{...} member of the JSON object. */
void inspect__protos_human(FILE *f, struct gobin *gb);
void inspect__protos_json(FILE *f, struct gobin *gb);

#endif
