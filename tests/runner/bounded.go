package main

// Bounded memory (issue #14, item 5): the summary's latency histogram
// against known distributions (tests/unit/lathist.c), and an open call
// with no event for --idle-timeout given up, printed as UNFINISHED with
// its reason, and counted in the summary, while grpcload drives calls
// that all finish.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerBounded) }

func registerBounded() {
	register("unit", "summary/latency-histogram", false, func() error { return runCheck("check-lathist") })
	register("runtime", "bounded/idle-eviction", true, func() error { return idleEviction(cells[0]) })
}

// openCall sends a request's headers and a message prefix promising more
// bytes than ever come: the server's handler waits for the rest, and the
// call stays open with no further event. cancel ends it.
func openCall(addr string) (cancel func(), err error) {
	g := newRawGRPC(addr)
	pr, pw := io.Pipe()
	ctx, stop := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", "https://"+addr, pr)
	if err != nil {
		stop()
		return nil, err
	}
	req.URL = &url.URL{Scheme: "https", Host: addr, Opaque: "/gogrpctrace.test.Echo/Unary"}
	req.Header = http.Header{"content-type": {"application/grpc+raw"}, "te": {"trailers"}}
	req.ContentLength = -1
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := g.c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	prefix := make([]byte, 5)
	binary.BigEndian.PutUint32(prefix[1:], 100)
	go pw.Write(prefix)
	return func() {
		stop()
		pw.CloseWithError(io.ErrClosedPipe)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		g.close()
	}, nil
}

func idleEviction(c cell) error {
	srv, addr, err := startServer(c, true)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	const idle = 1
	reason := fmt.Sprintf("evicted: no event for %d s", idle)
	for _, mode := range []string{"json", "text"} {
		tool, err := startToolIn(mode, toolStartTimeout, "-p", fmt.Sprint(srv.pid()), "--idle-timeout", fmt.Sprint(idle))
		if err != nil {
			return err
		}
		defer tool.stop(syscall.SIGKILL, time.Second)
		cancel, err := openCall(addr)
		if err != nil {
			return err
		}
		load := exec.Command(targetBin(c, "grpcload"), "-addr", addr, "-tls", "-duration", "1s", "-warmup", "0s")
		out, lerr := load.CombinedOutput()
		var lr struct {
			Calls  int64 `json:"calls"`
			Errors int64 `json:"errors"`
		}
		if lerr != nil || json.Unmarshal(out, &lr) != nil || lr.Calls == 0 || lr.Errors != 0 {
			cancel()
			return fmt.Errorf("grpcload: %v: %s", lerr, out)
		}
		// Printed when given up, not at the end.
		_, werr := tool.waitLine(reason, 10*time.Second)
		cancel()
		if werr != nil {
			return fmt.Errorf("%s: %v", mode, werr)
		}
		time.Sleep(300 * time.Millisecond)
		if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil {
			return fmt.Errorf("%s: %v: %s", mode, err, tool.errText())
		}
		lines := tool.lines()
		if mode == "text" {
			all := strings.Join(lines, "\n")
			want := fmt.Sprintf("open calls given up: 1 with no event for %d s, 0 past", idle)
			if !strings.Contains(all, "UNFINISHED") || !strings.Contains(all, want) {
				return fmt.Errorf("text: no UNFINISHED row or no %q; last lines: %q", want, lines[max(0, len(lines)-4):])
			}
			// Its end was never seen: LAT(ms) is "?", not 0.00.
			rows, _, err := textRows(lines)
			if err != nil {
				return fmt.Errorf("text: %v", err)
			}
			for _, r := range rows {
				if r["STATUS"] == "UNFINISHED" && r["LAT(ms)"] != "?" {
					return fmt.Errorf("text: the evicted call's LAT(ms) is not \"?\": %v", r)
				}
			}
			continue
		}
		var sum map[string]any
		evicted, complete := 0, 0
		for _, l := range lines {
			switch {
			case strings.Contains(l, `"type":"summary"`):
				if err := json.Unmarshal([]byte(l), &sum); err != nil {
					return fmt.Errorf("summary %q: %v", l, err)
				}
			case strings.Contains(l, `"type":"rpc"`):
				var x map[string]any
				if err := json.Unmarshal([]byte(l), &x); err != nil {
					return fmt.Errorf("rpc %q: %v", l, err)
				}
				if x["complete"] == true {
					complete++
				} else if x["unfinished_reason"] == reason {
					evicted++
					// Its end was never seen: no duration, not a 0.
					if d, ok := x["duration_us"]; !ok || d != nil {
						return fmt.Errorf("an evicted call's duration_us is %v, want null: %s", d, l)
					}
				}
			}
		}
		if sum == nil {
			return fmt.Errorf("no JSON summary; stderr: %s", tool.errText())
		}
		if evicted != 1 || sum["evicted_idle_calls"] != float64(1) || sum["evicted_full_calls"] != float64(0) {
			return fmt.Errorf("%d rows evicted, summary evicted_idle_calls %v evicted_full_calls %v; want 1, 1, 0",
				evicted, sum["evicted_idle_calls"], sum["evicted_full_calls"])
		}
		if int64(complete) < lr.Calls {
			return fmt.Errorf("%d complete rows, grpcload made %d calls", complete, lr.Calls)
		}
		if err := summaryKeysDocumented(sum); err != nil {
			return err
		}
	}
	return nil
}
