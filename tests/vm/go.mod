module gogrpctrace/tests/vm

go 1.22
