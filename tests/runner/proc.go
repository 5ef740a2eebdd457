package main

import (
	"bufio"
	"bytes"
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
