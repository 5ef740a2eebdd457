// Package grpccode names gRPC status codes the way the gRPC spec and
// gogrpctrace do ("NOT_FOUND"), not as grpc-go's String() does ("NotFound").
package grpccode

import "google.golang.org/grpc/codes"

// names are the canonical upper-case gRPC code names, indexed by code.
var names = []string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

// Name is the canonical name of c.
func Name(c codes.Code) string {
	if int(c) < len(names) {
		return names[c]
	}
	return "CODE_" + c.String()
}
