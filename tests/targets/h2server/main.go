// Command h2server is a plain net/http server for gogrpctrace's tests:
// HTTP/1.1, and HTTP/2 that is not gRPC, from net/http's bundled HTTP/2 or
// from golang.org/x/net/http2, over TLS or cleartext (see package serve).
//
// It links no grpc-go, on purpose: it is the tests' HTTP-only program.
// h2server-grpc (the directory beside serve) is the same server with
// grpc-go linked, which takes -grpc.
package main

import "gogrpctrace/tests/targets/h2server/serve"

func main() { serve.Main("h2server", nil) }
