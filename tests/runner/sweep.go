package main

// Runtime tests: the Go releases between the matrix cells. Each sweep cell
// of tests/targets/cells.txt (tests "stripped") builds the test programs
// with one more Go minor release; its -ldflags="-s -w" server and client
// (no symbols, no DWARF: the offsets table gives every value) are traced
// on each side and must print exactly what the client did, so that every
// Go minor release from 1.19 to the newest is traced stripped.

import "fmt"

func init() { extraRegistrations = append(extraRegistrations, registerSweep) }

func registerSweep() {
	for _, c := range sweepCells {
		for _, side := range []string{"server", "client"} {
			o := traceOpts{cell: c, side: side, tls: true, scenario: "all", variant: "sw"}
			register("runtime", fmt.Sprintf("sweep/%s/sw/%s", c.name, side), true, func() error {
				r, err := traceRun(o)
				if err != nil {
					return err
				}
				return expectExact(o, r, nil)
			})
		}
	}
}
