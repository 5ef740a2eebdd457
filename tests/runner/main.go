// Command runner runs gogrpctrace's tests: unit tests that need no root
// (the binary reader against independent oracles, bad input) and runtime
// tests that attach to real Go gRPC programs. Each test is a small
// declarative case registered in a table; the run ends with the line
// "N passed, N failed".
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"time"
)

// A test is one named case. Run returns nil on success.
type test struct {
	name     string
	kind     string // "unit" or "runtime"
	needRoot bool
	run      func() error
}

var tests []test

func register(kind, name string, needRoot bool, run func() error) {
	tests = append(tests, test{name: name, kind: kind, needRoot: needRoot, run: run})
}

func main() {
	pattern := flag.String("run", "", "only tests whose name matches this regexp")
	list := flag.Bool("list", false, "list the tests and exit")
	flag.Parse()
	kind := flag.Arg(0) // "", "unit" or "runtime"
	re := regexp.MustCompile(*pattern)
	if err := setupEnv(); err != nil {
		fmt.Fprintln(os.Stderr, "runner:", err)
		fmt.Println("0 passed, 1 failed")
		os.Exit(1)
	}
	registerAll()
	sort.SliceStable(tests, func(i, j int) bool { return tests[i].kind > tests[j].kind })
	passed, failed := 0, 0
	for _, t := range tests {
		if (kind != "" && t.kind != kind) || !re.MatchString(t.name) {
			continue
		}
		if *list {
			fmt.Println(t.kind, t.name)
			continue
		}
		if t.needRoot && os.Geteuid() != 0 {
			// Not a skip: a runtime test that cannot run is a failure.
			fmt.Printf("FAIL %s: needs root\n", t.name)
			failed++
			continue
		}
		start := time.Now()
		err := t.run()
		if err != nil {
			fmt.Printf("FAIL %s (%.1fs): %v\n", t.name, time.Since(start).Seconds(), err)
			failed++
		} else {
			fmt.Printf("PASS %s (%.1fs)\n", t.name, time.Since(start).Seconds())
			passed++
		}
	}
	if *list {
		return
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		os.Exit(1)
	}
}

// registerAll collects the cases of every file.
func registerAll() {
	registerRuntime()
	for _, f := range extraRegistrations {
		f()
	}
}

// Files that add cases append their registration function here in init().
var extraRegistrations []func()
