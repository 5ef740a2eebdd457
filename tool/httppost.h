/* httppost.h - one HTTP/1.1 POST to a plain-http URL, with timeouts: all
 * an OTLP/HTTP exporter needs, without a library. */
#ifndef HTTPPOST_H
#define HTTPPOST_H

#include <stddef.h>

struct http_url {
	char host[256];
	char port[8];
	char path[512];
};

/* "http://host[:port][/path]" ("[v6]" hosts too); default_path when the
 * URL has none. 0, or -1 with a reason in err (https among them: no TLS
 * here). */
int httppost__parse_url(const char *url, const char *default_path, struct http_url *u, char *err,
			size_t errlen);

/* POST body; the response's status code (200, 503, ...), or -1 with a
 * reason in err (no connection, a timeout, a response that is not HTTP).
 * timeout_ms bounds the connect, and each send and receive. */
int httppost__send(const struct http_url *u, const char *content_type, const void *body,
		   size_t len, int timeout_ms, char *err, size_t errlen);

#endif
