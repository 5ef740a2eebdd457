package main

// A connection that closes under an open call: one side is killed (no
// RST_STREAM, no trailers) while the other, traced, waits in the call. The
// call must be printed at the close, while the tool runs on, as
// UNFINISHED with the reason "connection closed" and its real duration,
// not held until the tool exits.
//   connclose/<cell>/<mode>/<traced side>   the other side is killed

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerConnClose) }

type closeMode struct {
	name           string
	server, client string
	srvArgs        []string
	cliArgs        []string // the client's flags, beside its "hang" scenario
	sides          []string // traced sides
}

var closeModes = []closeMode{
	{name: "grpc", server: "grpcserver", client: "grpcclient", sides: []string{"server", "client"}},
	{name: "grpc-tls", server: "grpcserver", client: "grpcclient", srvArgs: []string{"-tls"}, cliArgs: []string{"-tls"}, sides: []string{"server", "client"}},
	{name: "h2-tls", server: "h2server", client: "h2client", srvArgs: []string{"-tls"}, cliArgs: []string{"-tls"}, sides: []string{"server", "client"}},
	{name: "h2c", server: "h2server", client: "h2client", srvArgs: []string{"-h2c"}, cliArgs: []string{"-h2c"}, sides: []string{"server", "client"}},
	{name: "grpc-h2c", server: "h2server-grpc", client: "grpcclient", srvArgs: []string{"-grpc", "-h2c"}, sides: []string{"server"}},
}

func registerConnClose() {
	for _, c := range newestAndOldest("connclose") {
		for _, m := range closeModes {
			for _, side := range m.sides {
				c, m, side := c, m, side
				if m.name == "h2c" && oldXNetClient(c, httpModeNamed("h2c"), side) {
					continue // that x/net's client is not traced (http/ checks it says so)
				}
				register("runtime", "connclose/"+c.name+"/"+m.name+"/"+side, true,
					func() error { return connClose(c, m, side) })
			}
		}
	}
}

// How long the call is open before the other side is killed.
const closeAfter = 1500 * time.Millisecond

func connClose(c cell, m closeMode, side string) error {
	srvBin, err := variantBin(c, m.server, "")
	if err != nil {
		return err
	}
	cliBin, err := variantBin(c, m.client, "")
	if err != nil {
		return err
	}
	srv, addr, err := startListening(srvBin, m.srvArgs...)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGKILL, time.Second)
	flag := tempFlag()
	defer os.Remove(flag)
	cli, err := start(cliBin, append([]string{"-addr", addr, "-wait-file", flag, "-scenario", "hang"}, m.cliArgs...)...)
	if err != nil {
		return err
	}
	defer cli.stop(syscall.SIGKILL, time.Second)
	traced, killed := srv, cli
	if side == "client" {
		traced, killed = cli, srv
	}
	tool, err := start(toolPath, "--json", "-p", fmt.Sprint(traced.pid()))
	if err != nil {
		return err
	}
	defer tool.stop(syscall.SIGKILL, time.Second)
	if _, err := tool.waitLine(`"type":"start"`, toolStartTimeout); err != nil {
		return err
	}
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		return err
	}
	time.Sleep(closeAfter)
	killed.stop(syscall.SIGKILL, time.Second)
	// Printed at the close, with the tool still running.
	line, err := tool.waitLine(`"complete":false`, 5*time.Second)
	if err != nil {
		return fmt.Errorf("no unfinished call printed within 5 s of the kill: %v", err)
	}
	if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil {
		return fmt.Errorf("gogrpctrace exited with %v: %s", err, tool.errText())
	}
	var call struct {
		Side       string  `json:"side"`
		Method     string  `json:"method"`
		Path       string  `json:"path"`
		Reason     *string `json:"unfinished_reason"`
		DurationUs float64 `json:"duration_us"`
	}
	if err := json.Unmarshal([]byte(line), &call); err != nil {
		return fmt.Errorf("bad line %q: %v", line, err)
	}
	want := closeAfter.Seconds() * 1e6
	switch {
	case call.Side != side:
		return fmt.Errorf("side %q, want %q: %s", call.Side, side, line)
	case call.Method != "/gogrpctrace.test.Echo/Unary" && call.Path != "/sleep/600000":
		return fmt.Errorf("not the held call: %s", line)
	case call.Reason == nil || *call.Reason != "connection closed":
		return fmt.Errorf("unfinished_reason is not \"connection closed\": %s", line)
	case call.DurationUs < want*0.5 || call.DurationUs > want+3e6:
		return fmt.Errorf("duration %.0f µs, want about %.0f (call open until the kill): %s", call.DurationUs, want, line)
	}
	n, closed := 0, -1
	for _, l := range tool.lines() {
		if strings.Contains(l, `"type":"rpc"`) || strings.Contains(l, `"type":"http"`) {
			n++
		}
		if strings.Contains(l, `"type":"summary"`) {
			var s struct {
				Closed int `json:"unfinished_conn_closed"`
			}
			if err := json.Unmarshal([]byte(l), &s); err != nil {
				return err
			}
			closed = s.Closed
		}
	}
	if n != 1 || closed != 1 {
		return fmt.Errorf("%d call lines and unfinished_conn_closed %d, want 1 and 1", n, closed)
	}
	return nil
}
