// A Go program without gRPC: gogrpctrace --inspect must refuse it cleanly.
// The bad-input tests build it into a temporary directory.
package main

import "fmt"

func main() { fmt.Println("hello") }
