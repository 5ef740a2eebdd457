//go:build !goprotobuf13

package fieldmaskpb

import "google.golang.org/protobuf/types/known/fieldmaskpb"

// FieldMask is google.golang.org/protobuf's.
type FieldMask = fieldmaskpb.FieldMask
