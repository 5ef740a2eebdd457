package main

// Terminal-safe text output: whatever bytes a peer of the traced program
// chooses — a grpc-message with ESC sequences, BEL, CR and LF; metadata
// and a :path with C1 controls and bytes that are not UTF-8; a payload
// with escapes — reach the terminal escaped, in text mode with -v. The
// server is grpcserver -tls; the calls come from rawGRPC, which sends what
// grpc-go's client would refuse. Columns still line up for normal values.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

func init() { extraRegistrations = append(extraRegistrations, registerTermsafe) }

func registerTermsafe() {
	register("runtime", "termsafe/hostile-text", true, func() error { return termsafe(cells[0]) })
}

// The grpc-message the server is asked to return (x-want-message-bin lets
// any bytes through: grpc-go percent-encodes them on the wire, the tool
// decodes them). CSI colour, an OSC window title ended by BEL, a bare BEL,
// CR and LF (a forged line), a C1 CSI in UTF-8, DEL, a tab, a backslash.
const hostileMessage = "red \x1b[31mRED\x1b[0m title \x1b]0;pwned title\x07 bell \x07 cr \r" +
	"lf \n16:00:00 forged line c1 \xc2\x9b31m del \x7f tab \t slash \\ ok ✓"

// Plain metadata may carry bytes above 0x7f (HTTP/2 and grpc-go let them
// through; C0 controls and DEL they refuse): a C1 CSI and non-UTF-8 bytes.
const hostileValue = "c1 \xc2\x9b31m bidi \u202e reversed \xff\xfe not utf-8"

// A :path that is no method, as hostile as HTTP/2 allows.
const hostilePath = "/gogrpctrace.test.Echo\xc2\x9b2J\xff/Unary"

// A message whose bytes -v --payload shows.
const hostilePayload = "pay\x1b[2Jload\x07\x00\x9b"

// termEscape is the escaping the tool promises (tool/termtext.h), written
// again here from its description.
func termEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		case c < 0x80:
			b.WriteByte(c)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		i++
	}
	return b.String()
}

// rawOut collects a program's stdout byte for byte (the runner's line
// reader would drop a CR before LF, one of the bytes looked for).
type rawOut struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *rawOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *rawOut) bytes() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]byte(nil), o.buf.Bytes()...)
}

func termsafe(c cell) error {
	if got := termEscape(hostileMessage); strings.ContainsAny(got, "\x1b\x07\r\n\x7f") {
		return fmt.Errorf("the test's own escaping leaves control bytes: %q", got)
	}
	srv, addr, err := startServer(c, true)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	var out, errOut rawOut
	tool := exec.Command(toolPath, "-v", "-w", "--payload=64", "-p", fmt.Sprint(srv.pid()))
	tool.Stdout, tool.Stderr = &out, &errOut
	if err := tool.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- tool.Wait() }()
	defer func() {
		_ = tool.Process.Kill()
		<-done
	}()
	for deadline := time.Now().Add(toolStartTimeout); !bytes.Contains(out.bytes(), []byte("Ctrl-C to end.")); {
		if time.Now().After(deadline) {
			return fmt.Errorf("the tool did not start; stderr: %s", errOut.bytes())
		}
		time.Sleep(50 * time.Millisecond)
	}

	g := newRawGRPC(addr)
	defer g.close()
	// 1. An error whose grpc-message is hostile, with hostile metadata and payload.
	r, err := g.call("/gogrpctrace.test.Echo/Unary", map[string]string{
		"x-want-code": "13", "x-want-message-bin": base64.StdEncoding.EncodeToString([]byte(hostileMessage)),
		"x-evil": hostileValue}, []byte(hostilePayload))
	if err != nil {
		return fmt.Errorf("call 1: %v", err)
	}
	// The server really sent it: else this test would prove nothing.
	if r.code != 13 || r.message != hostileMessage {
		return fmt.Errorf("call 1: the server answered %d %q, want 13 %q", r.code, r.message, hostileMessage)
	}
	// 2. A hostile :path: grpc-go answers UNIMPLEMENTED, naming the service.
	r, err = g.call(hostilePath, nil, []byte("x"))
	if err != nil {
		return fmt.Errorf("call 2: %v", err)
	}
	if r.code != 12 {
		return fmt.Errorf("call 2: status %d %q, want 12 (UNIMPLEMENTED)", r.code, r.message)
	}
	// 3. A normal call (its row checks the columns), echoing a hostile payload.
	if r, err = g.call("/gogrpctrace.test.Echo/Unary", nil, []byte(hostilePayload)); err != nil || r.code != 0 {
		return fmt.Errorf("call 3: %v %+v", err, r)
	}
	time.Sleep(500 * time.Millisecond) // events are drained on a timer
	_ = tool.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
		done <- nil // for the deferred wait
	case <-time.After(15 * time.Second):
		return fmt.Errorf("the tool did not end after SIGINT")
	}
	return checkTermsafe(out.bytes(), errOut.bytes())
}

func checkTermsafe(stdout, stderr []byte) error {
	text := string(stdout)
	show := func() string {
		if len(text) > 6000 {
			return text[:6000] + "..."
		}
		return text
	}
	// Nothing raw: no C0 control but the tool's own line feeds, no DEL,
	// no C1 control, nothing that is not UTF-8.
	for i, b := range stdout {
		if (b < 0x20 && b != '\n') || b == 0x7f {
			return fmt.Errorf("raw byte 0x%02x at offset %d of stdout: %q", b, i, show())
		}
	}
	if !utf8.Valid(stdout) {
		return fmt.Errorf("stdout is not UTF-8: %q", show())
	}
	for i, r := range text {
		if (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) {
			return fmt.Errorf("raw U+%04X at offset %d of stdout: %q", r, i, show())
		}
	}
	// And every hostile value is there, escaped.
	for _, want := range []string{
		"grpc-message: " + termEscape(hostileMessage), // the call's line
		`\x1b[31mRED\x1b[0m`, `\x1b]0;pwned title\x07`, ` cr \rlf \n16:00:00`, `\u009b31m`,
		"x-evil: " + termEscape(hostileValue), // -v, request headers
		":path: " + termEscape(hostilePath),   // -v, request headers
		// -v: the raw codec's message, not in the program's descriptors
		`msg: (raw: method not in the program's protobuf descriptors) "` + termEscape(hostilePayload) + `"`,
	} {
		if !strings.Contains(text, want) {
			return fmt.Errorf("stdout lacks %q:\n%s\nstderr: %s", want, show(), stderr)
		}
	}
	// Columns: every row lines up with the header (-w: the method in
	// full), the hostile :path's row too.
	rows, wide, err := textRows(strings.Split(text, "\n"))
	if err != nil || !wide {
		return fmt.Errorf("rows (wide %v): %v\n%s", wide, err, show())
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r["STATUS"]+" "+r["METHOD"]] = true
	}
	for _, want := range []string{"OK /gogrpctrace.test.Echo/Unary", "UNIMPLEMENTED " + termEscape(hostilePath),
		"INTERNAL /gogrpctrace.test.Echo/Unary"} {
		if !seen[want] {
			return fmt.Errorf("no row with STATUS and METHOD %q: %v\n%s", want, rows, show())
		}
	}
	return nil
}
