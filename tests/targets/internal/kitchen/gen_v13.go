//go:build kitchen_v13 && !kitchen_old

package kitchen

// The v13 generation: github.com/golang/protobuf v1.3.5's protoc-gen-go with
// plugins=grpc (the file descriptor gzipped, passed to proto.RegisterFile).

import (
	"context"

	"github.com/golang/protobuf/ptypes/empty"
	"google.golang.org/grpc"

	pb "gogrpctrace/tests/targets/internal/kitchenpb/v13"
)

// Generation names the generated code linked in.
const Generation = "v13"

// Register registers Kitchen on s through the generated code.
func Register(s *grpc.Server) { pb.RegisterKitchenServer(s, server{}) }

// No UnimplementedKitchenServer: v1.3.5 gives it pointer methods, and server
// has every method anyway.
type server struct{}

func (server) Order(ctx context.Context, _ *pb.OrderRequest) (*pb.OrderReply, error) {
	return unary[*pb.OrderReply](ctx, "Order")
}

func (server) Menu(ctx context.Context, _ *empty.Empty) (*pb.MenuReply, error) {
	return unary[*pb.MenuReply](ctx, "Menu")
}

func (server) Clean(ctx context.Context, _ *pb.CleanRequest) (*empty.Empty, error) {
	return unary[*empty.Empty](ctx, "Clean")
}

func (server) Watch(_ *pb.WatchRequest, st pb.Kitchen_WatchServer) error { return Stream(st, "Watch") }
func (server) Stock(st pb.Kitchen_StockServer) error                     { return Stream(st, "Stock") }
func (server) Chat(st pb.Kitchen_ChatServer) error                       { return Stream(st, "Chat") }
