package main

// payload-frames: with --payload=N -v, every message of every call is
// copied, both ways, put together across DATA frames when it spans them,
// up to N bytes. The echo service's messages are "abcd..." (byte i is
// 'a'+i%26), and ClientStream answers with the decimal byte total, so each
// message event's bytes are known from its length alone. Checked on
// grpc-go's own transport (sent messages come whole from one probe,
// received ones from DATA frames) and through ServeHTTP (both ways from
// DATA frames, net/http's and x/net's), at N = 16 KiB (the 1 and 4 MiB
// messages span many frames) and at a small N.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerPayloadFrames) }

func registerPayloadFrames() {
	newest, debian := cells[0], cells[len(cells)-1]
	for _, c := range []cell{newest, debian} {
		for _, side := range []string{"server", "client"} {
			c, side := c, side
			register("runtime", "payload-frames/"+c.name+"/"+side, true, func() error {
				return payloadFrames(c, "grpc-go", side, 16384)
			})
		}
	}
	for _, mode := range []string{"grpc-tls", "grpc-h2c"} {
		mode := mode
		register("runtime", "payload-frames/"+newest.name+"/"+mode, true, func() error {
			return payloadFrames(newest, mode, "server", 16384)
		})
	}
	register("unit", "payload-frames/assembly", false, func() error {
		if err := runCheck("check-msgasm"); err != nil {
			return err
		}
		return runCheck("check-msgasm-asan")
	})
	register("runtime", "payload-frames/"+newest.name+"/small-n", true, func() error {
		return payloadFrames(newest, "grpc-h2c", "server", 7)
	})
}

// messageEvent is a -v --json message event.
type messageEvent struct {
	Type     string  `json:"type"`
	StreamID uint32  `json:"stream_id"`
	Dir      string  `json:"dir"`
	What     string  `json:"what"`
	Payload  *string `json:"payload_b64"`
}

func echoBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

func payloadFrames(c cell, mode, side string, n int) error {
	srvProg, srvArgs, cliArgs := "grpcserver", []string{}, []string{"-scenario", "all", "-sleep-after", "300ms"}
	if mode != "grpc-go" {
		m := httpModeNamed(mode)
		srvProg, srvArgs = "h2server-grpc", m.server
		cliArgs = append(cliArgs, m.client...)
	}
	t, err := traceProcs(targetBin(c, srvProg), srvArgs, targetBin(c, "grpcclient"), cliArgs, side,
		[]string{"-v", "--no-decode", fmt.Sprintf("--payload=%d", n)})
	if err != nil {
		return err
	}
	var sum summary
	events, msgs, rpcMsgs := 0, 0, 0
	for _, l := range t.toolLines {
		var e messageEvent
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			return fmt.Errorf("not JSON: %q", l)
		}
		switch e.Type {
		case "summary":
			if err := json.Unmarshal([]byte(l), &sum); err != nil {
				return err
			}
		case "rpc":
			var r rpc
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				return err
			}
			rpcMsgs += r.ReqMsgs + r.RespMsgs
		case "event":
			events++
			if !strings.HasPrefix(e.What, "message ") {
				continue
			}
			msgs++
			if err := checkMessageEvent(e, n); err != nil {
				return err
			}
		}
	}
	if msgs == 0 || msgs != rpcMsgs {
		return fmt.Errorf("%d message events for %d messages counted in the calls (%d events)", msgs, rpcMsgs, events)
	}
	if sum.EventsLost != 0 || sum.EventsReceived != sum.EventsEmitted || sum.Malformed != 0 {
		return fmt.Errorf("events: %d received of %d emitted, %d lost, %d malformed", sum.EventsReceived, sum.EventsEmitted, sum.EventsLost, sum.Malformed)
	}
	return nil
}

// checkMessageEvent: "message sent, 1048576 bytes" carries the first
// min(1048576, n) bytes of the echo pattern, or of the decimal total.
func checkMessageEvent(e messageEvent, n int) error {
	f := strings.Fields(strings.TrimSuffix(strings.SplitN(e.What, ", ", 2)[1], " bytes"))
	size, err := strconv.Atoi(f[0])
	if err != nil {
		return fmt.Errorf("event %q: no length", e.What)
	}
	if e.Payload == nil {
		return fmt.Errorf("stream %d %s: %q has no payload_b64", e.StreamID, e.Dir, e.What)
	}
	got, err := base64.StdEncoding.DecodeString(*e.Payload)
	if err != nil {
		return fmt.Errorf("event %q: bad base64: %v", e.What, err)
	}
	want := echoBytes(min(size, n))
	if _, err := strconv.Atoi(string(got)); err == nil && len(got) == size && size < 8 {
		return nil // ClientStream's answer: the decimal total
	}
	if string(got) != string(want) {
		return fmt.Errorf("stream %d %s %q: %d bytes %q..., want %d bytes of the echo pattern", e.StreamID, e.Dir, e.What, len(got), trimTo(got, 40), len(want))
	}
	return nil
}

func trimTo(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
