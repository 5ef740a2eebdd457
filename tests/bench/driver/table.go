package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

func goal(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func findRow(name string, conc int) *overheadRow {
	for _, r := range res.Overhead {
		if r.Name == name && r.Concurrency == conc {
			return r
		}
	}
	return nil
}

func printTable(envLine string) {
	p := fmt.Printf
	p("\n==== gogrpctrace benchmark (rounds of %v after %v warm-up, %d untraced/traced pairs per row) ====\n",
		*roundDur, *warmupDur, *pairs)
	p("%s\n", idleLine(res.IdleBefore))
	if *pairs < 9 {
		p("(fewer than 9 pairs: the IQRs below are not yet a spread to judge the goals by)\n")
	}

	p("\n1. Unary overhead, traced/untraced (100-byte Echo, one connection; median over the pairs of traced/untraced,\n" +
		"   IQR = the pairs' 25th-75th percentiles, then min-max)\n")
	p("%-8s %4s %9s %9s %7s %13s %13s %7s %7s  %s\n", "tool on", "conc", "qps untr.", "qps trac.", "qps", "IQR", "min-max", "p50", "p99", "goal (qps)")
	for _, r := range res.Overhead {
		if strings.Contains(r.Name, ",") {
			continue
		}
		if r.Skipped != "" {
			p("%-8s %4d  skipped: %s\n", r.Name, r.Concurrency, r.Skipped)
			continue
		}
		g := "-"
		if r.Concurrency == 1 {
			want := 0.95
			if r.Side == "both" {
				want = 0.90
			}
			g = fmt.Sprintf(">= %.2f %s", want, goal(r.QPSRatio >= want))
		}
		p("%-8s %4d %9.0f %9.0f %7.3f %13s %13s %7.3f %7.3f  %s\n", r.Name, r.Concurrency,
			median(qpsOf(r.Untraced)), median(qpsOf(r.Traced)), r.QPSRatio,
			fmt.Sprintf("%.3f-%.3f", r.PairQPSP25, r.PairQPSP75), fmt.Sprintf("%.3f-%.3f", r.PairQPSMin, r.PairQPSMax),
			r.P50Ratio, r.P99Ratio, g)
	}
	p("%-22s %4s %10s %10s\n", "", "", "p50 µs", "p99 µs")
	for _, r := range res.Overhead {
		if strings.Contains(r.Name, ",") || r.Skipped != "" {
			continue
		}
		p("  %-20s %4d untraced %7.0f %9.0f   traced %7.0f %9.0f\n", r.Name, r.Concurrency,
			median(fieldOf(r.Untraced, func(l loadResult) float64 { return l.P50us })),
			median(fieldOf(r.Untraced, func(l loadResult) float64 { return l.P99us })),
			median(fieldOf(r.Traced, func(l loadResult) float64 { return l.P50us })),
			median(fieldOf(r.Traced, func(l loadResult) float64 { return l.P99us })))
	}

	p("\n2. Probe hits per call by kind of call (one round each, --probe-stats, one tool per side;\n" +
		"   hits / calls made while attached; BPF µs = the kernel's run time of our programs)\n")
	p("  %-30s %4s %7s %10s %10s %10s %10s\n", "kind", "conc", "calls", "srv hits", "cli hits", "srv BPF µs", "cli BPF µs")
	for _, k := range res.Kinds {
		if k.Err != "" {
			p("  %-30s %4d error: %s\n", k.Name, k.Concurrency, shortErr(k.Err))
			continue
		}
		p("  %-30s %4d %7d %10s %10s %10s %10s\n", k.Name, k.Concurrency, k.Calls,
			kindCell(k, "server", false), kindCell(k, "client", false), kindCell(k, "server", true), kindCell(k, "client", true))
	}
	for _, k := range res.Kinds {
		if k.Kind != "unary" || k.Err != "" {
			continue
		}
		p("\n2b. BPF run time per probe, %s (concurrency %d): per hit and per call\n", k.Name, k.Concurrency)
		p("  %-6s %-20s %10s %10s %10s %10s %11s\n", "side", "probe", "hits/call", "BPF ns/hit", "reads/hit", "map ops/hit", "BPF ns/call")
		for _, sd := range k.Sides {
			for _, pr := range sd.Probes {
				if pr.Hits == 0 {
					continue
				}
				hpc := float64(pr.Hits) / float64(k.Calls)
				p("  %-6s %-20s %10.2f %10s %10s %10s %11s\n", sd.Side, pr.Probe, hpc, optNum(pr.BPFNsPerHit, "%.0f"),
					optNum(pr.ReadsPerHit, "%.1f"), optNum(pr.MapOpsPerHit, "%.1f"), optNum(mul(pr.BPFNsPerHit, hpc), "%.0f"))
			}
			p("  %-6s %-20s %10.2f %10s %10s %10s %11s\n", sd.Side, "(all)", sd.HitsPerCall, "", "", "", optNum(sd.BPFNsPerCall, "%.0f"))
		}
	}

	p("\n3. Cost of one hit (tool on both sides, concurrency 1; µs/hit = (traced - untraced time per call) / hits per call)\n")
	p("  %-26s %10s %10s %11s %9s\n", "probes", "qps ratio", "hits/call", "µs per hit", "vs ours")
	ours := findRow("both", 1)
	for _, name := range []string{"both", "both, empty probes", "both, at entry", "both, empty at entry"} {
		r := findRow(name, 1)
		if r == nil {
			continue
		}
		label := map[string]string{"both": "ours, stack-check jump", "both, empty probes": "empty, stack-check jump",
			"both, at entry": "ours, function entry", "both, empty at entry": "empty, function entry"}[name]
		if r.Skipped != "" {
			p("  %-26s skipped: %s\n", label, r.Skipped)
			continue
		}
		rel := "-"
		if ours != nil && ours.UsPerHit > 0 && r != ours {
			rel = fmt.Sprintf("%.2fx", r.UsPerHit/ours.UsPerHit)
		}
		flag := ""
		if r.UsPerHit < 0 {
			flag = "  (negative: below the noise)"
		}
		p("  %-26s %10.3f %10.2f %11.2f %9s%s\n", label, r.QPSRatio, r.HitsPerCall, r.UsPerHit, rel, flag)
	}
	p("  %s\n", perHitLine())

	p("\n3b. --payload's cost (16 KiB requests echoed back, tool on the server, concurrency 1)\n")
	p("  %-40s %10s %13s %14s\n", "tool", "qps ratio", "(pair range)", "µs/call added")
	for _, name := range []string{"server, 16 KiB msgs", "server, 16 KiB msgs, --payload=16384"} {
		r := findRow(name, 1)
		if r == nil || r.Skipped != "" {
			continue
		}
		u, t := mean(qpsOf(r.Untraced)), mean(qpsOf(r.Traced))
		added := 0.0
		if u > 0 && t > 0 {
			added = 1e6/t - 1e6/u
		}
		p("  %-40s %10.3f %13s %14.1f\n", name, r.QPSRatio, fmt.Sprintf("%.3f-%.3f", r.PairQPSMin, r.PairQPSMax), added)
	}

	p("\n4. Start-up (tool start to its {\"type\":\"start\"} line; phases from -v; RSS from wait4)\n")
	p("  %-26s %7s %8s %8s %8s %8s %8s %9s %9s\n", "binary", "MB", "attach s", "read", "render", "compile", "attach", "peak RSS", "probes")
	for _, s := range res.Startup {
		name := filepath.Base(s.Binary)
		if s.Err != "" && s.ColdAttachS == 0 {
			p("  %-26s error: %s\n", name, shortErr(s.Err))
			continue
		}
		for i, su := range []startup{s.Cold, s.Warm} {
			at, kb, label := s.ColdAttachS, s.ColdPeakKB, " cold"
			if i == 1 {
				at, kb, label = s.WarmAttachS, s.WarmPeakKB, " warm"
			}
			if su.PeakRSSkB > 0 {
				kb = su.PeakRSSkB
			}
			phases := "      (no -v start-up line)           "
			if su.Found {
				phases = fmt.Sprintf("%8.3f %8.3f %8.3f %8.3f", su.ReadS, su.RenderS, su.CompileS, su.AttachS)
				if su.FromCache {
					label += " (cache)"
				}
			}
			p("  %-26s %7.1f %8.3f %s %6.0f MB %4d/%-4d\n", name+label, s.SizeMB, at, phases, float64(kb)/1024, s.ProbesOn, s.ProbesAll)
		}
	}
	for _, s := range res.Startup {
		if s.CheckCalls > 0 {
			p("  %-26s tool attached (warm run) saw %d of %d Echo calls made during it (%d probes on)\n",
				filepath.Base(s.Binary), s.CheckSeen, s.CheckCalls, s.ProbesOn)
		}
	}
	if len(res.Startup) > 0 {
		for _, s := range res.Startup {
			if s.ColdAttachS > 0 {
				p("  cold start, %-14s %.3f s, goal <= 1 s (on the largest): %s\n", filepath.Base(s.Binary)+":", s.ColdAttachS, goal(s.ColdAttachS <= 1))
			}
		}
		for _, s := range res.Startup {
			if s.ColdAttachS > 0 && s.WarmAttachS > 0 {
				p("  warm/cold, %-14s %.3f, goal <= 0.2: %s\n", filepath.Base(s.Binary)+":", s.WarmAttachS/s.ColdAttachS, goal(s.WarmAttachS/s.ColdAttachS <= 0.2))
			}
		}
	}
	p("  reader: gogrpctrace --inspect --json vs llvm-dwarfdump-14 --debug-info | grep (same questions)\n")
	for _, s := range res.Startup {
		if s.InspectS == 0 {
			continue
		}
		to := ""
		if s.DumpTimedOut {
			to = " (timed out: at least)"
		}
		ratio := s.DwarfdumpS / s.InspectS
		p("  %-26s ours %.3f s, dwarfdump %.3f s%s: %.1fx faster, goal >= 5x: %s\n", filepath.Base(s.Binary), s.InspectS, s.DwarfdumpS, to, ratio, goal(ratio >= 5))
	}
	if res.BigbinBuildS >= 0 {
		p("  (building the large binary took %.0f s in this run)\n", res.BigbinBuildS)
	}

	p("\n5. Events (concurrency 32, tool on the server, --json read and discarded)\n")
	p("  %-18s %6s %10s %10s %10s %8s %10s %10s %9s %12s\n", "run", "s", "produced", "emitted", "received", "lost", "printed", "events/s", "hits", "CPU ms/10k")
	for _, e := range res.Events {
		s := e.Round.Sum
		if s == nil {
			p("  %-18s error: %s\n", e.Name, e.Err)
			continue
		}
		p("  %-18s %6.1f %10d %10d %10d %8d %10d %10.0f %9d %12.1f\n", e.Name, s.DurationS, e.Produced, s.EventsEmitted,
			s.EventsReceived, s.EventsLost, e.Round.RPCLines, e.EventsPerSec, s.ProbeHits, e.CPUmsPer10k)
	}
	p("  server events per call (lossless run): %.3f\n", res.EventsPerRPC)
	for _, e := range res.Events {
		s := e.Round.Sum
		if s == nil {
			continue
		}
		calls := e.Round.Load.total()
		exp := "n/a (events per call not whole)"
		if e.ExpectedCalls > 0 {
			exp = fmt.Sprintf("%d = %d calls x %.0f: %s", e.ExpectedCalls, calls, res.EventsPerRPC, goal(e.ExpectedCalls == e.Produced))
		}
		p("  %-18s emitted+lost %d vs expected %s; received == emitted: %s; calls printed %d of %d made\n",
			e.Name, e.Produced, exp, goal(s.EventsReceived == s.EventsEmitted), e.Round.RPCLines, calls)
	}
	if res.Hour != nil {
		printHour(*res.Hour)
	}
	p("\nGoals (issue #15), from this run:\n")
	for _, g := range goals() {
		p("  %-72s %-40s %-8s %s\n", g.What, g.Value, g.Want, g.verdict())
	}
	if res.MachineBusy {
		p("  WARNING: the machine was not idle (see below): these verdicts carry that noise\n")
	}
	if len(res.Errors) > 0 {
		p("\nproblems during the run:\n")
		for _, e := range res.Errors {
			p("  - %s\n", e)
		}
	}
	p("\n%s\n%s\n", idleLine(res.IdleBefore), idleLine(res.IdleAfter))
	if res.MachineBusy {
		p("WARNING: the machine was busy with other work during this run: the ratios and µs/hit above carry that noise\n" +
			"(see each row's IQR); rerun on an idle machine for numbers to judge the goals by.\n")
	}
	p("total %.0f s; %s\n", res.TotalS, envLine)
}

func qpsOf(rs []roundResult) []float64 {
	return fieldOf(rs, func(l loadResult) float64 { return l.QPS })
}

func fieldOf(rs []roundResult, f func(loadResult) float64) []float64 {
	var v []float64
	for _, r := range rs {
		v = append(v, f(r.Load))
	}
	return v
}

// kindCell is a side's hits per call (or BPF µs per call) of a kind's
// round; "-" when that side was not traced or the number is unknown.
func kindCell(k *kindRow, side string, bpf bool) string {
	sd := k.side(side)
	switch {
	case sd == nil:
		return "-"
	case !bpf:
		return fmt.Sprintf("%.2f", sd.HitsPerCall)
	case sd.BPFNsPerCall == nil:
		return "?"
	}
	return fmt.Sprintf("%.2f", *sd.BPFNsPerCall/1000)
}

// optNum formats an optional number; "-" when absent.
func optNum(v *float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

func mul(v *float64, f float64) *float64 {
	if v == nil {
		return nil
	}
	x := *v * f
	return &x
}

// perHitLine: ours vs the floor at our placement, and the goal.
func perHitLine() string {
	ours, floor, ok := perHit()
	if !ok {
		return "per hit vs the floor: not measured (a row was skipped or the floor came out <= 0)"
	}
	return fmt.Sprintf("per hit at the stack-check jump: floor (empty program) %.2f µs, ours %.2f µs: %.2fx the floor, goal <= 1.2x: %s",
		floor, ours, ours/floor, goal(ours/floor <= 1.2))
}
