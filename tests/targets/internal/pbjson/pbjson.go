//go:build !goprotobuf13

// Package pbjson makes protobuf messages by type name and converts them to
// and from the protobuf JSON mapping, with whichever protobuf runtime the
// program is built against: google.golang.org/protobuf (this file; the
// golang/protobuf 1.3-generated kitchen code runs on it through
// golang/protobuf 1.4+), or golang/protobuf 1.3 alone (the Debian cell,
// built with -tags goprotobuf13: pbjson_goprotobuf13.go).
//
// A message is passed around as interface{} holding the generated type
// itself (what grpc-go's codec of every release takes).
package pbjson

import (
	"bytes"
	"encoding/json"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/runtime/protoimpl"
)

// New returns an empty message of the registered type fullName.
func New(fullName string) (interface{}, error) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(fullName))
	if err != nil {
		return nil, err
	}
	return protoimpl.X.ProtoMessageV1Of(mt.New().Interface()), nil
}

// FromJSON fills m from its JSON form.
func FromJSON(m interface{}, js string) error {
	return protojson.Unmarshal([]byte(js), protoimpl.X.ProtoMessageV2Of(m))
}

// ToJSON is protojson.Marshal of m, compacted: protojson adds random
// spaces on purpose, so that nobody compares its output byte for byte.
func ToJSON(m interface{}) (json.RawMessage, error) {
	b, err := protojson.Marshal(protoimpl.X.ProtoMessageV2Of(m))
	if err != nil {
		return nil, err
	}
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		return nil, err
	}
	return c.Bytes(), nil
}

// Name is m's full type name.
func Name(m interface{}) string {
	return string(protoimpl.X.ProtoMessageV2Of(m).ProtoReflect().Descriptor().FullName())
}

// Equal says whether two messages are equal.
func Equal(a, b interface{}) bool {
	return proto.Equal(protoimpl.X.ProtoMessageV2Of(a), protoimpl.X.ProtoMessageV2Of(b))
}
