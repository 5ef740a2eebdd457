package echo

import (
	"context"

	"google.golang.org/grpc"
)

// ServiceName is the fully qualified gRPC service name.
const ServiceName = "gogrpctrace.test.Echo"

// Full method paths, as they appear in the :path pseudo-header.
const (
	MethodUnary        = "/" + ServiceName + "/Unary"
	MethodServerStream = "/" + ServiceName + "/ServerStream"
	MethodClientStream = "/" + ServiceName + "/ClientStream"
	MethodBidi         = "/" + ServiceName + "/Bidi"
)

// Metadata keys the client sends to script the server's behaviour.
const (
	KeyWantCode       = "x-want-code"        // decimal gRPC code to fail with
	KeyWantMessage    = "x-want-message"     // status message (printable ASCII)
	KeyWantMessageBin = "x-want-message-bin" // status message (any UTF-8; gRPC base64s "-bin" values)
	KeyCount          = "x-count"            // ServerStream: number of messages
	KeySize           = "x-size"             // ServerStream: bytes per message
	KeyRespHeader     = "x-resp-header"      // server response header: "h-<Method>"
	KeyRespTrailer    = "x-resp-trailer"     // server trailer: "t-<Method>"
	KeySleepMs        = "x-sleep-ms"         // Unary: wait this long before answering
	KeyGrowStack      = "x-grow-stack"       // ServerStream: send from ever deeper stacks
	KeyBusyMs         = "x-busy-ms"          // Unary: spin this long, yielding all the time
	KeySpawn          = "x-spawn"            // Unary: run a child process (fork + exec) first
)

// Server is what the service handlers call. Messages are *[]byte.
type Server interface {
	Unary(ctx context.Context, in []byte) ([]byte, error)
	ServerStream(stream grpc.ServerStream) error
	ClientStream(stream grpc.ServerStream) error
	Bidi(stream grpc.ServerStream) error
}

// StreamDescs are shared by the server's ServiceDesc and the client's
// NewStream calls.
var (
	ServerStreamDesc = grpc.StreamDesc{StreamName: "ServerStream", ServerStreams: true}
	ClientStreamDesc = grpc.StreamDesc{StreamName: "ClientStream", ClientStreams: true}
	BidiDesc         = grpc.StreamDesc{StreamName: "Bidi", ServerStreams: true, ClientStreams: true}
)

// Register adds the Echo service to s.
func Register(s *grpc.Server, impl Server) {
	ss, cs, bd := ServerStreamDesc, ClientStreamDesc, BidiDesc
	ss.Handler = func(srv interface{}, st grpc.ServerStream) error { return srv.(Server).ServerStream(st) }
	cs.Handler = func(srv interface{}, st grpc.ServerStream) error { return srv.(Server).ClientStream(st) }
	bd.Handler = func(srv interface{}, st grpc.ServerStream) error { return srv.(Server).Bidi(st) }
	desc := grpc.ServiceDesc{
		ServiceName: ServiceName,
		HandlerType: (*Server)(nil),
		Methods:     []grpc.MethodDesc{{MethodName: "Unary", Handler: unaryHandler}},
		Streams:     []grpc.StreamDesc{ss, cs, bd},
		Metadata:    "hand-written (no .proto)",
	}
	s.RegisterService(&desc, impl)
}

// unaryHandler has the shape protoc-gen-go-grpc would generate, so server
// interceptors (none are used here) would still see the call.
func unaryHandler(srv interface{}, ctx context.Context, dec func(interface{}) error, interceptor grpc.UnaryServerInterceptor) (interface{}, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	call := func(ctx context.Context, req interface{}) (interface{}, error) {
		out, err := srv.(Server).Unary(ctx, *req.(*[]byte))
		if err != nil {
			return nil, err
		}
		return &out, nil
	}
	if interceptor == nil {
		return call(ctx, &in)
	}
	return interceptor(ctx, &in, &grpc.UnaryServerInfo{Server: srv, FullMethod: MethodUnary}, call)
}

// Payload returns n deterministic bytes: 'a'+i%26.
func Payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}
