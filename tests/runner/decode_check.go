package main

// The comparisons of decode.go: pbclient's account of each message against
// what gogrpctrace decoded, as JSON values.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gogrpctrace/tests/targets/records"
)

// pbCall is one {"type":"call"} line of pbclient with its messages.
type pbCall struct {
	records.PbCall
	sent, received []records.PbMsg
}

// decodedRPC is what a {"type":"rpc"} line of the tool says of decoding.
// The msg keys stay raw: a missing key (len 0) and null differ.
type decodedRPC struct {
	Pid              int             `json:"pid"`
	Side             string          `json:"side"`
	Method           string          `json:"method"`
	StreamID         int             `json:"stream_id"`
	GrpcStatusName   *string         `json:"grpc_status_name"`
	ReqMsg           json.RawMessage `json:"req_msg"`
	RespMsg          json.RawMessage `json:"resp_msg"`
	ReqMsgType       json.RawMessage `json:"req_msg_type"`
	RespMsgType      json.RawMessage `json:"resp_msg_type"`
	ReqMsgTruncated  json.RawMessage `json:"req_msg_truncated"`
	RespMsgTruncated json.RawMessage `json:"resp_msg_truncated"`
	ReqMsgError      json.RawMessage `json:"req_msg_error"`
	RespMsgError     json.RawMessage `json:"resp_msg_error"`
}

// msgEvent is a {"type":"event"} line of the tool (-v).
type msgEvent struct {
	Pid          int             `json:"pid"`
	StreamID     int             `json:"stream_id"`
	What         string          `json:"what"`
	Msg          json.RawMessage `json:"msg"`
	MsgType      json.RawMessage `json:"msg_type"`
	MsgTruncated json.RawMessage `json:"msg_truncated"`
	MsgError     json.RawMessage `json:"msg_error"`
}

// parsePBClient collects pbclient's calls in order, each with its messages.
func parsePBClient(lines []string) ([]*pbCall, error) {
	var calls []*pbCall
	var msgs []records.PbMsg
	done := false
	for _, l := range lines {
		var t struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &t); err != nil {
			return nil, fmt.Errorf("pbclient printed a line that is not JSON: %q", l)
		}
		switch t.Type {
		case "msg":
			var m records.PbMsg
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				return nil, fmt.Errorf("bad pbclient line %q: %v", l, err)
			}
			msgs = append(msgs, m)
		case "call":
			c := &pbCall{}
			if err := json.Unmarshal([]byte(l), c); err != nil {
				return nil, fmt.Errorf("bad pbclient line %q: %v", l, err)
			}
			for _, m := range msgs {
				if m.Call != c.Call {
					return nil, fmt.Errorf("pbclient: message of call %d before call %d's line", m.Call, c.Call)
				}
				if m.Dir == "sent" {
					c.sent = append(c.sent, m)
				} else {
					c.received = append(c.received, m)
				}
			}
			msgs = nil
			if len(c.sent) != c.Sent || len(c.received) != c.Received {
				return nil, fmt.Errorf("pbclient call %d: %d/%d message lines for sent=%d received=%d",
					c.Call, len(c.sent), len(c.received), c.Sent, c.Received)
			}
			calls = append(calls, c)
		case "done":
			done = true
		}
	}
	if !done || len(calls) == 0 {
		return nil, fmt.Errorf("pbclient printed %d calls and no done line", len(calls))
	}
	return calls, nil
}

// parseDecodedTool collects the tool's rpc lines and message events.
func parseDecodedTool(lines []string) ([]decodedRPC, []msgEvent, error) {
	var rpcs []decodedRPC
	var events []msgEvent
	summary := false
	for _, l := range lines {
		var t struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &t); err != nil {
			return nil, nil, fmt.Errorf("gogrpctrace printed a line that is not JSON: %q", l)
		}
		switch t.Type {
		case "rpc":
			var r decodedRPC
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				return nil, nil, fmt.Errorf("bad rpc line %q: %v", l, err)
			}
			rpcs = append(rpcs, r)
		case "event":
			var e msgEvent
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				return nil, nil, fmt.Errorf("bad event line %q: %v", l, err)
			}
			if strings.HasPrefix(e.What, "message ") {
				events = append(events, e)
			}
		case "summary":
			summary = true
		}
	}
	if !summary {
		return nil, nil, fmt.Errorf("no summary line")
	}
	return rpcs, events, nil
}

// checkDecoded compares every traced call with the client's account, in
// order; with events, every message of every call too.
func checkDecoded(side string, calls []*pbCall, rpcs []decodedRPC, events []msgEvent, withEvents bool) error {
	if len(rpcs) != len(calls) {
		var got []string
		for _, r := range rpcs {
			got = append(got, r.Method)
		}
		return fmt.Errorf("traced %d calls, the client made %d (traced: %v)", len(rpcs), len(calls), got)
	}
	for i, c := range calls {
		r := rpcs[i]
		where := fmt.Sprintf("call %d %s", c.Call, c.Method)
		if r.Side != side || r.Method != c.Method {
			return fmt.Errorf("%s: traced %s side %s", where, r.Side, r.Method)
		}
		if r.GrpcStatusName == nil || *r.GrpcStatusName != c.Code {
			return fmt.Errorf("%s: grpc_status_name %v, want %s", where, strOrNil(r.GrpcStatusName), c.Code)
		}
		if err := checkMsg(where+" req_msg", r.ReqMsg, r.ReqMsgType, r.ReqMsgTruncated, r.ReqMsgError,
			firstMsg(c.sent), c.ReqType); err != nil {
			return err
		}
		if err := checkMsg(where+" resp_msg", r.RespMsg, r.RespMsgType, r.RespMsgTruncated, r.RespMsgError,
			firstMsg(c.received), c.RespType); err != nil {
			return err
		}
		if withEvents {
			if err := checkEvents(where, side, c, r, events); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkEvents: the message events of the call's stream, each direction in
// order, are the client's messages.
func checkEvents(where, side string, c *pbCall, r decodedRPC, events []msgEvent) error {
	var in, out []msgEvent
	for _, e := range events {
		if e.Pid != r.Pid || e.StreamID != r.StreamID {
			continue
		}
		if strings.HasPrefix(e.What, "message received") {
			in = append(in, e)
		} else if strings.HasPrefix(e.What, "message sent") {
			out = append(out, e)
		}
	}
	fromClient, toClient := in, out
	if side == "client" {
		fromClient, toClient = out, in
	}
	for _, d := range []struct {
		what   string
		events []msgEvent
		want   []records.PbMsg
	}{{"request", fromClient, c.sent}, {"response", toClient, c.received}} {
		if len(d.events) != len(d.want) {
			return fmt.Errorf("%s: %d %s message events, the client has %d", where, len(d.events), d.what, len(d.want))
		}
		for j, e := range d.events {
			w := d.want[j]
			if err := checkMsg(fmt.Sprintf("%s %s message %d event", where, d.what, j+1),
				e.Msg, e.MsgType, e.MsgTruncated, e.MsgError, &w, w.TypeName); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkMsg: all four keys there, the type named, not truncated, no error,
// and the message equal to want's as a JSON value (null when want is nil).
func checkMsg(what string, msg, typ, trunc, errv json.RawMessage, want *records.PbMsg, wantType string) error {
	for _, k := range []struct {
		name string
		v    json.RawMessage
	}{{"msg", msg}, {"type", typ}, {"truncated", trunc}, {"error", errv}} {
		if len(k.v) == 0 {
			return fmt.Errorf("%s: no %s key", what, k.name)
		}
	}
	if w, _ := json.Marshal(wantType); !bytes.Equal(typ, w) {
		return fmt.Errorf("%s: type %s, want %s", what, typ, w)
	}
	if string(trunc) != "false" {
		return fmt.Errorf("%s: truncated %s", what, trunc)
	}
	if string(errv) != "null" {
		return fmt.Errorf("%s: error %s", what, errv)
	}
	if want == nil {
		if string(msg) != "null" {
			return fmt.Errorf("%s: %s, but the client has no such message", what, msg)
		}
		return nil
	}
	if d := jsonDiff(msg, want.JSON); d != "" {
		return fmt.Errorf("%s differs from the client's at %s\n got %s\nwant %s", what, d, msg, want.JSON)
	}
	return nil
}

func firstMsg(ms []records.PbMsg) *records.PbMsg {
	if len(ms) == 0 {
		return nil
	}
	return &ms[0]
}

// jsonDiff compares two JSON texts as values (object keys in any order,
// numbers as float64: 1.1 and 1.10 agree, 1.1 and 1.100000023841858 do
// not) and returns the path of the first difference, or "".
func jsonDiff(a, b json.RawMessage) string {
	var x, y interface{}
	if err := json.Unmarshal(a, &x); err != nil {
		return "(not JSON: " + err.Error() + ")"
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return "(the client's is not JSON: " + err.Error() + ")"
	}
	return valueDiff("$", x, y)
}

func valueDiff(path string, x, y interface{}) string {
	switch xv := x.(type) {
	case map[string]interface{}:
		yv, ok := y.(map[string]interface{})
		if !ok {
			return path
		}
		for _, k := range unionKeys(xv, yv) {
			_, inX := xv[k]
			_, inY := yv[k]
			if inX != inY {
				return path + "." + k // a null is not a missing key
			}
			if d := valueDiff(path+"."+k, xv[k], yv[k]); d != "" {
				return d
			}
		}
		return ""
	case []interface{}:
		yv, ok := y.([]interface{})
		if !ok || len(xv) != len(yv) {
			return path
		}
		for i := range xv {
			if d := valueDiff(fmt.Sprintf("%s[%d]", path, i), xv[i], yv[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(x, y) {
		return path
	}
	return ""
}

// unionKeys is the union of the keys of a and b, sorted.
func unionKeys(a, b map[string]interface{}) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// checkTruncated: with a payload cut short, both messages of the call are
// marked truncated and decoded as far as they go: an object that holds
// the client's id, every other value the client's too or a prefix of it.
func checkTruncated(c *pbCall, r decodedRPC) error {
	for _, d := range []struct {
		what       string
		msg, trunc json.RawMessage
		want       *records.PbMsg
	}{{"req_msg", r.ReqMsg, r.ReqMsgTruncated, firstMsg(c.sent)},
		{"resp_msg", r.RespMsg, r.RespMsgTruncated, firstMsg(c.received)}} {
		if d.want == nil {
			return fmt.Errorf("the client has no %s", d.what)
		}
		if string(d.trunc) != "true" {
			return fmt.Errorf("%s_truncated is %q, want true", d.what, d.trunc)
		}
		var got, full map[string]interface{}
		if err := json.Unmarshal(d.msg, &got); err != nil || got == nil {
			return fmt.Errorf("%s is %s, want the object decoded as far as it goes", d.what, d.msg)
		}
		if err := json.Unmarshal(d.want.JSON, &full); err != nil {
			return err
		}
		if got["id"] != full["id"] {
			return fmt.Errorf("%s %s lacks the client's first field, id %v", d.what, d.msg, full["id"])
		}
		if p := prefixDiff("$", got, full); p != "" {
			return fmt.Errorf("%s %s is not a part of the client's %s: at %s", d.what, d.msg, d.want.JSON, p)
		}
	}
	return nil
}

// prefixDiff: got is a cut-short decoding of full. Objects may lack keys,
// arrays elements at the end, strings characters at the end (bytes:
// base64 of a prefix); everything else must be equal. It returns the path
// of the first value that is not so, or "".
func prefixDiff(path string, got, full interface{}) string {
	switch g := got.(type) {
	case map[string]interface{}:
		f, ok := full.(map[string]interface{})
		if !ok {
			return path
		}
		for k, v := range g {
			fv, ok := f[k]
			if !ok {
				return path + "." + k
			}
			if d := prefixDiff(path+"."+k, v, fv); d != "" {
				return d
			}
		}
		return ""
	case []interface{}:
		f, ok := full.([]interface{})
		if !ok || len(g) > len(f) {
			return path
		}
		for i := range g {
			if d := prefixDiff(fmt.Sprintf("%s[%d]", path, i), g[i], f[i]); d != "" {
				return d
			}
		}
		return ""
	case string:
		f, ok := full.(string)
		if ok && (strings.HasPrefix(f, g) || base64Prefix(g, f)) {
			return ""
		}
		return path
	}
	if !reflect.DeepEqual(got, full) {
		return path
	}
	return ""
}

func base64Prefix(g, f string) bool {
	gb, err1 := base64.StdEncoding.DecodeString(g)
	fb, err2 := base64.StdEncoding.DecodeString(f)
	return err1 == nil && err2 == nil && bytes.HasPrefix(fb, gb)
}
