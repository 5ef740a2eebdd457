package main

// Runtime tests in a throwaway VM (tests/vm/boot.sh) running Debian 12's
// stock kernel, for what this machine's own kernel cannot be:
//
//   - lockdown=confidentiality, which once entered holds until reboot: the
//     tool must trace exactly there too, and -v must name the mode;
//   - Linux 6.1, whose verifier is older than this machine's: every probe
//     program must load and trace exactly. (It refused three of ours until
//     they were written for it: a clamp's bounds lost on the stack, a loop
//     laid out with a fall-through back-edge, a dead branch that turned a
//     buffer pointer into a scalar.)
//
// Inside, the runner itself runs the named tests against the host's build
// (seen read-only), so each assertion is the one made on this machine.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerVM) }

// The tests run in the stock kernel: between them every probe program
// (grpc-go before and after 1.78's DATA frames, net/http's and x/net's
// HTTP/2, HTTP/1 both sides, payloads copied from sent messages and from
// DATA frames both ways and decoded, resets), Go 1.27 programs (net/http's
// HTTP/2 in its own package) and the Debian cell.
var stockKernelTests = []string{
	"startup/cache-second-start",
	"trace/go1.27-grpc1.85/server/tls",
	"trace/go1.26-grpc1.66/client/tls",
	"trace/go1.19-grpc1.33-debian/server/plaintext",
	"resets/go1.26-grpc1.85/client",
	"payload/go1.27-grpc1.85/server",
	"payload/go1.27-grpc1.85/client",
	"payload-frames/go1.27-grpc1.85/small-n",
	"decode/go1.27-grpc1.85/new",
	"http/go1.27-grpc1.85/h2-tls/server",
	"http/go1.27-grpc1.85/h2-tls/client",
	"http/go1.26-grpc1.85/xnet-tls/server",
	"http/go1.26-grpc1.85/xnet-tls/client",
	"http/go1.26-grpc1.85/h1/server",
	"http/go1.26-grpc1.85/h1/client",
	"http/go1.26-grpc1.85/grpc-h2c/server",
}

func registerVM() {
	register("runtime", "vm/lockdown-confidentiality", true, func() error {
		out, err := runInVM(amd64VM, "lockdown=confidentiality", []string{"startup/lockdown-mode"})
		if err != nil {
			return err
		}
		if !strings.Contains(out, "lockdown: none integrity [confidentiality]") {
			return fmt.Errorf("the VM's kernel is not in confidentiality mode:\n%s", out)
		}
		return nil
	})
	register("runtime", "vm/stock-kernel", true, func() error {
		if err := allRegistered(stockKernelTests); err != nil {
			return err
		}
		_, err := runInVM(amd64VM, "lockdown=none", stockKernelTests)
		return err
	})
}

// allRegistered: a test the VM is to run must exist here (a renamed cell
// would otherwise cost a boot to find out).
func allRegistered(names []string) error {
	for _, n := range names {
		found := false
		for _, t := range tests {
			found = found || t.name == n
		}
		if !found {
			return fmt.Errorf("the VM would run %s, which is not a test", n)
		}
	}
	return nil
}

// vmKind is one of the throwaway VMs: the script that boots it and the
// runner built for its machine.
type vmKind struct {
	boot    string // relative to the repository
	runner  func() (string, error)
	machine string // uname -m in the guest
}

// amd64VM runs this runner itself in the stock kernel (tests/vm).
var amd64VM = vmKind{boot: "tests/vm/boot.sh", runner: os.Executable, machine: "x86_64"}

// runInVM boots the VM with kargs and runs the named runtime tests in it;
// every one must pass.
func runInVM(vm vmKind, kargs string, names []string) (string, error) {
	self, err := vm.runner()
	if err != nil {
		return "", err
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	pattern := "^(" + strings.Join(quoted, "|") + ")$"
	// The guest compiles about ten times slower (emulated CPU).
	job := fmt.Sprintf("cd %q && echo \"kernel: $(uname -r)\" && echo \"machine: $(uname -m)\" && echo \"lockdown: $(cat /sys/kernel/security/lockdown)\" && "+
		"GG_TOOL_START_TIMEOUT=600 %q -run %q runtime", repoRoot, self, pattern)
	cmd := exec.Command(filepath.Join(repoRoot, vm.boot), kargs, "bash", "-c", job)
	// The stock kernel's list takes about 14 minutes emulated: boot.sh's
	// default of 15 left no margin once the decode tests joined it.
	cmd.Env = append(os.Environ(), "GG_VM_TIMEOUT=1800")
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil {
		return out, fmt.Errorf("the VM run failed (%v):\n%s", err, out)
	}
	kernel := regexp.MustCompile(`(?m)^kernel: (\S+)$`).FindStringSubmatch(out)
	if kernel == nil || kernel[1] == hostRelease() {
		return out, fmt.Errorf("the VM did not run a kernel of its own:\n%s", out)
	}
	if !strings.Contains(out, "\nmachine: "+vm.machine+"\n") {
		return out, fmt.Errorf("the VM is not an %s machine:\n%s", vm.machine, out)
	}
	for _, n := range names {
		if !strings.Contains(out, "PASS "+n+" (") {
			return out, fmt.Errorf("%s did not pass in the VM (kernel %s, %s):\n%s", n, kernel[1], kargs, out)
		}
	}
	if want := fmt.Sprintf("%d passed, 0 failed", len(names)); !strings.Contains(out, want) {
		return out, fmt.Errorf("want %q from the VM's run:\n%s", want, out)
	}
	return out, nil
}

func hostRelease() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}
