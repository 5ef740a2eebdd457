package main

// Connection churn: every call on a connection of its own, dialled for it
// and closed after it, from several goroutines at once. Freed connection
// objects are reused by Go for the next ones, so a tracer that keys state
// by object address meets the same addresses again and again.

import (
	"context"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"gogrpctrace/tests/targets/internal/churn"
	"gogrpctrace/tests/targets/internal/echo"
)

// churnLine is the one line a churn run prints: calls made, calls that
// failed (each also on stderr), and the size every request carried.
type churnLine struct {
	Type      string `json:"type"`
	Calls     int64  `json:"calls"`
	Errors    int64  `json:"errors"`
	ReqBytes  int    `json:"req_bytes"`
	Method    string `json:"method"`
	SeqHeader string `json:"seq_header"`
}

// The request of call i carries "x-seq: i" and a message of churnSize
// bytes; the server echoes it.
const (
	churnSeqKey = "x-seq"
	churnSize   = 32
)

func runChurn(target string, opts []grpc.DialOption, n, workers int) churnLine {
	req := make([]byte, churnSize)
	for i := range req {
		req[i] = byte('a' + i%26)
	}
	errs := churn.Run(n, workers, func(i int64) error { return churnCall(target, opts, i, req) },
		func(i int64, err error) { fmt.Fprintf(os.Stderr, "grpcclient: churn call %d: %v\n", i, err) })
	return churnLine{Type: "churn", Calls: int64(n), Errors: errs, ReqBytes: churnSize,
		Method: echo.MethodUnary, SeqHeader: churnSeqKey}
}

func churnCall(target string, opts []grpc.DialOption, i int64, req []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, target, append(append([]grpc.DialOption{}, opts...), grpc.WithBlock())...)
	if err != nil {
		return fmt.Errorf("dial: %v", err)
	}
	defer conn.Close()
	ctx = metadata.NewOutgoingContext(ctx, metadata.Pairs(churnSeqKey, fmt.Sprint(i)))
	var resp []byte
	if err := conn.Invoke(ctx, echo.MethodUnary, &req, &resp, grpc.CallContentSubtype(echo.CodecName)); err != nil {
		return err
	}
	if string(resp) != string(req) {
		return fmt.Errorf("response %q, want the request back", resp)
	}
	return nil
}
