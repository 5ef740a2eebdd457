// Command h2proxy forwards TCP connections to one address and records
// every HTTP/2 frame that passes, both ways, as one JSON line each: what
// was really on the wire, for the tests to hold gogrpctrace's account
// against. Cleartext HTTP/2 only (h2c with prior knowledge); with -raw it
// parses nothing and only forwards (for TLS).
//
// Flags: -target HOST:PORT (required), -addr (default 127.0.0.1:0),
// -out FILE (required). Prints "listening HOST:PORT" once it listens;
// runs until killed.
//
// Each connection is first recorded with its two addresses: the client's
// (as the client sees itself) and the proxy's own on the way to the
// target (as the server sees its peer):
//
//	{"t_ns":...,"conn":1,"type":"CONN","client":"127.0.0.1:5000","upstream":"127.0.0.1:5001"}
//
// then each frame:
//
//	{"t_ns":...,"conn":1,"dir":"c2s","type":"DATA","flags":1,"stream":1,"len":12,
//	 "end_stream":true,"msgs":[7]}
//
// dir is c2s (client to server) or s2c. HEADERS records carry the
// decoded pseudo-headers and grpc-status/grpc-message they hold (path,
// status, grpc_status, grpc_message; grpc_status -1 when absent); DATA
// records carry "msgs", the lengths of the gRPC messages whose 5-byte
// prefix ended in this frame (a message spanning frames is listed once,
// where its prefix is); RST_STREAM and GOAWAY records carry "code".
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/http2/hpack"
)

const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

var frameTypes = map[byte]string{
	0: "DATA", 1: "HEADERS", 2: "PRIORITY", 3: "RST_STREAM", 4: "SETTINGS",
	5: "PUSH_PROMISE", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE", 9: "CONTINUATION",
}

type record struct {
	TNs         int64   `json:"t_ns"`
	Conn        int     `json:"conn"`
	Dir         string  `json:"dir"`
	Type        string  `json:"type"`
	Flags       byte    `json:"flags"`
	Stream      uint32  `json:"stream"`
	Len         int     `json:"len"`
	EndStream   bool    `json:"end_stream,omitempty"`
	Code        *uint32 `json:"code,omitempty"`
	Path        string  `json:"path,omitempty"`
	Status      string  `json:"status,omitempty"`
	GrpcStatus  *int    `json:"grpc_status,omitempty"`
	GrpcMessage string  `json:"grpc_message,omitempty"`
	Msgs        []int   `json:"msgs,omitempty"`
	Client      string  `json:"client,omitempty"`
	Upstream    string  `json:"upstream,omitempty"`
}

type sink struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (s *sink) put(r *record) {
	b, _ := json.Marshal(r)
	s.mu.Lock()
	s.w.Write(append(b, '\n'))
	s.w.Flush()
	s.mu.Unlock()
}

// msgState follows gRPC's length-prefixed messages through the DATA
// frames of one stream, one way.
type msgState struct {
	prefix []byte // bytes of the current prefix seen so far
	left   uint64 // message bytes still to come
}

func (m *msgState) feed(b []byte) []int {
	var done []int
	for len(b) > 0 {
		if m.left > 0 {
			n := uint64(len(b))
			if n > m.left {
				n = m.left
			}
			m.left -= n
			b = b[n:]
			continue
		}
		need := 5 - len(m.prefix)
		if need > len(b) {
			need = len(b)
		}
		m.prefix = append(m.prefix, b[:need]...)
		b = b[need:]
		if len(m.prefix) == 5 {
			n := binary.BigEndian.Uint32(m.prefix[1:])
			done = append(done, int(n))
			m.left = uint64(n)
			m.prefix = m.prefix[:0]
		}
	}
	return done
}

// parser reads the frames of one direction of one connection.
type parser struct {
	conn   int
	dir    string
	out    *sink
	dec    *hpack.Decoder
	fields map[string]string
	msgs   map[uint32]*msgState
	block  *record // HEADERS waiting for its CONTINUATIONs
	hbuf   []byte
}

func (p *parser) headersDone(r *record) {
	p.fields = map[string]string{}
	if _, err := p.dec.Write(p.hbuf); err == nil {
		p.dec.Close()
	}
	r.Path = p.fields[":path"]
	r.Status = p.fields[":status"]
	if v, ok := p.fields["grpc-status"]; ok {
		n, _ := strconv.Atoi(v)
		r.GrpcStatus = &n
	}
	r.GrpcMessage = p.fields["grpc-message"]
	p.hbuf = p.hbuf[:0]
	p.out.put(r)
}

func (p *parser) frame(h [9]byte, body []byte) {
	length := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
	typ, flags := h[3], h[4]
	sid := binary.BigEndian.Uint32(h[5:]) & 0x7fffffff
	name, ok := frameTypes[typ]
	if !ok {
		name = fmt.Sprintf("0x%x", typ)
	}
	r := &record{TNs: time.Now().UnixNano(), Conn: p.conn, Dir: p.dir, Type: name, Flags: flags,
		Stream: sid, Len: length}
	// Padding (PADDED, 0x8) on DATA and HEADERS; priority (0x20) on HEADERS.
	payload := body
	if (typ == 0 || typ == 1) && flags&0x8 != 0 && len(payload) > 0 {
		pad := int(payload[0])
		payload = payload[1:]
		if pad <= len(payload) {
			payload = payload[:len(payload)-pad]
		}
	}
	switch typ {
	case 0:
		r.EndStream = flags&0x1 != 0
		st := p.msgs[sid]
		if st == nil {
			st = &msgState{}
			p.msgs[sid] = st
		}
		r.Msgs = st.feed(payload)
		p.out.put(r)
	case 1:
		r.EndStream = flags&0x1 != 0
		if flags&0x20 != 0 && len(payload) >= 5 {
			payload = payload[5:]
		}
		p.hbuf = append(p.hbuf[:0], payload...)
		if flags&0x4 != 0 {
			p.headersDone(r)
		} else {
			p.block = r
		}
	case 9:
		p.hbuf = append(p.hbuf, payload...)
		if flags&0x4 != 0 && p.block != nil {
			p.headersDone(p.block)
			p.block = nil
		}
	case 3:
		if len(payload) >= 4 {
			c := binary.BigEndian.Uint32(payload)
			r.Code = &c
		}
		p.out.put(r)
	case 7:
		if len(payload) >= 8 {
			c := binary.BigEndian.Uint32(payload[4:])
			r.Code = &c
		}
		p.out.put(r)
	default:
		p.out.put(r)
	}
}

// pipe copies src to dst; unless raw, it parses what it copies. Each
// frame is recorded before it is forwarded, so its time is never later
// than the peer's reading of it.
//
// When src ends, dst gets a half-close (FIN), as a peer's close would give
// it; when dst can take no more, src is still read to its end. Either way
// neither program gets a TCP reset from the proxy, which would throw away
// what it had received and not yet read (the last RST_STREAM a client sent
// before closing, say), so what was recorded is what the program can read.
func pipe(dst, src net.Conn, p *parser, raw bool, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	defer func() {
		if t, ok := dst.(*net.TCPConn); ok {
			t.CloseWrite()
		}
	}()
	defer io.Copy(io.Discard, src)
	if raw {
		io.Copy(dst, src)
		return
	}
	rd := bufio.NewReaderSize(src, 1<<16)
	if p.dir == "c2s" {
		pre := make([]byte, len(preface))
		if _, err := io.ReadFull(rd, pre); err != nil {
			return
		}
		if _, err := dst.Write(pre); err != nil {
			return
		}
	}
	for {
		var h [9]byte
		if _, err := io.ReadFull(rd, h[:]); err != nil {
			return
		}
		n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		body := make([]byte, n)
		if _, err := io.ReadFull(rd, body); err != nil {
			return
		}
		p.frame(h, body)
		if _, err := dst.Write(append(h[:], body...)); err != nil {
			return
		}
	}
}

func serve(c net.Conn, id int, target string, out *sink, raw bool) {
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		fmt.Fprintf(os.Stderr, "h2proxy: dial %s: %v\n", target, err)
		return
	}
	defer s.Close()
	out.put(&record{TNs: time.Now().UnixNano(), Conn: id, Type: "CONN",
		Client: c.RemoteAddr().String(), Upstream: s.LocalAddr().String()})
	mk := func(dir string) *parser {
		p := &parser{conn: id, dir: dir, out: out, msgs: map[uint32]*msgState{}}
		p.dec = hpack.NewDecoder(4096, func(f hpack.HeaderField) { p.fields[f.Name] = f.Value })
		return p
	}
	done := make(chan struct{}, 2)
	go pipe(s, c, mk("c2s"), raw, done)
	go pipe(c, s, mk("s2c"), raw, done)
	// Each way ends with its source's end (a half-close passed on); the
	// connections close when both have.
	<-done
	<-done
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	target := flag.String("target", "", "address to forward to")
	outPath := flag.String("out", "", "file for the frame records")
	raw := flag.Bool("raw", false, "forward only, parse nothing (TLS)")
	flag.Parse()
	if *target == "" || *outPath == "" {
		fmt.Fprintln(os.Stderr, "h2proxy: -target and -out are required")
		os.Exit(2)
	}
	f, err := os.Create(*outPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "h2proxy:", err)
		os.Exit(2)
	}
	out := &sink{w: bufio.NewWriter(f)}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "h2proxy:", err)
		os.Exit(2)
	}
	fmt.Println("listening", ln.Addr())
	for id := 1; ; id++ {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go serve(c, id, *target, out, *raw)
	}
}
