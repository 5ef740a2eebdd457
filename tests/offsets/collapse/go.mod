module gogrpctrace/tests/offsets/collapse

go 1.22
