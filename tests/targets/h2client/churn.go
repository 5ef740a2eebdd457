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
	RespBytes int    `json:"resp_bytes"`
	SeqHeader string `json:"seq_header"`
}

// Every churn request is GET churnPath with "x-seq: i"; the answer is
// "ok" and ends with trailers, as a gRPC response does.
const churnPath, churnBody = "/trailer", "ok"

func runChurn(base string, newRT func() (http.RoundTripper, error), n, workers int) churnLine {
	errs := churn.Run(n, workers, func(i int64) error { return churnRequest(base, newRT, i) },
		func(i int64, err error) { fmt.Fprintf(os.Stderr, "h2client: churn request %d: %v\n", i, err) })
	return churnLine{Type: "churn", Calls: int64(n), Errors: errs, Path: churnPath,
		RespBytes: len(churnBody), SeqHeader: "x-seq"}
}

func churnRequest(base string, newRT func() (http.RoundTripper, error), i int64) error {
	rt, err := newRT()
	if err != nil {
		return err
	}
	if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
		defer c.CloseIdleConnections()
	}
	req, err := http.NewRequest("GET", base+churnPath, nil)
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
	case resp.StatusCode != 200 || string(body) != churnBody || resp.ProtoMajor != 2:
		return fmt.Errorf("got %s %d %q, want HTTP/2 200 %q", resp.Proto, resp.StatusCode, body, churnBody)
	}
	return nil
}
