package main

// Files written as root. The log of a failed compile once went to
// /tmp/gogrpctrace-PID.log through fopen("w"): any user could put a
// symlink there first and have root truncate and write the file it points
// to. The PID is no secret (an attacker plants a range of them); here the
// test runs the tool in a PID namespace of its own with the next PID set,
// so it knows the PID exactly, plants the symlink, makes the compile fail
// (a kernel header tree whose autoconf.h ends in #error) and checks that
// nothing under /tmp was followed or made, and that the log went to the
// root-only state directory, as a new 0600 file the -v output names.

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

func init() { extraRegistrations = append(extraRegistrations, registerRootFiles) }

func registerRootFiles() {
	register("runtime", "rootfiles/no-tmp-log", true, func() error { return rootFiles(cells[0]) })
}

const stateDir = "/var/cache/gogrpctrace"

// The tool runs at PID $pid of a new PID namespace (ns_last_pid), against
// a server started there too; -d 1 ends it should the compile succeed.
const rootFilesScript = `
set -u
srv=$1 tool=$2 dir=$3 heads=$4 payload=$5 pid=$6
$srv -addr 127.0.0.1:0 > $dir/srv 2>&1 & p=$!
for i in $(seq 100); do grep -q listening $dir/srv && break; sleep 0.05; done
echo $((pid - 1)) > /proc/sys/kernel/ns_last_pid
$tool -v -p $p --kernel-headers $heads --payload=$payload -d 1 > $dir/out 2> $dir/err & t=$!
echo "tool pid $t"
wait $t; echo "tool exit $?"
kill $p
`

func rootFiles(c cell) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-rootfiles-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	heads, err := failingHeaderTree(dir)
	if err != nil {
		return err
	}
	victim := filepath.Join(dir, "victim")
	const content = "root must not write here\n"
	if err := os.WriteFile(victim, []byte(content), 0o644); err != nil {
		return err
	}
	old, _ := os.Stat(victim)
	// A PID whose names are all free, and a payload size whose program
	// no cache entry holds (a failed compile is never cached).
	pid, payload := 0, 0
	for try := 0; try < 50 && pid == 0; try++ {
		p := 2000 + rand.Intn(20000)
		if !exists(tmpLog(p)) && !exists(stateLog(p)) {
			pid = p
		}
	}
	if pid == 0 {
		return fmt.Errorf("no free PID found for the names to plant")
	}
	payload = 500 + rand.Intn(500)
	// The attacker's symlinks, at the old name; and one at the new name,
	// as a stale entry would be (only root can write there).
	planted := []string{tmpLog(pid), stateLog(pid)}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	for _, p := range planted {
		if err := os.Symlink(victim, p); err != nil {
			return err
		}
		defer os.Remove(p)
	}
	before := tmpLogs()

	ctx, cancel := context.WithTimeout(context.Background(), 2*toolStartTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "unshare", "--pid", "--fork", "--mount-proc", "bash", "-c", rootFilesScript,
		"rootfiles", targetBin(c, "grpcserver"), toolPath, dir, heads, strconv.Itoa(payload), strconv.Itoa(pid)).CombinedOutput()
	text := string(out)
	if err != nil {
		return fmt.Errorf("%v: %s", err, text)
	}
	stderr, _ := os.ReadFile(filepath.Join(dir, "err"))
	if !strings.Contains(text, fmt.Sprintf("tool pid %d\n", pid)) {
		return fmt.Errorf("the tool did not get PID %d: %s", pid, text)
	}

	// Nothing followed: the victim is as it was, the old name still the
	// planted symlink, and no other /tmp/gogrpctrace-*.log appeared.
	now, _ := os.Stat(victim)
	if b, _ := os.ReadFile(victim); string(b) != content || !now.ModTime().Equal(old.ModTime()) {
		return fmt.Errorf("the tool wrote through a planted symlink: %s now holds %q", victim, b)
	}
	if t, err := os.Readlink(tmpLog(pid)); err != nil || t != victim {
		return fmt.Errorf("%s was replaced (%v)", tmpLog(pid), err)
	}
	if after := tmpLogs(); strings.Join(after, " ") != strings.Join(before, " ") {
		return fmt.Errorf("new files in /tmp: before %v, after %v", before, after)
	}

	// The log: named by -v and by the error, root's, 0600, a new file
	// where the stale symlink was.
	log := stateLog(pid)
	if !strings.Contains(text, "tool exit 1") ||
		!strings.Contains(string(stderr), "gogrpctrace: a failed compile or load is logged to "+log+"\n") ||
		!regexp.MustCompile(`gogrpctrace: the BPF program did not compile .*; see `+regexp.QuoteMeta(log)+`\n`).Match(stderr) {
		return fmt.Errorf("want exit 1, and -v and the error naming %s; got: %s\nstderr: %s", log, text, stderr)
	}
	fi, err := os.Lstat(log)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 || st.Uid != 0 {
		return fmt.Errorf("%s: mode %v owner %d, want a regular file, 0600, root's", log, fi.Mode(), st.Uid)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		return err
	}
	if !strings.Contains(string(b), "----- program -----") || !strings.Contains(string(b), fmt.Sprintf("#define PAYLOAD_BYTES %d\n", payload)) {
		return fmt.Errorf("%s does not hold the program", log)
	}
	return nil
}

func tmpLog(pid int) string   { return fmt.Sprintf("/tmp/gogrpctrace-%d.log", pid) }
func stateLog(pid int) string { return fmt.Sprintf("%s/build-%d.log", stateDir, pid) }

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// tmpLogs lists the names the old code wrote.
func tmpLogs() []string {
	m, _ := filepath.Glob("/tmp/gogrpctrace-*.log")
	sort.Strings(m)
	return m
}

// failingHeaderTree mirrors the kernel header tree the tool would use, in
// symlinks, with a copy of include/generated/autoconf.h that ends in
// #error: the compile fails cleanly (a tree with files missing would make
// libbcc crash instead). Returns what to pass to --kernel-headers.
func failingHeaderTree(dir string) (string, error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", err
	}
	var rel []byte
	for _, ch := range u.Release {
		if ch == 0 {
			break
		}
		rel = append(rel, byte(ch))
	}
	real, common := filepath.Join("/lib/modules", string(rel), "build"), ""
	if !exists(filepath.Join(real, "include/generated/autoconf.h")) {
		m, _ := filepath.Glob("/usr/src/linux-headers-*-amd64")
		if len(m) == 0 {
			return "", fmt.Errorf("no kernel header tree to copy")
		}
		sort.Strings(m)
		real = m[len(m)-1]
		common = strings.TrimSuffix(real, "-amd64") + "-common"
	}
	fake := filepath.Join(dir, "linux-headers-fake-amd64")
	if err := mirror(real, fake, "include/generated/autoconf.h"); err != nil {
		return "", err
	}
	if common != "" {
		// The tool finds a Debian tree's twin by its name.
		if err := os.Symlink(common, filepath.Join(dir, "linux-headers-fake-common")); err != nil {
			return "", err
		}
	}
	f, err := os.OpenFile(filepath.Join(fake, "include/generated/autoconf.h"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.WriteString("\n#error planted by the rootfiles test\n")
	return fake, err
}

// mirror makes dst a tree of symlinks to src's entries, except along the
// relative path keep, whose directories are made and whose file is copied.
func mirror(src, dst, keep string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	first, rest, deeper := strings.Cut(keep, "/")
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		s, d := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		switch {
		case e.Name() == first && deeper:
			if err := mirror(s, d, rest); err != nil {
				return err
			}
		case e.Name() == first:
			b, err := os.ReadFile(s)
			if err != nil {
				return err
			}
			if err := os.WriteFile(d, b, 0o644); err != nil {
				return err
			}
		default:
			if err := os.Symlink(s, d); err != nil {
				return err
			}
		}
	}
	return nil
}
