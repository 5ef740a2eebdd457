package main

// Runtime tests: never a wrong number. A Go 1.27 program whose
// itab list the tool cannot trust (its .go.type section header moved, so
// the module data and the section headers disagree) is traced on each
// side: the rows must show what the tool cannot read as unknown — peer,
// local and TLS null (the connection's kind is not known), the received
// side's sizes and message counts null with sizes_exact false (the DATA
// frames' mem.Buffer kind is not known: grpc-go 1.85 hands the probe a
// parsed frame) — and the start must name each unknown field and why.
// Everything else (methods, statuses, the sent side's sizes) stays exact.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerUnknown) }

func registerUnknown() {
	var c cell
	for _, k := range cells {
		if strings.HasPrefix(k.goVersion, "go1.27") && k.grpc == "v1.85.0" {
			c = k
			break
		}
	}
	if c.name == "" {
		return
	}
	// With DWARF and a symbol table (which lists no itabs since Go 1.27),
	// and stripped (the offsets table gives the rest).
	for _, variant := range []string{"", "strip"} {
		for _, side := range []string{"server", "client"} {
			variant, side := variant, side
			name := map[string]string{"": "dwarf", "strip": "strip"}[variant]
			register("runtime", "unknown/itab-list-untrusted/"+name+"/"+side, true, func() error {
				return untrustedItabs(c, variant, side)
			})
		}
	}
}

func untrustedItabs(c cell, variant, side string) error {
	prog := map[string]string{"server": "grpcserver", "client": "grpcclient"}[side]
	src, err := variantBin(c, prog, variant)
	if err != nil {
		return err
	}
	bad := filepath.Join(os.TempDir(), fmt.Sprintf("gogrpctrace-untrusted-%s-%s%s", c.name, variant, prog))
	defer os.Remove(bad)
	if err := moveSectionAddr(src, bad, ".go.type", 0x1000); err != nil {
		return err
	}
	o := traceOpts{cell: c, side: side, tls: true, scenario: "unary"}
	if side == "server" {
		o.serverBin = bad
	} else {
		o.clientBin = bad
	}
	r, err := traceRun(o)
	if err != nil {
		return err
	}
	// Both programs link grpc-go's client and server transports.
	want := regexp.MustCompile(`(?m)^gogrpctrace: PID \d+: peer, local, TLS, request sizes, response sizes unknown: ` +
		`(no itab symbols \(Go 1\.27 writes none\)|no symbol table); no itab list: the module data's type range is not the \.go\.type section$`)
	if !want.MatchString(r.toolErr) {
		return fmt.Errorf("the start does not say which fields are unknown and why; stderr: %s", r.toolErr)
	}
	if len(r.calls) == 0 || len(r.rpcLines) != len(r.calls) {
		return fmt.Errorf("traced %d calls, the client made %d; stderr: %s", len(r.rpcLines), len(r.calls), r.toolErr)
	}
	recv, sent := "req", "resp"
	if side == "client" {
		recv, sent = "resp", "req"
	}
	for i, l := range r.rpcLines {
		var got map[string]interface{}
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			return err
		}
		want := r.calls[i]
		if got["method"] != want.Method || got["grpc_status_name"] != want.GRPCStatusName {
			return fmt.Errorf("call %d: %v %v, want %s %s", i, got["method"], got["grpc_status_name"], want.Method, want.GRPCStatusName)
		}
		for _, k := range []string{"peer", "local", "tls", recv + "_bytes", recv + "_msgs"} {
			if v, ok := got[k]; !ok || v != nil {
				return fmt.Errorf("call %d (%s): %s is %v, want null: %s", i, want.Method, k, v, l)
			}
		}
		if got["sizes_exact"] != false {
			return fmt.Errorf("call %d (%s): sizes_exact %v with unknown sizes", i, want.Method, got["sizes_exact"])
		}
		wantSent := map[string]int64{"req": want.ReqBytes, "resp": want.RespBytes}[sent]
		if b, ok := got[sent+"_bytes"].(float64); !ok || int64(b) != wantSent {
			return fmt.Errorf("call %d (%s): %s_bytes %v, want %d", i, want.Method, sent, got[sent+"_bytes"], wantSent)
		}
	}
	return nil
}

// moveSectionAddr copies path to out with delta added to the address of
// section name in its header only: the loader reads program headers, so
// the program runs as before.
func moveSectionAddr(path, out, name string, delta uint64) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	h, ok := sectionHeader(b, name)
	if !ok {
		return fmt.Errorf("%s: no section %s", path, name)
	}
	addr := b[h+shAddrOff:]
	binary.LittleEndian.PutUint64(addr, binary.LittleEndian.Uint64(addr)+delta)
	return os.WriteFile(out, b, 0o755)
}
