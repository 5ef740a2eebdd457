package main

// Unit tests: the protobuf descriptors a binary carries, as
// `gogrpctrace --inspect --json BINARY` lists them under "protos".
//
//   protos/unit     build/check-protodb and its ASan build on protoc's
//                   descriptors of tests/unit/protos and hostile variants
//                   (tests/unit/protodb.c)
//   protos/measure  how every plain descriptor in the matrix binaries ends
//                   (check-protodb --measure): none ambiguously, protobuf-c
//                   packing each to its length, and all three ways of
//                   storing them (rodata string, data bytes, gzip) seen
//   protos/<cell>   every program of the cell: the files, packages,
//                   services, methods (types, streaming), messages and
//                   enums listed must be exactly what the program itself
//                   registered: started with GOGRPCTRACE_DUMP_PROTOS=1 it
//                   prints them and exits (tests/targets/internal/protodump).
//                   A program built without that dump is held to the health
//                   service grpc-go links into every server and client.
//                   The stripped copies (strip, -s -w, and strip with the
//                   section headers removed too) must list the same.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const protoDumpEnv = "GOGRPCTRACE_DUMP_PROTOS"

func init() { extraRegistrations = append(extraRegistrations, registerProtos) }

func registerProtos() {
	register("unit", "protos/unit", false, func() error {
		set := filepath.Join(repoRoot, "build", "protodb-test.pb")
		if err := runCheck("check-protodb", set); err != nil {
			return err
		}
		return runCheck("check-protodb-asan", set)
	})
	register("unit", "protos/measure", false, protosMeasure)
	for _, c := range append(append([]cell{}, cells...), sweepCells...) {
		c := c
		register("unit", "protos/"+c.name, false, func() error { return protosCell(c) })
	}
}

// ---- what the tool lists ----

type protoMethod struct {
	Name            string `json:"name"`
	Path            string `json:"path,omitempty"`
	Input           string `json:"input"`
	Output          string `json:"output"`
	InputFound      *bool  `json:"input_found,omitempty"`
	OutputFound     *bool  `json:"output_found,omitempty"`
	ClientStreaming bool   `json:"client_streaming"`
	ServerStreaming bool   `json:"server_streaming"`
}

type protoService struct {
	Name     string        `json:"name"`
	FullName string        `json:"full_name,omitempty"`
	Methods  []protoMethod `json:"methods"`
}

type protoFile struct {
	File          string         `json:"file"`
	Package       string         `json:"package"`
	Syntax        string         `json:"syntax,omitempty"`
	Storage       string         `json:"storage,omitempty"`
	Address       string         `json:"address,omitempty"`
	Size          int            `json:"size,omitempty"`
	Services      []protoService `json:"services"`
	Messages      []string       `json:"messages"`
	Enums         []string       `json:"enums"`
	DroppedFields int            `json:"dropped_fields,omitempty"`
	DroppedWhy    *string        `json:"dropped_why,omitempty"`
}

type protoRefusal struct {
	File    *string `json:"file"`
	Storage string  `json:"storage"`
	Address string  `json:"address"`
	Why     string  `json:"why"`
}

type protosOut struct {
	Files     []protoFile    `json:"files"`
	Refused   []protoRefusal `json:"refused"`
	Identical int            `json:"identical_duplicates"`
	Differing int            `json:"differing_duplicates"`
	Error     string         `json:"error"`
}

// toolProtos runs --inspect --json on bin and returns its "protos".
func toolProtos(bin string) (*protosOut, error) {
	r, err := runTool(toolPath, []string{"--inspect", "--json", bin})
	if err != nil {
		return nil, err
	}
	what := "gogrpctrace --inspect --json " + bin
	if err := r.common(what); err != nil {
		return nil, err
	}
	if r.exit != 0 {
		return nil, fmt.Errorf("%s: %s", what, r.describe())
	}
	var top struct {
		Protos *protosOut `json:"protos"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &top); err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	p := top.Protos
	if p == nil {
		return nil, fmt.Errorf("%s: no \"protos\" key", what)
	}
	if p.Error != "" {
		return nil, fmt.Errorf("%s: protos not read: %s", what, p.Error)
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].File < p.Files[j].File })
	return p, nil
}

// healthy is what a program must show of what it found, oracle or not:
// nothing refused, no field dropped, every method's types found.
func (p *protosOut) healthy() error {
	var bad []string
	for _, r := range p.Refused {
		name := "(no name)"
		if r.File != nil {
			name = *r.File
		}
		bad = append(bad, fmt.Sprintf("refused %s (%s at %s): %s", name, r.Storage, r.Address, r.Why))
	}
	for _, f := range p.Files {
		if f.DroppedFields != 0 {
			bad = append(bad, fmt.Sprintf("%s: %d fields dropped: %s", f.File, f.DroppedFields, *f.DroppedWhy))
		}
		for _, s := range f.Services {
			for _, m := range s.Methods {
				if m.InputFound == nil || m.OutputFound == nil || !*m.InputFound || !*m.OutputFound {
					bad = append(bad, fmt.Sprintf("%s: %s: a type not found", f.File, m.Path))
				}
				want := "/" + s.FullName + "/" + m.Name
				if m.Path != want {
					bad = append(bad, fmt.Sprintf("%s: path %q, want %q", f.File, m.Path, want))
				}
			}
		}
	}
	if p.Differing != 0 {
		bad = append(bad, fmt.Sprintf("%d differing duplicates", p.Differing))
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// oracleForm is f as the program's dump writes it: no storage, no
// addresses, services by their short names.
func (f protoFile) oracleForm() protoFile {
	o := protoFile{File: f.File, Package: f.Package, Services: []protoService{},
		Messages: f.Messages, Enums: f.Enums}
	for _, s := range f.Services {
		svc := protoService{Name: s.Name, Methods: []protoMethod{}}
		for _, m := range s.Methods {
			svc.Methods = append(svc.Methods, protoMethod{Name: m.Name, Input: m.Input, Output: m.Output,
				ClientStreaming: m.ClientStreaming, ServerStreaming: m.ServerStreaming})
		}
		o.Services = append(o.Services, svc)
	}
	return o
}

func jsonLine(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ---- what the program registered ----

// dumpProtos runs bin with GOGRPCTRACE_DUMP_PROTOS=1; ok is false when bin
// was built without the dump.
func dumpProtos(bin string) (files []protoFile, ok bool, err error) {
	raw, err := os.ReadFile(bin)
	if err != nil {
		return nil, false, err
	}
	if !bytes.Contains(raw, []byte(protoDumpEnv)) {
		return nil, false, nil
	}
	r, err := runToolEnv(bin, []string{protoDumpEnv + "=1"}, nil)
	if err != nil {
		return nil, true, err
	}
	what := protoDumpEnv + "=1 " + bin
	if err := r.common(what); err != nil {
		return nil, true, err
	}
	if r.exit != 0 {
		return nil, true, fmt.Errorf("%s: %s", what, r.describe())
	}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var f protoFile
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, true, fmt.Errorf("%s: %q: %v", what, sc.Text(), err)
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].File < files[j].File })
	return files, true, sc.Err()
}

// compareToOracle: the same files, each the same line.
func compareToOracle(bin string, got *protosOut, want []protoFile) error {
	g := map[string]string{}
	w := map[string]string{}
	for _, f := range got.Files {
		g[f.File] = jsonLine(f.oracleForm())
	}
	for _, f := range want {
		w[f.File] = jsonLine(f)
	}
	var diffs []string
	for name, line := range w {
		if gl, ok := g[name]; !ok {
			diffs = append(diffs, "missing "+name)
		} else if gl != line {
			diffs = append(diffs, name+": "+protoDiff(gl, line))
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			diffs = append(diffs, "not registered by the program, but listed: "+name)
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return fmt.Errorf("%s: --inspect's protos differ from the program's own dump:\n  %s", bin,
			strings.Join(diffs, "\n  "))
	}
	return nil
}

// protoDiff says where two JSON lines part: the first differing value of
// the first key that differs, so a long list is not printed whole.
func protoDiff(tool, program string) string {
	var a, b map[string]any
	if json.Unmarshal([]byte(tool), &a) != nil || json.Unmarshal([]byte(program), &b) != nil {
		return fmt.Sprintf("tool %s, program %s", tool, program)
	}
	for _, k := range []string{"package", "services", "messages", "enums"} {
		x, y := jsonLine(a[k]), jsonLine(b[k])
		if x == y {
			continue
		}
		xs, xok := a[k].([]any)
		ys, yok := b[k].([]any)
		if xok && yok {
			for i := 0; i < len(xs) || i < len(ys); i++ {
				var xi, yi any = "(none)", "(none)"
				if i < len(xs) {
					xi = xs[i]
				}
				if i < len(ys) {
					yi = ys[i]
				}
				if jsonLine(xi) != jsonLine(yi) {
					return fmt.Sprintf("%s[%d]: tool %s, program %s", k, i, jsonLine(xi), jsonLine(yi))
				}
			}
		}
		return fmt.Sprintf("%s: tool %s, program %s", k, x, y)
	}
	return fmt.Sprintf("tool %s, program %s", tool, program)
}

// Without the dump: grpc-go's health service, as grpc-go generates it.
func checkHealth(bin string, got *protosOut) error {
	for _, f := range got.Files {
		if f.File != "grpc/health/v1/health.proto" {
			continue
		}
		if f.Package != "grpc.health.v1" || len(f.Services) != 1 || f.Services[0].Name != "Health" {
			return fmt.Errorf("%s: health.proto: %s", bin, jsonLine(f))
		}
		methods := map[string]protoMethod{}
		for _, m := range f.Services[0].Methods {
			methods[m.Name] = m
		}
		for name, server := range map[string]bool{"Check": false, "Watch": true} {
			m, ok := methods[name]
			if !ok || m.Input != "grpc.health.v1.HealthCheckRequest" ||
				m.Output != "grpc.health.v1.HealthCheckResponse" || m.ClientStreaming ||
				m.ServerStreaming != server {
				return fmt.Errorf("%s: health.proto's %s: %s", bin, name, jsonLine(m))
			}
		}
		return nil
	}
	return fmt.Errorf("%s: grpc/health/v1/health.proto not found", bin)
}

// ---- the cell ----

func cellPrograms(c cell) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(targetsDir, c.name))
	if err != nil {
		return nil, err
	}
	var progs []string
	for _, e := range ents {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
			progs = append(progs, e.Name())
		}
	}
	if len(progs) == 0 {
		return nil, fmt.Errorf("no programs under %s (bash tests/targets/build.sh)", filepath.Join(targetsDir, c.name))
	}
	return progs, nil
}

// noSectionHeaders is a copy of bin in dir without its section header table.
func noSectionHeaders(bin, dir string) (string, error) {
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	if err := dropSectionHeaders(b); err != nil {
		return "", err
	}
	out := filepath.Join(dir, filepath.Base(bin)+"-noshdr")
	return out, os.WriteFile(out, b, 0o755)
}

// sameProtos: a stripped copy lists what the unstripped binary lists;
// withAddr also compares where each file is (a copy of the same build).
func sameProtos(what string, orig, got *protosOut, withAddr bool) error {
	norm := func(p *protosOut) string {
		q := *p
		q.Files = append([]protoFile(nil), p.Files...)
		if !withAddr {
			for i := range q.Files {
				q.Files[i].Address = ""
			}
			for i := range q.Refused {
				q.Refused[i].Address = ""
			}
		}
		return jsonLine(q)
	}
	if a, b := norm(orig), norm(got); a != b {
		return fmt.Errorf("%s lists other protos than the unstripped build:\n  unstripped: %s\n  %s: %s",
			what, a, filepath.Base(what), b)
	}
	return nil
}

func protosCell(c cell) error {
	progs, err := cellPrograms(c)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-protos-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var failures []string
	oracles := 0
	for _, prog := range progs {
		bin := targetBin(c, prog)
		got, err := toolProtos(bin)
		if err != nil {
			failures = append(failures, err.Error())
			continue
		}
		if err := got.healthy(); err != nil {
			failures = append(failures, bin+": "+err.Error())
		}
		want, hasDump, err := dumpProtos(bin)
		switch {
		case err != nil:
			failures = append(failures, err.Error())
			continue
		case hasDump:
			oracles++
			if err := compareToOracle(bin, got, want); err != nil {
				failures = append(failures, err.Error())
			}
		case prog == "grpcserver" || prog == "grpcclient":
			if err := checkHealth(bin, got); err != nil {
				failures = append(failures, err.Error())
			}
		default:
			continue // no oracle: held to healthy() only, no stripped copies
		}
		// The stripped copies of the same program.
		type variant struct {
			name     string
			withAddr bool
			make     func() (string, error)
		}
		variants := []variant{
			{"strip", true, func() (string, error) { return variantBin(c, prog, "strip") }},
			{"sw", false, func() (string, error) { return variantBin(c, prog, "sw") }},
			{"noshdr", true, func() (string, error) {
				s, err := variantBin(c, prog, "strip")
				if err != nil {
					return "", err
				}
				return noSectionHeaders(s, dir)
			}},
		}
		for _, v := range variants {
			vb, err := v.make()
			if err == nil {
				_, err = os.Stat(vb)
			}
			if err != nil {
				if v.name == "sw" && os.IsNotExist(err) && prog != "grpcserver" && prog != "grpcclient" {
					continue // tests/targets/build.sh makes -s -w builds of some programs only
				}
				failures = append(failures, fmt.Sprintf("%s (%s): %v", bin, v.name, err))
				continue
			}
			vp, err := toolProtos(vb)
			if err == nil {
				err = sameProtos(vb, got, vp, v.withAddr)
			}
			if err != nil {
				failures = append(failures, err.Error())
			}
		}
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d problem(s) (%d programs with their own dump):\n%s", len(failures), oracles,
			strings.Join(failures, "\n"))
	}
	return nil
}

// ---- how the descriptors end ----

var measureLine = regexp.MustCompile(`^(\S+): (\d+) descriptors \((\d+) rodata, (\d+) data, (\d+) gzip\)`)

func protosMeasure() error {
	var bins []string
	for _, c := range append(append([]cell{}, cells...), sweepCells...) {
		progs, err := cellPrograms(c)
		if err != nil {
			return err
		}
		for _, p := range progs {
			bins = append(bins, targetBin(c, p))
		}
	}
	path := filepath.Join(repoRoot, "build", "check-protodb")
	out, err := exec.Command(path, append([]string{"--measure"}, bins...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("check-protodb --measure: %v:\n%s", err, out)
	}
	var kinds [3]int
	lines := 0
	for _, l := range strings.Split(string(out), "\n") {
		m := measureLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		lines++
		for k := 0; k < 3; k++ {
			n, _ := strconv.Atoi(m[3+k])
			kinds[k] += n
		}
	}
	if lines != len(bins) {
		return fmt.Errorf("check-protodb --measure: %d binaries, %d lines:\n%s", len(bins), lines, out)
	}
	for k, name := range []string{"rodata string", "data bytes", "gzip"} {
		if kinds[k] == 0 {
			return fmt.Errorf("no descriptor stored as %s in the matrix binaries:\n%s", name, out)
		}
	}
	return nil
}
