package main

// Runtime test: honest output under load. grpcload drives the server as
// fast as this machine allows (8 goroutines on one connection) while the
// tool traces it with a one-page ring buffer, so that events are lost.
// What must hold: every probe hit produced an event that was either
// received or counted lost; no call is printed twice; every printed call is one the
// client made; and each lost event can have spoiled at most one call, so
// printed calls plus lost events cover every call the client made.

import (
	"encoding/json"
	"fmt"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerHonest) }

func registerHonest() {
	c := cells[0]
	register("runtime", "honest/high-rate-tiny-buffer", true, func() error {
		t, err := traceProcs(targetBin(c, "grpcserver"), nil, targetBin(c, "grpcload"),
			[]string{"-concurrency", "8", "-duration", "4s", "-warmup", "0s", "-size", "64"},
			"server", []string{"--json", "--ringbuf-pages", "1"})
		if err != nil {
			return err
		}
		var load struct{ Calls, Errors, WarmupCall int64 }
		var res map[string]interface{}
		for _, l := range t.cliLines {
			if json.Unmarshal([]byte(l), &res) == nil && res["calls"] != nil {
				load.Calls = int64(res["calls"].(float64))
				load.Errors = int64(res["errors"].(float64))
				load.WarmupCall = int64(res["warmup_calls"].(float64))
			}
		}
		made := load.Calls + load.WarmupCall
		if made == 0 || load.Errors != 0 {
			return fmt.Errorf("grpcload made %d calls with %d errors: %s", made, load.Errors, strings.Join(t.cliLines, " "))
		}
		var sum *summary
		streams := map[string]bool{}
		printed := 0
		for _, l := range t.toolLines {
			var head struct {
				Type     string `json:"type"`
				Local    string `json:"local"`
				Peer     string `json:"peer"`
				StreamID int    `json:"stream_id"`
				Complete bool   `json:"complete"`
				Method   string `json:"method"`
			}
			if err := json.Unmarshal([]byte(l), &head); err != nil {
				return fmt.Errorf("not JSON: %q", l)
			}
			switch head.Type {
			case "rpc":
				key := fmt.Sprintf("%s %s %d", head.Local, head.Peer, head.StreamID)
				if streams[key] {
					return fmt.Errorf("stream %s printed twice", key)
				}
				streams[key] = true
				if head.Complete {
					if head.Method != "/gogrpctrace.test.Echo/Unary" {
						return fmt.Errorf("a call the client did not make: %s", l)
					}
					printed++
				}
			case "summary":
				sum = &summary{}
				if err := json.Unmarshal([]byte(l), sum); err != nil {
					return err
				}
			}
		}
		if sum == nil {
			return fmt.Errorf("no summary; stderr: %s", t.toolErr)
		}
		// On this path (a server's unary calls) every probe hit hands one
		// event to the buffer, unless it is a stack-growth restart.
		if sum.ProbeHits != sum.EventsEmitted+sum.EventsLost+sum.RestartsSkipped {
			return fmt.Errorf("%d probe hits, but %d events emitted + %d lost + %d restarts", sum.ProbeHits, sum.EventsEmitted, sum.EventsLost, sum.RestartsSkipped)
		}
		if sum.EventsReceived != sum.EventsEmitted || sum.Malformed != 0 {
			return fmt.Errorf("received %d of %d emitted events (%d malformed)", sum.EventsReceived, sum.EventsEmitted, sum.Malformed)
		}
		if int64(printed) > made || int64(printed)+int64(sum.EventsLost) < made {
			return fmt.Errorf("%d calls made, %d printed complete, %d events lost: the accounting does not add up", made, printed, sum.EventsLost)
		}
		if sum.EventsLost == 0 {
			return fmt.Errorf("no event lost with a one-page buffer at %d calls: the test did not test loss", made)
		}
		return nil
	})
}
