package main

// Runtime tests: HTTP served or made by net/http (HTTP/1.1 and its bundled
// HTTP/2) and by golang.org/x/net/http2, and gRPC served through
// http.Server with grpc-go's ServeHTTP. h2server (no grpc-go in it) or
// h2server-grpc talks with h2client or grpcclient in one mode; the tool
// traces one side, and every request it prints must equal, field by field,
// what the client says happened:
//   http/<cell>/<mode>/<side>    scenario all, for each mode of httpModes
//   http/<cell>/<mode>/upload-<side>  (newest cell) a body of unknown length, a DELETE
//   http/<cell>/strip/<mode>/<side>   the same programs run through strip
//   http/protocol/...            which requests --protocol and its default print

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"time"

	"gogrpctrace/tests/targets/records"
)

func init() { extraRegistrations = append(extraRegistrations, registerHTTP) }

// httpMode is one way the test server and client talk, and how the tool
// must name it.
type httpMode struct {
	name   string
	server []string // h2server (or h2server-grpc) flags
	client []string // h2client (or grpcclient) flags
	grpc   bool     // h2server-grpc -grpc with grpcclient: rpc lines, not http lines
	stack  string   // "stack" of every line, and h2server's Served-By
	proto  string
	tls    bool
	// x/net's transport with AllowHTTP (h2c) kept stream 1 for an Upgrade
	// and began at 3, up to at least v0.26 (in the cells: 2020-10, v0.7.0,
	// v0.9.0, v0.26.0); later ones begin at 1.
	allowHTTP bool
}

var httpModes = []httpMode{
	{name: "h2-tls", server: []string{"-tls"}, client: []string{"-tls"}, stack: "net/http h2", proto: "HTTP/2.0", tls: true},
	{name: "h2c", server: []string{"-h2c"}, client: []string{"-h2c"}, stack: "x/net h2", proto: "HTTP/2.0", allowHTTP: true},
	{name: "xnet-tls", server: []string{"-xnet-tls"}, client: []string{"-xnet-tls"}, stack: "x/net h2", proto: "HTTP/2.0", tls: true},
	{name: "h1", stack: "net/http h1", proto: "HTTP/1.1"},
	{name: "h1-tls", server: []string{"-tls"}, client: []string{"-tls", "-http1"}, stack: "net/http h1", proto: "HTTP/1.1", tls: true},
	{name: "grpc-tls", server: []string{"-grpc", "-tls"}, client: []string{"-tls"}, grpc: true, stack: "net/http h2", proto: "HTTP/2.0", tls: true},
	{name: "grpc-h2c", server: []string{"-grpc", "-h2c"}, grpc: true, stack: "x/net h2", proto: "HTTP/2.0"},
	{name: "grpc-xnet-tls", server: []string{"-grpc", "-xnet-tls"}, client: []string{"-tls"}, grpc: true, stack: "x/net h2", proto: "HTTP/2.0", tls: true},
}

func httpModeNamed(name string) httpMode {
	for _, m := range httpModes {
		if m.name == name {
			return m
		}
	}
	panic("no HTTP mode " + name)
}

// httpTrace is one {"type":"http"} line of gogrpctrace --json.
type httpTrace struct {
	Type        string            `json:"type"`
	TS          string            `json:"ts"`
	Pid         int               `json:"pid"`
	Side        string            `json:"side"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Authority   string            `json:"authority"`
	Peer        string            `json:"peer"`
	Local       string            `json:"local"`
	TLS         bool              `json:"tls"`
	Stack       string            `json:"stack"`
	Proto       string            `json:"proto"`
	StreamID    int               `json:"stream_id"`
	Complete    bool              `json:"complete"`
	HTTPStatus  *int              `json:"http_status"`
	DurationUs  float64           `json:"duration_us"`
	ReqBytes    *int64            `json:"req_bytes"`
	RespBytes   *int64            `json:"resp_bytes"`
	ReqHeaders  map[string]string `json:"req_headers"`
	RespHeaders map[string]string `json:"resp_headers"`
	Trailers    map[string]string `json:"trailers"`
	Truncated   bool              `json:"truncated"`
	SizesExact  bool              `json:"sizes_exact"`
	ReadErrors  bool              `json:"read_errors"`
}

// httpOpts is one run.
type httpOpts struct {
	cell     cell
	mode     httpMode
	side     string   // "server" or "client": the process the tool traces
	scenario string   // the client's -scenario
	args     []string // more tool arguments
	server   string   // server program; "" = h2server, or h2server-grpc for a gRPC mode
	variant  string   // "" or a stripped form of both programs (see variantBin)
}

// httpResult is what one run produced: the client's lines and the tool's.
type httpResult struct {
	addr    string // the server's
	pid     int    // the traced process
	calls   []records.HTTPCall
	grpc    []records.Call
	https   []httpTrace // in the order of their "ts"
	rpcs    []stackedRPC
	sum     *summary
	toolErr string
}

// stackedRPC is an rpc line with the fields matchCall does not know.
type stackedRPC struct {
	rpc
	TS    string `json:"ts"`
	Stack string `json:"stack"`
}

// runHTTP plays one scenario with the tool on one side and sorts what
// the client and the tool printed.
func runHTTP(o httpOpts) (*httpResult, error) {
	srvProg, cliProg := "h2server", "h2client"
	if o.mode.grpc {
		srvProg, cliProg = "h2server-grpc", "grpcclient"
	}
	if o.server != "" {
		srvProg = o.server
	}
	cliArgs := append([]string{"-scenario", o.scenario, "-sleep-after", "300ms"}, o.mode.client...)
	srvBin, err := variantBin(o.cell, srvProg, o.variant)
	if err != nil {
		return nil, err
	}
	cliBin, err := variantBin(o.cell, cliProg, o.variant)
	if err != nil {
		return nil, err
	}
	t, err := traceProcs(srvBin, o.mode.server, cliBin, cliArgs, o.side, o.args)
	if t == nil {
		return nil, err
	}
	res := &httpResult{addr: t.addr, pid: t.srvPid, toolErr: t.toolErr}
	if o.side == "client" {
		res.pid = t.cliPid
	}
	if err != nil {
		return res, err
	}
	if err := res.readClient(t.cliLines, o.mode); err != nil {
		return res, err
	}
	return res, res.readTool(t.toolLines)
}

// readClient collects the client's lines and checks that the programs
// really ran the mode: the protocol, and the server's own Served-By.
func (r *httpResult) readClient(lines []string, m httpMode) error {
	for _, l := range lines {
		var c records.HTTPCall
		if json.Unmarshal([]byte(l), &c) != nil {
			continue
		}
		switch {
		case c.Type == "http" && (c.Proto != m.proto || c.ServedBy != m.stack):
			return fmt.Errorf("mode %s is not what it claims: %s %s went %s, served by %q", m.name, c.Method, c.Path, c.Proto, c.ServedBy)
		case c.Type == "http":
			r.calls = append(r.calls, c)
		case c.Type == "call":
			var g records.Call
			if err := json.Unmarshal([]byte(l), &g); err != nil {
				return fmt.Errorf("bad client line %q: %v", l, err)
			}
			r.grpc = append(r.grpc, g)
		}
	}
	if len(r.calls)+len(r.grpc) == 0 {
		return fmt.Errorf("the client reported no requests")
	}
	return nil
}

// readTool sorts the tool's lines by type, and the requests by "ts": a
// line comes when the tool sees a request end, which for a request
// without a body may be after the next one's. Each line must be JSON.
func (r *httpResult) readTool(lines []string) error {
	for _, l := range lines {
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &head); err != nil {
			return fmt.Errorf("gogrpctrace printed a line that is not JSON: %q", l)
		}
		var err error
		switch head.Type {
		case "http":
			var h httpTrace
			err = json.Unmarshal([]byte(l), &h)
			r.https = append(r.https, h)
		case "rpc":
			var x stackedRPC
			err = json.Unmarshal([]byte(l), &x)
			r.rpcs = append(r.rpcs, x)
		case "summary":
			r.sum = &summary{}
			err = json.Unmarshal([]byte(l), r.sum)
		}
		if err != nil {
			return fmt.Errorf("bad %s line %q: %v", head.Type, l, err)
		}
	}
	if r.sum == nil {
		return fmt.Errorf("no summary line; stderr: %s", r.toolErr)
	}
	sort.SliceStable(r.https, func(i, j int) bool { return tsBefore(r.https[i].TS, r.https[j].TS) })
	sort.SliceStable(r.rpcs, func(i, j int) bool { return tsBefore(r.rpcs[i].TS, r.rpcs[j].TS) })
	return nil
}

// tsBefore compares two "ts" values as times (RFC 3339), else as text.
func tsBefore(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA != nil || errB != nil {
		return a < b
	}
	return ta.Before(tb)
}

// traced lists the requests the tool printed, for error messages.
func (r *httpResult) traced() string {
	var s []string
	for _, h := range r.https {
		status := "-"
		if h.HTTPStatus != nil {
			status = fmt.Sprint(*h.HTTPStatus)
		}
		s = append(s, h.Method+" "+h.Path+" "+status)
	}
	for _, x := range r.rpcs {
		s = append(s, x.Method)
	}
	return "traced: [" + strings.Join(s, ", ") + "]"
}

// xHeaders keeps the x- keys, lower-cased, as the clients report them.
func xHeaders(h map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		if k = strings.ToLower(k); strings.HasPrefix(k, "x-") {
			m[k] = v
		}
	}
	return m
}

// httpFacts are the fields of a request that must match exactly.
type httpFacts struct {
	Side, Method, Path, Stack, Proto string
	TLS, Complete                    bool
	Status                           int
	ReqBytes, RespBytes              int64
}

// matchHTTP compares the i-th traced request with the client's account.
func matchHTTP(o httpOpts, r *httpResult, i int, want records.HTTPCall, got httpTrace) error {
	status := -1
	if got.HTTPStatus != nil {
		status = *got.HTTPStatus
	}
	// HTTP/1.x bodies of unknown length (chunked) are not counted: the
	// tool says null, and that the sizes are not exact.
	wantReq, wantResp := want.ReqBytes, want.RespBytes
	h1 := o.mode.stack == "net/http h1"
	unknownReq := h1 && chunkedRequest(o, want)
	unknownResp := h1 && o.side == "client" && chunkedResponse(want)
	if unknownReq {
		wantReq = -1
	}
	if unknownResp {
		wantResp = -1
	}
	g := httpFacts{got.Side, got.Method, got.Path, got.Stack, got.Proto, got.TLS, got.Complete, status, sizeOr(got.ReqBytes), sizeOr(got.RespBytes)}
	w := httpFacts{o.side, want.Method, want.Path, o.mode.stack, o.mode.proto, o.mode.tls, true, want.Status, wantReq, wantResp}
	if g != w {
		return fmt.Errorf("got %+v, want %+v", g, w)
	}
	if got.SizesExact == (unknownReq || unknownResp) || got.ReadErrors || got.Truncated {
		return fmt.Errorf("sizes_exact=%v read_errors=%v truncated=%v", got.SizesExact, got.ReadErrors, got.Truncated)
	}
	if h1 {
		// net/http keeps HTTP/1.x headers in Go maps, which the BPF
		// side does not walk: the line carries none.
		if len(got.ReqHeaders)+len(got.RespHeaders)+len(got.Trailers) != 0 {
			return fmt.Errorf("HTTP/1.x line with headers: %v %v %v", got.ReqHeaders, got.RespHeaders, got.Trailers)
		}
		return nil
	}
	for _, h := range []struct {
		what      string
		got, want map[string]string
	}{{"req_headers", got.ReqHeaders, want.ReqHeader}, {"resp_headers", got.RespHeaders, want.RespHeader}, {"trailers", got.Trailers, want.Trailer}} {
		if x := xHeaders(h.got); !reflect.DeepEqual(x, xHeaders(h.want)) {
			return fmt.Errorf("x- keys of %s %v, want %v", h.what, x, h.want)
		}
	}
	// One connection, requests one after another: HTTP/2 streams 1, 3, 5...
	first := 1
	if o.mode.allowHTTP && r.https[0].StreamID == 3 {
		first = 3
	}
	if o.mode.proto == "HTTP/2.0" && got.StreamID != first+2*i {
		return fmt.Errorf("stream_id %d, want %d", got.StreamID, first+2*i)
	}
	if got.Pid != r.pid || got.Authority != r.addr || got.DurationUs <= 0 {
		return fmt.Errorf("pid %d authority %q duration_us %v, want %d, %q, > 0", got.Pid, got.Authority, got.DurationUs, r.pid, r.addr)
	}
	// The client's peer is the server; the server's is the client's
	// ephemeral port on loopback.
	if o.side == "client" && (got.Peer != r.addr || !strings.HasPrefix(got.Local, "127.0.0.1:")) ||
		o.side == "server" && (got.Local != r.addr || !strings.HasPrefix(got.Peer, "127.0.0.1:")) {
		return fmt.Errorf("peer %q local %q on the %s side of %s", got.Peer, got.Local, o.side, r.addr)
	}
	return nil
}

func sizeOr(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// chunkedResponse: the routes that send no Content-Length, so HTTP/1.1
// sends them chunked (an echo streams its body back).
func chunkedResponse(c records.HTTPCall) bool {
	return c.Method != "HEAD" && c.Status != 204 && c.Status != 304 &&
		(strings.HasPrefix(c.Path, "/chunked/") || c.Path == "/echo" || c.Path == "/trailer")
}

// chunkedRequest: a request body of unknown length (the upload scenario).
func chunkedRequest(o httpOpts, c records.HTTPCall) bool {
	return o.scenario == "upload" && c.Method == "POST"
}

// expectHTTP: one http line per client request, in order, each matching,
// all on the client's one connection; no rpc line; an honest summary.
func expectHTTP(o httpOpts, r *httpResult) error {
	if len(r.rpcs) != 0 || len(r.https) != len(r.calls) {
		return fmt.Errorf("traced %d http and %d rpc lines, want %d and 0 (%s); tool stderr: %s", len(r.https), len(r.rpcs), len(r.calls), r.traced(), r.toolErr)
	}
	for i := range r.calls {
		if err := matchHTTP(o, r, i, r.calls[i], r.https[i]); err != nil {
			return fmt.Errorf("request %d (%s %s): %v; %s", i+1, r.calls[i].Method, r.calls[i].Path, err, r.traced())
		}
		if a, b := r.https[i], r.https[0]; a.Peer != b.Peer || a.Local != b.Local {
			return fmt.Errorf("request %d on %s-%s, request 1 on %s-%s: the client used one connection", i+1, a.Local, a.Peer, b.Local, b.Peer)
		}
	}
	return checkHonest(r.sum)
}

// expectGRPC: one rpc line per grpcclient call, as grpc-go's own transport
// would give (matchCall), with the HTTP/2 stack that carried it.
func expectGRPC(o httpOpts, r *httpResult) error {
	if len(r.https) != 0 || len(r.rpcs) != len(r.grpc) {
		return fmt.Errorf("traced %d rpc and %d http lines, want %d and 0 (%s); tool stderr: %s", len(r.rpcs), len(r.https), len(r.grpc), r.traced(), r.toolErr)
	}
	for i := range r.grpc {
		if err := matchCall(o.side, o.mode.tls, r.addr, r.grpc[i], r.rpcs[i].rpc); err != nil {
			return fmt.Errorf("call %d: %v", i, err)
		}
		if r.rpcs[i].Stack != o.mode.stack {
			return fmt.Errorf("call %d (%s): stack %q, want %q", i, r.grpc[i].Method, r.rpcs[i].Stack, o.mode.stack)
		}
	}
	return checkHonest(r.sum)
}

// expectNothing: the client's requests happened and none was printed.
func expectNothing(o httpOpts, r *httpResult) error {
	if len(r.https) != 0 || len(r.rpcs) != 0 {
		return fmt.Errorf("traced %d http and %d rpc lines, want none (%s)", len(r.https), len(r.rpcs), r.traced())
	}
	return checkHonest(r.sum)
}

// oldXNetClient: golang.org/x/net before its 2021 rewrite of the HTTP/2
// client, which has no clientStream.encodeAndWriteHeaders, where the tool
// learns a request's stream: its client side is not traced, and the tool
// must say so instead of staying silent.
func oldXNetClient(c cell, m httpMode, side string) bool {
	return side == "client" && m.stack == "x/net h2" && !m.grpc &&
		(strings.HasPrefix(c.xnet, "v0.0.0-2019") || strings.HasPrefix(c.xnet, "v0.0.0-2020"))
}

func expectSilentWithReason(o httpOpts, r *httpResult) error {
	if err := expectNothing(o, r); err != nil {
		return err
	}
	if !strings.Contains(r.toolErr, "x/net h2 client calls will not be shown: function golang.org/x/net/http2.(*clientStream).encodeAndWriteHeaders") {
		return fmt.Errorf("no warning that x/net's client calls are not shown; stderr: %s", r.toolErr)
	}
	return nil
}

// httpCase registers one run and its check.
func httpCase(name string, o httpOpts, expect func(httpOpts, *httpResult) error) {
	register("runtime", "http/"+name, true, func() error {
		r, err := runHTTP(o)
		if err != nil {
			return err
		}
		return expect(o, r)
	})
}

// xnetWrapped: golang.org/x/net releases of 2026 built with Go 1.27 or
// newer serve and send HTTP/2 through net/http's own implementation
// (net/http/internal/http2): x/net's serverConn is not linked in, and its
// modes run "net/http h2", as h2server's Served-By confirms.
func xnetWrapped(c cell) bool {
	f, err := elf.Open(targetBin(c, "h2server"))
	if err != nil {
		return false
	}
	defer f.Close()
	syms, _ := f.Symbols()
	for _, s := range syms {
		if s.Name == "golang.org/x/net/http2.(*serverConn).processHeaders" {
			return false
		}
	}
	return len(syms) > 0
}

// cellModes are httpModes as they run in cell c.
func cellModes(c cell) []httpMode {
	wrapped := xnetWrapped(c)
	out := make([]httpMode, len(httpModes))
	for i, m := range httpModes {
		if wrapped && m.stack == "x/net h2" {
			m.stack = "net/http h2"
		}
		out[i] = m
	}
	return out
}

func cellModeNamed(c cell, name string) httpMode {
	for _, m := range cellModes(c) {
		if m.name == name {
			return m
		}
	}
	panic("no http mode " + name)
}

func registerHTTP() {
	for _, c := range cells {
		for _, m := range cellModes(c) {
			sides, expect := []string{"server", "client"}, expectHTTP
			if m.grpc {
				// The client is grpc-go's own transport: trace/ covers it.
				sides, expect = []string{"server"}, expectGRPC
			}
			for _, side := range sides {
				o := httpOpts{cell: c, mode: m, side: side, scenario: "all"}
				if oldXNetClient(c, m, side) {
					httpCase(c.name+"/"+m.name+"/"+side, o, expectSilentWithReason)
					continue
				}
				httpCase(c.name+"/"+m.name+"/"+side, o, expect)
			}
		}
	}
	// Stripped programs (no symbol table, no DWARF): the offsets table and
	// the runtime's own tables must give the same lines, in every cell.
	for _, c := range cells {
		for _, name := range []string{"h2-tls", "xnet-tls", "h1", "grpc-tls"} {
			m := cellModeNamed(c, name)
			sides, expect := []string{"server", "client"}, expectHTTP
			if m.grpc {
				sides, expect = []string{"server"}, expectGRPC
			}
			for _, side := range sides {
				o := httpOpts{cell: c, mode: m, side: side, scenario: "all", variant: "strip"}
				if oldXNetClient(c, m, side) {
					httpCase(c.name+"/strip/"+m.name+"/"+side, o, expectSilentWithReason)
					continue
				}
				httpCase(c.name+"/strip/"+m.name+"/"+side, o, expect)
			}
		}
	}
	newest := cells[0]
	for _, m := range cellModes(newest) {
		if m.grpc {
			continue
		}
		for _, side := range []string{"server", "client"} {
			o := httpOpts{cell: newest, mode: m, side: side, scenario: "upload"}
			httpCase(newest.name+"/"+m.name+"/upload-"+side, o, expectHTTP)
		}
	}
	// --protocol grpc on a program without gRPC: its requests are not
	// printed, whatever the stack.
	for _, name := range []string{"h2-tls", "h2c", "h1"} {
		m := cellModeNamed(newest, name)
		o := httpOpts{cell: newest, mode: m, side: "server", scenario: "all", args: []string{"--protocol", "grpc"}}
		// Named after the stack the mode runs up to Go 1.26.
		stack := httpModeNamed(name).stack
		httpCase("protocol/grpc/"+strings.NewReplacer("/", "", " ", "-").Replace(stack), o, expectNothing)
	}
	// The default is grpc in a process that links grpc-go, all in one
	// that does not. h2server links none: every http/<cell>/<mode>/server
	// case runs with the default. h2server-grpc links grpc-go, so its
	// plain requests are printed only with --protocol all or http.
	h2 := cellModeNamed(newest, "h2-tls")
	httpCase("protocol/default/grpc-go-linked", httpOpts{cell: newest, mode: h2, side: "server", scenario: "all", server: "h2server-grpc"}, expectNothing)
	for _, p := range []string{"all", "http"} {
		o := httpOpts{cell: newest, mode: h2, side: "server", scenario: "all", server: "h2server-grpc", args: []string{"--protocol", p}}
		httpCase("protocol/"+p+"/grpc-go-linked", o, expectHTTP)
	}
}

// ---- traceRun's start-up and collection, for any programs and flags.
// They belong in runtime.go, where traceRun could use them too. ----

// tracedProcs is a finished run: the server's address, the two pids, and
// what the client and the tool printed.
type tracedProcs struct {
	addr           string
	srvPid, cliPid int
	srvLines       []string
	cliLines       []string
	toolLines      []string
	toolErr        string
}

// traceProcs starts the server, then the client (with -addr and a
// -wait-file added to cliArgs), then the tool on side ("server", "client"
// or "both"); once the tool has started, the client runs. It returns when
// the client is done and the tool has ended with SIGINT. With an error
// after the run, the result is returned too, for its stderr.
func traceProcs(srvBin string, srvArgs []string, cliBin string, cliArgs []string, side string, toolArgs []string) (*tracedProcs, error) {
	return traceProcsIn("json", srvBin, srvArgs, cliBin, cliArgs, side, toolArgs)
}

// traceProcsIn is traceProcs with the tool's output "json" or "text".
func traceProcsIn(mode string, srvBin string, srvArgs []string, cliBin string, cliArgs []string, side string, toolArgs []string) (*tracedProcs, error) {
	srv, addr, err := startListening(srvBin, srvArgs...)
	if err != nil {
		return nil, err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	flag := tempFlag()
	defer os.Remove(flag)
	cli, err := start(cliBin, append([]string{"-addr", addr, "-wait-file", flag}, cliArgs...)...)
	if err != nil {
		return nil, err
	}
	defer cli.stop(syscall.SIGKILL, time.Second)
	t := &tracedProcs{addr: addr, srvPid: srv.pid(), cliPid: cli.pid()}
	targs := []string{}
	if side != "client" {
		targs = append(targs, "-p", fmt.Sprint(t.srvPid))
	}
	if side != "server" {
		targs = append(targs, "-p", fmt.Sprint(t.cliPid))
	}
	tool, err := startToolIn(mode, toolStartTimeout, append(targs, toolArgs...)...)
	if err != nil {
		return nil, err
	}
	defer tool.stop(syscall.SIGKILL, time.Second)
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		return nil, err
	}
	cliErr := cli.wait(120 * time.Second)
	toolErr := endTool(tool, 15*time.Second)
	t.srvLines, t.cliLines, t.toolLines, t.toolErr = srv.lines(), cli.lines(), tool.lines(), tool.errText()
	for _, l := range t.toolLines {
		if !strings.HasPrefix(l, "{") {
			continue // a run in text mode
		}
		if err := checkJSONLine(l); err != nil {
			return t, err
		}
	}
	if cliErr != nil {
		return t, fmt.Errorf("%s failed: %v; %s", cliBin, cliErr, cli.errText())
	}
	if toolErr != nil {
		return t, fmt.Errorf("gogrpctrace exited with %v: %s", toolErr, t.toolErr)
	}
	return t, nil
}
