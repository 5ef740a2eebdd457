package main

import (
	"fmt"
	"path/filepath"
	"runtime"
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

	p("\n1. Unary overhead, traced/untraced (100-byte Echo, one connection; each ratio is the median over the pairs of traced/untraced)\n")
	p("%-22s %4s %10s %10s %8s %13s %9s %9s  %s\n", "tool on", "conc", "qps untr.", "qps traced", "qps", "(pair range)", "p50", "p99", "goal (qps ratio)")
	for _, r := range res.Overhead {
		if strings.Contains(r.Name, ",") {
			continue
		}
		if r.Skipped != "" {
			p("%-22s %4d  skipped: %s\n", r.Name, r.Concurrency, r.Skipped)
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
		p("%-22s %4d %10.0f %10.0f %8.3f %13s %9.3f %9.3f  %s\n", r.Name, r.Concurrency,
			mean(qpsOf(r.Untraced)), mean(qpsOf(r.Traced)), r.QPSRatio,
			fmt.Sprintf("%.3f-%.3f", r.PairQPSMin, r.PairQPSMax), r.P50Ratio, r.P99Ratio, g)
	}
	p("%-22s %4s %10s %10s\n", "", "", "p50 µs", "p99 µs")
	for _, r := range res.Overhead {
		if strings.Contains(r.Name, ",") || r.Skipped != "" {
			continue
		}
		p("  %-20s %4d untraced %7.0f %9.0f   traced %7.0f %9.0f\n", r.Name, r.Concurrency,
			mean(fieldOf(r.Untraced, func(l loadResult) float64 { return l.P50us })),
			mean(fieldOf(r.Untraced, func(l loadResult) float64 { return l.P99us })),
			mean(fieldOf(r.Traced, func(l loadResult) float64 { return l.P50us })),
			mean(fieldOf(r.Traced, func(l loadResult) float64 { return l.P99us })))
	}

	p("\n2. Probe hits per call (probe_hits / calls made while attached)\n")
	for _, conc := range []int{1, 32} {
		for _, side := range []string{"server", "client", "both"} {
			if r := findRow(side, conc); r != nil && r.Skipped == "" {
				p("  %-8s c=%-3d %6.2f hits/call\n", side, conc, r.HitsPerCall)
			}
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
			p("  %-26s error: %s\n", name, s.Err)
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
		s := res.Startup[0]
		p("  cold start, %s (%.1f MB): %.3f s, goal <= 1 s: %s\n", filepath.Base(s.Binary), s.SizeMB, s.ColdAttachS, goal(s.ColdAttachS > 0 && s.ColdAttachS <= 1))
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
	if len(res.Errors) > 0 {
		p("\nproblems during the run:\n")
		for _, e := range res.Errors {
			p("  - %s\n", e)
		}
	}
	p("\nload average before %s, after %s (anything above the CPU count means other work shared the machine)\n", res.LoadBefore, res.LoadAfter)
	if busy(res.LoadBefore) || busy(res.LoadAfter) {
		p("WARNING: the machine was busy with other work during this run: the ratios and µs/hit above carry that noise\n" +
			"(see each row's pair range); rerun on an idle machine for numbers to judge the goals by.\n")
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

// busy: the 1-minute load average exceeds the CPU count.
func busy(load string) bool {
	var l float64
	if _, err := fmt.Sscan(load, &l); err != nil {
		return false
	}
	return l > float64(runtime.NumCPU())
}
