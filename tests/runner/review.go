package main

// Failure paths found in review (issue #14): a BINARY path longer than the
// tool once copied it into, and three paths no input file reaches, checked
// by small C programs that compile in the one source file they test
// (tests/unit/func_oom.c, perf_oom.c, offsets_reload.c; built by make).

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerReview) }

func registerReview() {
	register("unit", "badinput/long-binary-path", false, longBinaryPath)
	register("unit", "badinput/binary-path-too-long", false, binaryPathTooLong)
	register("unit", "badinput/func-out-of-memory-reason", false, func() error {
		bin, err := matrixBinary()
		if err != nil {
			return err
		}
		return runCheck("check-func-oom", bin)
	})
	register("unit", "badinput/perf-sample-out-of-memory", false, func() error { return runCheck("check-perf-oom") })
	register("unit", "badinput/offsets-table-reload", false, func() error { return runCheck("check-offsets-reload") })
	// The reader's pure functions and its error contract (tests/unit/dwarf_pure.c).
	register("unit", "reader/pure-functions", false, func() error { return runCheck("check-dwarf-pure") })
}

// runCheck runs build/NAME, which prints "ok" and exits 0 when all is well.
func runCheck(name string, args ...string) error {
	path := filepath.Join(repoRoot, "build", name)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%v (run make)", err)
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// longBinaryPath: a 300-byte path to a real binary (three 100-byte
// directory names, the binary linked in at the bottom) is read whole:
// once it was cut at 256 bytes and named another file.
func longBinaryPath() error {
	tools, err := toolsUnderTest()
	if err != nil {
		return err
	}
	src, err := matrixBinary()
	if err != nil {
		return err
	}
	src, err = filepath.Abs(src)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-longpath-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	deep := dir
	for _, c := range []string{"a", "b", "c"} {
		deep = filepath.Join(deep, strings.Repeat(c, 100))
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		return err
	}
	bin := filepath.Join(deep, "grpcserver")
	if err := os.Symlink(src, bin); err != nil {
		return err
	}
	if len(bin) < 300 {
		return fmt.Errorf("the path is only %d bytes", len(bin))
	}
	for _, tool := range tools {
		what := filepath.Base(tool) + " --inspect --json <" + fmt.Sprint(len(bin)) + "-byte path>"
		r, err := runTool(tool, []string{"--inspect", "--json", bin})
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		if err := r.common(what); err != nil {
			return err
		}
		var js inspectOut
		if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &js) != nil {
			return fmt.Errorf("%s: %s", what, r.describe())
		}
		if js.Binary != bin {
			return fmt.Errorf("%s: read %q, want the whole path %q", what, js.Binary, bin)
		}
		what = filepath.Base(tool) + " --ebpf <long path>"
		r, err = runTool(tool, []string{"--ebpf", bin})
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		if err := r.common(what); err != nil {
			return err
		}
		if r.exit != 0 || !strings.Contains(r.stdout, "#define PROBE_") {
			return fmt.Errorf("%s: %s", what, r.describe())
		}
	}
	return nil
}

// binaryPathTooLong: a path the kernel could not open either (4200 bytes,
// past PATH_MAX) is refused with one line that names it whole.
func binaryPathTooLong() error {
	tools, err := toolsUnderTest()
	if err != nil {
		return err
	}
	long := "/tmp"
	for len(long) < 4200 {
		long += "/" + strings.Repeat("d", 200)
	}
	long += "/grpcserver"
	for _, tool := range tools {
		for _, mode := range []string{"--inspect", "--ebpf"} {
			what := filepath.Base(tool) + " " + mode + " <" + fmt.Sprint(len(long)) + "-byte path>"
			r, err := runTool(tool, []string{mode, long})
			if err != nil {
				return fmt.Errorf("%s: %v", what, err)
			}
			if err := r.common(what); err != nil {
				return err
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.exit == 0 || r.stdout != "" || len(lines) != 1 ||
				!strings.HasPrefix(lines[0], "gogrpctrace: path too long") || !strings.HasSuffix(lines[0], ": "+long) {
				return fmt.Errorf("%s: want one line \"gogrpctrace: path too long ...: PATH\"; got %s", what, r.describe())
			}
		}
	}
	return nil
}
