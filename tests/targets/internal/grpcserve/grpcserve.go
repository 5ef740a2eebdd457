// Package grpcserve runs a test program's grpc.Server the way the test
// runner expects it: "listening <host:port>" on stdout once it listens,
// exit 0 on SIGTERM or SIGINT.
package grpcserve

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"

	"gogrpctrace/tests/targets/internal/netaddr"
)

// Run serves s on addr until a signal; prog names the program in errors.
// It does not return.
func Run(prog string, s *grpc.Server, addr string) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: listen: %v\n", prog, err)
		os.Exit(1)
	}
	RunListener(prog, s, lis)
}

// RunListener is Run on a listener of the caller's: "listening" is
// followed by the address as netaddr.Text gives it ("unix:/path" for a
// unix socket).
func RunListener(prog string, s *grpc.Server, lis net.Listener) {
	// The test runner waits for this exact line; os.Stdout is unbuffered.
	fmt.Printf("listening %s\n", netaddr.Text(lis.Addr()))

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	served := make(chan error, 1)
	go func() { served <- s.Serve(lis) }()

	select {
	case <-sigs:
		// Stop, not GracefulStop: a stream left open by a killed client
		// must not keep the server alive.
		s.Stop()
		os.Exit(0)
	case err := <-served:
		fmt.Fprintf(os.Stderr, "%s: serve: %v\n", prog, err)
		os.Exit(1)
	}
}
