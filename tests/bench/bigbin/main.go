// Command bigbin is the large Go binary of gogrpctrace's start-up benchmark:
// a gRPC server (the Echo service's Unary method with a raw codec, plus
// health) that also links well-known, heavy modules - Kubernetes' client-go,
// etcd's client, Prometheus' client, OpenTelemetry's OTLP gRPC exporter - so
// the binary and its DWARF are as big as real services are. Those libraries
// are only constructed when -exercise is given; they are linked either way.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const codecName = "raw"

// rawCodec passes message bytes through untouched (as the test targets do).
type rawCodec struct{}

func (rawCodec) Name() string { return codecName }

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	switch m := v.(type) {
	case *[]byte:
		return *m, nil
	case []byte:
		return m, nil
	}
	return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	m, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
	}
	*m = append([]byte(nil), data...)
	return nil
}

type echoService interface{}

type echoImpl struct{}

func unaryHandler(srv interface{}, ctx context.Context, dec func(interface{}) error, _ grpc.UnaryServerInterceptor) (interface{}, error) {
	var in []byte
	if err := dec(&in); err != nil {
		return nil, err
	}
	return &in, nil
}

var echoDesc = grpc.ServiceDesc{
	ServiceName: "gogrpctrace.test.Echo",
	HandlerType: (*echoService)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Unary", Handler: unaryHandler}},
	Metadata:    "hand-written (no .proto)",
}

// exercise builds a client of each heavy library without contacting anything.
func exercise() error {
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: "http://127.0.0.1:1"})
	if err != nil {
		return err
	}
	_ = cs.CoreV1().Pods("default")
	reg := prometheus.NewRegistry()
	calls := prometheus.NewCounter(prometheus.CounterOpts{Name: "bigbin_calls_total", Help: "calls"})
	if err := reg.Register(calls); err != nil {
		return err
	}
	exp, err := otlptracegrpc.New(context.Background(), otlptracegrpc.WithInsecure(), otlptracegrpc.WithEndpoint("127.0.0.1:1"))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	defer tp.Shutdown(context.Background())
	etcd, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:1"}, DialTimeout: 10 * time.Millisecond})
	if err == nil {
		etcd.Close()
	}
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	ex := flag.Bool("exercise", false, "construct the linked libraries' clients once, then serve")
	flag.Parse()
	if *ex {
		if err := exercise(); err != nil {
			fmt.Fprintf(os.Stderr, "bigbin: exercise: %v\n", err)
		}
	}
	encoding.RegisterCodec(rawCodec{})
	s := grpc.NewServer()
	s.RegisterService(&echoDesc, echoImpl{})
	hs := health.NewServer()
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bigbin: listen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening %s\n", lis.Addr().String())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sigs; s.Stop(); os.Exit(0) }()
	if err := s.Serve(lis); err != nil {
		fmt.Fprintf(os.Stderr, "bigbin: serve: %v\n", err)
		os.Exit(1)
	}
}
