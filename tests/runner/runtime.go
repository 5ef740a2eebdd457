package main

// Runtime tests: attach gogrpctrace to real Go gRPC programs of every
// matrix cell and compare what it printed with what the client did.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"time"

	"gogrpctrace/tests/targets/records"
)

// rpc is one {"type":"rpc"} line of gogrpctrace --json.
type rpc struct {
	Type           string            `json:"type"`
	Pid            int               `json:"pid"`
	Side           string            `json:"side"`
	Method         string            `json:"method"`
	Authority      string            `json:"authority"`
	Peer           string            `json:"peer"`
	Local          string            `json:"local"`
	TLS            bool              `json:"tls"`
	StreamID       int               `json:"stream_id"`
	Complete       bool              `json:"complete"`
	HTTPStatus     *int              `json:"http_status"`
	GrpcStatus     *int              `json:"grpc_status"`
	GrpcStatusName *string           `json:"grpc_status_name"`
	GrpcMessage    string            `json:"grpc_message"`
	DurationUs     float64           `json:"duration_us"`
	ReqBytes       int64             `json:"req_bytes"`
	RespBytes      int64             `json:"resp_bytes"`
	ReqMsgs        int               `json:"req_msgs"`
	RespMsgs       int               `json:"resp_msgs"`
	ReqHeaders     map[string]string `json:"req_headers"`
	RespHeaders    map[string]string `json:"resp_headers"`
	Trailers       map[string]string `json:"trailers"`
	Truncated      bool              `json:"truncated"`
	SizesExact     bool              `json:"sizes_exact"`
	ReadErrors     bool              `json:"read_errors"`
	StatusFromRST  bool              `json:"status_from_reset"`
	ReqHeaderCount int               `json:"req_header_count"`
	ReqPayload     *string           `json:"req_payload_b64"`
	RespPayload    *string           `json:"resp_payload_b64"`
}

type summary struct {
	Calls           int         `json:"calls"`
	Unfinished      int         `json:"unfinished_calls"`
	EventsReceived  int         `json:"events_received"`
	EventsEmitted   int         `json:"events_emitted"`
	EventsLost      int         `json:"events_lost"`
	ReadsFailed     int         `json:"reads_failed"`
	Malformed       int         `json:"malformed_events"`
	RestartsSkipped int         `json:"restarts_skipped"`
	ProbeHits       int         `json:"probe_hits"`
	Probes          []probeStat `json:"probes"` // --probe-stats
}

type probeStat struct {
	Probe        string   `json:"probe"`
	Hits         int      `json:"hits"`
	BPFNsPerHit  *float64 `json:"bpf_ns_per_hit"`
	ReadsPerHit  *float64 `json:"reads_per_hit"`
	MapOpsPerHit *float64 `json:"map_ops_per_hit"`
}

// traceResult is what one traced run produced.
type traceResult struct {
	serverAddr string
	calls      []records.Call
	rpcs       []rpc
	rpcLines   []string // the same, as printed: nulls are not zeros
	sum        *summary
	toolErr    string
}

// traceOpts describes one run: which cell, which side is traced, the
// scenario the client plays and extra tool arguments.
type traceOpts struct {
	cell      cell
	side      string // "server", "client" or "both"
	tls       bool
	scenario  string
	args      []string
	variant   string // "" (as built), or a stripped form: see variantBin
	serverBin string // another build of the cell's grpcserver, if set
	clientBin string // another build of the cell's grpcclient, if set
}

func startServer(c cell, tls bool) (*proc, string, error) {
	return startServerBin(targetBin(c, "grpcserver"), tls)
}

func startServerBin(bin string, tls bool) (*proc, string, error) {
	args := []string{}
	if tls {
		args = append(args, "-tls")
	}
	return startListening(bin, args...)
}

func traceRun(o traceOpts) (*traceResult, error) {
	srvBin, err := variantBin(o.cell, "grpcserver", o.variant)
	if err != nil {
		return nil, err
	}
	if o.serverBin != "" {
		srvBin = o.serverBin
	}
	cliBin, err := variantBin(o.cell, "grpcclient", o.variant)
	if err != nil {
		return nil, err
	}
	if o.clientBin != "" {
		cliBin = o.clientBin
	}
	srv, addr, err := startServerBin(srvBin, o.tls)
	if err != nil {
		return nil, err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	flag := tempFlag()
	defer os.Remove(flag)
	cargs := []string{"-addr", addr, "-scenario", o.scenario, "-wait-file", flag, "-sleep-after", "300ms"}
	if o.tls {
		cargs = append(cargs, "-tls")
	}
	cli, err := start(cliBin, cargs...)
	if err != nil {
		return nil, err
	}
	defer cli.stop(syscall.SIGKILL, time.Second)
	targs := []string{"--json"}
	switch o.side {
	case "server":
		targs = append(targs, "-p", fmt.Sprint(srv.pid()))
	case "client":
		targs = append(targs, "-p", fmt.Sprint(cli.pid()))
	default:
		targs = append(targs, "-p", fmt.Sprint(srv.pid()), "-p", fmt.Sprint(cli.pid()))
	}
	targs = append(targs, o.args...)
	tool, err := start(toolPath, targs...)
	if err != nil {
		return nil, err
	}
	if _, err := tool.waitLine(`"type":"start"`, toolStartTimeout); err != nil {
		tool.stop(syscall.SIGKILL, time.Second)
		return nil, err
	}
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		return nil, err
	}
	cliErr := cli.wait(120 * time.Second)
	toolErr := endTool(tool, 15*time.Second)
	res := &traceResult{serverAddr: addr, toolErr: tool.errText()}
	if cliErr != nil {
		return res, fmt.Errorf("client failed: %v; %s", cliErr, cli.errText())
	}
	if toolErr != nil {
		return res, fmt.Errorf("gogrpctrace exited with %v: %s", toolErr, tool.errText())
	}
	for _, l := range cli.lines() {
		var c records.Call
		if json.Unmarshal([]byte(l), &c) == nil && c.Type == "call" {
			res.calls = append(res.calls, c)
		}
	}
	for _, l := range tool.lines() {
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &probe); err != nil {
			return res, fmt.Errorf("gogrpctrace printed a line that is not JSON: %q", l)
		}
		if err := checkJSONLine(l); err != nil {
			return res, err
		}
		switch probe.Type {
		case "rpc":
			var r rpc
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				return res, fmt.Errorf("bad rpc line %q: %v", l, err)
			}
			res.rpcs = append(res.rpcs, r)
			res.rpcLines = append(res.rpcLines, l)
		case "summary":
			res.sum = &summary{}
			if err := json.Unmarshal([]byte(l), res.sum); err != nil {
				return res, fmt.Errorf("bad summary %q: %v", l, err)
			}
		}
	}
	if res.sum == nil {
		return res, fmt.Errorf("no summary line; stderr: %s", tool.errText())
	}
	return res, nil
}

// subset checks every key of want is in got with the same value. Binary
// ("-bin") metadata travels base64-encoded and the tool shows it as sent.
func subset(what string, want, got map[string]string) error {
	for k, v := range want {
		g, ok := got[k]
		if ok && strings.HasSuffix(k, "-bin") {
			g = decodeBin(g)
		}
		if !ok || g != v {
			return fmt.Errorf("%s[%q] = %q, want %q (got %v)", what, k, got[k], v, got)
		}
	}
	return nil
}

// matchCall compares one traced rpc with the client's account of it.
func matchCall(side string, tls bool, serverAddr string, want records.Call, got rpc) error {
	if got.Side != side {
		return fmt.Errorf("side %q, want %q", got.Side, side)
	}
	if got.Method != want.Method {
		return fmt.Errorf("method %q, want %q", got.Method, want.Method)
	}
	if !got.Complete || got.GrpcStatus == nil {
		return fmt.Errorf("%s: call not complete", want.Method)
	}
	if *got.GrpcStatus != want.GRPCStatus || *got.GrpcStatusName != want.GRPCStatusName {
		return fmt.Errorf("%s: status %d %s, want %d %s", want.Method, *got.GrpcStatus, *got.GrpcStatusName, want.GRPCStatus, want.GRPCStatusName)
	}
	// A call the client gave up on ends with RST_STREAM, not trailers: the
	// tool derives the status (and has no message), unless the server's
	// own deadline fired first and it sent trailers.
	givenUp := want.GRPCStatus == 1 || want.GRPCStatus == 4
	if givenUp && got.StatusFromRST {
		if got.GrpcMessage != "" {
			return fmt.Errorf("%s: derived status with grpc_message %q", want.Method, got.GrpcMessage)
		}
	} else if got.GrpcMessage != want.GRPCMessage {
		return fmt.Errorf("%s: grpc_message %q, want %q", want.Method, got.GrpcMessage, want.GRPCMessage)
	}
	gotSizes := []int64{int64(got.ReqMsgs), int64(got.RespMsgs), got.ReqBytes, got.RespBytes}
	wantSizes := []int64{int64(want.ReqMsgs), int64(want.RespMsgs), want.ReqBytes, want.RespBytes}
	if !reflect.DeepEqual(gotSizes, wantSizes) {
		return fmt.Errorf("%s: msgs/bytes req,resp %v, want %v", want.Method, gotSizes, wantSizes)
	}
	if !got.SizesExact || got.ReadErrors || got.Truncated {
		return fmt.Errorf("%s: sizes_exact=%v read_errors=%v truncated=%v", want.Method, got.SizesExact, got.ReadErrors, got.Truncated)
	}
	if got.TLS != tls {
		return fmt.Errorf("%s: tls=%v, want %v", want.Method, got.TLS, tls)
	}
	if givenUp {
		return nil // no response headers or trailers to compare
	}
	if got.HTTPStatus == nil || *got.HTTPStatus != 200 {
		return fmt.Errorf("%s: http_status %v, want 200", want.Method, got.HTTPStatus)
	}
	if err := subset("req_headers", want.Metadata, got.ReqHeaders); err != nil {
		return err
	}
	if err := subset("req_headers", map[string]string{":path": want.Method}, got.ReqHeaders); err != nil {
		return err
	}
	if err := subset("resp_headers", want.RespHeader, got.RespHeaders); err != nil {
		return err
	}
	if err := subset("trailers", want.Trailer, got.Trailers); err != nil {
		return err
	}
	// The client sees the server's address as its peer; the server sees
	// the client's ephemeral port on loopback.
	if side == "client" && got.Peer != serverAddr {
		return fmt.Errorf("%s: peer %q, want %q", want.Method, got.Peer, serverAddr)
	}
	if side == "server" && (!strings.HasPrefix(got.Peer, "127.0.0.1:") || got.Local != serverAddr) {
		return fmt.Errorf("%s: peer %q local %q, want 127.0.0.1:* and %q", want.Method, got.Peer, got.Local, serverAddr)
	}
	return nil
}

// checkHonest: nothing lost, nothing unread, nothing left unfinished.
func checkHonest(s *summary) error {
	if s.EventsLost != 0 || s.EventsReceived != s.EventsEmitted || s.Unfinished != 0 || s.ReadsFailed != 0 || s.Malformed != 0 {
		return fmt.Errorf("summary not clean: %+v", *s)
	}
	return nil
}

// expectExact: one rpc per client call, in order, each matching.
func expectExact(o traceOpts, r *traceResult, keep func(records.Call) bool) error {
	var want []records.Call
	for _, c := range r.calls {
		if keep == nil || keep(c) {
			want = append(want, c)
		}
	}
	if len(want) == 0 {
		return fmt.Errorf("the client reported no calls")
	}
	if len(r.rpcs) != len(want) {
		return fmt.Errorf("traced %d calls, want %d; tool stderr: %s", len(r.rpcs), len(want), r.toolErr)
	}
	for i := range want {
		if err := matchCall(o.side, o.tls, r.serverAddr, want[i], r.rpcs[i]); err != nil {
			return fmt.Errorf("call %d: %v", i, err)
		}
	}
	return checkHonest(r.sum)
}

func registerRuntime() {
	registerExactCases()
	newest := cells[0]
	register("runtime", "probe-stats", true, func() error {
		return checkProbeStats(traceOpts{cell: newest, side: "both", scenario: "unary",
			args: []string{"--probe-stats"}}, false)
	})
	register("runtime", "probe-stats/count-ops", true, func() error {
		return checkProbeStats(traceOpts{cell: newest, side: "both", scenario: "unary",
			args: []string{"--count-ops"}}, true)
	})
	register("runtime", "two-processes", true, func() error {
		o := traceOpts{cell: newest, side: "both", scenario: "streams"}
		r, err := traceRun(o)
		if err != nil {
			return err
		}
		var srvRPCs, cliRPCs []rpc
		for _, x := range r.rpcs {
			if x.Side == "server" {
				srvRPCs = append(srvRPCs, x)
			} else {
				cliRPCs = append(cliRPCs, x)
			}
		}
		for _, part := range []struct {
			side string
			rpcs []rpc
		}{{"server", srvRPCs}, {"client", cliRPCs}} {
			if len(part.rpcs) != len(r.calls) {
				return fmt.Errorf("%s side: traced %d calls, want %d", part.side, len(part.rpcs), len(r.calls))
			}
			for i := range r.calls {
				if err := matchCall(part.side, false, r.serverAddr, r.calls[i], part.rpcs[i]); err != nil {
					return fmt.Errorf("%s side call %d: %v", part.side, i, err)
				}
			}
		}
		return checkHonest(r.sum)
	})
	register("runtime", "target-exits", true, func() error { return targetExits(newest) })
	register("runtime", "secrets/redacted", true, func() error { return secrets(newest, false) })
	register("runtime", "secrets/shown", true, func() error { return secrets(newest, true) })
	for _, c := range []cell{newest, cells[len(cells)-1]} {
		for _, side := range []string{"server", "client"} {
			c, side := c, side
			register("runtime", "payload/"+c.name+"/"+side, true, func() error { return payload(c, side) })
		}
	}
	register("runtime", "verbose-events", true, func() error { return verbose(newest) })
	register("runtime", "tiny-buffer-accounting", true, func() error {
		// One page of ring buffer cannot hold the 1 and 4 MiB calls' events
		// drained every 10 ms... or can; what must hold is the accounting.
		o := traceOpts{cell: newest, side: "server", scenario: "all", args: []string{"--ringbuf-pages", "1"}}
		r, err := traceRun(o)
		if err != nil {
			return err
		}
		s := r.sum
		if s.EventsReceived != s.EventsEmitted || s.Malformed != 0 {
			return fmt.Errorf("received %d of %d emitted events (%d malformed)", s.EventsReceived, s.EventsEmitted, s.Malformed)
		}
		// Each call missing from the output cost at least one lost
		// event: with none lost, every call is there.
		if missing := len(r.calls) - len(r.rpcs); missing < 0 || missing > s.EventsLost {
			return fmt.Errorf("%d calls traced of %d, with %d events lost", len(r.rpcs), len(r.calls), s.EventsLost)
		}
		return nil
	})
}

// secrets: credential values are replaced unless --show-secrets.
func secrets(c cell, show bool) error {
	o := traceOpts{cell: c, side: "server", scenario: "secrets"}
	if show {
		o.args = []string{"--show-secrets"}
	}
	r, err := traceRun(o)
	if err != nil {
		return err
	}
	if len(r.rpcs) != 1 || len(r.calls) != 1 {
		return fmt.Errorf("%d rpcs for %d calls", len(r.rpcs), len(r.calls))
	}
	h := r.rpcs[0].ReqHeaders
	for k, v := range r.calls[0].Metadata {
		secret := k != "x-user"
		switch {
		case show || !secret:
			if h[k] != v {
				return fmt.Errorf("%s = %q, want %q", k, h[k], v)
			}
		case h[k] != fmt.Sprintf("[redacted %d bytes]", len(v)):
			return fmt.Errorf("%s = %q, want it redacted", k, h[k])
		}
	}
	return nil
}

// payload: --payload=N shows the first N bytes of the first message each
// way. The echo payloads are "abcd...", so the expected bytes are known.
func payload(c cell, side string) error {
	// Without --payload no message byte is read: the program is built
	// with PAYLOAD_BYTES 0 (the copying code compiles out).
	prog, err := exec.Command(toolPath, "--ebpf", targetBin(c, "grpcserver")).Output()
	if err != nil || !strings.Contains(string(prog), "\n#define PAYLOAD_BYTES 0\n") {
		return fmt.Errorf("without --payload the program does not say PAYLOAD_BYTES 0 (%v)", err)
	}
	plain, err := traceRun(traceOpts{cell: c, side: side, scenario: "unary"})
	if err != nil {
		return err
	}
	for _, x := range plain.rpcs {
		if x.ReqPayload != nil || x.RespPayload != nil {
			return fmt.Errorf("payload shown without --payload")
		}
	}
	o := traceOpts{cell: c, side: side, scenario: "unary", args: []string{"--payload=6"}}
	r, err := traceRun(o)
	if err != nil {
		return err
	}
	if err := expectExact(o, r, nil); err != nil {
		return err
	}
	for i, x := range r.rpcs {
		for _, p := range []*string{x.ReqPayload, x.RespPayload} {
			if p == nil || decodeBin(*p) != "abcdef" {
				return fmt.Errorf("call %d: payload %v, want base64 of abcdef", i, p)
			}
		}
	}
	return nil
}

// verbose: -v --json adds one event per header block and message, in order.
func verbose(c cell) error {
	srv, addr, err := startServer(c, false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	tool, err := traceWhile(srv.pid(), targetBin(c, "grpcclient"), []string{"-addr", addr, "-scenario", "streams"}, "-v")
	if err != nil {
		return err
	}
	var got []string
	for _, l := range tool.lines() {
		var ev struct {
			Type     string `json:"type"`
			StreamID int    `json:"stream_id"`
			What     string `json:"what"`
		}
		if json.Unmarshal([]byte(l), &ev) == nil && ev.Type == "event" {
			got = append(got, fmt.Sprintf("%d %s", ev.StreamID, ev.What))
		}
	}
	// ServerStream (stream 1): 8-byte request, then the response headers
	// and five 200-byte messages, then the trailers. The handler queues its
	// messages while grpc's writer goroutine sends the headers, so those
	// six may interleave; everything else is ordered.
	var s1 []string
	for _, g := range got {
		if strings.HasPrefix(g, "1 ") {
			s1 = append(s1, strings.TrimPrefix(g, "1 "))
		}
	}
	if len(s1) != 9 || s1[0] != "request headers" || s1[1] != "message received, 8 bytes" || s1[8] != "trailers" {
		return fmt.Errorf("events of stream 1: %q", s1)
	}
	middle := map[string]int{}
	for _, e := range s1[2:8] {
		middle[e]++
	}
	if middle["response headers"] != 1 || middle["message sent, 200 bytes"] != 5 {
		return fmt.Errorf("events of stream 1: %q", s1)
	}
	return nil
}

// targetExits: the traced server goes away; the tool must notice, detach
// and end with its summary on its own.
func targetExits(c cell) error {
	srv, addr, err := startServer(c, false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGKILL, time.Second)
	tool, err := start(toolPath, "--json", "-p", fmt.Sprint(srv.pid()))
	if err != nil {
		return err
	}
	defer tool.stop(syscall.SIGKILL, time.Second)
	if _, err := tool.waitLine(`"type":"start"`, toolStartTimeout); err != nil {
		return err
	}
	cli, err := start(targetBin(c, "grpcclient"), "-addr", addr, "-scenario", "unary")
	if err != nil {
		return err
	}
	if err := cli.wait(30 * time.Second); err != nil {
		return fmt.Errorf("client: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	srv.stop(syscall.SIGTERM, 5*time.Second)
	if err := tool.wait(10 * time.Second); err != nil {
		return fmt.Errorf("tool after the target exited: %v; %s", err, tool.errText())
	}
	rpcs, sums := 0, 0
	for _, l := range tool.lines() {
		if strings.Contains(l, `"type":"rpc"`) {
			rpcs++
		}
		if strings.Contains(l, `"type":"summary"`) {
			sums++
		}
	}
	if rpcs != 3 || sums != 1 {
		return fmt.Errorf("got %d rpc lines and %d summaries, want 3 and 1", rpcs, sums)
	}
	return nil
}

func decodeBin(s string) string {
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return string(b)
		}
	}
	return "undecodable:" + s
}

// checkProbeStats: --probe-stats (and make bench's --count-ops) on both
// sides of unary calls. Every call is still shown exactly; each probe's
// hits add up to probe_hits, a server's request headers are hit once per
// call, each probe that ran has a BPF time; the kernel's statistics are
// as they were once the tool is gone.
func checkProbeStats(o traceOpts, ops bool) error {
	before, _ := os.ReadFile("/proc/sys/kernel/bpf_stats_enabled")
	r, err := traceRun(o)
	if err != nil {
		return err
	}
	if after, _ := os.ReadFile("/proc/sys/kernel/bpf_stats_enabled"); string(after) != string(before) {
		return fmt.Errorf("kernel.bpf_stats_enabled was %q before the run, %q after", before, after)
	}
	if r.sum == nil || len(r.sum.Probes) == 0 {
		return fmt.Errorf("no probes in the summary")
	}
	total, calls := 0, len(r.calls)
	for _, p := range r.sum.Probes {
		total += p.Hits
		if p.Hits > 0 && (p.BPFNsPerHit == nil || *p.BPFNsPerHit <= 0) {
			return fmt.Errorf("probe %s: %d hits, no BPF time", p.Probe, p.Hits)
		}
		if ops != (p.ReadsPerHit != nil) && p.Hits > 0 {
			return fmt.Errorf("probe %s: reads_per_hit present %v, want %v", p.Probe, p.ReadsPerHit != nil, ops)
		}
		if p.Probe == "srv_hdr_in" && (p.Hits < calls || p.Hits > calls+r.sum.RestartsSkipped) {
			return fmt.Errorf("srv_hdr_in: %d hits for %d calls (%d restarts)", p.Hits, calls, r.sum.RestartsSkipped)
		}
		if ops && p.Probe == "srv_hdr_in" && (*p.ReadsPerHit < 3 || *p.MapOpsPerHit < 1) {
			return fmt.Errorf("srv_hdr_in: %.2f reads and %.2f map operations per hit: too few to be counted",
				*p.ReadsPerHit, *p.MapOpsPerHit)
		}
	}
	if total != r.sum.ProbeHits {
		return fmt.Errorf("the probes' hits add up to %d, probe_hits is %d", total, r.sum.ProbeHits)
	}
	for _, side := range []string{"server", "client"} {
		one := &traceResult{serverAddr: r.serverAddr, calls: r.calls, sum: r.sum, toolErr: r.toolErr}
		for _, x := range r.rpcs {
			if x.Side == side {
				one.rpcs = append(one.rpcs, x)
			}
		}
		o.side = side
		if err := expectExact(o, one, nil); err != nil {
			return fmt.Errorf("%s side: %v", side, err)
		}
	}
	return nil
}
