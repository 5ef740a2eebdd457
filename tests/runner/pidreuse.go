package main

// Runtime test: a PID that exits and is taken by another process between
// reading the target and attaching to it. In a PID namespace of its own the
// test chooses the next PID (ns_last_pid), so the PID comes back at once:
// the tool (paused before attaching by a hidden flag) must notice that the
// process changed and refuse, not attach to the newcomer.

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerPidReuse) }

const pidReuseScript = `
set -u
srv=$1 tool=$2 dir=$3
$srv -addr 127.0.0.1:0 > $dir/srv1 2>&1 & p=$!
for i in $(seq 100); do grep -q listening $dir/srv1 && break; sleep 0.05; done
$tool -p $p --test-pause-before-attach 3000 > $dir/out 2> $dir/err & t=$!
for i in $(seq 400); do grep -q pausing $dir/err && break; sleep 0.05; done
grep -q pausing $dir/err || { echo "tool never paused"; cat $dir/err; exit 3; }
kill -9 $p; wait $p 2>/dev/null
echo $((p - 1)) > /proc/sys/kernel/ns_last_pid
$srv -addr 127.0.0.1:0 > $dir/srv2 2>&1 & q=$!
[ "$q" = "$p" ] || { echo "PID $p was not reused (got $q)"; exit 3; }
wait $t; echo "tool exit $?"
cat $dir/err
kill $q
`

func registerPidReuse() {
	c := cells[0]
	register("runtime", "safety/pid-reused-before-attach", true, func() error {
		dir, err := os.MkdirTemp("", "gogrpctrace-pidreuse-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		out, err := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "bash", "-c", pidReuseScript,
			"pidreuse", targetBin(c, "grpcserver"), toolPath, dir).CombinedOutput()
		text := string(out)
		if err != nil {
			return fmt.Errorf("%v: %s", err, text)
		}
		want := regexp.MustCompile(`gogrpctrace: PID \d+ exited or changed before attaching`)
		if !strings.Contains(text, "tool exit 1") || !want.MatchString(text) {
			return fmt.Errorf("want exit 1 and %q; got: %s", want, text)
		}
		return nil
	})
}
