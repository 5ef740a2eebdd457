/* httppost.c - a blocking HTTP/1.1 POST, a connection per request. */
#include "httppost.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int httppost__parse_url(const char *url, const char *default_path, struct http_url *u, char *err,
			size_t errlen)
{
	const char *host, *end, *slash, *port;
	size_t hlen;

	if (strncmp(url, "https://", 8) == 0) {
		snprintf(err, errlen, "%s: https is not supported: give the receiver's http:// "
				      "address (a Collector on this host or network)", url);
		return -1;
	}
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "%s: give an http:// URL, e.g. http://127.0.0.1:4318", url);
		return -1;
	}
	host = url + 7;
	slash = strchr(host, '/');
	end = slash ? slash : host + strlen(host);
	snprintf(u->port, sizeof(u->port), "80");
	if (*host == '[') { /* [v6]:port */
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (!close) {
			snprintf(err, errlen, "%s: an IPv6 address without its ']'", url);
			return -1;
		}
		hlen = (size_t)(close - host - 1);
		host++;
		port = close + 1 < end ? close + 1 : NULL;
		if (port && *port != ':')
			port = end; /* "[::1]x": no port, and junk: refused below */
	} else {
		port = memchr(host, ':', (size_t)(end - host));
		hlen = (size_t)((port ? port : end) - host);
	}
	if (port) {
		size_t n = port < end ? (size_t)(end - port - 1) : 0;

		if (port == end || n >= sizeof(u->port))
			n = 0; /* refused below as no port */
		snprintf(u->port, sizeof(u->port), "%.*s", (int)n, port + 1);
	}
	if (!hlen || hlen >= sizeof(u->host) || !*u->port ||
	    strspn(u->port, "0123456789") != strlen(u->port)) {
		snprintf(err, errlen, "%s: no host, or a port that is not a number", url);
		return -1;
	}
	snprintf(u->host, sizeof(u->host), "%.*s", (int)hlen, host);
	snprintf(u->path, sizeof(u->path), "%s", slash && slash[1] ? slash : default_path);
	if (strpbrk(u->path, " \r\n")) {
		snprintf(err, errlen, "%s: a path with spaces or line breaks", url);
		return -1;
	}
	return 0;
}

/* Connect within timeout_ms: the socket, or -1 with a reason. */
static int dial(const struct http_url *u, int timeout_ms, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
	int fd = -1, e = ECONNREFUSED;

	int g = getaddrinfo(u->host, u->port, &hints, &res);

	if (g) {
		snprintf(err, errlen, "%s: %s", u->host, gai_strerror(g));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		struct pollfd p;
		socklen_t elen = sizeof(e);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		p = (struct pollfd){.fd = fd, .events = POLLOUT};
		if (e == EINPROGRESS && poll(&p, 1, timeout_ms) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e == 0)
			break;
		if (e == EINPROGRESS)
			e = ETIMEDOUT;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "%s:%s: %s", u->host, u->port, strerror(e));
		return -1;
	}
	/* Blocking from here, each send and receive bounded. */
	{
		struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};

		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = send(fd, c, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int httppost__send(const struct http_url *u, const char *content_type, const void *body,
		   size_t len, int timeout_ms, char *err, size_t errlen)
{
	char head[1024], resp[512];
	int fd = dial(u, timeout_ms, err, errlen), status = -1, n;
	ssize_t got;

	if (fd < 0)
		return -1;
	n = snprintf(head, sizeof(head),
		     "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\nUser-Agent: gogrpctrace\r\n\r\n",
		     u->path, u->host, u->port, content_type, len);
	if (send_all(fd, head, (size_t)n) || send_all(fd, body, len)) {
		snprintf(err, errlen, "%s:%s: sending: %s", u->host, u->port,
			 errno == EAGAIN ? "timed out" : strerror(errno));
		close(fd);
		return -1;
	}
	/* The status line is all we need: "HTTP/1.1 200 OK". */
	got = recv(fd, resp, sizeof(resp) - 1, 0);
	if (got > 0) {
		resp[got] = '\0';
		if (sscanf(resp, "HTTP/1.%*c %d", &status) != 1 || status < 100 || status > 999)
			status = -1;
	}
	if (status < 0)
		snprintf(err, errlen, "%s:%s: %s", u->host, u->port,
			 got < 0 ? (errno == EAGAIN ? "no response in time" : strerror(errno))
				 : "a response that is not HTTP");
	close(fd);
	return status;
}
