// Package records holds the JSON lines the test programs print about what
// they did, one type per kind of line. The test runner reads them with the
// same types (it imports this package), so each field is written down
// once. Field order is the output order. Kept to what Go 1.19 builds: the
// oldest matrix cell compiles it too.
package records

import "encoding/json"

// Call is grpcclient's line per gRPC call: {"type":"call"}.
type Call struct {
	Type           string            `json:"type"`
	Method         string            `json:"method"`
	Kind           string            `json:"kind"`
	GRPCStatus     int               `json:"grpc_status"`
	GRPCStatusName string            `json:"grpc_status_name"`
	GRPCMessage    string            `json:"grpc_message"`
	ReqMsgs        int               `json:"req_msgs"`
	RespMsgs       int               `json:"resp_msgs"`
	ReqBytes       int64             `json:"req_bytes"`
	RespBytes      int64             `json:"resp_bytes"`
	Metadata       map[string]string `json:"metadata"`
	RespHeader     map[string]string `json:"resp_header"` // application ("x-") keys only
	Trailer        map[string]string `json:"trailer"`     // the same
}

// HTTPCall is h2client's line per request: {"type":"http"}.
type HTTPCall struct {
	Type       string            `json:"type"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Status     int               `json:"status"`
	ReqBytes   int64             `json:"req_bytes"`
	RespBytes  int64             `json:"resp_bytes"`
	Proto      string            `json:"proto"`
	Reused     bool              `json:"reused"`
	ServedBy   string            `json:"served_by"`
	ReqHeader  map[string]string `json:"req_header"`
	RespHeader map[string]string `json:"resp_header"`
	Trailer    map[string]string `json:"trailer"`
}

// PbMsg is pbclient's line per message sent or received: {"type":"msg"},
// the message in its own protobuf runtime's JSON.
type PbMsg struct {
	Type     string          `json:"type"`
	Call     int             `json:"call"`
	Method   string          `json:"method"`
	Dir      string          `json:"dir"` // "sent" or "received"
	Seq      int             `json:"seq"` // 1-based, per call and direction
	TypeName string          `json:"type_name"`
	JSON     json.RawMessage `json:"json"`
}

// PbCall is pbclient's line per call, after its messages: {"type":"call"}.
type PbCall struct {
	Type       string `json:"type"`
	Call       int    `json:"call"`
	Method     string `json:"method"`
	Kind       string `json:"kind"`
	Code       string `json:"code"`
	GRPCStatus int    `json:"grpc_status"`
	Message    string `json:"message"`
	Compressor string `json:"compressor"`
	ReqType    string `json:"req_type"`
	RespType   string `json:"resp_type"`
	Sent       int    `json:"sent"`
	Received   int    `json:"received"`
}

// Done is a client's last line: {"type":"done"}, the calls it made.
type Done struct {
	Type  string `json:"type"`
	Calls int    `json:"calls"`
}

// Conn is a program's line per connection with -log-conns: {"type":"conn"},
// its side and the addresses as the program itself names them.
type Conn struct {
	Type   string `json:"type"`
	Side   string `json:"side"`
	Local  string `json:"local"`
	Remote string `json:"remote"`
}
