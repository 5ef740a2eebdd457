// Command ref is the reference program of the offsets table: it links
// grpc-go's server and client transports exactly as a service would, plus
// the other HTTP stacks gogrpctrace probes (net/http's HTTP/1.x and bundled
// HTTP/2, golang.org/x/net/http2's server and client, grpc served through
// http.Handler), so `make offsets` can read their layouts from its DWARF.
// It is built, read and thrown away; running it serves one call to itself.
package main

import (
	"context"
	"net"
	"net/http"
	"os"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
	"google.golang.org/grpc"
)

type empty struct{}

// rawCodec keeps the program free of generated protobuf code, so one
// source builds against every grpc-go release the table covers.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error)      { return nil, nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error { return nil }
func (rawCodec) Name() string                               { return "raw" }
func (rawCodec) String() string                             { return "raw" }

func main() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer(grpc.CustomCodec(rawCodec{}), grpc.UnknownServiceHandler(
		func(srv interface{}, stream grpc.ServerStream) error {
			return stream.SendMsg(&empty{})
		}))
	go srv.Serve(lis)
	defer srv.Stop()
	conn, err := grpc.Dial(lis.Addr().String(), grpc.WithInsecure(),
		grpc.WithDefaultCallOptions(grpc.CallCustomCodec(rawCodec{})))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	_ = conn.Invoke(context.Background(), "/ref.Ref/Call", &empty{}, &empty{})
	if len(os.Args) > 1 {
		otherStacks(srv, os.Args[1])
	}
}

// otherStacks links the HTTP stacks besides grpc-go's own transport; it
// runs only when asked (the table needs their code, not their output).
func otherStacks(g *grpc.Server, addr string) {
	h2s := &http2.Server{}
	plain := &http.Server{Addr: addr, Handler: h2c.NewHandler(g, h2s)}
	go plain.ListenAndServe()
	tlsSrv := &http.Server{Addr: addr, Handler: g}
	_ = http2.ConfigureServer(tlsSrv, h2s)
	go tlsSrv.ListenAndServeTLS("cert.pem", "key.pem")
	for _, c := range []*http.Client{
		{Transport: &http.Transport{ForceAttemptHTTP2: true}},
		{Transport: &http2.Transport{AllowHTTP: true}},
	} {
		if resp, err := c.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
		}
	}
}
