//go:build !kitchen_old && !kitchen_v13 && !kitchen_mid

package kitchen

// The new generation: protoc-gen-go v1.36.11 (the file descriptor a string
// constant) and protoc-gen-go-grpc v1.6.1.

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	pb "gogrpctrace/tests/targets/internal/kitchenpb/new"
)

// Generation names the generated code linked in.
const Generation = "new"

// Register registers Kitchen on s through the generated code.
func Register(s *grpc.Server) { pb.RegisterKitchenServer(s, server{}) }

type server struct{ pb.UnimplementedKitchenServer }

func (server) Order(ctx context.Context, _ *pb.OrderRequest) (*pb.OrderReply, error) {
	return unary[*pb.OrderReply](ctx, "Order")
}

func (server) Menu(ctx context.Context, _ *emptypb.Empty) (*pb.MenuReply, error) {
	return unary[*pb.MenuReply](ctx, "Menu")
}

func (server) Clean(ctx context.Context, _ *pb.CleanRequest) (*emptypb.Empty, error) {
	return unary[*emptypb.Empty](ctx, "Clean")
}

func (server) Watch(_ *pb.WatchRequest, st pb.Kitchen_WatchServer) error { return Stream(st, "Watch") }
func (server) Stock(st pb.Kitchen_StockServer) error                     { return Stream(st, "Stock") }
func (server) Chat(st pb.Kitchen_ChatServer) error                       { return Stream(st, "Chat") }
