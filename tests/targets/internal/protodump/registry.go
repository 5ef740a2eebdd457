//go:build !goprotobuf13

package protodump

import (
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

type (
	fileProto    = descriptorpb.FileDescriptorProto
	messageProto = descriptorpb.DescriptorProto
)

// registeredFiles: every file in protoregistry.GlobalFiles (golang/protobuf
// 1.4 and later register the files of 1.3-generated code there too).
func registeredFiles() ([]*fileProto, error) {
	var files []*fileProto
	protoregistry.GlobalFiles.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		files = append(files, protodesc.ToFileDescriptorProto(fd))
		return true
	})
	return files, nil
}
