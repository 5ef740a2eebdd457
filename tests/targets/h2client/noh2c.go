//go:build noh2c
// +build noh2c

package main

import (
	"errors"
	"net/http"
)

// Built with -tags noh2c where golang.org/x/net/http2 is unavailable.
func h2cTransport() (http.RoundTripper, error) {
	return nil, errors.New("-h2c: not compiled in (built with -tags noh2c)")
}

func xnetTransport() (http.RoundTripper, error) {
	return nil, errors.New("-xnet-tls: not compiled in (built with -tags noh2c)")
}
