package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"gogrpctrace/tests/targets/internal/grpccode"
	"gogrpctrace/tests/targets/internal/kitchen"
	"gogrpctrace/tests/targets/internal/pbjson"
	"gogrpctrace/tests/targets/records"
)

// call is one call in progress.
type call struct {
	n        int
	spec     kitchen.Call
	st       grpc.ClientStream
	sent     int
	received []interface{}
}

// run makes call number n and prints its lines. It returns how the call
// differed from the script, or an error that stops the client.
func run(conn *grpc.ClientConn, n int, spec kitchen.Call) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var kv []string
	for k, v := range spec.Metadata {
		kv = append(kv, k, v)
	}
	ctx = metadata.NewOutgoingContext(ctx, metadata.Pairs(kv...))
	var opts []grpc.CallOption
	line := records.PbCall{Type: "call", Call: n, Method: spec.FullMethod, Kind: spec.Kind,
		ReqType: spec.ReqType, RespType: spec.RespType}
	if spec.Gzip {
		opts = append(opts, grpc.UseCompressor(gzip.Name))
		line.Compressor = gzip.Name
	}
	desc := &grpc.StreamDesc{
		StreamName:    kitchen.ShortName(spec.FullMethod),
		ServerStreams: spec.Kind == kitchen.ServerStream || spec.Kind == kitchen.Bidi,
		ClientStreams: spec.Kind == kitchen.ClientStream || spec.Kind == kitchen.Bidi,
	}
	st, err := conn.NewStream(ctx, desc, spec.FullMethod, opts...)
	c := &call{n: n, spec: spec, st: st}
	if err == nil {
		err = c.exchange()
	}
	if _, isStatus := status.FromError(err); err != nil && !isStatus {
		return nil, err
	}
	s, _ := status.FromError(err)
	line.Code, line.GRPCStatus, line.Message = grpccode.Name(s.Code()), int(s.Code()), s.Message()
	line.Sent, line.Received = c.sent, len(c.received)
	if err := out.Encode(line); err != nil {
		return nil, err
	}
	return c.check(s), nil
}

// exchange sends the requests and reads the replies: in turn for a bidi
// call, else all requests first. It returns the call's status as an error
// (nil for OK), or another error when something else failed.
func (c *call) exchange() error {
	for _, js := range c.spec.Requests {
		m, err := pbjson.New(c.spec.ReqType)
		if err == nil {
			err = pbjson.FromJSON(m, js)
		}
		if err != nil {
			return fmt.Errorf("request %s: %v", c.spec.ReqType, err)
		}
		if err := c.st.SendMsg(m); err == io.EOF {
			break // the server has ended the call: RecvMsg tells how
		} else if err != nil {
			return err
		}
		c.sent++
		if err := c.print("sent", c.sent, m); err != nil {
			return err
		}
		if c.spec.Kind == kitchen.Bidi {
			if err := c.recv(); err != nil {
				return err
			}
		}
	}
	if err := c.st.CloseSend(); err != nil {
		return err
	}
	for {
		err := c.recv()
		if err == io.EOF {
			return nil
		}
		if err != nil || c.spec.Kind == kitchen.Unary || c.spec.Kind == kitchen.ClientStream {
			// Without server streaming, a successful RecvMsg has
			// already seen the end of the call.
			return err
		}
	}
}

func (c *call) recv() error {
	m, err := pbjson.New(c.spec.RespType)
	if err != nil {
		return fmt.Errorf("response %s: %v", c.spec.RespType, err)
	}
	if err := c.st.RecvMsg(m); err != nil {
		return err
	}
	c.received = append(c.received, m)
	return c.print("received", len(c.received), m)
}

func (c *call) print(dir string, seq int, m interface{}) error {
	js, err := pbjson.ToJSON(m)
	if err != nil {
		return fmt.Errorf("JSON of %s: %v", pbjson.Name(m), err)
	}
	return out.Encode(records.PbMsg{Type: "msg", Call: c.n, Method: c.spec.FullMethod, Dir: dir, Seq: seq,
		TypeName: pbjson.Name(m), JSON: js})
}

// check compares the call with the script.
func (c *call) check(s *status.Status) []string {
	var bad []string
	if s.Code() != c.spec.Code || s.Message() != c.spec.Message {
		bad = append(bad, fmt.Sprintf("status %v %q, want %v %q", s.Code(), s.Message(), c.spec.Code, c.spec.Message))
	}
	if c.sent != len(c.spec.Requests) {
		bad = append(bad, fmt.Sprintf("sent %d of %d messages", c.sent, len(c.spec.Requests)))
	}
	if c.spec.Replies == nil {
		return bad
	}
	if len(c.received) != len(c.spec.Replies) {
		return append(bad, fmt.Sprintf("received %d messages, want %d", len(c.received), len(c.spec.Replies)))
	}
	for i, js := range c.spec.Replies {
		want, err := pbjson.New(c.spec.RespType)
		if err == nil {
			err = pbjson.FromJSON(want, js)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("reply %d: %v", i+1, err))
		} else if !pbjson.Equal(c.received[i], want) {
			bad = append(bad, fmt.Sprintf("reply %d differs from the canned one", i+1))
		}
	}
	return bad
}
