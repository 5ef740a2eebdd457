package main

// Runtime tests: production builds. Every cell's server and client are
// traced as they ship without debug information, and must print exactly
// the calls the unstripped build prints (the same expectExact check):
//   sw     go build -ldflags="-s -w" (tests/targets/build.sh makes it)
//   strip  `strip` of the unstripped build: no symbol table, no DWARF
//   split  DWARF split off the way distributions do it: a .debug file
//          beside the binary, named by .gnu_debuglink
// Without DWARF the tool takes layouts from its offsets table.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// The build variants traced as "stripped/..." rows of the runtime cases
// (cases.go).
var variants = []string{"sw", "strip", "split"}

var variantMu sync.Mutex

// variantBin is prog of cell c in the given form; forms other than "" and
// "sw" are made from the unstripped build on first use, beside it.
func variantBin(c cell, prog, variant string) (string, error) {
	orig := targetBin(c, prog)
	switch variant {
	case "":
		return orig, nil
	case "sw", "pie":
		return filepath.Join(targetsDir, c.name, variant, prog), nil
	case "strip", "split":
	default:
		return "", fmt.Errorf("unknown variant %q", variant)
	}
	variantMu.Lock()
	defer variantMu.Unlock()
	dir := filepath.Join(targetsDir, c.name, variant)
	out := filepath.Join(dir, prog)
	if fresh(out, orig) {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var steps [][]string
	if variant == "strip" {
		steps = [][]string{{"strip", "-o", out, orig}}
	} else {
		// objcopy runs in dir so the debuglink names the file alone.
		steps = [][]string{
			{"objcopy", "--only-keep-debug", orig, prog + ".debug"},
			{"strip", "--strip-debug", "--strip-unneeded", "-o", prog, orig},
			{"objcopy", "--add-gnu-debuglink=" + prog + ".debug", prog},
		}
	}
	for _, s := range steps {
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			os.Remove(out)
			return "", fmt.Errorf("%v: %v: %s", s, err, b)
		}
	}
	return out, nil
}

// fresh: path exists and is newer than src.
func fresh(path, src string) bool {
	a, err1 := os.Stat(path)
	b, err2 := os.Stat(src)
	return err1 == nil && err2 == nil && a.ModTime().After(b.ModTime())
}
