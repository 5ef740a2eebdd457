package main

import (
	"encoding/json"
	"os"
	"strings"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"gogrpctrace/tests/targets/internal/grpccode"
	"gogrpctrace/tests/targets/records"
)

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
	return out.Encode(records.Call{
		Type: "call", Method: c.method, Kind: c.kind,
		GRPCStatus: int(st.Code()), GRPCStatusName: grpccode.Name(st.Code()), GRPCMessage: st.Message(),
		ReqMsgs: o.tally.reqMsgs, RespMsgs: o.tally.respMsgs,
		ReqBytes: int64(o.tally.reqBytes), RespBytes: int64(o.tally.respBytes),
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
