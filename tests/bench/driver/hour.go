package main

// Bounded memory: an hour's worth of calls at a realistic rate (-hour-calls,
// default 1000 calls/s for an hour), driven through grpcload as fast as the
// machine allows while the tool traces the server with --json (read and
// discarded). The tool's VmRSS is sampled at start, after the first round
// and at the end: it must stay flat (end <= start + 2 MB).

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	hourCalls = flag.Int64("hour-calls", 3600000, "calls of the memory row: an hour at 1000 calls/s")
	onlyHour  = flag.Bool("only-hour", false, "run only the memory row (an hour's worth of calls) and print it")
)

const hourFlatKB = 2048

type hourResult struct {
	Target     int64    `json:"target_calls"`
	Calls      int64    `json:"calls"` // made by grpcload
	Rounds     int      `json:"rounds"`
	WallS      float64  `json:"wall_s"`
	RSSStartKB int64    `json:"rss_start_kb"` // VmRSS right after attach
	RSSWarmKB  int64    `json:"rss_after_first_round_kb"`
	RSSEndKB   int64    `json:"rss_end_kb"` // before the summary
	Flat       bool     `json:"flat"`       // end <= start + 2 MB
	Sum        *summary `json:"summary,omitempty"`
	RPCLines   int64    `json:"rpc_lines"`
	Err        string   `json:"error,omitempty"`
}

// vmRSSkB reads VmRSS from /proc/PID/status.
func vmRSSkB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return -1
}

// loadOnce runs grpcload for d at concurrency 32 and returns its calls.
func loadOnce(d time.Duration) (int64, error) {
	var out bytes.Buffer
	load, err := start(loadPath, []string{"-addr", serverAddr, "-concurrency", "32",
		"-duration", d.String(), "-warmup", "0s"}, func(l []byte) { out.Write(l) })
	if err != nil {
		return 0, err
	}
	if !load.wait(d + 60*time.Second) {
		load.stop(syscall.SIGKILL, time.Second)
		return 0, fmt.Errorf("grpcload did not finish")
	}
	var lr loadResult
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &lr); err != nil {
		return 0, fmt.Errorf("grpcload output %q: %v (stderr %s)", out.String(), err, load.stderr.String())
	}
	if lr.Errors > 0 {
		return 0, fmt.Errorf("grpcload: %d errors, first: %s", lr.Errors, lr.FirstError)
	}
	return lr.total(), nil
}

func runHour() hourResult {
	h := hourResult{Target: *hourCalls}
	t0 := time.Now()
	tool, err := startTool([]string{"--json", "-p", strconv.Itoa(serverPID)})
	if err != nil {
		h.Err = err.Error()
		return h
	}
	defer tool.p.stop(syscall.SIGKILL, time.Second)
	h.RSSStartKB = vmRSSkB(tool.p.pid())
	for h.Calls < h.Target {
		n, err := loadOnce(10 * time.Second)
		if err != nil {
			h.Err = err.Error()
			return h
		}
		h.Calls += n
		h.Rounds++
		if h.Rounds == 1 {
			h.RSSWarmKB = vmRSSkB(tool.p.pid())
		}
		logf("memory: %d of %d calls, tool VmRSS %d kB", h.Calls, h.Target, vmRSSkB(tool.p.pid()))
	}
	time.Sleep(300 * time.Millisecond) // the last events drain
	h.RSSEndKB = vmRSSkB(tool.p.pid())
	h.Flat = h.RSSStartKB > 0 && h.RSSEndKB > 0 && h.RSSEndKB <= h.RSSStartKB+hourFlatKB
	if h.Sum, err = tool.finish(); err != nil {
		h.Err = err.Error()
	}
	tool.mu.Lock()
	h.RPCLines = tool.rpcLines
	tool.mu.Unlock()
	h.WallS = time.Since(t0).Seconds()
	return h
}

func printHour(h hourResult) {
	fmt.Printf("\n6. Memory over an hour's worth of calls (%d calls = 1 h at 1000/s, concurrency 32, tool on the server, --json read and discarded)\n", h.Target)
	if h.Err != "" {
		fmt.Printf("  error: %s\n", h.Err)
	}
	fmt.Printf("  %d calls in %d rounds, %.0f s; %d printed\n", h.Calls, h.Rounds, h.WallS, h.RPCLines)
	fmt.Printf("  tool VmRSS: %d kB at start, %d kB after the first round, %d kB at the end: flat (end <= start + 2 MB): %s\n",
		h.RSSStartKB, h.RSSWarmKB, h.RSSEndKB, goal(h.Flat))
	if s := h.Sum; s != nil {
		fmt.Printf("  events received %d, lost %d; calls unfinished %d\n", s.EventsReceived, s.EventsLost, s.Unfinished)
	}
}

// hourOnly: make bench ... -only-hour: the memory row alone.
func hourOnly() int {
	srv, addr, err := startServer(serverPath)
	if err != nil {
		fatal("%v", err)
	}
	serverAddr, serverPID = addr, srv.pid()
	h := runHour()
	srv.stop(syscall.SIGTERM, 5*time.Second)
	printHour(h)
	if h.Err != "" || !h.Flat {
		return 1
	}
	return 0
}
