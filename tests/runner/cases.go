package main

// The runtime cases whose every call must be what the client did: one row
// each, {name, cell, side, tls, scenario, args, expect}. A row runs the
// cell's grpcserver and grpcclient (in the given build variant), traces
// the given side with the given arguments, ends the tool at once
// (endTool: its own counters, not a pause, say that all was received) and
// holds each printed call to the client's account of it (expectExact).
// Tests that check something else than this live beside their subject.

import (
	"fmt"
	"strings"

	"gogrpctrace/tests/targets/records"
)

type exactCase struct {
	name string
	opts traceOpts // cell, side, tls, scenario, args, variant
	// The side the output holds, when it is not opts.side ("both" sides
	// traced, one shown by --side).
	shows string
	// The client's calls the output must hold, in order; nil: every one.
	expect func(records.Call) bool
}

func exactCases() []exactCase {
	newest, oldest := cells[0], cells[len(cells)-1]
	sides := []string{"server", "client"}
	tlsName := map[bool]string{false: "plaintext", true: "tls"}
	var cs []exactCase
	each := func(prefix string, in []cell, variant, scenario string, tlsToo bool) {
		for _, c := range in {
			for _, side := range sides {
				for _, tls := range []bool{false, true} {
					if tls && !tlsToo {
						continue
					}
					name := fmt.Sprintf("%s/%s/%s", prefix, c.name, side)
					if tlsToo {
						name += "/" + tlsName[tls]
					}
					cs = append(cs, exactCase{name: name,
						opts: traceOpts{cell: c, side: side, tls: tls, scenario: scenario, variant: variant}})
				}
			}
		}
	}
	// Every call of the "all" scenario, on each side, with and without
	// TLS, in every matrix cell.
	each("trace", cells, "", "all", true)
	// Stripped binaries: the offsets table, Go's function table, a split
	// debug file.
	for _, v := range variants {
		for _, c := range cells {
			for _, side := range sides {
				cs = append(cs, exactCase{name: fmt.Sprintf("stripped/%s/%s/%s", c.name, v, side),
					opts: traceOpts{cell: c, side: side, scenario: "all", variant: v}})
			}
		}
	}
	// Position-independent executables (the newest cell's): every address
	// carries the load bias; TLS shows the itab reads are right.
	each("pie", []cell{newest}, "pie", "all", true)
	// Every Go minor release between the matrix cells (the sweep cells of
	// tests/targets/cells.txt, each one more minor release), -s -w (the
	// offsets table gives every value), over TLS.
	for _, c := range sweepCells {
		for _, side := range sides {
			cs = append(cs, exactCase{name: fmt.Sprintf("sweep/%s/sw/%s", c.name, side),
				opts: traceOpts{cell: c, side: side, tls: true, scenario: "all", variant: "sw"}})
		}
	}
	// Deadlines and cancellations: the status derived from RST_STREAM.
	each("resets", cells, "", "resets", false)
	// Kernels before 5.8 have no BPF ring buffer: per-CPU perf buffers,
	// forced with a hidden flag.
	for _, c := range []cell{newest, oldest} {
		for _, side := range sides {
			cs = append(cs, exactCase{name: "perf-buffer/" + c.name + "/" + side,
				opts: traceOpts{cell: c, side: side, scenario: "all", args: []string{"--perf-buffer"}}})
		}
	}
	return append(cs,
		exactCase{name: "filter/method-glob",
			opts:   traceOpts{cell: newest, side: "server", scenario: "all", args: []string{"-m", "*/Server*"}},
			expect: func(c records.Call) bool { return strings.Contains(c.Method, "/Server") }},
		exactCase{name: "filter/errors-only",
			opts:   traceOpts{cell: newest, side: "client", scenario: "all", args: []string{"-e"}},
			expect: func(c records.Call) bool { return c.GRPCStatus != 0 }},
		// Both processes traced, only the server side printed.
		exactCase{name: "filter/side", shows: "server",
			opts: traceOpts{cell: newest, side: "both", scenario: "unary", args: []string{"--side", "server"}}},
		// Scenario slow: 10 ms-class calls around one that sleeps 300 ms.
		exactCase{name: "filter/min-latency",
			opts:   traceOpts{cell: newest, side: "server", scenario: "slow", args: []string{"--min-latency", "150"}},
			expect: func(c records.Call) bool { return c.Metadata["x-sleep-ms"] != "" }},
		// Each call runs /bin/true from the traced server.
		exactCase{name: "safety/target-forks-and-execs",
			opts: traceOpts{cell: newest, side: "server", scenario: "spawn"}},
	)
}

func registerExactCases() {
	for _, x := range exactCases() {
		register("runtime", x.name, true, x.run)
	}
}

func (x exactCase) run() error {
	r, err := traceRun(x.opts)
	if err != nil {
		return err
	}
	o := x.opts
	if x.shows != "" {
		o.side = x.shows
	}
	return expectExact(o, r, x.expect)
}
