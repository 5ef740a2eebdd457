package main

// build/bench-overhead.md: the README's "Overhead" section, generated from
// this run's numbers, so the README is updated by copying it.

import (
	"fmt"
	"path/filepath"
	"strings"
)

func overheadMarkdown(envLine string) string {
	var b strings.Builder
	p := func(format string, args ...interface{}) { fmt.Fprintf(&b, format, args...) }
	env := res.Env
	p("## Overhead (measured, `make bench`, %s CPUs, kernel %s, %s)\n\n", env["cpus"], env["kernel"], env["date"])
	if res.MachineBusy {
		p("**The machine was not idle during this run** (%s; %s): the numbers carry that noise.\n\n",
			idleLine(res.IdleBefore), idleLine(res.IdleAfter))
	}
	p("Each ratio is the median over %d interleaved untraced/traced pairs of rounds of %v (ABBA order); "+
		"the range in brackets is the interquartile range of the pairs' ratios.\n\n", *pairs, *roundDur)
	p("| unary calls, 100-byte messages | throughput traced / untraced | p50 µs untraced → traced | goal |\n|---|---|---|---|\n")
	for _, r := range res.Overhead {
		if strings.Contains(r.Name, ",") || r.Skipped != "" {
			continue
		}
		label, g := "tool on the "+r.Name, "-"
		if r.Name == "both" {
			label = "tool on both"
		}
		if r.Concurrency == 1 {
			want := 0.95
			if r.Side == "both" {
				want = 0.90
			}
			g = fmt.Sprintf("≥ %.2f: %s", want, goal(r.QPSRatio >= want))
		} else {
			label += fmt.Sprintf(", %d calls in flight", r.Concurrency)
		}
		p("| %s | %.3f (%.3f–%.3f) | %.0f → %.0f | %s |\n", label, r.QPSRatio, r.PairQPSP25, r.PairQPSP75,
			median(fieldOf(r.Untraced, func(l loadResult) float64 { return l.P50us })),
			median(fieldOf(r.Traced, func(l loadResult) float64 { return l.P50us })), g)
	}
	p("\n")
	if ours, floor, ok := perHit(); ok {
		p("Cost of one hit (tool on both sides, sequential calls): an empty program at the prologue's "+
			"stack-check jump, where our probes sit, costs %.2f µs (the floor); ours cost %.2f µs, %.2f× the floor "+
			"(goal ≤ 1.2×: %s).", floor, ours, ours/floor, goal(ours/floor <= 1.2))
	} else {
		p("Cost of one hit: not measured in this run (%s).", perHitLine())
	}
	if e, eo := findRow("both, empty at entry", 1), findRow("both, at entry", 1); e != nil && eo != nil && e.Skipped == "" && eo.Skipped == "" {
		p(" At the function's first instruction: %.2f µs empty, %.2f µs ours.", e.UsPerHit, eo.UsPerHit)
	}
	p("\n\n")
	p("Probe hits per call, by kind of call (`--probe-stats`, one tool per side, hits / calls made while attached; " +
		"BPF µs: the kernel's run time of our programs per call):\n\n")
	p("| kind of call | hits per call, server | hits per call, client | BPF µs per call, server | BPF µs per call, client |\n|---|---|---|---|---|\n")
	for _, k := range res.Kinds {
		if k.Err != "" {
			continue
		}
		name := k.Name
		if k.Concurrency > 1 {
			name += " (server)"
		}
		p("| %s | %s | %s | %s | %s |\n", name, kindCell(k, "server", false), kindCell(k, "client", false),
			kindCell(k, "server", true), kindCell(k, "client", true))
	}
	p("\n")
	for _, k := range res.Kinds {
		if k.Kind != "unary" || k.Concurrency != 1 || k.Err != "" {
			continue
		}
		p("BPF run time of each probe, sequential unary calls:\n\n" +
			"| side | probe | hits per call | BPF ns per hit | reads per hit | map ops per hit |\n|---|---|---|---|---|---|\n")
		for _, sd := range k.Sides {
			for _, pr := range sd.Probes {
				if pr.Hits > 0 {
					p("| %s | %s | %.2f | %s | %s | %s |\n", sd.Side, pr.Probe, float64(pr.Hits)/float64(k.Calls),
						optNum(pr.BPFNsPerHit, "%.0f"), optNum(pr.ReadsPerHit, "%.1f"), optNum(pr.MapOpsPerHit, "%.1f"))
				}
			}
		}
		p("\n")
	}
	if len(res.Startup) > 0 {
		p("Start-up (tool started to its first output line; the cold run compiles, the warm one reads the cache):")
		sep := ""
		for _, s := range res.Startup {
			if s.ColdAttachS == 0 {
				p("%s %s: not measured (%s)", sep, filepath.Base(s.Binary), shortErr(s.Err))
				sep = ";"
				continue
			}
			p("%s %s, %.0f MB, %d probes: %.2f s cold, %.2f s warm (reading the binary: %.2f s, `llvm-dwarfdump | grep`: %.1f s)",
				sep, filepath.Base(s.Binary), s.SizeMB, s.ProbesOn, s.ColdAttachS, s.WarmAttachS, s.InspectS, s.DwarfdumpS)
			sep = ";"
		}
		p(".\n\n")
	}
	if len(res.Events) > 0 && res.Events[0].Round.Sum != nil {
		e := res.Events[0]
		s := e.Round.Sum
		p("Events: %d in %.0f s at the highest rate this machine drives (%d calls, tool on the server), %d lost, "+
			"%.1f ms of the tool's CPU per 10,000 events.\n\n", s.EventsReceived, s.DurationS, e.Round.Load.total(), s.EventsLost, e.CPUmsPer10k)
	}
	p("Goals:\n\n| goal | this run | wanted | |\n|---|---|---|---|\n")
	for _, g := range goals() {
		p("| %s | %s | %s | %s |\n", g.What, g.Value, strings.Replace(strings.Replace(g.Want, ">=", "≥", 1), "<=", "≤", 1), g.verdict())
	}
	p("\n(%s)\n", envLine)
	return b.String()
}
