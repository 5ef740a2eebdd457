// Command collapse merges the dumps of the reference builds (one directory
// per build, holding "build" and "dump") into the offsets table: every value
// keyed by the Go minor release and the release of the module that owns it,
// consecutive known releases with the same value collapsed into one row.
//
// Usage: collapse REFSDIR GOARCH > tool/offsets_GOARCH.tbl
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// build is one reference build: its versions and how it was made.
type build struct {
	goVersion, grpc, xnet, how string
}

// point is where a value was seen: a Go minor release and a release of the
// module owning the value ("-" for the standard library).
type point struct{ goMinor, version string }

// series is every observation of one key.
type series struct {
	owner string
	seen  map[point]string
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: collapse REFSDIR GOARCH")
		os.Exit(2)
	}
	goarch := os.Args[2]
	builds, keys, known, err := readBuilds(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "collapse:", err)
		os.Exit(1)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	writeHeader(w, goarch, builds)
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		writeRows(w, k, keys[k], known)
	}
}

// owner names the module whose release decides a value of this name.
func owner(name string) string {
	switch {
	case strings.HasPrefix(name, "google.golang.org/grpc"):
		return "grpc"
	case strings.HasPrefix(name, "golang.org/x/net"):
		return "xnet"
	default:
		return "go"
	}
}

// goMinor turns "go1.26.8" into "go1.26".
func goMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

func readBuilds(dir string) ([]build, map[string]*series, map[string]map[string]map[string]bool, error) {
	dirs, err := filepath.Glob(filepath.Join(dir, "*", "dump"))
	if err != nil || len(dirs) == 0 {
		return nil, nil, nil, fmt.Errorf("no dumps under %s", dir)
	}
	sort.Strings(dirs)
	var builds []build
	keys := map[string]*series{}
	// known[owner][goMinor] = set of the owner's releases built with it
	known := map[string]map[string]map[string]bool{}
	for _, dump := range dirs {
		meta, err := os.ReadFile(filepath.Join(filepath.Dir(dump), "build"))
		if err != nil {
			return nil, nil, nil, err
		}
		f := strings.Fields(string(meta))
		if len(f) < 4 {
			return nil, nil, nil, fmt.Errorf("%s: bad build line", dump)
		}
		b := build{goVersion: f[0], grpc: f[1], xnet: f[2], how: strings.Join(f[3:], " ")}
		builds = append(builds, b)
		versions := map[string]string{"grpc": b.grpc, "xnet": b.xnet, "go": "-"}
		gm := goMinor(b.goVersion)
		for o, v := range versions {
			if known[o] == nil {
				known[o] = map[string]map[string]bool{}
			}
			if known[o][gm] == nil {
				known[o][gm] = map[string]bool{}
			}
			known[o][gm][v] = true
		}
		if err := readDump(dump, gm, versions, keys); err != nil {
			return nil, nil, nil, err
		}
	}
	return builds, keys, known, nil
}

// readDump files each line of one dump under its key: the kind and the
// names before the value ("member TYPE:PATH", "param FUNC NAME", ...).
func readDump(path, gm string, versions map[string]string, keys map[string]*series) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		var key, value string
		switch {
		case len(f) >= 3 && (f[0] == "member" || f[0] == "size" || f[0] == "func"):
			key, value = f[0]+" "+f[1], strings.Join(f[2:], " ")
		case len(f) >= 4 && f[0] == "param":
			key, value = f[0]+" "+f[1]+" "+f[2], strings.Join(f[3:], " ")
		case len(f) == 2 && f[0] == "noparams":
			key, value = f[0]+" "+f[1], "-"
		default:
			return fmt.Errorf("%s: bad line %q", path, line)
		}
		s := keys[key]
		if s == nil {
			s = &series{owner: owner(f[1]), seen: map[point]string{}}
			keys[key] = s
		}
		p := point{gm, versions[s.owner]}
		if old, ok := s.seen[p]; ok && old != value {
			return fmt.Errorf("%s: %s is %q here but %q in another build of %s %s",
				path, key, value, old, gm, p.version)
		}
		s.seen[p] = value
	}
	return nil
}

// run is a stretch of consecutive known releases with one value.
type run struct{ lo, hi, value string }

// runs of one key under one Go minor release, over the owner's known
// releases in order; a release where the key was not seen ends a run.
func runs(s *series, gm string, releases []string) []run {
	var out []run
	for _, v := range releases {
		value, ok := s.seen[point{gm, v}]
		if !ok {
			out = append(out, run{})
			continue
		}
		if n := len(out); n > 0 && out[n-1].value == value && out[n-1].lo != "" {
			out[n-1].hi = v
			continue
		}
		out = append(out, run{v, v, value})
	}
	return out
}

func sameRuns(a, b []run) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// writeRows writes one key: Go minor releases with the same runs over the
// same releases are merged into one range of Go releases.
func writeRows(w *bufio.Writer, key string, s *series, known map[string]map[string]map[string]bool) {
	var minors []string
	for gm := range known[s.owner] {
		minors = append(minors, gm)
	}
	sort.Slice(minors, func(i, j int) bool { return versionLess(minors[i], minors[j]) })
	type group struct {
		lo, hi string
		runs   []run
	}
	var groups []group
	for _, gm := range minors {
		releases := sortedReleases(known[s.owner][gm])
		r := runs(s, gm, releases)
		if n := len(groups); n > 0 && sameRuns(groups[n-1].runs, r) {
			groups[n-1].hi = gm
			continue
		}
		groups = append(groups, group{gm, gm, r})
	}
	kind, name, _ := strings.Cut(key, " ")
	for _, g := range groups {
		for _, r := range g.runs {
			if r.lo == "" {
				continue
			}
			fmt.Fprintf(w, "%s %s %s %s %s %s %s %s\n", kind, g.lo, g.hi, s.owner, r.lo, r.hi, name, r.value)
		}
	}
}

func sortedReleases(set map[string]bool) []string {
	var out []string
	for v := range set {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i], out[j]) })
	return out
}

func writeHeader(w *bufio.Writer, goarch string, builds []build) {
	fmt.Fprintf(w, `# offsets_%[1]s.tbl - the offsets table of %[1]s binaries: the numbers
# gogrpctrace's probes need, for binaries without DWARF, read by
# gogrpctrace's own reader from the DWARF of reference builds for %[1]s.
# Generated by "GOARCH=%[1]s make offsets" (tests/offsets/generate.sh); do
# not edit.
#
# build GO GRPC XNET HOW: one reference build of tests/offsets/ref.
# Value rows: KIND GOLO GOHI OWNER LO HI KEY VALUE...
#   a row holds for Go minor releases GOLO..GOHI and, when OWNER is grpc or
#   xnet, for that module's releases LO..HI (releases the builds used;
#   consecutive ones with the same value are merged). OWNER go: the value
#   belongs to the standard library, LO and HI are "-".
#   member TYPE:PATH OFFSET SIZE | member TYPE:PATH -  (absent)
#   size TYPE BYTES | size TYPE -
#   func NAME BYTES                 (its code size: a release's fingerprint)
#   param FUNC NAME INDEX TYPE PIECE...  PIECE: rDWARFREG:SIZE, sSPOFFSET:SIZE, -
#                                   (INDEX: its place among the parameters;
#                                   one PIECE "!": DWARF had no readable location)
#   noparams FUNC                   (DWARF had no parameters for it)
`, goarch)
	sort.Slice(builds, func(i, j int) bool {
		a, b := builds[i], builds[j]
		if a.goVersion != b.goVersion {
			return versionLess(a.goVersion, b.goVersion)
		}
		if a.grpc != b.grpc {
			return versionLess(a.grpc, b.grpc)
		}
		return versionLess(a.xnet, b.xnet)
	})
	for _, b := range builds {
		fmt.Fprintf(w, "build %s %s %s %s\n", b.goVersion, b.grpc, b.xnet, b.how)
	}
}
