package main

// Unit test of decode.go's checks, no root and no tool: pbserver and
// pbclient of the newest cell run alone, a tool output that decodes every
// message faithfully is made from the client's lines and must pass, and
// each way of getting a message wrong must fail.

import (
	"encoding/json"
	"fmt"
	"syscall"
	"time"

	"gogrpctrace/tests/targets/records"
)

func decodeSelfTest(c cell) error {
	srv, addr, err := startServerBin(targetBin(c, "pbserver-new"), false)
	if err != nil {
		return err
	}
	defer srv.stop(syscall.SIGTERM, 5*time.Second)
	cli, err := start(targetBin(c, "pbclient-new"), "-addr", addr, "-scenario", "all")
	if err != nil {
		return err
	}
	if err := cli.wait(60 * time.Second); err != nil {
		return fmt.Errorf("pbclient: %v; %s", err, cli.errText())
	}
	calls, err := parsePBClient(cli.lines())
	if err != nil {
		return err
	}
	check := func(objs []map[string]interface{}) error {
		var lines []string
		for _, o := range objs {
			b, err := json.Marshal(o)
			if err != nil {
				return err
			}
			lines = append(lines, string(b))
		}
		rpcs, events, err := parseDecodedTool(lines)
		if err != nil {
			return err
		}
		return checkDecoded("server", calls, rpcs, events, true)
	}
	if err := check(fakeDecoded(calls)); err != nil {
		return fmt.Errorf("a faithful decoding fails the check: %v", err)
	}
	for _, m := range decodeMutations(calls) {
		objs := fakeDecoded(calls)
		m.apply(objs)
		if check(objs) == nil {
			return fmt.Errorf("the check passes a decoding where %s", m.what)
		}
	}
	if err := checkTruncationSelf(calls[0]); err != nil {
		return err
	}
	return checkTextSelf()
}

// checkTextSelf: checkTextLines finds the lines under the right row.
func checkTextSelf() error {
	method := "Kitchen/Order"
	row := fmt.Sprintf("%-8s %-4s %-21s %-19s %7s %s", "12:00:00", "srv", "127.0.0.1:1", "OK", "0.10", method)
	lines := []string{"Tracing gRPC calls of PID 1 (go1.27.3, grpc-go v1.85.0, 7 probes)... Ctrl-C to end.",
		textHeader(textLayout(false, false)), row,
		"           request: " + textRequest, "           response: " + textResponse, "", "SUMMARY (1.0 s)"}
	if err := checkTextLines(lines, method, textRequest, textResponse); err != nil {
		return fmt.Errorf("faithful text lines fail the check: %v", err)
	}
	lines[4] = "           response: {}"
	if checkTextLines(lines, method, textRequest, textResponse) == nil {
		return fmt.Errorf("checkTextLines passes a wrong response line")
	}
	if checkTextLines(lines[:3], method, textRequest, textResponse) == nil {
		return fmt.Errorf("checkTextLines passes a row with no request line")
	}
	return nil
}

// fakeDecoded is what a faithful tool would print tracing the server of
// calls with -v: each call's message events, then its rpc line.
func fakeDecoded(calls []*pbCall) []map[string]interface{} {
	var objs []map[string]interface{}
	for i, c := range calls {
		stream := 2*i + 1
		for _, d := range []struct {
			what string
			ms   []records.PbMsg
		}{{"message received", c.sent}, {"message sent", c.received}} {
			for _, m := range d.ms {
				objs = append(objs, map[string]interface{}{"type": "event", "pid": 1, "side": "server",
					"stream_id": stream, "what": fmt.Sprintf("%s, %d bytes", d.what, len(m.JSON)),
					"msg": value(m.JSON), "msg_type": m.TypeName, "msg_truncated": false, "msg_error": nil})
			}
		}
		o := map[string]interface{}{"type": "rpc", "pid": 1, "side": "server", "method": c.Method,
			"stream_id": stream, "grpc_status_name": c.Code,
			"req_msg": nil, "req_msg_type": c.ReqType, "req_msg_truncated": false, "req_msg_error": nil,
			"resp_msg": nil, "resp_msg_type": c.RespType, "resp_msg_truncated": false, "resp_msg_error": nil}
		if len(c.sent) > 0 {
			o["req_msg"] = value(c.sent[0].JSON)
		}
		if len(c.received) > 0 {
			o["resp_msg"] = value(c.received[0].JSON)
		}
		objs = append(objs, o)
	}
	return append(objs, map[string]interface{}{"type": "summary"})
}

func value(raw json.RawMessage) interface{} {
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		panic(err)
	}
	return v
}

type mutation struct {
	what  string
	apply func([]map[string]interface{})
}

// decodeMutations are wrong decodings of calls (the scenario "all").
func decodeMutations(calls []*pbCall) []mutation {
	rpc := func(objs []map[string]interface{}, n int) map[string]interface{} {
		for _, o := range objs {
			if o["type"] == "rpc" {
				if n == 0 {
					return o
				}
				n--
			}
		}
		panic("no such rpc")
	}
	scalars := func(objs []map[string]interface{}) map[string]interface{} {
		return rpc(objs, 0)["req_msg"].(map[string]interface{})["scalars"].(map[string]interface{})
	}
	events := func(objs []map[string]interface{}, stream int) []int {
		var idx []int
		for i, o := range objs {
			if o["type"] == "event" && o["stream_id"] == stream {
				idx = append(idx, i)
			}
		}
		return idx
	}
	last := len(calls) - 1
	return []mutation{
		{"a string differs", func(o []map[string]interface{}) { rpc(o, 0)["req_msg"].(map[string]interface{})["id"] = "order-9" }},
		{"a float32 has float64 digits", func(o []map[string]interface{}) { scalars(o)["floatField"] = 1.100000023841858 }},
		{"an int64 is a number", func(o []map[string]interface{}) { scalars(o)["int64Field"] = -9007199254740993.0 }},
		{"a null is left out", func(o []map[string]interface{}) {
			delete(rpc(o, 0)["req_msg"].(map[string]interface{})["known"].(map[string]interface{}), "nothingAtAll")
		}},
		{"resp_msg is missing", func(o []map[string]interface{}) { delete(rpc(o, 0), "resp_msg") }},
		{"the type is wrong", func(o []map[string]interface{}) { rpc(o, 1)["resp_msg_type"] = "gogrpctrace.test.kitchen.Dish" }},
		{"a message is marked truncated", func(o []map[string]interface{}) { rpc(o, 0)["req_msg_truncated"] = true }},
		{"a message has an error", func(o []map[string]interface{}) { rpc(o, 0)["resp_msg_error"] = "compressed (gzip)" }},
		{"a failed call has a response", func(o []map[string]interface{}) { rpc(o, last)["resp_msg"] = map[string]interface{}{} }},
		{"a stream's messages are out of order", func(o []map[string]interface{}) {
			idx := events(o, 3) // Watch: the request, then three tickets
			o[idx[1]], o[idx[2]] = o[idx[2]], o[idx[1]]
		}},
		{"a message event is missing", func(o []map[string]interface{}) {
			idx := events(o, 7) // Chat
			o[idx[2]] = map[string]interface{}{"type": "other"}
		}},
		{"an event has no msg_type", func(o []map[string]interface{}) { o[events(o, 5)[0]]["msg_type"] = nil }},
		{"a call is missing", func(o []map[string]interface{}) { rpc(o, last)["type"] = "other" }},
	}
}

// checkTruncationSelf: checkTruncated passes a prefix and fails the rest.
func checkTruncationSelf(order *pbCall) error {
	good := decodedRPC{ReqMsg: json.RawMessage(`{"id":"order-1","scalars":{"doubleField":3.141592653589793,"stringField":"crème"}}`),
		RespMsg:         json.RawMessage(`{"id":"order-1","dishes":[{"name":"so"}]}`),
		ReqMsgTruncated: json.RawMessage("true"), RespMsgTruncated: json.RawMessage("true")}
	if err := checkTruncated(order, good); err != nil {
		return fmt.Errorf("a faithful truncated decoding fails the check: %v", err)
	}
	bad := []decodedRPC{good, good, good, good}
	bad[0].ReqMsgTruncated = json.RawMessage("false")
	bad[1].ReqMsg = json.RawMessage(`{"id":"order-2"}`)
	bad[2].RespMsg = json.RawMessage(`{"id":"order-1","dishes":[{"name":"sx"}]}`)
	bad[3].ReqMsg = json.RawMessage(`null`)
	for i, b := range bad {
		if checkTruncated(order, b) == nil {
			return fmt.Errorf("checkTruncated passes wrong decoding %d", i)
		}
	}
	return nil
}
