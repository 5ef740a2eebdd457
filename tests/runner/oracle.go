package main

// Unit tests: `gogrpctrace --inspect --json` on every target binary of the
// version matrix, checked value by value against independent tools:
//   nm -S               function entry/end/size, itab addresses, missing symbols
//   the runtime         itab addresses where nm lists no go:itab symbol (Go
//                       1.27): the program's own itab table (itabdump.go)
//   objdump -d          the probe instruction (stack-check jbe, b.ls on arm64)
//                       and every ret (aarch64-linux-gnu-objdump for arm64)
//   readelf -hlSW       file offsets (PT_LOAD), machine, .debug_info/.symtab
//   llvm-dwarfdump-14   parameter locations at the probe, struct layouts, ABI,
//                       the CFA at a function's entry (.debug_frame)
//   go version -m       Go release and module list; go tool buildid
// The first mismatch fails the test, naming binary, item, ours and oracle's.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
)

func init() { extraRegistrations = append(extraRegistrations, registerOracle) }

func registerOracle() {
	for _, c := range cells {
		c := c
		for _, prog := range []string{"grpcserver", "grpcclient"} {
			prog := prog
			register("unit", "inspect-oracle/"+c.name+"/"+prog, false, func() error {
				return checkInspectOracle(c, targetBin(c, prog))
			})
			// Cross-built for arm64 (tests/targets/build.sh), read here.
			register("unit", "inspect-oracle/"+c.name+"/arm64/"+prog, false, func() error {
				return checkInspectOracle(c, targetBin(c, "arm64/"+prog))
			})
		}
	}
}

// ---- the JSON of --inspect --json ----

type jPiece struct {
	Reg   *string `json:"reg"`
	Stack *int64  `json:"stack"`
	None  *bool   `json:"none"`
	Size  *uint64 `json:"size"`
}

type jParam struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Pieces []jPiece `json:"pieces"`
	Why    string   `json:"why"`
	Origin string   `json:"origin"`
}

type jFunc struct {
	Name            string   `json:"name"`
	Entry           string   `json:"entry"`
	End             string   `json:"end"`
	Probe           string   `json:"probe"`
	ProbeKind       string   `json:"probe_kind"`
	FileOffset      string   `json:"file_offset"`
	EntryFileOffset string   `json:"entry_file_offset"`
	AddressSource   string   `json:"address_source"`
	Returns         []string `json:"returns"`
	ReturnsComplete *bool    `json:"returns_complete"`
	Params          []jParam `json:"params"`
	ParamsWhy       string   `json:"params_why"`
}

type jStruct struct {
	Size          *uint64           `json:"size"`
	Origin        string            `json:"origin"`
	Members       map[string]uint64 `json:"members"`
	MemberOrigins map[string]string `json:"member_origins"`
}

// jValues says where layouts came from: DWARF, or the offsets table for
// the releases named.
type jValues struct {
	Source string `json:"source"`
}

type jMissing struct {
	Kind string `json:"kind"`
	Item string `json:"item"`
	Why  string `json:"why"`
}

type jProbe struct {
	ID       string `json:"id"`
	Enabled  bool   `json:"enabled"`
	Function string `json:"function"`
	Probe    string `json:"probe"`
	Why      string `json:"why"`
}

// jDebuginfo says where the DWARF came from and where else was looked.
type jDebuginfo struct {
	Source     string `json:"source"`
	File       string `json:"file"`
	URL        string `json:"url"`
	SymtabFrom *bool  `json:"symtab_from_debug_file"`
	Tried      []struct {
		Source string `json:"source"`
		File   string `json:"file"`
		Why    string `json:"why"`
	} `json:"tried"`
}

type inspectOut struct {
	Binary     string             `json:"binary"`
	BuildID    string             `json:"build_id"`
	GNUBuildID string             `json:"gnu_build_id"`
	Debuginfo  *jDebuginfo        `json:"debuginfo"`
	GoVersion  string             `json:"go_version"`
	Arch       string             `json:"arch"`
	ABI        string             `json:"abi"`
	Dwarf      *bool              `json:"dwarf"`
	Symtab     *bool              `json:"symtab"`
	Modules    map[string]string  `json:"modules"`
	Values     jValues            `json:"values"`
	Functions  []jFunc            `json:"functions"`
	Structs    map[string]jStruct `json:"structs"`
	Itabs      map[string]string  `json:"itabs"`
	ItabSrc    map[string]string  `json:"itab_sources"`
	Missing    []jMissing         `json:"missing"`
	Probes     []jProbe           `json:"probes"`
	Rules      []jRule            `json:"rules"`
	Wrappers   *jWrappers         `json:"conn_wrappers"`
}

// jWrappers is "conn_wrappers": the net.Conn wrappers the BPF side unwraps.
type jWrappers struct {
	Found []struct {
		Type   string `json:"type"`
		Itab   string `json:"itab"`
		Offset uint64 `json:"offset"`
	} `json:"found"`
	NotUsed     []string `json:"not_used"`
	NotUsedMore int      `json:"not_used_more"`
	Why         *string  `json:"why"`
}

// Every key the JSON may hold; a key the oracle does not know is a failure,
// so that a new field cannot go unchecked. ("protos" is checked against
// each program's own registry by protos.go.)
var (
	knownTop    = keys("binary build_id gnu_build_id go_version arch abi dwarf symtab debuginfo modules values functions structs itabs itab_sources missing rules probes protos conn_wrappers")
	knownWraps  = keys("found not_used not_used_more why")
	knownWrap   = keys("type itab offset")
	knownDebug  = keys("source file url symtab_from_debug_file tried")
	knownTried  = keys("source file why")
	knownFunc   = keys("name entry end probe probe_kind file_offset entry_file_offset address_source returns returns_complete params params_why")
	knownParam  = keys("name type pieces why origin")
	knownPiece  = keys("reg stack none size")
	knownStruct = keys("size origin members member_origins")
	knownMiss   = keys("kind item why")
	knownProbe  = keys("id enabled function probe why")
)

func keys(s string) map[string]bool {
	m := make(map[string]bool)
	for _, k := range strings.Fields(s) {
		m[k] = true
	}
	return m
}

func checkKeys(where string, raw json.RawMessage, known map[string]bool) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	for k := range m {
		if !known[k] {
			return fmt.Errorf("%s: field %q is not checked by the oracle (extend tests/runner/oracle.go)", where, k)
		}
	}
	return nil
}

// dupKeys reports the first JSON object that holds a key twice (a map
// decoder would silently keep one of the values).
func dupKeys(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var walk func(path string) error
	walk = func(path string) error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'):
			seen := make(map[string]bool)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if seen[k] {
					return fmt.Errorf("JSON object %s holds key %q twice", path, k)
				}
				seen[k] = true
				if err := walk(path + "." + k); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if err := walk(fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	return walk("")
}

// checkList shape-checks each object of the list under key in obj (where
// names obj in messages) and returns the list.
func checkList(where string, obj json.RawMessage, key string, known map[string]bool) ([]json.RawMessage, error) {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(obj, &m)
	var l []json.RawMessage
	_ = json.Unmarshal(m[key], &l)
	for i, x := range l {
		if err := checkKeys(fmt.Sprintf("%s%s[%d]", where, key, i), x, known); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func checkAllKeys(raw []byte) error {
	if err := dupKeys(raw); err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return err
	}
	if err := checkKeys("top level", raw, knownTop); err != nil {
		return err
	}
	fs, err := checkList("", raw, "functions", knownFunc)
	if err != nil {
		return err
	}
	for i, f := range fs {
		ps, err := checkList(fmt.Sprintf("functions[%d].", i), f, "params", knownParam)
		if err != nil {
			return err
		}
		for j, p := range ps {
			if _, err := checkList(fmt.Sprintf("functions[%d].params[%d].", i, j), p, "pieces", knownPiece); err != nil {
				return err
			}
		}
	}
	if d := top["debuginfo"]; d != nil {
		if err := checkKeys("debuginfo", d, knownDebug); err != nil {
			return err
		}
		if _, err := checkList("debuginfo.", d, "tried", knownTried); err != nil {
			return err
		}
	}
	var ss map[string]json.RawMessage
	_ = json.Unmarshal(top["structs"], &ss)
	for n, s := range ss {
		if err := checkKeys("structs."+n, s, knownStruct); err != nil {
			return err
		}
	}
	if _, err := checkList("", raw, "missing", knownMiss); err != nil {
		return err
	}
	if w := top["conn_wrappers"]; w != nil {
		if err := checkKeys("conn_wrappers", w, knownWraps); err != nil {
			return err
		}
		if _, err := checkList("conn_wrappers.", w, "found", knownWrap); err != nil {
			return err
		}
	}
	_, err = checkList("", raw, "probes", knownProbe)
	return err
}

func runInspectJSON(tool, bin string) (*inspectOut, []byte, error) {
	return runInspectJSONEnv(tool, nil, bin)
}

// runInspectJSONEnv runs tool --inspect --json args... with extra
// environment variables.
func runInspectJSONEnv(tool string, env []string, args ...string) (*inspectOut, []byte, error) {
	cmd := exec.Command(tool, append([]string{"--inspect", "--json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("%s --inspect --json %s: %v: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("--inspect --json output is not JSON: %v", err)
	}
	if rest := strings.TrimSpace(stdout.String()[dec.InputOffset():]); rest != "" {
		return nil, nil, fmt.Errorf("--inspect --json printed more than one JSON object (trailing %.60q)", rest)
	}
	var out inspectOut
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, nil, fmt.Errorf("--inspect --json: %v", err)
	}
	return &out, raw, nil
}

// ---- the check ----

// oracleFacts are the independent tools' answers for one binary.
type oracleFacts struct {
	syms  map[string]nmSym
	elf   *elfFacts
	dw    *dwarfDB
	bi    *goBuildInfo
	bid   string
	itabs *itabTruth  // nm's go:itab symbols, else the runtime's itab table
	arch  *oracleArch // by readelf's machine
	cfa   int64       // CFA minus SP at a function's entry (.debug_frame)
	errNm error
	errEl error
	errDw error
	errBi error
	errID error
	errIt error
	errCF error
}

func gatherOracle(bin string, wantDwarf bool) *oracleFacts {
	o := &oracleFacts{}
	var wg sync.WaitGroup
	wg.Add(5)
	go func() { defer wg.Done(); o.syms, o.errNm = nmSymbols(bin) }()
	go func() { defer wg.Done(); o.itabs, o.errIt = itabTruthOf(bin) }()
	go func() { defer wg.Done(); o.elf, o.errEl = readelfFacts(bin) }()
	go func() { defer wg.Done(); o.bi, o.errBi = goVersionM(bin); o.bid, o.errID = goBuildID(bin) }()
	go func() {
		defer wg.Done()
		if wantDwarf {
			o.dw, o.errDw = loadDwarf(bin)
			o.cfa, o.errCF = entryCFA(bin)
		}
	}()
	wg.Wait()
	if o.elf != nil {
		if o.arch = oracleArchs[o.elf.machine]; o.arch == nil {
			o.errEl = fmt.Errorf("%s: readelf Machine %q: the oracle knows no such machine", bin, o.elf.machine)
		}
	}
	return o
}

func checkInspectOracle(c cell, bin string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%v (build the targets: bash tests/targets/build.sh)", err)
	}
	for _, t := range []string{"nm", "objdump", "aarch64-linux-gnu-objdump", "readelf", llvmDwarfdump, goTool} {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("oracle tool %s: %v", t, err)
		}
	}
	js, raw, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return err
	}
	// The ASan/UBSan build must print the same, and no sanitizer report.
	if _, err := os.Stat(asanPath); err == nil {
		r, err := runTool(asanPath, []string{"--inspect", "--json", bin})
		if err != nil {
			return err
		}
		what := "gogrpctrace-asan --inspect --json " + bin
		if err := r.common(what); err != nil {
			return err
		}
		if r.exit != 0 || r.stderr != "" {
			return fmt.Errorf("%s: %s", what, r.describe())
		}
		if !bytes.Equal(bytes.TrimSpace([]byte(r.stdout)), bytes.TrimSpace(raw)) {
			return fmt.Errorf("%s: prints other JSON than build/gogrpctrace (stale build? run make asan)", what)
		}
	}
	o := gatherOracle(bin, true)
	for _, e := range []error{o.errNm, o.errEl, o.errDw, o.errBi, o.errID, o.errIt, o.errCF} {
		if e != nil {
			return fmt.Errorf("oracle: %v", e)
		}
	}
	v := &verifier{bin: bin, js: js, o: o, cell: c}
	if err := v.run(); err != nil {
		return err
	}
	// Then the shape: no repeated key, no field the oracle did not check.
	if err := checkAllKeys(raw); err != nil {
		return fmt.Errorf("%s: %v", bin, err)
	}
	return nil
}

type verifier struct {
	bin  string
	cell cell
	js   *inspectOut
	o    *oracleFacts
}

// checkDebuginfo: a binary with DWARF uses its own and looks nowhere else;
// one without (and no debug file anywhere) says where it looked: the
// build-id tree under readelf's build-id, the debuglink, debuginfod.
func (v *verifier) checkDebuginfo(hasDwarf bool) error {
	d := v.js.Debuginfo
	if d == nil || d.URL != "" || d.SymtabFrom == nil || *d.SymtabFrom {
		return v.mismatch("debuginfo", fmt.Sprintf("%+v", d), "no url, symtab not from a debug file")
	}
	if hasDwarf {
		if d.Source != "embedded" || d.File != v.bin || len(d.Tried) != 0 {
			return v.mismatch("debuginfo", fmt.Sprintf("%+v", *d), "embedded in "+v.bin)
		}
		return nil
	}
	if d.Source != "none" || d.File != "" {
		return v.mismatch("debuginfo", fmt.Sprintf("%+v", *d), "source none (no debug file exists)")
	}
	seen := map[string]bool{}
	for _, t := range d.Tried {
		seen[t.Source] = true
		id := v.o.elf.gnuBuildID
		if t.Source == "build-id" && id != "" && !strings.HasSuffix(t.File, "/.build-id/"+id[:2]+"/"+id[2:]+".debug") {
			return v.mismatch("debuginfo.tried build-id file", t.File, ".build-id/"+id[:2]+"/"+id[2:]+".debug")
		}
		if t.Source == "build-id" && id == "" && t.File != "" {
			return v.mismatch("debuginfo.tried build-id file", t.File, "none (readelf -n shows no build-id)")
		}
	}
	if !seen["build-id"] || !seen["debuglink"] || !seen["debuginfod"] {
		return v.mismatch("debuginfo.tried", fmt.Sprintf("%+v", d.Tried), "build-id, debuglink and debuginfod looked at")
	}
	return nil
}

func (v *verifier) mismatch(item string, ours, oracle interface{}) error {
	return fmt.Errorf("%s: %s: ours %v, oracle %v", v.bin, item, ours, oracle)
}

func (v *verifier) run() error {
	js, o := v.js, v.o
	// --- header ---
	if js.Binary != v.bin {
		return v.mismatch("binary", js.Binary, v.bin)
	}
	if js.BuildID != o.bid {
		return v.mismatch("build_id", js.BuildID, o.bid+" (go tool buildid)")
	}
	if js.GoVersion != o.bi.goVersion {
		return v.mismatch("go_version", js.GoVersion, o.bi.goVersion+" (go version -m)")
	}
	if !strings.HasPrefix(js.GoVersion, v.cell.goVersion) {
		return v.mismatch("go_version", js.GoVersion, "the cell's "+v.cell.goVersion)
	}
	wantArch := map[string]string{"Advanced Micro Devices X86-64": "amd64", "AArch64": "arm64"}[o.elf.machine]
	if js.Arch != wantArch {
		return v.mismatch("arch", js.Arch, fmt.Sprintf("%q (readelf Machine %q)", wantArch, o.elf.machine))
	}
	hasDwarf := o.elf.sections[".debug_info"] || o.elf.sections[".zdebug_info"]
	if js.Dwarf == nil || *js.Dwarf != hasDwarf {
		return v.mismatch("dwarf", ptrStr(js.Dwarf), hasDwarf)
	}
	if js.Symtab == nil || *js.Symtab != o.elf.sections[".symtab"] {
		return v.mismatch("symtab", ptrStr(js.Symtab), o.elf.sections[".symtab"])
	}
	if js.GNUBuildID != o.elf.gnuBuildID {
		return v.mismatch("gnu_build_id", js.GNUBuildID, o.elf.gnuBuildID+" (readelf -n)")
	}
	if err := v.checkDebuginfo(hasDwarf); err != nil {
		return err
	}
	if wantSource := map[bool]string{true: "DWARF", false: "offsets table"}[hasDwarf]; !strings.HasPrefix(js.Values.Source, wantSource) {
		return v.mismatch("values.source", js.Values.Source, wantSource)
	}
	if o.dw != nil {
		wantABI := "stack"
		for _, p := range o.dw.producers {
			if strings.Contains(p, "regabi") {
				wantABI = "register"
			}
		}
		if js.ABI != wantABI {
			return v.mismatch("abi", js.ABI, wantABI+" (DW_AT_producer)")
		}
	}
	if err := v.checkRules(); err != nil {
		return err
	}
	if err := v.checkModules(); err != nil {
		return err
	}
	// --- functions ---
	if len(js.Functions) == 0 {
		return fmt.Errorf("%s: the JSON lists no function", v.bin)
	}
	byName := make(map[string]*jFunc)
	for i := range js.Functions {
		f := &js.Functions[i]
		if byName[f.Name] != nil {
			return fmt.Errorf("%s: function %s listed twice", v.bin, f.Name)
		}
		byName[f.Name] = f
	}
	errs := make([]error, len(js.Functions))
	var wg sync.WaitGroup
	for i := range js.Functions {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = v.checkFunc(&js.Functions[i]) }(i)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	// --- structs ---
	if len(js.Structs) == 0 && hasDwarf {
		return fmt.Errorf("%s: the JSON lists no struct although the binary has DWARF", v.bin)
	}
	for _, n := range sortedKeys(js.Structs) {
		if err := v.checkStruct(n, js.Structs[n]); err != nil {
			return err
		}
	}
	// --- itabs ---
	if len(js.Itabs) == 0 {
		return fmt.Errorf("%s: the JSON lists no itab", v.bin)
	}
	// Against nm's go:itab symbols; where there are none (Go 1.27), the
	// runtime's own itab table, names matched with full package paths.
	t := o.itabs
	if t == nil {
		return fmt.Errorf("oracle: %v", o.errIt)
	}
	for _, k := range sortedKeys(js.Itabs) {
		a, n := t.lookup(k)
		switch {
		case n == 0 && t.fromNm:
			return v.mismatch("itab "+k, js.Itabs[k], "no go:itab./go.itab. symbol (nm)")
		case n == 0:
			return v.mismatch("itab "+k, js.Itabs[k], "not in the runtime's itab table (no go:itab symbols)")
		case n > 1:
			return v.mismatch("itab "+k, js.Itabs[k], fmt.Sprintf("%d itabs of that name in the runtime's itab table", n))
		}
		if !hexEq(js.Itabs[k], a) {
			return v.mismatch("itab "+k, js.Itabs[k], fmt.Sprintf("0x%x (%s)", a, t.what()))
		}
		// With the symbol there the symbol table must have been used;
		// without, the runtime's list read from the file.
		if js.ItabSrc[k] != t.source() {
			return v.mismatch("itab "+k+" source", js.ItabSrc[k], t.source()+" ("+t.what()+" has it)")
		}
	}
	if len(js.ItabSrc) != len(js.Itabs) {
		return v.mismatch("itab_sources", len(js.ItabSrc), fmt.Sprintf("one per itab (%d)", len(js.Itabs)))
	}
	if err := v.checkWrappers(t); err != nil {
		return err
	}
	// --- missing ---
	for _, m := range js.Missing {
		if err := v.checkMissing(m, byName); err != nil {
			return err
		}
	}
	// --- probes ---
	if len(js.Probes) == 0 {
		return fmt.Errorf("%s: the JSON lists no probe", v.bin)
	}
	enabled := 0
	ids := make(map[string]bool)
	for _, p := range js.Probes {
		if p.ID == "" || ids[p.ID] {
			return fmt.Errorf("%s: probe id %q empty or repeated", v.bin, p.ID)
		}
		ids[p.ID] = true
		f := byName[p.Function]
		if p.Enabled {
			enabled++
			if f == nil {
				return fmt.Errorf("%s: probe %s is enabled but its function %s is not in functions", v.bin, p.ID, p.Function)
			}
			if p.Why != "" {
				return fmt.Errorf("%s: probe %s is enabled but has why %q", v.bin, p.ID, p.Why)
			}
			for _, prm := range f.Params {
				if prm.Why == "" && len(prm.Pieces) == 0 {
					return fmt.Errorf("%s: probe %s enabled; parameter %s of %s has neither pieces nor why", v.bin, p.ID, prm.Name, f.Name)
				}
			}
		} else if p.Why == "" {
			return fmt.Errorf("%s: probe %s is disabled without a why", v.bin, p.ID)
		}
		if f != nil && p.Probe != f.Probe {
			return v.mismatch("probe "+p.ID+" address", p.Probe, f.Probe+" (the function's probe)")
		}
		if f == nil && p.Enabled {
			return fmt.Errorf("%s: probe %s: function %s missing", v.bin, p.ID, p.Function)
		}
		if p.Function == "" && !p.Enabled {
			// A probe whose function is absent names it only in its why:
			// "function NAME: no such symbol".
			if rest, ok := strings.CutPrefix(p.Why, "function "); ok {
				if i := strings.LastIndex(rest, ": "); i > 0 {
					fn := rest[:i]
					if !v.inMissing(fn) {
						return fmt.Errorf("%s: probe %s: why names function %s which is not in missing", v.bin, p.ID, fn)
					}
					if s, ok := v.o.syms[fn]; ok && strings.HasSuffix(p.Why, "no such symbol") {
						return v.mismatch("probe "+p.ID+" why", p.Why, fmt.Sprintf("nm has %s at 0x%x", fn, s.addr))
					}
				}
			}
			if p.Probe != "" {
				return fmt.Errorf("%s: probe %s has an address %s but no function", v.bin, p.ID, p.Probe)
			}
			continue
		}
		if f == nil && !v.inMissing(p.Function) {
			return fmt.Errorf("%s: probe %s names function %s which is neither in functions nor in missing", v.bin, p.ID, p.Function)
		}
	}
	if enabled == 0 && hasDwarf {
		return fmt.Errorf("%s: no probe is enabled", v.bin)
	}
	return nil
}

func ptrStr(b *bool) string {
	if b == nil {
		return "absent"
	}
	return fmt.Sprint(*b)
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (v *verifier) inMissing(fn string) bool {
	for _, m := range v.js.Missing {
		if m.Kind == "function" && m.Item == fn {
			return true
		}
	}
	return false
}

type jRule struct {
	Name          string  `json:"name"`
	Module        string  `json:"module"`
	Applies       bool    `json:"applies"`
	Version       *string `json:"version"`
	VersionSource *string `json:"version_source"`
	Why           string  `json:"why"`
}

// checkRules: the grpc-go rule applies to every matrix binary, with the
// cell's version (from the module data, or for the GOPATH cell's client
// from the user-agent string grpc-go compiles in; its server has none).
func (v *verifier) checkRules() error {
	for _, r := range v.js.Rules {
		if !strings.HasSuffix(r.Module, "/grpc") {
			continue
		}
		if !r.Applies {
			return v.mismatch("rule "+r.Name, "does not apply: "+r.Why, "applies (grpc-go is linked in)")
		}
		if r.Version == nil {
			if v.cell.gopath {
				return nil
			}
			return v.mismatch("rule "+r.Name+" version", "unknown", v.cell.grpc)
		}
		if *r.Version != v.cell.grpc {
			return v.mismatch("rule "+r.Name+" version", *r.Version, "the cell's "+v.cell.grpc)
		}
		return nil
	}
	return v.mismatch("rules", "no grpc-go rule", "one")
}

func (v *verifier) checkModules() error {
	want := v.o.bi.modules
	got := v.js.Modules
	if v.cell.gopath {
		if len(got) != 0 || len(want) != 0 {
			return v.mismatch("modules (GOPATH build)", got, want)
		}
		return nil
	}
	if len(want) == 0 {
		return fmt.Errorf("%s: go version -m lists no module for a module build", v.bin)
	}
	for _, k := range sortedKeys(want) {
		if got[k] != want[k] {
			return v.mismatch("modules["+k+"]", fmt.Sprintf("%q", got[k]), want[k])
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			return v.mismatch("modules["+k+"]", got[k], "not listed by go version -m")
		}
	}
	// The grpc-go module (path ending in "/grpc") has the cell's version.
	found := false
	for _, k := range sortedKeys(got) {
		if strings.HasSuffix(k, "/grpc") {
			found = true
			if v.cell.grpc != "" && got[k] != v.cell.grpc {
				return v.mismatch("modules["+k+"]", got[k], "the cell's "+v.cell.grpc)
			}
		}
	}
	if !found {
		return v.mismatch("modules", "no grpc module", "the cell's grpc "+v.cell.grpc)
	}
	return nil
}

func hexEq(s string, want uint64) bool {
	a, err := parseHex(s)
	return err == nil && strings.HasPrefix(s, "0x") && a == want
}

func (v *verifier) checkFunc(f *jFunc) error {
	item := func(what string) string { return "function " + f.Name + ": " + what }
	s, ok := v.o.syms[f.Name]
	if !ok {
		return v.mismatch(item("symbol"), "present", "no such symbol (nm)")
	}
	if s.typ != "T" && s.typ != "t" {
		return v.mismatch(item("symbol type"), "function", s.typ+" (nm)")
	}
	if !s.hasSize || s.size == 0 {
		return v.mismatch(item("size"), f.End, "nm shows no size")
	}
	// nm found it, so the tool must have taken it from the symbol table.
	if f.AddressSource != "symtab" {
		return v.mismatch(item("address_source"), f.AddressSource, "symtab (nm lists the symbol)")
	}
	entry, end := s.addr, s.addr+s.size
	if !hexEq(f.Entry, entry) {
		return v.mismatch(item("entry"), f.Entry, fmt.Sprintf("0x%x (nm)", entry))
	}
	if !hexEq(f.End, end) {
		return v.mismatch(item("end"), f.End, fmt.Sprintf("0x%x (nm: 0x%x + size 0x%x)", end, entry, s.size))
	}
	probe, err := parseHex(f.Probe)
	if err != nil || !strings.HasPrefix(f.Probe, "0x") {
		return v.mismatch(item("probe"), f.Probe, "an address")
	}
	arch := v.o.arch
	ins, err := arch.disasm(v.bin, entry, end)
	if err != nil {
		return fmt.Errorf("oracle: %v", err)
	}
	if len(ins) == 0 || ins[0].addr != entry {
		return fmt.Errorf("%s: %s: objdump shows no instruction at the entry 0x%x", v.bin, f.Name, entry)
	}
	// The stack-check prologue as objdump decodes it, within 64 bytes.
	var jbe uint64 // the stack check's branch (jbe, b.ls)
	for _, in := range ins {
		if in.addr >= entry+64 {
			break
		}
		if in.mnem == arch.stackCheck {
			jbe = in.addr
			break
		}
		if !arch.prologue[strings.TrimSuffix(in.mnem, "q")] {
			break
		}
	}
	switch f.ProbeKind {
	case "stack_check":
		if jbe == 0 {
			return v.mismatch(item("probe (stack_check)"), f.Probe, "no stack-check prologue ending in "+arch.stackCheck+" within 64 bytes (objdump)")
		}
		if probe != jbe {
			var at string
			for _, in := range ins {
				if in.addr == probe {
					at = in.text
				}
			}
			return v.mismatch(item("probe (stack_check)"), fmt.Sprintf("%s (%q)", f.Probe, at), fmt.Sprintf("0x%x %s (objdump)", jbe, arch.stackCheck))
		}
	case "entry":
		if probe != entry {
			return v.mismatch(item("probe (entry)"), f.Probe, fmt.Sprintf("0x%x (entry)", entry))
		}
		if jbe != 0 {
			return v.mismatch(item("probe_kind"), "entry", fmt.Sprintf("stack_check: objdump shows the prologue's %s at 0x%x", arch.stackCheck, jbe))
		}
	default:
		return v.mismatch(item("probe_kind"), f.ProbeKind, "stack_check or entry")
	}
	for _, x := range []struct {
		name, val string
		va        uint64
	}{{"file_offset", f.FileOffset, probe}, {"entry_file_offset", f.EntryFileOffset, entry}} {
		off, ok := v.o.elf.fileOffset(x.va)
		if !ok {
			return fmt.Errorf("%s: 0x%x is in no PT_LOAD (readelf)", v.bin, x.va)
		}
		if !hexEq(x.val, off) {
			return v.mismatch(item(x.name), x.val, fmt.Sprintf("0x%x (readelf -l)", off))
		}
	}
	// Returns: every ret objdump shows in [entry, end), nothing else.
	var rets []uint64
	for _, in := range ins {
		if in.addr < end && arch.isRet(in) {
			rets = append(rets, in.addr)
		}
	}
	if len(rets) == 0 {
		return fmt.Errorf("%s: %s: objdump shows no ret", v.bin, f.Name)
	}
	ours := make(map[uint64]bool)
	for _, r := range f.Returns {
		a, err := parseHex(r)
		if err != nil || !strings.HasPrefix(r, "0x") {
			return v.mismatch(item("returns"), r, "an address")
		}
		if ours[a] {
			return v.mismatch(item("returns"), r+" listed twice", "once")
		}
		ours[a] = true
	}
	theirs := make(map[uint64]bool)
	for _, r := range rets {
		theirs[r] = true
		if !ours[r] && (f.ReturnsComplete == nil || *f.ReturnsComplete) {
			return v.mismatch(item("returns"), fmt.Sprintf("%v (returns_complete %s)", f.Returns, ptrStr(f.ReturnsComplete)), fmt.Sprintf("also a ret at 0x%x (objdump)", r))
		}
	}
	for a := range ours {
		if !theirs[a] {
			return v.mismatch(item("returns"), fmt.Sprintf("0x%x", a), "not a ret instruction inside the function (objdump)")
		}
	}
	if f.ReturnsComplete == nil {
		return v.mismatch(item("returns_complete"), "absent", "a boolean")
	}
	if !*f.ReturnsComplete {
		return v.mismatch(item("returns_complete"), false, fmt.Sprintf("objdump decodes the whole function and finds %d rets", len(rets)))
	}
	return v.checkParams(f, entry, end, probe)
}

func (v *verifier) checkParams(f *jFunc, entry, end, probe uint64) error {
	item := func(what string) string { return "function " + f.Name + ": " + what }
	dw := v.o.dw
	if dw == nil {
		// Without DWARF parameters come from the offsets table (the
		// pclntab tests hold them against the unstripped DWARF).
		for _, p := range f.Params {
			if !strings.HasPrefix(p.Origin, "offsets table: ") {
				return v.mismatch(item("param "+p.Name+" origin"), p.Origin, "an offsets table row (no DWARF)")
			}
		}
		if len(f.Params) == 0 && f.ParamsWhy == "" {
			return v.mismatch(item("params"), 0, "params_why saying why there are none")
		}
		return nil
	}
	sp := dw.byLowPC[entry]
	if sp == nil {
		return fmt.Errorf("%s: %s: no DW_TAG_subprogram with DW_AT_low_pc 0x%x (llvm-dwarfdump)", v.bin, f.Name, entry)
	}
	if n := dw.origin(sp).name(); n != f.Name {
		return v.mismatch(item("DWARF subprogram name"), f.Name, n)
	}
	if hi, ok := sp.num("DW_AT_high_pc"); ok && hi != end {
		return v.mismatch(item("end vs DW_AT_high_pc"), f.End, fmt.Sprintf("0x%x (llvm-dwarfdump)", hi))
	}
	if fb, _ := sp.attr("DW_AT_frame_base"); fb != "DW_OP_call_frame_cfa" {
		return fmt.Errorf("%s: %s: frame base %q is not DW_OP_call_frame_cfa; the oracle cannot evaluate DW_OP_fbreg", v.bin, f.Name, fb)
	}
	// Parameters in DWARF order: those of the abstract origin if any (an
	// out-of-line copy may omit some), located by the concrete children.
	type dparam struct {
		name, typ string
		decl      *die // name/type carrier
		conc      *die // has the location (nil = none)
	}
	var want []dparam
	abs := dw.origin(sp)
	concOf := make(map[uint64]*die)
	for _, c := range sp.children {
		if c.tag == "DW_TAG_formal_parameter" {
			concOf[dw.origin(c).off] = c
		}
	}
	for _, c := range abs.children {
		if c.tag != "DW_TAG_formal_parameter" {
			continue
		}
		if vp, _ := c.num("DW_AT_variable_parameter"); vp != 0 {
			continue // a result
		}
		want = append(want, dparam{name: c.name(), typ: dw.typeName(c), decl: c, conc: concOf[c.off]})
	}
	if f.ParamsWhy != "" && len(f.Params) == 0 {
		return v.mismatch(item("params"), "none: "+f.ParamsWhy, fmt.Sprintf("%d parameters in DWARF", len(want)))
	}
	if len(f.Params) != len(want) {
		var names []string
		for _, w := range want {
			names = append(names, w.name)
		}
		var ours []string
		for _, p := range f.Params {
			ours = append(ours, p.Name)
		}
		return v.mismatch(item("parameters"), ours, names)
	}
	for i, p := range f.Params {
		w := want[i]
		it := item("parameter " + p.Name)
		if p.Name != w.name {
			return v.mismatch(item(fmt.Sprintf("parameter #%d name", i)), p.Name, w.name)
		}
		if p.Type != w.typ {
			return v.mismatch(it+" type", p.Type, w.typ)
		}
		var exp []oPiece
		var why string
		if w.conc == nil {
			why = "no DIE in the out-of-line copy"
		} else {
			expr, found, err := locationAt(w.conc.attrs["DW_AT_location"], probe)
			if err != nil {
				return fmt.Errorf("%s: oracle: %s: %v", v.bin, it, err)
			}
			if !found {
				why = "no location at the probe"
			} else {
				size, ok := dw.typeSize(w.decl)
				exp, err = evalPieces(expr, size, ok, v.o.arch.dwarfRegs, v.o.cfa)
				if err != nil {
					return fmt.Errorf("%s: oracle: %s: %v", v.bin, it, err)
				}
			}
		}
		if !strings.HasPrefix(p.Origin, "DWARF") {
			return v.mismatch(it+" origin", p.Origin, "DWARF")
		}
		got, err := toPieces(p.Pieces)
		if err != nil {
			return v.mismatch(it+" pieces", err, "well-formed pieces")
		}
		if p.Why != "" && len(got) < len(exp) && piecesString(got) == piecesString(exp[:len(got)]) {
			// The tool declares the parameter unusable (why) and lists the
			// pieces it did decode: they must be a prefix of DWARF's.
			continue
		}
		if piecesString(got) != piecesString(exp) {
			return v.mismatch(it+fmt.Sprintf(" location at probe 0x%x", probe), piecesString(got), piecesString(exp)+" (llvm-dwarfdump)")
		}
		if len(exp) == 0 && p.Why == "" {
			return v.mismatch(it+" why", "none", "a reason ("+why+")")
		}
	}
	return nil
}

func toPieces(js []jPiece) ([]oPiece, error) {
	var out []oPiece
	for _, p := range js {
		n := 0
		var o oPiece
		if p.Reg != nil {
			n++
			o.Reg = *p.Reg
		}
		if p.Stack != nil {
			n++
			o.Stack = p.Stack
		}
		if p.None != nil {
			if !*p.None {
				return nil, fmt.Errorf("none:false")
			}
			n++
			o.None = true
		}
		if n != 1 || p.Size == nil || *p.Size == 0 {
			return nil, fmt.Errorf("piece needs exactly one of reg/stack/none and a size")
		}
		o.Size = *p.Size
		out = append(out, o)
	}
	return out, nil
}

func (v *verifier) structDIE(name string) (*die, error) {
	ds := v.o.dw.structs[name]
	if len(ds) == 0 {
		return nil, nil
	}
	// Duplicates must agree on the size.
	for _, d := range ds[1:] {
		a, _ := d.num("DW_AT_byte_size")
		b, _ := ds[0].num("DW_AT_byte_size")
		if a != b {
			return nil, fmt.Errorf("%s: DWARF has %d structs %s of different sizes", v.bin, len(ds), name)
		}
	}
	return ds[0], nil
}

func (v *verifier) checkStruct(name string, s jStruct) error {
	if v.o.dw == nil {
		// From the offsets table (held against DWARF by the pclntab tests).
		if !strings.HasPrefix(s.Origin, "offsets table: ") {
			return v.mismatch("struct "+name+" origin", s.Origin, "an offsets table row (no DWARF)")
		}
		return nil
	}
	d, err := v.structDIE(name)
	if err != nil {
		return err
	}
	if d == nil {
		return v.mismatch("struct "+name, "present", "no DW_TAG_structure_type of that name (llvm-dwarfdump)")
	}
	size, ok := d.num("DW_AT_byte_size")
	if !ok {
		return fmt.Errorf("%s: oracle: struct %s has no DW_AT_byte_size", v.bin, name)
	}
	if s.Size == nil || *s.Size != size {
		var ours interface{} = "absent"
		if s.Size != nil {
			ours = *s.Size
		}
		return v.mismatch("struct "+name+" size", ours, size)
	}
	if len(s.Members) == 0 {
		return v.mismatch("struct "+name+" members", "none", "at least one")
	}
	if !strings.HasPrefix(s.Origin, "DWARF") {
		return v.mismatch("struct "+name+" origin", s.Origin, "DWARF")
	}
	for _, m := range sortedKeys(s.Members) {
		if !strings.HasPrefix(s.MemberOrigins[m], "DWARF") {
			return v.mismatch("struct "+name+" member "+m+" origin", s.MemberOrigins[m], "DWARF")
		}
	}
	for _, m := range sortedKeys(s.Members) {
		off, err := v.o.dw.memberOffset(d, m)
		if err != nil {
			return v.mismatch("struct "+name+" member "+m, s.Members[m], err)
		}
		if off != s.Members[m] {
			return v.mismatch("struct "+name+" member "+m+" offset", s.Members[m], off)
		}
	}
	return nil
}

func (v *verifier) checkMissing(m jMissing, byName map[string]*jFunc) error {
	if m.Why == "" || m.Item == "" {
		return fmt.Errorf("%s: missing entry %+v without item or why", v.bin, m)
	}
	switch m.Kind {
	case "function":
		if byName[m.Item] != nil {
			return fmt.Errorf("%s: function %s is both listed and missing", v.bin, m.Item)
		}
		if strings.Contains(m.Why, "no such symbol") {
			if s, ok := v.o.syms[m.Item]; ok {
				return v.mismatch("missing function "+m.Item, m.Why, fmt.Sprintf("nm has it at 0x%x", s.addr))
			}
		}
	case "itab":
		if _, ok := v.js.Itabs[m.Item]; ok {
			return fmt.Errorf("%s: itab %s is both listed and missing", v.bin, m.Item)
		}
		// Missing is a failed lookup: the oracle must not have it (or,
		// in the runtime's table, have it twice under that name).
		t := v.o.itabs
		if t == nil {
			return fmt.Errorf("oracle: %v", v.o.errIt)
		}
		a, n := t.lookup(m.Item)
		if n == 1 {
			return v.mismatch("missing itab "+m.Item, m.Why, fmt.Sprintf("%s has it at 0x%x", t.what(), a))
		}
		if n > 1 && !strings.Contains(m.Why, "ambiguous") {
			return v.mismatch("missing itab "+m.Item, m.Why, fmt.Sprintf("%s has %d itabs of that name: ambiguous", t.what(), n))
		}
	case "member":
		i := strings.LastIndex(m.Item, ":")
		if i < 0 {
			return fmt.Errorf("%s: missing member item %q has no ':'", v.bin, m.Item)
		}
		sname, path := m.Item[:i], m.Item[i+1:]
		if js, ok := v.js.Structs[sname]; ok {
			if _, ok := js.Members[path]; ok {
				return fmt.Errorf("%s: member %s is both listed and missing", v.bin, m.Item)
			}
		}
		if v.o.dw == nil {
			return nil
		}
		d, err := v.structDIE(sname)
		if err != nil {
			return err
		}
		if strings.Contains(m.Why, "not in DWARF") && d != nil {
			return v.mismatch("missing member "+m.Item, m.Why, "DWARF has struct "+sname)
		}
		if strings.HasPrefix(m.Why, "no member") {
			if d == nil {
				return v.mismatch("missing member "+m.Item, m.Why, "DWARF has no struct "+sname)
			}
			if off, err := v.o.dw.memberOffset(d, path); err == nil {
				return v.mismatch("missing member "+m.Item, m.Why, fmt.Sprintf("DWARF has it at offset %d", off))
			}
		}
	default:
		// Another kind: a reason is all that can be checked.
	}
	return nil
}

// checkWrappers: each net.Conn wrapper found is an itab "*X,net.Conn" at
// the address the itab oracle gives, and X (llvm-dwarfdump) has exactly
// one member of type net.Conn, at the offset given. Without DWARF none
// is found, and the reason says so.
func (v *verifier) checkWrappers(t *itabTruth) error {
	w := v.js.Wrappers
	if w == nil {
		return v.mismatch("conn_wrappers", "absent", "present")
	}
	if v.o.dw == nil {
		if len(w.Found) != 0 || w.Why == nil {
			return v.mismatch("conn_wrappers", len(w.Found), "none, with a reason (no DWARF)")
		}
		return nil
	}
	for _, f := range w.Found {
		pair := "*" + f.Type + ",net.Conn"
		a, n := t.lookup(pair)
		if n != 1 || !hexEq(f.Itab, a) {
			return v.mismatch("conn_wrappers itab "+pair, f.Itab, fmt.Sprintf("0x%x (%d found, %s)", a, n, t.what()))
		}
		d, err := v.structDIE(f.Type)
		if err != nil {
			return err
		}
		if d == nil {
			return v.mismatch("conn_wrappers type "+f.Type, "a struct", "no DW_TAG_structure_type of that name")
		}
		var offs []uint64
		for _, c := range d.children {
			if c.tag == "DW_TAG_member" && strings.HasSuffix(c.attrs["DW_AT_type"], `"net.Conn"`) {
				off, _ := c.num("DW_AT_data_member_location")
				offs = append(offs, off)
			}
		}
		if len(offs) != 1 || offs[0] != f.Offset {
			return v.mismatch("conn_wrappers "+f.Type+" offset", f.Offset, fmt.Sprintf("net.Conn members at %v", offs))
		}
	}
	return nil
}
