package main

// Targets found by what they are (issue #18, part 1): -n, --exe, --cgroup,
// --container and -a. Each test starts the tool first and the services
// after, as an SRE does before a restart: every process the selectors
// name is attached as it starts (a JSON attach object), detached as it
// exits, and each of its calls is held to the client's own account of it;
// processes they do not name are never touched. A restart of a file seen
// before reuses its loaded program.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gogrpctrace/tests/targets/records"
)

func init() { extraRegistrations = append(extraRegistrations, registerFollow) }

func registerFollow() {
	register("unit", "follow/selectors", false, func() error { return runCheck("check-follow") })
	register("runtime", "follow/name-restart", true, followNameRestart)
	register("runtime", "follow/exe", true, followExe)
	register("runtime", "follow/exe-in-mount-namespace", true, followExeInNamespace)
	register("runtime", "follow/cgroup-container", true, followCgroups)
	register("runtime", "follow/all-text", true, followAllText)
}

type attachObj struct {
	Type          string  `json:"type"`
	Pid           int     `json:"pid"`
	Exe           *string `json:"exe"`
	Matched       string  `json:"matched"`
	ReusedProgram bool    `json:"reused_program"`
}

// followSession is one run of the tool with selectors, and the servers
// it should and should not trace.
type followSession struct {
	tool    *proc
	servers []followServer
}

type followServer struct {
	srv   *proc
	addr  string
	calls []records.Call // what the client did
	want  bool           // the selectors name it
}

func startFollowTool(args ...string) (*followSession, error) {
	tool, err := start(toolPath, append(args, "--json")...)
	if err != nil {
		return nil, err
	}
	if _, err := tool.waitLine(`"type":"watch"`, toolStartTimeout); err != nil {
		tool.stop(syscall.SIGKILL, time.Second)
		return nil, err
	}
	return &followSession{tool: tool}, nil
}

// serve starts a server (argv: the command that ends up exec'ing it),
// waits for the tool to attach when want, runs the client's "all"
// scenario against it and keeps the client's records.
func (f *followSession) serve(want bool, argv ...string) (*followServer, error) {
	srv, addr, err := startListening(argv[0], argv[1:]...)
	if err != nil {
		return nil, err
	}
	s := followServer{srv: srv, addr: addr, want: want}
	if want {
		key := fmt.Sprintf(`{"type":"attach","pid":%d,`, srv.pid())
		if _, err := f.tool.waitLine(key, toolStartTimeout); err != nil {
			srv.stop(syscall.SIGKILL, time.Second)
			return nil, fmt.Errorf("PID %d (%s) not attached: %v", srv.pid(), argv, err)
		}
	} else {
		// Give a wrong attach time to happen: the next scans come within it.
		time.Sleep(time.Second)
	}
	cli, err := start(targetBin(cells[0], "grpcclient"), "-addr", addr, "-scenario", "all")
	if err == nil {
		err = cli.wait(60 * time.Second)
	}
	if err != nil {
		srv.stop(syscall.SIGKILL, time.Second)
		return nil, fmt.Errorf("client of PID %d: %v", srv.pid(), err)
	}
	for _, l := range cli.lines() {
		var c records.Call
		if json.Unmarshal([]byte(l), &c) == nil && c.Type == "call" {
			s.calls = append(s.calls, c)
		}
	}
	if len(s.calls) == 0 {
		return nil, fmt.Errorf("the client of PID %d reported no calls", srv.pid())
	}
	f.servers = append(f.servers, s)
	return &f.servers[len(f.servers)-1], nil
}

// exit ends a traced server and waits for the tool's detach object.
func (f *followSession) exit(s *followServer) error {
	pid := s.srv.pid()
	s.srv.stop(syscall.SIGTERM, 5*time.Second)
	if !s.want {
		return nil
	}
	key := fmt.Sprintf(`{"type":"detach","pid":%d,"reason":"exited"}`, pid)
	_, err := f.tool.waitLine(key, 5*time.Second)
	return err
}

// end stops the tool and holds its output to what happened: per server,
// one rpc per client call (exact), or none at all; one attach object per
// traced server, none for the others; every line in the documented
// schema. Returns the attach objects by PID.
func (f *followSession) end() (map[int]attachObj, error) {
	for i := range f.servers {
		f.servers[i].srv.stop(syscall.SIGTERM, 5*time.Second)
	}
	if err := endTool(f.tool, 15*time.Second); err != nil {
		return nil, fmt.Errorf("gogrpctrace: %v: %s", err, f.tool.errText())
	}
	attached := map[int]attachObj{}
	rpcs := map[int][]rpc{}
	for _, l := range f.tool.lines() {
		if err := checkJSONLine(l); err != nil {
			return nil, err
		}
		var probe struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &probe); err != nil {
			return nil, fmt.Errorf("not JSON: %q", l)
		}
		switch probe.Type {
		case "attach":
			var a attachObj
			if err := json.Unmarshal([]byte(l), &a); err != nil {
				return nil, err
			}
			if _, dup := attached[a.Pid]; dup {
				return nil, fmt.Errorf("PID %d attached twice", a.Pid)
			}
			attached[a.Pid] = a
		case "rpc":
			var r rpc
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				return nil, err
			}
			rpcs[r.Pid] = append(rpcs[r.Pid], r)
		case "summary":
			var s summary
			if err := json.Unmarshal([]byte(l), &s); err != nil {
				return nil, err
			}
			if err := checkHonest(&s); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range f.servers {
		pid := s.srv.pid()
		_, isAttached := attached[pid]
		if !s.want {
			if isAttached || len(rpcs[pid]) > 0 {
				return nil, fmt.Errorf("PID %d is not named by the selectors, yet attached %v with %d calls",
					pid, isAttached, len(rpcs[pid]))
			}
			continue
		}
		if !isAttached {
			return nil, fmt.Errorf("PID %d: no attach object", pid)
		}
		if len(rpcs[pid]) != len(s.calls) {
			return nil, fmt.Errorf("PID %d: %d calls traced, the client made %d; stderr: %s",
				pid, len(rpcs[pid]), len(s.calls), f.tool.errText())
		}
		for i, want := range s.calls {
			if err := matchCall("server", false, s.addr, want, rpcs[pid][i]); err != nil {
				return nil, fmt.Errorf("PID %d, call %d: %v", pid, i, err)
			}
		}
	}
	return attached, nil
}

// serviceCopy copies the newest cell's grpcserver to dir/name: a file of
// its own, named as no other process on the machine is.
func serviceCopy(dir, name string) (string, error) {
	b, err := os.ReadFile(targetBin(cells[0], "grpcserver"))
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	return p, os.WriteFile(p, b, 0o755)
}

func wantAttach(a attachObj, matched string, reused bool, exe string) error {
	if a.Matched != matched || a.ReusedProgram != reused || a.Exe == nil || *a.Exe != exe {
		return fmt.Errorf("attach %+v (exe %v): want matched %q, reused_program %v, exe %s",
			a, a.Exe, matched, reused, exe)
	}
	return nil
}

// -n NAME: the service, then its restart through a shell that execs it
// (the PID stays, the program changes, and now it is named); a copy under
// another name is left alone; the service execs sleep (the PID stays, it
// is named no longer): detached.
func followNameRestart() error {
	dir, err := os.MkdirTemp("", "gogrpctrace-follow-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	name := fmt.Sprintf("gfol%d", os.Getpid())
	bin, err := serviceCopy(dir, name)
	if err != nil {
		return err
	}
	decoy, err := serviceCopy(dir, name+"x")
	if err != nil {
		return err
	}
	f, err := startFollowTool("-n", name)
	if err != nil {
		return err
	}
	defer f.tool.stop(syscall.SIGKILL, time.Second)
	first, err := f.serve(true, bin)
	if err != nil {
		return err
	}
	if err := f.exit(first); err != nil {
		return err
	}
	if _, err := f.serve(false, decoy); err != nil {
		return err
	}
	restart, err := f.serve(true, "sh", "-c", `sleep 0.3; exec "$0" "$@"`, bin, "-exec-on-usr1", "/bin/sleep 60")
	if err != nil {
		return err
	}
	// It execs another program: the PID stays, the tracing ends.
	restart.srv.cmd.Process.Signal(syscall.SIGUSR1)
	key := fmt.Sprintf(`{"type":"detach","pid":%d,"reason":"exec"}`, restart.srv.pid())
	if _, err := f.tool.waitLine(key, 5*time.Second); err != nil {
		return err
	}
	attached, err := f.end()
	if err != nil {
		return err
	}
	if err := wantAttach(attached[f.servers[0].srv.pid()], "name "+name, false, bin); err != nil {
		return err
	}
	if err := wantAttach(attached[f.servers[2].srv.pid()], "name "+name, true, bin); err != nil {
		return fmt.Errorf("the restart: %v", err)
	}
	// One program for both runs of the file: one start object, made
	// for the first.
	var starts []startObj
	for _, l := range f.tool.lines() {
		var s startObj
		if json.Unmarshal([]byte(l), &s) == nil && s.Type == "start" {
			starts = append(starts, s)
		}
	}
	if len(starts) != 1 || len(starts[0].Pids) != 1 || starts[0].Pids[0] != f.servers[0].srv.pid() {
		return fmt.Errorf("start objects %+v: want one, for PID %d", starts, f.servers[0].srv.pid())
	}
	return nil
}

// --exe PATH: a hard link under another name is the same file (traced); a
// byte-for-byte copy is another file (not traced).
func followExe() error {
	dir, err := os.MkdirTemp("", "gogrpctrace-follow-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := serviceCopy(dir, "service")
	if err != nil {
		return err
	}
	link := filepath.Join(dir, "other-name")
	if err := os.Link(bin, link); err != nil {
		return err
	}
	cp, err := serviceCopy(dir, "copy")
	if err != nil {
		return err
	}
	f, err := startFollowTool("--exe", bin)
	if err != nil {
		return err
	}
	defer f.tool.stop(syscall.SIGKILL, time.Second)
	for _, s := range []struct {
		want bool
		bin  string
	}{{true, bin}, {false, cp}, {true, link}} {
		if _, err := f.serve(s.want, s.bin); err != nil {
			return err
		}
	}
	attached, err := f.end()
	if err != nil {
		return err
	}
	if err := wantAttach(attached[f.servers[0].srv.pid()], "exe "+bin, false, bin); err != nil {
		return err
	}
	return wantAttach(attached[f.servers[2].srv.pid()], "exe "+bin, true, link)
}

// --exe PATH where PATH names the file only in the process's own mount
// namespace, as a container's path does: the service runs from a bind
// mount made in a namespace of its own, at a directory that is empty
// outside. Found through /proc/PID/root.
func followExeInNamespace() error {
	dir, err := os.MkdirTemp("", "gogrpctrace-follow-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if _, err := serviceCopy(dir, "service"); err != nil {
		return err
	}
	view, err := os.MkdirTemp("", "gogrpctrace-view-")
	if err != nil {
		return err
	}
	defer os.Remove(view)
	inView := filepath.Join(view, "service")
	if _, err := os.Stat(inView); err == nil {
		return fmt.Errorf("%s is there outside the namespace", inView)
	}
	f, err := startFollowTool("--exe", inView)
	if err != nil {
		return err
	}
	defer f.tool.stop(syscall.SIGKILL, time.Second)
	// The same file run from where PATH names nothing, for it or for us:
	// not what --exe PATH names.
	if _, err := f.serve(false, filepath.Join(dir, "service")); err != nil {
		return err
	}
	if _, err := f.serve(true, "unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$0" "$1" && exec "$1/service"`, dir, view); err != nil {
		return err
	}
	attached, err := f.end()
	if err != nil {
		return err
	}
	return wantAttach(attached[f.servers[1].srv.pid()], "exe "+inView, false, inView)
}

// cgroup2Mount: where cgroup v2 is mounted ("" when it is not).
func cgroup2Mount() string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, x := range fields {
			if x == "-" && i+1 < len(fields) && fields[i+1] == "cgroup2" && len(fields) > 4 {
				return fields[4]
			}
		}
	}
	return ""
}

// --cgroup and --container in one run, laid out as systemd and a
// container runtime do: a service's cgroup with a child, and a
// container's "docker-ID.scope". Each server joins its cgroup from a
// shell that then execs it, as runc does; one outside both is left alone.
func followCgroups() error {
	mnt := cgroup2Mount()
	if mnt == "" {
		return fmt.Errorf("cgroup v2 is not mounted")
	}
	root := filepath.Join(mnt, fmt.Sprintf("gogrpctrace-test-%d", os.Getpid()))
	id := fmt.Sprintf("%064x", time.Now().UnixNano())
	svc := filepath.Join(root, "svc.service", "child")
	ctr := filepath.Join(root, "docker-"+id+".scope")
	for _, d := range []string{svc, ctr} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	defer func() {
		for _, d := range []string{svc, filepath.Dir(svc), ctr, root} {
			os.Remove(d)
		}
	}()
	bin := targetBin(cells[0], "grpcserver")
	inCgroup := func(dir string) []string {
		return []string{"sh", "-c", `echo $$ > "$1/cgroup.procs" && exec "$0"`, bin, dir}
	}
	svcArg := filepath.Join(root, "svc.service")
	f, err := startFollowTool("--cgroup", svcArg, "--container", id[:12])
	if err != nil {
		return err
	}
	defer f.tool.stop(syscall.SIGKILL, time.Second)
	if _, err := f.serve(false, bin); err != nil {
		return err
	}
	if _, err := f.serve(true, inCgroup(svc)...); err != nil {
		return err
	}
	if _, err := f.serve(true, inCgroup(ctr)...); err != nil {
		return err
	}
	attached, err := f.end()
	if err != nil {
		return err
	}
	cgPath := strings.TrimPrefix(svcArg, mnt)
	if err := wantAttach(attached[f.servers[1].srv.pid()], "cgroup "+cgPath, false, bin); err != nil {
		return err
	}
	return wantAttach(attached[f.servers[2].srv.pid()], "container "+id[:12], true, bin)
}

// -a in text: the start line says what is watched, rows carry the PID
// column (any number of processes may come), and a process that is not
// Go (sleep) is passed over without a word.
func followAllText() error {
	tool, err := start(toolPath, "-a")
	if err != nil {
		return err
	}
	defer tool.stop(syscall.SIGKILL, time.Second)
	if _, err := tool.waitLine("Ctrl-C to end.", toolStartTimeout); err != nil {
		return err
	}
	sleeper, err := start("sleep", "30")
	if err != nil {
		return err
	}
	defer sleeper.stop(syscall.SIGKILL, time.Second)
	srv, addr, err := startServer(cells[0], false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGKILL, time.Second)
	deadline := time.Now().Add(toolStartTimeout)
	attachedLine := fmt.Sprintf("gogrpctrace: PID %d (%s) traced: all", srv.pid(), targetBin(cells[0], "grpcserver"))
	for !strings.Contains(tool.errText(), attachedLine) {
		if time.Now().After(deadline) {
			return fmt.Errorf("no %q; stderr: %s", attachedLine, tool.errText())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cli, err := start(targetBin(cells[0], "grpcclient"), "-addr", addr, "-scenario", "unary")
	if err == nil {
		err = cli.wait(30 * time.Second)
	}
	if err != nil {
		return err
	}
	if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil {
		return err
	}
	lines := tool.lines()
	if len(lines) < 2 || lines[0] != "Watching for every Go process that links a traced stack: each is traced as it starts... Ctrl-C to end." {
		return fmt.Errorf("start line %q", lines[:min(len(lines), 1)])
	}
	rows, _, err := textRows(lines[1:])
	if err != nil {
		return err
	}
	n := 0
	for _, r := range rows {
		if r["PID"] == fmt.Sprint(srv.pid()) && r["SIDE"] == "srv" && r["METHOD"] == "Echo/Unary" && r["STATUS"] == "OK" {
			n++
		}
	}
	if n != 3 {
		return fmt.Errorf("%d rows of PID %d's three calls: %q", n, srv.pid(), lines)
	}
	if strings.Contains(tool.errText(), fmt.Sprintf("PID %d", sleeper.pid())) {
		return fmt.Errorf("the sleep process was looked at aloud: %s", tool.errText())
	}
	return nil
}
