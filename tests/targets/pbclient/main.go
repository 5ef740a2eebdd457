// Command pbclient is the client of pbserver: it makes the calls of a
// scenario (internal/kitchen) over one connection, one call at a time, and
// prints one JSON line per message it sent or received, in order, with
// the message in the protobuf JSON mapping as its own protobuf runtime
// writes it, then one line per call and a last "done" line:
//
//	{"type":"msg","call":1,"method":"/gogrpctrace.test.kitchen.Kitchen/Order","dir":"sent","seq":1,"type_name":"gogrpctrace.test.kitchen.OrderRequest","json":{...}}
//	{"type":"call","call":1,"method":"...","kind":"unary","code":"OK","grpc_status":0,"message":"","compressor":"","req_type":"...","resp_type":"...","sent":1,"received":1}
//	{"type":"done","calls":11}
//
// It exits 0 when every call behaved as scripted (status, and each reply
// equal to the canned one where the scenario knows it), 1 if not, 2 on a
// usage or setup error.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/health/grpc_health_v1"              // its message types, by name
	_ "google.golang.org/grpc/reflection/grpc_reflection_v1alpha" // the same

	"gogrpctrace/tests/targets/internal/kitchen"
	"gogrpctrace/tests/targets/internal/protodump"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
	"gogrpctrace/tests/targets/records"
)

// out writes one JSON object per line, '<>&' and non-ASCII as they are.
var out = func() *json.Encoder {
	e := json.NewEncoder(os.Stdout)
	e.SetEscapeHTML(false)
	return e
}()

func main() {
	// GOGRPCTRACE_DUMP_PROTOS=1: print the registered protobuf files and exit (a test oracle).
	protodump.IfAsked()
	addr := flag.String("addr", "", "server address host:port (required)")
	useTLS := flag.Bool("tls", false, "use TLS without verifying the server certificate")
	name := flag.String("scenario", "all", "scenario: "+strings.Join(kitchen.ScenarioNames, ", "))
	waitFile := flag.String("wait-file", "", "poll every 20ms until this path exists before dialing")
	sleepAfter := flag.Duration("sleep-after", 0, "stay alive this long after the last call")
	flag.Parse()

	calls := kitchen.Scenario(*name)
	if calls == nil {
		fatal("unknown scenario %q (have %s)", *name, strings.Join(kitchen.ScenarioNames, ", "))
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
	conn, err := grpc.Dial(*addr, creds)
	if err != nil {
		fatal("dial: %v", err)
	}
	defer conn.Close()

	failed := 0
	for i, c := range calls {
		bad, err := run(conn, i+1, c)
		if err != nil {
			fatal("call %d %s: %v", i+1, c.FullMethod, err)
		}
		if len(bad) > 0 {
			failed++
			fmt.Fprintf(os.Stderr, "pbclient: call %d %s: %s\n", i+1, c.FullMethod, strings.Join(bad, "; "))
		}
	}
	if err := out.Encode(records.Done{Type: "done", Calls: len(calls)}); err != nil {
		fatal("stdout: %v", err)
	}
	time.Sleep(*sleepAfter)
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "pbclient: %d of %d calls (generation %s) did not behave as scripted\n",
			failed, len(calls), kitchen.Generation)
		os.Exit(1)
	}
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "pbclient: "+format+"\n", args...)
	os.Exit(2)
}
