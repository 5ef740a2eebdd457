package main

// Unit test: the libFuzzer target of the binary reader (tests/fuzz).
// fuzz/reader-60s first replays every saved regression input under
// tests/fuzz/regressions/ through build/gogrpctrace-asan --inspect --json
// (no crash, no sanitizer report, no hang; success with one JSON object
// on stdout, or a clean one-line refusal), then runs tests/fuzz/run.sh for
// 60 s: it builds the harness, generates the seeds, replays the
// regression inputs and large seeds through the harness, and fuzzes. Any
// crash, sanitizer report, leak (memory or descriptor), timeout or
// out-of-memory fails the test.
//
// fuzz/protos-30s does the same for the protobuf descriptor path
// (tests/fuzz/fuzz_protos.c: dwarf/protodesc.c, tool/protodb.c on arbitrary
// bytes): FUZZ_TARGET=protos run.sh 30 replays regressions/protos/ and the
// seeds made from tests/unit/protos, then fuzzes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerFuzz) }

const (
	fuzzSeconds       = 60
	protosFuzzSeconds = 30
)

func registerFuzz() {
	register("unit", fmt.Sprintf("fuzz/reader-%ds", fuzzSeconds), false, runFuzzReader)
	register("unit", fmt.Sprintf("fuzz/protos-%ds", protosFuzzSeconds), false, func() error {
		return runFuzzScript("protos", protosFuzzSeconds)
	})
}

func fuzzDir() string { return filepath.Join(repoRoot, "tests", "fuzz") }

// regressionInputs lists tests/fuzz/regressions/* except its README.
func regressionInputs() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(fuzzDir(), "regressions"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var files []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), "README") {
			files = append(files, filepath.Join(fuzzDir(), "regressions", e.Name()))
		}
	}
	sort.Strings(files)
	return files, nil
}

// harnessSelfTest proves the harness's own checks fire: with
// FUZZ_READER_SELFTEST=fd|mem|json it leaks a descriptor, leaks memory or
// checks broken JSON, and each run must fail with the matching report.
func harnessSelfTest() error {
	fuzzer := filepath.Join(repoRoot, "build", "fuzz", "fuzz_reader")
	seeds := filepath.Join(repoRoot, "build", "fuzz", "seeds", "small")
	dir, err := os.MkdirTemp("", "gogrpctrace-fuzz-selftest-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, err := os.ReadFile(filepath.Join(seeds, "c-minimal"))
	if err != nil {
		return fmt.Errorf("harness self-test: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "input"), b, 0o644); err != nil {
		return err
	}
	for _, c := range []struct{ mode, want string }{
		{"fd", "file descriptor leak"},
		{"mem", "LeakSanitizer: detected memory leaks"},
		{"json", "output is not valid JSON"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, fuzzer, "-runs=50", "-artifact_prefix="+dir+"/", dir)
		cmd.Env = append(os.Environ(), "FUZZ_READER_SELFTEST="+c.mode)
		out, err := cmd.CombinedOutput()
		cancel()
		if err == nil || !bytes.Contains(out, []byte(c.want)) {
			return fmt.Errorf("harness self-test %s: want a failure reporting %q, got err=%v:\n%s",
				c.mode, c.want, err, lastBytes(out, 2000))
		}
	}
	return nil
}

func lastBytes(b []byte, n int) string {
	if len(b) > n {
		return "..." + string(b[len(b)-n:])
	}
	return string(b)
}

// replayThroughTool runs build/gogrpctrace-asan --inspect --json FILE.
func replayThroughTool(file string) error {
	if _, err := os.Stat(asanPath); err != nil {
		return fmt.Errorf("%v (run make asan)", err)
	}
	args := []string{"--inspect", "--json", file}
	what := filepath.Base(asanPath) + " " + strings.Join(args, " ")
	r, err := runTool(asanPath, args)
	if err != nil {
		return fmt.Errorf("%s: %v", what, err)
	}
	if err := r.common(what); err != nil {
		return err
	}
	if r.exit == 0 {
		if r.stderr != "" {
			return fmt.Errorf("%s: exit 0 but stderr is not empty: %s", what, r.describe())
		}
		var js map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &js); err != nil {
			return fmt.Errorf("%s: exit 0 but stdout is not one JSON object: %v", what, err)
		}
		return nil
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if r.stdout != "" || len(lines) != 1 || !strings.HasSuffix(r.stderr, "\n") ||
		!strings.HasPrefix(lines[0], "gogrpctrace: ") {
		return fmt.Errorf("%s: not a clean one-line refusal: %s", what, r.describe())
	}
	return nil
}

// runFuzzScript runs FUZZ_TARGET=target tests/fuzz/run.sh seconds.
func runFuzzScript(target string, seconds int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(fuzzDir(), "run.sh"), fmt.Sprint(seconds))
	cmd.Dir = repoRoot
	// A fresh corpus: the seconds go to fuzzing from the seeds, not to
	// loading what long local campaigns left in build/fuzz/corpus.
	corpus, err := os.MkdirTemp("", "gogrpctrace-fuzz-corpus-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(corpus)
	cmd.Env = append(os.Environ(), "FUZZ_JOBS=1", "FUZZ_CORPUS="+corpus, "FUZZ_TARGET="+target)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		o := out.String()
		if len(o) > 6000 {
			o = "..." + o[len(o)-6000:]
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("did not finish within 10 minutes")
		}
		return fmt.Errorf("FUZZ_TARGET=%s tests/fuzz/run.sh %d: %v:\n%s", target, seconds, err, o)
	}
	return nil
}

func runFuzzReader() error {
	files, err := regressionInputs()
	if err != nil {
		return err
	}
	var failures []string
	for _, f := range files {
		if err := replayThroughTool(f); err != nil {
			failures = append(failures, err.Error())
		}
	}
	// The harness replays the same files first, then fuzzes.
	if err := runFuzzScript("reader", fuzzSeconds); err != nil {
		failures = append(failures, err.Error())
	}
	if err := harnessSelfTest(); err != nil {
		failures = append(failures, err.Error())
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d problem(s):\n%s", len(failures), strings.Join(failures, "\n"))
	}
	return nil
}
