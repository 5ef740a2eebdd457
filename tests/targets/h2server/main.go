// Command h2server is a plain net/http server for gogrpctrace's tests:
// HTTP/2 that is not gRPC, over TLS (ALPN "h2") or cleartext h2c, so the
// tracer can be checked against non-gRPC HTTP/2 traffic.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"gogrpctrace/tests/targets/internal/selfcert"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	useTLS := flag.Bool("tls", false, "serve HTTP/2 over TLS (in-memory self-signed certificate)")
	useH2C := flag.Bool("h2c", false, "serve cleartext HTTP/2 (h2c, prior knowledge or upgrade)")
	flag.Parse()
	if *useTLS && *useH2C {
		fatal("-tls and -h2c are exclusive")
	}

	var handler http.Handler = routes()
	if *useH2C {
		h, err := h2cHandler(handler)
		if err != nil {
			fatal("%v", err)
		}
		handler = h
	}
	srv := &http.Server{Handler: handler}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fatal("listen: %v", err)
	}
	fmt.Printf("listening %s\n", lis.Addr().String())

	served := make(chan error, 1)
	if *useTLS {
		cert, err := selfcert.New()
		if err != nil {
			fatal("certificate: %v", err)
		}
		// ServeTLS adds "h2" to NextProtos: net/http's bundled HTTP/2.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		go func() { served <- srv.ServeTLS(lis, "", "") }()
	} else {
		go func() { served <- srv.Serve(lis) }()
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sigs:
		srv.Close()
		os.Exit(0)
	case err := <-served:
		fatal("serve: %v", err)
	}
}

// routes: /hello, /status/NNN, /bytes/N.
func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hello"))
	})
	mux.HandleFunc("/status/", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
		if err != nil || code < 100 || code > 999 {
			http.Error(w, "bad status", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	mux.HandleFunc("/bytes/", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/bytes/"))
		if err != nil || n < 0 || n > 64<<20 {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = byte('a' + i%26)
		}
		w.Write(buf)
	})
	return mux
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "h2server: "+format+"\n", args...)
	os.Exit(1)
}
