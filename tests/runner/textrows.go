package main

// The tool's text table, read the way its documentation describes it
// (tool/textrow.h, the man page's OUTPUT): each column's width and
// alignment, the method last. Every test that looks at text rows reads
// them through textRows, which also holds each row to the layout: the
// header as specified, every column where the header puts it, and by
// default (one process, not -w) no row wider than 80 columns.

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type textCol struct {
	name  string
	width int
	right bool
}

const textWidth = 80

// The columns before METHOD; REQ and RESP carry one more column, for the
// "?" of a doubtful size.
func textLayout(wide, pid bool) []textCol {
	cols := []textCol{{"TIME", 8, false}}
	if pid {
		cols = append(cols, textCol{"PID", 7, false})
	}
	side := 4
	if wide {
		side = 6
	}
	cols = append(cols, textCol{"SIDE", side, false}, textCol{"PEER", 21, false},
		textCol{"STATUS", 19, false}, textCol{"LAT(ms)", 7, true})
	if wide {
		cols = append(cols, textCol{"REQ", 9, true}, textCol{"RESP", 9, true})
	}
	return cols
}

func textHeader(cols []textCol) string {
	var b strings.Builder
	for _, c := range cols {
		w := c.width
		if c.name == "REQ" || c.name == "RESP" {
			w-- // the "?" column stays blank in the header
			fmt.Fprintf(&b, "%*s  ", w, c.name)
			continue
		}
		if c.right {
			fmt.Fprintf(&b, "%*s ", w, c.name)
		} else {
			fmt.Fprintf(&b, "%-*s ", w, c.name)
		}
	}
	return b.String() + "METHOD"
}

// textRow: one call's row, by column name ("METHOD" is the rest of it).
type textRow map[string]string

// textRows finds the header and the call rows after it (a row starts with
// its HH:MM:SS time; the lines under a row start with spaces). wide says
// whether the header is -w's.
func textRows(lines []string) (rows []textRow, wide bool, err error) {
	var cols []textCol
	at := -1
	for i, l := range lines {
		if !strings.HasPrefix(l, "TIME ") {
			continue
		}
		for _, w := range []bool{false, true} {
			for _, pid := range []bool{false, true} {
				if l == textHeader(textLayout(w, pid)) {
					cols, wide, at = textLayout(w, pid), w, i
				}
			}
		}
		if at < 0 {
			return nil, false, fmt.Errorf("the header is none of the documented ones: %q", l)
		}
		break
	}
	if at < 0 {
		return nil, false, fmt.Errorf("no header line")
	}
	for _, l := range lines[at+1:] {
		if l == "" || strings.HasPrefix(l, "SUMMARY") {
			break
		}
		if strings.HasPrefix(l, " ") || isEventLine(l, cols) {
			continue
		}
		r, err := cutRow(l, cols)
		if err != nil {
			return nil, wide, err
		}
		if !wide && cols[1].name != "PID" && utf8.RuneCountInString(l) > textWidth {
			return nil, wide, fmt.Errorf("a row is %d columns, more than %d: %q", utf8.RuneCountInString(l), textWidth, l)
		}
		rows = append(rows, r)
	}
	return rows, wide, nil
}

// isEventLine: a line of -v's events shares TIME, PID and SIDE with the
// rows and says what happened where a row has its PEER ("<- stream 1 ...").
func isEventLine(l string, cols []textCol) bool {
	at := 0
	for _, c := range cols {
		if c.name == "PEER" {
			break
		}
		at += c.width + 1
	}
	r := []rune(l)
	return len(r) > at+3 && (string(r[at:at+3]) == "<- " || string(r[at:at+3]) == "-> ")
}

// cutRow cuts a row at the columns; each value must fill its column the
// way its alignment says, with one space between columns.
func cutRow(l string, cols []textCol) (textRow, error) {
	r := textRow{}
	rest := []rune(l)
	for _, c := range cols {
		if len(rest) < c.width+1 || rest[c.width] != ' ' {
			return nil, fmt.Errorf("column %s does not end where the header says: %q", c.name, l)
		}
		v := string(rest[:c.width])
		t := strings.TrimSpace(v)
		if t == "" || (!c.right && strings.HasPrefix(v, " ")) || (c.right && c.name == "LAT(ms)" && strings.HasSuffix(v, " ")) {
			return nil, fmt.Errorf("column %s holds %q, not aligned as the header: %q", c.name, v, l)
		}
		r[c.name] = t
		rest = rest[c.width+1:]
	}
	if len(rest) == 0 || rest[0] == ' ' {
		return nil, fmt.Errorf("no METHOD where the header puts it: %q", l)
	}
	r["METHOD"] = string(rest)
	return r, nil
}

// fitted is what a column of width shows of an escaped value: all of it,
// or ".." and its end.
func fitted(v string, width int) string {
	r := []rune(v)
	if len(r) <= width {
		return v
	}
	return ".." + string(r[len(r)-(width-2):])
}

// shortMethod is the default row's METHOD for a gRPC method: the service's
// last dotted part and the method; when longer than width, "../" and the
// method.
func shortMethod(m string, width int) string {
	i := strings.LastIndex(m, "/")
	svc, name := m[1:i], m[i+1:]
	if j := strings.LastIndex(svc, "."); j >= 0 {
		svc = svc[j+1:]
	}
	if s := svc + "/" + name; utf8.RuneCountInString(s) <= width {
		return s
	} else if utf8.RuneCountInString(name)+3 <= width {
		return "../" + name
	} else {
		return fitted(s, width)
	}
}
