package main

import "testing"

func TestQuantile(t *testing.T) {
	v := []float64{0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6} // 9 pairs
	for _, c := range []struct{ q, want float64 }{{0, 0.1}, {0.25, 0.3}, {0.5, 0.5}, {0.75, 0.7}, {1, 0.9}} {
		if got := quantile(v, c.q); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := median([]float64{1, 2}); got != 1.5 {
		t.Errorf("median of two = %v, want 1.5", got)
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("quantile of none = %v, want 0", got)
	}
}

func TestShortErr(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"tool [--json -p 1] exited before attaching: gogrpctrace: the kernel rejected probe_x", "gogrpctrace: the kernel rejected probe_x"},
		{"tool [-v] exited before attaching: gogrpctrace: PID 1: wrappers | a | gogrpctrace: no DWARF", "gogrpctrace: no DWARF"},
		{"grpcload did not finish", "grpcload did not finish"},
	} {
		if got := shortErr(c.in); got != c.want {
			t.Errorf("shortErr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
