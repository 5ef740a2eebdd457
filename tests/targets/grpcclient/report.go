package main

import (
	"encoding/json"
	"os"
	"strings"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"gogrpctrace/tests/targets/internal/grpccode"
)

// callLine is the JSON line printed per call. Field order is the output order.
type callLine struct {
	Type           string            `json:"type"`
	Method         string            `json:"method"`
	Kind           string            `json:"kind"`
	GRPCStatus     int               `json:"grpc_status"`
	GRPCStatusName string            `json:"grpc_status_name"`
	GRPCMessage    string            `json:"grpc_message"`
	ReqMsgs        int               `json:"req_msgs"`
	RespMsgs       int               `json:"resp_msgs"`
	ReqBytes       int               `json:"req_bytes"`
	RespBytes      int               `json:"resp_bytes"`
	Metadata       map[string]string `json:"metadata"`
	RespHeader     map[string]string `json:"resp_header"`
	Trailer        map[string]string `json:"trailer"`
}

type doneLine struct {
	Type  string `json:"type"`
	Calls int    `json:"calls"`
}

// out writes one JSON object per line; no HTML escaping so non-ASCII and
// '<>&' appear literally.
var out = func() *json.Encoder {
	e := json.NewEncoder(os.Stdout)
	e.SetEscapeHTML(false)
	return e
}()

func printCall(c callSpec, o outcome) error {
	st, _ := status.FromError(o.err)
	md := map[string]string{}
	for k, v := range c.md {
		md[k] = v
	}
	return out.Encode(callLine{
		Type: "call", Method: c.method, Kind: c.kind,
		GRPCStatus: int(st.Code()), GRPCStatusName: grpccode.Name(st.Code()), GRPCMessage: st.Message(),
		ReqMsgs: o.tally.reqMsgs, RespMsgs: o.tally.respMsgs,
		ReqBytes: o.tally.reqBytes, RespBytes: o.tally.respBytes,
		Metadata: md, RespHeader: customKeys(o.header), Trailer: customKeys(o.trailer),
	})
}

// customKeys keeps only application ("x-") keys: what grpc-go adds itself
// (content-type, grpc-accept-encoding, ...) differs between releases.
func customKeys(md metadata.MD) map[string]string {
	m := map[string]string{}
	for k, v := range md {
		if strings.HasPrefix(k, "x-") {
			m[k] = strings.Join(v, ",")
		}
	}
	return m
}
