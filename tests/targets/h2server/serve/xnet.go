//go:build !noh2c
// +build !noh2c

package serve

import (
	"net/http"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

// h2cHandler wraps h for cleartext HTTP/2 (x/net's h2c; net/http alone
// only gained unencrypted HTTP/2 in Go 1.24, and we also build with 1.19).
func h2cHandler(h http.Handler) (http.Handler, error) {
	return h2c.NewHandler(h, &http2.Server{}), nil
}

// xnetConfigure makes srv serve HTTP/2 over TLS with x/net's server.
// Call it after srv.TLSConfig is set: it adds "h2" to NextProtos.
func xnetConfigure(srv *http.Server) error {
	return http2.ConfigureServer(srv, &http2.Server{})
}
