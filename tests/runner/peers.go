package main

// Runtime tests: peers for every connection kind (issue #14, item 6).
//
//   peers/<cell>/unix/<side>           grpcserver on a unix socket path, traced on
//                                      one side; peer and local exactly what the
//                                      programs were told ("unix:PATH"; Go names an
//                                      unnamed end "@", so "unix:@")
//   peers/<cell>/unix-abstract/<side>  the same on an abstract socket ("unix:@NAME")
//   peers/<cell>/unix/<mode>/server    h2server on a unix socket, HTTP/1.1 and
//                                      net/http's HTTP/2 over TLS
//   peers/unix-hostile-name/client     an abstract socket whose name holds ESC,
//                                      BEL and DEL, traced on the client: exact in
//                                      JSON, escaped in text
//   peers/<cell>/mux/grpc[-tls]/server grpcserver whose accepted connections are
//                                      wrapped as a cmux-style multiplexer does
//                                      (a struct embedding net.Conn), with TLS over
//                                      the wrapper or without
//   peers/<cell>/mux/<mode>/server     h2server behind the same wrapper: net/http's
//                                      HTTP/2 over TLS (tls.Conn over the wrapper,
//                                      the etcd case), x/net h2c (h2c's bufConn over
//                                      it), HTTP/1.1
//   peers/<cell>/mux-unknown/server    the same wrapper in a stripped h2server (no
//                                      DWARF: the wrapper cannot be found): peer
//                                      unknown, `?` in text, never `-` nor a guess
//   peers/wrappers/<cell> (unit)       --inspect's conn_wrappers of grpcserver:
//                                      netaddr.MuxConn found, at offset 0;
//                                      netaddr.pairConn (two net.Conn members)
//                                      not used, with the reason; none in the
//                                      -s -w build, with the reason
//
// The programs print each connection's two addresses ({"type":"conn"},
// -log-conns); every traced call must carry one connection's pair exactly.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gogrpctrace/tests/targets/records"
)

func init() { extraRegistrations = append(extraRegistrations, registerPeers) }

// records.Conn is a -log-conns line of the test programs.

// tracedAddrs is what the peer tests read of an rpc or http line.
type tracedAddrs struct {
	Type  string  `json:"type"`
	Side  string  `json:"side"`
	Peer  *string `json:"peer"`
	Local *string `json:"local"`
	TLS   bool    `json:"tls"`
	Stack string  `json:"stack"`
}

func connLines(lines []string, side string) []records.Conn {
	var out []records.Conn
	for _, l := range lines {
		var c records.Conn
		if json.Unmarshal([]byte(l), &c) == nil && c.Type == "conn" && c.Side == side {
			out = append(out, c)
		}
	}
	return out
}

// checkAddrs: at least min lines of kind typ, each with a peer and local
// equal to one connection's (remote, local), and TLS as expected.
func checkAddrs(t *tracedProcs, typ string, conns []records.Conn, min int, tls bool) error {
	if len(conns) == 0 {
		return fmt.Errorf("the traced program printed no connection")
	}
	n := 0
	for _, l := range t.toolLines {
		var a tracedAddrs
		if json.Unmarshal([]byte(l), &a) != nil || a.Type != typ {
			continue
		}
		n++
		if a.Peer == nil || a.Local == nil {
			return fmt.Errorf("peer or local null: %s", l)
		}
		found := false
		for _, c := range conns {
			found = found || (*a.Peer == c.Remote && *a.Local == c.Local)
		}
		if !found {
			return fmt.Errorf("peer %q local %q: no such connection (the program saw %+v): %s", *a.Peer, *a.Local, conns, l)
		}
		if a.TLS != tls {
			return fmt.Errorf("tls %v, want %v: %s", a.TLS, tls, l)
		}
	}
	if n < min {
		return fmt.Errorf("%d %s lines, want at least %d: %s", n, typ, min, strings.Join(t.toolLines, "\n"))
	}
	return nil
}

func peersUnix(c cell, side string, abstract bool) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-peers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr := "unix:" + filepath.Join(dir, "echo.sock")
	if abstract {
		addr = "unix:@" + filepath.Base(dir)
	}
	t, err := traceProcs(targetBin(c, "grpcserver"), []string{"-addr", addr, "-log-conns"},
		targetBin(c, "grpcclient"), []string{"-scenario", "unary", "-log-conns"}, side, nil)
	if err != nil {
		return err
	}
	if t.addr != addr {
		return fmt.Errorf("the server listens on %q, not %q", t.addr, addr)
	}
	if side == "server" {
		return checkAddrs(t, "rpc", connLines(t.srvLines, "server"), 1, false)
	}
	// The client knows the path it dialed: that is its peer.
	conns := connLines(t.cliLines, "client")
	for _, cl := range conns {
		if cl.Remote != addr {
			return fmt.Errorf("the client's connection has remote %q, not the dialed %q", cl.Remote, addr)
		}
	}
	return checkAddrs(t, "rpc", conns, 1, false)
}

func peersUnixHTTP(c cell, m httpMode) error {
	dir, err := os.MkdirTemp("", "gogrpctrace-peers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr := "unix:" + filepath.Join(dir, "http.sock")
	t, err := traceProcs(targetBin(c, "h2server"), append([]string{"-addr", addr, "-log-conns"}, m.server...),
		targetBin(c, "h2client"), append([]string{"-scenario", "basic"}, m.client...), "server", nil)
	if err != nil {
		return err
	}
	return checkAddrs(t, "http", connLines(t.srvLines, "server"), 1, m.tls)
}

// A socket's name is the target's text like any other: escaped in text
// output, exact (JSON-escaped) in JSON.
func peersHostileName(c cell) error {
	// No line feed: the server's "listening" line carries the name.
	name := fmt.Sprintf("gg-%d-\x1b]0;pwn\x07\x1b[31m\x7fX", os.Getpid())
	addr := "unix:@" + name
	t, err := traceProcs(targetBin(c, "grpcserver"), []string{"-addr", addr},
		targetBin(c, "grpcclient"), []string{"-scenario", "unary", "-log-conns"}, "client", nil)
	if err != nil {
		return err
	}
	if err := checkAddrs(t, "rpc", connLines(t.cliLines, "client"), 1, false); err != nil {
		return err
	}
	t, err = traceProcsIn("text", targetBin(c, "grpcserver"), []string{"-addr", addr + "2"},
		targetBin(c, "grpcclient"), []string{"-scenario", "unary"}, "client", nil)
	if err != nil {
		return err
	}
	want := `unix:@` + strings.NewReplacer("\x1b", `\x1b`, "\x07", `\x07`, "\x7f", `\x7f`).Replace(name) + "2"
	n := 0
	for _, l := range t.toolLines {
		if strings.ContainsAny(l, "\x1b\x07\x7f") {
			return fmt.Errorf("a control byte reached the terminal: %q", l)
		}
	}
	rows, _, err := textRows(t.toolLines)
	if err != nil {
		return err
	}
	// The column shows the escaped address, or ".." and its end.
	for _, r := range rows {
		if r["SIDE"] == "cli" {
			n++
			if r["PEER"] != fitted(want, 21) {
				return fmt.Errorf("peer column %q, want %q", r["PEER"], fitted(want, 21))
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("no call line: %q", t.toolLines)
	}
	return nil
}

func peersMuxGRPC(c cell, tls bool) error {
	srvArgs, cliArgs := []string{"-mux", "-log-conns"}, []string{"-scenario", "unary"}
	if tls {
		srvArgs, cliArgs = append(srvArgs, "-tls"), append(cliArgs, "-tls")
	}
	t, err := traceProcs(targetBin(c, "grpcserver"), srvArgs, targetBin(c, "grpcclient"), cliArgs, "server", nil)
	if err != nil {
		return err
	}
	return checkAddrs(t, "rpc", connLines(t.srvLines, "server"), 1, tls)
}

func peersMuxHTTP(c cell, m httpMode) error {
	t, err := traceProcs(targetBin(c, "h2server"), append([]string{"-mux", "-log-conns"}, m.server...),
		targetBin(c, "h2client"), append([]string{"-scenario", "basic"}, m.client...), "server", nil)
	if err != nil {
		return err
	}
	return checkAddrs(t, "http", connLines(t.srvLines, "server"), 1, m.tls)
}

// A wrapper the tool cannot find (no DWARF in the binary): the peer is
// unknown, "?" in text and null in JSON, never "-" (not learned) nor a
// wrong value.
func peersMuxUnknown(c cell) error {
	bin, err := variantBin(c, "h2server", "strip")
	if err != nil {
		return err
	}
	cli := targetBin(c, "h2client")
	t, err := traceProcsIn("json", bin, []string{"-mux", "-tls"}, cli, []string{"-scenario", "basic", "-tls"}, "server", nil)
	if err != nil {
		return err
	}
	n := 0
	for _, l := range t.toolLines {
		var a tracedAddrs
		if json.Unmarshal([]byte(l), &a) != nil || a.Type != "http" {
			continue
		}
		n++
		if a.Peer != nil || a.Local != nil {
			return fmt.Errorf("peer %v local %v through a wrapper the tool cannot read, want null: %s", a.Peer, a.Local, l)
		}
	}
	if n == 0 {
		return fmt.Errorf("no http line: %s", strings.Join(t.toolLines, "\n"))
	}
	t, err = traceProcsIn("text", bin, []string{"-mux", "-tls"}, cli, []string{"-scenario", "basic", "-tls"}, "server", nil)
	if err != nil {
		return err
	}
	n = 0
	rows, _, err := textRows(t.toolLines)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r["SIDE"] != "srv" {
			continue
		}
		n++
		if r["PEER"] != "?" {
			return fmt.Errorf("peer column %q, want ?: %v", r["PEER"], r)
		}
	}
	if n == 0 {
		return fmt.Errorf("no call line: %s", strings.Join(t.toolLines, "\n"))
	}
	return nil
}

const netaddrPkg = "gogrpctrace/tests/targets/internal/netaddr."

func peersWrappers(c cell) error {
	js, _, err := runInspectJSON(toolPath, targetBin(c, "grpcserver"))
	if err != nil {
		return err
	}
	w := js.Wrappers
	if w == nil || w.Why != nil {
		return fmt.Errorf("conn_wrappers %+v: want some found", w)
	}
	mux := 0
	for _, f := range w.Found {
		switch f.Type {
		case netaddrPkg + "MuxConn":
			mux++
			if f.Offset != 0 {
				return fmt.Errorf("MuxConn's net.Conn at %d, want 0 (embedded first)", f.Offset)
			}
		case netaddrPkg + "pairConn":
			return fmt.Errorf("pairConn used although it holds two net.Conns")
		}
	}
	if mux != 1 {
		return fmt.Errorf("MuxConn found %d times, want once: %+v", mux, w.Found)
	}
	refused := false
	for _, n := range w.NotUsed {
		refused = refused || strings.HasPrefix(n, netaddrPkg+"pairConn: 2 members of type net.Conn")
	}
	if !refused {
		return fmt.Errorf("pairConn not named among the wrappers not used: %q", w.NotUsed)
	}
	js, _, err = runInspectJSON(toolPath, filepath.Join(targetsDir, c.name, "sw", "grpcserver"))
	if err != nil {
		return err
	}
	if w := js.Wrappers; w == nil || len(w.Found) != 0 || w.Why == nil || !strings.Contains(*w.Why, "no DWARF") {
		return fmt.Errorf("-s -w build: conn_wrappers %+v, want none found because there is no DWARF", w)
	}
	return nil
}

func registerPeers() {
	register("runtime", "peers/unix-hostile-name/client", true, func() error { return peersHostileName(cells[0]) })
	for _, c := range cells {
		c := c
		register("unit", "peers/wrappers/"+c.name, false, func() error { return peersWrappers(c) })
	}
	// Traced at the two ends of the matrix: the reading code is one for
	// every cell, and the unit cases above check each cell's wrappers.
	for _, c := range newestAndOldest("peers") {
		c := c
		for _, side := range []string{"server", "client"} {
			side := side
			register("runtime", "peers/"+c.name+"/unix/"+side, true, func() error { return peersUnix(c, side, false) })
			register("runtime", "peers/"+c.name+"/unix-abstract/"+side, true, func() error { return peersUnix(c, side, true) })
		}
		for _, name := range []string{"h1", "h2-tls"} {
			m := cellModeNamed(c, name)
			register("runtime", "peers/"+c.name+"/unix/"+name+"/server", true, func() error { return peersUnixHTTP(c, m) })
		}
		for _, tls := range []bool{false, true} {
			tls, name := tls, "grpc"
			if tls {
				name = "grpc-tls"
			}
			register("runtime", "peers/"+c.name+"/mux/"+name+"/server", true, func() error { return peersMuxGRPC(c, tls) })
		}
		for _, name := range []string{"h2-tls", "h2c", "h1"} {
			m := cellModeNamed(c, name)
			register("runtime", "peers/"+c.name+"/mux/"+name+"/server", true, func() error { return peersMuxHTTP(c, m) })
		}
		register("runtime", "peers/"+c.name+"/mux-unknown/server", true, func() error { return peersMuxUnknown(c) })
	}
}
