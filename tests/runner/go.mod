module gogrpctrace/tests/runner

go 1.22
