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
	lane     string // "": runs in its turn; else beside the others (see registerBeside)
	run      func() error
}

var tests []test

func register(kind, name string, needRoot bool, run func() error) {
	tests = append(tests, test{name: name, kind: kind, needRoot: needRoot, run: run})
}

// registerBeside registers a test that starts with the run and goes on
// beside the other tests; the tests of one lane run one after another.
// Its result is reported after theirs, so that none waits for it. The
// emulated VMs are such tests: each keeps about one core busy for many
// minutes, mostly on the guest's compiler, while most tests here leave
// the other core idle.
func registerBeside(lane, kind, name string, needRoot bool, run func() error) {
	tests = append(tests, test{name: name, kind: kind, needRoot: needRoot, lane: lane, run: run})
}

// result is what a test's run returned, and how long it took.
type result struct {
	err     error
	seconds float64
}

func timed(run func() error) result {
	start := time.Now()
	err := run()
	return result{err: err, seconds: time.Since(start).Seconds()}
}

// startLanes starts the tests that run beside the others, a goroutine per
// lane, and returns where each one's result will arrive.
func startLanes(selected []test) map[string]chan result {
	lanes := map[string][]test{}
	results := map[string]chan result{}
	for _, t := range selected {
		if t.lane != "" {
			lanes[t.lane] = append(lanes[t.lane], t)
			results[t.name] = make(chan result, 1)
		}
	}
	for _, lane := range lanes {
		go func(lane []test) {
			for _, t := range lane {
				results[t.name] <- timed(t.run)
			}
		}(lane)
	}
	return results
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
	var selected []test
	for _, t := range tests {
		if (kind != "" && t.kind != kind) || !re.MatchString(t.name) {
			continue
		}
		if *list {
			fmt.Println(t.kind, t.name)
			continue
		}
		selected = append(selected, t)
	}
	if *list {
		return
	}
	root := os.Geteuid() == 0
	var runnable []test
	for _, t := range selected {
		if !t.needRoot || root {
			runnable = append(runnable, t)
		}
	}
	beside := startLanes(runnable)
	passed, failed := 0, 0
	report := func(t test, r result) {
		if r.err != nil {
			fmt.Printf("FAIL %s (%.1fs): %v\n", t.name, r.seconds, r.err)
			failed++
		} else {
			fmt.Printf("PASS %s (%.1fs)\n", t.name, r.seconds)
			passed++
		}
	}
	var later []test
	for _, t := range selected {
		switch {
		case t.needRoot && !root:
			// Not a skip: a runtime test that cannot run is a failure.
			fmt.Printf("FAIL %s: needs root\n", t.name)
			failed++
		case t.lane != "":
			later = append(later, t)
		default:
			report(t, timed(t.run))
		}
	}
	for _, t := range later {
		report(t, <-beside[t.name])
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
