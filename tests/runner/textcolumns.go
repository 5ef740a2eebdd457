package main

// The text table as a user reads it. By default every row fits 80
// columns and no column moves: the client's calls to a server on a long
// unix socket name (the peer column shows ".." and its end) with methods
// longer than their column ("../ServerStream"). With -w the method is in
// full and PID and sizes are there. Row for row, the values are what the
// client did. textRows' own reading is checked on rows made here.

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"gogrpctrace/tests/targets/records"
)

func init() { extraRegistrations = append(extraRegistrations, registerTextColumns) }

func registerTextColumns() {
	register("unit", "text/rows-selftest", false, textRowsSelfTest)
	// Extreme values, each layout, under ASan too (tests/unit/textrow.c).
	register("unit", "text/extreme-values", false, func() error {
		if err := runCheck("check-textrow"); err != nil {
			return err
		}
		return runCheck("check-textrow-asan")
	})
	register("runtime", "text/columns", true, func() error { return textColumns(cells[0]) })
}

func textColumns(c cell) error {
	addr := fmt.Sprintf("unix:@gogrpctrace-%d-a-socket-name-longer-than-its-column", os.Getpid())
	for _, wide := range []bool{false, true} {
		var args []string
		if wide {
			args = []string{"-w"}
		}
		t, err := traceProcsIn("text", targetBin(c, "grpcserver"), []string{"-addr", addr},
			targetBin(c, "grpcclient"), []string{"-scenario", "all"}, "client", args)
		if err != nil {
			return err
		}
		rows, gotWide, err := textRows(t.toolLines)
		if err != nil {
			return fmt.Errorf("wide %v: %v\n%s", wide, err, strings.Join(t.toolLines, "\n"))
		}
		if gotWide != wide {
			return fmt.Errorf("-w %v gave the header of wide %v", wide, gotWide)
		}
		var calls []records.Call
		for _, l := range t.cliLines {
			var cc records.Call
			if json.Unmarshal([]byte(l), &cc) == nil && cc.Type == "call" {
				calls = append(calls, cc)
			}
		}
		if len(rows) != len(calls) || len(calls) == 0 {
			return fmt.Errorf("wide %v: %d rows for %d calls:\n%s", wide, len(rows), len(calls), strings.Join(t.toolLines, "\n"))
		}
		for i, r := range rows {
			if err := sameRow(r, calls[i], addr, wide); err != nil {
				return fmt.Errorf("wide %v, row %d: %v: %v", wide, i, err, r)
			}
		}
	}
	return nil
}

func sameRow(r textRow, cc records.Call, addr string, wide bool) error {
	method, side := shortMethod(cc.Method, 16), "cli"
	if wide {
		method, side = cc.Method, "client"
	}
	if r["METHOD"] != method || r["SIDE"] != side || r["PEER"] != fitted(addr, 21) || r["STATUS"] != cc.GRPCStatusName {
		return fmt.Errorf("want %s %s %s %s", side, fitted(addr, 21), cc.GRPCStatusName, method)
	}
	if !wide {
		return nil
	}
	size := func(bytes int64, msgs int) string {
		if msgs == 1 || (msgs == 0 && bytes == 0) {
			return fmt.Sprint(bytes)
		}
		return fmt.Sprintf("%d(%d)", bytes, msgs)
	}
	if r["REQ"] != size(cc.ReqBytes, cc.ReqMsgs) || r["RESP"] != size(cc.RespBytes, cc.RespMsgs) {
		return fmt.Errorf("sizes, want %s %s", size(cc.ReqBytes, cc.ReqMsgs), size(cc.RespBytes, cc.RespMsgs))
	}
	return nil
}

// textRowsSelfTest: textRows reads rows laid out as documented and refuses
// a header or a row that is not.
func textRowsSelfTest() error {
	header := textHeader(textLayout(false, false))
	row := fmt.Sprintf("%-8s %-4s %-21s %-19s %7s %s", "12:00:00", "srv", "127.0.0.1:1", "OK", "0.10", "Echo/Unary")
	rows, wide, err := textRows([]string{"start", header, row, "           grpc-message: x", "", "SUMMARY"})
	if err != nil || wide || len(rows) != 1 || rows[0]["METHOD"] != "Echo/Unary" || rows[0]["LAT(ms)"] != "0.10" ||
		rows[0]["PEER"] != "127.0.0.1:1" {
		return fmt.Errorf("a documented row is not read: %v %v %v", rows, wide, err)
	}
	wideHeader := textHeader(textLayout(true, true))
	wideRow := fmt.Sprintf("%-8s %-7s %-6s %-21s %-19s %7s %8s? %8s  %s", "12:00:00", "42", "client", "10.0.0.1:50051",
		"NOT_FOUND", "1.50", "1200(4)", "?", "/a.b.C/D")
	rows, wide, err = textRows([]string{wideHeader, wideRow})
	if err != nil || !wide || len(rows) != 1 || rows[0]["REQ"] != "1200(4)?" || rows[0]["RESP"] != "?" ||
		rows[0]["PID"] != "42" || rows[0]["METHOD"] != "/a.b.C/D" {
		return fmt.Errorf("a documented wide row is not read: %v %v", rows, err)
	}
	for what, lines := range map[string][]string{
		"a shifted column":                 {header, strings.Replace(row, "srv ", "srv  ", 1)},
		"a row over 80":                    {header, row + strings.Repeat("x", 80)},
		"an unknown header":                {strings.Replace(header, "PEER", "PEERS", 1), row},
		"no header":                        {row},
		"a right-aligned value moved left": {header, strings.Replace(row, "   0.10 ", "0.10    ", 1)},
	} {
		if _, _, err := textRows(lines); err == nil {
			return fmt.Errorf("textRows accepts %s", what)
		}
	}
	if fitted("unix:@abcdefghijklmnopqrstuvwxyz", 21) != "..hijklmnopqrstuvwxyz" || shortMethod("/a.b.Echo/ServerStream", 16) != "../ServerStream" ||
		shortMethod("/a.b.Echo/Unary", 16) != "Echo/Unary" {
		return fmt.Errorf("fitted or shortMethod do not shorten as documented")
	}
	return nil
}
