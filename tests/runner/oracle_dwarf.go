package main

// The DWARF oracle: one `llvm-dwarfdump-14 --debug-info` run per binary,
// parsed from its text into a small DIE tree. Location expressions are
// evaluated here (not by gogrpctrace's code) at a given address.

import (
	"bufio"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

type die struct {
	off      uint64
	tag      string
	parent   *die
	children []*die
	attrs    map[string]string // raw text between the outer parentheses
}

func (d *die) attr(k string) (string, bool) { v, ok := d.attrs[k]; return v, ok }

// ref parses a reference attribute "0x000000000014fa2d \"name\"".
func (d *die) ref(k string) (uint64, bool) {
	v, ok := d.attrs[k]
	if !ok {
		return 0, false
	}
	f := strings.Fields(v)
	if len(f) == 0 {
		return 0, false
	}
	n, err := parseHex(f[0])
	return n, err == nil
}

func (d *die) num(k string) (uint64, bool) {
	v, ok := d.attrs[k]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 64)
	return n, err == nil
}

// name is DW_AT_name without the quotes.
func (d *die) name() string {
	v := d.attrs["DW_AT_name"]
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

type dwarfDB struct {
	byOff     map[uint64]*die
	byLowPC   map[uint64]*die // concrete subprograms
	structs   map[string][]*die
	producers []string
}

var dieHeader = regexp.MustCompile(`^0x([0-9a-f]+):( +)(DW_TAG_\w+|NULL)\s*$`)
var attrLine = regexp.MustCompile(`^\s+(DW_AT_\w+)\s+\((.*)$`)

// keepAttr lists the attributes the oracle reads; others are dropped.
var keepAttr = map[string]bool{
	"DW_AT_name": true, "DW_AT_type": true, "DW_AT_low_pc": true, "DW_AT_high_pc": true,
	"DW_AT_location": true, "DW_AT_data_member_location": true, "DW_AT_byte_size": true,
	"DW_AT_variable_parameter": true, "DW_AT_abstract_origin": true, "DW_AT_producer": true,
	"DW_AT_frame_base": true, "DW_AT_inline": true,
}

func loadDwarf(bin string) (*dwarfDB, error) {
	cmd := exec.Command(llvmDwarfdump, "--debug-info", bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	db := &dwarfDB{byOff: make(map[uint64]*die), byLowPC: make(map[uint64]*die), structs: make(map[string][]*die)}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var stack []*die // stack[depth]
	var cur *die
	var curAttr string
	var curVal strings.Builder
	flush := func() {
		if cur != nil && curAttr != "" {
			v := strings.TrimSpace(curVal.String())
			v = strings.TrimSuffix(v, ")")
			cur.attrs[curAttr] = strings.TrimSpace(v)
		}
		curAttr = ""
		curVal.Reset()
	}
	for sc.Scan() {
		line := sc.Text()
		if m := dieHeader.FindStringSubmatch(line); m != nil {
			flush()
			depth := (len(m[2]) - 1) / 2
			if m[3] == "NULL" {
				cur = nil
				continue
			}
			off, _ := parseHex(m[1])
			d := &die{off: off, tag: m[3], attrs: make(map[string]string, 4)}
			if depth > 0 && depth-1 < len(stack) {
				d.parent = stack[depth-1]
				d.parent.children = append(d.parent.children, d)
			}
			if depth < len(stack) {
				stack = stack[:depth]
			}
			stack = append(stack, d)
			db.byOff[off] = d
			cur = d
			continue
		}
		if m := attrLine.FindStringSubmatch(line); m != nil {
			flush()
			if cur != nil && keepAttr[m[1]] {
				curAttr = m[1]
				curVal.WriteString(m[2])
			}
			continue
		}
		if curAttr != "" && strings.TrimSpace(line) != "" {
			curVal.WriteString("\n")
			curVal.WriteString(strings.TrimSpace(line))
			continue
		}
		if strings.TrimSpace(line) == "" {
			flush()
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("%s --debug-info %s: %v: %s", llvmDwarfdump, bin, err, stderr.String())
	}
	for _, d := range db.byOff {
		switch d.tag {
		case "DW_TAG_compile_unit":
			if p, ok := d.attr("DW_AT_producer"); ok {
				db.producers = append(db.producers, p)
			}
		case "DW_TAG_subprogram":
			if lo, ok := d.num("DW_AT_low_pc"); ok {
				db.byLowPC[lo] = d
			}
		case "DW_TAG_structure_type":
			if n := d.name(); n != "" {
				db.structs[n] = append(db.structs[n], d)
			}
		}
	}
	if len(db.byOff) == 0 {
		return nil, fmt.Errorf("%s --debug-info %s printed no DIE", llvmDwarfdump, bin)
	}
	return db, nil
}

// origin follows DW_AT_abstract_origin (for names, types, parameter order).
func (db *dwarfDB) origin(d *die) *die {
	for i := 0; i < 8; i++ {
		o, ok := d.ref("DW_AT_abstract_origin")
		if !ok {
			return d
		}
		od := db.byOff[o]
		if od == nil {
			return d
		}
		d = od
	}
	return d
}

// typeName is the DW_AT_name of the DIE a DW_AT_type points at.
func (db *dwarfDB) typeName(d *die) string {
	o, ok := db.origin(d).ref("DW_AT_type")
	if !ok {
		return ""
	}
	if t := db.byOff[o]; t != nil {
		return t.name()
	}
	return ""
}

// typeSize is the byte size of the type of d (following typedefs).
func (db *dwarfDB) typeSize(d *die) (uint64, bool) {
	o, ok := db.origin(d).ref("DW_AT_type")
	for i := 0; ok && i < 16; i++ {
		t := db.byOff[o]
		if t == nil {
			return 0, false
		}
		if n, ok := t.num("DW_AT_byte_size"); ok {
			return n, true
		}
		if t.tag == "DW_TAG_pointer_type" {
			return 8, true
		}
		o, ok = t.ref("DW_AT_type")
	}
	return 0, false
}

// underlying follows typedefs from a type offset.
func (db *dwarfDB) underlying(off uint64) *die {
	for i := 0; i < 16; i++ {
		t := db.byOff[off]
		if t == nil || t.tag != "DW_TAG_typedef" {
			return t
		}
		n, ok := t.ref("DW_AT_type")
		if !ok {
			return nil
		}
		off = n
	}
	return nil
}

// memberOffset resolves a dotted member path in struct s: the sum of the
// DW_AT_data_member_location of every member along it; every member but
// the last must be a struct held by value.
func (db *dwarfDB) memberOffset(s *die, path string) (uint64, error) {
	var total uint64
	parts := strings.Split(path, ".")
	for i, p := range parts {
		var m *die
		for _, c := range s.children {
			if c.tag == "DW_TAG_member" && c.name() == p {
				m = c
				break
			}
		}
		if m == nil {
			return 0, fmt.Errorf("no member %s in %s", p, s.name())
		}
		off, ok := m.num("DW_AT_data_member_location")
		if !ok {
			return 0, fmt.Errorf("member %s of %s has no constant DW_AT_data_member_location (%q)", p, s.name(), m.attrs["DW_AT_data_member_location"])
		}
		total += off
		if i == len(parts)-1 {
			break
		}
		tref, ok := m.ref("DW_AT_type")
		if !ok {
			return 0, fmt.Errorf("member %s of %s has no type", p, s.name())
		}
		t := db.underlying(tref)
		if t == nil || t.tag != "DW_TAG_structure_type" {
			tag := "?"
			if t != nil {
				tag = t.tag
			}
			return 0, fmt.Errorf("member %s of %s is not a struct held by value (%s)", p, s.name(), tag)
		}
		s = t
	}
	return total, nil
}

// ---- location expressions ----

// A piece as gogrpctrace's JSON spells it.
type oPiece struct {
	Reg   string `json:"reg,omitempty"`
	Stack *int64 `json:"stack,omitempty"`
	None  bool   `json:"none,omitempty"`
	Size  uint64 `json:"size"`
}

func (p oPiece) String() string {
	switch {
	case p.Reg != "":
		return fmt.Sprintf("%s/%d", p.Reg, p.Size)
	case p.Stack != nil:
		return fmt.Sprintf("sp+%d/%d", *p.Stack, p.Size)
	case p.None:
		return fmt.Sprintf("none/%d", p.Size)
	}
	return fmt.Sprintf("?/%d", p.Size)
}

func piecesString(ps []oPiece) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return "[" + strings.Join(s, " ") + "]"
}

var locRange = regexp.MustCompile(`^\[0x([0-9a-f]+), 0x([0-9a-f]+)\): (.*)$`)

// locationAt returns the expression of a DW_AT_location valid at pc:
// found=false when a location list has no range containing pc.
func locationAt(raw string, pc uint64) (expr string, found bool, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "<empty>" {
		return "", false, nil
	}
	lines := strings.Split(raw, "\n")
	if !strings.HasPrefix(lines[0], "0x") || !strings.HasSuffix(strings.TrimSpace(lines[0]), ":") {
		if len(lines) != 1 {
			return "", false, fmt.Errorf("cannot parse location %q", raw)
		}
		return lines[0], true, nil // a single expression
	}
	for _, l := range lines[1:] {
		m := locRange.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			return "", false, fmt.Errorf("cannot parse location list entry %q", l)
		}
		lo, _ := parseHex(m[1])
		hi, _ := parseHex(m[2])
		if pc >= lo && pc < hi {
			return m[3], true, nil
		}
	}
	return "", false, nil
}

// evalPieces turns an expression into pieces as seen at a probe where SP
// equals SP at function entry: DW_OP_call_frame_cfa is SP+cfa (entryCFA),
// so the frame base (Go: DW_OP_call_frame_cfa) plus X is SP+cfa+X. regs
// names the registers by DWARF number.
func evalPieces(expr string, wholeSize uint64, haveSize bool, regs []string, cfa int64) ([]oPiece, error) {
	var ps []oPiece
	var cur *oPiece
	sawPiece := false
	for _, op := range strings.Split(expr, ", ") {
		f := strings.Fields(op)
		if len(f) == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(f[0], "DW_OP_reg") && f[0] != "DW_OP_regx" && f[0] != "DW_OP_regval_type":
			n, err := strconv.Atoi(strings.TrimPrefix(f[0], "DW_OP_reg"))
			if err != nil || n < 0 || n >= len(regs) {
				return nil, fmt.Errorf("unsupported register op %q", op)
			}
			cur = &oPiece{Reg: regs[n]}
		case f[0] == "DW_OP_regx" && len(f) >= 2:
			n, err := strconv.ParseUint(f[1], 0, 8)
			if err != nil || int(n) >= len(regs) {
				return nil, fmt.Errorf("unsupported register op %q", op)
			}
			cur = &oPiece{Reg: regs[n]}
		case f[0] == "DW_OP_fbreg" && len(f) >= 2:
			x, err := strconv.ParseInt(strings.TrimPrefix(f[1], "+"), 0, 64)
			if err != nil {
				return nil, fmt.Errorf("bad op %q", op)
			}
			v := cfa + x
			cur = &oPiece{Stack: &v}
		case f[0] == "DW_OP_call_frame_cfa":
			v := cfa
			cur = &oPiece{Stack: &v}
		case f[0] == "DW_OP_piece" && len(f) >= 2:
			n, err := strconv.ParseUint(f[1], 0, 64)
			if err != nil {
				return nil, fmt.Errorf("bad op %q", op)
			}
			sawPiece = true
			if cur == nil {
				cur = &oPiece{None: true}
			}
			cur.Size = n
			ps = append(ps, *cur)
			cur = nil
		default:
			return nil, fmt.Errorf("unsupported op %q", op)
		}
	}
	if cur != nil {
		if sawPiece {
			return nil, fmt.Errorf("location %q ends with a location but no DW_OP_piece", expr)
		}
		if !haveSize {
			return nil, fmt.Errorf("location %q: type size unknown", expr)
		}
		cur.Size = wholeSize
		ps = append(ps, *cur)
	}
	return undouble(ps, wholeSize, haveSize), nil
}

// undouble: Go 1.18 and 1.19 write some interface arguments with each
// piece twice; pieces adding up to twice the type's size, in identical
// pairs, are read once (as the tool reads them).
func undouble(ps []oPiece, wholeSize uint64, haveSize bool) []oPiece {
	if !haveSize || wholeSize == 0 || len(ps) < 2 || len(ps)%2 != 0 {
		return ps
	}
	var total uint64
	for _, p := range ps {
		total += p.Size
	}
	if total != 2*wholeSize {
		return ps
	}
	out := make([]oPiece, 0, len(ps)/2)
	for i := 0; i < len(ps); i += 2 {
		a, b := ps[i], ps[i+1]
		if a.Reg != b.Reg || a.None != b.None || a.Size != b.Size || (a.Stack == nil) != (b.Stack == nil) ||
			(a.Stack != nil && *a.Stack != *b.Stack) {
			return ps
		}
		out = append(out, a)
	}
	return out
}
