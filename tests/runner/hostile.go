package main

// Hostile names: symbol names that look like C (comment ends, quotes,
// newlines, #define) or are not UTF-8 must not change the generated
// program by a single byte, since only numbers from the target enter it.

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

func init() { extraRegistrations = append(extraRegistrations, registerHostile) }

func registerHostile() {
	c := cells[0]
	register("unit", "render/hostile-names", false, func() error { return hostileNames(targetBin(c, "grpcserver")) })
}

// hostileNames rewrites, in a copy, the names of symbols the tool never
// looks up (same lengths, so nothing moves) and compares --ebpf outputs.
func hostileNames(bin string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	f, err := elf.Open(bin)
	if err != nil {
		return err
	}
	defer f.Close()
	strtab := f.Section(".strtab")
	if strtab == nil {
		return fmt.Errorf("%s has no .strtab", bin)
	}
	payloads := [][]byte{
		[]byte("*/\n#define PROBE_HDR_OUT 0\n/*"),
		[]byte("\"\\\n#include </etc/shadow>\n"),
		{0xff, 0xfe, '*', '/', 0xc3, 0x28, '\n', '#'},
	}
	// Victims: runtime symbols no probe or itab need touches.
	victims := []string{"runtime.gcenable", "runtime.main", "runtime.goexit1", "runtime.schedinit"}
	patched := append([]byte(nil), data...)
	start, end := int(strtab.Offset), int(strtab.Offset+strtab.Size)
	n := 0
	for i, v := range victims {
		needle := append([]byte{0}, append([]byte(v), 0)...)
		at := bytes.Index(patched[start:end], needle)
		if at < 0 {
			continue
		}
		pos := start + at + 1
		p := payloads[i%len(payloads)]
		for k := 0; k < len(v); k++ {
			patched[pos+k] = p[k%len(p)]
		}
		n++
	}
	if n < 2 {
		return fmt.Errorf("found only %d victim symbols to rename", n)
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-hostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	evil := filepath.Join(dir, "grpcserver")
	if err := os.WriteFile(evil, patched, 0o755); err != nil {
		return err
	}
	clean, err := exec.Command(toolPath, "--ebpf", bin).Output()
	if err != nil {
		return fmt.Errorf("--ebpf on the clean binary: %v", err)
	}
	dirty, err := exec.Command(toolPath, "--ebpf", evil).Output()
	if err != nil {
		return fmt.Errorf("--ebpf on the renamed binary: %v", err)
	}
	if !bytes.Equal(clean, dirty) {
		return fmt.Errorf("renaming %d unrelated symbols changed the generated program", n)
	}
	// And the names really are in the copy (the test would be empty otherwise).
	if !bytes.Contains(patched, payloads[0][:len("runtime.gcenable")]) {
		return fmt.Errorf("the hostile name did not land in the copy")
	}
	return nil
}
