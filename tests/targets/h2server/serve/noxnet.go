//go:build noh2c
// +build noh2c

package serve

import (
	"errors"
	"net/http"
)

// Built with -tags noh2c where golang.org/x/net/http2/h2c is unavailable.
func h2cHandler(http.Handler) (http.Handler, error) {
	return nil, errors.New("-h2c: not compiled in (built with -tags noh2c)")
}

func xnetConfigure(*http.Server) error {
	return errors.New("-xnet-tls: not compiled in (built with -tags noh2c)")
}
