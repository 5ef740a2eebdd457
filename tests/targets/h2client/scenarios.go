package main

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// request is one scripted request and the response it must get.
type request struct {
	method     string
	path       string
	body       []byte // request body; nil sends none
	unsized    bool   // hide the body's length (HTTP/1.1 then sends it chunked)
	wantStatus int
	wantBody   []byte
	wantHeader map[string]string // the response's x- headers, exactly
	wantTrail  map[string]string // its x- trailers, exactly
}

var scenarioNames = []string{"basic", "all", "upload", "hang"}

// scenario returns the requests of a named scenario, or nil if unknown.
func scenario(name string) []request {
	switch name {
	case "basic":
		return basicRequests()
	case "all":
		return append(basicRequests(), moreRequests()...)
	case "upload":
		return uploadRequests()
	case "hang":
		// A request the server holds for ten minutes: for tests that
		// kill one side mid-request.
		return []request{get("/sleep/600000", 200, []byte("slept"))}
	}
	return nil
}

func get(path string, status int, body []byte) request {
	return request{method: http.MethodGet, path: path, wantStatus: status, wantBody: body}
}

func basicRequests() []request {
	return []request{
		get("/hello", 200, []byte("hello")),
		get("/status/204", 204, nil),
		get("/status/404", 404, nil),
		get("/status/503", 503, nil),
		get("/bytes/1000", 200, payload(1000)),
		get("/bytes/1048576", 200, payload(1<<20)), // spans many DATA frames
	}
}

// moreRequests: a request body, a response without Content-Length written
// in steps, a trailer, and a HEAD (Content-Length 5 but no body).
func moreRequests() []request {
	trailer := get("/trailer", 200, []byte("ok"))
	trailer.wantHeader = map[string]string{"x-resp": "yes"}
	trailer.wantTrail = map[string]string{"x-trailer": "done"}
	return []request{
		{method: http.MethodPost, path: "/echo", body: payload(3000), wantStatus: 200, wantBody: payload(3000)},
		get("/chunked/5000", 200, payload(5000)),
		trailer,
		{method: http.MethodHead, path: "/hello", wantStatus: 200},
	}
}

// uploadRequests: a body of unknown length, and a DELETE.
func uploadRequests() []request {
	return []request{
		{method: http.MethodPost, path: "/echo", body: payload(2500), unsized: true, wantStatus: 200, wantBody: payload(2500)},
		{method: http.MethodDelete, path: "/hello", wantStatus: 200, wantBody: []byte("hello")},
	}
}

// newRequest builds r's *http.Request; seq goes out as header x-seq.
func newRequest(base string, r request, seq int) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		body = &bodyReader{b: r.body}
	}
	req, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		return nil, err
	}
	if r.body != nil && !r.unsized {
		req.ContentLength = int64(len(r.body))
	}
	req.Header.Set("X-Seq", strconv.Itoa(seq))
	return req, nil
}

// bodyReader is a reader net/http cannot size by itself, so the length is
// known only when newRequest sets ContentLength.
type bodyReader struct{ b []byte }

func (r *bodyReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// payload returns n bytes 'a'+i%26, what h2server's /bytes/N sends.
func payload(n int) []byte {
	return bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz"), n/26+1)[:n]
}
