package main

// Where the grpc-go version comes from: module data in module builds, the
// user-agent string grpc-go compiles in (clients) for GOPATH builds.

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

func init() { extraRegistrations = append(extraRegistrations, registerVersions) }

func registerVersions() {
	for _, c := range cells {
		c := c
		register("unit", "versions/"+c.name+"/grpcclient", false, func() error {
			want, source := c.grpc, "module data"
			if c.gopath {
				source = "user-agent string"
			}
			return grpcVersion(targetBin(c, "grpcclient"), want, source)
		})
	}
}

func grpcVersion(bin, want, source string) error {
	out, err := exec.Command(toolPath, "--inspect", "--json", bin).Output()
	if err != nil {
		return err
	}
	var doc struct {
		Rules []struct {
			Module        string  `json:"module"`
			Version       *string `json:"version"`
			VersionSource *string `json:"version_source"`
		} `json:"rules"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return err
	}
	for _, r := range doc.Rules {
		if !strings.HasSuffix(r.Module, "/grpc") {
			continue
		}
		if r.Version == nil || *r.Version != want || r.VersionSource == nil || *r.VersionSource != source {
			return fmt.Errorf("grpc-go version %s from %s, want %s from %s", strOrNil(r.Version), strOrNil(r.VersionSource), want, source)
		}
		return nil
	}
	return fmt.Errorf("no grpc-go rule in --inspect --json")
}

func strOrNil(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
