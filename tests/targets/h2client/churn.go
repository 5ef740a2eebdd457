package main

// Connection churn: every request on a connection of its own (a transport
// made for it and closed after it), from several goroutines at once, so
// the server's and the client's connection objects are freed and their
// addresses reused all the time.

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"gogrpctrace/tests/targets/internal/churn"
)

// churnLine is the one line a churn run prints.
type churnLine struct {
	Type      string `json:"type"`
	Calls     int64  `json:"calls"`
	Errors    int64  `json:"errors"`
	Path      string `json:"path"`
	SeqHeader string `json:"seq_header"`
}

// A churn request is GET of a path with "x-seq: i": /trailer, answered
// "ok" and trailers, as a gRPC response ends; or /bytes/, then request i
// is GET /bytes/i, answered with i bytes and a Content-Length, so a line
// names its request by path and size where headers are not shown (HTTP/1).
func churnTarget(path string, i int64) (string, int, bool) {
	switch path {
	case "/trailer":
		return path, len("ok"), true
	case "/bytes/":
		return fmt.Sprint(path, i), int(i), true
	}
	return "", 0, false
}

func runChurn(base, path, proto string, newRT func() (http.RoundTripper, error), n, workers int) churnLine {
	errs := churn.Run(n, workers, func(i int64) error { return churnRequest(base, path, proto, newRT, i) },
		func(i int64, err error) { fmt.Fprintf(os.Stderr, "h2client: churn request %d: %v\n", i, err) })
	return churnLine{Type: "churn", Calls: int64(n), Errors: errs, Path: path, SeqHeader: "x-seq"}
}

func churnRequest(base, path, proto string, newRT func() (http.RoundTripper, error), i int64) error {
	rt, err := newRT()
	if err != nil {
		return err
	}
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		defer c.CloseIdleConnections()
	}
	target, size, _ := churnTarget(path, i)
	req, err := http.NewRequest("GET", base+target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("x-seq", fmt.Sprint(i))
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return fmt.Errorf("body: %v", err)
	case resp.StatusCode != 200 || len(body) != size || resp.Proto != proto:
		return fmt.Errorf("got %s %d with %d bytes, want %s 200 with %d", resp.Proto, resp.StatusCode, len(body), proto, size)
	}
	return nil
}
