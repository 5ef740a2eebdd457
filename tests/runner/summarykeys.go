package main

// The summary past its table: 1030 calls to distinct methods, where the
// summary keeps rows for 1024. The other six are counted in
// dropped_methods (JSON) and in a last line (text), not lost without a
// word. And every key of the JSON summary is written down in the man page.

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"time"
)

func init() { extraRegistrations = append(extraRegistrations, registerSummaryKeys) }

const manyMethods, methodRows = 1030, 1024

func registerSummaryKeys() {
	register("runtime", "summary/dropped-methods", true, func() error { return droppedMethods(cells[0]) })
}

func droppedMethods(c cell) error {
	srv, addr, err := startServer(c, true)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	var jsonSum map[string]any
	for _, mode := range []string{"json", "text"} {
		tool, err := startToolIn(mode, toolStartTimeout, "-p", fmt.Sprint(srv.pid()))
		if err != nil {
			return err
		}
		defer tool.stop(syscall.SIGKILL, time.Second)
		// Unknown services: grpc-go answers UNIMPLEMENTED at once.
		g := newRawGRPC(addr)
		for i := 0; i < manyMethods; i++ {
			if _, err := g.call(fmt.Sprintf("/svc%04d.S/M", i), nil, nil); err != nil {
				g.close()
				return fmt.Errorf("call %d: %v", i, err)
			}
		}
		g.close()
		time.Sleep(500 * time.Millisecond)
		if err := tool.stop(syscall.SIGINT, 15*time.Second); err != nil {
			return fmt.Errorf("%s: %v: %s", mode, err, tool.errText())
		}
		lines := tool.lines()
		if mode == "text" {
			want := fmt.Sprintf("%d calls of methods beyond the first %d are in no row above", manyMethods-methodRows, methodRows)
			if !strings.Contains(strings.Join(lines, "\n"), want) {
				return fmt.Errorf("text summary lacks %q; its last lines: %q", want, lines[max(0, len(lines)-4):])
			}
			continue
		}
		for _, l := range lines {
			if strings.Contains(l, `"type":"summary"`) {
				if err := json.Unmarshal([]byte(l), &jsonSum); err != nil {
					return fmt.Errorf("summary %q: %v", l, err)
				}
			}
		}
		if jsonSum == nil {
			return fmt.Errorf("no JSON summary; stderr: %s", tool.errText())
		}
		methods, _ := jsonSum["methods"].([]any)
		if jsonSum["calls"] != float64(manyMethods) || len(methods) != methodRows ||
			jsonSum["dropped_methods"] != float64(manyMethods-methodRows) || jsonSum["events_lost"] != float64(0) {
			return fmt.Errorf("summary: calls %v, %d method rows, dropped_methods %v, events_lost %v; want %d, %d, %d, 0",
				jsonSum["calls"], len(methods), jsonSum["dropped_methods"], jsonSum["events_lost"],
				manyMethods, methodRows, manyMethods-methodRows)
		}
	}
	return summaryKeysDocumented(jsonSum)
}

// summaryKeysDocumented: the summary object, and its method entries,
// as the man page's JSON OUTPUT documents them.
func summaryKeysDocumented(sum map[string]any) error {
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return checkJSONLine(string(b))
}
