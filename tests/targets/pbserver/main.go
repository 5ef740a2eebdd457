// Command pbserver serves the protobuf Kitchen service (tests/targets/
// protos/kitchen.proto, through the generated code of the generation it is
// built with: internal/kitchen), grpc-go's health service and grpc-go's
// reflection service. Flags -addr and -tls as grpcserver's; it prints
// "listening <host:port>" once it listens, and exits 0 on SIGTERM/SIGINT.
// With GOGRPCTRACE_DUMP_PROTOS=1 it prints its protobuf file descriptors
// instead (internal/protodump).
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/encoding/gzip" // answer gzip-compressed calls in kind
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"gogrpctrace/tests/targets/internal/grpcserve"
	"gogrpctrace/tests/targets/internal/kitchen"
	"gogrpctrace/tests/targets/internal/protodump"
	"gogrpctrace/tests/targets/internal/selfcert"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
)

func main() {
	// GOGRPCTRACE_DUMP_PROTOS=1: print the registered protobuf files and exit (a test oracle).
	protodump.IfAsked()
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	useTLS := flag.Bool("tls", false, "serve TLS with an in-memory self-signed certificate")
	flag.Parse()

	var opts []grpc.ServerOption
	if *useTLS {
		cert, err := selfcert.New()
		if err != nil {
			fatal("certificate: %v", err)
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{cert}})))
	}
	s := grpc.NewServer(opts...)
	kitchen.Register(s)
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus(kitchen.Service, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	reflection.Register(s)

	grpcserve.Run("pbserver", s, *addr)
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "pbserver: "+format+"\n", args...)
	os.Exit(1)
}
