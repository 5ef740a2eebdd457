// Command h2server-grpc is h2server with grpc-go linked: with -grpc it
// also serves gogrpctrace.test.Echo (grpcserver's own handlers:
// echo_handlers.go links to them) and the health service through
// (*grpc.Server).ServeHTTP, on the same http.Server as the plain routes.
package main

import (
	"net/http"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"gogrpctrace/tests/targets/h2server/serve"
	"gogrpctrace/tests/targets/internal/echo"
)

func main() { serve.Main("h2server-grpc", grpcOr) }

// grpcOr sends gRPC requests (HTTP/2, content-type application/grpc...)
// to a grpc.Server through its ServeHTTP, the rest to h.
func grpcOr(h http.Handler) http.Handler {
	const maxMsg = 16 << 20 // as grpcserver
	s := grpc.NewServer(grpc.MaxRecvMsgSize(maxMsg), grpc.MaxSendMsgSize(maxMsg))
	echo.Register(s, echoServer{})
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			s.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
