package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	"gogrpctrace/tests/targets/internal/echo"
)

// callSpec is one scripted call: what to send and what must come back.
type callSpec struct {
	method      string
	kind        string            // unary, server_stream, client_stream, bidi
	reqs        [][]byte          // request messages, in order
	md          map[string]string // request metadata (custom + scripting keys)
	wantCode    codes.Code
	wantMsg     string
	wantResp    [][]byte      // exact response messages expected
	health      bool          // grpc.health.v1 Check (proto codec) instead of Echo
	timeout     time.Duration // the call's deadline; 0 = callTimeout
	cancelAfter time.Duration // cancel the call after this long; 0 = never
}

var scenarioNames = []string{"unary", "errors", "streams", "large", "all", "health", "resets", "secrets", "slow", "stress", "spawn", "bigheaders", "hang", "traced"}

// scenario returns the calls of a named scenario, or nil if unknown.
func scenario(name string) []callSpec {
	switch name {
	case "unary":
		return unaryCalls()
	case "errors":
		return errorCalls()
	case "streams":
		return streamCalls()
	case "large":
		return largeCalls()
	case "all":
		var all []callSpec
		for _, part := range [][]callSpec{unaryCalls(), errorCalls(), streamCalls(), largeCalls()} {
			all = append(all, part...)
		}
		return all
	case "health":
		return []callSpec{healthCall()}
	case "resets":
		return resetCalls()
	case "secrets":
		return []callSpec{unaryEcho(16, map[string]string{"authorization": "Bearer s3cr3t-t0ken",
			"cookie": "session=abc123", "x-api-key": "k-9876", "x-user": "alice"})}
	case "stress":
		return stressCalls()
	case "bigheaders":
		// 200 custom headers, one 16 KiB value, binary metadata.
		md := map[string]string{"x-big": strings.Repeat("v", 16<<10), "x-blob-bin": "\x00\x01\xfe\xff binary"}
		for i := 0; i < 200; i++ {
			md[fmt.Sprintf("x-h%03d", i)] = fmt.Sprintf("value-%03d", i)
		}
		return []callSpec{unaryEcho(64, md), unaryEcho(65, map[string]string{"x-after": "1"})}
	case "spawn":
		var calls []callSpec
		for i := 0; i < 5; i++ {
			calls = append(calls, unaryEcho(10+i, map[string]string{echo.KeySpawn: "1"}))
		}
		return calls
	case "slow":
		slow := unaryEcho(20, map[string]string{echo.KeySleepMs: "300"})
		return []callSpec{unaryEcho(10, map[string]string{}), slow, unaryEcho(30, map[string]string{})}
	case "traced":
		return tracedCalls()
	case "hang":
		// A call the server holds for ten minutes: for tests that kill
		// one side mid-call.
		return []callSpec{unaryEcho(10, map[string]string{echo.KeySleepMs: "600000"})}
	}
	return nil
}

func unaryEcho(size int, md map[string]string) callSpec {
	p := echo.Payload(size)
	return callSpec{method: echo.MethodUnary, kind: "unary", reqs: [][]byte{p}, md: md, wantResp: [][]byte{p}}
}

func unaryCalls() []callSpec {
	var calls []callSpec
	for _, size := range []int{10, 100, 1000} {
		calls = append(calls, unaryEcho(size, map[string]string{"x-trace-id": "abc123", "x-user": "alice"}))
	}
	return calls
}

// errorCalls use request sizes 1, 2, 3 and 0 (an empty message is a legal,
// interesting edge case: a bare 5-byte prefix).
func errorCalls() []callSpec {
	fail := func(size int, code codes.Code, msg string) callSpec {
		md := map[string]string{echo.KeyWantCode: strconv.Itoa(int(code))}
		if msg != "" && isPrintableASCII(msg) {
			md[echo.KeyWantMessage] = msg
		} else if msg != "" {
			// gRPC refuses non-ASCII values in plain keys; "-bin" keys
			// travel base64-encoded.
			md[echo.KeyWantMessageBin] = msg
		}
		return callSpec{method: echo.MethodUnary, kind: "unary", reqs: [][]byte{echo.Payload(size)},
			md: md, wantCode: code, wantMsg: msg}
	}
	return []callSpec{
		fail(1, codes.NotFound, "no such thing"),
		fail(2, codes.InvalidArgument, "bad input: ünïcode ✓"),
		fail(3, codes.Internal, "boom"),
		fail(0, codes.PermissionDenied, ""),
	}
}

func streamCalls() []callSpec {
	const count, size = 5, 200
	var ss [][]byte
	for i := 0; i < count; i++ {
		ss = append(ss, echo.Payload(size))
	}
	var cs, bidi [][]byte
	for i := 0; i < 4; i++ {
		cs = append(cs, echo.Payload(300))
	}
	for i := 0; i < 3; i++ {
		bidi = append(bidi, echo.Payload(50))
	}
	return []callSpec{
		{method: echo.MethodServerStream, kind: "server_stream", reqs: [][]byte{echo.Payload(8)},
			md: map[string]string{echo.KeyCount: strconv.Itoa(count), echo.KeySize: strconv.Itoa(size)}, wantResp: ss},
		{method: echo.MethodClientStream, kind: "client_stream", reqs: cs,
			md: map[string]string{}, wantResp: [][]byte{[]byte("1200")}},
		{method: echo.MethodBidi, kind: "bidi", reqs: bidi, md: map[string]string{}, wantResp: bidi},
	}
}

// resetCalls end without trailers from the server: the client gives up
// (deadline, then an explicit cancel) while the server still sleeps, and
// the stream is reset with RST_STREAM.
func resetCalls() []callSpec {
	deadline := unaryEcho(5, map[string]string{echo.KeySleepMs: "2000"})
	deadline.timeout = 200 * time.Millisecond
	deadline.wantCode, deadline.wantMsg, deadline.wantResp = codes.DeadlineExceeded, "context deadline exceeded", nil
	cancelled := unaryEcho(6, map[string]string{echo.KeySleepMs: "2000"})
	cancelled.cancelAfter = 200 * time.Millisecond
	cancelled.wantCode, cancelled.wantMsg, cancelled.wantResp = codes.Canceled, "context canceled", nil
	return []callSpec{deadline, cancelled, unaryEcho(7, map[string]string{})}
}

// stressCalls: server streams sent from deep stacks, and busy handlers.
func stressCalls() []callSpec {
	const count, size = 40, 64
	var ss [][]byte
	for i := 0; i < count; i++ {
		ss = append(ss, echo.Payload(size))
	}
	var calls []callSpec
	for i := 0; i < 5; i++ {
		calls = append(calls, callSpec{method: echo.MethodServerStream, kind: "server_stream",
			reqs: [][]byte{echo.Payload(8)}, wantResp: ss,
			md: map[string]string{echo.KeyCount: strconv.Itoa(count), echo.KeySize: strconv.Itoa(size),
				echo.KeyGrowStack: "1"}})
		calls = append(calls, unaryEcho(32, map[string]string{echo.KeyBusyMs: "3"}))
	}
	return calls
}

func largeCalls() []callSpec {
	return []callSpec{unaryEcho(1<<20, map[string]string{}), unaryEcho(4<<20, map[string]string{})}
}

// healthCall: an empty HealthCheckRequest is 0 bytes; SERVING is 2 bytes.
func healthCall() callSpec {
	return callSpec{method: "/grpc.health.v1.Health/Check", kind: "unary", health: true,
		reqs: [][]byte{{}}, md: map[string]string{}, wantResp: [][]byte{{0x08, 0x01}}}
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Trace contexts of the "traced" scenario's calls, as a caller's
// instrumentation would send them: W3C traceparent, gRPC's binary
// grpc-trace-bin (version 0; field 0 trace ID, 1 span ID, 2 flags).
const (
	TracedW3C       = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	TracedFailedW3C = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
)

var tracedBin = string([]byte{0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
	0xcc, 0xdd, 0xee, 0xff, 0x01, 1, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 2, 1})

// tracedCalls: one call joining a trace by each header, one failing
// (UNAVAILABLE) in a trace, one in none.
func tracedCalls() []callSpec {
	failed := callSpec{method: echo.MethodUnary, kind: "unary", reqs: [][]byte{echo.Payload(3)},
		md: map[string]string{"traceparent": TracedFailedW3C, echo.KeyWantCode: strconv.Itoa(int(codes.Unavailable)),
			echo.KeyWantMessage: "down"},
		wantCode: codes.Unavailable, wantMsg: "down"}
	return []callSpec{
		unaryEcho(11, map[string]string{"traceparent": TracedW3C}),
		unaryEcho(12, map[string]string{"grpc-trace-bin": tracedBin}),
		failed,
		unaryEcho(13, map[string]string{}),
	}
}
