package main

// Is the machine idle? Other work running beside the bench (builds, test
// suites) moves the ratios; the bench samples the CPU time spent outside
// its own processes before it measures and after it ends, and says so when
// it was busy.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// idleBusyCores: more CPU than this (in cores) used by others is "busy".
const idleBusyCores = 0.10

type idleCheck struct {
	When      string   `json:"when"`
	BusyCores float64  `json:"busy_cores"` // CPU time of everything else / wall time
	Loadavg   string   `json:"loadavg"`
	Top       []string `json:"top,omitempty"` // the busiest processes, "name pid: cores"
	Busy      bool     `json:"busy"`
}

// cpuBusyTicks is the machine's non-idle time from /proc/stat (user, nice,
// system, irq, softirq), in clock ticks.
func cpuBusyTicks() uint64 {
	b, _ := os.ReadFile("/proc/stat")
	line := strings.SplitN(string(b), "\n", 2)[0]
	f := strings.Fields(line)
	var t uint64
	for _, i := range []int{1, 2, 3, 6, 7} {
		if i < len(f) {
			v, _ := strconv.ParseUint(f[i], 10, 64)
			t += v
		}
	}
	return t
}

// procTicks: utime+stime of every process, by PID.
func procTicks() map[int]uint64 {
	m := map[int]uint64{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if v, ok := cpuTicks(pid); ok {
			m[pid] = v
		}
	}
	return m
}

func procName(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// checkIdle samples the machine for d; this driver's own CPU is left out.
func checkIdle(when string, d time.Duration) idleCheck {
	self := os.Getpid()
	before := procTicks()
	selfBefore, _ := cpuTicks(self)
	t0, busy0 := time.Now(), cpuBusyTicks()
	time.Sleep(d)
	busy1, secs := cpuBusyTicks(), time.Since(t0).Seconds()
	selfAfter, _ := cpuTicks(self)
	after := procTicks()
	c := idleCheck{When: when, Loadavg: loadavg()}
	other := float64(busy1-busy0) - float64(selfAfter-selfBefore)
	c.BusyCores = other / clockTicks / secs
	if c.BusyCores < 0 {
		c.BusyCores = 0
	}
	type use struct {
		pid   int
		cores float64
	}
	var uses []use
	for pid, v := range after {
		if pid == self {
			continue
		}
		if v0, ok := before[pid]; ok && v > v0 {
			uses = append(uses, use{pid, float64(v-v0) / clockTicks / secs})
		}
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].cores > uses[j].cores })
	for i := 0; i < len(uses) && i < 3 && uses[i].cores >= 0.02; i++ {
		c.Top = append(c.Top, fmt.Sprintf("%s %d: %.2f", procName(uses[i].pid), uses[i].pid, uses[i].cores))
	}
	c.Busy = c.BusyCores > idleBusyCores
	logf("machine %s: %.2f cores busy with other work (load average %s)%s", when, c.BusyCores, c.Loadavg,
		map[bool]string{true: ": BUSY", false: ""}[c.Busy])
	return c
}

// idleLine is the table's line for a check.
func idleLine(c idleCheck) string {
	s := fmt.Sprintf("%s: other work used %.2f of a core over 2 s (load average %s)", c.When, c.BusyCores, c.Loadavg)
	if c.Busy {
		s = "WARNING: machine NOT idle " + s
		if len(c.Top) > 0 {
			s += "; busiest: " + strings.Join(c.Top, ", ")
		}
	} else {
		s = "machine idle " + s
	}
	return s
}
