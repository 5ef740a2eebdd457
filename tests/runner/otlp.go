package main

// Calls as OpenTelemetry spans (issue #18, part 2). A real backend: Jaeger
// (build/jaeger, the jaeger program of github.com/jaegertracing/jaeger
// v1.76.0, built by tests/setup.sh from tests/otlp), run with its default
// configuration (OTLP receiver and in-memory storage on loopback),
// receives the spans of a traced run; each is read back through Jaeger's
// query API and held to what the client did and what the tool printed:
// name, kind, status, attributes, times, the process, and the parent the
// call's traceparent or grpc-trace-bin names. And when the receiver is
// down or too slow: spans counted as dropped, every call still printed.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gogrpctrace/tests/targets/records"
)

func init() { extraRegistrations = append(extraRegistrations, registerOTLP) }

func registerOTLP() {
	register("unit", "otlp/spans", false, func() error { return runCheck("check-otlp") })
	register("runtime", "otlp/jaeger/server", true, func() error { return otlpJaeger("server") })
	register("runtime", "otlp/jaeger/client", true, func() error { return otlpJaeger("client") })
	register("runtime", "otlp/jaeger/http", true, otlpJaegerHTTP)
	register("runtime", "otlp/receiver-down", true, otlpReceiverDown)
	register("runtime", "otlp/receiver-slow", true, otlpReceiverSlow)
	register("runtime", "otlp/queue-full", true, otlpQueueFull)
}

const (
	jaegerQuery = "http://127.0.0.1:16686"
	jaegerOTLP  = "http://127.0.0.1:4318"
)

// The trace contexts grpcclient's "traced" scenario sends (its
// scenarios.go): trace ID and parent span ID per call, "" for none.
var tracedParents = []struct{ trace, parent string }{
	{"0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"},
	{"112233445566778899aabbccddeeff01", "0102030405060708"},
	{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"},
	{"", ""},
}

type jaegerTag struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
}

type jaegerSpan struct {
	TraceID       string      `json:"traceID"`
	SpanID        string      `json:"spanID"`
	OperationName string      `json:"operationName"`
	StartTime     int64       `json:"startTime"` // µs
	Duration      int64       `json:"duration"`  // µs
	Tags          []jaegerTag `json:"tags"`
	ProcessID     string      `json:"processID"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
}

type jaegerProcess struct {
	ServiceName string      `json:"serviceName"`
	Tags        []jaegerTag `json:"tags"`
}

func tag(tags []jaegerTag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return fmt.Sprint(t.Value), true
		}
	}
	return "", false
}

func startJaeger() (*proc, error) {
	bin := filepath.Join(repoRoot, "build", "jaeger")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("no Jaeger (tests/setup.sh builds it): %v", err)
	}
	j, err := start(bin)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(jaegerQuery + "/api/services")
		if err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", "127.0.0.1:4318", time.Second); err == nil {
				c.Close()
				return j, nil
			}
		}
		if time.Now().After(deadline) {
			j.stop(syscall.SIGKILL, time.Second)
			return nil, fmt.Errorf("Jaeger did not come up: %v; stderr: %.2000s", err, j.errText())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// jaegerTraces polls the query API until want spans of service are there.
func jaegerTraces(service string, want int) ([]jaegerSpan, map[string]jaegerProcess, error) {
	var body struct {
		Data []struct {
			Spans     []jaegerSpan             `json:"spans"`
			Processes map[string]jaegerProcess `json:"processes"`
		} `json:"data"`
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(jaegerQuery + "/api/traces?limit=1000&lookback=1h&service=" + service)
		if err != nil {
			return nil, nil, err
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			return nil, nil, err
		}
		var spans []jaegerSpan
		procs := map[string]jaegerProcess{}
		for _, t := range body.Data {
			for _, s := range t.Spans {
				p := t.Processes[s.ProcessID]
				s.ProcessID = s.TraceID + "/" + s.ProcessID
				procs[s.ProcessID] = p
				spans = append(spans, s)
			}
		}
		if len(spans) >= want || time.Now().After(deadline) {
			return spans, procs, nil
		}
		time.Sleep(300 * time.Millisecond)
	}
}

type otlpSummary struct {
	Type          string  `json:"type"`
	Exported      *uint64 `json:"spans_exported"`
	DroppedFull   *uint64 `json:"spans_dropped_full"`
	DroppedFailed *uint64 `json:"spans_dropped_failed"`
	LastError     *string `json:"spans_last_error"`
}

// otlpRun: the newest cell's server (started by serverArgv, nil: as
// is) and client running scenario, one side traced with toolArgs.
type otlpRun struct {
	scenario   string
	side       string
	serverArgv []string
	toolArgs   []string
}

type otlpResult struct {
	tracedPid int
	calls     []records.Call // the client's account
	rpcs      []rpc          // the tool's lines, as many as calls
	lines     []string
	sum       otlpSummary
}

// tracedRun runs o; every line of the tool is checked against the schema.
func tracedRun(o otlpRun) (*otlpResult, error) {
	argv := o.serverArgv
	if argv == nil {
		argv = []string{targetBin(cells[0], "grpcserver")}
	}
	srv, addr, err := startListening(argv[0], argv[1:]...)
	if err != nil {
		return nil, err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	flag := tempFlag()
	defer os.Remove(flag)
	cli, err := start(targetBin(cells[0], "grpcclient"), "-addr", addr, "-scenario", o.scenario, "-wait-file", flag)
	if err != nil {
		return nil, err
	}
	defer cli.stop(syscall.SIGKILL, time.Second)
	res := &otlpResult{tracedPid: srv.pid()}
	if o.side == "client" {
		res.tracedPid = cli.pid()
	}
	tool, err := startToolIn("json", toolStartTimeout, append([]string{"-p", fmt.Sprint(res.tracedPid)}, o.toolArgs...)...)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		return nil, err
	}
	if err := cli.wait(30 * time.Second); err != nil {
		tool.stop(syscall.SIGKILL, time.Second)
		return nil, err
	}
	if err := endTool(tool, 30*time.Second); err != nil {
		return nil, fmt.Errorf("%v: %s", err, tool.errText())
	}
	for _, l := range tool.lines() {
		if err := checkJSONLine(l); err != nil {
			return nil, err
		}
		var r rpc
		if json.Unmarshal([]byte(l), &r) == nil && r.Type == "rpc" {
			res.rpcs = append(res.rpcs, r)
			res.lines = append(res.lines, l)
		}
		var s otlpSummary
		if json.Unmarshal([]byte(l), &s) == nil && s.Type == "summary" {
			res.sum = s
		}
	}
	if res.sum.Exported == nil || res.sum.DroppedFull == nil || res.sum.DroppedFailed == nil || res.sum.LastError == nil {
		return nil, fmt.Errorf("the summary has no span counts: %q", tool.lines())
	}
	for _, l := range cli.lines() {
		var c records.Call
		if json.Unmarshal([]byte(l), &c) == nil && c.Type == "call" {
			res.calls = append(res.calls, c)
		}
	}
	if len(res.rpcs) != len(res.calls) {
		return nil, fmt.Errorf("%d calls traced, the client made %d", len(res.rpcs), len(res.calls))
	}
	return res, nil
}

// otlpJaeger: the spans of one side's calls, read back from Jaeger. The
// server runs in a container's cgroup (docker-ID.scope, joined before it
// execs, as runc does): its spans' resource names the container.
func otlpJaeger(side string) error {
	mnt := cgroup2Mount()
	if mnt == "" {
		return fmt.Errorf("cgroup v2 is not mounted")
	}
	id := fmt.Sprintf("%064x", time.Now().UnixNano())
	cg := filepath.Join(mnt, fmt.Sprintf("gogrpctrace-otlp-%d", os.Getpid()), "docker-"+id+".scope")
	if err := os.MkdirAll(cg, 0o755); err != nil {
		return err
	}
	defer os.Remove(filepath.Dir(cg))
	defer os.Remove(cg)
	j, err := startJaeger()
	if err != nil {
		return err
	}
	defer j.stop(syscall.SIGTERM, 10*time.Second)
	service := fmt.Sprintf("gogrpctrace-test-%s-%d", side, time.Now().UnixNano())
	res, err := tracedRun(otlpRun{scenario: "traced", side: side,
		serverArgv: []string{"sh", "-c", `echo $$ > "$1/cgroup.procs" && exec "$0"`, targetBin(cells[0], "grpcserver"), cg},
		toolArgs:   []string{"--otlp", jaegerOTLP, "--service-name", service, "--otlp-metadata"}})
	if err != nil {
		return err
	}
	sum := res.sum
	if *sum.Exported != uint64(len(res.rpcs)) || *sum.DroppedFull != 0 || *sum.DroppedFailed != 0 || *sum.LastError != "" {
		return fmt.Errorf("spans: %d exported, %d+%d dropped (%q); want %d, 0",
			*sum.Exported, *sum.DroppedFull, *sum.DroppedFailed, *sum.LastError, len(res.rpcs))
	}
	spans, procs, err := jaegerTraces(service, len(res.rpcs))
	if err != nil {
		return err
	}
	if len(spans) != len(res.rpcs) || len(res.calls) != len(tracedParents) {
		return fmt.Errorf("Jaeger holds %d spans of %s, the tool printed %d calls, the client made %d (want %d)",
			len(spans), service, len(res.rpcs), len(res.calls), len(tracedParents))
	}
	used := map[int]bool{}
	for i, r := range res.rpcs {
		start, _ := lineTimes(res.lines[i])
		ts, err := time.Parse(time.RFC3339Nano, start)
		if err != nil {
			return err
		}
		k := -1
		for n, s := range spans {
			if !used[n] && s.StartTime == ts.UnixMicro() {
				k = n
			}
		}
		if k < 0 {
			return fmt.Errorf("call %d (%s at %v): no span starts then", i, r.Method, ts)
		}
		used[k] = true
		want := spanWant{side: side, pid: res.tracedPid, service: service, parent: tracedParents[i]}
		if side == "server" {
			want.container = id
		}
		if err := checkSpan(spans[k], procs[spans[k].ProcessID], r, res.calls[i], want, res.lines[i]); err != nil {
			return fmt.Errorf("call %d: %v", i, err)
		}
	}
	return nil
}

// lineTimes: a tool line's start ("ts") and duration_us.
func lineTimes(line string) (ts string, durationUs int64) {
	var x struct {
		Ts         string `json:"ts"`
		DurationUs int64  `json:"duration_us"`
	}
	json.Unmarshal([]byte(line), &x)
	return x.Ts, x.DurationUs
}

// spanWant: what a span's side, process and parent must be.
type spanWant struct {
	side, service, container string
	pid                      int
	parent                   struct{ trace, parent string }
}

func checkSpan(s jaegerSpan, p jaegerProcess, r rpc, want records.Call, w spanWant, line string) error {
	if s.OperationName != strings.TrimPrefix(want.Method, "/") {
		return fmt.Errorf("span name %q, method %q", s.OperationName, want.Method)
	}
	if _, printed := lineTimes(line); s.Duration-printed < -1 || s.Duration-printed > 1 {
		return fmt.Errorf("span lasts %d µs, the tool printed %d", s.Duration, printed)
	}
	host, port, _ := net.SplitHostPort(r.Authority)
	_, peerPort, _ := net.SplitHostPort(r.Peer)
	wantTags := map[string]string{
		"span.kind": w.side, "rpc.system": "grpc", "rpc.service": "gogrpctrace.test.Echo",
		"rpc.method": "Unary", "rpc.grpc.status_code": fmt.Sprint(want.GRPCStatus),
		"rpc.response.status_code": want.GRPCStatusName, "server.address": host, "server.port": port,
		"network.peer.port": peerPort, "network.transport": "tcp",
		"network.protocol.version": "2", "gogrpctrace.request.bytes": fmt.Sprint(want.ReqBytes),
		"gogrpctrace.response.bytes": fmt.Sprint(want.RespBytes), "gogrpctrace.stack": "grpc-go",
	}
	if w.side == "server" {
		wantTags["client.port"] = peerPort
	}
	// UNAVAILABLE is an error on either side, with the grpc-message; OK
	// is none.
	if want.GRPCStatus != 0 {
		wantTags["error"] = "true"
		wantTags["error.type"] = want.GRPCStatusName
		wantTags["otel.status_description"] = want.GRPCMessage
	}
	for k, v := range wantTags {
		if got, ok := tag(s.Tags, k); !ok || got != v {
			return fmt.Errorf("tag %s = %q (present %v), want %q; tags %v", k, got, ok, v, s.Tags)
		}
	}
	if want.GRPCStatus == 0 {
		if _, ok := tag(s.Tags, "error"); ok {
			return fmt.Errorf("an OK call marked as an error: %v", s.Tags)
		}
	}
	for k, v := range want.Metadata {
		if strings.HasSuffix(k, "-bin") || strings.HasPrefix(k, "x-want") {
			continue
		}
		if got, ok := tag(s.Tags, "rpc.request.metadata."+k); !ok || !strings.Contains(got, v) {
			return fmt.Errorf("metadata %s: %q, want %q", k, got, v)
		}
	}
	parent := w.parent
	switch {
	case parent.trace != "":
		if s.TraceID != parent.trace || len(s.References) != 1 || s.References[0].SpanID != parent.parent ||
			s.References[0].TraceID != parent.trace {
			return fmt.Errorf("trace %s, references %+v; want trace %s, parent %s", s.TraceID, s.References, parent.trace, parent.parent)
		}
	case len(s.References) != 0:
		return fmt.Errorf("a call with no trace context has a parent: %+v", s.References)
	}
	if p.ServiceName != w.service {
		return fmt.Errorf("service %q, want %q", p.ServiceName, w.service)
	}
	prog := "grpc" + w.side
	wantProc := map[string]string{"process.pid": fmt.Sprint(w.pid), "process.executable.path": targetBin(cells[0], prog),
		"process.executable.name": prog}
	if w.container != "" {
		wantProc["container.id"] = w.container
	}
	for k, v := range wantProc {
		if got, ok := tag(p.Tags, k); !ok || got != v {
			return fmt.Errorf("process tag %s = %q, want %q (%v)", k, got, v, p.Tags)
		}
	}
	if _, ok := tag(p.Tags, "container.id"); ok && w.container == "" {
		return fmt.Errorf("a process in no container has a container.id: %v", p.Tags)
	}
	return nil
}

// A receiver that refuses connections: every span dropped and counted,
// with the reason; every call printed all the same.
func otlpReceiverDown() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	res, err := tracedRun(otlpRun{scenario: "unary", side: "server", toolArgs: []string{"--otlp", "http://" + addr}})
	if err != nil {
		return err
	}
	rpcs, sum := res.rpcs, res.sum
	if *sum.Exported != 0 || *sum.DroppedFailed != uint64(len(rpcs)) || !strings.Contains(*sum.LastError, "refused") {
		return fmt.Errorf("receiver down: %d exported, %d dropped, last error %q; want 0, %d, refused",
			*sum.Exported, *sum.DroppedFailed, *sum.LastError, len(rpcs))
	}
	return nil
}

// slowReceiver takes requests and never answers in time; stop ends it.
func slowReceiver() (addr string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	release := make(chan struct{})
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(30 * time.Second):
		}
	})}
	go s.Serve(l)
	return l.Addr().String(), func() { close(release); s.Close() }, nil
}

// A receiver that takes the request and never answers in time.
func otlpReceiverSlow() error {
	addr, stop, err := slowReceiver()
	if err != nil {
		return err
	}
	defer stop()
	res, err := tracedRun(otlpRun{scenario: "unary", side: "client", toolArgs: []string{"--otlp", "http://" + addr}})
	if err != nil {
		return err
	}
	rpcs, sum := res.rpcs, res.sum
	if *sum.Exported != 0 || *sum.DroppedFull != 0 || *sum.DroppedFailed != uint64(len(rpcs)) ||
		!strings.Contains(*sum.LastError, "no response in time") {
		return fmt.Errorf("receiver slow: %d exported, %d+%d dropped, last error %q; want 0, 0+%d, no response in time",
			*sum.Exported, *sum.DroppedFull, *sum.DroppedFailed, *sum.LastError, len(rpcs))
	}
	return nil
}

// The queue full (four spans may wait, a hidden test flag, and the
// receiver never answers): the spans past it are dropped at once and
// counted apart; every span is accounted for, and every call printed.
func otlpQueueFull() error {
	addr, stop, err := slowReceiver()
	if err != nil {
		return err
	}
	defer stop()
	res, err := tracedRun(otlpRun{scenario: "all", side: "server",
		toolArgs: []string{"--otlp", "http://" + addr, "--test-otlp-queue", "4"}})
	if err != nil {
		return err
	}
	sum, n := res.sum, uint64(len(res.rpcs))
	if n <= 8 || *sum.Exported != 0 || *sum.DroppedFull == 0 || *sum.DroppedFull+*sum.DroppedFailed != n {
		return fmt.Errorf("queue of 4, %d calls: %d exported, %d dropped (queue full), %d dropped (failed)",
			n, *sum.Exported, *sum.DroppedFull, *sum.DroppedFailed)
	}
	return nil
}

// otlpJaegerHTTP: plain HTTP's spans, HTTP/2 over TLS traced on the server
// and HTTP/1.1 on the client, read back from Jaeger and held to the
// tool's own lines: name, kind, method, path or URL, status, protocol
// version, and an error exactly where the conventions put one (a server's
// 5xx, a client's 4xx and 5xx).
func otlpJaegerHTTP() error {
	j, err := startJaeger()
	if err != nil {
		return err
	}
	defer j.stop(syscall.SIGTERM, 10*time.Second)
	for _, run := range []struct{ mode, side, version string }{{"h2-tls", "server", "2"}, {"h1", "client", "1.1"}} {
		service := fmt.Sprintf("gogrpctrace-test-%s-%d", run.mode, time.Now().UnixNano())
		r, err := runHTTP(httpOpts{cell: cells[0], mode: httpModeNamed(run.mode), side: run.side, scenario: "all",
			args: []string{"--otlp", jaegerOTLP, "--service-name", service}})
		if err != nil {
			return err
		}
		if len(r.https) == 0 {
			return fmt.Errorf("%s: no HTTP lines", run.mode)
		}
		spans, _, err := jaegerTraces(service, len(r.https))
		if err != nil {
			return err
		}
		if len(spans) != len(r.https) {
			return fmt.Errorf("%s: Jaeger holds %d spans, the tool printed %d requests", run.mode, len(spans), len(r.https))
		}
		for i, h := range r.https {
			if err := checkHTTPSpan(spans, h, run.side, run.version); err != nil {
				return fmt.Errorf("%s request %d (%s %s): %v", run.mode, i, h.Method, h.Path, err)
			}
		}
	}
	return nil
}

func checkHTTPSpan(spans []jaegerSpan, h httpTrace, side, version string) error {
	ts, err := time.Parse(time.RFC3339Nano, h.TS)
	if err != nil {
		return err
	}
	var s *jaegerSpan
	for k := range spans {
		if spans[k].StartTime == ts.UnixMicro() && spans[k].OperationName == h.Method {
			s = &spans[k]
		}
	}
	if s == nil {
		return fmt.Errorf("no span %s starts at %v", h.Method, ts)
	}
	scheme := "http"
	if h.TLS {
		scheme = "https"
	}
	host, _, _ := net.SplitHostPort(h.Authority)
	want := map[string]string{"span.kind": side, "http.request.method": h.Method, "network.protocol.version": version,
		"server.address": host, "gogrpctrace.stack": h.Stack}
	if side == "server" {
		want["url.path"] = h.Path
		want["url.scheme"] = scheme
	} else {
		want["url.full"] = scheme + "://" + h.Authority + h.Path
	}
	failed := h.HTTPStatus == nil
	if h.HTTPStatus != nil {
		want["http.response.status_code"] = fmt.Sprint(*h.HTTPStatus)
		failed = *h.HTTPStatus >= 500 || (side == "client" && *h.HTTPStatus >= 400)
	}
	if failed && h.Complete {
		want["error"] = "true"
	}
	for k, v := range want {
		if got, ok := tag(s.Tags, k); !ok || got != v {
			return fmt.Errorf("tag %s = %q (present %v), want %q; tags %v", k, got, ok, v, s.Tags)
		}
	}
	if _, ok := tag(s.Tags, "error"); ok && !(failed && h.Complete) {
		return fmt.Errorf("status %v marked as an error: %v", h.HTTPStatus, s.Tags)
	}
	return nil
}
