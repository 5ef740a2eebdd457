package main

import (
	"context"
	"sync"

	"google.golang.org/grpc/stats"
)

// tally counts the messages and payload bytes gRPC itself reports for one
// call, so req_bytes/resp_bytes are what went on the wire minus the 5-byte
// prefix (no compression is used), not what this program meant to send.
type tally struct {
	mu                  sync.Mutex
	reqMsgs, respMsgs   int
	reqBytes, respBytes int
}

// tallyKey carries a call's *tally in its context to the stats handler.
type tallyKey struct{}

// payloadCounter is a stats.Handler; the stats API has been stable from
// grpc-go 1.33 to today, unlike interceptor-level message hooks.
type payloadCounter struct{}

func (payloadCounter) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }

func (payloadCounter) HandleRPC(ctx context.Context, s stats.RPCStats) {
	t, _ := ctx.Value(tallyKey{}).(*tally)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch p := s.(type) {
	case *stats.OutPayload:
		t.reqMsgs++
		t.reqBytes += p.Length
	case *stats.InPayload:
		t.respMsgs++
		t.respBytes += p.Length
	}
}

func (payloadCounter) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (payloadCounter) HandleConn(context.Context, stats.ConnStats) {}
