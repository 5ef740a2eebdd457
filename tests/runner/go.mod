module gogrpctrace/tests/runner

go 1.26.0

require gogrpctrace/tests/targets v0.0.0

// The JSON lines of the test programs (tests/targets/records).
replace gogrpctrace/tests/targets => ../targets
