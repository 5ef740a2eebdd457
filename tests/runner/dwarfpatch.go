package main

// Unit tests: hand-made bad DWARF. A copy of a matrix binary has its DWARF
// decompressed (objcopy), then one attribute of one DIE rewritten in place:
//   member-offset-beyond-struct  hpack.HeaderField's Value at offset 127 of
//                                a 40-byte struct
//   cyclic-typedef               a typedef whose type is itself, given to a
//                                member of hpack.HeaderField
//   member-type-self             a struct member whose type is its own struct
// Both builds of the tool must read such a binary without a crash, hang or
// sanitizer report, and refuse exactly the values the damage touches: the
// probes that need them are off with a reason, the others still resolve.

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerDwarfPatch) }

const hpackField = "golang.org/x/net/http2/hpack.HeaderField"

func registerDwarfPatch() {
	c := cells[0]
	register("unit", "dwarf-damage/member-offset-beyond-struct", false, func() error {
		return dwarfDamage(c, func(d *dwarfFile) error {
			m, err := d.member(hpackField, "Value")
			if err != nil {
				return err
			}
			return d.setUdata(m, dwarf.AttrDataMemberLoc, 127)
		}, "member", hpackField+":Value", "outside the struct", "srv_hdr_in")
	})
	register("unit", "dwarf-damage/cyclic-typedef", false, func() error {
		// A typedef made its own type, and HeaderField's Name made one.
		return dwarfDamage(c, func(d *dwarfFile) error {
			t, err := d.first(dwarf.TagTypedef)
			if err != nil {
				return err
			}
			if err := d.setRef(t, dwarf.AttrType, t.Offset); err != nil {
				return err
			}
			m, err := d.member(hpackField, "Name")
			if err != nil {
				return err
			}
			return d.setRef(m, dwarf.AttrType, t.Offset)
		}, "member", hpackField+":Name", "no readable type", "srv_hdr_in")
	})
	register("unit", "dwarf-damage/member-type-self", false, func() error {
		// FrameHeader's StreamID (one level down from HeadersFrame) made
		// to be a FrameHeader itself: a struct containing itself.
		return dwarfDamage(c, func(d *dwarfFile) error {
			fh, err := d.named("golang.org/x/net/http2.FrameHeader", dwarf.TagStructType)
			if err != nil {
				return err
			}
			m, err := d.member("golang.org/x/net/http2.FrameHeader", "StreamID")
			if err != nil {
				return err
			}
			return d.setRef(m, dwarf.AttrType, fh.Offset)
		}, "member", "golang.org/x/net/http2.HeadersFrame:FrameHeader.StreamID", "contains itself", "srv_hdr_in")
	})
}

// dwarfDamage patches a decompressed copy of cell c's grpcserver, then
// checks the tool's answer: the item (kind, name) is missing with a reason
// containing why, the probe that needs it is off naming it, and some
// other probe is still on.
func dwarfDamage(c cell, patch func(*dwarfFile) error, kind, item, why, probe string) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-dwarfdamage-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "grpcserver")
	if b, err := exec.Command("objcopy", "--decompress-debug-sections", targetBin(c, "grpcserver"), bin).CombinedOutput(); err != nil {
		return fmt.Errorf("objcopy: %v: %s", err, b)
	}
	d, err := openDwarfFile(bin)
	if err != nil {
		return err
	}
	if err := patch(d); err != nil {
		return err
	}
	if err := os.WriteFile(bin, d.raw, 0o755); err != nil {
		return err
	}
	tools, err := toolsUnderTest()
	if err != nil {
		return err
	}
	for _, tool := range tools {
		what := filepath.Base(tool) + " --inspect --json (damaged DWARF)"
		r, err := runTool(tool, []string{"--inspect", "--json", bin})
		if err != nil {
			return err
		}
		if err := r.common(what); err != nil {
			return err
		}
		if r.exit != 0 || r.stderr != "" {
			return fmt.Errorf("%s: %s", what, r.describe())
		}
		var js inspectOut
		if err := json.Unmarshal([]byte(r.stdout), &js); err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
		found := false
		for _, m := range js.Missing {
			if m.Kind == kind && m.Item == item {
				found = true
				if !strings.Contains(m.Why, why) {
					return fmt.Errorf("%s: %s %s missing with why %q, want %q in it", what, kind, item, m.Why, why)
				}
			}
		}
		if !found {
			return fmt.Errorf("%s: %s %s is not reported missing", what, kind, item)
		}
		on := 0
		for _, p := range js.Probes {
			if p.Enabled {
				on++
			}
			if p.ID == probe && (p.Enabled || !strings.Contains(p.Why, why)) {
				return fmt.Errorf("%s: probe %s enabled %v, why %q; want off naming %q", what, probe, p.Enabled, p.Why, why)
			}
		}
		if on == 0 {
			return fmt.Errorf("%s: every probe is off; only those needing the damaged value should be", what)
		}
	}
	return nil
}

// dwarfFile is an ELF file's bytes with its uncompressed DWARF, enough to
// rewrite one attribute of one DIE in place.
type dwarfFile struct {
	raw      []byte
	info     []byte // .debug_info, a slice of raw
	abbrev   []byte
	dw       *dwarf.Data
	bigEnd   bool
	infoAddr int // file offset of .debug_info
}

func openDwarfFile(path string) (*dwarfFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := elf.NewFile(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	d := &dwarfFile{raw: raw}
	for _, name := range []string{".debug_info", ".debug_abbrev"} {
		s := f.Section(name)
		if s == nil || s.Flags&elf.SHF_COMPRESSED != 0 || s.Type == elf.SHT_NOBITS {
			return nil, fmt.Errorf("%s: no uncompressed %s", path, name)
		}
		b := raw[s.Offset : s.Offset+s.Size]
		if name == ".debug_info" {
			d.info, d.infoAddr = b, int(s.Offset)
		} else {
			d.abbrev = b
		}
	}
	if d.dw, err = f.DWARF(); err != nil {
		return nil, err
	}
	return d, nil
}

// named finds the top-level DIE of that name and tag.
func (d *dwarfFile) named(name string, tag dwarf.Tag) (*dwarf.Entry, error) {
	r := d.dw.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return nil, fmt.Errorf("no %v named %s", tag, name)
		}
		if e.Tag == tag && e.Val(dwarf.AttrName) == name {
			return e, nil
		}
		if e.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
		}
	}
}

// first finds the first DIE with that tag.
func (d *dwarfFile) first(tag dwarf.Tag) (*dwarf.Entry, error) {
	r := d.dw.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return nil, fmt.Errorf("no %v", tag)
		}
		if e.Tag == tag {
			return e, nil
		}
	}
}

// member finds member name of struct st.
func (d *dwarfFile) member(st, name string) (*dwarf.Entry, error) {
	s, err := d.named(st, dwarf.TagStructType)
	if err != nil {
		return nil, err
	}
	r := d.dw.Reader()
	r.Seek(s.Offset)
	if _, err := r.Next(); err != nil {
		return nil, err
	}
	for {
		e, err := r.Next()
		if err != nil || e == nil || e.Tag == 0 {
			return nil, fmt.Errorf("%s has no member %s", st, name)
		}
		if e.Tag == dwarf.TagMember && e.Val(dwarf.AttrName) == name {
			return e, nil
		}
	}
}

// attrAt returns where, in raw, attribute a of the DIE at off is, and
// its form.
func (d *dwarfFile) attrAt(off dwarf.Offset, a dwarf.Attr) (int, uint64, error) {
	abbrevOff, v5, err := d.unitOf(off)
	if err != nil {
		return 0, 0, err
	}
	p := int(off)
	code, n := uleb(d.info[p:])
	p += n
	attrs, err := d.abbrevAttrs(abbrevOff, code)
	if err != nil {
		return 0, 0, err
	}
	for _, at := range attrs {
		if at[0] == uint64(a) {
			return d.infoAddr + p, at[1], nil
		}
		size, err := formSize(d.info[p:], at[1], v5)
		if err != nil {
			return 0, 0, err
		}
		p += size
	}
	return 0, 0, fmt.Errorf("DIE 0x%x has no attribute %v", off, a)
}

// unitOf: the abbreviation table offset of the unit holding off, and
// whether it is DWARF 5.
func (d *dwarfFile) unitOf(off dwarf.Offset) (uint64, bool, error) {
	le := binary.LittleEndian
	for p := 0; p+11 <= len(d.info); {
		length := int(le.Uint32(d.info[p:]))
		version := le.Uint16(d.info[p+4:])
		end := p + 4 + length
		if int(off) > p && int(off) < end {
			if version >= 5 {
				return uint64(le.Uint32(d.info[p+8:])), true, nil
			}
			return uint64(le.Uint32(d.info[p+6:])), false, nil
		}
		p = end
	}
	return 0, false, fmt.Errorf("no unit holds DIE 0x%x", off)
}

// abbrevAttrs lists (attribute, form) of abbreviation code in the table
// at off.
func (d *dwarfFile) abbrevAttrs(off, code uint64) ([][2]uint64, error) {
	b := d.abbrev[off:]
	for len(b) > 0 {
		c, n := uleb(b)
		b = b[n:]
		if c == 0 {
			break
		}
		_, n = uleb(b) // tag
		b = b[n+1:]    // and the children byte
		var attrs [][2]uint64
		for {
			a, n1 := uleb(b)
			f, n2 := uleb(b[n1:])
			b = b[n1+n2:]
			if f == 0x21 { // DW_FORM_implicit_const: its value is here
				_, n3 := uleb(b)
				b = b[n3:]
			}
			if a == 0 && f == 0 {
				break
			}
			attrs = append(attrs, [2]uint64{a, f})
		}
		if c == code {
			return attrs, nil
		}
	}
	return nil, fmt.Errorf("no abbreviation %d", code)
}

// formSize is the size of a value of form f at b.
func formSize(b []byte, f uint64, v5 bool) (int, error) {
	switch f {
	case 0x01, 0x07: // addr, data8
		return 8, nil
	case 0x0b, 0x0c, 0x11: // data1, flag, ref1
		return 1, nil
	case 0x05, 0x12: // data2, ref2
		return 2, nil
	case 0x06, 0x0e, 0x10, 0x13, 0x17, 0x1f: // data4, strp, ref_addr, ref4, sec_offset, line_strp
		return 4, nil
	case 0x19, 0x21: // flag_present, implicit_const
		return 0, nil
	case 0x0f, 0x0d, 0x15: // udata, sdata, ref_udata
		_, n := uleb(b)
		return n, nil
	case 0x08: // string
		return bytes.IndexByte(b, 0) + 1, nil
	case 0x18, 0x09: // exprloc, block
		l, n := uleb(b)
		return n + int(l), nil
	case 0x0a: // block1
		return 1 + int(b[0]), nil
	}
	return 0, fmt.Errorf("DWARF form 0x%x not handled", f)
}

func uleb(b []byte) (uint64, int) {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, len(b)
}

// setUdata rewrites a udata or data1 attribute in place, keeping its
// length: v must fit in the bytes the old value took.
func (d *dwarfFile) setUdata(e *dwarf.Entry, a dwarf.Attr, v uint64) error {
	at, form, err := d.attrAt(e.Offset, a)
	if err != nil {
		return err
	}
	switch form {
	case 0x0b:
		d.raw[at] = byte(v)
	case 0x0f:
		_, n := uleb(d.raw[at:])
		for i := 0; i < n; i++ {
			c := byte(v>>(7*i)) & 0x7f
			if i < n-1 {
				c |= 0x80
			}
			d.raw[at+i] = c
		}
	default:
		return fmt.Errorf("attribute %v has form 0x%x, not a constant this test rewrites", a, form)
	}
	return nil
}

// setRef points a reference attribute (ref4 or ref_addr) at DIE target.
func (d *dwarfFile) setRef(e *dwarf.Entry, a dwarf.Attr, target dwarf.Offset) error {
	at, form, err := d.attrAt(e.Offset, a)
	if err != nil {
		return err
	}
	switch form {
	case 0x10: // ref_addr: from the start of .debug_info
		binary.LittleEndian.PutUint32(d.raw[at:], uint32(target))
	case 0x13: // ref4: from the start of the unit
		return fmt.Errorf("ref4 not handled (Go writes ref_addr)")
	default:
		return fmt.Errorf("attribute %v has form 0x%x, not a reference", a, form)
	}
	return nil
}
