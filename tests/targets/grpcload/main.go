// Command grpcload drives load against grpcserver for gogrpctrace's
// benchmark (tests/bench): one connection, N goroutines each doing
// sequential Echo calls (Unary, or one streaming kind with -kind) for a
// fixed time, then one JSON line with the throughput and latency percentiles. Builds in every matrix cell (Debian's
// Go 1.19 + grpc 1.33 in GOPATH mode included), so only old APIs are used.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"gogrpctrace/tests/targets/internal/echo"

	// GOGRPCTRACE_DUMP_ITABS=1: print the runtime's itab table and exit (a test oracle).
	_ "gogrpctrace/tests/targets/internal/itabdump"
)

type result struct {
	Calls      int64   `json:"calls"`
	Errors     int64   `json:"errors"`
	QPS        float64 `json:"qps"`
	P50us      float64 `json:"p50_us"`
	P99us      float64 `json:"p99_us"`
	MeanUs     float64 `json:"mean_us"`
	DurationS  float64 `json:"duration_s"`
	WarmupCall int64   `json:"warmup_calls"`
	Concurr    int     `json:"concurrency"`
	FirstError string  `json:"first_error,omitempty"`
}

func main() {
	addr := flag.String("addr", "", "server address host:port (required)")
	useTLS := flag.Bool("tls", false, "use TLS without verifying the server certificate")
	conc := flag.Int("concurrency", 1, "goroutines doing sequential calls on the one connection")
	duration := flag.Duration("duration", 10*time.Second, "how long to measure")
	size := flag.Int("size", 100, "request message size in bytes")
	warmup := flag.Duration("warmup", time.Second, "calls made before measuring (not counted in qps/latency)")
	waitFile := flag.String("wait-file", "", "poll every 20ms until this path exists before dialing")
	kind := flag.String("kind", "unary", "calls made: unary, client-stream, server-stream or bidi")
	msgs := flag.Int("msgs", 3, "streaming kinds: messages per call in each streaming direction")
	flag.Parse()
	if *addr == "" {
		fatal("-addr is required")
	}
	if *conc < 1 {
		fatal("-concurrency must be at least 1")
	}
	if *msgs < 1 {
		fatal("-msgs must be at least 1")
	}
	desc, method := streamKind(*kind)
	if method == "" {
		fatal("-kind %q: want unary, client-stream, server-stream or bidi", *kind)
	}
	if *waitFile != "" {
		// Lets a tracer attach to this process before any connection exists.
		for {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	creds := grpc.WithInsecure()
	if *useTLS {
		creds = grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}))
	}
	conn, err := grpc.Dial(*addr, creds)
	if err != nil {
		fatal("dial: %v", err)
	}
	defer conn.Close()

	req := make([]byte, *size)
	for i := range req {
		req[i] = byte('a' + i%26)
	}
	var (
		errs, warmCalls int64
		firstErr        atomic.Value
	)
	call := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var err error
		if desc == nil {
			var resp []byte
			r := req
			err = conn.Invoke(ctx, method, &r, &resp, grpc.CallContentSubtype(echo.CodecName))
		} else {
			err = streamCall(ctx, conn, desc, method, req, *msgs)
		}
		cancel()
		if err != nil {
			atomic.AddInt64(&errs, 1)
			firstErr.Store(err.Error())
			return false
		}
		return true
	}

	start := time.Now()
	measureFrom := start.Add(*warmup)
	end := measureFrom.Add(*duration)
	lats := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	for g := 0; g < *conc; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1<<16)
			for {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				ok := call()
				if t0.Before(measureFrom) {
					atomic.AddInt64(&warmCalls, 1)
					continue
				}
				if ok {
					mine = append(mine, time.Since(t0))
				}
			}
			lats[g] = mine
		}(g)
	}
	wg.Wait()
	measured := time.Since(measureFrom)

	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(p*float64(len(all)-1) + 0.5)
		return float64(all[i].Nanoseconds()) / 1e3
	}
	var sum time.Duration
	for _, d := range all {
		sum += d
	}
	res := result{
		Calls:      int64(len(all)),
		Errors:     atomic.LoadInt64(&errs),
		QPS:        float64(len(all)) / measured.Seconds(),
		P50us:      pct(0.50),
		P99us:      pct(0.99),
		DurationS:  measured.Seconds(),
		WarmupCall: atomic.LoadInt64(&warmCalls),
		Concurr:    *conc,
	}
	if len(all) > 0 {
		res.MeanUs = float64(sum.Nanoseconds()) / 1e3 / float64(len(all))
	}
	if v, ok := firstErr.Load().(string); ok {
		res.FirstError = v
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		fatal("stdout: %v", err)
	}
	if res.Errors > 0 {
		os.Exit(1)
	}
}

// streamKind maps -kind to the stream's description (nil: unary) and method.
func streamKind(kind string) (*grpc.StreamDesc, string) {
	switch kind {
	case "unary":
		return nil, echo.MethodUnary
	case "client-stream":
		return &echo.ClientStreamDesc, echo.MethodClientStream
	case "server-stream":
		return &echo.ServerStreamDesc, echo.MethodServerStream
	case "bidi":
		return &echo.BidiDesc, echo.MethodBidi
	}
	return nil, ""
}

// streamCall makes one streaming call: n requests (one for server-stream)
// and n responses (one for client-stream); bidi sends and receives in turn.
func streamCall(ctx context.Context, conn *grpc.ClientConn, desc *grpc.StreamDesc, method string, req []byte, n int) error {
	if desc.ServerStreams && !desc.ClientStreams {
		ctx = metadata.AppendToOutgoingContext(ctx, echo.KeyCount, strconv.Itoa(n), echo.KeySize, strconv.Itoa(len(req)))
	}
	cs, err := conn.NewStream(ctx, desc, method, grpc.CallContentSubtype(echo.CodecName))
	if err != nil {
		return err
	}
	sends := n
	if !desc.ClientStreams {
		sends = 1
	}
	for i := 0; i < sends; i++ {
		r := req
		if err := cs.SendMsg(&r); err != nil {
			return err
		}
		if desc.ClientStreams && desc.ServerStreams {
			var resp []byte
			if err := cs.RecvMsg(&resp); err != nil {
				return err
			}
		}
	}
	if err := cs.CloseSend(); err != nil {
		return err
	}
	for {
		var resp []byte
		if err := cs.RecvMsg(&resp); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "grpcload: "+format+"\n", args...)
	os.Exit(2)
}
