// Command driver is gogrpctrace's benchmark (make bench, via
// tests/bench/run.sh): overhead on unary throughput and latency (median and
// interquartile range over interleaved untraced/traced pairs), probe hits
// per call and each probe's BPF time for each kind of call, the cost of one
// hit against the empty program's, start-up, event throughput/accounting and
// memory, measured in one run on a machine it checks is idle, with the goals
// of issue #15 judged from them. It prints one table and writes the same
// numbers as JSON, and the README's overhead section as Markdown. Standard
// library only.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

var (
	toolPath   = flag.String("tool", "build/gogrpctrace", "gogrpctrace binary")
	targetsDir = flag.String("targets", "build/targets/go1.26-grpc1.85", "directory with grpcserver and grpcload")
	bigBin     = flag.String("bigbin", "build/bench/bigbin", "large Go gRPC server binary")
	outJSON    = flag.String("out", "build/bench.json", "where to write the results as JSON")
	roundDur   = flag.Duration("round", 2500*time.Millisecond, "measured time of one load round")
	warmupDur  = flag.Duration("warmup", 500*time.Millisecond, "warm-up of each load round")
	pairs      = flag.Int("pairs", 9, "untraced/traced round pairs per configuration")
	sustained  = flag.Duration("sustained", 60*time.Second, "duration of the highest-rate run")
	tinyDur    = flag.Duration("tiny", 8*time.Second, "duration of the --ringbuf-pages 1 run")
	dumpTool   = flag.String("dwarfdump", "/usr/bin/llvm-dwarfdump-14", "llvm-dwarfdump for the reader comparison")
	dumpLimit  = flag.Duration("dwarfdump-timeout", 240*time.Second, "give up on the dwarfdump method after this long")
	buildSecs  = flag.Float64("bigbin-build-s", -1, "how long building the large binary took (from run.sh; -1 = up to date)")
	waitIdle   = flag.Duration("wait-idle", 0, "before measuring, wait up to this long for the machine to be idle (0: measure at once)")
	// The driver is also the HTTP kinds' load generator (kinds.go).
	getLoop      = flag.String("getloop", "", "internal: sequential GETs of /hello against this address, then one JSON line")
	getLoopProto = flag.String("getloop-proto", "h1", "internal: with -getloop: h1 (HTTP/1.1), h2 (HTTP/2 over TLS) or h2c")
	getLoopWait  = flag.String("wait-file", "", "internal: with -getloop: wait until this path exists")
)

var (
	tmpDir       string
	loadPath     string
	serverPath   string
	h2ServerPath string
	serverAddr   string
	serverPID    int
)

func main() {
	flag.Parse()
	if *getLoop != "" {
		os.Exit(getLoopMain())
	}
	loadPath = filepath.Join(*targetsDir, "grpcload")
	serverPath = filepath.Join(*targetsDir, "grpcserver")
	h2ServerPath = filepath.Join(*targetsDir, "h2server")
	var err error
	if tmpDir, err = os.MkdirTemp("", "gogrpctrace-bench."); err != nil {
		fatal("%v", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sigs
		fmt.Fprintf(os.Stderr, "bench: %v: stopping every process started\n", s)
		cleanup()
		os.RemoveAll(tmpDir)
		os.Exit(130)
	}()
	code := run()
	cleanup()
	os.RemoveAll(tmpDir)
	os.Exit(code)
}

func fatal(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	cleanup()
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	os.Exit(1)
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bench %s: "+format+"\n", append([]interface{}{time.Now().Format("15:04:05")}, args...)...)
}

// startServer runs a server binary (grpcserver, h2server: extra are its
// flags) and waits for "listening ADDR".
func startServer(bin string, extra ...string) (*proc, string, error) {
	addrCh := make(chan string, 1)
	p, err := start(bin, append([]string{"-addr", "127.0.0.1:0"}, extra...), func(l []byte) {
		s := string(l)
		if strings.HasPrefix(s, "listening ") {
			select {
			case addrCh <- strings.TrimPrefix(s, "listening "):
			default:
			}
		}
	})
	if err != nil {
		return nil, "", err
	}
	select {
	case a := <-addrCh:
		return p, a, nil
	case <-p.done:
		return nil, "", fmt.Errorf("%s exited: %s", bin, p.stderr.String())
	case <-time.After(30 * time.Second):
		p.stop(syscall.SIGKILL, time.Second)
		return nil, "", fmt.Errorf("%s did not start listening", bin)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}

// shortErr is the tool's last message in an error (lastLines joins its
// stderr lines with " | "): why it stopped, without the command line.
func shortErr(e string) string {
	if i := strings.LastIndex(e, " | "); i >= 0 {
		e = e[i+3:]
	}
	if i := strings.LastIndex(e, "gogrpctrace: "); i >= 0 {
		e = e[i:]
	}
	return e
}

func fileMB(path string) float64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(st.Size()) / 1e6
}

func envLine() (string, map[string]string) {
	kern, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	cpu := "unknown"
	ncpu := 0
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "model name") && cpu == "unknown" {
				if i := strings.IndexByte(sc.Text(), ':'); i >= 0 {
					cpu = strings.TrimSpace(sc.Text()[i+1:])
				}
			}
			if strings.HasPrefix(sc.Text(), "processor") {
				ncpu++
			}
		}
		f.Close()
	}
	date := time.Now().UTC().Format("2006-01-02 15:04 MST")
	k := strings.TrimSpace(string(kern))
	return fmt.Sprintf("measured %s on Linux %s, %s (%d CPUs)", date, k, cpu, ncpu),
		map[string]string{"date": date, "kernel": k, "cpu": cpu, "cpus": fmt.Sprint(ncpu)}
}

func writeJSON(v interface{}) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*outJSON), 0o755); err != nil {
		return err
	}
	return os.WriteFile(*outJSON, append(b, '\n'), 0o644)
}
