package main

// Tests of the offsets table at its edges: a stripped binary whose Go or
// grpc-go release the table does not cover must have every probe that
// needs a table value refused, with a reason naming the releases found,
// and must not be traced at all (no guessed offsets). The releases are
// changed by patching the build info of a copy of a -s -w build (the
// version strings keep their length, so the file stays sound).

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerOffsets) }

func registerOffsets() {
	c := cells[0] // the newest module cell
	register("unit", "offsets/outside-go-release", false, func() error {
		from, err := goRelease(c)
		if err != nil {
			return err
		}
		return outsideTable(c, from, outsideGo, "go1.18")
	})
	register("unit", "offsets/outside-grpc-release", false, func() error {
		return outsideTable(c, "google.golang.org/grpc\t"+c.grpc, "google.golang.org/grpc\tv1.99.0", "grpc-go v1.99.0")
	})
	register("runtime", "offsets/outside-table-not-traced", true, func() error {
		return outsideNotTraced(c)
	})
	// The arm64 cross-builds stripped: arm64 has a table of its own.
	for _, c := range cells {
		c := c
		register("unit", "offsets/"+c.name+"/arm64/strip-all", false, func() error { return arm64Stripped(c) })
	}
}

// outsideGo: the table holds Go 1.19 to 1.27; 1.18 has the register ABI
// too. Of the length of the cells' releases (go1.NN.N).
const outsideGo = "go1.18.9"

// goRelease is the Go release the cell's grpcserver was built with.
func goRelease(c cell) (string, error) {
	v, err := buildinfo.ReadFile(targetBin(c, "grpcserver"))
	if err != nil {
		return "", err
	}
	if len(v.GoVersion) != len(outsideGo) {
		return "", fmt.Errorf("internal: Go release %q is not of the form go1.NN.N", v.GoVersion)
	}
	return v.GoVersion, nil
}

// patchedRelease copies the cell's -s -w grpcserver into dir with every
// occurrence of from replaced by to (same length).
func patchedRelease(c cell, dir, from, to string) (string, error) {
	if len(from) != len(to) {
		return "", fmt.Errorf("internal: %q and %q differ in length", from, to)
	}
	src, err := variantBin(c, "grpcserver", "sw")
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	if !bytes.Contains(b, []byte(from)) {
		return "", fmt.Errorf("%s does not contain %q", src, from)
	}
	out := filepath.Join(dir, "grpcserver-patched")
	return out, os.WriteFile(out, bytes.ReplaceAll(b, []byte(from), []byte(to)), 0o755)
}

func outsideTable(c cell, from, to, named string) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-offsets-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := patchedRelease(c, dir, from, to)
	if err != nil {
		return err
	}
	js, _, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return err
	}
	return refusedOutside(js, named)
}

// refusedOutside: every probe a rule leaves is disabled, each saying the
// offsets table does not hold the release named.
func refusedOutside(js *inspectOut, named string) error {
	if len(js.Probes) == 0 {
		return fmt.Errorf("no probes listed")
	}
	for _, p := range js.Probes {
		if strings.HasPrefix(p.Why, "rule ") {
			continue // a stack this binary does not link
		}
		if p.Enabled {
			return fmt.Errorf("probe %s is enabled for a release outside the table", p.ID)
		}
		if !strings.Contains(p.Why, named) || !strings.Contains(p.Why, "offsets table") {
			return fmt.Errorf("probe %s: why %q does not name %s and the offsets table", p.ID, p.Why, named)
		}
	}
	return nil
}

// outsideNotTraced runs the patched binary and checks the tracer refuses
// it with one clear line and a non-zero exit.
func outsideNotTraced(c cell) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-offsets-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	from, err := goRelease(c)
	if err != nil {
		return err
	}
	bin, err := patchedRelease(c, dir, from, outsideGo)
	if err != nil {
		return err
	}
	srv, _, err := startServerBin(bin, false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	r, err := runTool(toolPath, []string{"-p", fmt.Sprint(srv.pid())})
	if err != nil {
		return err
	}
	want := regexp.MustCompile(`nothing to trace: no probe's needs are met; the first: .*offsets table does not cover go1\.18`)
	if r.exit == 0 || !want.MatchString(r.stderr) {
		return fmt.Errorf("want a non-zero exit and %q; got %s", want, r.describe())
	}
	return nil
}

// arm64Stripped: the cell's arm64 server with its symbols and DWARF
// stripped. Where tool/offsets_arm64.tbl has reference builds of the
// cell's Go release, every value must equal the unstripped binary's DWARF
// (crossCheck); where it has none, every probe must be refused naming
// that release.
func arm64Stripped(c cell) error {
	orig := targetBin(c, "arm64/grpcserver")
	dir, err := os.MkdirTemp("", "gogrpctrace-offsets-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, c.name+"-arm64-grpcserver-stripped")
	if b, err := exec.Command("aarch64-linux-gnu-strip", "--strip-all", "-o", bin, orig).CombinedOutput(); err != nil {
		return fmt.Errorf("aarch64-linux-gnu-strip --strip-all: %v: %s", err, b)
	}
	minor := goMinorOf(c.goVersion)
	covered, err := tableHasGo("arm64", minor)
	if err != nil {
		return err
	}
	if covered {
		return crossCheck(orig, bin)
	}
	js, _, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return err
	}
	return refusedOutside(js, minor)
}

// goMinorOf: "go1.27.3" and "go1.27" are "go1.27".
func goMinorOf(v string) string {
	if f := strings.SplitN(v, ".", 3); len(f) >= 2 {
		return f[0] + "." + f[1]
	}
	return v
}

// tableHasGo: does tool/offsets_GOARCH.tbl have a reference build of the
// Go minor release?
func tableHasGo(goarch, minor string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "tool", "offsets_"+goarch+".tbl"))
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "build" && goMinorOf(f[1]) == minor {
			return true, nil
		}
	}
	return false, nil
}
