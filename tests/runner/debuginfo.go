package main

// Separate debug information. Split-debug copies of the matrix programs
// are made here the way distributions make them, never committed:
//   objcopy --only-keep-debug bin bin.debug
//   objcopy --strip-debug --strip-unneeded bin
//   objcopy --add-gnu-debuglink=bin.debug bin
// and `--inspect --json` of the stripped copy must equal the unstripped
// binary's in every field but "binary" and "debuginfo" (functions with
// their parameter locations, struct sizes, member offsets, itabs, missing
// items, rules, probes), with "debuginfo" naming the way the DWARF was found:
//   debuginfo/<cell>/debuglink           bin.debug next to bin
//   debuginfo/<cell>/debuglink-dotdebug  in bin's .debug/
//   debuginfo/<cell>/debuglink-debugdir  under --debug-dir, by bin's directory
//   debuginfo/<cell>/build-id            --debug-dir/.build-id/xx/yyyy.debug
//   debuginfo/<cell>/option              --debuginfo FILE, under another name
//   debuginfo/<cell>/debuginfod          from a debuginfod server on loopback
//   debuginfo/<cell>/wrong-option        another program's debug file: refused
//   debuginfo/<cell>/bad-crc             a debuglink target with another CRC: passed over
//   debuginfo/<cell>/pt-note             no section headers: build-id through PT_NOTE
//   debuginfo/trace/<cell>/server        (root) tracing a split-debug server
//   debuginfo/deleted/<cell>/server      (root) --inspect -p of one whose file is gone
// Go writes a GNU build-id since 1.24; Debian's Go 1.19 does not. There the
// build-id and debuginfod ways must say they do not apply, and the others
// must still work. Every run names its own --debug-dir, so the machine's
// /usr/lib/debug is never read.

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerDebuginfo) }

// split is a split-debug copy of one program in its own temporary tree.
type split struct {
	dir   string // the tree; removed by done()
	bin   string // dir/bin/<prog>: stripped, with a .gnu_debuglink
	debug string // dir/bin/<prog>.debug: what objcopy --only-keep-debug kept
	ddir  string // dir/debug: the --debug-dir of every run, empty at first
	gnuID string // the GNU build-id in hex, "" if the binary has none
}

func (s *split) done() { os.RemoveAll(s.dir) }

// realDir is bin's directory as the tool sees it (symlinks resolved).
func (s *split) realDir() string {
	d, err := filepath.EvalSymlinks(filepath.Dir(s.bin))
	if err != nil {
		return filepath.Dir(s.bin)
	}
	return d
}

// move puts the debug file at path (directories made as needed).
func (s *split) move(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.Rename(s.debug, path); err != nil {
		return err
	}
	s.debug = path
	return nil
}

func registerDebuginfo() {
	newest := cells[0]
	for _, c := range cells {
		c := c
		for _, w := range debugWays() {
			w := w
			register("unit", "debuginfo/"+c.name+"/"+w.name, false, func() error { return runDebugWay(c, w) })
		}
		register("unit", "debuginfo/"+c.name+"/wrong-option", false, func() error { return wrongOption(c) })
		register("unit", "debuginfo/"+c.name+"/bad-crc", false, func() error { return badCRC(c) })
	}
	register("unit", "debuginfo/"+newest.name+"/pt-note", false, func() error { return ptNote(newest) })
	register("runtime", "debuginfo/trace/"+newest.name+"/server", true, func() error { return traceSplit(newest) })
	register("runtime", "debuginfo/deleted/"+newest.name+"/server", true, func() error { return deletedSplit(newest) })
}

// ---- making the split ----

func makeSplit(c cell, prog string) (*split, error) {
	orig := targetBin(c, prog)
	b, err := os.ReadFile(orig)
	if err != nil {
		return nil, fmt.Errorf("%v (build the targets: make targets)", err)
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-debuginfo-*")
	if err != nil {
		return nil, err
	}
	s := &split{dir: dir, bin: filepath.Join(dir, "bin", prog), ddir: filepath.Join(dir, "debug")}
	s.debug = s.bin + ".debug"
	fail := func(err error) (*split, error) { s.done(); return nil, err }
	for _, d := range []string{filepath.Dir(s.bin), s.ddir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail(err)
		}
	}
	if err := os.WriteFile(s.bin, b, 0o755); err != nil {
		return fail(err)
	}
	for _, args := range [][]string{
		{"--only-keep-debug", s.bin, s.debug},
		{"--strip-debug", "--strip-unneeded", s.bin},
		{"--add-gnu-debuglink=" + s.debug, s.bin},
	} {
		if out, err := exec.Command("objcopy", args...).CombinedOutput(); err != nil {
			return fail(fmt.Errorf("objcopy %s: %v: %s", strings.Join(args, " "), err, out))
		}
	}
	if err := checkSplit(c, orig, s); err != nil {
		return fail(err)
	}
	return s, nil
}

// checkSplit: the copy lost DWARF and symbols and gained a debuglink; the
// debug file kept Go's compressed .debug_info byte for byte, flags and all,
// and the symbol table.
func checkSplit(c cell, orig string, s *split) error {
	of, err := elf.Open(orig)
	if err != nil {
		return err
	}
	defer of.Close()
	sf, err := elf.Open(s.bin)
	if err != nil {
		return err
	}
	defer sf.Close()
	df, err := elf.Open(s.debug)
	if err != nil {
		return err
	}
	defer df.Close()
	for _, name := range []string{".debug_info", ".zdebug_info", ".symtab"} {
		if sf.Section(name) != nil {
			return fmt.Errorf("%s: %s survived the strip", s.bin, name)
		}
	}
	if sf.Section(".gnu_debuglink") == nil {
		return fmt.Errorf("%s: objcopy added no .gnu_debuglink", s.bin)
	}
	if df.Section(".symtab") == nil {
		return fmt.Errorf("%s: the debug file has no .symtab", s.debug)
	}
	o, d := of.Section(".debug_info"), df.Section(".debug_info")
	if o == nil || d == nil || d.Type == elf.SHT_NOBITS {
		return fmt.Errorf("%s: no .debug_info in the original or the debug file", s.debug)
	}
	if o.Flags != d.Flags || o.FileSize != d.FileSize {
		return fmt.Errorf("%s: .debug_info flags %v size %d; original %v %d", s.debug, d.Flags, d.FileSize, o.Flags, o.FileSize)
	}
	if o.Flags&elf.SHF_COMPRESSED == 0 {
		return fmt.Errorf("%s: .debug_info is not compressed: the test no longer covers Go's compressed DWARF", orig)
	}
	// The bytes as stored (debug/elf would inflate them).
	ob, err := fileBytes(orig, o.Offset, o.FileSize)
	if err != nil {
		return err
	}
	od, err := fileBytes(s.debug, d.Offset, d.FileSize)
	if err != nil {
		return err
	}
	if !bytes.Equal(ob, od) {
		return fmt.Errorf("%s: the compressed .debug_info differs from the original's", s.debug)
	}
	s.gnuID = gnuBuildID(sf)
	// Go's linker writes NT_GNU_BUILD_ID since 1.24; Debian's Go 1.19
	// does not, so build-id lookup cannot apply to that cell.
	if want := goMinor(c.goVersion) >= 24; (s.gnuID != "") != want {
		return fmt.Errorf("%s (%s): GNU build-id %q; want one: %v", s.bin, c.goVersion, s.gnuID, want)
	}
	return nil
}

func fileBytes(path string, off, n uint64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	_, err = f.ReadAt(b, int64(off))
	return b, err
}

func gnuBuildID(f *elf.File) string {
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return ""
	}
	b, err := s.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	bo := f.ByteOrder
	namesz, descsz := bo.Uint32(b[0:]), bo.Uint32(b[4:])
	off := 12 + (namesz+3)&^3
	if bo.Uint32(b[8:]) != 3 || uint32(len(b)) < off+descsz {
		return ""
	}
	return fmt.Sprintf("%x", b[off:off+descsz])
}

func goMinor(v string) int {
	parts := strings.Split(strings.TrimPrefix(v, "go"), ".")
	if len(parts) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(parts[1])
	return n
}

// ---- comparing with the unstripped binary ----

var unstrippedJSON = map[string][]byte{}

func unstripped(c cell, prog string) ([]byte, error) {
	bin := targetBin(c, prog)
	if raw, ok := unstrippedJSON[bin]; ok {
		return raw, nil
	}
	js, raw, err := runInspectJSON(toolPath, bin)
	if err != nil {
		return nil, err
	}
	// The comparison below means something only with real content.
	enabled := 0
	for _, p := range js.Probes {
		if p.Enabled {
			enabled++
		}
	}
	if js.Dwarf == nil || !*js.Dwarf || len(js.Structs) == 0 || enabled == 0 {
		return nil, fmt.Errorf("%s: unstripped, yet no DWARF, struct or enabled probe", bin)
	}
	unstrippedJSON[bin] = raw
	return raw, nil
}

var debugOrigin = regexp.MustCompile(`"DWARF \((debuglink|build-id|--debuginfo|debuginfod) [^"]*\)"`)

// sameAsUnstripped compares every top-level field but binary and debuginfo.
func sameAsUnstripped(want, got []byte) error {
	var w, g map[string]json.RawMessage
	if err := json.Unmarshal(want, &w); err != nil {
		return err
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return err
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			return fmt.Errorf("field %q is not in the unstripped binary's JSON", k)
		}
	}
	if !debugOrigin.Match(g["values"]) {
		return fmt.Errorf("values %s do not name the debug file as their origin", g["values"])
	}
	for k, wv := range w {
		if k == "binary" || k == "debuginfo" {
			continue
		}
		gv, ok := g[k]
		// Values found in a debug file say which ("DWARF (debuglink
		// FILE)"); the unstripped binary's say "DWARF".
		if ok {
			gv = debugOrigin.ReplaceAll(gv, []byte(`"DWARF"`))
		}
		if !ok || !bytes.Equal(wv, gv) {
			return fmt.Errorf("field %q differs from the unstripped binary's: %s", k, firstDiff(wv, gv))
		}
	}
	return nil
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := i - 60
	if from < 0 {
		from = 0
	}
	cut := func(x []byte) string {
		to := i + 60
		if to > len(x) {
			to = len(x)
		}
		if from > len(x) {
			return ""
		}
		return string(x[from:to])
	}
	return fmt.Sprintf("at byte %d: unstripped ...%s... split-debug ...%s...", i, cut(a), cut(b))
}

// inspectSplit runs --inspect --json args... and checks the DWARF came
// from source and file, the symbol table from the debug file, and the rest
// equals the unstripped binary's JSON.
func inspectSplit(c cell, prog string, env, args []string, source, file string) (*inspectOut, []byte, error) {
	want, err := unstripped(c, prog)
	if err != nil {
		return nil, nil, err
	}
	js, raw, err := runInspectJSONEnv(toolPath, env, args...)
	if err != nil {
		return nil, nil, err
	}
	if err := checkAllKeys(raw); err != nil {
		return nil, nil, err
	}
	d := js.Debuginfo
	if d == nil || d.Source != source || d.File != file {
		return nil, nil, fmt.Errorf("debuginfo %+v; want source %q file %q", d, source, file)
	}
	if d.SymtabFrom == nil || !*d.SymtabFrom {
		return nil, nil, fmt.Errorf("the symbol table is not taken from the debug file: %+v", *d)
	}
	return js, raw, sameAsUnstripped(want, raw)
}

// ---- the ways ----

type debugWay struct {
	name   string
	needID bool // needs a GNU build-id; else it must say it does not apply
	// place moves the debug file and returns extra arguments and
	// environment, what source and file --inspect must report, and an
	// undo for anything it started.
	place func(s *split) (args, env []string, source, file string, stop func(), err error)
}

func debugWays() []debugWay {
	none := func() {}
	return []debugWay{
		{"debuglink", false, func(s *split) ([]string, []string, string, string, func(), error) {
			return nil, nil, "debuglink", filepath.Join(s.realDir(), filepath.Base(s.debug)), none, nil
		}},
		{"debuglink-dotdebug", false, func(s *split) ([]string, []string, string, string, func(), error) {
			err := s.move(filepath.Join(filepath.Dir(s.bin), ".debug", filepath.Base(s.debug)))
			return nil, nil, "debuglink", filepath.Join(s.realDir(), ".debug", filepath.Base(s.debug)), none, err
		}},
		{"debuglink-debugdir", false, func(s *split) ([]string, []string, string, string, func(), error) {
			path := s.ddir + filepath.Join(s.realDir(), filepath.Base(s.debug))
			return nil, nil, "debuglink", path, none, s.move(path)
		}},
		{"build-id", true, func(s *split) ([]string, []string, string, string, func(), error) {
			path := filepath.Join(s.ddir, ".build-id", s.gnuID[:2], s.gnuID[2:]+".debug")
			return nil, nil, "build-id", path, none, s.move(path)
		}},
		{"option", false, func(s *split) ([]string, []string, string, string, func(), error) {
			path := filepath.Join(s.dir, "elsewhere", "some-name.dbg")
			return []string{"--debuginfo", path}, nil, "--debuginfo", path, none, s.move(path)
		}},
		{"debuginfod", true, placeDebuginfod},
	}
}

func runDebugWay(c cell, w debugWay) error {
	s, err := makeSplit(c, "grpcserver")
	if err != nil {
		return err
	}
	defer s.done()
	if w.needID && s.gnuID == "" {
		return doesNotApply(w.name, s)
	}
	args, env, source, file, stop, err := w.place(s)
	if stop != nil {
		defer stop()
	}
	if err != nil {
		return err
	}
	args = append(append([]string{"--debug-dir", s.ddir}, args...), s.bin)
	js, _, err := inspectSplit(c, "grpcserver", env, args, source, file)
	if err != nil {
		return err
	}
	if w.name == "debuginfod" && !strings.HasPrefix(js.Debuginfo.URL, debuginfodURL(env)+"/buildid/"+s.gnuID+"/") {
		return fmt.Errorf("debuginfod url %q; want one under %s", js.Debuginfo.URL, debuginfodURL(env))
	}
	// The ASan build: no sanitizer report, the same answer (debuginfod's
	// file now comes from the client cache, without a url).
	r, err := runToolEnv(asanPath, env, append([]string{"--inspect", "--json"}, args...))
	if err != nil {
		return err
	}
	if err := r.common("gogrpctrace-asan " + w.name); err != nil {
		return err
	}
	var asan inspectOut
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &asan) != nil || asan.Debuginfo == nil ||
		asan.Debuginfo.Source != source || asan.Debuginfo.File != file {
		return fmt.Errorf("the ASan build disagrees: %s", r.describe())
	}
	want, _ := unstripped(c, "grpcserver")
	if err := sameAsUnstripped(want, []byte(r.stdout)); err != nil {
		return fmt.Errorf("the ASan build: %v", err)
	}
	return nil
}

// doesNotApply: without a GNU build-id neither the build-id tree nor
// debuginfod (set up here) is asked, and --inspect says so. The debug file
// is moved where no other way finds it.
func doesNotApply(way string, s *split) error {
	if err := s.move(filepath.Join(s.dir, "unreachable", filepath.Base(s.debug))); err != nil {
		return err
	}
	port, err := freePort() // nothing listens there
	if err != nil {
		return err
	}
	env := []string{fmt.Sprintf("DEBUGINFOD_URLS=http://127.0.0.1:%d", port),
		"DEBUGINFOD_CACHE_PATH=" + filepath.Join(s.dir, "client-cache")}
	js, _, err := runInspectJSONEnv(toolPath, env, "--debug-dir", s.ddir, s.bin)
	if err != nil {
		return err
	}
	if js.Debuginfo == nil || js.Debuginfo.Source != "none" {
		return fmt.Errorf("no GNU build-id, yet debuginfo %+v", js.Debuginfo)
	}
	for _, t := range js.Debuginfo.Tried {
		if t.Source == way && t.Why == "the executable has no GNU build-id" {
			return nil
		}
	}
	return fmt.Errorf("%s is not reported as not applying: %+v", way, js.Debuginfo.Tried)
}

func debuginfodURL(env []string) string {
	for _, e := range env {
		if strings.HasPrefix(e, "DEBUGINFOD_URLS=") {
			return strings.TrimPrefix(e, "DEBUGINFOD_URLS=")
		}
	}
	return ""
}

// placeDebuginfod serves the debug file from a debuginfod of its own (its
// own database, a free loopback port) and points the tool at it with an
// empty client cache. The file leaves bin's directory, so no other way
// finds it.
func placeDebuginfod(s *split) ([]string, []string, string, string, func(), error) {
	cache := filepath.Join(s.dir, "client-cache")
	if _, err := exec.LookPath("debuginfod"); err != nil {
		return nil, nil, "", "", nil, fmt.Errorf("debuginfod: %v (bash tests/setup.sh installs it)", err)
	}
	served := filepath.Join(s.dir, "served")
	if err := s.move(filepath.Join(served, filepath.Base(s.debug))); err != nil {
		return nil, nil, "", "", nil, err
	}
	var srv *proc
	var url string
	// The free port may be taken between our probe and the server's bind:
	// then the server exits at once, and another port is tried.
	for try := 0; try < 3 && srv == nil; try++ {
		port, err := freePort()
		if err != nil {
			return nil, nil, "", "", nil, err
		}
		url = fmt.Sprintf("http://127.0.0.1:%d", port)
		p, err := start("debuginfod", "-F", "-p", strconv.Itoa(port), "-d", filepath.Join(s.dir, "debuginfod.sqlite"), served)
		if err != nil {
			return nil, nil, "", "", nil, err
		}
		if err := waitServed(p, url+"/buildid/"+s.gnuID+"/debuginfo", 60*time.Second); err != nil {
			p.stop(syscall.SIGKILL, 5*time.Second)
			if try == 2 {
				return nil, nil, "", "", nil, err
			}
			continue
		}
		srv = p
	}
	stop := func() { srv.stop(syscall.SIGTERM, 10*time.Second) }
	env := []string{"DEBUGINFOD_URLS=" + url, "DEBUGINFOD_CACHE_PATH=" + cache}
	// libdebuginfod keeps the file as <cache>/<build-id>/debuginfo.
	return nil, env, "debuginfod", filepath.Join(cache, s.gnuID, "debuginfo"), stop, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitServed polls until the server has scanned the file and serves it.
func waitServed(p *proc, url string, timeout time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("debuginfod exited: %v: %s", p.err, p.errText())
		default:
		}
		if resp, err := client.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("debuginfod did not serve %s within %v: %s", url, timeout, p.errText())
}

// ---- refusals ----

// wrongOption: --debuginfo with the client's debug file for the server,
// and with a file that does not exist, each one clean line on stderr.
func wrongOption(c cell) error {
	srv, err := makeSplit(c, "grpcserver")
	if err != nil {
		return err
	}
	defer srv.done()
	cli, err := makeSplit(c, "grpcclient")
	if err != nil {
		return err
	}
	defer cli.done()
	idDiffers := `its GNU build-id [0-9a-f]+ differs from the executable's [0-9a-f]+`
	if srv.gnuID == "" {
		idDiffers = `its Go build ID differs from the executable's`
	}
	for _, tc := range []struct {
		file string
		want string
	}{
		{cli.debug, `^gogrpctrace: --debuginfo ` + regexp.QuoteMeta(cli.debug) + `: ` + idDiffers + ` \(the debug file of another build\?\)$`},
		{filepath.Join(srv.dir, "nothing.debug"), `^gogrpctrace: --debuginfo .*/nothing.debug: no such file$`},
		{cli.bin, `^gogrpctrace: --debuginfo ` + regexp.QuoteMeta(cli.bin) + `: no .debug_info in it$`},
	} {
		for _, tool := range []string{toolPath, asanPath} {
			args := []string{"--inspect", "--json", "--debug-dir", srv.ddir, "--debuginfo", tc.file, srv.bin}
			r, err := runTool(tool, args)
			if err != nil {
				return err
			}
			if err := r.common(filepath.Base(tool) + " --debuginfo " + tc.file); err != nil {
				return err
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if r.exit == 0 || r.stdout != "" || len(lines) != 1 || !regexp.MustCompile(tc.want).MatchString(lines[0]) {
				return fmt.Errorf("--debuginfo %s: want exit != 0, no stdout, one line matching %q; got %s", tc.file, tc.want, r.describe())
			}
		}
	}
	return nil
}

// badCRC: a debug file of the same build-id but other bytes next to the
// binary is passed over for its CRC, named by --inspect (JSON and text);
// a good copy in .debug/ is then found after it.
func badCRC(c cell) error {
	s, err := makeSplit(c, "grpcserver")
	if err != nil {
		return err
	}
	defer s.done()
	good := filepath.Join(filepath.Dir(s.bin), "kept.debug")
	b, err := os.ReadFile(s.debug)
	if err != nil {
		return err
	}
	if err := os.WriteFile(good, b, 0o644); err != nil {
		return err
	}
	// One byte more: still a valid ELF file with the right build-id.
	if err := os.WriteFile(s.debug, append(b, 0), 0o644); err != nil {
		return err
	}
	args := []string{"--debug-dir", s.ddir, s.bin}
	next := filepath.Join(s.realDir(), filepath.Base(s.debug))
	js, _, err := runInspectJSONEnv(toolPath, nil, args...)
	if err != nil {
		return err
	}
	if err := crcPassedOver(js, next); err != nil {
		return err
	}
	if js.Debuginfo.Source != "none" || (js.Dwarf != nil && *js.Dwarf) {
		return fmt.Errorf("a debug file with the wrong CRC was used: %+v", *js.Debuginfo)
	}
	text, err := exec.Command(toolPath, append([]string{"--inspect"}, args...)...).Output()
	if err != nil {
		return fmt.Errorf("--inspect: %v", err)
	}
	if !regexp.MustCompile(`(?m)^(passed over| {11}) debuglink ` + regexp.QuoteMeta(next) + `: its CRC32 [0-9a-f]{8} is not the [0-9a-f]{8} .gnu_debuglink names`).Match(text) {
		return fmt.Errorf("the text --inspect does not give the CRC reason:\n%s", firstLines(string(text), 12))
	}
	// Now a good copy in .debug/: found after the bad one is passed over.
	dotDebug := filepath.Join(filepath.Dir(s.bin), ".debug")
	if err := os.MkdirAll(dotDebug, 0o755); err != nil {
		return err
	}
	if err := os.Rename(good, filepath.Join(dotDebug, filepath.Base(s.debug))); err != nil {
		return err
	}
	js, _, err = inspectSplit(c, "grpcserver", nil, args, "debuglink", filepath.Join(s.realDir(), ".debug", filepath.Base(s.debug)))
	if err != nil {
		return err
	}
	return crcPassedOver(js, next)
}

func crcPassedOver(js *inspectOut, file string) error {
	if js.Debuginfo == nil {
		return fmt.Errorf("no debuginfo in the JSON")
	}
	for _, t := range js.Debuginfo.Tried {
		if t.Source == "debuglink" && t.File == file && strings.Contains(t.Why, "CRC32") {
			return nil
		}
	}
	return fmt.Errorf("%s is not passed over for its CRC: %+v", file, js.Debuginfo.Tried)
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// ---- no section headers ----

// ptNote: a stripped binary whose section headers are gone still names its
// build-id through PT_NOTE. Go's linker points its one PT_NOTE at
// .note.go.buildid alone (each note it adds replaces the segment's range
// instead of growing it), so the copy here gets a PT_NOTE over both notes,
// which lie next to each other, as a linker that keeps both would write.
func ptNote(c cell) error {
	s, err := makeSplit(c, "grpcserver")
	if err != nil {
		return err
	}
	defer s.done()
	if s.gnuID == "" {
		return fmt.Errorf("%s has no GNU build-id", s.bin)
	}
	if err := patchFile(s.bin, func(b []byte) error { return notesInOnePTNote(s.bin, b) }); err != nil {
		return err
	}
	if err := patchFile(s.bin, dropSectionHeaders); err != nil {
		return err
	}
	path := filepath.Join(s.ddir, ".build-id", s.gnuID[:2], s.gnuID[2:]+".debug")
	if err := s.move(path); err != nil {
		return err
	}
	_, _, err = inspectSplit(c, "grpcserver", nil, []string{"--debug-dir", s.ddir, s.bin}, "build-id", path)
	return err
}

func notesInOnePTNote(path string, b []byte) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	gon, gnu := f.Section(".note.go.buildid"), f.Section(".note.gnu.build-id")
	if gon == nil || gnu == nil || gon.Offset+gon.Size != gnu.Offset {
		return fmt.Errorf("%s: the Go and GNU notes are not adjacent", path)
	}
	le := binary.LittleEndian
	phoff, phentsize := le.Uint64(b[0x20:]), uint64(le.Uint16(b[0x36:]))
	for i := 0; i < int(le.Uint16(b[0x38:])); i++ {
		ph := b[phoff+uint64(i)*phentsize:]
		if elf.ProgType(le.Uint32(ph)) != elf.PT_NOTE {
			continue
		}
		if le.Uint64(ph[8:]) != gon.Offset {
			return fmt.Errorf("%s: PT_NOTE at 0x%x, not at .note.go.buildid", path, le.Uint64(ph[8:]))
		}
		le.PutUint64(ph[32:], gon.Size+gnu.Size) // p_filesz
		le.PutUint64(ph[40:], gon.Size+gnu.Size) // p_memsz
		return nil
	}
	return fmt.Errorf("%s: no PT_NOTE", path)
}

// ---- runtime ----

// traceSplit traces a running split-debug server (DWARF through its
// debuglink): the calls must match what the client did, as for the
// unstripped build, and -v must say where the DWARF came from.
func traceSplit(c cell) error {
	s, err := makeSplit(c, "grpcserver")
	if err != nil {
		return err
	}
	defer s.done()
	o := traceOpts{cell: c, side: "server", scenario: "all", serverBin: s.bin, args: []string{"--debug-dir", s.ddir, "-v"}}
	r, err := traceRun(o)
	if err != nil {
		return err
	}
	want := "DWARF debuglink " + filepath.Join(s.realDir(), filepath.Base(s.debug)) + ", symbol table from the debug file"
	if !strings.Contains(r.toolErr, want) {
		return fmt.Errorf("-v does not say %q:\n%s", want, firstLines(r.toolErr, 12))
	}
	return expectExact(o, r, nil)
}

// deletedSplit: --inspect -p of a split-debug server whose executable was
// deleted after it started: /proc/PID/exe then reads "... (deleted)", and
// the debuglink is still looked for in the directory it ran from.
func deletedSplit(c cell) error {
	s, err := makeSplit(c, "grpcserver")
	if err != nil {
		return err
	}
	defer s.done()
	srv, _, err := startServerBin(s.bin, false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGKILL, time.Second)
	if err := os.Remove(s.bin); err != nil {
		return err
	}
	link, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", srv.pid()))
	if !strings.HasSuffix(link, " (deleted)") {
		return fmt.Errorf("/proc/%d/exe reads %q, not a deleted file", srv.pid(), link)
	}
	_, _, err = inspectSplit(c, "grpcserver", nil, []string{"--debug-dir", s.ddir, "-p", strconv.Itoa(srv.pid())},
		"debuglink", filepath.Join(s.realDir(), filepath.Base(s.debug)))
	return err
}
