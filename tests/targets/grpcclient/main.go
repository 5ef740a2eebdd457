// Command grpcclient is the gRPC client side of gogrpctrace's tests: it
// runs a scripted scenario against grpcserver and prints one JSON line per
// call describing exactly what it sent and saw, so a tracer's output can be
// compared with it field by field.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"gogrpctrace/tests/targets/internal/netaddr"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
	"gogrpctrace/tests/targets/records"
)

func main() {
	addr := flag.String("addr", "", "server address host:port, or unix:/path, unix:@name (required)")
	logConns := flag.Bool("log-conns", false, "print each connection's addresses as a JSON line")
	useTLS := flag.Bool("tls", false, "use TLS without verifying the server certificate")
	name := flag.String("scenario", "all", "scenario: "+strings.Join(scenarioNames, ", "))
	waitFile := flag.String("wait-file", "", "poll every 20ms until this path exists before dialing")
	repeat := flag.Int("repeat", 1, "run the scenario this many times")
	interval := flag.Duration("interval", 0, "pause between calls")
	healthLoop := flag.Duration("health-loop", 0, "demo mode: health Check every 500ms for this long (replaces the scenario unless -scenario is given)")
	sleepAfter := flag.Duration("sleep-after", 0, "stay alive this long after the last call")
	churn := flag.Int("churn", 0, "instead of a scenario: this many Unary calls, each on a new connection")
	churnWorkers := flag.Int("churn-workers", 4, "with -churn: goroutines making calls at once")
	flag.Parse()

	scenarioSet := false
	flag.Visit(func(f *flag.Flag) { scenarioSet = scenarioSet || f.Name == "scenario" })
	var calls []callSpec
	if *healthLoop == 0 || scenarioSet {
		if calls = scenario(*name); calls == nil {
			fatal("unknown scenario %q (have %s)", *name, strings.Join(scenarioNames, ", "))
		}
	}
	if *addr == "" {
		fatal("-addr is required")
	}
	if *waitFile != "" {
		// Lets a tracer attach to this process before any connection exists.
		for {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	creds := grpc.WithInsecure() // present in every release we build against
	if *useTLS {
		creds = grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}))
	}
	target, dialOpts := *addr, []grpc.DialOption{creds}
	if network, _ := netaddr.Split(*addr); network == "unix" || *logConns {
		// Our own dialer, in every grpc-go release we build against:
		// unix sockets, and the connection's addresses printed.
		dialOpts = append(dialOpts, grpc.WithContextDialer(netaddr.Dialer(*addr, *logConns)))
		if network == "unix" {
			// The dialer has the path: the target only has to parse,
			// whatever bytes the socket's name holds.
			target = "passthrough:///unix-socket"
			dialOpts = append(dialOpts, grpc.WithAuthority("localhost"))
		}
	}
	if *churn > 0 {
		line := runChurn(target, dialOpts, *churn, *churnWorkers)
		if err := out.Encode(line); err != nil {
			fatal("stdout: %v", err)
		}
		time.Sleep(*sleepAfter)
		if line.Errors > 0 {
			os.Exit(1)
		}
		return
	}
	conn, err := grpc.Dial(target, append(dialOpts,
		grpc.WithStatsHandler(payloadCounter{}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20), grpc.MaxCallSendMsgSize(16<<20)))...)
	if err != nil {
		fatal("dial: %v", err)
	}
	defer conn.Close()

	done, failed := 0, 0
	one := func(c callSpec) {
		if done > 0 && *interval > 0 {
			time.Sleep(*interval)
		}
		o := run(conn, c)
		if err := printCall(c, o); err != nil {
			fatal("stdout: %v", err)
		}
		done++
		if bad := check(c, o); len(bad) > 0 {
			failed++
			fmt.Fprintf(os.Stderr, "grpcclient: call %d %s: %s\n", done, c.method, strings.Join(bad, "; "))
		}
	}
	for i := 0; i < *repeat; i++ {
		for _, c := range calls {
			one(c)
		}
	}
	if *healthLoop > 0 {
		for end := time.Now().Add(*healthLoop); time.Now().Before(end); {
			one(healthCall())
			time.Sleep(500 * time.Millisecond)
		}
	}
	if err := out.Encode(records.Done{Type: "done", Calls: done}); err != nil {
		fatal("stdout: %v", err)
	}
	time.Sleep(*sleepAfter)
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "grpcclient: %d of %d calls did not behave as scripted\n", failed, done)
		os.Exit(1)
	}
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "grpcclient: "+format+"\n", args...)
	os.Exit(2)
}
