package main

// Runtime tests of the kernel the tool meets: its lockdown mode, and the
// compiled-program cache (which also remembers what the kernel's verifier
// refused). tests/vm runs them again on kernels this machine cannot become.

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Runtime test: the kernel's lockdown mode. This machine's kernel runs in
// lockdown (integrity, which allows uprobes and BPF programs reading user
// memory); tracing must work under it and -v must name the mode. The
// confidentiality mode cannot be entered and left on a running machine:
// there the tool adds a hint to a refused program's error.
func init() {
	extraRegistrations = append(extraRegistrations, func() {
		register("runtime", "startup/lockdown-mode", true, func() error {
			mode := "unknown"
			if b, err := os.ReadFile("/sys/kernel/security/lockdown"); err == nil {
				if m := regexp.MustCompile(`\[(\w+)\]`).FindStringSubmatch(string(b)); m != nil {
					mode = m[1]
				}
			}
			o := traceOpts{cell: cells[0], side: "server", scenario: "unary", args: []string{"-v"}}
			r, err := traceRun(o)
			if err != nil {
				return err
			}
			if !strings.Contains(r.toolErr, "kernel lockdown: "+mode) {
				return fmt.Errorf("-v does not say kernel lockdown: %s; stderr: %s", mode, r.toolErr)
			}
			return expectExact(o, r, nil)
		})
		register("runtime", "startup/cache-second-start", true, testCacheSecondStart)
	})
}

// Runtime test: a second start takes the compiled program from the cache.
// On a kernel whose verifier refuses the program's loops (Linux 6.1, run in
// tests/vm) the cache must also remember that refusal: the second start
// neither compiles nor is refused again.
func testCacheSecondStart() error {
	o := traceOpts{cell: cells[0], side: "server", scenario: "unary", args: []string{"-v"}}
	var second *traceResult
	for i := 0; i < 2; i++ {
		r, err := traceRun(o)
		if err != nil {
			return err
		}
		if err := expectExact(o, r, nil); err != nil {
			return fmt.Errorf("start %d: %v", i+1, err)
		}
		second = r
	}
	if !strings.Contains(second.toolErr, "(from the cache)") {
		return fmt.Errorf("the second start compiled again; stderr: %s", second.toolErr)
	}
	if strings.Contains(second.toolErr, "refuses the program's loops") {
		return fmt.Errorf("the second start met the loop refusal again; stderr: %s", second.toolErr)
	}
	if strings.Contains(second.toolErr, "gives up on the header probes' paths") {
		return fmt.Errorf("the second start met the header probes' refusal again; stderr: %s", second.toolErr)
	}
	return nil
}
