package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"gogrpctrace/tests/targets/internal/echo"
)

// callTimeout bounds every call so a broken server cannot hang a test.
const callTimeout = 60 * time.Second

// outcome is what one call actually did, as seen by this client.
type outcome struct {
	err        error
	resp       [][]byte // Echo responses (nil for health)
	healthResp *healthpb.HealthCheckResponse
	header     metadata.MD
	trailer    metadata.MD
	tally      *tally // messages and bytes as counted by grpc's stats hooks
}

// run performs one call on conn.
func run(conn *grpc.ClientConn, c callSpec) outcome {
	t := &tally{}
	timeout := callTimeout
	if c.timeout > 0 {
		timeout = c.timeout
	}
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), tallyKey{}, t), timeout)
	defer cancel()
	if c.cancelAfter > 0 {
		timer := time.AfterFunc(c.cancelAfter, cancel)
		defer timer.Stop()
	}
	var kv []string
	for k, v := range c.md {
		kv = append(kv, k, v)
	}
	ctx = metadata.NewOutgoingContext(ctx, metadata.Pairs(kv...))

	o := outcome{tally: t}
	switch {
	case c.health:
		o.healthResp, o.err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{},
			grpc.Header(&o.header), grpc.Trailer(&o.trailer))
	case c.kind == "unary":
		var resp []byte
		o.err = conn.Invoke(ctx, c.method, &c.reqs[0], &resp, grpc.CallContentSubtype(echo.CodecName),
			grpc.Header(&o.header), grpc.Trailer(&o.trailer))
		if o.err == nil {
			o.resp = [][]byte{resp}
		}
	default:
		o.resp, o.header, o.trailer, o.err = runStream(ctx, conn, c)
	}
	return o
}

func runStream(ctx context.Context, conn *grpc.ClientConn, c callSpec) ([][]byte, metadata.MD, metadata.MD, error) {
	desc := map[string]*grpc.StreamDesc{
		"server_stream": &echo.ServerStreamDesc,
		"client_stream": &echo.ClientStreamDesc,
		"bidi":          &echo.BidiDesc,
	}[c.kind]
	cs, err := conn.NewStream(ctx, desc, c.method, grpc.CallContentSubtype(echo.CodecName))
	if err != nil {
		return nil, nil, nil, err
	}
	var resp [][]byte
	recv := func() error {
		var m []byte
		err := cs.RecvMsg(&m)
		if err == nil {
			resp = append(resp, m)
		}
		return err
	}
	// Sending may fail with io.EOF when the server already ended the
	// call; the real status then comes from RecvMsg.
	var rerr error
	for i := range c.reqs {
		if err := cs.SendMsg(&c.reqs[i]); err != nil {
			break
		}
		if c.kind == "bidi" {
			// Ping-pong keeps the frame order on the wire deterministic.
			if rerr = recv(); rerr != nil {
				break
			}
		}
	}
	if rerr == nil {
		if err := cs.CloseSend(); err != nil {
			rerr = err
		}
	}
	if rerr == nil {
		if desc.ServerStreams {
			for rerr == nil {
				rerr = recv()
			}
			if rerr == io.EOF {
				rerr = nil
			}
		} else {
			// Non-server-streaming: grpc-go reads the status inside this
			// single RecvMsg; calling it again is not defined across versions.
			rerr = recv()
		}
	}
	header, _ := cs.Header()
	return resp, header, cs.Trailer(), rerr
}

// check compares an outcome with its spec and returns the differences.
func check(c callSpec, o outcome) []string {
	var bad []string
	st, _ := status.FromError(o.err)
	// A call given up on (deadline, cancel) ends by whichever side's timer
	// fires first; the code is scripted, grpc-go's wording is not.
	givenUp := c.wantCode == codes.Canceled || c.wantCode == codes.DeadlineExceeded
	if st.Code() != c.wantCode || (!givenUp && st.Message() != c.wantMsg) {
		bad = append(bad, fmt.Sprintf("status %v %q, want %v %q", st.Code(), st.Message(), c.wantCode, c.wantMsg))
	}
	wantMsgs, wantBytes := 0, 0
	if c.wantCode == codes.OK {
		wantMsgs = len(c.wantResp)
		for _, m := range c.wantResp {
			wantBytes += len(m)
		}
	}
	if o.tally.respMsgs != wantMsgs || o.tally.respBytes != wantBytes {
		bad = append(bad, fmt.Sprintf("received %d msgs/%d bytes, want %d/%d", o.tally.respMsgs, o.tally.respBytes, wantMsgs, wantBytes))
	}
	reqBytes := 0
	for _, m := range c.reqs {
		reqBytes += len(m)
	}
	if o.tally.reqMsgs != len(c.reqs) || o.tally.reqBytes != reqBytes {
		bad = append(bad, fmt.Sprintf("sent %d msgs/%d bytes, want %d/%d", o.tally.reqMsgs, o.tally.reqBytes, len(c.reqs), reqBytes))
	}
	if c.health {
		if c.wantCode == codes.OK && o.healthResp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			bad = append(bad, fmt.Sprintf("health status %v", o.healthResp.GetStatus()))
		}
		return bad
	}
	if c.wantCode == codes.OK {
		if len(o.resp) != len(c.wantResp) {
			bad = append(bad, fmt.Sprintf("got %d response messages, want %d", len(o.resp), len(c.wantResp)))
		} else {
			for i := range o.resp {
				if !bytes.Equal(o.resp[i], c.wantResp[i]) {
					bad = append(bad, fmt.Sprintf("response message %d differs", i))
				}
			}
		}
	}
	if c.wantCode == codes.Canceled || c.wantCode == codes.DeadlineExceeded {
		return bad // given up before the server answered: no header, no trailer
	}
	name := c.method[strings.LastIndex(c.method, "/")+1:]
	if v := o.header.Get(echo.KeyRespHeader); len(v) != 1 || v[0] != "h-"+name {
		bad = append(bad, fmt.Sprintf("header %s=%q, want h-%s", echo.KeyRespHeader, v, name))
	}
	if v := o.trailer.Get(echo.KeyRespTrailer); len(v) != 1 || v[0] != "t-"+name {
		bad = append(bad, fmt.Sprintf("trailer %s=%q, want t-%s", echo.KeyRespTrailer, v, name))
	}
	return bad
}
