//go:build !noh2c
// +build !noh2c

package main

import (
	"crypto/tls"
	"net"
	"net/http"

	"golang.org/x/net/http2"
)

// h2cTransport speaks HTTP/2 with prior knowledge over plain TCP: x/net's
// transport with AllowHTTP and a dialer that skips TLS.
func h2cTransport() (http.RoundTripper, error) {
	return &http2.Transport{
		AllowHTTP: true,
		DialTLS: func(network, addr string, _ *tls.Config) (net.Conn, error) {
			return net.Dial(network, addr)
		},
	}, nil
}

// xnetTransport is x/net's own HTTP/2 transport over TLS, not the copy
// bundled into net/http.
func xnetTransport() (http.RoundTripper, error) {
	return &http2.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, nil
}
