// Package protodump is a test oracle built into the test programs: a
// program that calls IfAsked first thing in main, started with
// GOGRPCTRACE_DUMP_PROTOS=1 in its environment, prints every protobuf file
// descriptor its protobuf runtime has registered and exits 0. It runs in
// main, not in an init function, because packages are initialized in
// import-path order and "gogrpctrace/..." comes before the generated
// packages of google.golang.org/grpc: only in main has every file been
// registered.
//
// One JSON line per file, files sorted by name:
//
//	{"file":"grpc/health/v1/health.proto","package":"grpc.health.v1",
//	 "services":[{"name":"Health","methods":[{"name":"Check",
//	   "input":"grpc.health.v1.HealthCheckRequest",
//	   "output":"grpc.health.v1.HealthCheckResponse",
//	   "client_streaming":false,"server_streaming":false}]}],
//	 "messages":["grpc.health.v1.HealthCheckRequest",...],
//	 "enums":["grpc.health.v1.HealthCheckResponse.ServingStatus"]}
//
// messages lists every message of the file by full name, nested ones
// (map entries too, e.g. "pkg.M.CountsEntry") right after their parent;
// enums the file's top-level enums, then those nested in messages in the
// same order. Lists are [] when empty.
//
// Where the files come from depends on the runtime: registry.go
// (google.golang.org/protobuf's protoregistry.GlobalFiles) or
// registry_goprotobuf13.go (golang/protobuf 1.3's own table).
package protodump

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// EnvVar is the environment variable that asks for the dump.
const EnvVar = "GOGRPCTRACE_DUMP_PROTOS"

type method struct {
	Name            string `json:"name"`
	Input           string `json:"input"`
	Output          string `json:"output"`
	ClientStreaming bool   `json:"client_streaming"`
	ServerStreaming bool   `json:"server_streaming"`
}

type service struct {
	Name    string   `json:"name"`
	Methods []method `json:"methods"`
}

type fileLine struct {
	File     string    `json:"file"`
	Package  string    `json:"package"`
	Services []service `json:"services"`
	Messages []string  `json:"messages"`
	Enums    []string  `json:"enums"`
}

// IfAsked dumps and exits when EnvVar is "1"; otherwise it returns.
func IfAsked() {
	if os.Getenv(EnvVar) != "1" {
		return
	}
	files, err := registeredFiles()
	if err != nil {
		fmt.Fprintf(os.Stderr, "protodump: %v\n", err)
		os.Exit(1)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].GetName() < files[j].GetName() })
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	for _, f := range files {
		if err := out.Encode(describe(f)); err != nil {
			fmt.Fprintf(os.Stderr, "protodump: %v\n", err)
			os.Exit(1)
		}
	}
	os.Exit(0)
}

func describe(f *fileProto) fileLine {
	l := fileLine{File: f.GetName(), Package: f.GetPackage(),
		Services: []service{}, Messages: []string{}, Enums: []string{}}
	prefix := ""
	if f.GetPackage() != "" {
		prefix = f.GetPackage() + "."
	}
	for _, s := range f.GetService() {
		svc := service{Name: s.GetName(), Methods: []method{}}
		for _, m := range s.GetMethod() {
			svc.Methods = append(svc.Methods, method{
				Name:            m.GetName(),
				Input:           strings.TrimPrefix(m.GetInputType(), "."),
				Output:          strings.TrimPrefix(m.GetOutputType(), "."),
				ClientStreaming: m.GetClientStreaming(),
				ServerStreaming: m.GetServerStreaming(),
			})
		}
		l.Services = append(l.Services, svc)
	}
	for _, e := range f.GetEnumType() {
		l.Enums = append(l.Enums, prefix+e.GetName())
	}
	var nestedEnums []string
	var walk func(prefix string, ms []*messageProto)
	walk = func(prefix string, ms []*messageProto) {
		for _, m := range ms {
			name := prefix + m.GetName()
			l.Messages = append(l.Messages, name)
			for _, e := range m.GetEnumType() {
				nestedEnums = append(nestedEnums, name+"."+e.GetName())
			}
			walk(name+".", m.GetNestedType())
		}
	}
	walk(prefix, f.GetMessageType())
	l.Enums = append(l.Enums, nestedEnums...)
	return l
}
