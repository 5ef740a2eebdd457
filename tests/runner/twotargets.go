package main

// One description per traced executable (issue #14, item 7): the
// grpcservers of two cells built with different Go and grpc-go releases,
// traced at once, give two start objects, each with its own PID, versions
// and probes, and calls from both; in text, one start line each.

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerTwoTargets) }

func registerTwoTargets() {
	register("runtime", "two-targets/versions", true, twoTargets)
}

type startObj struct {
	Type          string            `json:"type"`
	Pids          []int             `json:"pids"`
	GoVersion     string            `json:"go_version"`
	GrpcVersion   string            `json:"grpc_version"`
	Probes        int               `json:"probes"`
	UnknownFields map[string]string `json:"unknown_fields"`
}

func cellNamed(name string) (cell, error) {
	for _, c := range cells {
		if c.name == name {
			return c, nil
		}
	}
	return cell{}, fmt.Errorf("no cell %s in tests/targets/cells.txt", name)
}

func twoTargets() error {
	var cs [2]cell
	for i, name := range []string{"go1.27-grpc1.85", "go1.24-grpc1.80"} {
		c, err := cellNamed(name)
		if err != nil {
			return err
		}
		cs[i] = c
	}
	var srvs [2]*proc
	var addrs [2]string
	for i, c := range cs {
		srv, addr, err := startServer(c, false)
		if err != nil {
			return err
		}
		defer srv.stop(syscall.SIGTERM, 5*time.Second)
		srvs[i], addrs[i] = srv, addr
	}
	for _, mode := range []string{"json", "text"} {
		tool, err := startToolIn(mode, 2*toolStartTimeout, "-p", fmt.Sprint(srvs[0].pid()), "-p", fmt.Sprint(srvs[1].pid()))
		if err != nil {
			return err
		}
		defer tool.stop(syscall.SIGKILL, time.Second)
		if mode == "text" {
			if _, err := tool.waitLine("TIME ", 5*time.Second); err != nil {
				return err
			}
		}
		for i, c := range cs {
			cli, err := start(targetBin(c, "grpcclient"), "-addr", addrs[i], "-scenario", "unary")
			if err != nil {
				return err
			}
			if err := cli.wait(20 * time.Second); err != nil {
				return fmt.Errorf("client of %s: %v: %s", c.name, err, cli.errText())
			}
		}
		time.Sleep(500 * time.Millisecond)
		if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil {
			return fmt.Errorf("%s: %v: %s", mode, err, tool.errText())
		}
		lines := tool.lines()
		if mode == "text" {
			if err := twoStartLines(lines, cs, srvs); err != nil {
				return err
			}
			continue
		}
		var starts []startObj
		rpcs := map[int]int{}
		for _, l := range lines {
			switch {
			case strings.Contains(l, `"type":"start"`):
				var s startObj
				if err := json.Unmarshal([]byte(l), &s); err != nil {
					return fmt.Errorf("start %q: %v", l, err)
				}
				starts = append(starts, s)
			case strings.Contains(l, `"type":"rpc"`):
				var x rpc
				if err := json.Unmarshal([]byte(l), &x); err != nil {
					return fmt.Errorf("rpc %q: %v", l, err)
				}
				rpcs[x.Pid]++
			}
		}
		if len(starts) != 2 {
			return fmt.Errorf("%d start objects, want 2: %q", len(starts), lines[:min(len(lines), 3)])
		}
		for i, c := range cs {
			s := starts[i]
			if len(s.Pids) != 1 || s.Pids[0] != srvs[i].pid() {
				return fmt.Errorf("start %d: pids %v, want [%d]", i, s.Pids, srvs[i].pid())
			}
			if !strings.HasPrefix(s.GoVersion, c.goVersion) || s.GrpcVersion != c.grpc {
				return fmt.Errorf("start %d (%s): go_version %q, grpc_version %q; want %s*, %s",
					i, c.name, s.GoVersion, s.GrpcVersion, c.goVersion, c.grpc)
			}
			if s.Probes <= 0 || s.UnknownFields == nil {
				return fmt.Errorf("start %d: probes %d, unknown_fields %v", i, s.Probes, s.UnknownFields)
			}
			// grpcclient -scenario unary makes three calls.
			if rpcs[srvs[i].pid()] != 3 {
				return fmt.Errorf("%s: %d rpc lines for PID %d, want 3", c.name, rpcs[srvs[i].pid()], srvs[i].pid())
			}
		}
	}
	return nil
}

// twoStartLines: one line per executable, each naming its PID and versions.
func twoStartLines(lines []string, cs [2]cell, srvs [2]*proc) error {
	if len(lines) < 3 {
		return fmt.Errorf("text: %q", lines)
	}
	for i, c := range cs {
		l := lines[i]
		prefix := "Tracing gRPC calls of PID "
		if i > 0 {
			prefix = "Also tracing gRPC calls of PID "
		}
		want := fmt.Sprintf("%s%d (%s", prefix, srvs[i].pid(), c.goVersion)
		if !strings.HasPrefix(l, want) || !strings.Contains(l, "grpc-go "+c.grpc+",") {
			return fmt.Errorf("text start line %d %q: want %q... grpc-go %s", i, l, want, c.grpc)
		}
	}
	if !strings.HasPrefix(lines[2], "TIME ") {
		return fmt.Errorf("text: the column header is not the third line: %q", lines[:3])
	}
	return nil
}
