package main

import (
	"context"
	"io"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"gogrpctrace/tests/targets/internal/echo"
)

// echoServer implements echo.Server. Every method sets the same shaped
// header and trailer so the tracer tests can check both directions.
type echoServer struct{}

func (echoServer) Unary(ctx context.Context, in []byte) ([]byte, error) {
	if err := grpc.SetHeader(ctx, metadata.Pairs(echo.KeyRespHeader, "h-Unary")); err != nil {
		return nil, err
	}
	if err := grpc.SetTrailer(ctx, metadata.Pairs(echo.KeyRespTrailer, "t-Unary")); err != nil {
		return nil, err
	}
	if err := sleepWanted(ctx); err != nil {
		return nil, err
	}
	busyWanted(ctx)
	if err := spawnWanted(ctx); err != nil {
		return nil, err
	}
	if err := wantedStatus(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// spawnWanted runs /bin/true when asked: the traced process forks and
// execs while its probes are attached.
func spawnWanted(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if len(md.Get(echo.KeySpawn)) == 0 {
		return nil
	}
	if err := exec.Command("/bin/true").Run(); err != nil {
		return status.Error(codes.Internal, "spawn: "+err.Error())
	}
	return nil
}

// busyWanted spins for x-busy-ms, yielding to the scheduler all the time:
// with GOMAXPROCS above the core count this keeps goroutines migrating
// between threads while the transport runs.
func busyWanted(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	if len(md.Get(echo.KeyBusyMs)) == 0 {
		return
	}
	ms, err := intValue(md, echo.KeyBusyMs)
	if err != nil {
		return
	}
	for end := time.Now().Add(time.Duration(ms) * time.Millisecond); time.Now().Before(end); {
		runtime.Gosched()
	}
}

// sendDeep sends out from depth frames down, so that the transport's
// functions run near the end of the goroutine's stack and now and then
// must grow it first (their prologue's stack check is taken).
//
//go:noinline
func sendDeep(st grpc.ServerStream, out *[]byte, depth int) error {
	var pad [48]byte
	if depth > 0 {
		pad[depth%len(pad)] = byte(depth)
		return sendDeep(st, out, depth-1+int(pad[0]&0))
	}
	return st.SendMsg(out)
}

// sleepWanted waits x-sleep-ms, or until the call is cancelled or times out.
func sleepWanted(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if len(md.Get(echo.KeySleepMs)) == 0 {
		return nil
	}
	ms, err := intValue(md, echo.KeySleepMs)
	if err != nil {
		return err
	}
	select {
	case <-time.After(time.Duration(ms) * time.Millisecond):
		return nil
	case <-ctx.Done():
		return status.FromContextError(ctx.Err()).Err()
	}
}

// ServerStream reads one request, then sends x-count messages of x-size bytes.
func (echoServer) ServerStream(st grpc.ServerStream) error {
	if err := setHeaderTrailer(st, "ServerStream"); err != nil {
		return err
	}
	var in []byte
	if err := st.RecvMsg(&in); err != nil {
		return err
	}
	md, _ := metadata.FromIncomingContext(st.Context())
	count, err := intValue(md, echo.KeyCount)
	if err != nil {
		return err
	}
	size, err := intValue(md, echo.KeySize)
	if err != nil {
		return err
	}
	grow := len(md.Get(echo.KeyGrowStack)) > 0
	for i := 0; i < count; i++ {
		out := echo.Payload(size)
		depth := 0
		if grow {
			depth = (i * 37) % 400
		}
		if err := sendDeep(st, &out, depth); err != nil {
			return err
		}
	}
	return wantedStatus(st.Context())
}

// ClientStream reads every message and answers with the decimal byte total.
func (echoServer) ClientStream(st grpc.ServerStream) error {
	if err := setHeaderTrailer(st, "ClientStream"); err != nil {
		return err
	}
	total := 0
	for {
		var in []byte
		err := st.RecvMsg(&in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		total += len(in)
	}
	if err := wantedStatus(st.Context()); err != nil {
		return err
	}
	out := []byte(strconv.Itoa(total))
	return st.SendMsg(&out)
}

// Bidi echoes each message as it arrives, then honours x-want-code.
func (echoServer) Bidi(st grpc.ServerStream) error {
	if err := setHeaderTrailer(st, "Bidi"); err != nil {
		return err
	}
	for {
		var in []byte
		err := st.RecvMsg(&in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := st.SendMsg(&in); err != nil {
			return err
		}
	}
	return wantedStatus(st.Context())
}

func setHeaderTrailer(st grpc.ServerStream, method string) error {
	if err := st.SetHeader(metadata.Pairs(echo.KeyRespHeader, "h-"+method)); err != nil {
		return err
	}
	st.SetTrailer(metadata.Pairs(echo.KeyRespTrailer, "t-"+method))
	return nil
}

// wantedStatus returns the error the client asked for with x-want-code
// (and x-want-message or x-want-message-bin), or nil.
func wantedStatus(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if len(md.Get(echo.KeyWantCode)) == 0 {
		return nil
	}
	code, err := intValue(md, echo.KeyWantCode)
	if err != nil {
		return err
	}
	msg := first(md, echo.KeyWantMessage)
	if v := md.Get(echo.KeyWantMessageBin); len(v) > 0 {
		msg = v[0]
	}
	return status.Error(codes.Code(code), msg)
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// intValue parses a required non-negative integer metadata value.
func intValue(md metadata.MD, key string) (int, error) {
	v := first(md, key)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, status.Errorf(codes.InvalidArgument, "metadata %s: want a non-negative integer, got %q", key, v)
	}
	return n, nil
}
