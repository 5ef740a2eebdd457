// Package netaddr opens the test programs' connections the way the
// peer tests need them: a listener on TCP ("host:port") or on a unix
// socket ("unix:/path", "unix:@name" for the abstract namespace), its
// accepted connections optionally wrapped in a cmux-style multiplexer's
// connection (MuxConn), and each connection's two addresses printed as a
// JSON line, so a test can compare the tracer's peer and local with what
// the program itself was told.
package netaddr

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"gogrpctrace/tests/targets/records"
)

// Split turns an address flag into net.Listen's or net.Dial's network
// and address: "unix:PATH" is a unix socket, anything else TCP.
func Split(addr string) (network, address string) {
	if strings.HasPrefix(addr, "unix:") {
		return "unix", strings.TrimPrefix(addr, "unix:")
	}
	return "tcp", addr
}

// Text is an address as gogrpctrace prints it: "unix:" and the socket's
// name for a unix socket (Go names an unnamed end "" or "@"), host:port
// otherwise.
func Text(a net.Addr) string {
	if a == nil {
		return ""
	}
	if a.Network() == "unix" {
		return "unix:" + a.String()
	}
	return a.String()
}

var logMu sync.Mutex

// LogConn prints c's addresses (Text) as a conn line on stdout.
func LogConn(side string, c net.Conn) {
	b, _ := json.Marshal(records.Conn{Type: "conn", Side: side, Local: Text(c.LocalAddr()), Remote: Text(c.RemoteAddr())})
	logMu.Lock()
	defer logMu.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

// Listen listens on addr (see Split). With mux, every accepted connection
// is a *MuxConn; with log, each is printed (LogConn) when accepted.
func Listen(addr string, mux, log bool) (net.Listener, error) {
	network, address := Split(addr)
	lis, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	if !mux && !log {
		return lis, nil
	}
	return &listener{Listener: lis, mux: mux, log: log}, nil
}

// Dialer dials addr (see Split) whatever address it is asked for, for a
// gRPC client's WithContextDialer; with log, each connection is printed.
func Dialer(addr string, log bool) func(context.Context, string) (net.Conn, error) {
	network, address := Split(addr)
	return func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, address)
		if err == nil && log {
			LogConn("client", c)
		}
		return c, err
	}
}

type listener struct {
	net.Listener
	mux, log bool
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.log {
		LogConn("server", c)
	}
	if pairConns {
		return &pairConn{Conn: c, upstream: c}, nil
	}
	if !l.mux {
		return c, nil
	}
	return Sniff(c), nil
}

// pairConn holds two connections, as a proxy holds its two ends: which
// one is "the" connection cannot be told from the type, so gogrpctrace
// must not unwrap it (--inspect names it among the wrappers not used).
// It is handed out only with GOGRPCTRACE_PAIR_CONN set, which no test
// does: compiling the conversion is what puts its itab in the binary.
type pairConn struct {
	net.Conn
	upstream net.Conn
}

var pairConns = os.Getenv("GOGRPCTRACE_PAIR_CONN") != ""

// MuxConn is the shape of the connection a cmux-style multiplexer hands
// its listeners (cmux's MuxConn): the accepted net.Conn embedded, and the
// bytes read to choose a listener kept for the first Reads.
type MuxConn struct {
	net.Conn
	peeked []byte
}

// Sniff reads the first bytes the client sends (every protocol served
// here starts with the client), as a multiplexer does to match them, and
// returns the connection that gives them back first.
func Sniff(c net.Conn) *MuxConn {
	buf := make([]byte, 8)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.ReadAtLeast(c, buf, 1)
	c.SetReadDeadline(time.Time{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "netaddr: sniff: %v\n", err)
	}
	return &MuxConn{Conn: c, peeked: buf[:n]}
}

func (m *MuxConn) Read(p []byte) (int, error) {
	if len(m.peeked) > 0 {
		n := copy(p, m.peeked)
		m.peeked = m.peeked[n:]
		return n, nil
	}
	return m.Conn.Read(p)
}
