package main

import (
	"strconv"
	"strings"
)

// versionLess orders "go1.19.8", "go1.26", "v1.33.3" and pseudo-versions
// ("v0.0.0-20201021035429-f5854403a974") the way gogrpctrace's
// gobin__version_cmp does: numbers first, a release after its
// pre-releases, pre-releases by their text.
func versionLess(a, b string) bool { return versionCmp(a, b) < 0 }

func versionCmp(a, b string) int {
	a = strings.TrimPrefix(strings.TrimPrefix(a, "go"), "v")
	b = strings.TrimPrefix(strings.TrimPrefix(b, "go"), "v")
	na, ra := splitVersion(a)
	nb, rb := splitVersion(b)
	for i := 0; i < len(na) || i < len(nb); i++ {
		x, y := -1, -1
		if i < len(na) {
			x = na[i]
		}
		if i < len(nb) {
			y = nb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case ra == rb:
		return 0
	case ra == "":
		return 1
	case rb == "":
		return -1
	case ra < rb:
		return -1
	}
	return 1
}

// splitVersion: "1.33.3-pre" -> [1 33 3], "-pre".
func splitVersion(v string) ([]int, string) {
	var nums []int
	for len(v) > 0 {
		end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(v)
		}
		n, err := strconv.Atoi(v[:end])
		if err != nil {
			break
		}
		nums = append(nums, n)
		v = v[end:]
		if !strings.HasPrefix(v, ".") {
			break
		}
		v = v[1:]
	}
	return nums, v
}
