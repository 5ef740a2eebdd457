/* inspect.h - print what the reader found in a binary (--inspect). */
#ifndef INSPECT_H
#define INSPECT_H

#include "resolve.h"

#include <stdbool.h>
#include <stdio.h>

void inspect__print(FILE *f, const struct resolution *res, bool json);

#endif
