// Package kitchen is what pbserver and pbclient share: the Kitchen
// service's methods, the canned replies the server sends, and the calls
// the client makes (every message given in its protobuf JSON form, so one
// source serves every protobuf generation and runtime).
//
// Which generation of the generated code is linked in is chosen at build
// time: -tags kitchen_old (protoc-gen-go v1.34.2), -tags kitchen_v13
// (golang/protobuf v1.3.5), -tags kitchen_mid (protoc-gen-go v1.36.5),
// none of them (protoc-gen-go v1.36.11); gen_*.go.
package kitchen

import (
	"strings"

	"google.golang.org/grpc/codes"
)

// Pkg is the proto package of kitchen.proto.
const Pkg = "gogrpctrace.test.kitchen"

// Service is the full name of the Kitchen service.
const Service = Pkg + ".Kitchen"

// Metadata keys the server obeys.
const (
	KeyWantCode    = "x-want-code"    // fail the call with this code
	KeyWantMessage = "x-want-message" // ... and this message
	KeyReply       = "x-reply"        // send the canned replies of this name
)

// Call kinds.
const (
	Unary        = "unary"
	ServerStream = "server_stream"
	ClientStream = "client_stream"
	Bidi         = "bidi"
)

// Method is one method of a service.
type Method struct {
	Kind     string
	ReqType  string // full name of the request message
	RespType string // full name of the response message
}

// Methods of Kitchen, by short name.
var Methods = map[string]Method{
	"Order": {Unary, Pkg + ".OrderRequest", Pkg + ".OrderReply"},
	"Watch": {ServerStream, Pkg + ".WatchRequest", Pkg + ".Ticket"},
	"Stock": {ClientStream, Pkg + ".Delivery", Pkg + ".StockReport"},
	"Chat":  {Bidi, Pkg + ".Note", Pkg + ".Note"},
	"Menu":  {Unary, "google.protobuf.Empty", Pkg + ".MenuReply"},
	"Clean": {Unary, Pkg + ".CleanRequest", "google.protobuf.Empty"},
}

// Call is one call the client makes.
type Call struct {
	FullMethod string // "/pkg.Service/Method"
	Method
	Requests []string          // each request message's JSON, in order
	Replies  []string          // each expected reply's JSON; nil: not checked
	Metadata map[string]string // request metadata
	Gzip     bool              // send with grpc.UseCompressor(gzip.Name)
	Code     codes.Code        // the status the call must end with
	Message  string            // ... and its message
}

// kitchenCall is a call of Kitchen's method name.
func kitchenCall(name string, reqs ...string) Call {
	c := Call{FullMethod: "/" + Service + "/" + name, Method: Methods[name], Requests: reqs}
	switch name {
	case "Chat":
		c.Replies = reqs // echoed
	default:
		c.Replies = cannedReplies[name]
	}
	return c
}

// Scenarios by name; "all" first.
var ScenarioNames = []string{"all", "order", "text", "streams", "health"}

// Scenario returns the calls of a scenario, or nil if there is none.
func Scenario(name string) []Call {
	order := kitchenCall("Order", orderRequest)
	watch := kitchenCall("Watch", watchRequest)
	stock := kitchenCall("Stock", deliveries...)
	chat := kitchenCall("Chat", notes...)
	menu := kitchenCall("Menu", `{}`)
	clean := kitchenCall("Clean", cleanRequest)
	// The text call gets a reply with no map of two entries and no
	// well-known type, so its protobuf text form is known exactly (Go
	// writes map entries in random order).
	text := kitchenCall("Order", textRequest)
	text.Metadata = map[string]string{KeyReply: "plain"}
	text.Replies = cannedReplies["plain"]
	zipped := kitchenCall("Order", gzipRequest)
	zipped.Gzip = true
	failed := kitchenCall("Order", failRequest)
	failed.Metadata = map[string]string{KeyWantCode: "9", KeyWantMessage: "kitchen closed: no \"saffron\""}
	failed.Code, failed.Message, failed.Replies = codes.FailedPrecondition, "kitchen closed: no \"saffron\"", nil
	health := Call{FullMethod: "/grpc.health.v1.Health/Check",
		Method:   Method{Unary, "grpc.health.v1.HealthCheckRequest", "grpc.health.v1.HealthCheckResponse"},
		Requests: []string{`{"service":"` + Service + `"}`}, Replies: []string{`{"status":"SERVING"}`}}
	// What reflection answers depends on the server's release: not checked.
	reflection := Call{FullMethod: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
		Method: Method{Bidi, "grpc.reflection.v1alpha.ServerReflectionRequest",
			"grpc.reflection.v1alpha.ServerReflectionResponse"},
		Requests: []string{`{"listServices":""}`, `{"fileContainingSymbol":"` + Service + `"}`}}
	switch name {
	case "all":
		return []Call{order, watch, stock, chat, menu, clean, text, health, reflection, zipped, failed}
	case "order":
		return []Call{order}
	case "text":
		return []Call{text}
	case "streams":
		return []Call{watch, stock, chat}
	case "health":
		return []Call{health}
	}
	return nil
}

// ShortName is the method name after the last slash.
func ShortName(fullMethod string) string {
	return fullMethod[strings.LastIndex(fullMethod, "/")+1:]
}
