package main

// Unit tests: bad input to `gogrpctrace --inspect [--json]`. Each case runs
// both build/gogrpctrace and build/gogrpctrace-asan (AddressSanitizer +
// UBSan) and requires a clean refusal: non-zero exit, nothing on stdout,
// exactly one stderr line "gogrpctrace: ..." naming the problem, no
// sanitizer report, done within 10 s. A DWARF-stripped gRPC binary is not
// an error: --inspect must succeed and report every probe disabled because
// of the missing DWARF.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerBadInput) }

const badInputTimeout = 10 * time.Second

// A badCase prepares its input in a fresh temporary directory and returns
// the arguments that follow --inspect [--json], plus a cleanup.
type badCase struct {
	name    string
	prepare func(dir string) (args []string, cleanup func(), err error)
	want    *regexp.Regexp // the stderr line must match (after "gogrpctrace: ")
	// lenient: success (exit 0, no stderr) is acceptable as well as a
	// clean refusal; for inputs whose right answer is debatable.
	lenient bool
}

func badInputDir() string { return filepath.Join(repoRoot, "tests", "badinput") }

// matrixBinary is a grpcserver of the matrix to derive damaged copies from.
func matrixBinary() (string, error) {
	for _, c := range cells {
		p := targetBin(c, "grpcserver")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no grpcserver under %s (bash tests/targets/build.sh)", targetsDir)
}

func fileArg(path string) func(string) ([]string, func(), error) {
	return func(string) ([]string, func(), error) { return []string{path}, nil, nil }
}

// truncatedCopy writes the first n bytes (n<0: size+n) of a matrix binary.
func truncatedCopy(n int64) func(string) ([]string, func(), error) {
	return func(dir string) ([]string, func(), error) {
		src, err := matrixBinary()
		if err != nil {
			return nil, nil, err
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, nil, err
		}
		if n < 0 {
			n = int64(len(b)) + n
		}
		if n > int64(len(b)) {
			return nil, nil, fmt.Errorf("%s is smaller than %d bytes", src, n)
		}
		out := filepath.Join(dir, fmt.Sprintf("grpcserver-first-%d", n))
		return []string{out}, nil, os.WriteFile(out, b[:n], 0o755)
	}
}

// patchedCopy copies a matrix binary and lets patch damage it.
func patchedCopy(name string, patch func(b []byte)) func(string) ([]string, func(), error) {
	return func(dir string) ([]string, func(), error) {
		src, err := matrixBinary()
		if err != nil {
			return nil, nil, err
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, nil, err
		}
		patch(b)
		out := filepath.Join(dir, name)
		return []string{out}, nil, os.WriteFile(out, b, 0o755)
	}
}

// ELF64 header fields (little endian).
const (
	eiClass     = 4
	eIdentData  = 5
	ePhoff      = 0x20
	eShoff      = 0x28
	ePhentsize  = 0x36
	ePhnum      = 0x38
	eShentsize  = 0x3a
	eShnum      = 0x3c
	eShstrndx   = 0x3e
	shdrSize    = 64
	shAddrOff   = 0x10
	shOffsetOff = 0x18
	shSizeOff   = 0x20
)

// sectionHeader returns the file offset of the header of a named section.
func sectionHeader(b []byte, name string) (int, bool) {
	le := binary.LittleEndian
	shoff := int(le.Uint64(b[eShoff:]))
	shnum := int(le.Uint16(b[eShnum:]))
	strndx := int(le.Uint16(b[eShstrndx:]))
	if shoff+shnum*shdrSize > len(b) || strndx >= shnum {
		return 0, false
	}
	strtab := int(le.Uint64(b[shoff+strndx*shdrSize+shOffsetOff:]))
	for i := 0; i < shnum; i++ {
		h := shoff + i*shdrSize
		n := strtab + int(le.Uint32(b[h:]))
		if n < len(b) {
			end := bytes.IndexByte(b[n:], 0)
			if end >= 0 && string(b[n:n+end]) == name {
				return h, true
			}
		}
	}
	return 0, false
}

func startSleep() ([]string, func(), error) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	pid := cmd.Process.Pid
	return []string{"-p", strconv.Itoa(pid)}, func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }, nil
}

func buildHello(dir string) ([]string, func(), error) {
	out := filepath.Join(dir, "hello")
	cmd := exec.Command(goTool, "build", "-o", out, ".")
	cmd.Dir = filepath.Join(badInputDir(), "hello")
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=", "GO111MODULE=on", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("building tests/badinput/hello: %v: %s", err, b)
	}
	return []string{out}, nil, nil
}

func badCases() []badCase {
	le := binary.LittleEndian
	return []badCase{
		{name: "missing-file", prepare: func(dir string) ([]string, func(), error) {
			return []string{filepath.Join(dir, "no-such-file")}, nil, nil
		}, want: regexp.MustCompile(`(?i)no-such-file.*(no such file|cannot open|does not exist)`)},
		{name: "directory", prepare: func(dir string) ([]string, func(), error) { return []string{dir}, nil, nil },
			want: regexp.MustCompile(`(?i)(director|not a regular file)`)},
		{name: "not-elf-text", prepare: func(string) ([]string, func(), error) {
			return []string{filepath.Join(badInputDir(), "not-elf.txt")}, nil, nil
		}, want: regexp.MustCompile(`not-elf\.txt.*(?i)not an ELF`)},
		{name: "empty-file", prepare: func(string) ([]string, func(), error) {
			return []string{filepath.Join(badInputDir(), "empty")}, nil, nil
		}, want: regexp.MustCompile(`(?i)empty.*(not an ELF|empty|too small|truncated)`)},
		{name: "c-binary", prepare: fileArg("/bin/true"),
			want: regexp.MustCompile(`(?i)/bin/true.*not a Go (program|binary)`)},
		{name: "go-without-grpc", prepare: buildHello,
			want: regexp.MustCompile(`(?i)(grpc|gRPC).*(not|no)|no .*grpc|not .*grpc`)},
		{name: "truncated-100KB", prepare: truncatedCopy(100 * 1000),
			want: regexp.MustCompile(`(?i)(truncat|cannot read|corrupt|invalid|short|damaged|not an ELF)`)},
		{name: "truncated-3MB", prepare: truncatedCopy(3 * 1000 * 1000),
			want: regexp.MustCompile(`(?i)(truncat|cannot read|corrupt|invalid|short|damaged)`)},
		{name: "truncated-section-headers", prepare: truncatedCopy(-100),
			want: regexp.MustCompile(`(?i)(truncat|cannot read|corrupt|invalid|short|damaged)`)},
		{name: "elf-bad-class", prepare: patchedCopy("bad-class", func(b []byte) { b[eiClass] = 7 }),
			want: regexp.MustCompile(`(?i)(ELF|corrupt|invalid|cannot read|unsupported)`)},
		{name: "elf-big-endian", prepare: patchedCopy("big-endian", func(b []byte) { b[eIdentData] = 2 }),
			want: regexp.MustCompile(`(?i)(ELF|corrupt|invalid|cannot read|unsupported|endian|not a Go)`)},
		{name: "elf-shoff-past-eof", prepare: patchedCopy("shoff", func(b []byte) { le.PutUint64(b[eShoff:], 0x7fffffff00) }),
			want: regexp.MustCompile(`(?i)(ELF|corrupt|invalid|cannot read|truncat|section)`)},
		{name: "elf-shnum-huge", prepare: patchedCopy("shnum", func(b []byte) {
			le.PutUint16(b[eShnum:], 0xfeff)
			le.PutUint16(b[eShstrndx:], 0xfefe)
		}), want: regexp.MustCompile(`(?i)(ELF|corrupt|invalid|cannot read|truncat|section)`)},
		{name: "elf-shentsize-bad", prepare: patchedCopy("shentsize", func(b []byte) { le.PutUint16(b[eShentsize:], 1) }),
			want: regexp.MustCompile(`(?i)(ELF|corrupt|invalid|cannot read|section)`), lenient: true},
		{name: "elf-phoff-past-eof", prepare: patchedCopy("phoff", func(b []byte) {
			le.PutUint64(b[ePhoff:], 0x7fffffff00)
			le.PutUint16(b[ePhnum:], 0xfff0)
		}), want: regexp.MustCompile(`(?i)(ELF|corrupt|invalid|cannot read|program header|segment|truncat)`)},
		{name: "debug-info-past-eof", prepare: patchedCopy("debuginfo", func(b []byte) {
			if h, ok := sectionHeader(b, ".debug_info"); ok {
				le.PutUint64(b[h+shOffsetOff:], uint64(len(b))-16)
				le.PutUint64(b[h+shSizeOff:], 1<<40)
			}
		}), want: regexp.MustCompile(`(?i)(DWARF|debug|corrupt|invalid|cannot read|truncat|section)`), lenient: true},
		{name: "symtab-past-eof", prepare: patchedCopy("symtab", func(b []byte) {
			if h, ok := sectionHeader(b, ".symtab"); ok {
				le.PutUint64(b[h+shSizeOff:], 1<<40)
			}
		}), want: regexp.MustCompile(`(?i)(symbol|corrupt|invalid|cannot read|truncat|section)`), lenient: true},
		{name: "gopclntab-garbage", prepare: patchedCopy("pclntab", func(b []byte) {
			if h, ok := sectionHeader(b, ".gopclntab"); ok {
				off := int(le.Uint64(b[h+shOffsetOff:]))
				for i := off; i < off+4096 && i < len(b); i++ {
					b[i] = byte(i*7 + 3)
				}
			}
		}), want: regexp.MustCompile(`(?i)(pclntab|corrupt|invalid|cannot read|unsupported|build info|not a Go)`), lenient: true},
		{name: "buildinfo-garbage", prepare: patchedCopy("buildinfo", func(b []byte) {
			if h, ok := sectionHeader(b, ".go.buildinfo"); ok {
				off := int(le.Uint64(b[h+shOffsetOff:]))
				// keep the magic, damage the pointers/lengths after it
				for i := off + 14; i < off+64 && i < len(b); i++ {
					b[i] = 0xff
				}
			}
		}), want: regexp.MustCompile(`(?i)(build info|corrupt|invalid|cannot read|not a Go|version)`), lenient: true},
		{name: "pid-does-not-exist", prepare: func(string) ([]string, func(), error) {
			return []string{"-p", "999999"}, nil, nil
		}, want: regexp.MustCompile(`(?i)999999.*(no (such )?process|does not exist|not found)|(no (such )?process|does not exist).*999999`)},
		{name: "pid-not-go", prepare: func(string) ([]string, func(), error) { return startSleep() },
			want: regexp.MustCompile(`(?i)not a Go (program|binary)`)},
	}
}

func registerBadInput() {
	for _, bc := range badCases() {
		bc := bc
		register("unit", "badinput/"+bc.name, false, func() error { return runBadCase(bc) })
	}
	register("unit", "badinput/dwarf-stripped", false, func() error { return runStripped("--strip-debug", true) })
	register("unit", "badinput/all-stripped", false, func() error { return runStripped("--strip-all", false) })
}

type toolRun struct {
	exit     int
	signaled string
	stdout   string
	stderr   string
	elapsed  time.Duration
	timedOut bool
}

func runTool(tool string, args []string) (*toolRun, error) {
	return runToolEnv(tool, nil, args)
}

// runToolInput runs tool with stdin as its standard input.
func runToolInput(tool string, args []string, stdin string) (*toolRun, error) {
	return runToolEnvInput(tool, nil, args, stdin)
}

// runToolEnv is runTool with extra environment variables.
func runToolEnv(tool string, extraEnv, args []string) (*toolRun, error) {
	return runToolEnvInput(tool, extraEnv, args, "")
}

func runToolEnvInput(tool string, extraEnv, args []string, stdin string) (*toolRun, error) {
	ctx, cancel := context.WithTimeout(context.Background(), badInputTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stdin = strings.NewReader(stdin)
	env := os.Environ()
	if os.Getenv("UBSAN_OPTIONS") == "" {
		env = append(env, "UBSAN_OPTIONS=print_stacktrace=1")
	}
	cmd.Env = append(env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := &toolRun{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		r.timedOut = true
		return r, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.signaled = ws.Signal().String()
		}
		r.exit = ee.ExitCode()
	} else if err != nil {
		return nil, err
	}
	return r, nil
}

var sanitizerReport = regexp.MustCompile(`AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|SUMMARY: |ERROR: [A-Za-z]+Sanitizer`)

// describe is a short account of a run for failure messages.
func (r *toolRun) describe() string {
	se := r.stderr
	if len(se) > 3000 {
		se = se[:3000] + "..."
	}
	so := r.stdout
	if len(so) > 200 {
		so = so[:200] + "..."
	}
	return fmt.Sprintf("exit %d signal %q after %.1fs; stdout %q; stderr:\n%s", r.exit, r.signaled, r.elapsed.Seconds(), so, se)
}

// common checks every run must pass, whatever the input.
func (r *toolRun) common(what string) error {
	if r.timedOut {
		return fmt.Errorf("%s: did not finish within %v", what, badInputTimeout)
	}
	if r.signaled != "" {
		return fmt.Errorf("%s: CRASH (%s): %s", what, r.signaled, r.describe())
	}
	if sanitizerReport.MatchString(r.stderr) {
		return fmt.Errorf("%s: SANITIZER REPORT: %s", what, r.describe())
	}
	return nil
}

func toolsUnderTest() ([]string, error) {
	tools := []string{toolPath, asanPath}
	for _, t := range tools {
		if _, err := os.Stat(t); err != nil {
			return nil, fmt.Errorf("%v (run make and make asan)", err)
		}
	}
	return tools, nil
}

func runBadCase(bc badCase) error {
	tools, err := toolsUnderTest()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-badinput-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	args, cleanup, err := bc.prepare(dir)
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		return fmt.Errorf("preparing the input: %v", err)
	}
	type run struct {
		what string
		json bool
		r    *toolRun
	}
	var runs []run
	for _, tool := range tools {
		for _, mode := range [][]string{{"--inspect"}, {"--inspect", "--json"}} {
			full := append(append([]string(nil), mode...), args...)
			what := filepath.Base(tool) + " " + strings.Join(full, " ")
			r, err := runTool(tool, full)
			if err != nil {
				return fmt.Errorf("%s: %v", what, err)
			}
			runs = append(runs, run{what, len(mode) == 2, r})
		}
	}
	// Crashes, sanitizer reports and hangs first: they matter most.
	for _, x := range runs {
		if err := x.r.common(x.what); err != nil {
			return err
		}
	}
	for _, x := range runs {
		what, r := x.what, x.r
		if bc.lenient && r.exit == 0 {
			if r.stderr != "" {
				return fmt.Errorf("%s: exit 0 but stderr is not empty: %s", what, r.describe())
			}
			if x.json {
				var js inspectOut
				if err := json.Unmarshal([]byte(r.stdout), &js); err != nil {
					return fmt.Errorf("%s: exit 0 but stdout is not JSON: %v", what, err)
				}
			}
			continue
		}
		if r.exit == 0 {
			return fmt.Errorf("%s: exit status 0, want non-zero: %s", what, r.describe())
		}
		if r.stdout != "" {
			return fmt.Errorf("%s: printed on stdout: %s", what, r.describe())
		}
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if len(lines) != 1 || !strings.HasSuffix(r.stderr, "\n") {
			return fmt.Errorf("%s: want exactly one stderr line, got %d: %s", what, len(lines), r.describe())
		}
		msg, ok := strings.CutPrefix(lines[0], "gogrpctrace: ")
		if !ok {
			return fmt.Errorf("%s: stderr line does not start with \"gogrpctrace: \": %q", what, lines[0])
		}
		if !bc.want.MatchString(msg) {
			return fmt.Errorf("%s: stderr %q does not name the problem (want /%s/)", what, lines[0], bc.want)
		}
	}
	return nil
}

// runStripped: a gRPC binary of the matrix without DWARF (and without the
// symbol table too when symtab is false). With --strip-debug the tool must
// succeed, say dwarf:false and take every layout from the offsets table;
// what it reports from the binary itself is checked by the oracle. With
// --strip-all either that or a clean one-line refusal is right.
func runStripped(flag string, mustSucceed bool) error {
	tools, err := toolsUnderTest()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gogrpctrace-stripped-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, c := range cells {
		src := targetBin(c, "grpcserver")
		if _, err := os.Stat(src); err != nil {
			return err
		}
		bin := filepath.Join(dir, c.name+"-grpcserver")
		if out, err := exec.Command("objcopy", flag, src, bin).CombinedOutput(); err != nil {
			return fmt.Errorf("objcopy %s %s: %v: %s", flag, src, err, out)
		}
		var jsonOut string
		for _, tool := range tools {
			for _, mode := range [][]string{{"--inspect"}, {"--inspect", "--json"}} {
				full := append(append([]string(nil), mode...), bin)
				what := filepath.Base(tool) + " " + strings.Join(full, " ")
				r, err := runTool(tool, full)
				if err != nil {
					return fmt.Errorf("%s: %v", what, err)
				}
				if err := r.common(what); err != nil {
					return err
				}
				if r.exit != 0 {
					if mustSucceed {
						return fmt.Errorf("%s: want success on a DWARF-stripped binary: %s", what, r.describe())
					}
					lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
					if r.stdout != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], "gogrpctrace: ") {
						return fmt.Errorf("%s: not a clean refusal: %s", what, r.describe())
					}
					continue
				}
				if r.stderr != "" {
					return fmt.Errorf("%s: exit 0 but stderr: %s", what, r.describe())
				}
				if len(mode) == 1 {
					if !strings.Contains(strings.ToLower(r.stdout), "dwarf") && !strings.Contains(r.stdout, "debug info  none") {
						return fmt.Errorf("%s: the text output does not say that DWARF is missing", what)
					}
					continue
				}
				if tool == toolPath {
					jsonOut = r.stdout
				} else if jsonOut != "" && r.stdout != jsonOut {
					return fmt.Errorf("%s: the ASan build prints other JSON than the normal build (stale build/gogrpctrace-asan? run make asan)", what)
				}
				var js inspectOut
				if err := json.Unmarshal([]byte(r.stdout), &js); err != nil {
					return fmt.Errorf("%s: %v", what, err)
				}
				if js.Dwarf == nil || *js.Dwarf {
					return fmt.Errorf("%s: dwarf is %s, want false", what, ptrStr(js.Dwarf))
				}
				if len(js.Probes) == 0 {
					return fmt.Errorf("%s: no probe listed", what)
				}
				// Without DWARF the values come from the offsets table (its
				// agreement with DWARF is checked by the pclntab tests):
				// each must say so, and a probe left off must say why.
				for _, p := range js.Probes {
					why := strings.ToLower(p.Why)
					if !p.Enabled && !strings.Contains(why, "dwarf") && !strings.Contains(why, "offsets table") &&
						!strings.Contains(why, "symbol") && !strings.Contains(why, "another type") &&
						!strings.HasPrefix(why, "rule ") {
						return fmt.Errorf("%s: probe %s is disabled with why %q, which names neither DWARF nor the offsets table", what, p.ID, p.Why)
					}
				}
				for _, f := range js.Functions {
					for _, pa := range f.Params {
						if !strings.HasPrefix(pa.Origin, "offsets table: ") {
							return fmt.Errorf("%s: function %s parameter %s: origin %q without DWARF", what, f.Name, pa.Name, pa.Origin)
						}
					}
				}
				for n, st := range js.Structs {
					if !strings.HasPrefix(st.Origin, "offsets table: ") {
						return fmt.Errorf("%s: struct %s: origin %q without DWARF", what, n, st.Origin)
					}
				}
				// Without .symtab nm knows nothing: only the DWARF-stripped
				// copy can be checked against the oracle.
				if flag == "--strip-debug" {
					// What is reported must still be right: the oracle without DWARF.
					o := gatherOracle(bin, false)
					for _, e := range []error{o.errNm, o.errEl, o.errBi, o.errID} {
						if e != nil {
							return fmt.Errorf("oracle: %v", e)
						}
					}
					v := &verifier{bin: bin, cell: c, js: &js, o: o}
					if err := v.run(); err != nil {
						return fmt.Errorf("%s: %v", what, err)
					}
				}
			}
		}
	}
	return nil
}
