/* msgprint.h - how a call's captured messages are printed: base64 bytes
 * and the decoded message in JSON, one indented line in text. */
#ifndef MSGPRINT_H
#define MSGPRINT_H

#include "calls.h"
#include "msgdecode.h"

#include <stdbool.h>
#include <stdio.h>

/* The first message of a call one way: the first complete one, else the
 * one still being put together when the call ended; NULL if none. */
const struct captured_msg *msgprint__first(const struct call *c, bool request);

/**
 * msgprint__json() - the JSON members of one message: ",<key>payload_b64"
 * and, when @decode, ",<key>msg", ",<key>msg_type", ",<key>msg_truncated",
 * ",<key>msg_error". @key is "req_", "resp_" or "" (a -v event); @m may be
 * NULL (no message captured that way: every value null).
 */
void msgprint__json(FILE *out, const char *key, const struct msg_types *t, const struct call *c,
		    bool request, const struct captured_msg *m, bool decode);

/* Text: "           <label>: {decoded}" with " (truncated)", or the bytes
 * with the reason they are not decoded. Nothing when @m is NULL. */
void msgprint__text(FILE *out, const char *label, const struct msg_types *t, const struct call *c,
		    bool request, const struct captured_msg *m, bool decode);

#endif
