// A Go program with neither gRPC nor an HTTP stack: gogrpctrace must refuse
// it cleanly, as a file (--inspect) and as a process (-p). The tests build
// it into a temporary directory; with -wait it stays up until killed.
package main

import (
	"fmt"
	"os"
	"os/signal"
)

func main() {
	fmt.Println("hello")
	if len(os.Args) > 1 && os.Args[1] == "-wait" {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		<-sig
	}
}
