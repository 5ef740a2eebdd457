package main

// Independent oracles for the binary reader: thin wrappers that run
// binutils (nm, objdump, readelf), llvm-dwarfdump and the go command on a
// target binary and parse what they print. Nothing here uses gogrpctrace's
// own code or Go's debug/* packages, so a bug shared by the tool and the
// oracle would have to be in two unrelated implementations.

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

const (
	llvmDwarfdump = "/usr/bin/llvm-dwarfdump-14"
	goTool        = "/usr/local/go/bin/go"
)

// runOut runs a command and returns its standard output.
func runOut(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func parseHex(s string) (uint64, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	return strconv.ParseUint(s, 16, 64)
}

// ---- nm ----

type nmSym struct {
	addr, size uint64
	hasSize    bool
	typ        string
}

// nmSymbols runs nm -S and returns the defined symbols by name (the first
// definition of a name wins; Go symbol names are unique).
func nmSymbols(bin string) (map[string]nmSym, error) {
	out, err := runOut("nm", "-S", bin)
	if err != nil {
		return nil, err
	}
	syms := make(map[string]nmSym)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		// "ADDR SIZE T NAME" or "ADDR T NAME"; names may contain spaces.
		f := strings.SplitN(line, " ", 4)
		var s nmSym
		var name string
		switch {
		case len(f) == 4 && len(f[2]) == 1:
			a, err1 := parseHex(f[0])
			z, err2 := parseHex(f[1])
			if err1 != nil || err2 != nil {
				continue
			}
			s = nmSym{addr: a, size: z, hasSize: true, typ: f[2]}
			name = f[3]
		case len(f) >= 3 && len(f[1]) == 1:
			a, err1 := parseHex(f[0])
			if err1 != nil {
				continue
			}
			s = nmSym{addr: a, typ: f[1]}
			name = strings.Join(f[2:], " ")
		default:
			continue // undefined symbols ("   U name")
		}
		if _, dup := syms[name]; !dup {
			syms[name] = s
		}
	}
	return syms, sc.Err()
}

// ---- readelf ----

type loadSeg struct{ off, vaddr, filesz uint64 }

type elfFacts struct {
	machine    string
	loads      []loadSeg
	sections   map[string]bool
	gnuBuildID string // readelf -n "Build ID:", "" if none
}

func readelfFacts(bin string) (*elfFacts, error) {
	out, err := runOut("readelf", "-hlSnW", bin)
	if err != nil {
		return nil, err
	}
	ef := &elfFacts{sections: make(map[string]bool)}
	for _, line := range strings.Split(string(out), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "Machine:") {
			ef.machine = strings.TrimSpace(strings.TrimPrefix(t, "Machine:"))
		}
		if i := strings.Index(t, "Build ID: "); i >= 0 && ef.gnuBuildID == "" {
			ef.gnuBuildID = strings.TrimSpace(t[i+len("Build ID: "):])
		}
		f := strings.Fields(t)
		if len(f) >= 6 && f[0] == "LOAD" {
			off, e1 := parseHex(f[1])
			va, e2 := parseHex(f[2])
			fs, e3 := parseHex(f[4])
			if e1 == nil && e2 == nil && e3 == nil {
				ef.loads = append(ef.loads, loadSeg{off, va, fs})
			}
		}
		// Section lines: "[Nr] Name Type ..." ("[ 1]" has a space).
		if strings.HasPrefix(t, "[") {
			if i := strings.Index(t, "]"); i > 0 {
				rest := strings.Fields(t[i+1:])
				if len(rest) > 0 {
					ef.sections[rest[0]] = true
				}
			}
		}
	}
	if len(ef.loads) == 0 {
		return nil, fmt.Errorf("readelf -l %s: no PT_LOAD", bin)
	}
	return ef, nil
}

// fileOffset maps a virtual address to its file offset through PT_LOAD.
func (ef *elfFacts) fileOffset(va uint64) (uint64, bool) {
	for _, s := range ef.loads {
		if va >= s.vaddr && va < s.vaddr+s.filesz {
			return va - s.vaddr + s.off, true
		}
	}
	return 0, false
}

// ---- the machine ----

// oracleArch is what the oracles must know of a machine, taken from its
// psABI and the Go assembler's prologues, not from the tool.
type oracleArch struct {
	objdump    string          // a GNU objdump that decodes the machine
	dwarfRegs  []string        // register names by DWARF number, as the tool writes them
	stackCheck string          // the prologue's conditional branch to morestack
	prologue   map[string]bool // the mnemonics that may come before it
	rets       map[string]bool // return instructions (first word or, prefixed, second)
}

// oracleArchs by readelf's "Machine:".
var oracleArchs = map[string]*oracleArch{
	"Advanced Micro Devices X86-64": {
		objdump: "objdump",
		// System V psABI.
		dwarfRegs: []string{"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
			"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"},
		// CMP SP, 16(R14); JBE morestack (JB after a CMP of SP-framesize).
		stackCheck: "jbe",
		prologue:   map[string]bool{"cmp": true, "lea": true, "mov": true, "sub": true, "jb": true},
		rets:       map[string]bool{"ret": true, "retq": true},
	},
	"AArch64": {
		objdump: "aarch64-linux-gnu-objdump",
		// DWARF for the Arm 64-bit Architecture: x0..x30, then sp.
		dwarfRegs: []string{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
			"x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
			"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp"},
		// MOVD 16(g), R16; [SUB $n, RSP, R17;] CMP R16, R17; BLS morestack
		// (a huge frame first checks the subtraction with BLO, b.cc).
		stackCheck: "b.ls",
		prologue: map[string]bool{"ldr": true, "sub": true, "subs": true, "cmp": true, "mov": true,
			"movz": true, "movk": true, "b.cc": true, "b.lo": true},
		rets: map[string]bool{"ret": true},
	},
}

// entryCFA is the CFA minus SP at a function's entry, from the initial
// instructions of the first CIE of .debug_frame (llvm-dwarfdump): 8 where
// CALL pushed the return address, 0 where BL left it in a register.
func entryCFA(bin string) (int64, error) {
	out, err := runOut(llvmDwarfdump, "--debug-frame", bin)
	if err != nil {
		return 0, err
	}
	inCIE := false
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[3] == "CIE" {
			inCIE = true
			continue
		}
		if inCIE && len(f) == 3 && f[0] == "DW_CFA_def_cfa:" {
			return strconv.ParseInt(strings.TrimPrefix(f[2], "+"), 10, 64)
		}
	}
	return 0, fmt.Errorf("llvm-dwarfdump --debug-frame %s: no DW_CFA_def_cfa in a CIE", bin)
}

// ---- objdump ----

type insn struct {
	addr uint64
	mnem string // first word, prefixes folded in ("repz ret" -> "repz")
	ops  []string
	text string
}

func (a *oracleArch) disasm(bin string, start, stop uint64) ([]insn, error) {
	out, err := runOut(a.objdump, "-d", "--no-show-raw-insn", "-w",
		fmt.Sprintf("--start-address=0x%x", start), fmt.Sprintf("--stop-address=0x%x", stop), bin)
	if err != nil {
		return nil, err
	}
	var ins []insn
	for _, line := range strings.Split(string(out), "\n") {
		// "  7ecc20:\tlea    -0x28(%rsp),%r12"
		i := strings.Index(line, ":\t")
		if i < 0 {
			continue
		}
		a, err := parseHex(strings.TrimSpace(line[:i]))
		if err != nil {
			continue
		}
		text := strings.TrimSpace(line[i+2:])
		if c := strings.Index(text, "//"); c >= 0 { // AArch64's comments
			text = strings.TrimSpace(text[:c])
		}
		if c := strings.Index(text, " <"); c >= 0 && strings.HasSuffix(text, ">") {
			text = strings.TrimSpace(text[:c])
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		ins = append(ins, insn{addr: a, mnem: f[0], ops: f[1:], text: text})
	}
	return ins, nil
}

func (a *oracleArch) isRet(in insn) bool {
	// prefixed forms on x86: "repz ret", "bnd ret"
	return a.rets[in.mnem] || len(in.ops) > 0 && a.rets[in.ops[0]]
}

// ---- go version -m / go tool buildid ----

type goBuildInfo struct {
	goVersion string
	modules   map[string]string
}

func goVersionM(bin string) (*goBuildInfo, error) {
	out, err := runOut(goTool, "version", "-m", bin)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(out), "\n")
	bi := &goBuildInfo{modules: make(map[string]string)}
	first := lines[0]
	if i := strings.LastIndex(first, ": "); i >= 0 {
		bi.goVersion = strings.TrimSpace(first[i+2:])
	}
	for _, l := range lines[1:] {
		f := strings.Split(strings.TrimPrefix(l, "\t"), "\t")
		if len(f) >= 3 && (f[0] == "mod" || f[0] == "dep") {
			bi.modules[f[1]] = f[2]
		}
	}
	return bi, nil
}

func goBuildID(bin string) (string, error) {
	out, err := runOut(goTool, "tool", "buildid", bin)
	return strings.TrimSpace(string(out)), err
}
