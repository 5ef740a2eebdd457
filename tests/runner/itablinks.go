package main

// Unit tests: itab addresses of stripped binaries, read from the runtime's
// own itab list (the module data's itablinks). For every matrix grpcserver
// and grpcclient, three copies without symbols, made here:
//   strip        `strip` (drops .symtab and the DWARF)
//   strip-all    `objcopy --strip-all`
//   no-sections  the strip copy without its section header table
// build/itab-lookup (tests/unit/itab_lookup.c) is asked for every go:itab.*
// symbol that nm lists in the unstripped binary: each must come back at the
// symbol's address, from the runtime's list. Its listing of that list must
// hold exactly those addresses. The ASan build must print the same.
// itablinks/damaged/* damage the list, its types and names: both builds
// of itab-lookup and of gogrpctrace must end cleanly, and a deliberate
// damage must be refused with its reason.

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerItablinks) }

var itabVariants = []struct {
	name string
	make func(orig, out string) error
}{
	{"strip", func(orig, out string) error { return runQuiet("strip", "-o", out, orig) }},
	{"strip-all", func(orig, out string) error { return runQuiet("objcopy", "--strip-all", orig, out) }},
	{"no-sections", func(orig, out string) error {
		if err := runQuiet("strip", "-o", out, orig); err != nil {
			return err
		}
		return patchFile(out, dropSectionHeaders)
	}},
}

func registerItablinks() {
	for _, c := range cells {
		for _, prog := range []string{"grpcserver", "grpcclient"} {
			for _, v := range itabVariants {
				c, prog, v := c, prog, v
				register("unit", "itablinks/"+c.name+"/"+prog+"/"+v.name, false, func() error {
					return itabVariant(targetBin(c, prog), v.make)
				})
			}
		}
	}
	for _, d := range itabDamages() {
		d := d
		register("unit", "itablinks/damaged/"+d.name, false, func() error { return runItabDamage(d) })
	}
}

func runQuiet(name string, args ...string) error {
	if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", name, err, b)
	}
	return nil
}

func itabLookupTools() ([]string, error) {
	tools := []string{filepath.Join(repoRoot, "build", "itab-lookup"), filepath.Join(repoRoot, "build", "itab-lookup-asan")}
	for _, t := range tools {
		if _, err := os.Stat(t); err != nil {
			return nil, fmt.Errorf("%v (run make and make asan)", err)
		}
	}
	return tools, nil
}

// itabSymbols is nm's go:itab.* (go.itab.* before Go 1.20) symbols of bin:
// pair -> address.
func itabSymbols(bin string) (map[string]uint64, error) {
	syms, err := nmSymbols(bin)
	if err != nil {
		return nil, err
	}
	out := make(map[string]uint64)
	for name, s := range syms {
		for _, p := range []string{"go:itab.", "go.itab."} {
			if strings.HasPrefix(name, p) {
				out[strings.TrimPrefix(name, p)] = s.addr
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: nm lists no go:itab.* symbol", bin)
	}
	return out, nil
}

// lookupLines parses itab-lookup's answers: pair -> address (found) or
// reason (missing), each pair answered once.
func lookupLines(out string) (found map[string]uint64, missing map[string]string, err error) {
	found, missing = make(map[string]uint64), make(map[string]string)
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			return nil, nil, fmt.Errorf("bad itab-lookup line %q", line)
		}
		if _, dup := found[f[2]]; dup {
			return nil, nil, fmt.Errorf("pair %s answered twice", f[2])
		}
		if f[0] == "-" {
			missing[f[2]] = f[1]
			continue
		}
		a, err := parseHex(f[0])
		if err != nil || f[1] != "itablinks" {
			return nil, nil, fmt.Errorf("bad itab-lookup line %q (want an address from itablinks)", line)
		}
		found[f[2]] = a
	}
	return found, missing, nil
}

func pairInput(syms map[string]uint64) string {
	return strings.Join(sortedKeys(syms), "\n") + "\n"
}

// itabVariant makes a copy of orig without symbols and checks every itab.
func itabVariant(orig string, mk func(orig, out string) error) error {
	tools, err := itabLookupTools()
	if err != nil {
		return err
	}
	want, err := itabSymbols(orig)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-itablinks-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, filepath.Base(orig)+"-stripped")
	if err := mk(orig, bin); err != nil {
		return err
	}
	if syms, _ := nmSymbols(bin); len(syms) != 0 {
		return fmt.Errorf("%s: nm still finds %d symbols: not stripped", bin, len(syms))
	}
	wantAddrs := make(map[uint64]bool)
	for _, a := range want {
		wantAddrs[a] = true
	}
	var outs []string
	for _, tool := range tools {
		what := filepath.Base(tool) + " " + filepath.Base(bin)
		r, err := runToolInput(tool, []string{bin, "-"}, pairInput(want))
		if err != nil {
			return err
		}
		if err := r.common(what); err != nil {
			return err
		}
		found, missing, err := lookupLines(r.stdout)
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		for _, k := range sortedKeys(want) {
			if why, ok := missing[k]; ok {
				return fmt.Errorf("%s: itab %s (0x%x in nm) %s", what, k, want[k], why)
			}
			if a, ok := found[k]; !ok || a != want[k] {
				return fmt.Errorf("%s: itab %s at %#x; nm: %#x", what, k, a, want[k])
			}
		}
		if r.exit != 0 || r.stderr != "" || len(found) != len(want) {
			return fmt.Errorf("%s: %d of %d found: %s", what, len(found), len(want), r.describe())
		}
		// The listing: exactly the symbols' addresses, each once.
		l, err := runTool(tool, []string{bin})
		if err != nil {
			return err
		}
		if err := l.common(what + " (list)"); err != nil {
			return err
		}
		lines := strings.Split(strings.TrimRight(l.stdout, "\n"), "\n")
		if l.exit != 0 || l.stderr != "" || len(lines) != len(want) {
			return fmt.Errorf("%s: the list has %d itabs, nm %d: %s", what, len(lines), len(want), l.describe())
		}
		seen := make(map[uint64]bool)
		for _, line := range lines {
			a, err := parseHex(strings.SplitN(line, "\t", 2)[0])
			if err != nil || !wantAddrs[a] || seen[a] {
				return fmt.Errorf("%s: list line %q: not one of nm's itabs, or twice", what, line)
			}
			seen[a] = true
		}
		outs = append(outs, r.stdout+l.stdout)
	}
	if outs[0] != outs[1] {
		return fmt.Errorf("%s: the ASan build of itab-lookup prints something else", bin)
	}
	return nil
}

// ---- damaged lists ----

// itabFacts locate the runtime's itab data in a stripped copy, by the
// unstripped binary's symbols (the loadable bytes are the same).
type itabFacts struct {
	progs         []*elf.Prog
	md            uint64 // runtime.firstmoduledata
	itablinksWord int    // index of the itablinks slice header in the module data
	typesWord     int    // index of the word holding types (etypes follows)
	types, etypes uint64
	itab0         uint64 // the first itab the list names
	inter0, type0 uint64 // its interface and concrete types
}

func (f *itabFacts) off(va uint64) int {
	for _, p := range f.progs {
		if p.Type == elf.PT_LOAD && va >= p.Vaddr && va < p.Vaddr+p.Filesz {
			return int(va - p.Vaddr + p.Off)
		}
	}
	panic(fmt.Sprintf("address %#x outside the loadable segments", va))
}

func (f *itabFacts) word(b []byte, va uint64) uint64 {
	return binary.LittleEndian.Uint64(b[f.off(va):])
}
func (f *itabFacts) put(b []byte, va, v uint64) { binary.LittleEndian.PutUint64(b[f.off(va):], v) }
func (f *itabFacts) mdWord(i int) uint64        { return f.md + uint64(8*i) }

func findItabFacts(orig, bin string, b []byte) (*itabFacts, error) {
	syms, err := nmSymbols(orig)
	if err != nil {
		return nil, err
	}
	ef, err := elf.Open(bin)
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	f := &itabFacts{progs: ef.Progs}
	need := func(n string) uint64 {
		if err == nil {
			if _, ok := syms[n]; !ok {
				err = fmt.Errorf("%s: no symbol %s", orig, n)
			}
		}
		return syms[n].addr
	}
	f.md, f.types, f.etypes = need("runtime.firstmoduledata"), need("runtime.types"), need("runtime.etypes")
	itablink := need("runtime.itablink")
	if err != nil {
		return nil, err
	}
	f.itablinksWord, f.typesWord = -1, -1
	for i := 24; i < 64; i++ {
		w := f.word(b, f.mdWord(i))
		if w == itablink && f.itablinksWord < 0 {
			f.itablinksWord = i
		}
		if w == f.types && f.word(b, f.mdWord(i+1)) == f.etypes && f.typesWord < 0 {
			f.typesWord = i
		}
	}
	if f.itablinksWord < 0 || f.typesWord < 0 {
		return nil, fmt.Errorf("%s: itablinks or types not found in the module data", orig)
	}
	f.itab0 = f.word(b, itablink)
	f.inter0, f.type0 = f.word(b, f.itab0), f.word(b, f.itab0+8)
	return f, nil
}

type itabDamage struct {
	name       string
	noSections bool
	damage     func(b []byte, f *itabFacts) []byte
	want       string // the reason itab-lookup must give; "" = any clean end
	exact      bool   // lookups that succeed must still be right
}

func itabDamages() []itabDamage {
	setMD := func(i int, v func(old uint64) uint64) func(b []byte, f *itabFacts) []byte {
		return func(b []byte, f *itabFacts) []byte {
			f.put(b, f.mdWord(i), v(f.word(b, f.mdWord(i))))
			return b
		}
	}
	il := func(k int) func(f *itabFacts) int { return func(f *itabFacts) int { return f.itablinksWord + k } }
	md := func(at func(f *itabFacts) int, v func(old uint64) uint64) func(b []byte, f *itabFacts) []byte {
		return func(b []byte, f *itabFacts) []byte { return setMD(at(f), v)(b, f) }
	}
	put32 := func(b []byte, f *itabFacts, va uint64, v uint32) {
		binary.LittleEndian.PutUint32(b[f.off(va):], v)
	}
	// The name of the first itab's concrete type, in the file.
	name0 := func(b []byte, f *itabFacts) int {
		str := binary.LittleEndian.Uint32(b[f.off(f.type0+40):])
		return f.off(f.types + uint64(str))
	}
	const noSlices = "no textsectmap, typelinks, itablinks slices after etext in the module data"
	const noRange = "no range of the module data holds every itab's types and names"
	scribble := func(seed int64, region func(f *itabFacts) (uint64, int)) func(b []byte, f *itabFacts) []byte {
		return func(b []byte, f *itabFacts) []byte {
			r := rand.New(rand.NewSource(seed))
			va, n := region(f)
			at := f.off(va)
			for i := 0; i < 256; i++ {
				b[at+r.Intn(n)] = byte(r.Intn(256))
			}
			return b
		}
	}
	ds := []itabDamage{
		{name: "itablinks-len-huge", damage: func(b []byte, f *itabFacts) []byte {
			setMD(f.itablinksWord+1, func(uint64) uint64 { return 1 << 40 })(b, f)
			return setMD(f.itablinksWord+2, func(uint64) uint64 { return 1 << 40 })(b, f)
		}, want: noSlices},
		{name: "itablinks-len-not-cap", damage: md(il(1), func(o uint64) uint64 { return o - 1 }), want: noSlices},
		{name: "itablinks-len-one-more", damage: func(b []byte, f *itabFacts) []byte {
			setMD(f.itablinksWord+1, func(o uint64) uint64 { return o + 1 })(b, f)
			return setMD(f.itablinksWord+2, func(o uint64) uint64 { return o + 1 })(b, f)
		}, exact: true},
		{name: "itablinks-outside-file", damage: md(il(0), func(uint64) uint64 { return 0x7fff00000000 }), want: noSlices},
		{name: "itablinks-zero-length", damage: func(b []byte, f *itabFacts) []byte {
			setMD(f.itablinksWord+1, func(uint64) uint64 { return 0 })(b, f)
			return setMD(f.itablinksWord+2, func(uint64) uint64 { return 0 })(b, f)
		}, want: noSlices},
		{name: "typelinks-len-huge", damage: func(b []byte, f *itabFacts) []byte {
			setMD(f.itablinksWord-2, func(uint64) uint64 { return 1 << 62 })(b, f)
			return setMD(f.itablinksWord-1, func(uint64) uint64 { return 1 << 62 })(b, f)
		}, want: noSlices},
		{name: "textsect-base-moved", damage: func(b []byte, f *itabFacts) []byte {
			ts := f.word(b, f.mdWord(f.itablinksWord-6))
			f.put(b, ts+16, f.word(b, ts+16)+16)
			return b
		}, want: noSlices},
		{name: "itab-pointer-outside", damage: func(b []byte, f *itabFacts) []byte {
			f.put(b, f.word(b, f.mdWord(f.itablinksWord)), 0x10)
			return b
		}, want: "an itab pointer is misaligned or points outside the file"},
		{name: "itab-pointer-misaligned", damage: func(b []byte, f *itabFacts) []byte {
			f.put(b, f.word(b, f.mdWord(f.itablinksWord)), f.itab0+1)
			return b
		}, want: "an itab pointer is misaligned or points outside the file"},
		{name: "itab-type-outside", damage: func(b []byte, f *itabFacts) []byte {
			f.put(b, f.itab0+8, 0xdeadbeef000)
			return b
		}, want: "an itab's type pointer is misaligned or points outside the file"},
		{name: "itab-hash-wrong", damage: func(b []byte, f *itabFacts) []byte {
			b[f.off(f.itab0+16)] ^= 1
			return b
		}, want: "an itab's hash differs from its type's"},
		{name: "itab-interface-not-interface", damage: func(b []byte, f *itabFacts) []byte {
			b[f.off(f.inter0+23)] = 25 // struct
			return b
		}, want: "an itab's interface is not an interface type"},
		{name: "name-offset-outside-types", damage: func(b []byte, f *itabFacts) []byte {
			put32(b, f, f.type0+40, 0x7ffffff0)
			return b
		}, want: noRange},
		{name: "name-offset-negative", damage: func(b []byte, f *itabFacts) []byte {
			put32(b, f, f.type0+40, 0xfffffff0)
			return b
		}, want: noRange},
		{name: "name-length-huge", damage: func(b []byte, f *itabFacts) []byte {
			copy(b[name0(b, f)+1:], []byte{0xff, 0xff, 0xff, 0xff, 0x0f})
			return b
		}, want: noRange},
		{name: "name-length-unterminated", damage: func(b []byte, f *itabFacts) []byte {
			copy(b[name0(b, f)+1:], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
			return b
		}, want: noRange},
		{name: "name-control-byte", damage: func(b []byte, f *itabFacts) []byte {
			b[name0(b, f)+3] = 1
			return b
		}, want: noRange},
		{name: "types-ranges-empty", damage: func(b []byte, f *itabFacts) []byte {
			// types..etypes and rodata..gofunc (the same start) made empty.
			setMD(f.typesWord, func(uint64) uint64 { return f.etypes })(b, f)
			gofunc := f.word(b, f.mdWord(f.typesWord+3))
			return setMD(f.typesWord+2, func(uint64) uint64 { return gofunc })(b, f)
		}, want: noRange},
		{name: "many-ranges", damage: func(b []byte, f *itabFacts) []byte {
			// Word pairs that all hold every type, each starting elsewhere:
			// the names decode under none; the search gives up early.
			for i := 24; i+1 < f.typesWord; i += 2 {
				f.put(b, f.mdWord(i), f.types+uint64(8*(i+1)))
				f.put(b, f.mdWord(i+1), f.etypes)
			}
			return b
		}, want: "too many ranges of the module data hold every itab's types"},
		{name: "itablinks-scribbled", damage: func(b []byte, f *itabFacts) []byte {
			return scribble(1, func(f *itabFacts) (uint64, int) {
				return f.word(b, f.mdWord(f.itablinksWord)), 4096
			})(b, f)
		}},
		{name: "itabs-scribbled", damage: scribble(4, func(f *itabFacts) (uint64, int) {
			return f.itab0 &^ 7, 4096
		})},
		{name: "types-scribbled", damage: scribble(2, func(f *itabFacts) (uint64, int) {
			return f.types, int(f.etypes - f.types)
		})},
		{name: "moduledata-scribbled", damage: scribble(3, func(f *itabFacts) (uint64, int) {
			return f.mdWord(24), 8 * 40
		})},
		{name: "truncated-in-types", noSections: true, damage: func(b []byte, f *itabFacts) []byte {
			return b[:f.off(f.types)+int(f.etypes-f.types)/2]
		}},
	}
	// The same list refused without section headers too.
	for _, n := range []string{"itab-hash-wrong", "name-offset-outside-types", "many-ranges", "types-scribbled"} {
		for _, d := range ds {
			if d.name == n {
				d.name += "-no-sections"
				d.noSections = true
				ds = append(ds, d)
			}
		}
	}
	return ds
}

func runItabDamage(d itabDamage) error {
	tools, err := itabLookupTools()
	if err != nil {
		return err
	}
	orig, err := matrixBinary()
	if err != nil {
		return err
	}
	want, err := itabSymbols(orig)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-itablinks-damaged-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "grpcserver-"+d.name)
	if err := damagedCopy(orig, bin, d.noSections, func(b []byte) ([]byte, error) {
		f, err := findItabFacts(orig, bin, b)
		if err != nil {
			return nil, err
		}
		return d.damage(b, f), nil
	}); err != nil {
		return err
	}
	for _, tool := range tools {
		what := filepath.Base(tool) + " " + filepath.Base(bin)
		l, err := runTool(tool, []string{bin})
		if err != nil {
			return err
		}
		if err := l.common(what); err != nil {
			return err
		}
		errLines := strings.Split(strings.TrimRight(l.stderr, "\n"), "\n")
		switch {
		case l.exit == 0 && d.want == "":
		case l.exit == 0:
			return fmt.Errorf("%s: the damaged list was read; want the refusal %q", what, d.want)
		case (l.exit != 1 && l.exit != 2) || l.stdout != "" || len(errLines) != 1 || !strings.HasPrefix(errLines[0], "itab-lookup: "):
			return fmt.Errorf("%s: not a clean refusal: %s", what, l.describe())
		case d.want != "" && !strings.HasSuffix(errLines[0], ": no itab list: "+d.want):
			return fmt.Errorf("%s: refused with %q; want the reason %q", what, errLines[0], d.want)
		}
		r, err := runToolInput(tool, []string{bin, "-"}, pairInput(want))
		if err != nil {
			return err
		}
		if err := r.common(what + " -"); err != nil {
			return err
		}
		if r.exit == 2 {
			continue // the file itself was refused (truncated)
		}
		found, _, err := lookupLines(r.stdout)
		if err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		if d.exact || d.want != "" {
			for _, k := range sortedKeys(found) {
				if found[k] != want[k] {
					return fmt.Errorf("%s: itab %s at %#x; nm: %#x", what, k, found[k], want[k])
				}
			}
		}
		if d.want != "" && len(found) != 0 {
			return fmt.Errorf("%s: %d itabs found in a list that must be refused", what, len(found))
		}
	}
	return inspectDamaged(bin)
}
