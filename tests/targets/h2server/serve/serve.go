// Package serve is h2server: its flags, routes and the HTTP stacks it
// serves them with. h2server and h2server-grpc are both this package's
// Main; only h2server-grpc links grpc-go and passes a gRPC handler.
package serve

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"gogrpctrace/tests/targets/internal/netaddr"
	"gogrpctrace/tests/targets/internal/selfcert"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
)

// GRPCOr wraps h so that gRPC requests go to a grpc.Server instead.
type GRPCOr func(h http.Handler) http.Handler

// Main parses the flags, serves until SIGTERM or SIGINT, and exits.
// prog names the program in messages; grpcOr is nil in a build without
// grpc-go, and then -grpc is refused.
func Main(prog string, grpcOr GRPCOr) {
	addr := flag.String("addr", "127.0.0.1:0", "listen address: host:port, or unix:/path, unix:@name (abstract)")
	mux := flag.Bool("mux", false, "wrap each accepted connection as a cmux-style multiplexer does (netaddr.MuxConn), under TLS if any")
	logConns := flag.Bool("log-conns", false, "print each accepted connection's addresses as a JSON line")
	useTLS := flag.Bool("tls", false, "serve TLS (in-memory self-signed certificate); HTTP/2 via ALPN from net/http's bundled copy")
	useH2C := flag.Bool("h2c", false, "serve cleartext HTTP/2 (x/net's h2c, prior knowledge or upgrade)")
	xnetTLS := flag.Bool("xnet-tls", false, "serve TLS with HTTP/2 from golang.org/x/net/http2 instead of net/http's copy")
	withGRPC := flag.Bool("grpc", false, "also serve gogrpctrace.test.Echo through grpc-go's ServeHTTP (h2server-grpc only; needs HTTP/2)")
	flag.Parse()
	fatal := func(format string, args ...interface{}) {
		fmt.Fprintf(os.Stderr, prog+": "+format+"\n", args...)
		os.Exit(1)
	}
	modes := 0
	for _, on := range []bool{*useTLS, *useH2C, *xnetTLS} {
		if on {
			modes++
		}
	}
	switch {
	case modes > 1:
		fatal("-tls, -h2c and -xnet-tls are exclusive")
	case *withGRPC && grpcOr == nil:
		fatal("-grpc: this build links no grpc-go; run h2server-grpc")
	case *withGRPC && modes == 0:
		fatal("-grpc needs HTTP/2: add -tls, -xnet-tls or -h2c")
	}

	var handler http.Handler = stackHeader(routes())
	if *withGRPC {
		handler = grpcOr(handler)
	}
	if *useH2C {
		h, err := h2cHandler(handler)
		if err != nil {
			fatal("%v", err)
		}
		handler = h
	}
	srv := &http.Server{Handler: handler}
	if *useTLS || *xnetTLS {
		cert, err := selfcert.New()
		if err != nil {
			fatal("certificate: %v", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	if *xnetTLS {
		// Sets TLSNextProto["h2"], so ServeTLS leaves net/http's bundled
		// HTTP/2 out.
		if err := xnetConfigure(srv); err != nil {
			fatal("%v", err)
		}
	}
	lis, err := netaddr.Listen(*addr, *mux, *logConns)
	if err != nil {
		fatal("listen: %v", err)
	}
	fmt.Printf("listening %s\n", netaddr.Text(lis.Addr()))

	served := make(chan error, 1)
	if srv.TLSConfig != nil {
		// Without -xnet-tls, ServeTLS adds "h2": net/http's bundled HTTP/2.
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
