package main

// Unit tests: itab addresses of stripped binaries, read from the runtime's
// own itab list (the module data's itablinks up to Go 1.26; from Go 1.27
// the itab region of the type data). For every matrix grpcserver and
// grpcclient, three copies without symbols, made here:
//   strip        `strip` (drops .symtab and the DWARF)
//   strip-all    `objcopy --strip-all`
//   no-sections  the strip copy without its section header table
// The oracle (itabdump.go) is nm's go:itab.* symbols of the unstripped
// binary, or where it lists none (Go 1.27) the runtime's own itab table,
// printed by the unstripped program itself; where both exist they must
// agree. build/itab-lookup (tests/unit/itab_lookup.c) is asked for every
// itab of the oracle: each must come back at its address, from the
// runtime's list. Its listing of that list must hold exactly the runtime's
// static itabs, at their addresses, under the runtime's names and package
// paths. The ASan build must print the same.
// itablinks/damaged/* damage the list, its types and names (a Go 1.26
// grpcserver), and, under itablinks/damaged/go1.27/, the Go 1.27 itab
// region: both builds of itab-lookup and of gogrpctrace must end cleanly,
// and a deliberate damage must be refused with its reason.

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
// pair -> address. Empty for Go 1.27 and later, which emit none.
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

// itabVariant makes a copy of orig without symbols and checks every itab
// against the oracle (itabdump.go): nm's go:itab symbols, or without any
// (Go 1.27) the runtime's own itab table.
func itabVariant(orig string, mk func(orig, out string) error) error {
	tools, err := itabLookupTools()
	if err != nil {
		return err
	}
	truth, err := itabTruthOf(orig)
	if err != nil {
		return err
	}
	want, oracle := truth.want, truth.what()
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
	input := pairInput(want)
	for _, k := range sortedKeys(truth.ambiguous) {
		input += k + "\n"
	}
	var outs []string
	for _, tool := range tools {
		what := filepath.Base(tool) + " " + filepath.Base(bin)
		r, err := runToolInput(tool, []string{bin, "-"}, input)
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
				return fmt.Errorf("%s: itab %s (%#x in %s) %s", what, k, want[k], oracle, why)
			}
			if a, ok := found[k]; !ok || a != want[k] {
				return fmt.Errorf("%s: itab %s at %#x; %s: %#x", what, k, a, oracle, want[k])
			}
		}
		// Pairs the runtime spells alike for two itabs cannot be told apart.
		for _, k := range sortedKeys(truth.ambiguous) {
			if why := missing[k]; !strings.Contains(why, "ambiguous") {
				return fmt.Errorf("%s: itab %s names %d itabs of %s; want it refused as ambiguous, got %#x %q",
					what, k, truth.ambiguous[k], oracle, found[k], why)
			}
		}
		if (r.exit != 0) != (len(truth.ambiguous) != 0) || r.stderr != "" || len(found) != len(want) {
			return fmt.Errorf("%s: %d of %d found: %s", what, len(found), len(want), r.describe())
		}
		// The listing: exactly the runtime's static itabs, each once, at
		// its address, under the runtime's names and package paths.
		l, err := runTool(tool, []string{bin})
		if err != nil {
			return err
		}
		if err := l.common(what + " (list)"); err != nil {
			return err
		}
		lines := strings.Split(strings.TrimRight(l.stdout, "\n"), "\n")
		if l.exit != 0 || l.stderr != "" || len(lines) != len(truth.dump.static) {
			return fmt.Errorf("%s: the list has %d itabs, the runtime's itab table %d: %s",
				what, len(lines), len(truth.dump.static), l.describe())
		}
		seen := make(map[uint64]bool)
		for _, line := range lines {
			f := strings.Split(line, "\t")
			if len(f) != 4 {
				return fmt.Errorf("%s: list line %q: not ADDRESS PAIR PKG PKG", what, line)
			}
			a, err := parseHex(f[0])
			it := truth.dump.static[a]
			if err != nil || it == nil || seen[a] {
				return fmt.Errorf("%s: list line %q: not one of the runtime's itabs, or twice", what, line)
			}
			seen[a] = true
			if got, exp := f[1]+"\t"+f[2]+"\t"+f[3], it.concrete+","+it.iface+"\t"+it.concretePkg+"\t"+it.ifacePkg; got != exp {
				return fmt.Errorf("%s: list line %q; the runtime's itab table has %q at %#x", what, line, exp, a)
			}
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
	itablinksWord int    // index of the itablinks slice header in the module data (-1: Go 1.27)
	typesWord     int    // index of the word holding types (etypes follows; Go 1.27: after typedesclen)
	types, etypes uint64
	itab0         uint64 // the first itab the list names (Go 1.27: the first of the itab region)
	inter0, type0 uint64 // its interface and concrete types
	// Go 1.27: the itabs lie back to back in the type data, at
	// types+itaboffset, itabsize bytes; no itablinks.
	region                bool
	descWord              int // typedesclen
	itabOffWord, sizeWord int // itaboffset, itabsize
	goType                int // file offset of the .go.type section header; -1 if none
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
	if err != nil {
		return nil, err
	}
	if _, ok := syms["runtime.itablink"]; !ok {
		return findRegionFacts(f, ef, orig, b)
	}
	itablink := need("runtime.itablink")
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

// findRegionFacts: the Go 1.27 layout, where the module data words are
// types, typedesclen, etypes, itaboffset, itabsize, rodata, gofunc,
// epclntab before textsectmap.
func findRegionFacts(f *itabFacts, ef *elf.File, orig string, b []byte) (*itabFacts, error) {
	f.region, f.itablinksWord, f.typesWord, f.goType = true, -1, -1, -1
	for i := 24; i < 64; i++ {
		if f.word(b, f.mdWord(i)) == f.types && f.word(b, f.mdWord(i+2)) == f.etypes {
			f.typesWord = i
			break
		}
	}
	if f.typesWord < 0 {
		return nil, fmt.Errorf("%s: types, typedesclen, etypes not found in the module data", orig)
	}
	f.descWord, f.itabOffWord, f.sizeWord = f.typesWord+1, f.typesWord+3, f.typesWord+4
	off, size := f.word(b, f.mdWord(f.itabOffWord)), f.word(b, f.mdWord(f.sizeWord))
	if size == 0 || off%8 != 0 || size%8 != 0 || off+size > f.etypes-f.types {
		return nil, fmt.Errorf("%s: itaboffset %#x, itabsize %#x: not an itab region of the type data", orig, off, size)
	}
	f.itab0 = f.types + off
	f.inter0, f.type0 = f.word(b, f.itab0), f.word(b, f.itab0+8)
	if h, ok := sectionHeader(b, ".go.type"); ok {
		f.goType = h
	}
	return f, nil
}

// itabLayoutUnknown is the refusal of module data words that are neither
// layout: textsectmap, typelinks, itablinks slices (Go up to 1.26), nor
// types .. epclntab describing an itab region before textsectmap (Go 1.27).
const itabLayoutUnknown = "a module data layout this reader does not know: neither textsectmap, typelinks, " +
	"itablinks (Go up to 1.26) nor the type and itab words before textsectmap (Go 1.27)"

type itabDamage struct {
	name       string
	noSections bool
	region     bool // damages the Go 1.27 layout (a go1.27 grpcserver); else itablinks (Go up to 1.26)
	damage     func(b []byte, f *itabFacts) []byte
	want       string // the reason itab-lookup must give; "" = any clean end
	anyReason  bool   // with want "": must still be refused, for whatever reason
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
	const noSlices = itabLayoutUnknown
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
	// Go 1.27: the itab region's own damages, then some of the above
	// (they damage the first itab, its types and names, wherever they lie),
	// and a few without section headers; all named go1.27/....
	rs := regionDamages()
	const noName = "an itab's type name does not decode"
	for _, c := range []struct{ name, want string }{
		{"itab-type-outside", "an itab's type pointer is misaligned or points outside the file"},
		{"itab-hash-wrong", "an itab's hash differs from its type's"},
		{"itab-interface-not-interface", "an itab's interface is not an interface type"},
		{"name-offset-outside-types", noName},
		{"name-length-unterminated", noName},
		{"types-scribbled", ""}, // refused, for whatever the bytes hit first
		{"truncated-in-types", ""},
	} {
		for _, d := range ds {
			if d.name == c.name {
				d.region, d.anyReason, d.want = true, d.want != "" && c.want == "", c.want
				rs = append(rs, d)
			}
		}
	}
	for _, n := range []string{"region-size-one-word-short", "interface-methods-zero", "itab-hash-wrong"} {
		for _, d := range rs {
			if d.name == n {
				d.name += "-no-sections"
				d.noSections = true
				rs = append(rs, d)
			}
		}
	}
	for i := range rs {
		rs[i].name = "go1.27/" + rs[i].name
	}
	return append(ds, rs...)
}

// regionDamages damage the Go 1.27 layout: the module data's itaboffset
// and itabsize, the itabs' interfaces, the .go.type section header.
func regionDamages() []itabDamage {
	md := func(word func(f *itabFacts) int, v func(f *itabFacts, old uint64) uint64) func(b []byte, f *itabFacts) []byte {
		return func(b []byte, f *itabFacts) []byte {
			at := f.mdWord(word(f))
			f.put(b, at, v(f, f.word(b, at)))
			return b
		}
	}
	off := func(f *itabFacts) int { return f.itabOffWord }
	size := func(f *itabFacts) int { return f.sizeWord }
	types := func(f *itabFacts) int { return f.typesWord }
	span := func(f *itabFacts) uint64 { return f.etypes - f.types }
	// nmethods sets the method count (the Methods slice's length and
	// capacity) of the first itab's interface type (amd64: internal/abi.
	// InterfaceType is the 48-byte Type, PkgPath, then Methods).
	nmethods := func(v func(old uint64) uint64) func(b []byte, f *itabFacts) []byte {
		return func(b []byte, f *itabFacts) []byte {
			n := v(f.word(b, f.inter0+64))
			f.put(b, f.inter0+64, n)
			f.put(b, f.inter0+72, n)
			return b
		}
	}
	// goType changes the .go.type section header's address or size.
	goType := func(field int, v func(f *itabFacts, old uint64) uint64) func(b []byte, f *itabFacts) []byte {
		return func(b []byte, f *itabFacts) []byte {
			if f.goType < 0 {
				panic("no .go.type section header")
			}
			at := f.goType + field
			binary.LittleEndian.PutUint64(b[at:], v(f, binary.LittleEndian.Uint64(b[at:])))
			return b
		}
	}
	const shAddr, shSize = 0x10, 0x20
	const (
		misaligned  = "Go 1.27 module data: the itab region is not word-aligned"
		pastEtypes  = "Go 1.27 module data: the itab region runs past etypes"
		inDescs     = "Go 1.27 module data: the itab region begins inside the type descriptors"
		empty       = "Go 1.27 module data: the itab region is empty"
		pastRegion  = "the last itab runs past the itab region"
		methodCount = "an itab's interface has an impossible method count"
		notGoType   = "the module data's type range is not the .go.type section"
	)
	ds := []itabDamage{
		{name: "region-size-not-word-multiple", damage: md(size, func(_ *itabFacts, o uint64) uint64 { return o + 4 }), want: misaligned},
		{name: "region-offset-misaligned", damage: md(off, func(_ *itabFacts, o uint64) uint64 { return o + 4 }), want: misaligned},
		{name: "region-size-past-etypes", damage: func(b []byte, f *itabFacts) []byte {
			f.put(b, f.mdWord(f.sizeWord), span(f)-f.word(b, f.mdWord(f.itabOffWord))+8)
			return b
		}, want: pastEtypes},
		{name: "region-offset-past-etypes", damage: md(off, func(f *itabFacts, _ uint64) uint64 { return span(f) + 8 }), want: pastEtypes},
		{name: "region-size-huge", damage: md(size, func(*itabFacts, uint64) uint64 { return 1 << 62 }), want: pastEtypes},
		{name: "region-offset-in-descriptors", damage: func(b []byte, f *itabFacts) []byte {
			// One word before the end of the type descriptors.
			f.put(b, f.mdWord(f.itabOffWord), (f.word(b, f.mdWord(f.descWord))-1)&^7)
			return b
		}, want: inDescs},
		{name: "region-size-one-word-short", damage: md(size, func(_ *itabFacts, o uint64) uint64 { return o - 8 }), want: pastRegion},
		{name: "region-size-one-word-long", damage: md(size, func(_ *itabFacts, o uint64) uint64 { return o + 8 })},
		{name: "region-size-zero", damage: md(size, func(*itabFacts, uint64) uint64 { return 0 }), want: empty},
		{name: "interface-methods-zero", damage: nmethods(func(uint64) uint64 { return 0 }), want: methodCount},
		{name: "interface-methods-huge", damage: nmethods(func(uint64) uint64 { return 1 << 40 }), want: methodCount},
		{name: "interface-methods-one-more", damage: nmethods(func(o uint64) uint64 { return o + 1 })},
		{name: "go-type-section-moved", damage: goType(shAddr, func(_ *itabFacts, o uint64) uint64 { return o + 0x1000 }), want: notGoType},
		{name: "go-type-section-short", damage: goType(shSize, func(_ *itabFacts, o uint64) uint64 { return o / 2 }), want: notGoType},
		{name: "types-word-moved", damage: md(types, func(_ *itabFacts, o uint64) uint64 { return o + 8 })},
		{name: "types-word-moved-no-sections", noSections: true, damage: md(types, func(_ *itabFacts, o uint64) uint64 { return o + 8 })},
		{name: "region-scribbled", damage: func(b []byte, f *itabFacts) []byte {
			r := rand.New(rand.NewSource(5))
			at := f.off(f.itab0)
			for i := 0; i < 256; i++ {
				b[at+r.Intn(4096)] = byte(r.Intn(256))
			}
			return b
		}},
	}
	// Those without a want are refused for whatever reason the damage
	// meets first (the itabs after it, the types' bytes).
	for i := range ds {
		ds[i].region = true
		ds[i].anyReason = ds[i].want == ""
	}
	return ds
}

func runItabDamage(d itabDamage) error {
	tools, err := itabLookupTools()
	if err != nil {
		return err
	}
	orig, err := itabDamageBinary(d.region)
	if err != nil {
		return err
	}
	truth, err := itabTruthOf(orig)
	if err != nil {
		return err
	}
	want := truth.want
	dir, err := os.MkdirTemp("", "gogrpctrace-itablinks-damaged-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "grpcserver-"+strings.ReplaceAll(d.name, "/", "-"))
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
		case l.exit == 0 && d.want == "" && !d.anyReason:
		case l.exit == 0 && d.anyReason:
			return fmt.Errorf("%s: the damaged list was read; want a refusal", what)
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
		refused := d.want != "" || d.anyReason
		if d.exact || refused {
			for _, k := range sortedKeys(found) {
				if found[k] != want[k] {
					return fmt.Errorf("%s: itab %s at %#x; %s: %#x", what, k, found[k], truth.what(), want[k])
				}
			}
		}
		if refused && len(found) != 0 {
			return fmt.Errorf("%s: %d itabs found in a list that must be refused", what, len(found))
		}
	}
	return inspectDamaged(bin)
}

// itabDamageBinary is the first matrix grpcserver with the itab layout a
// damage is made for: the Go 1.27 itab region, or itablinks (Go up to 1.26).
func itabDamageBinary(region bool) (string, error) {
	for _, c := range cells {
		p := targetBin(c, "grpcserver")
		if _, err := os.Stat(p); err == nil && (goMinor(c.goVersion) >= 27) == region {
			return p, nil
		}
	}
	layout := map[bool]string{true: "Go 1.27 or later", false: "Go up to 1.26"}[region]
	return "", fmt.Errorf("no grpcserver of %s under %s (bash tests/targets/build.sh)", layout, targetsDir)
}
