package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a started program whose output is collected line by line.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout []string
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func start(name string, args ...string) (*proc, error) {
	p := &proc{cmd: exec.Command(name, args...), done: make(chan struct{})}
	p.cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.stderr}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.stdout = append(p.stdout, sc.Text())
			p.mu.Unlock()
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) lines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.stdout...)
}

func (p *proc) errText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.TrimSpace(p.stderr.String())
}

// waitLine waits until a stdout line contains s and returns it.
func (p *proc) waitLine(s string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, l := range p.lines() {
			if strings.Contains(l, s) {
				return l, nil
			}
		}
		select {
		case <-p.done:
			for _, l := range p.lines() {
				if strings.Contains(l, s) {
					return l, nil
				}
			}
			return "", fmt.Errorf("%s exited before printing %q: %v; stderr: %s", p.cmd.Path, s, p.err, p.errText())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return "", fmt.Errorf("%s did not print %q within %v; stderr: %s", p.cmd.Path, s, timeout, p.errText())
}

// stop sends sig and waits for the exit.
func (p *proc) stop(sig syscall.Signal, timeout time.Duration) error {
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not exit within %v after %v", p.cmd.Path, timeout, sig)
	}
}

// startListening starts a server program and returns it with the address
// from its "listening ADDR" line.
func startListening(bin string, args ...string) (*proc, string, error) {
	srv, err := start(bin, args...)
	if err != nil {
		return nil, "", err
	}
	line, err := srv.waitLine("listening ", 10*time.Second)
	if err != nil {
		srv.stop(syscall.SIGKILL, time.Second)
		return nil, "", err
	}
	return srv, strings.TrimSpace(strings.TrimPrefix(line, "listening ")), nil
}

// traceWhile attaches the tool (--json and toolArgs) to the process pid,
// runs the client program with clientArgs while it is attached, and ends
// the tool (endTool). Returns the tool, whose lines are the run's output.
func traceWhile(pid int, client string, clientArgs []string, toolArgs ...string) (*proc, error) {
	tool, err := startToolIn("json", toolStartTimeout, append([]string{"-p", fmt.Sprint(pid)}, toolArgs...)...)
	if err != nil {
		return nil, err
	}
	cli, err := start(client, clientArgs...)
	if err == nil {
		err = cli.wait(30 * time.Second)
	}
	if err != nil {
		tool.stop(syscall.SIGKILL, time.Second)
		return nil, err
	}
	return tool, endTool(tool, 10*time.Second)
}

// endTool ends a run of the tool with SIGINT, at once: the tool removes
// its probes, drains its event buffers and only then reads its counters,
// so a pause first would gain nothing. What it printed last is held to
// those counters: a --json summary must say that every event the probes
// emitted was received (lost ones are counted apart, for the test to
// judge). Returns the tool's exit error, else a broken count.
func endTool(tool *proc, timeout time.Duration) error {
	if err := tool.stop(syscall.SIGINT, timeout); err != nil {
		return err
	}
	for _, l := range tool.lines() {
		var s struct {
			Type     string  `json:"type"`
			Received *uint64 `json:"events_received"`
			Emitted  *uint64 `json:"events_emitted"`
		}
		if json.Unmarshal([]byte(l), &s) != nil || s.Type != "summary" {
			continue
		}
		if s.Received == nil || s.Emitted == nil || *s.Received != *s.Emitted {
			return fmt.Errorf("the summary's counters disagree: %s", l)
		}
	}
	return nil
}

func (p *proc) wait(timeout time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not exit within %v", p.cmd.Path, timeout)
	}
}

func tempFlag() string {
	f, err := os.CreateTemp("", "gogrpctrace-go-*")
	if err != nil {
		panic(err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return name
}

// startToolIn starts gogrpctrace with args in "json" or "text" output and
// waits up to timeout for its start line; the caller stops it.
func startToolIn(mode string, timeout time.Duration, args ...string) (*proc, error) {
	startLine := "Ctrl-C to end."
	if mode == "json" {
		args = append(args, "--json")
		startLine = `"type":"start"`
	}
	tool, err := start(toolPath, args...)
	if err != nil {
		return nil, err
	}
	if _, err := tool.waitLine(startLine, timeout); err != nil {
		tool.stop(syscall.SIGKILL, time.Second)
		return nil, err
	}
	return tool, nil
}
