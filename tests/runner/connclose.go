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
	register("runtime", "connclose/open-at-exit", true, func() error { return openAtExit(cells[0]) })
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
	h, err := holdCall(srvBin, m.srvArgs, cliBin, m.cliArgs, side)
	if h != nil {
		defer h.stop()
	}
	if err != nil {
		return err
	}
	killed, tool := h.cli, h.tool
	if side == "client" {
		killed = h.srv
	}
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

// openAtExit: a call still open when the tool stops is printed then, as
// UNFINISHED "still open when tracing ended", with no duration (null, not
// 0: its end is unknown).
func openAtExit(c cell) error {
	h, err := holdCall(targetBin(c, "grpcserver"), nil, targetBin(c, "grpcclient"), nil, "server")
	if h != nil {
		defer h.stop()
	}
	if err != nil {
		return err
	}
	tool := h.tool
	if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil {
		return fmt.Errorf("gogrpctrace exited with %v: %s", err, tool.errText())
	}
	var calls []map[string]any
	for _, l := range tool.lines() {
		var x map[string]any
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			return fmt.Errorf("not JSON: %q", l)
		}
		if x["type"] == "rpc" {
			calls = append(calls, x)
		}
	}
	if len(calls) != 1 {
		return fmt.Errorf("%d calls printed, want the one open call", len(calls))
	}
	x := calls[0]
	if x["complete"] != false || x["unfinished_reason"] != "still open when tracing ended" || x["duration_us"] != nil {
		return fmt.Errorf("complete %v, unfinished_reason %v, duration_us %v; want false, \"still open when tracing ended\", null",
			x["complete"], x["unfinished_reason"], x["duration_us"])
	}
	return nil
}

// heldCall: a server, a client in a call the server holds (scenario
// "hang"), and the tool tracing one of them, the call open for closeAfter.
type heldCall struct {
	srv, cli, tool *proc
	flag           string
}

func (h *heldCall) stop() {
	for _, p := range []*proc{h.tool, h.cli, h.srv} {
		if p != nil {
			p.stop(syscall.SIGKILL, time.Second)
		}
	}
	os.Remove(h.flag)
}

func holdCall(srvBin string, srvArgs []string, cliBin string, cliArgs []string, side string) (*heldCall, error) {
	h := &heldCall{flag: tempFlag()}
	srv, addr, err := startListening(srvBin, srvArgs...)
	if err != nil {
		return h, err
	}
	h.srv = srv
	h.cli, err = start(cliBin, append([]string{"-addr", addr, "-wait-file", h.flag, "-scenario", "hang"}, cliArgs...)...)
	if err != nil {
		return h, err
	}
	traced := h.srv
	if side == "client" {
		traced = h.cli
	}
	h.tool, err = start(toolPath, "--json", "-p", fmt.Sprint(traced.pid()))
	if err != nil {
		return h, err
	}
	if _, err := h.tool.waitLine(`"type":"start"`, toolStartTimeout); err != nil {
		return h, err
	}
	if err := os.WriteFile(h.flag, nil, 0o600); err != nil {
		return h, err
	}
	time.Sleep(closeAfter)
	return h, nil
}
