package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// cell is one line of tests/targets/cells.txt: a toolchain and grpc-go
// version whose target programs were built into build/targets/<name>.
type cell struct {
	name      string
	goVersion string
	grpc      string
	xnet      string
	gopath    bool
}

var (
	repoRoot   string
	toolPath   string // build/gogrpctrace
	asanPath   string // build/gogrpctrace-asan
	targetsDir string // build/targets
	cells      []cell // every test runs in each
	sweepCells []cell // Go releases between the cells: their stripped programs traced (the sweep rows of cases.go)
)

func setupEnv() error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	// The runner is started from tests/runner or from the repository.
	for dir := wd; dir != "/"; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "bpf_templates")); err == nil {
			repoRoot = dir
			break
		}
	}
	if repoRoot == "" {
		return fmt.Errorf("cannot find the repository root above %s", wd)
	}
	// No test may reach a debuginfod server it did not start itself (a
	// stripped binary would make the tool ask the servers named here).
	os.Unsetenv("DEBUGINFOD_URLS")
	// An arm64 runner (in the arm64 VM, tests/vm/arm64) runs the tool built
	// there into build/arm64/ against the cells' arm64/ programs.
	toolPath = filepath.Join(repoRoot, "build", archDir(), "gogrpctrace")
	asanPath = filepath.Join(repoRoot, "build", "gogrpctrace-asan")
	targetsDir = filepath.Join(repoRoot, "build", "targets")
	if _, err := os.Stat(toolPath); err != nil {
		return fmt.Errorf("%s is missing: run make first", toolPath)
	}
	return readCells(filepath.Join(repoRoot, "tests", "targets", "cells.txt"))
}

func readCells(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 8 || (fs[7] != "all" && fs[7] != "stripped") {
			return fmt.Errorf("%s: bad line %q", path, line)
		}
		c := cell{name: fs[0], goVersion: fs[3], grpc: fs[4], xnet: fs[5], gopath: fs[6] == "-"}
		if fs[7] == "all" {
			cells = append(cells, c)
		} else {
			sweepCells = append(sweepCells, c)
		}
	}
	if len(cells) == 0 {
		return fmt.Errorf("%s lists no cells", path)
	}
	return sc.Err()
}

// archDir is the folder of this machine's builds under build/ and a cell's
// targets: none for amd64, the machine's name for others.
func archDir() string {
	if runtime.GOARCH == "amd64" {
		return ""
	}
	return runtime.GOARCH
}

// targetBin is the path of a target program of a cell.
func targetBin(c cell, prog string) string {
	return filepath.Join(targetsDir, c.name, archDir(), prog)
}

// toolStartTimeout bounds the tool's start-up (read, compile, attach). An
// emulated VM (tests/vm) compiles ten times slower and sets
// GG_TOOL_START_TIMEOUT to seconds of its own.
var toolStartTimeout = func() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("GG_TOOL_START_TIMEOUT")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 60 * time.Second
}()
