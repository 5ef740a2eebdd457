// Command h2client makes a fixed sequence of HTTP requests to h2server and
// prints one JSON line per request, for comparison with a tracer's output.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// request is one scripted request and the response it must get.
type request struct {
	path       string
	wantStatus int
	wantBytes  int
}

var sequence = []request{
	{"/hello", 200, 5},
	{"/status/204", 204, 0},
	{"/status/404", 404, 0},
	{"/status/503", 503, 0},
	{"/bytes/1000", 200, 1000},
	{"/bytes/1048576", 200, 1 << 20}, // spans many DATA frames
}

type httpLine struct {
	Type      string `json:"type"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	RespBytes int    `json:"resp_bytes"`
	Proto     string `json:"proto"`
}

type doneLine struct {
	Type  string `json:"type"`
	Calls int    `json:"calls"`
}

func main() {
	addr := flag.String("addr", "", "server address host:port (required)")
	useTLS := flag.Bool("tls", false, "HTTP/2 over TLS, certificate not verified")
	useH2C := flag.Bool("h2c", false, "cleartext HTTP/2 with prior knowledge")
	waitFile := flag.String("wait-file", "", "poll every 20ms until this path exists before the first request")
	flag.Parse()
	if *addr == "" || (*useTLS && *useH2C) {
		fatal("need -addr, and at most one of -tls and -h2c")
	}
	if *waitFile != "" {
		for {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	scheme, wantProto := "http", "HTTP/1.1"
	var rt http.RoundTripper = &http.Transport{}
	switch {
	case *useTLS:
		scheme, wantProto, rt = "https", "HTTP/2.0", tlsTransport()
	case *useH2C:
		t, err := h2cTransport()
		if err != nil {
			fatal("%v", err)
		}
		wantProto, rt = "HTTP/2.0", t
	}
	client := &http.Client{Transport: rt, Timeout: 60 * time.Second}

	enc := json.NewEncoder(os.Stdout)
	failed := 0
	for _, r := range sequence {
		resp, err := client.Get(scheme + "://" + *addr + r.path)
		if err != nil {
			fatal("GET %s: %v", r.path, err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			fatal("GET %s: body: %v", r.path, err)
		}
		if err := enc.Encode(httpLine{"http", "GET", r.path, resp.StatusCode, int(n), resp.Proto}); err != nil {
			fatal("stdout: %v", err)
		}
		if resp.StatusCode != r.wantStatus || int(n) != r.wantBytes || resp.Proto != wantProto {
			failed++
			fmt.Fprintf(os.Stderr, "h2client: GET %s: got %d/%d bytes/%s, want %d/%d bytes/%s\n",
				r.path, resp.StatusCode, n, resp.Proto, r.wantStatus, r.wantBytes, wantProto)
		}
	}
	if err := enc.Encode(doneLine{"done", len(sequence)}); err != nil {
		fatal("stdout: %v", err)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "h2client: "+format+"\n", args...)
	os.Exit(2)
}
