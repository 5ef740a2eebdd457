package main

// Start-up failures of a tracing run: each must end with one clear line on
// stderr, nothing on stdout, a non-zero exit, and no probe left behind.

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerStartup) }

type startupCase struct {
	name  string
	setup func() (args []string, wrap []string, cleanup func(), err error)
	want  *regexp.Regexp // the one stderr line
}

func registerStartup() {
	newest := cells[0]
	withServer := func(extra ...string) func() ([]string, []string, func(), error) {
		return func() ([]string, []string, func(), error) {
			srv, _, err := startServer(newest, false)
			if err != nil {
				return nil, nil, nil, err
			}
			args := append([]string{"-p", strconv.Itoa(srv.pid())}, extra...)
			return args, nil, func() { srv.stop(syscall.SIGKILL, time.Second) }, nil
		}
	}
	cases := []startupCase{
		{"not-root", func() ([]string, []string, func(), error) {
			args, _, cleanup, err := withServer()()
			// setpriv drops to nobody for the tool only.
			return args, []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, cleanup, err
		}, regexp.MustCompile(`^gogrpctrace: tracing needs root`)},
		{"pid-gone", func() ([]string, []string, func(), error) {
			return []string{"-p", "999999"}, nil, nil, nil
		}, regexp.MustCompile(`^gogrpctrace: no process with PID 999999$`)},
		{"not-go", func() ([]string, []string, func(), error) {
			args, cleanup, err := startSleep()
			return args, nil, cleanup, err
		}, regexp.MustCompile(`^gogrpctrace: PID \d+: .* is not a Go program`)},
		{"no-grpc", func() ([]string, []string, func(), error) {
			// A Go program with neither grpc-go nor an HTTP stack.
			dir, err := os.MkdirTemp("", "gogrpctrace-hello-*")
			if err != nil {
				return nil, nil, nil, err
			}
			bin, _, err := buildHello(dir)
			if err != nil {
				os.RemoveAll(dir)
				return nil, nil, nil, err
			}
			p, err := start(bin[0], "-wait")
			if err != nil {
				os.RemoveAll(dir)
				return nil, nil, nil, err
			}
			if _, err := p.waitLine("hello", 10*time.Second); err != nil {
				return nil, nil, nil, err
			}
			return []string{"-p", strconv.Itoa(p.pid())}, nil, func() { p.stop(syscall.SIGKILL, time.Second); os.RemoveAll(dir) }, nil
		}, regexp.MustCompile(`^gogrpctrace: PID \d+ \(.*\): nothing to trace: grpc-go not linked into this binary, and no HTTP/2 of net/http or golang.org/x/net is linked in$`)},
		{"no-kernel-headers", withServer("--kernel-headers", "/nonexistent"),
			regexp.MustCompile(`^gogrpctrace: /nonexistent is not a kernel header tree`)},
	}
	for _, sc := range cases {
		sc := sc
		register("runtime", "startup/"+sc.name, true, func() error { return runStartup(sc) })
	}
}

func runStartup(sc startupCase) error {
	args, wrap, cleanup, err := sc.setup()
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return err
	}
	cmd := append(wrap, toolPath)
	r, err := runTool(cmd[0], append(cmd[1:], args...))
	if err != nil {
		return err
	}
	if err := r.common(sc.name); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if r.exit == 0 || r.stdout != "" || len(lines) != 1 || !sc.want.MatchString(lines[0]) {
		return fmt.Errorf("want exit != 0, no stdout, one stderr line matching %q; got %s", sc.want, r.describe())
	}
	return noProbesLeft()
}

// noProbesLeft: tracefs holds no uprobe of ours.
func noProbesLeft() error {
	b, err := os.ReadFile("/sys/kernel/tracing/uprobe_events")
	if err != nil {
		return nil // no tracefs: bcc used perf_event_open; nothing to leak there
	}
	if strings.Contains(string(b), "gogrpctrace") {
		return fmt.Errorf("uprobes left behind: %s", b)
	}
	return nil
}
