package main

// Target safety: the traced program must never fail a call, die, or keep
// a breakpoint because of us — under stack growth and heavy preemption,
// across many attach/detach cycles, and when the tracer is SIGKILLed.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gogrpctrace/tests/targets/records"
)

func init() { extraRegistrations = append(extraRegistrations, registerSafety) }

func registerSafety() {
	newest := cells[0]
	register("runtime", "safety/stress-deep-stacks-preemption", true, func() error { return stress(newest) })
	register("runtime", "safety/attach-detach-cycles", true, func() error { return attachCycles(newest) })
	register("runtime", "safety/sigkill-leaves-nothing", true, func() error { return sigkill(newest) })
	register("runtime", "safety/target-exits-while-attaching", true, func() error { return exitWhileAttaching(newest) })
	register("runtime", "safety/big-headers", true, func() error { return bigHeaders(newest) })
	register("runtime", "safety/executable-deleted", true, func() error { return replacedExecutable(newest, false) })
	register("runtime", "safety/executable-replaced", true, func() error { return replacedExecutable(newest, true) })
}

// replacedExecutable: the running server's file is deleted, or replaced by
// another program (a newer deploy); the tool must trace what runs.
func replacedExecutable(c cell, replace bool) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-exe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	exe := dir + "/grpcserver"
	if err := exec.Command("cp", targetBin(c, "grpcserver"), exe).Run(); err != nil {
		return err
	}
	srv, err := start(exe)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	line, err := srv.waitLine("listening ", 10*time.Second)
	if err != nil {
		return err
	}
	addr := strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	os.Remove(exe)
	if replace {
		// Another Go program under the old name.
		if err := exec.Command("cp", targetBin(c, "h2server"), exe).Run(); err != nil {
			return err
		}
	}
	tool, err := traceWhile(srv.pid(), targetBin(c, "grpcclient"), []string{"-addr", addr, "-scenario", "unary"})
	if err != nil {
		return err
	}
	n := strings.Count(strings.Join(tool.lines(), "\n"), `"type":"rpc"`)
	if n != 3 {
		return fmt.Errorf("traced %d calls, want 3: %s", n, tool.errText())
	}
	return nil
}

// exitWhileAttaching: the target dies at different moments of start-up.
// The tool must end by itself, either attached (then with a summary) or
// with one line saying the process went away; never hang or crash, and
// leave no uprobe behind.
func exitWhileAttaching(c cell) error {
	attached := false
	for _, delay := range []time.Duration{0, 50 * time.Millisecond, 300 * time.Millisecond, 800 * time.Millisecond, 6 * time.Second} {
		srv, _, err := startServer(c, false)
		if err != nil {
			return err
		}
		tool, err := start(toolPath, "--json", "-p", strconv.Itoa(srv.pid()))
		if err != nil {
			return err
		}
		time.Sleep(delay)
		srv.stop(syscall.SIGKILL, 5*time.Second)
		err = tool.wait(60 * time.Second)
		out := strings.Join(tool.lines(), "\n")
		switch {
		case err == nil && strings.Contains(out, `"type":"summary"`):
			attached = true
		case err != nil && strings.Count(tool.errText(), "\n") == 0 && strings.HasPrefix(tool.errText(), "gogrpctrace: "):
		default:
			return fmt.Errorf("target killed after %v: tool %v; stdout %q; stderr %q", delay, err, out, tool.errText())
		}
		if err := noProbesLeft(); err != nil {
			return err
		}
	}
	if !attached {
		return fmt.Errorf("the target never outlived the start-up: the attached case went untested")
	}
	return nil
}

// probeAddrs lists where the tool puts its uprobes in bin.
func probeAddrs(bin string) ([]uint64, error) {
	probes, err := enabledProbes(bin)
	if err != nil {
		return nil, err
	}
	var addrs []uint64
	for _, p := range probes {
		a, err := strconv.ParseUint(strings.TrimPrefix(p.Probe, "0x"), 16, 64)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

// breakpoints counts probe addresses where the target's code holds int3,
// the byte a uprobe writes into the traced process. Read-only.
func breakpoints(pid int, addrs []uint64) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/mem", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for _, a := range addrs {
		b := make([]byte, 1)
		if _, err := f.ReadAt(b, int64(a)); err != nil {
			return 0, err
		}
		if b[0] == 0xcc {
			n++
		}
	}
	return n, nil
}

// stress: three clients at once against a server with GOMAXPROCS=8 on two
// cores, streams sent from deep stacks, busy handlers that yield all the
// time. Every call must be traced once, with exact counts.
func stress(c cell) error {
	os.Setenv("GOMAXPROCS", "8")
	srv, addr, err := startServer(c, false)
	os.Unsetenv("GOMAXPROCS")
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	tool, err := start(toolPath, "--json", "-p", strconv.Itoa(srv.pid()))
	if err != nil {
		return err
	}
	defer tool.stop(syscall.SIGKILL, time.Second)
	if _, err := tool.waitLine(`"type":"start"`, toolStartTimeout); err != nil {
		return err
	}
	const clients, rounds = 3, 2
	var procs []*proc
	for i := 0; i < clients; i++ {
		p, err := start(targetBin(c, "grpcclient"), "-addr", addr, "-scenario", "stress", "-repeat", strconv.Itoa(rounds))
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	want := map[string]int{}
	for _, p := range procs {
		if err := p.wait(120 * time.Second); err != nil {
			return fmt.Errorf("client: %v: %s", err, p.errText())
		}
		for _, l := range p.lines() {
			var cc records.Call
			if json.Unmarshal([]byte(l), &cc) == nil && cc.Type == "call" {
				want[fmt.Sprintf("%s %d/%d %d/%d", cc.Method, cc.ReqMsgs, cc.ReqBytes, cc.RespMsgs, cc.RespBytes)]++
			}
		}
	}
	if err := endTool(tool, 10*time.Second); err != nil {
		return err
	}
	got := map[string]int{}
	var sum summary
	for _, l := range tool.lines() {
		var r rpc
		if json.Unmarshal([]byte(l), &r) == nil && r.Type == "rpc" {
			got[fmt.Sprintf("%s %d/%d %d/%d", r.Method, r.ReqMsgs, r.ReqBytes, r.RespMsgs, r.RespBytes)]++
		}
		if strings.Contains(l, `"type":"summary"`) {
			json.Unmarshal([]byte(l), &sum)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("traced %v, want %v (restarts skipped: %d)", got, want, sum.RestartsSkipped)
	}
	return checkHonest(&sum)
}

// attachCycles: attach and detach many times while a client calls without
// pause; no call may fail, and no breakpoint may stay.
func attachCycles(c cell) error {
	cycles := 100
	if v, err := strconv.Atoi(os.Getenv("GOGRPCTRACE_CYCLES")); err == nil && v > 0 {
		cycles = v
	}
	srv, addr, err := startServer(c, false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	addrs, err := probeAddrs(targetBin(c, "grpcserver"))
	if err != nil {
		return err
	}
	cli, err := start(targetBin(c, "grpcclient"), "-addr", addr, "-scenario", "unary", "-repeat", "1000000")
	if err != nil {
		return err
	}
	defer cli.stop(syscall.SIGKILL, time.Second)
	for i := 0; i < cycles; i++ {
		tool, err := start(toolPath, "--json", "-d", "0.2", "-p", strconv.Itoa(srv.pid()))
		if err != nil {
			return err
		}
		if err := tool.wait(60 * time.Second); err != nil {
			return fmt.Errorf("cycle %d: %v: %s", i, err, tool.errText())
		}
		if !strings.Contains(strings.Join(tool.lines(), "\n"), `"type":"summary"`) {
			return fmt.Errorf("cycle %d: no summary: %s", i, tool.errText())
		}
	}
	time.Sleep(200 * time.Millisecond)
	cli.stop(syscall.SIGTERM, 5*time.Second)
	calls, failed := 0, 0
	for _, l := range cli.lines() {
		var cc records.Call
		if json.Unmarshal([]byte(l), &cc) == nil && cc.Type == "call" {
			calls++
			if cc.GRPCStatus != 0 {
				failed++
			}
		}
	}
	if calls < cycles || failed != 0 {
		return fmt.Errorf("%d calls during %d cycles, %d failed", calls, cycles, failed)
	}
	if n, err := breakpoints(srv.pid(), addrs); err != nil || n != 0 {
		return fmt.Errorf("%d breakpoints left in the target (%v)", n, err)
	}
	return nil
}

// sigkill: the tracer killed with SIGKILL leaves no breakpoint and no
// uprobe behind, and the target keeps serving.
func sigkill(c cell) error {
	srv, addr, err := startServer(c, false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	addrs, err := probeAddrs(targetBin(c, "grpcserver"))
	if err != nil {
		return err
	}
	tool, err := start(toolPath, "--json", "-p", strconv.Itoa(srv.pid()))
	if err != nil {
		return err
	}
	if _, err := tool.waitLine(`"type":"start"`, toolStartTimeout); err != nil {
		return err
	}
	if n, err := breakpoints(srv.pid(), addrs); err != nil || n != len(addrs) {
		return fmt.Errorf("while attached: %d of %d breakpoints seen (%v): the check itself is broken", n, len(addrs), err)
	}
	tool.stop(syscall.SIGKILL, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n, err := breakpoints(srv.pid(), addrs); err != nil || n != 0 {
		return fmt.Errorf("%d breakpoints left after SIGKILL (%v)", n, err)
	}
	if err := noProbesLeft(); err != nil {
		return err
	}
	cli, err := start(targetBin(c, "grpcclient"), "-addr", addr, "-scenario", "unary")
	if err != nil {
		return err
	}
	if err := cli.wait(30 * time.Second); err != nil {
		return fmt.Errorf("the target no longer serves after SIGKILL: %v", err)
	}
	return nil
}

// bigHeaders: 200 headers and a 16 KiB value are cut to what one event
// carries, marked truncated with the real count, and the sizes and the
// next call stay exact.
func bigHeaders(c cell) error {
	o := traceOpts{cell: c, side: "server", scenario: "bigheaders"}
	r, err := traceRun(o)
	if err != nil {
		return err
	}
	if len(r.rpcs) != 2 || len(r.calls) != 2 {
		return fmt.Errorf("traced %d calls, want 2", len(r.rpcs))
	}
	big, next := r.rpcs[0], r.rpcs[1]
	if !big.Truncated || big.ReqBytes != 64 || big.RespBytes != 64 || len(big.ReqHeaders) >= 200 {
		return fmt.Errorf("big call: truncated=%v req/resp %d/%d, %d headers kept", big.Truncated, big.ReqBytes, big.RespBytes, len(big.ReqHeaders))
	}
	if big.ReqHeaderCount < 200 {
		return fmt.Errorf("big call: req_header_count %d, want >= 200", big.ReqHeaderCount)
	}
	if next.Truncated || next.ReqBytes != 65 || next.ReqHeaders["x-after"] != "1" {
		return fmt.Errorf("the call after: %+v", next)
	}
	if r.sum.EventsLost != 0 || r.sum.EventsReceived != r.sum.EventsEmitted {
		return fmt.Errorf("summary: %+v", *r.sum)
	}
	return nil
}
