package main

// Unit tests of the payload decoder (tool/pbdecode.h, tool/pbgzip.h):
// decode/pbdecode runs tests/unit/pbdecode.c, plain and under ASan and
// UBSan (protoc's encodings of every field kind decoded to the byte,
// protobuf's parse semantics, hostile bytes, every message cut at every
// byte, gunzip of partial streams, JSON escaping). fuzz/pbdecode-30s runs
// tests/fuzz/pbdecode.sh for 30 s from a fresh corpus (it replays
// regressions/pbdecode/ and the seeds first), after proving the harness's
// JSON check fires.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerPbdecode) }

const pbdecodeFuzzSeconds = 30

func registerPbdecode() {
	register("unit", "decode/pbdecode", false, func() error {
		if err := runCheck("check-pbdecode"); err != nil {
			return err
		}
		return runCheck("check-pbdecode-asan")
	})
	register("unit", fmt.Sprintf("fuzz/pbdecode-%ds", pbdecodeFuzzSeconds), false, runFuzzPbdecode)
}

func runFuzzPbdecode() error {
	corpus, err := os.MkdirTemp("", "gogrpctrace-fuzz-pbdecode-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(corpus)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(fuzzDir(), "pbdecode.sh"), fmt.Sprint(pbdecodeFuzzSeconds))
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "FUZZ_CORPUS="+corpus)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("did not finish within 5 minutes")
		}
		return fmt.Errorf("tests/fuzz/pbdecode.sh %d: %v:\n%s", pbdecodeFuzzSeconds, err, lastBytes(out.Bytes(), 6000))
	}
	// The harness's own check fires: a broken JSON text is reported.
	fuzzer := filepath.Join(repoRoot, "build", "fuzz", "fuzz_pbdecode")
	self := exec.Command(fuzzer, "-runs=1", "-artifact_prefix="+corpus+"/", corpus)
	self.Env = append(os.Environ(), "FUZZ_PBDECODE_SELFTEST=json")
	b, err := self.CombinedOutput()
	if err == nil || !bytes.Contains(b, []byte("output is not valid JSON")) {
		return fmt.Errorf("harness self-test: want a failure reporting invalid JSON, got err=%v:\n%s", err, lastBytes(b, 2000))
	}
	return nil
}
