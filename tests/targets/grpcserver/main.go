// Command grpcserver is the gRPC server side of gogrpctrace's tests: the
// hand-written Echo service (raw codec) plus the standard health service.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"gogrpctrace/tests/targets/internal/echo"
	"gogrpctrace/tests/targets/internal/grpcserve"
	"gogrpctrace/tests/targets/internal/netaddr"
	"gogrpctrace/tests/targets/internal/protodump"
	"gogrpctrace/tests/targets/internal/selfcert"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
)

func main() {
	// GOGRPCTRACE_DUMP_PROTOS=1: print the registered protobuf files and exit (a test oracle).
	protodump.IfAsked()
	addr := flag.String("addr", "127.0.0.1:0", "listen address: host:port, or unix:/path, unix:@name (abstract)")
	mux := flag.Bool("mux", false, "wrap each accepted connection as a cmux-style multiplexer does (netaddr.MuxConn)")
	logConns := flag.Bool("log-conns", false, "print each accepted connection's addresses as a JSON line")
	useTLS := flag.Bool("tls", false, "serve TLS with an in-memory self-signed certificate")
	maxMsg := flag.Int("max-msg", 16<<20, "max message size in bytes, both directions")
	execOnUSR1 := flag.String("exec-on-usr1", "", "on SIGUSR1, exec this command (space-separated words): the PID stays, the program changes")
	flag.Parse()
	if *execOnUSR1 != "" {
		go execOnSignal(strings.Fields(*execOnUSR1))
	}

	opts := []grpc.ServerOption{grpc.MaxRecvMsgSize(*maxMsg), grpc.MaxSendMsgSize(*maxMsg)}
	if *useTLS {
		cert, err := selfcert.New()
		if err != nil {
			fatal("certificate: %v", err)
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	}
	s := grpc.NewServer(opts...)
	echo.Register(s, echoServer{})
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)

	lis, err := netaddr.Listen(*addr, *mux, *logConns)
	if err != nil {
		fatal("listen: %v", err)
	}
	grpcserve.RunListener("grpcserver", s, lis)
}

func execOnSignal(argv []string) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1)
	<-c
	err := syscall.Exec(argv[0], argv, os.Environ())
	fatal("exec %v: %v", argv, err)
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "grpcserver: "+format+"\n", args...)
	os.Exit(1)
}
