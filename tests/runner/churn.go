package main

// Connection churn: every call on a connection of its own, four at a time,
// with the tool tracing the server and the client in one run. Go reuses
// the addresses of freed connection objects, and the tool keys its state by
// them: each call must still come out as exactly one line per side,
// complete, with its own request (x-seq: i, every i once; over HTTP/1,
// GET /bytes/i) and sizes.
//   churn/<cell>/<mode>   mode: grpc, grpc-tls (grpc-go both sides),
//                         h2-tls (net/http), h2c (x/net), h1 (net/http
//                         HTTP/1.1, keep-alive off), grpc-h2c (a
//                         grpc-go client, x/net's server through ServeHTTP)

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerChurn) }

// churnCalls: calls per run, each on a new connection.
const churnCalls = 5000

type churnMode struct {
	name           string
	server, client string   // programs
	srvArgs        []string // server flags
	cliArgs        []string // client flags
	grpc           bool
	httpMode       string // the http/ mode it matches, for the server's stack name
}

var churnModes = []churnMode{
	{name: "grpc", server: "grpcserver", client: "grpcclient", grpc: true},
	{name: "grpc-tls", server: "grpcserver", client: "grpcclient", srvArgs: []string{"-tls"}, cliArgs: []string{"-tls"}, grpc: true},
	{name: "h2-tls", server: "h2server", client: "h2client", srvArgs: []string{"-tls"}, cliArgs: []string{"-tls"}, httpMode: "h2-tls"},
	{name: "h2c", server: "h2server", client: "h2client", srvArgs: []string{"-h2c"}, cliArgs: []string{"-h2c"}, httpMode: "h2c"},
	{name: "h1", server: "h2server", client: "h2client", cliArgs: []string{"-churn-path", "/bytes/"}, httpMode: "h1"},
	{name: "grpc-h2c", server: "h2server-grpc", client: "grpcclient", srvArgs: []string{"-grpc", "-h2c"}, grpc: true, httpMode: "grpc-h2c"},
}

func registerChurn() {
	for _, c := range newestAndOldest("churn") {
		for _, m := range churnModes {
			c, m := c, m
			if m.name == "h2c" && oldXNetClient(c, httpModeNamed("h2c"), "client") {
				continue // that x/net's client is not traced (http/ checks it says so)
			}
			register("runtime", "churn/"+c.name+"/"+m.name, true, func() error { return churn(c, m) })
		}
	}
}

// churnLine is a line of the tool, rpc or http, with what the check needs.
type churnLine struct {
	Type       string            `json:"type"`
	Pid        int               `json:"pid"`
	Side       string            `json:"side"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Stack      string            `json:"stack"`
	Complete   bool              `json:"complete"`
	HTTPStatus *int              `json:"http_status"`
	GrpcStatus *int              `json:"grpc_status"`
	ReqBytes   *int64            `json:"req_bytes"`
	RespBytes  *int64            `json:"resp_bytes"`
	ReqMsgs    int               `json:"req_msgs"`
	RespMsgs   int               `json:"resp_msgs"`
	ReqHeaders map[string]string `json:"req_headers"`
}

func churn(c cell, m churnMode) error {
	srvBin, err := variantBin(c, m.server, "")
	if err != nil {
		return err
	}
	cliBin, err := variantBin(c, m.client, "")
	if err != nil {
		return err
	}
	cliArgs := append([]string{"-churn", fmt.Sprint(churnCalls), "-churn-workers", "4", "-sleep-after", "300ms"}, m.cliArgs...)
	t, err := traceProcs(srvBin, m.srvArgs, cliBin, cliArgs, "both", nil)
	if err != nil {
		return err
	}
	var sum *summary
	lines := map[int][]churnLine{}
	for _, l := range t.toolLines {
		var cl churnLine
		if err := json.Unmarshal([]byte(l), &cl); err != nil {
			return fmt.Errorf("gogrpctrace printed a line that is not JSON: %q", l)
		}
		switch cl.Type {
		case "rpc", "http":
			lines[cl.Pid] = append(lines[cl.Pid], cl)
		case "summary":
			sum = &summary{}
			if err := json.Unmarshal([]byte(l), sum); err != nil {
				return err
			}
		}
	}
	if sum == nil {
		return fmt.Errorf("no summary; stderr: %s", t.toolErr)
	}
	if sum.EventsLost != 0 || sum.Malformed != 0 || sum.Unfinished != 0 {
		return fmt.Errorf("summary: %d events lost, %d malformed, %d calls unfinished", sum.EventsLost, sum.Malformed, sum.Unfinished)
	}
	// grpc-go's own transport, or the stack the http/ tests name
	srvStack, cliStack := "grpc-go", "grpc-go"
	if m.httpMode != "" {
		srvStack = cellModeNamed(c, m.httpMode).stack
	}
	if !m.grpc {
		cliStack = srvStack
	}
	for _, side := range []struct {
		name, stack string
		pid         int
	}{{"server", srvStack, t.srvPid}, {"client", cliStack, t.cliPid}} {
		if err := churnSide(m, side.name, side.stack, lines[side.pid]); err != nil {
			return fmt.Errorf("%s side: %v", side.name, err)
		}
	}
	return nil
}

// churnSide: one line per call, each complete and right, x-seq 1..N once each.
func churnSide(m churnMode, side, stack string, got []churnLine) error {
	seen := make([]int, churnCalls+1)
	bad := 0
	var first string
	for _, l := range got {
		seq, err := churnSeq(m, l)
		if err == nil && seq >= 1 && seq <= churnCalls {
			seen[seq]++
		}
		if why := churnLineWrong(m, side, stack, l); why != "" || err != nil {
			if bad == 0 {
				first = fmt.Sprintf("x-seq %q: %s", l.ReqHeaders["x-seq"], why)
			}
			bad++
		}
	}
	missing, twice := 0, 0
	for i := 1; i <= churnCalls; i++ {
		if seen[i] == 0 {
			missing++
		} else if seen[i] > 1 {
			twice++
		}
	}
	if len(got) != churnCalls || bad > 0 || missing > 0 || twice > 0 {
		return fmt.Errorf("%d lines for %d calls: %d wrong (first: %s), %d calls missing, %d shown more than once",
			len(got), churnCalls, bad, first, missing, twice)
	}
	return nil
}

// churnSeq: which call a line is, from its x-seq header, or over HTTP/1
// (whose headers are not shown) from its path, /bytes/<seq>.
func churnSeq(m churnMode, l churnLine) (int, error) {
	if m.httpMode == "h1" {
		return strconv.Atoi(strings.TrimPrefix(l.Path, "/bytes/"))
	}
	return strconv.Atoi(l.ReqHeaders["x-seq"])
}

func churnLineWrong(m churnMode, side, stack string, l churnLine) string {
	switch {
	case l.Side != side || l.Stack != stack:
		return fmt.Sprintf("side %s stack %s, want %s %s", l.Side, l.Stack, side, stack)
	case !l.Complete:
		return "unfinished"
	case l.ReqBytes == nil || l.RespBytes == nil:
		return "sizes unknown"
	}
	if m.grpc {
		if l.Type != "rpc" || l.Method != "/gogrpctrace.test.Echo/Unary" || l.GrpcStatus == nil || *l.GrpcStatus != 0 ||
			l.ReqMsgs != 1 || l.RespMsgs != 1 || *l.ReqBytes != 32 || *l.RespBytes != 32 {
			return fmt.Sprintf("%s %s status %v msgs %d/%d bytes %d/%d, want Unary OK 1/1 32/32",
				l.Type, l.Method, deref(l.GrpcStatus), l.ReqMsgs, l.RespMsgs, *l.ReqBytes, *l.RespBytes)
		}
		return ""
	}
	path, body := "/trailer", int64(2) // "ok"
	if m.httpMode == "h1" {
		seq, _ := churnSeq(m, l)
		path, body = fmt.Sprint("/bytes/", seq), int64(seq)
	}
	if l.Type != "http" || l.Method != "GET" || l.Path != path || l.HTTPStatus == nil || *l.HTTPStatus != 200 ||
		*l.ReqBytes != 0 || *l.RespBytes != body {
		return fmt.Sprintf("%s %s %s status %v bytes %d/%d, want GET %s 200 0/%d",
			l.Type, l.Method, l.Path, deref(l.HTTPStatus), *l.ReqBytes, *l.RespBytes, path, body)
	}
	return ""
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// newestAndOldest: the first cell and Debian's Go 1.19 with grpc-go 1.33,
// the ends of the matrix. Without the latter, a failing test says so.
func newestAndOldest(prefix string) []cell {
	oldest, err := cellNamed("go1.19-grpc1.33-debian")
	if err != nil {
		register("runtime", prefix+"/oldest", true, func() error { return err })
		return cells[:1]
	}
	return []cell{cells[0], oldest}
}
