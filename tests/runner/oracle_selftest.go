package main

// A check of the oracle itself: the real --inspect --json of one binary
// must pass, and each deliberately corrupted copy of it must fail. An
// oracle that accepts everything would otherwise look like a green suite.

import (
	"encoding/json"
	"fmt"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerOracleSelftest) }

// The first cell, and where its itab oracle is the runtime's itab table
// (Go 1.27 and later: no go:itab symbols), also the first cell whose is nm.
func registerOracleSelftest() {
	if len(cells) == 0 {
		return
	}
	sel := []cell{cells[0]}
	if goMinor(cells[0].goVersion) >= 27 {
		for _, c := range cells {
			if goMinor(c.goVersion) < 27 {
				sel = append(sel, c)
				break
			}
		}
	}
	for _, c := range sel {
		c := c
		register("unit", "inspect-oracle-selftest/"+c.name+"/grpcserver", false, func() error {
			return oracleSelftest(c, targetBin(c, "grpcserver"))
		})
	}
}

func addHex(s string, d int64) string {
	a, _ := parseHex(s)
	return fmt.Sprintf("0x%x", uint64(int64(a)+d))
}

func oracleSelftest(c cell, bin string) error {
	js, _, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return err
	}
	o := gatherOracle(bin, true)
	for _, e := range []error{o.errNm, o.errEl, o.errDw, o.errBi, o.errID, o.errIt} {
		if e != nil {
			return fmt.Errorf("oracle: %v", e)
		}
	}
	if err := (&verifier{bin: bin, cell: c, js: js, o: o}).run(); err != nil {
		return fmt.Errorf("the unmodified JSON fails: %v", err)
	}
	for _, bad := range []string{
		`{"binary":"a","binary":"b"}`,
		`{"structs":{"T":{"size":8,"members":{"w":0,"w":8}}}}`,
		`{"new_field":1}`,
		`{"functions":[{"name":"f","inlined":true}]}`,
		`{"functions":[{"name":"f","params":[{"name":"p","pieces":[{"reg":"rax","size":8,"x":1}]}]}]}`,
		`{"debuginfo":{"source":"none","tried":[{"source":"debuglink","crc":1}]}}`,
	} {
		if checkAllKeys([]byte(bad)) == nil {
			return fmt.Errorf("the JSON shape check accepts %s", bad)
		}
	}
	if err := checkAllKeys([]byte(`{"binary":"a","structs":{"T":{"size":8,"members":{"w":0}}}}`)); err != nil {
		return fmt.Errorf("the JSON shape check rejects a good object: %v", err)
	}

	clone := func() *inspectOut {
		b, _ := json.Marshal(js)
		var c inspectOut
		_ = json.Unmarshal(b, &c)
		return &c
	}
	firstReg := func(j *inspectOut) *jPiece {
		for i := range j.Functions {
			for k := range j.Functions[i].Params {
				for m := range j.Functions[i].Params[k].Pieces {
					if p := &j.Functions[i].Params[k].Pieces[m]; p.Reg != nil {
						return p
					}
				}
			}
		}
		return nil
	}
	firstStruct := func(j *inspectOut) string { return sortedKeys(j.Structs)[0] }
	firstItab := func(j *inspectOut) string { return sortedKeys(j.Itabs)[0] }
	// An itab of the oracle that the JSON does not list, and its address.
	otherItab := func(j *inspectOut) (string, uint64) {
		for _, k := range sortedKeys(o.itabs.want) {
			if _, listed := j.Itabs[k]; !listed {
				return k, o.itabs.want[k]
			}
		}
		panic("the JSON lists every itab of the oracle")
	}
	mutations := []struct {
		name string
		mut  func(j *inspectOut)
	}{
		{"entry+1", func(j *inspectOut) { j.Functions[0].Entry = addHex(j.Functions[0].Entry, 1) }},
		{"end+1", func(j *inspectOut) { j.Functions[1].End = addHex(j.Functions[1].End, 1) }},
		{"probe=entry", func(j *inspectOut) { j.Functions[0].Probe = j.Functions[0].Entry }},
		{"probe_kind=entry", func(j *inspectOut) { j.Functions[0].ProbeKind = "entry" }},
		{"probe+2", func(j *inspectOut) { j.Functions[2].Probe = addHex(j.Functions[2].Probe, 2) }},
		{"file_offset+0x1000", func(j *inspectOut) { j.Functions[0].FileOffset = addHex(j.Functions[0].FileOffset, 0x1000) }},
		{"entry_file_offset-1", func(j *inspectOut) {
			j.Functions[0].EntryFileOffset = addHex(j.Functions[0].EntryFileOffset, -1)
		}},
		{"drop a return", func(j *inspectOut) { j.Functions[0].Returns = j.Functions[0].Returns[1:] }},
		{"extra return", func(j *inspectOut) {
			j.Functions[0].Returns = append(j.Functions[0].Returns, j.Functions[0].Probe)
		}},
		{"register changed", func(j *inspectOut) {
			p := firstReg(j)
			r := "r11"
			if *p.Reg == r {
				r = "r12"
			}
			p.Reg = &r
		}},
		{"piece size changed", func(j *inspectOut) { n := *firstReg(j).Size + 1; firstReg(j).Size = &n }},
		{"register to stack", func(j *inspectOut) {
			p := firstReg(j)
			s := int64(8)
			p.Reg, p.Stack = nil, &s
		}},
		{"param dropped", func(j *inspectOut) { j.Functions[0].Params = j.Functions[0].Params[1:] }},
		{"param type", func(j *inspectOut) { j.Functions[0].Params[0].Type = "*int" }},
		{"param renamed", func(j *inspectOut) { j.Functions[0].Params[0].Name = "zz" }},
		{"struct size", func(j *inspectOut) {
			s := j.Structs[firstStruct(j)]
			n := *s.Size + 8
			s.Size = &n
			j.Structs[firstStruct(j)] = s
		}},
		{"member offset", func(j *inspectOut) {
			s := j.Structs[firstStruct(j)]
			m := sortedKeys(s.Members)[0]
			s.Members[m]++
		}},
		{"member unknown", func(j *inspectOut) { j.Structs[firstStruct(j)].Members["noSuchMember"] = 0 }},
		{"itab address", func(j *inspectOut) { k := firstItab(j); j.Itabs[k] = addHex(j.Itabs[k], 8) }},
		{"itab unknown", func(j *inspectOut) { j.Itabs["*main.nothing,io.Reader"] = "0x1000" }},
		{"itab source", func(j *inspectOut) {
			k := firstItab(j)
			j.ItabSrc[k] = map[string]string{"symtab": "itablinks", "itablinks": "symtab"}[j.ItabSrc[k]]
		}},
		{"itab at another itab's address", func(j *inspectOut) {
			_, a := otherItab(j)
			j.Itabs[firstItab(j)] = fmt.Sprintf("0x%x", a)
		}},
		{"itab renamed to another", func(j *inspectOut) {
			k, o := firstItab(j), ""
			o, _ = otherItab(j)
			j.Itabs[o], j.ItabSrc[o] = j.Itabs[k], j.ItabSrc[k]
			delete(j.Itabs, k)
			delete(j.ItabSrc, k)
		}},
		{"missing itab that exists", func(j *inspectOut) {
			k, _ := otherItab(j)
			j.Missing = append(j.Missing, jMissing{Kind: "itab", Item: k, Why: "no such itab symbol; not in the runtime's itab list"})
		}},
		{"go_version", func(j *inspectOut) { j.GoVersion = "go1.2.3" }},
		{"build_id", func(j *inspectOut) { j.BuildID = strings.ToUpper(j.BuildID) }},
		{"gnu_build_id", func(j *inspectOut) { j.GNUBuildID += "00" }},
		{"debuginfo source", func(j *inspectOut) {
			d := *j.Debuginfo
			d.Source = "debuglink"
			j.Debuginfo = &d
		}},
		{"abi", func(j *inspectOut) { j.ABI = "stack" }},
		{"arch", func(j *inspectOut) { j.Arch = "arm64" }},
		{"module version", func(j *inspectOut) { j.Modules[sortedKeys(j.Modules)[0]] = "v0.0.1" }},
		{"module extra", func(j *inspectOut) { j.Modules["local/nothing"] = "v1.0.0" }},
		{"no functions", func(j *inspectOut) { j.Functions = nil }},
		{"enabled probe, function gone", func(j *inspectOut) {
			for i := range j.Probes {
				if j.Probes[i].Enabled {
					j.Probes[i].Function = "main.nothing"
					return
				}
			}
		}},
		{"probe address", func(j *inspectOut) {
			for i := range j.Probes {
				if j.Probes[i].Enabled {
					j.Probes[i].Probe = addHex(j.Probes[i].Probe, 1)
					return
				}
			}
		}},
		{"missing function that exists", func(j *inspectOut) {
			j.Missing = append(j.Missing, jMissing{Kind: "function", Item: "main.main", Why: "no such symbol"})
		}},
		{"missing member that exists", func(j *inspectOut) {
			s := firstStruct(j)
			j.Missing = append(j.Missing, jMissing{Kind: "member", Item: s + ":" + sortedKeys(j.Structs[s].Members)[0] + "x", Why: "not in DWARF"})
		}},
	}
	for _, m := range mutations {
		j := clone()
		m.mut(j)
		if err := (&verifier{bin: bin, cell: c, js: j, o: o}).run(); err == nil {
			return fmt.Errorf("mutation %q was not detected by the oracle", m.name)
		}
	}
	return nil
}
