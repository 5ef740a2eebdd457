package main

// Running gogrpctrace (the tool) and the load generator.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// summary is the tool's {"type":"summary"} line (the fields we use).
type summary struct {
	Calls           int64   `json:"calls"`
	DurationS       float64 `json:"duration_s"`
	EventsReceived  int64   `json:"events_received"`
	EventsEmitted   int64   `json:"events_emitted"`
	EventsLost      int64   `json:"events_lost"`
	ProbeHits       int64   `json:"probe_hits"`
	RestartsSkipped int64   `json:"restarts_skipped"`
	ReadsFailed     int64   `json:"reads_failed"`
	Unfinished      int64   `json:"unfinished_calls"`
	// --probe-stats only; the optional counts are nil when the tool
	// does not report them.
	Probes []probeStat `json:"probes,omitempty"`
}

type probeStat struct {
	Probe        string   `json:"probe"`
	Hits         int64    `json:"hits"`
	BPFNsPerHit  *float64 `json:"bpf_ns_per_hit"`
	ReadsPerHit  *float64 `json:"reads_per_hit,omitempty"`
	MapOpsPerHit *float64 `json:"map_ops_per_hit,omitempty"`
}

// startup is the tool's -v line "start-up: read X s, render X s, compile
// X s, attach X s, peak RSS N kB" (absent from older builds).
type startup struct {
	Found     bool    `json:"found"`
	ReadS     float64 `json:"read_s"`
	RenderS   float64 `json:"render_s"`
	CompileS  float64 `json:"compile_s"`
	AttachS   float64 `json:"attach_s"`
	PeakRSSkB int64   `json:"peak_rss_kb"`
	FromCache bool    `json:"from_cache"` // the compiled program came from the tool's cache
}

const toolCacheDir = "/var/cache/gogrpctrace"

var startupLine = regexp.MustCompile(`start-up: read ([0-9.]+) s, render ([0-9.]+) s, compile ([0-9.]+) s( \(from the cache\))?, attach ([0-9.]+) s, peak RSS ([0-9]+) kB`)

func parseStartup(stderr string) startup {
	m := startupLine.FindStringSubmatch(stderr)
	if m == nil {
		return startup{}
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	rss, _ := strconv.ParseInt(m[6], 10, 64)
	return startup{true, f(m[1]), f(m[2]), f(m[3]), f(m[5]), rss, m[4] != ""}
}

type toolRun struct {
	p          *proc
	startedCh  chan struct{}
	mu         sync.Mutex
	startAt    time.Time // when the start line arrived
	rpcLines   int64
	sum        *summary
	cpuAtStart uint64
}

// startTool runs the tool with args and waits for its start line.
func startTool(args []string) (*toolRun, error) { return startToolIn("", args) }

// startToolIn runs the tool with an empty private directory cacheDir mounted
// over its compiled-program cache (in a mount namespace of its own), so a
// first attach is a cold one without touching the machine's cache. The
// process is exec'd in place: its PID is the tool's.
func startToolIn(cacheDir string, args []string) (*toolRun, error) {
	t := &toolRun{startedCh: make(chan struct{})}
	onLine := func(l []byte) {
		switch {
		case bytes.HasPrefix(l, []byte(`{"type":"rpc"`)):
			t.mu.Lock()
			t.rpcLines++
			t.mu.Unlock()
		case bytes.HasPrefix(l, []byte(`{"type":"start"`)):
			// One start line per traced process: the first counts.
			t.mu.Lock()
			if t.startAt.IsZero() {
				t.startAt = time.Now()
				close(t.startedCh)
			}
			t.mu.Unlock()
		case bytes.HasPrefix(l, []byte(`{"type":"summary"`)):
			var s summary
			if json.Unmarshal(l, &s) == nil {
				t.mu.Lock()
				t.sum = &s
				t.mu.Unlock()
			}
		}
	}
	name := *toolPath
	if cacheDir != "" {
		args = append([]string{"--mount", "--propagation", "private", "sh", "-c",
			`mount --bind "$0" ` + toolCacheDir + ` && exec "$@"`, cacheDir, *toolPath}, args...)
		name = "unshare"
	}
	p, err := start(name, args, onLine)
	if err != nil {
		return nil, err
	}
	t.p = p
	select {
	case <-t.startedCh:
		t.cpuAtStart, _ = cpuTicks(p.pid())
		return t, nil
	case <-p.done:
		return nil, fmt.Errorf("tool %v exited before attaching: %s", args, lastLines(p.stderr.String(), 5))
	case <-time.After(90 * time.Second):
		p.stop(syscall.SIGINT, 5*time.Second)
		return nil, fmt.Errorf("tool %v did not attach within 90 s: %s", args, lastLines(p.stderr.String(), 5))
	}
}

// attachTime is the wall time from exec to the start line.
func (t *toolRun) attachTime() float64 { return t.startAt.Sub(t.p.started).Seconds() }

// finish ends the tool with SIGINT (if still running) and returns its summary.
func (t *toolRun) finish() (*summary, error) {
	t.p.stop(syscall.SIGINT, 20*time.Second)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sum == nil {
		return nil, fmt.Errorf("tool ended without a summary: %s", lastLines(t.p.stderr.String(), 5))
	}
	return t.sum, nil
}

func (t *toolRun) peakRSSkB() int64 {
	if t.p.state == nil {
		return 0
	}
	if ru, ok := t.p.state.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// loadResult is grpcload's JSON line.
type loadResult struct {
	Calls       int64   `json:"calls"`
	Errors      int64   `json:"errors"`
	QPS         float64 `json:"qps"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	MeanUs      float64 `json:"mean_us"`
	DurationS   float64 `json:"duration_s"`
	WarmupCalls int64   `json:"warmup_calls"`
	FirstError  string  `json:"first_error"`
}

func (l loadResult) total() int64 { return l.Calls + l.WarmupCalls }

// round is one load run, traced as cfg says.
type roundCfg struct {
	side     string // "none", "server", "client", "both"
	flags    []string
	conc     int
	size     int // grpcload -size; 0: its default
	dur      time.Duration
	warmup   time.Duration
	quietOut bool   // tool without per-call accounting needs
	kind     string // "" or "unary", a streaming kind, or an HTTP kind (kinds.go)
	split    bool   // one tool per traced side (each side's own summary)
	addr     string // server; "": the run's grpcserver
	srvPID   int
}

type roundResult struct {
	Load       loadResult          `json:"load"`
	Sum        *summary            `json:"summary,omitempty"`
	SideSums   map[string]*summary `json:"side_summaries,omitempty"` // split rounds
	AttachS    float64             `json:"attach_s,omitempty"`
	RPCLines   int64               `json:"rpc_lines,omitempty"`
	ToolCPUs   float64             `json:"tool_cpu_s,omitempty"` // utime+stime between attach and stop
	ToolPeakKB int64               `json:"tool_peak_rss_kb,omitempty"`
}

var roundSeq int

// loadCmd is the load generator of c: grpcload, or this driver's own
// HTTP loop (-getloop) for the HTTP kinds.
func loadCmd(c roundCfg, addr, waitFile string) (string, []string) {
	if _, ok := httpKinds[c.kind]; ok {
		self, _ := os.Executable()
		return self, []string{"-getloop", addr, "-getloop-proto", c.kind,
			"-round", c.dur.String(), "-warmup", c.warmup.String(), "-wait-file", waitFile}
	}
	args := []string{"-addr", addr, "-concurrency", strconv.Itoa(c.conc),
		"-duration", c.dur.String(), "-warmup", c.warmup.String(), "-wait-file", waitFile}
	if c.size > 0 {
		args = append(args, "-size", strconv.Itoa(c.size))
	}
	if c.kind != "" && c.kind != "unary" {
		args = append(args, "-kind", c.kind)
	}
	return loadPath, args
}

func runRound(c roundCfg) (roundResult, error) {
	var rr roundResult
	roundSeq++
	waitFile := filepath.Join(tmpDir, fmt.Sprintf("go-%d", roundSeq))
	addr, srvPID := c.addr, c.srvPID
	if addr == "" {
		addr, srvPID = serverAddr, serverPID
	}
	var out bytes.Buffer
	var outMu sync.Mutex
	name, largs := loadCmd(c, addr, waitFile)
	load, err := start(name, largs,
		func(l []byte) { outMu.Lock(); out.Write(l); outMu.Unlock() })
	if err != nil {
		return rr, err
	}
	defer load.stop(syscall.SIGKILL, time.Second)
	// The tools: one for the sides traced, or one per side (split).
	pids := map[string]int{"server": srvPID, "client": load.pid()}
	var groups [][]string
	switch {
	case c.side == "none":
	case c.side == "both" && c.split:
		groups = [][]string{{"server"}, {"client"}}
	case c.side == "both":
		groups = [][]string{{"server", "client"}}
	default:
		groups = [][]string{{c.side}}
	}
	var tools []*toolRun
	for _, g := range groups {
		args := []string{"--json"}
		for _, side := range g {
			args = append(args, "-p", strconv.Itoa(pids[side]))
		}
		args = append(args, c.flags...)
		tool, err := startTool(args)
		if err != nil {
			return rr, err
		}
		defer tool.p.stop(syscall.SIGKILL, time.Second)
		rr.AttachS += tool.attachTime()
		tools = append(tools, tool)
	}
	if err := os.WriteFile(waitFile, nil, 0o644); err != nil {
		return rr, err
	}
	cpuEnd := make([]uint64, len(tools))
	deadline := c.warmup + c.dur + 60*time.Second
	for !load.wait(50 * time.Millisecond) {
		for i, tool := range tools {
			// Keep the last reading taken while the tool was still attached.
			if v, ok := cpuTicks(tool.p.pid()); ok {
				cpuEnd[i] = v
			}
		}
		if deadline -= 50 * time.Millisecond; deadline < 0 {
			return rr, fmt.Errorf("%s did not finish", filepath.Base(name))
		}
	}
	os.Remove(waitFile)
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &rr.Load); err != nil {
		return rr, fmt.Errorf("%s output %q: %v (stderr %s)", filepath.Base(name), out.String(), err, load.stderr.String())
	}
	if rr.Load.Errors > 0 {
		return rr, fmt.Errorf("%s: %d errors, first: %s", filepath.Base(name), rr.Load.Errors, rr.Load.FirstError)
	}
	if len(tools) > 0 && c.side != "client" {
		// Let the last events drain before ending the tools.
		time.Sleep(300 * time.Millisecond)
	}
	for i, tool := range tools {
		if v, ok := cpuTicks(tool.p.pid()); ok {
			cpuEnd[i] = v
		}
		if cpuEnd[i] >= tool.cpuAtStart {
			rr.ToolCPUs += float64(cpuEnd[i]-tool.cpuAtStart) / clockTicks
		}
		sum, err := tool.finish()
		if err != nil {
			return rr, err
		}
		if c.split {
			if rr.SideSums == nil {
				rr.SideSums = map[string]*summary{}
			}
			rr.SideSums[groups[i][0]] = sum
		} else {
			rr.Sum = sum
		}
		tool.mu.Lock()
		rr.RPCLines += tool.rpcLines
		tool.mu.Unlock()
		if kb := tool.peakRSSkB(); kb > rr.ToolPeakKB {
			rr.ToolPeakKB = kb
		}
	}
	return rr, nil
}
