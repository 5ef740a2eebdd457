package main

// Interop tests: grpc-go's own interop client and server (built from the
// grpc module by tests/targets/interop/build.sh) with h2proxy between
// them, which records every HTTP/2 frame that passes. What gogrpctrace
// printed of each call is held, field by field, against what was on the
// wire: method, message counts and sizes each way, status, who reset the
// stream with which code. A reset the tool says the traced side sent must
// be on the wire; one on the wire must be reported.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The cells of tests/targets/interop/build.sh; the proxy is built in the first.
var interopCells = []string{"go1.27-grpc1.85", "go1.26-grpc1.66"}

var interopBuild struct {
	once sync.Once
	err  error
}

// interopBuilt builds (or finds up to date) the interop programs, once.
func interopBuilt() error {
	interopBuild.once.Do(func() {
		script := filepath.Join(repoRoot, "tests", "targets", "interop", "build.sh")
		out, err := exec.Command("bash", script).CombinedOutput()
		if err != nil {
			interopBuild.err = fmt.Errorf("%s: %v: %s", script, err, out)
		}
	})
	return interopBuild.err
}

func interopBin(cell, prog string) string {
	return filepath.Join(repoRoot, "build", "interop", cell, prog)
}

// wireFrame is one record of h2proxy.
type wireFrame struct {
	Conn       int     `json:"conn"`
	Dir        string  `json:"dir"`
	Type       string  `json:"type"`
	Stream     uint32  `json:"stream"`
	EndStream  bool    `json:"end_stream"`
	Code       *uint32 `json:"code"`
	Path       string  `json:"path"`
	GrpcStatus *int    `json:"grpc_status"`
	Msgs       []int   `json:"msgs"`
	Client     string  `json:"client"`
	Upstream   string  `json:"upstream"`
}

type wireReset struct {
	by   string // "client" or "server": who sent it
	code int
	// What had ended each way when it passed.
	reqEnded, respEnded bool
}

// wireCall is one stream as the wire saw it.
type wireCall struct {
	conn                int
	client, upstream    string // the client's address; the proxy's toward the server
	stream              uint32
	method              string
	reqMsgs, respMsgs   int
	reqBytes, respBytes int64
	status              *int // grpc-status of the server's END_STREAM block
	reqEnded, respEnded bool
	resets              []wireReset
}

func (w *wireCall) String() string {
	st := "none"
	if w.status != nil {
		st = fmt.Sprint(*w.status)
	}
	return fmt.Sprintf("conn %d stream %d %s req %d/%d resp %d/%d status %s resets %+v", w.conn, w.stream,
		w.method, w.reqMsgs, w.reqBytes, w.respMsgs, w.respBytes, st, w.resets)
}

// readWire groups the proxy's records into calls, in the order they opened.
func readWire(path string) ([]*wireCall, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	type key struct {
		conn   int
		stream uint32
	}
	addrs := map[int][2]string{}
	byKey := map[key]*wireCall{}
	var order []*wireCall
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var fr wireFrame
		if err := json.Unmarshal(sc.Bytes(), &fr); err != nil {
			return nil, fmt.Errorf("proxy record %q: %v", sc.Text(), err)
		}
		if fr.Type == "CONN" {
			addrs[fr.Conn] = [2]string{fr.Client, fr.Upstream}
			continue
		}
		if fr.Stream == 0 {
			continue
		}
		k := key{fr.Conn, fr.Stream}
		w := byKey[k]
		if w == nil {
			if fr.Type != "HEADERS" || fr.Dir != "c2s" {
				continue // a frame of a stream whose request we never saw
			}
			a := addrs[fr.Conn]
			w = &wireCall{conn: fr.Conn, client: a[0], upstream: a[1], stream: fr.Stream, method: fr.Path}
			byKey[k] = w
			order = append(order, w)
		}
		req := fr.Dir == "c2s"
		switch fr.Type {
		case "DATA":
			n, b := len(fr.Msgs), int64(0)
			for _, m := range fr.Msgs {
				b += int64(m)
			}
			if req {
				w.reqMsgs += n
				w.reqBytes += b
			} else {
				w.respMsgs += n
				w.respBytes += b
			}
		case "HEADERS":
			if !req && fr.EndStream {
				w.status = fr.GrpcStatus
			}
		case "RST_STREAM":
			by := "server"
			if req {
				by = "client"
			}
			w.resets = append(w.resets, wireReset{by, int(*fr.Code), w.reqEnded, w.respEnded})
		}
		if fr.EndStream && req {
			w.reqEnded = true
		} else if fr.EndStream {
			w.respEnded = true
		}
	}
	return order, sc.Err()
}

// ioRPC: the fields of an rpc line these tests compare.
type ioRPC struct {
	Side            string `json:"side"`
	Method          string `json:"method"`
	Peer            string `json:"peer"`
	Local           string `json:"local"`
	TLS             *bool  `json:"tls"`
	Complete        bool   `json:"complete"`
	GrpcStatus      *int   `json:"grpc_status"`
	StatusFromReset bool   `json:"status_from_reset"`
	ReqMsgs         int    `json:"req_msgs"`
	RespMsgs        int    `json:"resp_msgs"`
	ReqBytes        int64  `json:"req_bytes"`
	RespBytes       int64  `json:"resp_bytes"`
	Reset           *struct {
		By     string `json:"by"`
		Code   int    `json:"code"`
		Queued bool   `json:"queued"`
	} `json:"reset"`
}

func readRPCs(lines []string) ([]ioRPC, error) {
	var out []ioRPC
	for _, l := range lines {
		if !strings.Contains(l, `"type":"rpc"`) {
			continue
		}
		var r ioRPC
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			return nil, fmt.Errorf("rpc line %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// callResets are the resets the traced side's call may hold: those the
// traced side sent, and those the peer sent before the call had ended
// for the traced side (a client's ends with the server's END_STREAM; a
// server's once both ways have ended). must: one of them has to be
// reported; it is not so when the only ones are the traced side's own,
// sent after the call had ended on the wire, crossing the peer's end (a
// client whose deadline fires as the trailers arrive; a server that
// answered before it read the request's END_STREAM): which the traced
// side saw first is a race.
func callResets(side string, w *wireCall) (rs []wireReset, must bool) {
	for _, r := range w.resets {
		ended := side == "client" && r.respEnded || side == "server" && r.reqEnded && r.respEnded
		if r.by == side || !ended {
			rs = append(rs, r)
			must = must || !ended
		}
	}
	return rs, must
}

// unreadReset: a server that has read the whole request and queued its
// trailers (its call complete, with a status of its own) may never read
// the client's reset behind them: the client closes the connection, the
// server's write of the queued frames fails, and its transport closes
// before its reader gets to the frame. The tool shows what the process
// did; the reset was on the wire only.
func unreadReset(side string, rs []wireReset, r ioRPC) bool {
	if side != "server" || r.StatusFromReset || r.GrpcStatus == nil {
		return false
	}
	for _, x := range rs {
		if x.by != "client" || !x.reqEnded {
			return false
		}
	}
	return true
}

// matchWire compares one traced call with its stream on the wire.
func matchWire(side string, tls bool, w *wireCall, r ioRPC) error {
	if r.Side != side || r.Method != w.method || !r.Complete {
		return fmt.Errorf("side %s method %q complete %v, want %s %q complete", r.Side, r.Method, r.Complete, side, w.method)
	}
	rs, must := callResets(side, w)
	unread := must && r.Reset == nil && unreadReset(side, rs, r)
	reset := r.Reset != nil || unread // sent counts: what was queued
	if r.Reset != nil {
		found := false
		for _, x := range rs {
			found = found || x.by == r.Reset.By && x.code == r.Reset.Code && r.Reset.Queued == (x.by == side)
		}
		if !found {
			return fmt.Errorf("reset %+v reported, not on the wire (there: %+v)", *r.Reset, rs)
		}
	} else if must && !unread {
		return fmt.Errorf("resets %+v on the wire, none reported", rs)
	}
	// Received messages are counted from the DATA frames read: exact.
	// Sent ones are counted as the program hands them to its transport,
	// which drops what is still queued when the stream is reset: on a
	// reset call, at least the wire's.
	sent, recv := []int64{int64(r.ReqMsgs), r.ReqBytes}, []int64{int64(r.RespMsgs), r.RespBytes}
	wsent, wrecv := []int64{int64(w.reqMsgs), w.reqBytes}, []int64{int64(w.respMsgs), w.respBytes}
	if side == "server" {
		sent, recv, wsent, wrecv = recv, sent, wrecv, wsent
	}
	// On a reset call the process may also close the connection before
	// reading frames the peer had sent (the proxy forwarded them): then
	// at most the wire's.
	recvOK := fmt.Sprint(recv) == fmt.Sprint(wrecv) || reset && recv[0] <= wrecv[0] && recv[1] <= wrecv[1]
	if !recvOK || !reset && fmt.Sprint(sent) != fmt.Sprint(wsent) ||
		sent[0] < wsent[0] || sent[1] < wsent[1] {
		return fmt.Errorf("req msgs/bytes %d/%d resp %d/%d, wire %d/%d %d/%d", r.ReqMsgs, r.ReqBytes, r.RespMsgs,
			r.RespBytes, w.reqMsgs, w.reqBytes, w.respMsgs, w.respBytes)
	}
	// A status not derived is the wire's trailers' (a server's, queued
	// when the client reset, may not have left); a derived one needs a
	// reset, and no trailers on the wire unless the client's reset
	// crossed them.
	switch {
	case !r.StatusFromReset && r.GrpcStatus == nil:
		return fmt.Errorf("no status")
	case !r.StatusFromReset && w.status == nil && !(side == "server" && reset):
		return fmt.Errorf("status %d from trailers, none on the wire", *r.GrpcStatus)
	case !r.StatusFromReset && w.status != nil && *r.GrpcStatus != *w.status:
		return fmt.Errorf("status %d from trailers, wire grpc-status %d", *r.GrpcStatus, *w.status)
	case r.StatusFromReset && (!reset || w.status != nil && side == "server"):
		return fmt.Errorf("status %s derived from a reset, wire grpc-status %s", fmtIntPtr(r.GrpcStatus), fmtIntPtr(w.status))
	}
	if r.TLS == nil || *r.TLS != tls {
		return fmt.Errorf("tls %s, want %v", fmtBoolPtr(r.TLS), tls)
	}
	return nil
}

// interopRun is one traced session: every client run of cases, through
// the proxy unless tls (then the client talks to the server directly).
type interopRun struct {
	cell  string
	side  string // traced: "server" or "client"
	tls   bool
	cases []string
	args  []string // more tool arguments
}

type interopResult struct {
	rpcs  []ioRPC
	wire  []*wireCall
	lines []string
}

// freePortAddr: a loopback address with a port free now (the interop
// server takes a port number, not :0).
func freePortAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr, nil
}

// waitDial waits until addr accepts a connection.
func waitDial(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func clientArgs(addr string, tls bool, tc string) []string {
	host, port, _ := strings.Cut(addr, ":")
	a := []string{"--server_host", host, "--server_port", port, "--test_case", tc}
	if tls {
		return append(a, "--use_tls=true", "--use_test_ca", "--server_host_override=foo.test.google.fr")
	}
	return append(a, "--use_tls=false")
}

func (o interopRun) run() (*interopResult, error) {
	if err := interopBuilt(); err != nil {
		return nil, err
	}
	srvAddr, err := freePortAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := strings.Cut(srvAddr, ":")
	srv, err := start(interopBin(o.cell, "server"), "--port", port, fmt.Sprintf("--use_tls=%v", o.tls))
	if err != nil {
		return nil, err
	}
	defer srv.stop(syscall.SIGKILL, time.Second)
	if err := waitDial(srvAddr, 10*time.Second); err != nil {
		return nil, fmt.Errorf("interop server: %v; %s", err, srv.errText())
	}
	// The proxy records even with TLS: then it sees no frame it can read,
	// and the tool's TLS is what is checked.
	dir, err := os.MkdirTemp("", "gogrpctrace-interop-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	wirePath := filepath.Join(dir, "frames.json")
	pargs := []string{"-target", srvAddr, "-out", wirePath}
	if o.tls {
		pargs = append(pargs, "-raw")
	}
	px, err := start(interopBin(interopCells[0], "h2proxy"), pargs...)
	if err != nil {
		return nil, err
	}
	defer px.stop(syscall.SIGKILL, time.Second)
	line, err := px.waitLine("listening ", 10*time.Second)
	if err != nil {
		return nil, err
	}
	addr := strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	var tool *proc
	if o.side == "server" {
		if tool, err = startToolIn("json", toolStartTimeout, "-p", fmt.Sprint(srv.pid())); err != nil {
			return nil, err
		}
		defer tool.stop(syscall.SIGKILL, time.Second)
		for _, tc := range o.cases {
			cli, err := start(interopBin(o.cell, "client"), clientArgs(addr, o.tls, tc)...)
			if err != nil {
				return nil, err
			}
			if err := cli.wait(30 * time.Second); err != nil {
				return nil, fmt.Errorf("interop client %s: %v; %s", tc, err, cli.errText())
			}
		}
	} else {
		if tool, err = tracedClients(o, addr); err != nil {
			return nil, err
		}
	}
	time.Sleep(300 * time.Millisecond)
	if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil && o.side == "server" {
		return nil, fmt.Errorf("gogrpctrace: %v; %s", err, tool.errText())
	}
	px.stop(syscall.SIGTERM, time.Second)
	res := &interopResult{lines: tool.lines()}
	if res.rpcs, err = readRPCs(res.lines); err != nil {
		return nil, err
	}
	if res.wire, err = readWire(wirePath); err != nil {
		return nil, err
	}
	return res, nil
}

// tracedClients starts one interop client per case, each held at its
// first instruction (ptrace stops it at exec) until the tool has attached
// to all of them; then runs them one after the other. The tool ends by
// itself when the last one exits; it is returned for its output.
func tracedClients(o interopRun, addr string) (*proc, error) {
	runtime.LockOSThread() // ptrace: one tracer thread
	defer runtime.UnlockOSThread()
	var cmds []*exec.Cmd
	var errs []*strings.Builder
	defer func() {
		for _, c := range cmds {
			if c.ProcessState == nil {
				syscall.Kill(c.Process.Pid, syscall.SIGKILL)
				syscall.PtraceDetach(c.Process.Pid)
				c.Wait()
			}
		}
	}()
	targs := []string{}
	for _, tc := range o.cases {
		c := exec.Command(interopBin(o.cell, "client"), clientArgs(addr, o.tls, tc)...)
		c.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
		e := &strings.Builder{}
		c.Stderr = e
		if err := c.Start(); err != nil {
			return nil, err
		}
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(c.Process.Pid, &ws, 0, nil); err != nil || !ws.Stopped() {
			return nil, fmt.Errorf("interop client did not stop at exec: %v %v", err, ws)
		}
		cmds = append(cmds, c)
		errs = append(errs, e)
		targs = append(targs, "-p", fmt.Sprint(c.Process.Pid))
	}
	tool, err := startToolIn("json", toolStartTimeout, append(targs, o.args...)...)
	if err != nil {
		return nil, err
	}
	for i, c := range cmds {
		if err := syscall.PtraceDetach(c.Process.Pid); err != nil {
			tool.stop(syscall.SIGKILL, time.Second)
			return nil, fmt.Errorf("detach: %v", err)
		}
		if err := c.Wait(); err != nil {
			tool.stop(syscall.SIGKILL, time.Second)
			return nil, fmt.Errorf("interop client %s: %v; %s", o.cases[i], err, errs[i])
		}
	}
	return tool, nil
}

// check: one traced call per stream on the wire (matched by the
// connection's addresses), each matching; with TLS, every call says so.
func (o interopRun) check(r *interopResult) error {
	if o.tls {
		if len(r.rpcs) == 0 {
			return fmt.Errorf("no call traced")
		}
		for i, x := range r.rpcs {
			if x.TLS == nil || !*x.TLS {
				return fmt.Errorf("call %d %s: tls %v, want true; tool:\n  %s", i, x.Method, fmtBoolPtr(x.TLS), strings.Join(r.lines, "\n  "))
			}
		}
		return nil
	}
	if len(r.rpcs) != len(r.wire) {
		var ws []string
		for _, w := range r.wire {
			ws = append(ws, w.String())
		}
		return fmt.Errorf("traced %d calls, the wire had %d:\n  %s\ntool:\n  %s", len(r.rpcs), len(r.wire),
			strings.Join(ws, "\n  "), strings.Join(r.lines, "\n  "))
	}
	used := make([]bool, len(r.rpcs))
	for _, w := range r.wire {
		found := false
		// By the connection's address: the proxy's toward the server is
		// the server's peer; the client's own is the client's local. A
		// client call reset before any response has learned no address
		// (only response headers carry them): then by method, among
		// those.
		for pass := 0; pass < 2 && !found; pass++ {
			for i, x := range r.rpcs {
				addr, want := x.Peer, w.upstream
				if o.side == "client" {
					addr, want = x.Local, w.client
				}
				if used[i] || pass == 0 && addr != want || pass == 1 && (addr != "" || x.Method != w.method) {
					continue
				}
				if err := matchWire(o.side, o.tls, w, x); err != nil {
					return fmt.Errorf("%s: %v", w, err)
				}
				used[i], found = true, true
				break
			}
		}
		if !found {
			var same []string
			for _, l := range r.lines {
				if strings.Contains(l, `"method":"`+w.method+`"`) {
					same = append(same, l)
				}
			}
			return fmt.Errorf("%s (client %s, upstream %s): no traced call on its connection; of its method:\n  %s",
				w, w.client, w.upstream, strings.Join(same, "\n  "))
		}
	}
	return nil
}

// The interop cases that end early, and the baseline ones.
var (
	interopEarly    = []string{"cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "unimplemented_service"}
	interopBaseline = []string{"empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong"}
)

func repeated(cases []string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, cases...)
	}
	return out
}

func registerInterop() {
	// The same rules on made-up events, without root (tests/unit/events.c).
	register("unit", "events/only-what-happened", false, func() error { return runCheck("check-events") })
	for _, cell := range interopCells {
		for _, side := range []string{"server", "client"} {
			cell, side := cell, side
			// unimplemented_service raced 1 run in 7 (its request's DATA
			// read after the server's answer): seven runs of it on the
			// server. A traced client is a process of its own, and each
			// costs the tool about 1.5 s to let go of: fewer there.
			cases := append(append([]string{}, interopBaseline...), interopEarly...)
			cases = append(cases, repeated([]string{"unimplemented_service"}, 6)...)
			if side == "client" {
				cases = append(append([]string{"empty_unary"}, interopEarly...), repeated([]string{"unimplemented_service"}, 2)...)
			}
			register("runtime", "interop/"+cell+"/"+side, true, func() error {
				o := interopRun{cell: cell, side: side, cases: cases}
				r, err := o.run()
				if err != nil {
					return err
				}
				return o.check(r)
			})
			register("runtime", "interop/"+cell+"/"+side+"/tls", true, func() error {
				o := interopRun{cell: cell, side: side, tls: true, cases: append([]string{"empty_unary"}, interopEarly...)}
				r, err := o.run()
				if err != nil {
					return err
				}
				return o.check(r)
			})
		}
	}
}

func init() { extraRegistrations = append(extraRegistrations, registerInterop) }

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprint(*b)
}

func fmtIntPtr(n *int) string {
	if n == nil {
		return "none"
	}
	return fmt.Sprint(*n)
}
