package main

// The itab oracle of the unit tests: which itabs a binary holds, and where.
// Up to Go 1.26 nm lists them as go:itab.* (go.itab.* before Go 1.20)
// symbols. Go 1.27 emits no such symbol: there the oracle is the Go
// runtime itself. Every test program imports
// tests/targets/internal/itabdump, which, started with
// GOGRPCTRACE_DUMP_ITABS=1, prints the runtime's own itab hash table
// (filled from the binary's compile-time itabs by itabsinit before any
// package starts) and exits; its itabs inside the executable's file
// mappings are the binary's itabs. Where both exist they must agree: the
// same addresses, and the same names up to a local type's ".N" suffix,
// which the runtime does not keep.

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

const itabDumpEnv = "GOGRPCTRACE_DUMP_ITABS"

// dumpItab is one itab of the runtime's table.
type dumpItab struct {
	addr                  uint64
	static                bool   // inside the executable's file mappings
	concrete, concretePkg string // reflect's String() and the package path
	iface, ifacePkg       string
	full                  string // "concrete,interface" with full package paths
}

type itabDumpOut struct {
	size, count int
	all         []dumpItab
	static      map[uint64]*dumpItab   // the static itabs by address
	byFull      map[string][]*dumpItab // the static itabs by full pair
}

// itabTruth is the oracle for one binary: nm's symbols where it has any,
// else the runtime's dump.
type itabTruth struct {
	fromNm bool
	nm     map[string]uint64 // nm's go:itab.* pairs (empty from Go 1.27)
	dump   *itabDumpOut
	// want: pair -> address to look up. nm's pairs, else the dump's static
	// pairs that name one itab.
	want map[string]uint64
	// ambiguous: the dump's pairs naming more than one static itab (two
	// local types of one name in one package); only without nm.
	ambiguous map[string]int
}

// source is the itab source the tool must name for an itab found.
func (t *itabTruth) source() string {
	if t.fromNm {
		return "symtab"
	}
	return "itablinks"
}

func (t *itabTruth) what() string {
	if t.fromNm {
		return "nm"
	}
	return "the runtime's itab table"
}

// lookup is the oracle's answer for pair: its address and how many itabs
// carry that name (0: none, >1: ambiguous without nm).
func (t *itabTruth) lookup(pair string) (uint64, int) {
	if t.fromNm {
		a, ok := t.want[pair]
		if !ok {
			return 0, 0
		}
		return a, 1
	}
	pair = localSuffixFree(pair)
	if a, ok := t.want[pair]; ok {
		return a, 1
	}
	return 0, t.ambiguous[pair]
}

var (
	itabTruthMu    sync.Mutex
	itabTruthCache = map[string]*itabTruthEntry{}
)

type itabTruthEntry struct {
	once  sync.Once
	truth *itabTruth
	err   error
}

// itabTruthOf is the itab oracle of bin (an executable of the matrix or a
// copy of one that still runs), computed once per file version.
func itabTruthOf(bin string) (*itabTruth, error) {
	st, err := os.Stat(bin)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%s\x00%d\x00%d", bin, st.Size(), st.ModTime().UnixNano())
	itabTruthMu.Lock()
	e := itabTruthCache[key]
	if e == nil {
		e = &itabTruthEntry{}
		itabTruthCache[key] = e
	}
	itabTruthMu.Unlock()
	e.once.Do(func() { e.truth, e.err = makeItabTruth(bin) })
	return e.truth, e.err
}

func makeItabTruth(bin string) (*itabTruth, error) {
	nm, err := itabSymbols(bin)
	if err != nil {
		return nil, err
	}
	d, err := runItabDump(bin)
	if err != nil {
		return nil, err
	}
	t := &itabTruth{nm: nm, dump: d, fromNm: len(nm) != 0}
	if t.fromNm {
		if err := dumpAgreesWithNm(bin, d, nm); err != nil {
			return nil, err
		}
		t.want = nm
		return t, nil
	}
	t.want, t.ambiguous = make(map[string]uint64), make(map[string]int)
	for pair, v := range d.byFull {
		if len(v) == 1 {
			t.want[pair] = v[0].addr
		} else {
			t.ambiguous[pair] = len(v)
		}
	}
	if len(t.want) == 0 {
		return nil, fmt.Errorf("%s: neither nm nor the runtime's itab table lists an itab", bin)
	}
	return t, nil
}

// localSuffix is a local type's ".N" after a qualified name, as the linker
// spells it ("mime/multipart.writerOnly.1").
var localSuffix = regexp.MustCompile(`(\.[A-Za-z_][A-Za-z0-9_]*)\.[0-9]+([,;\]) ]|$)`)

func localSuffixFree(s string) string {
	for {
		t := localSuffix.ReplaceAllString(s, "$1$2")
		if t == s {
			return s
		}
		s = t
	}
}

// dumpAgreesWithNm: the runtime's static itabs are exactly nm's go:itab
// symbols, at the same addresses under the same names.
func dumpAgreesWithNm(bin string, d *itabDumpOut, nm map[string]uint64) error {
	byAddr := make(map[uint64]string)
	for pair, a := range nm {
		if p, dup := byAddr[a]; dup {
			return fmt.Errorf("%s: nm lists itabs %s and %s at one address %#x", bin, p, pair, a)
		}
		byAddr[a] = pair
	}
	for _, pair := range sortedKeys(nm) {
		it := d.static[nm[pair]]
		if it == nil {
			return fmt.Errorf("%s: itab %s at %#x (nm) is not in the runtime's itab table", bin, pair, nm[pair])
		}
		if it.full != localSuffixFree(pair) {
			return fmt.Errorf("%s: the itab at %#x is %s in the runtime's itab table, %s in nm", bin, it.addr, it.full, pair)
		}
	}
	for _, it := range d.all {
		if _, ok := byAddr[it.addr]; it.static && !ok {
			return fmt.Errorf("%s: the runtime's itab table has %s at %#x inside the executable; nm has no go:itab symbol there", bin, it.full, it.addr)
		}
	}
	return nil
}

// emulatorFor is the command that runs a program of machine m here: ""
// for this machine's own programs. (Only this amd64 machine runs the unit
// tests; the arm64 VM runs runtime tests.)
func emulatorFor(m elf.Machine) string {
	if m == elf.EM_AARCH64 && runtime.GOARCH != "arm64" {
		return "/usr/bin/qemu-aarch64-static"
	}
	return ""
}

// runItabDump runs bin with GOGRPCTRACE_DUMP_ITABS=1 and parses what it
// prints. Static itabs must lie in the file's loadable bytes (the programs
// are not position-independent: runtime addresses are file addresses).
func runItabDump(bin string) (*itabDumpOut, error) {
	raw, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(raw, []byte(itabDumpEnv)) {
		return nil, fmt.Errorf("%s does not contain tests/targets/internal/itabdump (stale build? bash tests/targets/build.sh)", bin)
	}
	ef, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", bin, err)
	}
	if ef.Type != elf.ET_EXEC {
		return nil, fmt.Errorf("%s: %v, not ET_EXEC: the runtime's itab addresses would not be file addresses", bin, ef.Type)
	}
	inFile := func(a uint64) bool {
		for _, p := range ef.Progs {
			if p.Type == elf.PT_LOAD && a >= p.Vaddr && a+16 <= p.Vaddr+p.Filesz {
				return true
			}
		}
		return false
	}
	// A program of another machine runs under QEMU's user-mode emulator,
	// which maps it at its link addresses: the runtime prints the same.
	cmd, args := bin, []string(nil)
	if emu := emulatorFor(ef.Machine); emu != "" {
		cmd, args = emu, []string{bin}
	}
	r, err := runToolEnv(cmd, []string{itabDumpEnv + "=1"}, args)
	if err != nil {
		return nil, err
	}
	what := itabDumpEnv + "=1 " + strings.Join(append([]string{cmd}, args...), " ")
	if err := r.common(what); err != nil {
		return nil, err
	}
	if r.exit != 0 || r.stderr != "" {
		return nil, fmt.Errorf("%s: %s", what, r.describe())
	}
	d := &itabDumpOut{static: make(map[uint64]*dumpItab), byFull: make(map[string][]*dumpItab)}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	bad := func(line string, why string) error {
		return fmt.Errorf("%s: line %q: %s", what, line, why)
	}
	if len(lines) < 2 {
		return nil, fmt.Errorf("%s: %d lines of output", what, len(lines))
	}
	h := strings.Split(lines[0], "\t")
	if len(h) != 3 || h[0] != "table" {
		return nil, bad(lines[0], "want table SIZE COUNT")
	}
	d.size, _ = strconv.Atoi(h[1])
	d.count, _ = strconv.Atoi(h[2])
	tail := strings.Split(lines[len(lines)-1], "\t")
	if len(tail) != 2 || tail[0] != "end" || tail[1] != strconv.Itoa(len(lines)-2) {
		return nil, bad(lines[len(lines)-1], fmt.Sprintf("want end %d", len(lines)-2))
	}
	if d.count != len(lines)-2 || d.size < d.count {
		return nil, fmt.Errorf("%s: the table (size %d) counts %d itabs, %d printed", what, d.size, d.count, len(lines)-2)
	}
	d.all = make([]dumpItab, 0, d.count)
	for _, line := range lines[1 : len(lines)-1] {
		f := strings.Split(line, "\t")
		if len(f) != 8 || f[0] != "itab" || (f[2] != "static" && f[2] != "dynamic") {
			return nil, bad(line, "not itab ADDRESS static|dynamic CONCRETE PKG INTERFACE PKG PAIR")
		}
		a, err := parseHex(f[1])
		if err != nil || !strings.HasPrefix(f[1], "0x") {
			return nil, bad(line, "bad address")
		}
		it := dumpItab{addr: a, static: f[2] == "static", concrete: f[3], concretePkg: f[4], iface: f[5], ifacePkg: f[6], full: f[7]}
		if it.static != inFile(a) {
			return nil, bad(line, "static in the process, but not in the file's loadable bytes, or the reverse")
		}
		d.all = append(d.all, it)
	}
	for i := range d.all {
		it := &d.all[i]
		if !it.static {
			continue
		}
		if d.static[it.addr] != nil {
			return nil, fmt.Errorf("%s: two itabs at %#x", what, it.addr)
		}
		d.static[it.addr] = it
		d.byFull[it.full] = append(d.byFull[it.full], it)
	}
	if len(d.static) == 0 {
		return nil, fmt.Errorf("%s: no itab inside the executable", what)
	}
	return d, nil
}
