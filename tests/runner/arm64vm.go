package main

// Runtime tests on arm64, for real: an emulated arm64 machine
// (tests/vm/arm64: qemu-system-aarch64 booting Debian 12's stock arm64
// kernel, the same release as the amd64 VM's, on an arm64 userspace)
// runs the arm64 build of this runner against the tool cross-compiled for
// it and the cells' arm64 programs, so each assertion is the one made
// here. The set is small (emulation is slow) but loads each program of a
// kind: gRPC on each side and over TLS, resets both ways, net/http's HTTP/2
// server and x/net's HTTP/2 client, and HTTP/1 on each side (its client's
// probe sits on RET instructions and reads the first result register, X0
// there).

import (
	"fmt"
	"os/exec"
	"path/filepath"
)

func init() { extraRegistrations = append(extraRegistrations, registerVMArm64) }

// Two tests per program, in pairs: the second reuses the program the first
// compiled (the tool's cache), and the compiler is what emulation makes
// slow (about two minutes a program, a few seconds a test after it).
var arm64Tests = []string{
	"trace/go1.27-grpc1.85/server/tls",
	"resets/go1.27-grpc1.85/server",
	"trace/go1.27-grpc1.85/client/plaintext",
	"resets/go1.27-grpc1.85/client",
	"http/go1.27-grpc1.85/h2-tls/server",
	"http/go1.27-grpc1.85/h1/server",
	"http/go1.27-grpc1.85/xnet-tls/client",
	"http/go1.27-grpc1.85/h1/client",
}

// arm64VM boots tests/vm/arm64 and runs the runner built for it there.
var arm64VM = vmKind{boot: "tests/vm/arm64/boot.sh", runner: buildArm64, machine: "aarch64"}

// buildArm64 makes the arm64 root if it is not there, then the tool and
// the runner for it (tests/vm/arm64/build.sh), and names the runner.
func buildArm64() (string, error) {
	for _, script := range []string{"setup.sh", "build.sh"} {
		path := filepath.Join(repoRoot, "tests", "vm", "arm64", script)
		if out, err := exec.Command("bash", path).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v:\n%s", path, err, out)
		}
	}
	return filepath.Join(repoRoot, "build", "arm64", "test-runner"), nil
}

func registerVMArm64() {
	register("runtime", "vm-arm64/runtime", true, func() error {
		if err := allRegistered(arm64Tests); err != nil {
			return err
		}
		_, err := runInVM(arm64VM, "", arm64Tests)
		return err
	})
}
