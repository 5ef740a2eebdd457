//go:build goprotobuf13

package pbjson

// golang/protobuf 1.3 alone: its type registry and jsonpb.

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/golang/protobuf/jsonpb"
	"github.com/golang/protobuf/proto"
)

// New returns an empty message of the registered type fullName.
func New(fullName string) (interface{}, error) {
	t := proto.MessageType(fullName)
	if t == nil || t.Kind() != reflect.Ptr {
		return nil, fmt.Errorf("message type %s is not registered", fullName)
	}
	return reflect.New(t.Elem()).Interface(), nil
}

// FromJSON fills m from its JSON form.
func FromJSON(m interface{}, js string) error {
	return jsonpb.UnmarshalString(js, m.(proto.Message))
}

// ToJSON is jsonpb's JSON of m (compact, lowerCamelCase names).
func ToJSON(m interface{}) (json.RawMessage, error) {
	s, err := (&jsonpb.Marshaler{}).MarshalToString(m.(proto.Message))
	return json.RawMessage(s), err
}

// Name is m's full type name.
func Name(m interface{}) string { return proto.MessageName(m.(proto.Message)) }

// Equal says whether two messages are equal.
func Equal(a, b interface{}) bool { return proto.Equal(a.(proto.Message), b.(proto.Message)) }
