package main

// Unit tests: function addresses of stripped binaries, read from Go's own
// function table (.gopclntab). Test inputs are made here, never committed:
//   strip-all    `strip --strip-all` copy of each cell's grpcserver
//   no-sections  that copy with e_shoff/e_shnum/e_shstrndx zeroed, so the
//                table must be found through the runtime's module data
//   ldflags-s-w  the real `go build -ldflags="-s -w"` of grpcserver that
//                tests/targets/build.sh makes for each cell
// Each is checked against the unstripped matrix binary: every function
// `--inspect --json` lists has nm's entry and end (value + size), and the
// probe address, probe kind, RET list and file offsets the unstripped
// binary gets; parameters are absent and params_why names DWARF; every itab
// the unstripped binary has is found at its address, from the runtime's
// itab list.
// pclntab/damaged/* feed damaged tables to both builds (ASan included):
// no crash, no sanitizer report, a clean result or a clean refusal.

import (
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
	for _, c := range cells {
		c := c
		register("unit", "pclntab/"+c.name+"/ldflags-s-w", false, func() error {
			return pclnVariant(c, func(string) (string, error) { return variantBin(c, "grpcserver", "sw") })
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
		if err := sameParams(f, w); err != nil {
			return fmt.Errorf("%s: function %s: %v", bin, f.Name, err)
		}
	}
	if err := sameStructs(got, want); err != nil {
		return fmt.Errorf("%s: %v", bin, err)
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

// sameParams: without DWARF, the offsets table must give the parameters
// (names, types, locations at the probe) DWARF gives the unstripped twin.
func sameParams(f, w *jFunc) error {
	if len(f.Params) != len(w.Params) {
		return fmt.Errorf("%d parameters (params_why %q); the unstripped binary's DWARF has %d",
			len(f.Params), f.ParamsWhy, len(w.Params))
	}
	for i := range f.Params {
		g, d := f.Params[i], w.Params[i]
		if !strings.HasPrefix(g.Origin, "offsets table: ") {
			return fmt.Errorf("parameter %s: origin %q, want an offsets table row", g.Name, g.Origin)
		}
		gp, _ := json.Marshal(g.Pieces)
		dp, _ := json.Marshal(d.Pieces)
		// A location DWARF could not read is unknown either way; the
		// reasons are worded differently.
		if g.Name != d.Name || g.Type != d.Type || string(gp) != string(dp) || (g.Why == "") != (d.Why == "") {
			return fmt.Errorf("parameter %d: %s %s %s (%s); DWARF: %s %s %s (%s)", i, g.Name, g.Type, gp, g.Why, d.Name, d.Type, dp, d.Why)
		}
	}
	return nil
}

// sameStructs: every struct size and member offset the unstripped binary's
// DWARF gives, the table gives too, and names itself as the origin.
func sameStructs(got, want *inspectOut) error {
	if !strings.HasPrefix(got.Values.Source, "offsets table") {
		return fmt.Errorf("values.source %q, want the offsets table", got.Values.Source)
	}
	for name, w := range want.Structs {
		g, ok := got.Structs[name]
		if !ok {
			return fmt.Errorf("struct %s: in the unstripped binary's DWARF, not from the offsets table", name)
		}
		if g.Size == nil || w.Size == nil || *g.Size != *w.Size || !strings.HasPrefix(g.Origin, "offsets table: ") {
			return fmt.Errorf("struct %s: size %v from %q; DWARF: %v", name, g.Size, g.Origin, w.Size)
		}
		for m, off := range w.Members {
			if goff, ok := g.Members[m]; !ok || goff != off || !strings.HasPrefix(g.MemberOrigins[m], "offsets table: ") {
				return fmt.Errorf("struct %s member %s: offset %d (present %v) from %q; DWARF: %d", name, m, goff, ok, g.MemberOrigins[m], off)
			}
		}
		if len(g.Members) != len(w.Members) {
			return fmt.Errorf("struct %s: %d members from the table, %d from DWARF", name, len(g.Members), len(w.Members))
		}
	}
	// The table may know more: the reference program links HTTP stacks
	// this binary may not, and a release's layouts do not depend on that.
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
// stripped binary: a one-line refusal, or clean JSON.
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
		// Clean JSON is all that is asked: layouts may come from the table.
	}
	return nil
}
