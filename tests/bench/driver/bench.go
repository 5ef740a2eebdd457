package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ---- results (also the JSON document) ----

type overheadRow struct {
	Name        string        `json:"name"`
	Side        string        `json:"side"`
	Flags       []string      `json:"flags,omitempty"`
	Concurrency int           `json:"concurrency"`
	Size        int           `json:"size,omitempty"` // request bytes (grpcload -size); 0: its default
	Untraced    []roundResult `json:"untraced"`
	Traced      []roundResult `json:"traced"`
	QPSRatio    float64       `json:"qps_ratio"`
	P50Ratio    float64       `json:"p50_ratio"`
	P99Ratio    float64       `json:"p99_ratio"`
	PairQPSMin  float64       `json:"pair_qps_ratio_min"`
	PairQPSMax  float64       `json:"pair_qps_ratio_max"`
	PairQPSP25  float64       `json:"pair_qps_ratio_p25"` // interquartile range of the pairs' ratios
	PairQPSP75  float64       `json:"pair_qps_ratio_p75"`
	HitsPerCall float64       `json:"hits_per_call"`
	UsPerHit    float64       `json:"us_per_hit"`
	Skipped     string        `json:"skipped,omitempty"`
}

type startupResult struct {
	Binary       string  `json:"binary"`
	SizeMB       float64 `json:"size_mb"`
	ColdAttachS  float64 `json:"cold_attach_s"` // exec to the start line
	WarmAttachS  float64 `json:"warm_attach_s"`
	Cold         startup `json:"cold_startup"`
	Warm         startup `json:"warm_startup"`
	ColdPeakKB   int64   `json:"cold_peak_rss_kb"` // from wait4
	WarmPeakKB   int64   `json:"warm_peak_rss_kb"`
	InspectS     float64 `json:"inspect_s"`        // median of 3
	DwarfdumpS   float64 `json:"dwarfdump_grep_s"` // one run
	DumpTimedOut bool    `json:"dwarfdump_timed_out,omitempty"`
	ProbesOn     int     `json:"probes_enabled"`
	ProbesAll    int     `json:"probes_total"`
	CheckCalls   int64   `json:"check_calls"` // calls made while the warm run was attached
	CheckSeen    int64   `json:"check_seen"`  // of which the tool printed
	Err          string  `json:"error,omitempty"`
}

type eventsResult struct {
	Name          string      `json:"name"`
	RingbufPages  int         `json:"ringbuf_pages"` // 0 = default
	Round         roundResult `json:"round"`
	Produced      int64       `json:"produced"`        // emitted + lost
	ExpectedCalls int64       `json:"expected_events"` // calls x events per call (lossless run)
	EventsPerSec  float64     `json:"events_per_s"`
	CPUmsPer10k   float64     `json:"tool_cpu_ms_per_10k_events"`
	Err           string      `json:"error,omitempty"`
}

type results struct {
	Env          map[string]string `json:"env"`
	Settings     map[string]string `json:"settings"`
	BigbinBuildS float64           `json:"bigbin_build_s"`
	Startup      []startupResult   `json:"startup"`
	Overhead     []*overheadRow    `json:"overhead"`
	Kinds        []*kindRow        `json:"kinds"` // hits per call and BPF time per probe, by kind of call
	Events       []eventsResult    `json:"events"`
	EventsPerRPC float64           `json:"server_events_per_call"`
	Hour         *hourResult       `json:"memory_hour,omitempty"`
	TotalS       float64           `json:"total_s"`
	LoadBefore   string            `json:"loadavg_before"` // /proc/loadavg: other work on the machine
	LoadAfter    string            `json:"loadavg_after"`
	IdleBefore   idleCheck         `json:"idle_before"`
	IdleAfter    idleCheck         `json:"idle_after"`
	MachineBusy  bool              `json:"machine_busy"` // other work at the start or the end: numbers are noisy
	Errors       []string          `json:"errors,omitempty"`
}

var res results

func note(format string, args ...interface{}) {
	s := fmt.Sprintf(format, args...)
	logf("%s", s)
	res.Errors = append(res.Errors, s)
}

// ---- the run ----

func run() int {
	t0 := time.Now()
	res.Settings = map[string]string{
		"round": roundDur.String(), "warmup": warmupDur.String(), "pairs": strconv.Itoa(*pairs),
		"sustained": sustained.String(), "tiny": tinyDur.String(), "targets": *targetsDir,
	}
	res.BigbinBuildS = *buildSecs
	res.LoadBefore = loadavg()
	for _, p := range []string{*toolPath, loadPath, serverPath} {
		if _, err := os.Stat(p); err != nil {
			fatal("%v (run make all targets)", err)
		}
	}
	// One copy of the tool for the whole run: a rebuild of build/ during
	// the run (make, another engineer) must not change what is measured.
	if b, err := os.ReadFile(*toolPath); err != nil {
		fatal("%v", err)
	} else {
		cp := filepath.Join(tmpDir, "gogrpctrace")
		if err := os.WriteFile(cp, b, 0o755); err != nil {
			fatal("%v", err)
		}
		*toolPath = cp
	}
	if *onlyHour {
		return hourOnly()
	}
	res.IdleBefore = checkIdle("before", 2*time.Second)
	for until := time.Now().Add(*waitIdle); res.IdleBefore.Busy && time.Now().Before(until); {
		res.IdleBefore = checkIdle("before", 2*time.Second)
	}
	// Start-up first, so the first attach is a cold one.
	for _, bin := range []string{serverPath, *bigBin} {
		logf("start-up: %s", bin)
		res.Startup = append(res.Startup, measureStartup(bin))
	}

	srv, addr, err := startServer(serverPath)
	if err != nil {
		fatal("%v", err)
	}
	serverAddr, serverPID = addr, srv.pid()

	mk := func(name, side string, conc int, flags ...string) *overheadRow {
		return &overheadRow{Name: name, Side: side, Concurrency: conc, Flags: flags}
	}
	c1 := []*overheadRow{
		mk("server", "server", 1), mk("client", "client", 1), mk("both", "both", 1),
		mk("both, empty probes", "both", 1, "--bench-empty"),
		mk("both, at entry", "both", 1, "--bench-entry"),
		mk("both, empty at entry", "both", 1, "--bench-empty", "--bench-entry"),
	}
	// --payload's cost: 16 KiB messages (echoed back), traced without it
	// and with every message copied whole and decoded.
	for _, flags := range [][]string{nil, {"--payload=16384"}} {
		r := mk("server, 16 KiB msgs", "server", 1, flags...)
		if flags != nil {
			r.Name += ", --payload=16384"
		}
		r.Size = 16384
		c1 = append(c1, r)
	}
	c32 := []*overheadRow{mk("server", "server", 32), mk("client", "client", 32), mk("both", "both", 32)}
	for _, batch := range [][]*overheadRow{c1, c32} {
		logf("overhead at concurrency %d: %d configurations x %d pairs", batch[0].Concurrency, len(batch), *pairs)
		runBatch(batch)
		res.Overhead = append(res.Overhead, batch...)
	}
	res.Kinds = runKinds()

	logf("events: highest rate (concurrency 32, server, %v)", *sustained)
	hi := runEvents("highest rate", 0, *sustained)
	if s := hi.Round.Sum; s != nil && hi.Round.Load.total() > 0 {
		res.EventsPerRPC = float64(s.EventsEmitted+s.EventsLost) / float64(hi.Round.Load.total())
	}
	logf("events: --ringbuf-pages 1 (%v)", *tinyDur)
	tiny := runEvents("ringbuf-pages 1", 1, *tinyDur)
	for _, e := range []*eventsResult{&hi, &tiny} {
		if epc := res.EventsPerRPC; epc == float64(int64(epc)) && epc > 0 {
			e.ExpectedCalls = int64(epc) * e.Round.Load.total()
		}
	}
	res.Events = []eventsResult{hi, tiny}
	logf("memory: an hour's worth of calls (%d)", *hourCalls)
	hour := runHour()
	res.Hour = &hour
	srv.stop(syscall.SIGTERM, 5*time.Second)

	res.TotalS = time.Since(t0).Seconds()
	res.LoadAfter = loadavg()
	res.IdleAfter = checkIdle("after", 2*time.Second)
	res.MachineBusy = res.IdleBefore.Busy || res.IdleAfter.Busy
	line, env := envLine()
	res.Env = env
	printTable(line)
	if err := writeJSON(&res); err != nil {
		fatal("%v", err)
	}
	md := filepath.Join(filepath.Dir(*outJSON), "bench-overhead.md")
	if err := os.WriteFile(md, []byte(overheadMarkdown(line)), 0o644); err != nil {
		fatal("%v", err)
	}
	fmt.Printf("(also in %s; the README's overhead section in %s)\n", *outJSON, md)
	return 0
}

// runBatch alternates an untraced and a traced round for every row, pairs times.
func runBatch(rows []*overheadRow) {
	for rep := 0; rep < *pairs; rep++ {
		for _, r := range rows {
			if r.Skipped != "" {
				continue
			}
			base := roundCfg{side: "none", conc: r.Concurrency, size: r.Size, dur: *roundDur, warmup: *warmupDur}
			tc := base
			tc.side, tc.flags = r.Side, r.Flags
			// ABBA: untraced first in even pairs, traced first in odd
			// ones, so a drift during the run cancels too.
			var u, t roundResult
			var err error
			if rep%2 == 0 {
				if u, err = runRound(base); err == nil {
					t, err = runRound(tc)
				}
			} else {
				if t, err = runRound(tc); err == nil {
					u, err = runRound(base)
				}
			}
			if err != nil {
				msg := err.Error()
				if len(r.Flags) > 0 && (strings.Contains(msg, "unrecognized") || strings.Contains(msg, "invalid option") ||
					strings.Contains(msg, "unknown option") || strings.Contains(msg, "exited before attaching")) {
					r.Skipped = "flag not supported by this build: " + lastLines(msg, 1)
				}
				note("%s c=%d: %v", r.Name, r.Concurrency, err)
				continue
			}
			r.Untraced = append(r.Untraced, u)
			r.Traced = append(r.Traced, t)
		}
	}
	for _, r := range rows {
		finishRow(r)
	}
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// quantile is the q-quantile of v (0 <= q <= 1), linear between ranks.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	w := append([]float64(nil), v...)
	sort.Float64s(w)
	pos := q * float64(len(w)-1)
	i := int(pos)
	if i+1 >= len(w) {
		return w[len(w)-1]
	}
	return w[i] + (pos-float64(i))*(w[i+1]-w[i])
}

func median(v []float64) float64 { return quantile(v, 0.5) }

// pairRatios are traced/untraced of each pair.
func pairRatios(t, u []float64) []float64 {
	var r []float64
	for i := range t {
		if u[i] > 0 {
			r = append(r, t[i]/u[i])
		}
	}
	return r
}

// medianRatio is the median over the pairs of traced/untraced.
func medianRatio(t, u []float64) float64 { return median(pairRatios(t, u)) }

func finishRow(r *overheadRow) {
	if len(r.Traced) == 0 {
		if r.Skipped == "" {
			r.Skipped = "no successful round"
		}
		return
	}
	get := func(rs []roundResult, f func(loadResult) float64) []float64 {
		var v []float64
		for _, x := range rs {
			v = append(v, f(x.Load))
		}
		return v
	}
	qps := func(l loadResult) float64 { return l.QPS }
	uq, tq := get(r.Untraced, qps), get(r.Traced, qps)
	p50 := func(l loadResult) float64 { return l.P50us }
	p99 := func(l loadResult) float64 { return l.P99us }
	r.QPSRatio = medianRatio(tq, uq)
	r.PairQPSP25, r.PairQPSP75 = quantile(pairRatios(tq, uq), 0.25), quantile(pairRatios(tq, uq), 0.75)
	r.P50Ratio = medianRatio(get(r.Traced, p50), get(r.Untraced, p50))
	r.P99Ratio = medianRatio(get(r.Traced, p99), get(r.Untraced, p99))
	r.PairQPSMin, r.PairQPSMax = 1e9, 0
	var hits, calls float64
	for i := range tq {
		x := tq[i] / uq[i]
		if x < r.PairQPSMin {
			r.PairQPSMin = x
		}
		if x > r.PairQPSMax {
			r.PairQPSMax = x
		}
		if s := r.Traced[i].Sum; s != nil {
			hits += float64(s.ProbeHits)
			calls += float64(r.Traced[i].Load.total())
		}
	}
	if calls > 0 {
		r.HitsPerCall = hits / calls
	}
	// Time per call at this concurrency (concurrency / throughput), the
	// difference taken per pair, then the median.
	var d []float64
	for i := range tq {
		d = append(d, float64(r.Concurrency)*1e6/tq[i]-float64(r.Concurrency)*1e6/uq[i])
	}
	if r.HitsPerCall > 0 {
		r.UsPerHit = median(d) / r.HitsPerCall
	}
}

func runEvents(name string, pages int, d time.Duration) eventsResult {
	e := eventsResult{Name: name, RingbufPages: pages}
	c := roundCfg{side: "server", conc: 32, dur: d, warmup: *warmupDur}
	if pages > 0 {
		c.flags = []string{"--ringbuf-pages", strconv.Itoa(pages)}
	}
	rr, err := runRound(c)
	e.Round = rr
	if err != nil {
		e.Err = err.Error()
		note("events %s: %v", name, err)
		return e
	}
	if s := rr.Sum; s != nil {
		e.Produced = s.EventsEmitted + s.EventsLost
		if rr.Load.DurationS > 0 {
			e.EventsPerSec = float64(s.EventsReceived) / (rr.Load.DurationS + warmupDur.Seconds())
		}
		if s.EventsReceived > 0 {
			e.CPUmsPer10k = rr.ToolCPUs * 1000 / float64(s.EventsReceived) * 10000
		}
	}
	return e
}

// measureStartup: two consecutive attaches to a running bin, then the
// reader against the dwarfdump method.
func measureStartup(bin string) startupResult {
	s := startupResult{Binary: bin, SizeMB: fileMB(bin)}
	srv, srvAddr, err := startServer(bin)
	if err != nil {
		s.Err = err.Error()
		note("start-up %s: %v", bin, err)
		return s
	}
	// A fresh cache seen by these two runs only: the first is cold, the
	// second finds what the first compiled.
	cache := ""
	if err := os.MkdirAll(toolCacheDir, 0o700); err == nil {
		if d, err := os.MkdirTemp(tmpDir, "cache."); err == nil && os.Chmod(d, 0o700) == nil {
			cache = d
		}
	}
	if cache == "" {
		note("start-up %s: no private cache directory; the cold run may use the machine's cache", bin)
	}
	for i := 0; i < 2; i++ {
		t, err := startToolIn(cache, []string{"--json", "-v", "-p", strconv.Itoa(srv.pid())})
		if err != nil {
			s.Err = err.Error()
			note("start-up %s: %v", bin, err)
			break
		}
		at := t.attachTime()
		if i == 1 {
			// While attached: a second of calls, to show the tool sees them.
			s.CheckCalls, s.CheckSeen = checkCalls(srvAddr, t)
		}
		t.finish()
		t.mu.Lock()
		if i == 1 {
			s.CheckSeen = t.rpcLines
		}
		t.mu.Unlock()
		su := parseStartup(t.p.stderr.String())
		if i == 0 {
			s.ColdAttachS, s.Cold, s.ColdPeakKB = at, su, t.peakRSSkB()
		} else {
			s.WarmAttachS, s.Warm, s.WarmPeakKB = at, su, t.peakRSSkB()
		}
	}
	srv.stop(syscall.SIGTERM, 5*time.Second)

	// Our reader: --inspect --json, median of three.
	var ts []float64
	for i := 0; i < 3; i++ {
		st := time.Now()
		out, err := exec.Command(*toolPath, "--inspect", "--json", bin).Output()
		if err != nil {
			note("inspect %s: %v", bin, err)
			break
		}
		ts = append(ts, time.Since(st).Seconds())
		if i == 0 {
			s.ProbesOn = strings.Count(string(out), `"enabled":true`)
			s.ProbesAll = s.ProbesOn + strings.Count(string(out), `"enabled":false`)
		}
	}
	sort.Float64s(ts)
	if len(ts) > 0 {
		s.InspectS = ts[len(ts)/2]
	}
	s.DwarfdumpS, s.DumpTimedOut = dwarfdumpMethod(bin)
	return s
}

// dwarfdumpMethod answers the reader's questions the seed document's way:
// the whole .debug_info as text, grepped for the probed functions (their
// parameters and location lists follow each name) and the structs whose
// member offsets the probes use.
func dwarfdumpMethod(bin string) (float64, bool) {
	funcs := `google\.golang\.org/grpc/internal/transport\.\(\*(http2Server|http2Client|loopyWriter)\)\.(operateHeaders|writeHeader|write|Write|handleData|handleRSTStream)|golang\.org/x/net/http2\.\(\*Framer\)\.WriteRSTStream`
	types := `google\.golang\.org/grpc/internal/transport\.(http2Server|http2Client|ServerStream|ClientStream|Stream|loopyWriter)|golang\.org/x/net/http2\.(MetaHeadersFrame|DataFrame|FrameHeader|HeadersFrame)|google\.golang\.org/grpc/mem\.(BufferSlice|SliceBuffer)|net\.TCPAddr`
	script := fmt.Sprintf(`set -o pipefail; %q --debug-info %q | grep -E -A 40 'DW_AT_name[[:space:]]+\("(%s|%s)"\)' > /dev/null`, *dumpTool, bin, funcs, types)
	st := time.Now()
	p, err := start("bash", []string{"-c", script}, nil)
	if err != nil {
		note("dwarfdump: %v", err)
		return 0, false
	}
	if !p.wait(*dumpLimit) {
		syscall.Kill(-p.pid(), syscall.SIGKILL) // the whole pipeline
		p.wait(5 * time.Second)
		return time.Since(st).Seconds(), true
	}
	el := time.Since(st).Seconds()
	if !p.state.Success() {
		note("dwarfdump method on %s: %v: %s", bin, p.state, lastLines(p.stderr.String(), 2))
	}
	return el, false
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// checkCalls runs grpcload for a second against addr; returns the calls made.
func checkCalls(addr string, t *toolRun) (int64, int64) {
	var line []byte
	p, err := start(loadPath, []string{"-addr", addr, "-concurrency", "1", "-duration", "1s", "-warmup", "0s"},
		func(l []byte) { line = append([]byte(nil), l...) })
	if err != nil {
		note("check calls: %v", err)
		return 0, 0
	}
	if !p.wait(30 * time.Second) {
		p.stop(syscall.SIGKILL, time.Second)
	}
	var l loadResult
	if err := json.Unmarshal(line, &l); err != nil || l.Errors > 0 {
		note("check calls against %s: %v %s %s", addr, err, l.FirstError, p.stderr.String())
	}
	time.Sleep(300 * time.Millisecond)
	return l.total(), 0
}
