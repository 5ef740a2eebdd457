package main

// A gRPC client made of the standard library's HTTP/2 client, for tests
// that must send what grpc-go's own client refuses to: any :path, bytes
// above 0x7f in plain metadata. It speaks to grpcserver -tls (raw codec).

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

type rawGRPC struct {
	addr string
	c    *http.Client
}

// rawReply is what came back: status and message as the client sees them.
type rawReply struct {
	code    int
	message string // percent-decoding undone
	body    []byte // the response messages with their 5-byte prefixes
}

func newRawGRPC(addr string) *rawGRPC {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"}},
		ForceAttemptHTTP2: true,
	}
	return &rawGRPC{addr: addr, c: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

func (g *rawGRPC) close() { g.c.CloseIdleConnections() }

// call sends one message to path with md as request metadata (names in
// lower case, values as given) and reads the whole reply.
func (g *rawGRPC) call(path string, md map[string]string, msg []byte) (*rawReply, error) {
	body := make([]byte, 5+len(msg))
	binary.BigEndian.PutUint32(body[1:], uint32(len(msg)))
	copy(body[5:], msg)
	req := &http.Request{
		Method: "POST",
		// Opaque: the path goes on the wire byte for byte, unescaped.
		URL:           &url.URL{Scheme: "https", Host: g.addr, Opaque: path},
		Host:          g.addr,
		Header:        http.Header{"content-type": {"application/grpc+raw"}, "te": {"trailers"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}
	for k, v := range md {
		req.Header[k] = []string{v}
	}
	resp, err := g.c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	// A reply without messages may carry its status in the headers alone.
	get := func(k string) string {
		if v := resp.Trailer.Get(k); v != "" {
			return v
		}
		return resp.Header.Get(k)
	}
	code, err := strconv.Atoi(get("grpc-status"))
	if err != nil {
		return nil, fmt.Errorf("%s: no grpc-status (HTTP %d)", path, resp.StatusCode)
	}
	return &rawReply{code: code, message: percentDecode(get("grpc-message")), body: out}, nil
}

// percentDecode undoes grpc-message's percent-encoding.
func percentDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
