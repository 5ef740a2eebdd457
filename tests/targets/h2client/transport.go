package main

import (
	"crypto/tls"
	"net/http"
)

// tlsTransport is net/http's transport over TLS. With h2 it negotiates
// HTTP/2 through ALPN (net/http's bundled copy; ForceAttemptHTTP2 is
// needed because TLSClientConfig is set); without, it offers only
// http/1.1 and speaks HTTP/1.1 over TLS.
func tlsTransport(h2 bool) http.RoundTripper {
	t := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: h2,
	}
	if !h2 {
		// A non-nil empty map turns HTTP/2 off in every Go release.
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return t
}
