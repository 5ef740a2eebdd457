//go:build goprotobuf13

package protodump

// golang/protobuf 1.3 keeps the files handed to proto.RegisterFile in an
// unexported map (name -> gzipped FileDescriptorProto) and offers no way
// to list them; it is read through a pull linkname. Only the Debian cell
// builds this (Go 1.19, which needs no -checklinkname=0).

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/ioutil"
	_ "unsafe" // go:linkname

	"github.com/golang/protobuf/proto"
	"github.com/golang/protobuf/protoc-gen-go/descriptor"
)

type (
	fileProto    = descriptor.FileDescriptorProto
	messageProto = descriptor.DescriptorProto
)

//go:linkname protoFiles github.com/golang/protobuf/proto.protoFiles
var protoFiles map[string][]byte

func registeredFiles() ([]*fileProto, error) {
	var files []*fileProto
	for name, gz := range protoFiles {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		raw, err := ioutil.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		f := &fileProto{}
		if err := proto.Unmarshal(raw, f); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		files = append(files, f)
	}
	return files, nil
}
