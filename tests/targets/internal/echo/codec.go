// Package echo holds what the test gRPC server and client share: the raw
// codec, the hand-written service description and the metadata keys.
// There is no protoc step on purpose, so the same source builds against
// grpc-go releases years apart (GOPATH-mode Debian 1.33 up to the newest).
package echo

import (
	"fmt"

	"google.golang.org/grpc/encoding"
)

// CodecName is the content-subtype; on the wire the content-type is
// "application/grpc+raw".
const CodecName = "raw"

// rawCodec passes message bytes through untouched, so a message's size on
// the wire (after the 5-byte gRPC prefix) is exactly the payload length.
type rawCodec struct{}

func (rawCodec) Name() string { return CodecName }

// Marshal accepts *[]byte (what the handlers and client use) and []byte.
func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	switch m := v.(type) {
	case *[]byte:
		return *m, nil
	case []byte:
		return m, nil
	}
	return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
}

// Unmarshal copies: newer grpc-go hands the codec a pooled buffer that is
// reused once Unmarshal returns.
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	m, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
	}
	*m = append([]byte(nil), data...)
	return nil
}

func init() {
	encoding.RegisterCodec(rawCodec{})
}
