// Command h2client makes a scripted sequence of HTTP requests to h2server
// over one connection and prints one JSON line per request, for comparison
// with a tracer's output.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"reflect"
	"strings"
	"time"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
	"gogrpctrace/tests/targets/internal/netaddr"
	"gogrpctrace/tests/targets/records"
)

func main() {
	addr := flag.String("addr", "", "server address host:port, or unix:/path, unix:@name (HTTP/1.1 and -tls only) (required)")
	useTLS := flag.Bool("tls", false, "TLS, certificate not verified; HTTP/2 via ALPN from net/http's bundled copy")
	useH2C := flag.Bool("h2c", false, "cleartext HTTP/2 with prior knowledge (x/net's transport)")
	xnetTLS := flag.Bool("xnet-tls", false, "HTTP/2 over TLS from golang.org/x/net/http2's transport")
	http1 := flag.Bool("http1", false, "with -tls: offer only http/1.1 in ALPN (HTTP/1.1 over TLS)")
	name := flag.String("scenario", "basic", "scenario: "+strings.Join(scenarioNames, ", "))
	waitFile := flag.String("wait-file", "", "poll every 20ms until this path exists before the first request")
	sleepAfter := flag.Duration("sleep-after", 0, "stay alive this long after the last request (the connection stays open)")
	churn := flag.Int("churn", 0, "instead of a scenario: this many GET requests (-churn-path), each on a new connection")
	churnWorkers := flag.Int("churn-workers", 4, "with -churn: goroutines making requests at once")
	churnPath := flag.String("churn-path", "/trailer", "with -churn: /trailer, or /bytes/ (request i gets i bytes)")
	flag.Parse()
	reqs := scenario(*name)
	switch {
	case reqs == nil:
		fatal("unknown scenario %q (have %s)", *name, strings.Join(scenarioNames, ", "))
	case *addr == "":
		fatal("-addr is required")
	case count(*useTLS, *useH2C, *xnetTLS) > 1:
		fatal("-tls, -h2c and -xnet-tls are exclusive")
	case *http1 && !*useTLS:
		fatal("-http1 goes with -tls (without a mode the client speaks HTTP/1.1 anyway)")
	}

	scheme, wantProto := "http", "HTTP/1.1"
	newRT := func() (http.RoundTripper, error) { return &http.Transport{}, nil }
	switch {
	case *useTLS:
		scheme = "https"
		newRT = func() (http.RoundTripper, error) { return tlsTransport(!*http1), nil }
		if !*http1 {
			wantProto = "HTTP/2.0"
		}
	case *useH2C:
		wantProto = "HTTP/2.0"
		newRT = h2cTransport
	case *xnetTLS:
		scheme, wantProto = "https", "HTTP/2.0"
		newRT = xnetTransport
	}
	rt, err := newRT()
	if err != nil {
		fatal("%v", err)
	}
	host := *addr
	if network, _ := netaddr.Split(*addr); network == "unix" {
		// net/http's own transport dials the socket; the URL names localhost.
		t, ok := rt.(*http.Transport)
		if !ok {
			fatal("a unix socket goes with HTTP/1.1 or -tls only")
		}
		dial := netaddr.Dialer(*addr, false)
		t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx, "") }
		host = "localhost"
	}
	if *waitFile != "" {
		for {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if *churn > 0 {
		if _, _, ok := churnTarget(*churnPath, 1); !ok {
			fatal("-churn-path: /trailer or /bytes/")
		}
		line := runChurn(scheme+"://"+*addr, *churnPath, wantProto, newRT, *churn, *churnWorkers)
		if err := enc.Encode(line); err != nil {
			fatal("stdout: %v", err)
		}
		time.Sleep(*sleepAfter)
		if line.Errors > 0 {
			os.Exit(1)
		}
		return
	}
	client := &http.Client{Transport: rt, Timeout: 60 * time.Second}
	failed := 0
	for i, r := range reqs {
		line, body, err := do(client, scheme+"://"+host, r, i+1)
		if err != nil {
			fatal("%s %s: %v", r.method, r.path, err)
		}
		if err := enc.Encode(line); err != nil {
			fatal("stdout: %v", err)
		}
		// One connection for the whole run: every request but the first
		// must reuse it.
		bad := differences(r, line, body, wantProto, i > 0)
		if len(bad) > 0 {
			failed++
			fmt.Fprintf(os.Stderr, "h2client: request %d %s %s: %s\n", i+1, r.method, r.path, strings.Join(bad, "; "))
		}
	}
	if err := enc.Encode(records.Done{Type: "done", Calls: len(reqs)}); err != nil {
		fatal("stdout: %v", err)
	}
	time.Sleep(*sleepAfter)
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "h2client: %d of %d requests did not behave as scripted\n", failed, len(reqs))
		os.Exit(1)
	}
}

// do sends r and reads the whole response; the line says what happened.
func do(client *http.Client, base string, r request, seq int) (records.HTTPCall, []byte, error) {
	req, err := newRequest(base, r, seq)
	if err != nil {
		return records.HTTPCall{}, nil, err
	}
	reused := false
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := client.Do(req)
	if err != nil {
		return records.HTTPCall{}, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return records.HTTPCall{}, nil, fmt.Errorf("body: %v", err)
	}
	return records.HTTPCall{
		Type: "http", Method: r.method, Path: r.path, Status: resp.StatusCode,
		ReqBytes: int64(len(r.body)), RespBytes: int64(len(body)), Proto: resp.Proto, Reused: reused,
		ServedBy:  resp.Header.Get("Served-By"),
		ReqHeader: customKeys(req.Header), RespHeader: customKeys(resp.Header), Trailer: customKeys(resp.Trailer),
	}, body, nil
}

// differences compares what came back with the script.
func differences(r request, got records.HTTPCall, body []byte, wantProto string, wantReused bool) []string {
	var bad []string
	if got.Status != r.wantStatus {
		bad = append(bad, fmt.Sprintf("status %d, want %d", got.Status, r.wantStatus))
	}
	if !bytes.Equal(body, r.wantBody) {
		bad = append(bad, fmt.Sprintf("%d body bytes, want %d (or other content)", len(body), len(r.wantBody)))
	}
	if got.Proto != wantProto {
		bad = append(bad, fmt.Sprintf("proto %s, want %s", got.Proto, wantProto))
	}
	if got.Reused != wantReused {
		bad = append(bad, fmt.Sprintf("connection reused=%v, want %v", got.Reused, wantReused))
	}
	for _, m := range []struct {
		what      string
		got, want map[string]string
	}{{"response x- headers", got.RespHeader, r.wantHeader}, {"x- trailers", got.Trailer, r.wantTrail}} {
		if len(m.got) != len(m.want) || (len(m.want) > 0 && !reflect.DeepEqual(m.got, m.want)) {
			bad = append(bad, fmt.Sprintf("%s %v, want %v", m.what, m.got, m.want))
		}
	}
	return bad
}

// customKeys keeps the x- keys, lower-cased; repeated values are joined with ",".
func customKeys(h http.Header) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		if k = strings.ToLower(k); strings.HasPrefix(k, "x-") {
			m[k] = strings.Join(v, ",")
		}
	}
	return m
}

func count(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "h2client: "+format+"\n", args...)
	os.Exit(2)
}
