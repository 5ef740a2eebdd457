module gogrpctrace/tests/bench/driver

go 1.19
