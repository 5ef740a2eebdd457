//go:build goprotobuf13

package fieldmaskpb

// jsonpb 1.3 predates FieldMask's JSON form (the paths in lowerCamelCase,
// joined by commas) and would write {"paths":[...]}; jsonpb uses these
// methods instead, so the test client's JSON of a message follows the
// protobuf JSON mapping in the Debian cell too.

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/golang/protobuf/jsonpb"
)

// MarshalJSONPB writes the paths in lowerCamelCase, joined by commas.
func (m *FieldMask) MarshalJSONPB(*jsonpb.Marshaler) ([]byte, error) {
	camel := make([]string, len(m.Paths))
	for i, p := range m.Paths {
		camel[i] = toCamel(p)
	}
	return json.Marshal(strings.Join(camel, ","))
}

// UnmarshalJSONPB reads that form back into snake_case paths.
func (m *FieldMask) UnmarshalJSONPB(_ *jsonpb.Unmarshaler, b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	m.Paths = nil
	if s == "" {
		return nil
	}
	for _, p := range strings.Split(s, ",") {
		m.Paths = append(m.Paths, toSnake(p))
	}
	return nil
}

func toCamel(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		switch {
		case r == '_':
			up = true
		case up:
			b.WriteRune(unicode.ToUpper(r))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func toSnake(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
