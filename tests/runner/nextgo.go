package main

// Unit tests: the next Go release. A copy of a Go 1.27 program whose build
// info names a Go release newer than any the tool knows (go1.99.0, the
// same length) must be read only through what can be verified: with
// DWARF, every function, parameter, member and itab exactly as for the
// original; stripped, the itabs still (the runtime's list is checked by
// its structure, not by the release) while every value the offsets table
// would have given is refused with a reason naming go1.99, never guessed
// from another release's row.

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerNextGo) }

const nextGo = "go1.99.0"

func registerNextGo() {
	for _, c := range cells {
		if !strings.HasPrefix(c.goVersion, "go1.27") {
			continue
		}
		c := c
		register("unit", "nextgo/"+c.name+"/version-dwarf", false, func() error { return nextGoVersion(c, "") })
		register("unit", "nextgo/"+c.name+"/version-stripped", false, func() error { return nextGoVersion(c, "strip") })
	}
}

// withGoVersion copies bin to out with the Go release in its build info
// replaced by v (of the same length).
func withGoVersion(bin, out, v string) error {
	f, err := elf.Open(bin)
	if err != nil {
		return err
	}
	sec := f.Section(".go.buildinfo")
	f.Close()
	if sec == nil {
		return fmt.Errorf("%s: no .go.buildinfo section", bin)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	info := b[sec.Offset : sec.Offset+sec.Size]
	i := bytes.Index(info, []byte("go1.27."))
	if i < 0 || len(v) > len("go1.27.3") {
		return fmt.Errorf("%s: no go1.27 release in the build info", bin)
	}
	old := info[i : i+len(v)]
	copy(old, v)
	return os.WriteFile(out, b, 0o755)
}

func nextGoVersion(c cell, variant string) error {
	orig, _, err := runInspectJSON(toolPath, targetBin(c, "grpcserver"))
	if err != nil {
		return err
	}
	src, err := variantBin(c, "grpcserver", variant)
	if err != nil {
		return err
	}
	bin := filepath.Join(os.TempDir(), fmt.Sprintf("gogrpctrace-nextgo-%s-%s", c.name, variant))
	defer os.Remove(bin)
	if err := withGoVersion(src, bin, nextGo); err != nil {
		return err
	}
	got, _, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return err
	}
	if got.GoVersion != nextGo {
		return fmt.Errorf("go_version %q, want %q", got.GoVersion, nextGo)
	}
	if len(orig.Itabs) == 0 || !reflect.DeepEqual(got.Itabs, orig.Itabs) {
		return fmt.Errorf("itabs differ from the original's:\n got  %v\n want %v", got.Itabs, orig.Itabs)
	}
	if variant == "" {
		// DWARF describes itself: nothing may change but the release.
		if !reflect.DeepEqual(got.Functions, orig.Functions) || !reflect.DeepEqual(got.Structs, orig.Structs) {
			return fmt.Errorf("functions or structs differ from the original's")
		}
		return nil
	}
	// Stripped: the table has no row for go1.99; each probe that needs
	// one of its values is off and says so; none runs on a guess.
	enabled := 0
	for _, p := range got.Probes {
		if p.Enabled {
			enabled++
			continue
		}
		if p.ID == "srv_hdr_in" && !strings.Contains(p.Why, "does not cover go1.99 ") {
			return fmt.Errorf("probe %s off for another reason: %s", p.ID, p.Why)
		}
	}
	for _, f := range got.Functions {
		for _, p := range f.Params {
			return fmt.Errorf("function %s: parameter %s has a location from somewhere", f.Name, p.Name)
		}
	}
	if enabled != 0 {
		return fmt.Errorf("%d probes enabled without DWARF or a table row for %s", enabled, nextGo)
	}
	return nil
}
