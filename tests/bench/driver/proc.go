package main

// Child processes: every one is started in its own process group and
// registered, so cleanup() can kill all of them on any exit path.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type proc struct {
	name    string
	cmd     *exec.Cmd
	started time.Time
	done    chan struct{} // closed once the process was waited for
	state   *os.ProcessState
	stderr  *capBuf
}

var (
	procsMu sync.Mutex
	procs   = map[*proc]bool{}
)

// capBuf keeps the first limit bytes written to it.
type capBuf struct {
	mu    sync.Mutex
	b     bytes.Buffer
	limit int
}

func (c *capBuf) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.limit - c.b.Len(); room > 0 {
		if len(p) > room {
			c.b.Write(p[:room])
		} else {
			c.b.Write(p)
		}
	}
	return len(p), nil
}

func (c *capBuf) String() string { c.mu.Lock(); defer c.mu.Unlock(); return c.b.String() }

// start runs name with args; onLine (if not nil) gets each stdout line
// (without the newline; the slice is only valid during the call).
func start(name string, args []string, onLine func([]byte)) (*proc, error) {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), stderr: &capBuf{limit: 1 << 16}}
	cmd.Stderr = p.stderr
	var out io.ReadCloser
	if onLine != nil {
		var err error
		if out, err = cmd.StdoutPipe(); err != nil {
			return nil, err
		}
	}
	procsMu.Lock()
	defer procsMu.Unlock()
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	procs[p] = true
	go func() {
		if out != nil {
			r := bufio.NewReaderSize(out, 1<<20)
			for {
				line, err := r.ReadSlice('\n')
				if err == bufio.ErrBufferFull {
					// A line longer than the buffer: drop it.
					for err == bufio.ErrBufferFull {
						_, err = r.ReadSlice('\n')
					}
					continue
				}
				if len(line) > 0 {
					onLine(bytes.TrimRight(line, "\n"))
				}
				if err != nil {
					break
				}
			}
		}
		cmd.Wait()
		p.state = cmd.ProcessState
		procsMu.Lock()
		delete(procs, p)
		procsMu.Unlock()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// wait waits up to d for the process to end; false on timeout.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig to the process (not its group).
func (p *proc) signal(sig syscall.Signal) {
	if !p.exited() {
		syscall.Kill(p.pid(), sig)
	}
}

// stop asks with sig, then kills the group after grace.
func (p *proc) stop(sig syscall.Signal, grace time.Duration) {
	p.signal(sig)
	if !p.wait(grace) {
		syscall.Kill(-p.pid(), syscall.SIGKILL)
		p.wait(5 * time.Second)
	}
}

// cleanup kills every process group still registered.
func cleanup() {
	procsMu.Lock()
	var left []*proc
	for p := range procs {
		left = append(left, p)
	}
	procsMu.Unlock()
	for _, p := range left {
		syscall.Kill(-p.pid(), syscall.SIGINT)
	}
	for _, p := range left {
		if !p.wait(3 * time.Second) {
			syscall.Kill(-p.pid(), syscall.SIGKILL)
			p.wait(3 * time.Second)
		}
	}
}

// cpuTicks is utime+stime of pid from /proc/PID/stat, in clock ticks.
func cpuTicks(pid int) (uint64, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime is field 14, stime 15.
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return u + st, true
}

const clockTicks = 100 // USER_HZ on Linux/amd64
