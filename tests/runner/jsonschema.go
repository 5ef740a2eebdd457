package main

// The --json schema is written once, in the man page's JSON OUTPUT
// section: per object type, each key with its JSON type, "or null" and
// "optional". checkJSONLine holds a line of the tool to it: no key that is
// not written down, no value of another type, no null where none is
// allowed, no documented key missing unless optional. The runtime tests'
// common paths (traceRun, traceProcs) check every line they read.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

type keySpec struct {
	kind     string // string, integer, number, boolean, object, array
	nullable bool
	optional bool
}

// jsonSchema: object type -> key (nested: "reset.by", "methods[].side") -> spec.
type jsonSchema map[string]map[string]keySpec

var (
	schemaOnce sync.Once
	schema     jsonSchema
	schemaErr  error
)

var (
	sectionRe = regexp.MustCompile(`\{""type"":""([a-z]+)""\}`)
	specRe    = regexp.MustCompile(`^(string|integer|number|boolean|object|array)( or null)?(, optional)?:`)
)

// loadSchema reads the man page's JSON OUTPUT section.
func loadSchema() (jsonSchema, error) {
	schemaOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(repoRoot, "man", "man8", "gogrpctrace.8"))
		if err != nil {
			schemaErr = err
			return
		}
		text := string(b)
		i := strings.Index(text, "\n.SH JSON OUTPUT\n")
		if i < 0 {
			schemaErr = fmt.Errorf("the man page has no JSON OUTPUT section")
			return
		}
		text = text[i+1:]
		if j := strings.Index(text[1:], "\n.SH "); j >= 0 {
			text = text[:j+1]
		}
		schema = jsonSchema{}
		var types []string
		lines := strings.Split(text, "\n")
		for n := 0; n < len(lines); n++ {
			l := lines[n]
			if strings.HasPrefix(l, ".SS ") {
				types = nil
				for _, m := range sectionRe.FindAllStringSubmatch(l, -1) {
					types = append(types, m[1])
					schema[m[1]] = map[string]keySpec{}
				}
				continue
			}
			if !strings.HasPrefix(l, ".B ") || n+1 >= len(lines) || len(types) == 0 {
				continue
			}
			key := strings.ReplaceAll(strings.TrimPrefix(l, ".B "), `\-`, "-")
			m := specRe.FindStringSubmatch(lines[n+1])
			if m == nil {
				schemaErr = fmt.Errorf("man page: key %s has no type line: %q", key, lines[n+1])
				return
			}
			for _, t := range types {
				schema[t][key] = keySpec{kind: m[1], nullable: m[2] != "", optional: m[3] != ""}
			}
		}
		if len(schema) == 0 {
			schemaErr = fmt.Errorf("man page: JSON OUTPUT documents no object type")
		}
	})
	return schema, schemaErr
}

// checkJSONLine holds one line of --json output to the schema.
func checkJSONLine(line string) error {
	s, err := loadSchema()
	if err != nil {
		return err
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(line), &obj); err != nil {
		return fmt.Errorf("not JSON: %q", line)
	}
	t, _ := obj["type"].(string)
	keys, ok := s[t]
	if !ok {
		return fmt.Errorf("object type %q is not in the man page's JSON OUTPUT: %s", t, line)
	}
	if err := checkObject(keys, "", obj); err != nil {
		return fmt.Errorf("%s: %v: %s", t, err, line)
	}
	return nil
}

// checkObject checks obj's keys against the specs under prefix ("" at
// the top, "reset." or "methods[]." for nested objects).
func checkObject(keys map[string]keySpec, prefix string, obj map[string]any) error {
	for k, v := range obj {
		spec, ok := keys[prefix+k]
		if !ok {
			return fmt.Errorf("key %s%s is not documented", prefix, k)
		}
		if err := checkValue(keys, prefix+k, spec, v); err != nil {
			return err
		}
	}
	for k, spec := range keys {
		rest, under := strings.CutPrefix(k, prefix)
		if !under || strings.ContainsAny(rest, ".[") || spec.optional {
			continue
		}
		if _, ok := obj[rest]; !ok {
			return fmt.Errorf("documented key %s is missing", k)
		}
	}
	return nil
}

func checkValue(keys map[string]keySpec, key string, spec keySpec, v any) error {
	if v == nil {
		if !spec.nullable {
			return fmt.Errorf("%s is null, documented as never null", key)
		}
		return nil
	}
	ok := false
	switch x := v.(type) {
	case string:
		ok = spec.kind == "string"
	case bool:
		ok = spec.kind == "boolean"
	case float64:
		ok = spec.kind == "number" || (spec.kind == "integer" && x == math.Trunc(x))
	case []any:
		ok = spec.kind == "array"
		for _, e := range x {
			if m, isObj := e.(map[string]any); isObj && hasNested(keys, key+"[].") {
				if err := checkObject(keys, key+"[].", m); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		ok = spec.kind == "object"
		if ok && hasNested(keys, key+".") {
			return checkObject(keys, key+".", x)
		}
	}
	if !ok {
		return fmt.Errorf("%s = %v, documented as %s", key, v, spec.kind)
	}
	return nil
}

func hasNested(keys map[string]keySpec, prefix string) bool {
	for k := range keys {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
