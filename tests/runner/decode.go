package main

// Runtime tests: decoded messages (issue 13). gogrpctrace decodes the
// payloads it captures with the protobuf descriptors the traced binary
// carries. pbserver and pbclient (tests/targets) of each cell and protobuf
// generation (tests/targets/pbcells.txt), as built and -s -w: every call's
// req_msg/resp_msg must equal the first message the client says it sent
// and received (its own protojson of it, compared as JSON values), their
// types must be the method's, and the -v message events must carry every
// message of each call in order. Then one run on the client side, one in
// text mode (exact protobuf text of one call) and one with --payload=20
// (decoded as far as the bytes go, marked truncated).

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerDecode) }

// decodeOpts is one traced run of pbserver and pbclient.
type decodeOpts struct {
	cell     cell
	gen      string // protobuf generation: new, mid, old, v13
	variant  string // "" (as built) or "sw" (-s -w)
	side     string // which process is traced: "server" or "client"
	scenario string // pbclient -scenario
	mode     string // "json" or "text"
	args     []string
}

// decodeResult is what one run produced.
type decodeResult struct {
	calls   []*pbCall
	rpcs    []decodedRPC
	events  []msgEvent
	text    []string // the tool's stdout in text mode
	toolErr string
}

func registerDecode() {
	gens, err := readPBCells(filepath.Join(repoRoot, "tests", "targets", "pbcells.txt"))
	if err != nil {
		register("runtime", "decode/pbcells", false, func() error { return err })
		return
	}
	register("unit", "decode/selftest", false, func() error { return decodeSelfTest(cells[0]) })
	full := []string{"--payload=16384", "-v"}
	for _, c := range cells {
		if len(gens[c.name]) == 0 {
			name := c.name
			register("runtime", "decode/"+name, true, func() error {
				return fmt.Errorf("cell %s builds no pbserver: no line in pbcells.txt", name)
			})
		}
		for _, g := range gens[c.name] {
			for _, v := range []string{"", "sw"} {
				o := decodeOpts{cell: c, gen: g, variant: v, side: "server", scenario: "all", mode: "json", args: full}
				name := "decode/" + c.name + "/" + g
				if v != "" {
					name += "/stripped"
				}
				register("runtime", name, true, func() error { return decodeCheckRun(o) })
			}
		}
	}
	// The releases between the full cells: their stripped programs.
	for _, c := range sweepCells {
		for _, g := range gens[c.name] {
			o := decodeOpts{cell: c, gen: g, variant: "sw", side: "server", scenario: "all", mode: "json", args: full}
			register("runtime", "decode/"+c.name+"/"+g+"/stripped", true, func() error { return decodeCheckRun(o) })
		}
	}
	newest := cells[0]
	register("runtime", "decode/client/"+newest.name+"/new", true, func() error {
		return decodeCheckRun(decodeOpts{cell: newest, gen: "new", side: "client", scenario: "all", mode: "json", args: full})
	})
	register("runtime", "decode/text/"+newest.name+"/new", true, func() error { return decodeText(newest) })
	register("runtime", "decode/truncated/"+newest.name+"/new", true, func() error { return decodeTruncated(newest) })
}

// readPBCells reads tests/targets/pbcells.txt: cell name -> generations.
func readPBCells(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gens := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		gens[fs[0]] = fs[1:]
	}
	return gens, sc.Err()
}

// decodeRun starts pbserver, attaches the tool to the chosen side, runs
// pbclient's scenario and collects both outputs.
func decodeRun(o decodeOpts) (*decodeResult, error) {
	srvBin, err := variantBin(o.cell, "pbserver-"+o.gen, o.variant)
	if err != nil {
		return nil, err
	}
	cliBin, err := variantBin(o.cell, "pbclient-"+o.gen, o.variant)
	if err != nil {
		return nil, err
	}
	srv, addr, err := startServerBin(srvBin, false)
	if err != nil {
		return nil, err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	flag := tempFlag()
	defer os.Remove(flag)
	cli, err := start(cliBin, "-addr", addr, "-scenario", o.scenario, "-wait-file", flag, "-sleep-after", "300ms")
	if err != nil {
		return nil, err
	}
	defer cli.stop(syscall.SIGKILL, time.Second)
	pid := srv.pid()
	if o.side == "client" {
		pid = cli.pid()
	}
	tool, err := startToolIn(o.mode, toolStartTimeout, append([]string{"-p", fmt.Sprint(pid)}, o.args...)...)
	if err != nil {
		return nil, err
	}
	defer tool.stop(syscall.SIGKILL, time.Second)
	if err := os.WriteFile(flag, nil, 0o600); err != nil {
		return nil, err
	}
	cliErr := cli.wait(60 * time.Second)
	toolErr := endTool(tool, 15*time.Second)
	res := &decodeResult{toolErr: tool.errText()}
	if cliErr != nil {
		return res, fmt.Errorf("%s failed: %v; %s", cliBin, cliErr, cli.errText())
	}
	if toolErr != nil {
		return res, fmt.Errorf("gogrpctrace exited with %v: %s", toolErr, tool.errText())
	}
	if res.calls, err = parsePBClient(cli.lines()); err != nil {
		return res, err
	}
	if o.mode == "text" {
		res.text = tool.lines()
		return res, nil
	}
	res.rpcs, res.events, err = parseDecodedTool(tool.lines())
	return res, err
}

// decodeCheckRun: one full run, every call and message compared.
func decodeCheckRun(o decodeOpts) error {
	r, err := decodeRun(o)
	if err != nil {
		return err
	}
	if err := checkDecoded(o.side, r.calls, r.rpcs, r.events, true); err != nil {
		return fmt.Errorf("%v; tool stderr: %s", err, lastLines(r.toolErr, 5))
	}
	for _, c := range r.calls {
		if c.Compressor == "gzip" {
			return nil
		}
	}
	return fmt.Errorf("pbclient made no gzip-compressed call: nothing decoded after gunzip")
}

// The call of pbclient's "text" scenario in protobuf text format, one
// line, as the decoder writes it: fields in wire order (Go writes them in
// field number order), every byte outside printable ASCII escaped in
// octal or C style. tests/targets/internal/kitchen/data.go has the JSON.
const (
	textRequest = `{id: "text-1" scalars {int32_field: -1 int64_field: -5 bool_field: true ` +
		`string_field: "caf\303\251 \"x\"\n" bytes_field: "\000\377"} ` +
		`repeats {int32s: 1 int32s: 2 courses: MAIN courses: 99} card: "x" table: 7 course: 99}`
	textResponse = `{id: "text-1" course: DESSERT dishes {name: "tart" spice: VOLCANIC ` +
		`garnishes {name: "mint" grams: -3}} totals {key: "net" value: -7} ` +
		`rejected_because: "no \"tart\"\nleft"}`
)

// decodeText: text mode prints the decoded request and response under the
// call's row.
func decodeText(c cell) error {
	r, err := decodeRun(decodeOpts{cell: c, gen: "new", side: "server", scenario: "text", mode: "text",
		args: []string{"--payload=1024"}})
	if err != nil {
		return err
	}
	// The default row shows the method as "Kitchen/Order".
	return checkTextLines(r.text, shortMethod("/gogrpctrace.test.kitchen.Kitchen/Order", 16), textRequest, textResponse)
}

// checkTextLines finds the row of method and the request:/response: lines
// indented under it (before the next row), and compares them exactly.
func checkTextLines(lines []string, method, wantReq, wantResp string) error {
	row := -1
	for i, l := range lines {
		if !strings.HasPrefix(l, " ") && strings.Contains(l, method) {
			row = i
			break
		}
	}
	if row < 0 {
		return fmt.Errorf("no row of %s in the text output:\n%s", method, strings.Join(lines, "\n"))
	}
	got := map[string]string{}
	for _, l := range lines[row+1:] {
		if !strings.HasPrefix(l, " ") {
			break
		}
		t := strings.TrimLeft(l, " ")
		for _, k := range []string{"request: ", "response: "} {
			if strings.HasPrefix(t, k) {
				got[k] = strings.TrimPrefix(t, k)
			}
		}
	}
	for _, w := range []struct{ key, want string }{{"request: ", wantReq}, {"response: ", wantResp}} {
		g, ok := got[w.key]
		if !ok {
			return fmt.Errorf("no %q line under the row:\n%s", w.key, strings.Join(lines[row:], "\n"))
		}
		if g != w.want {
			return fmt.Errorf("%s\n got %s\nwant %s", strings.TrimSpace(w.key), g, w.want)
		}
	}
	return nil
}

// decodeTruncated: with --payload=20 the first 20 bytes of each message
// are decoded as far as they go: marked truncated, and every value shown
// is the client's, or (the last one reached) a prefix of it.
func decodeTruncated(c cell) error {
	r, err := decodeRun(decodeOpts{cell: c, gen: "new", side: "server", scenario: "order", mode: "json",
		args: []string{"--payload=20"}})
	if err != nil {
		return err
	}
	if len(r.calls) != 1 || len(r.rpcs) != 1 {
		return fmt.Errorf("%d calls, %d traced; want 1 and 1", len(r.calls), len(r.rpcs))
	}
	return checkTruncated(r.calls[0], r.rpcs[0])
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}
