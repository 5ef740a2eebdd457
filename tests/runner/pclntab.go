package main

// Unit tests: function addresses of stripped binaries, read from Go's own
// function table (.gopclntab). Test inputs are made here, never committed:
//   strip-all    `strip --strip-all` copy of each cell's grpcserver
//   no-sections  that copy with e_shoff/e_shnum/e_shstrndx zeroed, so the
//                table must be found through the runtime's module data
//   ldflags-s-w  a real `go build -ldflags="-s -w"` of grpcserver, for the
//                first module cell and the GOPATH (Debian) cell
// Each is checked against the unstripped matrix binary: every function
// `--inspect --json` lists has nm's entry and end (value + size), and the
// probe address, probe kind, RET list and file offsets the unstripped
// binary gets; parameters are absent and params_why names DWARF; every itab
// the unstripped binary has is found at its address, from the runtime's
// itab list.
// pclntab/damaged/* feed damaged tables to both builds (ASan included):
// no crash, no sanitizer report, a clean result or a clean refusal.

import (
	"bufio"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerPclntab) }

func registerPclntab() {
	for _, c := range cells {
		c := c
		register("unit", "pclntab/"+c.name+"/strip-all", false, func() error {
			return pclnVariant(c, func(dir string) (string, error) { return stripAll(c, dir) })
		})
		register("unit", "pclntab/"+c.name+"/no-sections", false, func() error {
			return pclnVariant(c, func(dir string) (string, error) {
				s, err := stripAll(c, dir)
				if err != nil {
					return "", err
				}
				return s, patchFile(s, dropSectionHeaders)
			})
		})
	}
	for _, c := range ldflagsCells() {
		c := c
		register("unit", "pclntab/"+c.name+"/ldflags-s-w", false, func() error {
			return pclnVariant(c, func(dir string) (string, error) { return buildStripped(c, dir) })
		})
	}
	for _, d := range pclnDamages() {
		d := d
		register("unit", "pclntab/damaged/"+d.name, false, func() error { return runDamaged(d) })
	}
}

// ---- making the inputs ----

func stripAll(c cell, dir string) (string, error) {
	out := filepath.Join(dir, c.name+"-grpcserver-stripped")
	if b, err := exec.Command("strip", "--strip-all", "-o", out, targetBin(c, "grpcserver")).CombinedOutput(); err != nil {
		return "", fmt.Errorf("strip --strip-all: %v: %s", err, b)
	}
	return out, nil
}

func patchFile(path string, patch func([]byte) error) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := patch(b); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o755)
}

// dropSectionHeaders makes an ELF64 file without a section header table.
func dropSectionHeaders(b []byte) error {
	if len(b) < 64 || string(b[:4]) != "\x7fELF" || b[eiClass] != 2 {
		return fmt.Errorf("not an ELF64 file")
	}
	le := binary.LittleEndian
	le.PutUint64(b[eShoff:], 0)
	le.PutUint16(b[eShnum:], 0)
	le.PutUint16(b[eShstrndx:], 0)
	return nil
}

// cellBuild is what tests/targets/cells.txt says about building a cell.
type cellBuild struct{ gocmd, toolchain, modfile string }

func cellBuildInfo(name string) (cellBuild, error) {
	f, err := os.Open(filepath.Join(repoRoot, "tests", "targets", "cells.txt"))
	if err != nil {
		return cellBuild{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 7 && fs[0] == name {
			return cellBuild{gocmd: fs[1], toolchain: fs[2], modfile: fs[6]}, nil
		}
	}
	return cellBuild{}, fmt.Errorf("cell %s is not in cells.txt", name)
}

// ldflagsCells: the first module cell and the first GOPATH cell.
func ldflagsCells() []cell {
	var out []cell
	var haveMod, haveGopath bool
	for _, c := range cells {
		if c.gopath && !haveGopath {
			out, haveGopath = append(out, c), true
		} else if !c.gopath && !haveMod {
			out, haveMod = append(out, c), true
		}
	}
	return out
}

// buildStripped builds grpcserver of cell c with -ldflags="-s -w" the way
// tests/targets/build.sh builds the cell, leaving tests/targets untouched.
func buildStripped(c cell, dir string) (string, error) {
	cb, err := cellBuildInfo(c.name)
	if err != nil {
		return "", err
	}
	here := filepath.Join(repoRoot, "tests", "targets")
	out := filepath.Join(dir, c.name+"-grpcserver-ldflags-s-w")
	args := []string{"build", "-buildvcs=false", "-ldflags=-s -w", "-o", out}
	env := withoutEnv(os.Environ(), "GOFLAGS", "GOWORK", "GO111MODULE", "GOTOOLCHAIN", "GOPATH")
	var cmd *exec.Cmd
	if cb.modfile == "-" {
		gp, err := os.MkdirTemp(dir, "gopath-")
		if err != nil {
			return "", err
		}
		pkg := filepath.Join(gp, "src", "gogrpctrace", "tests", "targets")
		if err := os.MkdirAll(pkg, 0o755); err != nil {
			return "", err
		}
		for _, d := range []string{"internal", "grpcserver"} {
			if b, err := exec.Command("cp", "-r", filepath.Join(here, d), pkg+"/").CombinedOutput(); err != nil {
				return "", fmt.Errorf("cp: %v: %s", err, b)
			}
		}
		cmd = exec.Command(cb.gocmd, append(args, "./grpcserver")...)
		cmd.Dir = pkg
		cmd.Env = append(env, "GO111MODULE=off", "GOPATH="+gp+":/usr/share/gocode", "GOTOOLCHAIN=local")
	} else {
		if cb.modfile != "go.mod" {
			args = append(args, "-modfile="+filepath.Join(here, cb.modfile))
		}
		cmd = exec.Command(cb.gocmd, append(args, "-mod=readonly", "./grpcserver")...)
		cmd.Dir = here
		cmd.Env = append(env, "GOWORK=off", "GO111MODULE=on", "GOTOOLCHAIN="+cb.toolchain)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", strings.Join(cmd.Args, " "), err, b)
	}
	return out, nil
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		drop := false
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				drop = true
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// ---- the cross-check ----

// pclnVariant makes a stripped variant of cell c's grpcserver and checks
// what --inspect --json reports for it against the unstripped binary.
func pclnVariant(c cell, mk func(dir string) (string, error)) error {
	orig := targetBin(c, "grpcserver")
	if _, err := os.Stat(orig); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-pclntab-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := mk(dir)
	if err != nil {
		return err
	}
	if syms, _ := nmSymbols(bin); len(syms) != 0 {
		return fmt.Errorf("%s: nm still finds %d symbols: not stripped", bin, len(syms))
	}
	return crossCheck(orig, bin)
}

func crossCheck(orig, bin string) error {
	syms, err := nmSymbols(orig)
	if err != nil {
		return err
	}
	want, _, err := runInspectJSON(toolPath, orig)
	if err != nil {
		return err
	}
	got, raw, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return err
	}
	if err := checkAllKeys(raw); err != nil {
		return fmt.Errorf("%s: %v", bin, err)
	}
	if r, err := runTool(asanPath, []string{"--inspect", "--json", bin}); err != nil {
		return err
	} else if err := r.common("gogrpctrace-asan --inspect --json " + bin); err != nil {
		return err
	} else if r.exit != 0 || r.stderr != "" || strings.TrimSpace(r.stdout) != strings.TrimSpace(string(raw)) {
		return fmt.Errorf("%s: the ASan build disagrees with the normal build: %s", bin, r.describe())
	}
	if got.Symtab == nil || *got.Symtab || got.Dwarf == nil || *got.Dwarf {
		return fmt.Errorf("%s: symtab %s, dwarf %s; want false, false", bin, ptrStr(got.Symtab), ptrStr(got.Dwarf))
	}
	wantBy := make(map[string]*jFunc)
	for i := range want.Functions {
		wantBy[want.Functions[i].Name] = &want.Functions[i]
	}
	gotBy := make(map[string]bool)
	for i := range got.Functions {
		f := &got.Functions[i]
		gotBy[f.Name] = true
		s, ok := syms[f.Name]
		if !ok || !s.hasSize {
			return fmt.Errorf("%s: function %s is listed, but nm of %s has no sized symbol of that name", bin, f.Name, orig)
		}
		if !hexEq(f.Entry, s.addr) || !hexEq(f.End, s.addr+s.size) {
			return fmt.Errorf("%s: function %s: entry %s end %s; nm: 0x%x 0x%x", bin, f.Name, f.Entry, f.End, s.addr, s.addr+s.size)
		}
		if f.AddressSource != "pclntab" {
			return fmt.Errorf("%s: function %s: address_source %q, want pclntab (the binary has no symbols)", bin, f.Name, f.AddressSource)
		}
		w := wantBy[f.Name]
		if w == nil {
			return fmt.Errorf("%s: function %s is listed, but not for the unstripped binary", bin, f.Name)
		}
		if f.Probe != w.Probe || f.ProbeKind != w.ProbeKind || f.FileOffset != w.FileOffset ||
			f.EntryFileOffset != w.EntryFileOffset {
			return fmt.Errorf("%s: function %s: probe %s (%s) at file offset %s, entry file offset %s; unstripped: %s (%s) at %s, %s",
				bin, f.Name, f.Probe, f.ProbeKind, f.FileOffset, f.EntryFileOffset, w.Probe, w.ProbeKind, w.FileOffset, w.EntryFileOffset)
		}
		if strings.Join(f.Returns, ",") != strings.Join(w.Returns, ",") || ptrStr(f.ReturnsComplete) != ptrStr(w.ReturnsComplete) {
			return fmt.Errorf("%s: function %s: returns %v (complete %s); unstripped: %v (complete %s)",
				bin, f.Name, f.Returns, ptrStr(f.ReturnsComplete), w.Returns, ptrStr(w.ReturnsComplete))
		}
		if len(f.Params) != 0 || !strings.Contains(strings.ToLower(f.ParamsWhy), "dwarf") {
			return fmt.Errorf("%s: function %s: %d params, params_why %q; want none, naming DWARF", bin, f.Name, len(f.Params), f.ParamsWhy)
		}
	}
	// Nothing the unstripped binary resolves may be lost.
	for _, w := range want.Functions {
		if !gotBy[w.Name] {
			why := ""
			for _, m := range got.Missing {
				if m.Kind == "function" && m.Item == w.Name {
					why = m.Why
				}
			}
			return fmt.Errorf("%s: function %s (0x%s in the unstripped binary) is not found: %s", bin, w.Name, strings.TrimPrefix(w.Entry, "0x"), why)
		}
	}
	if len(got.Functions) == 0 {
		return fmt.Errorf("%s: no function found", bin)
	}
	// Itabs: the same addresses, now from the runtime's itab list.
	for _, k := range sortedKeys(want.Itabs) {
		if got.Itabs[k] != want.Itabs[k] || got.ItabSrc[k] != "itablinks" {
			return fmt.Errorf("%s: itab %s: %q from %q; unstripped: %s", bin, k, got.Itabs[k], got.ItabSrc[k], want.Itabs[k])
		}
	}
	if len(got.Itabs) != len(want.Itabs) {
		return fmt.Errorf("%s: %d itabs found; unstripped: %d", bin, len(got.Itabs), len(want.Itabs))
	}
	return nil
}

// ---- damaged tables ----

type pclnDamage struct {
	name       string
	noSections bool
	// damage changes the table tab (b[tabOff:], a slice of the file b)
	// or returns a shortened b.
	damage func(b, tab []byte, tabOff int) []byte
}

func putWord(tab []byte, word int, v uint64) {
	ps := int(tab[7])
	if ps != 4 && ps != 8 {
		ps = 8
	}
	at := 8 + word*ps
	if ps == 8 {
		binary.LittleEndian.PutUint64(tab[at:], v)
	} else {
		binary.LittleEndian.PutUint32(tab[at:], uint32(v))
	}
}

// headerWord is the index of a named header word for the table's format.
func headerWord(tab []byte, name string) int {
	idx := map[string]int{"nfunc": 0, "nfiles": 1, "funcname": 3, "cu": 4, "filetab": 5, "pctab": 6, "pcln": 7}[name]
	if binary.LittleEndian.Uint32(tab) == 0xfffffffa && idx >= 2 {
		idx-- // Go 1.16 format: no textStart
	}
	return idx
}

func scribble(seed int64, off func(tab []byte) (int, int)) func(b, tab []byte, tabOff int) []byte {
	return func(b, tab []byte, tabOff int) []byte {
		r := rand.New(rand.NewSource(seed))
		lo, n := off(tab)
		for i := 0; i < n && lo+i < len(tab); i++ {
			tab[lo+i] = byte(r.Intn(256))
		}
		return b
	}
}

func readWord(tab []byte, word int) int {
	ps := int(tab[7])
	if ps == 8 {
		return int(binary.LittleEndian.Uint64(tab[8+word*8:]) & 0x7fffffff)
	}
	return int(binary.LittleEndian.Uint32(tab[8+word*4:]) & 0x7fffffff)
}

func pclnDamages() []pclnDamage {
	var ds []pclnDamage
	for _, ns := range []bool{false, true} {
		sfx := ""
		if ns {
			sfx = "-no-sections"
		}
		word := func(name string, v uint64) func(b, tab []byte, tabOff int) []byte {
			return func(b, tab []byte, tabOff int) []byte { putWord(tab, headerWord(tab, name), v); return b }
		}
		region := func(name string, n int) func(tab []byte) (int, int) {
			return func(tab []byte) (int, int) { return readWord(tab, headerWord(tab, name)), n }
		}
		ds = append(ds,
			pclnDamage{"nfunc-huge" + sfx, ns, word("nfunc", 1<<62)},
			pclnDamage{"nfunc-one-too-many" + sfx, ns, func(b, tab []byte, tabOff int) []byte {
				putWord(tab, 0, uint64(readWord(tab, 0))+1)
				return b
			}},
			pclnDamage{"nfunc-zero" + sfx, ns, word("nfunc", 0)},
			pclnDamage{"funcname-offset-past-end" + sfx, ns, word("funcname", 1<<40)},
			pclnDamage{"pctab-offset-past-end" + sfx, ns, word("pctab", uint64(0xfffffff0))},
			pclnDamage{"pcln-offset-last-byte" + sfx, ns, func(b, tab []byte, tabOff int) []byte {
				putWord(tab, headerWord(tab, "pcln"), uint64(len(tab)-1))
				return b
			}},
			pclnDamage{"pointer-size-3" + sfx, ns, func(b, tab []byte, tabOff int) []byte { tab[7] = 3; return b }},
			pclnDamage{"old-magic" + sfx, ns, func(b, tab []byte, tabOff int) []byte {
				binary.LittleEndian.PutUint32(tab, 0xfffffffb)
				return b
			}},
			pclnDamage{"functab-scribbled" + sfx, ns, scribble(1, region("pcln", 1<<16))},
			pclnDamage{"funcnames-scribbled" + sfx, ns, scribble(2, region("funcname", 1<<20))},
			pclnDamage{"pctab-scribbled" + sfx, ns, scribble(3, region("pctab", 1<<22))},
			pclnDamage{"records-scribbled" + sfx, ns, func(b, tab []byte, tabOff int) []byte {
				// Every function record: the bytes after each functab entry's offset.
				r := rand.New(rand.NewSource(4))
				pcln := readWord(tab, headerWord(tab, "pcln"))
				for i := 0; i < 4096; i++ {
					at := pcln + r.Intn(len(tab)-pcln)
					tab[at] = byte(r.Intn(256))
				}
				return b
			}},
			pclnDamage{"truncated-in-table" + sfx, ns, func(b, tab []byte, tabOff int) []byte {
				return b[:tabOff+len(tab)/2]
			}},
		)
		pclnDamages := pclnDamage{"many-fake-headers" + sfx, ns, func(b, tab []byte, tabOff int) []byte {
			// Copies of the header in the read-only data before the table:
			// finding the table must stay fast (or give up), never hang.
			for k := 1; k <= 4096 && tabOff-k*64 >= 0; k++ {
				copy(b[tabOff-k*64:tabOff-k*64+64], tab[:64])
			}
			return b
		}}
		ds = append(ds, pclnDamages)
		for seed := int64(10); seed < 16; seed++ {
			seed := seed
			ds = append(ds, pclnDamage{fmt.Sprintf("random-%d%s", seed, sfx), ns, func(b, tab []byte, tabOff int) []byte {
				r := rand.New(rand.NewSource(seed))
				for i := 0; i < 64; i++ {
					at := r.Intn(len(tab))
					if r.Intn(4) == 0 {
						at = r.Intn(128) // the header, more often
					}
					if at < len(tab) {
						tab[at] ^= byte(1 << uint(r.Intn(8)))
					}
				}
				return b
			}})
		}
	}
	return ds
}

// gopclntab is the slice of b holding the .gopclntab section, and its offset.
func gopclntab(path string, b []byte) ([]byte, int, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	s := f.Section(".gopclntab")
	if s == nil || s.Offset+s.Size > uint64(len(b)) {
		return nil, 0, fmt.Errorf("%s: no .gopclntab section", path)
	}
	return b[s.Offset : s.Offset+s.Size : s.Offset+s.Size], int(s.Offset), nil
}

func runDamaged(d pclnDamage) error {
	src, err := matrixBinary()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-pclntab-damaged-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "grpcserver-"+d.name)
	if err := damagedCopy(src, bin, d.noSections, func(b []byte) ([]byte, error) {
		tab, tabOff, err := gopclntab(bin, b)
		if err != nil {
			return nil, err
		}
		return d.damage(b, tab, tabOff), nil
	}); err != nil {
		return err
	}
	return inspectDamaged(bin)
}

// damagedCopy writes to bin a `strip --strip-all` copy of src changed by
// damage (which may read bin, the undamaged stripped copy), without section
// headers if noSections.
func damagedCopy(src, bin string, noSections bool, damage func(b []byte) ([]byte, error)) error {
	if b, err := exec.Command("strip", "--strip-all", "-o", bin, src).CombinedOutput(); err != nil {
		return fmt.Errorf("strip: %v: %s", err, b)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if b, err = damage(b); err != nil {
		return err
	}
	if noSections {
		if err := dropSectionHeaders(b); err != nil {
			return err
		}
	}
	return os.WriteFile(bin, b, 0o755)
}

// inspectDamaged: both builds of gogrpctrace end cleanly on a damaged
// stripped binary: a one-line refusal, or JSON with every probe off.
func inspectDamaged(bin string) error {
	tools, err := toolsUnderTest()
	if err != nil {
		return err
	}
	for _, tool := range tools {
		what := filepath.Base(tool) + " --inspect --json " + filepath.Base(bin)
		r, err := runTool(tool, []string{"--inspect", "--json", bin})
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		if err := r.common(what); err != nil {
			return err
		}
		if r.exit != 0 {
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.stdout != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], "gogrpctrace: ") {
				return fmt.Errorf("%s: not a clean refusal: %s", what, r.describe())
			}
			continue
		}
		var js inspectOut
		if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || r.stderr != "" {
			return fmt.Errorf("%s: exit 0 but bad output: %v: %s", what, err, r.describe())
		}
		for _, p := range js.Probes {
			if p.Enabled {
				return fmt.Errorf("%s: probe %s enabled on a stripped binary", what, p.ID)
			}
		}
	}
	return nil
}
