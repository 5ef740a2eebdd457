# gogrpctrace - build, test, demo. Build output goes to build/.
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
LDLIBS = -lbcc -ldw -lelf -lcapstone -lpthread -lm -lprotobuf-c -lz
BUILD = build
SAN ?=
# descriptor.proto compiled by protoc-c (tool/protodb.c parses the
# target's embedded descriptors with it); -I for its header.
GEN = $(BUILD)/gen
DESCRIPTOR_PROTO = /usr/include/google/protobuf/descriptor.proto
GEN_SRCS = $(GEN)/google/protobuf/descriptor.pb-c.c
GEN_HDRS = $(GEN_SRCS:.c=.h)
CFLAGS += -I$(GEN)
DWARF_LIBS = -ldw -lelf -lcapstone -lz

DWARF_SRCS = $(wildcard dwarf/*.c)
TOOL_SRCS = $(wildcard tool/*.c)
TEMPLATES = $(wildcard bpf_templates/*.c bpf_templates/*.h) $(wildcard tool/offsets_*.tbl)
OBJS = $(patsubst %.c,$(BUILD)/obj$(SAN)/%.o,$(DWARF_SRCS) $(TOOL_SRCS) $(GEN_SRCS)) \
       $(BUILD)/obj$(SAN)/templates.o

BIN = $(BUILD)/gogrpctrace$(SAN)

.PHONY: all test unit runtime demo bench asan clean targets jaeger install deps golden offsets

CHECKS = $(BUILD)/check-func-oom $(BUILD)/check-perf-oom $(BUILD)/check-offsets-reload \
	 $(BUILD)/check-lathist $(BUILD)/check-protodb $(BUILD)/check-pbdecode \
	 $(BUILD)/check-msgasm $(BUILD)/check-events $(BUILD)/check-probe-table \
	 $(BUILD)/check-dwarf-pure $(BUILD)/check-textrow $(BUILD)/check-follow $(BUILD)/check-otlp

all: $(BIN) $(BUILD)/gogrpctrace $(BUILD)/render-golden $(BUILD)/itab-lookup $(CHECKS)

ifneq ($(SAN),)
$(BUILD)/gogrpctrace:
	@true
endif

$(BIN): $(OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj$(SAN)/%.o: %.c $(wildcard dwarf/*.h tool/*.h bpf_templates/*.h) $(GEN_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

$(GEN_SRCS) $(GEN_HDRS) &: $(DESCRIPTOR_PROTO)
	@mkdir -p $(GEN)
	protoc-c --c_out=$(GEN) -I/usr/include $(DESCRIPTOR_PROTO)

# The BPF templates are compiled into the binary as strings, so an
# installed gogrpctrace needs no data files.
$(BUILD)/templates.c: $(TEMPLATES) tool/embed.sh
	@mkdir -p $(BUILD)
	sh tool/embed.sh $(TEMPLATES) > $@

$(BUILD)/obj$(SAN)/templates.o: $(BUILD)/templates.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -Wno-overlength-strings -c -o $@ $<

# The renderer on a made-up resolution, for the golden files in tests/golden.
TOOL_LIB_OBJS = $(filter-out $(BUILD)/obj/tool/main.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(DWARF_SRCS) $(TOOL_SRCS) $(GEN_SRCS))) $(BUILD)/obj/templates.o
$(BUILD)/render-golden: tests/unit/render_golden.c $(TOOL_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The offsets table's reader of reference builds (make offsets).
$(BUILD)/offsets-dump: tests/offsets/dump.c $(TOOL_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Rebuild tool/offsets_GOARCH.tbl (GOARCH from the environment, amd64 when
# unset) from reference builds of every grpc-go release in
# tests/offsets/versions.txt (slow: hundreds of Go builds).
offsets: deps $(BUILD)/offsets-dump
	bash tests/offsets/generate.sh

# The reader alone, asked about itabs (tests/runner/itablinks.go); an
# ASan build of it comes with `make asan`.
DWARF_OBJS = $(patsubst %.c,$(BUILD)/obj$(SAN)/%.o,$(DWARF_SRCS))
$(BUILD)/itab-lookup$(SAN): tests/unit/itab_lookup.c $(DWARF_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(DWARF_LIBS)

# Failure paths no input file reaches (tests/runner/review.go): each check
# compiles in the one source file it tests, with a failing allocator or a
# table of its own, and links the rest.
$(BUILD)/check-func-oom: tests/unit/func_oom.c dwarf/func.c $(filter-out $(BUILD)/obj/dwarf/func.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(DWARF_SRCS)))
	$(CC) $(CFLAGS) -o $@ $< $(filter %.o,$^) $(DWARF_LIBS)

$(BUILD)/check-perf-oom: tests/unit/perf_oom.c tool/eventbuf.c tool/eventbuf.h
	$(CC) $(CFLAGS) -o $@ $< -lbcc

$(BUILD)/check-offsets-reload: tests/unit/offsets_reload.c tool/offsets.c tool/offsets.h $(patsubst %.c,$(BUILD)/obj/%.o,$(DWARF_SRCS))
	$(CC) $(CFLAGS) -o $@ $< $(filter %.o,$^) $(DWARF_LIBS)

# The summary's latency histogram against known distributions
# (tests/runner/bounded.go).
$(BUILD)/check-lathist: tests/unit/lathist.c tool/lathist.c tool/lathist.h
	$(CC) $(CFLAGS) -o $@ tests/unit/lathist.c tool/lathist.c -lm

# The protobuf descriptor finder and model (tests/unit/protodb.c) on
# protoc's descriptors of tests/unit/protos and hostile variants of them
# (tests/runner/protos.go); `make asan` builds it with ASan too.
PROTODB_SRCS = $(DWARF_SRCS) tool/protodb.c tool/protobuild.c tool/protocheck.c tool/arena.c \
	       tool/protomodel.c $(GEN_SRCS)
$(BUILD)/check-protodb$(SAN): tests/unit/protodb.c $(PROTODB_SRCS) $(wildcard dwarf/*.h tool/*.h) \
			      $(GEN_HDRS) $(BUILD)/protodb-test.pb
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ tests/unit/protodb.c $(PROTODB_SRCS) $(DWARF_LIBS) -lprotobuf-c

# The payload decoder, gunzip and JSON escaping (tests/unit/pbdecode.c) on
# protoc's encodings of tests/unit/pbdecode/cases.txt, hostile bytes and
# every cut (tests/runner/pbdecode.go); `make asan` builds it with ASan too.
PBDECODE_SRCS = tool/pbdecode.c tool/pbwire.c tool/pbjson.c tool/pbtext.c tool/pbgzip.c \
		tool/shortfloat.c tool/json.c tool/protomodel.c
$(BUILD)/check-pbdecode$(SAN): tests/unit/pbdecode.c $(PBDECODE_SRCS) \
			       $(wildcard tool/*.h tests/unit/pbdecode/*.h)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ tests/unit/pbdecode.c $(PBDECODE_SRCS) -lz -lm

# --payload's messages put together from DATA frame events, lost ones too
# (tests/unit/msgasm.c, tests/runner/payloadframes.go); ASan with `make asan`.
$(BUILD)/check-msgasm$(SAN): tests/unit/msgasm.c tool/msgasm.c tool/msgasm.h \
			     bpf_templates/gogrpctrace_events.h tests/unit/check.h
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ tests/unit/msgasm.c tool/msgasm.c

# The call table's rules on made-up events: resets sent queued, TLS per
# connection, a server's early answer (tests/unit/events.c).
$(BUILD)/check-events: tests/unit/events.c tests/unit/check.h $(TOOL_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ tests/unit/events.c $(TOOL_LIB_OBJS) $(LDLIBS)

# The probe table and the rules hold together (tests/unit/probe_table.c).
$(BUILD)/check-probe-table: tests/unit/probe_table.c tool/probes.c tool/probes.h tool/probes_http.h \
			    bpf_templates/gogrpctrace_events.h tests/unit/check.h
	$(CC) $(CFLAGS) -o $@ tests/unit/probe_table.c tool/probes.c

# The reader's pure functions and its error contract, on inputs made by
# the test (tests/unit/dwarf_pure.c): neither root nor Go needed.
$(BUILD)/check-dwarf-pure: tests/unit/dwarf_pure.c tests/unit/check.h $(DWARF_OBJS)
	$(CC) $(CFLAGS) -o $@ tests/unit/dwarf_pure.c $(DWARF_OBJS) $(DWARF_LIBS)

# The text table keeps its columns for extreme values (tests/unit/textrow.c).
$(BUILD)/check-textrow$(SAN): tests/unit/textrow.c tool/textrow.c tool/textrow.h tool/termtext.c \
			      tool/termtext.h tool/numtext.h tests/unit/check.h
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ tests/unit/textrow.c tool/textrow.c tool/termtext.c

# The target selectors' rules: names, cgroups, container IDs (tests/unit/follow.c).
$(BUILD)/check-follow: tests/unit/follow.c tool/follow.c tool/follow.h tool/procinfo.c \
		       tool/procinfo.h tool/json.c tests/unit/check.h
	$(CC) $(CFLAGS) -o $@ tests/unit/follow.c tool/follow.c tool/procinfo.c tool/json.c

# Spans as OTLP bytes, trace contexts, receiver URLs (tests/unit/otlp.c).
$(BUILD)/check-otlp: tests/unit/otlp.c tests/unit/check.h $(TOOL_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ tests/unit/otlp.c $(TOOL_LIB_OBJS) $(LDLIBS)

$(BUILD)/protodb-test.pb: $(wildcard tests/unit/protos/*.proto)
	@mkdir -p $(BUILD)
	protoc --include_imports --descriptor_set_out=$@ -Itests/unit/protos -I/usr/include $^

# Rewrite the golden files after a deliberate change to the template or renderer.
golden: $(BUILD)/render-golden
	for m in all missing; do $(BUILD)/render-golden $$m > tests/golden/render_$$m.c; done

asan:
	$(MAKE) SAN=-asan SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		$(BUILD)/gogrpctrace-asan $(BUILD)/itab-lookup-asan $(BUILD)/check-protodb-asan \
		$(BUILD)/check-pbdecode-asan $(BUILD)/check-msgasm-asan $(BUILD)/check-textrow-asan

# Debian packages and tracefs (needs root; does nothing when all is there).
deps:
	bash tests/setup.sh

targets:
	bash tests/targets/build.sh

# The tracing backend the otlp/* tests send spans to (tests/otlp/build.sh).
jaeger:
	bash tests/otlp/build.sh

test: deps all asan targets jaeger
	bash tests/run.sh

unit: deps all asan targets
	bash tests/run.sh unit

runtime: deps all targets jaeger
	bash tests/run.sh runtime

demo: deps all
	bash tests/demo.sh

bench: deps all targets
	bash tests/bench/run.sh

install: all
	install -D -m 0755 $(BUILD)/gogrpctrace $(DESTDIR)/usr/local/sbin/gogrpctrace
	install -D -m 0644 man/man8/gogrpctrace.8 $(DESTDIR)/usr/local/share/man/man8/gogrpctrace.8

clean:
	rm -rf $(BUILD)

# Fuzz the binary reader (tests/fuzz) with libFuzzer, ASan and UBSan for
# FUZZ_SECONDS; findings land in build/fuzz/artifacts/.
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz: deps targets
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)
