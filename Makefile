# gogrpctrace - build, test, demo. Build output goes to build/.
CC ?= gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
LDLIBS = -lbcc -ldw -lelf -lcapstone -lpthread -lm
BUILD = build
SAN ?=

DWARF_SRCS = $(wildcard dwarf/*.c)
TOOL_SRCS = $(wildcard tool/*.c)
TEMPLATES = $(wildcard bpf_templates/*.c bpf_templates/*.h) tool/offsets.tbl
OBJS = $(patsubst %.c,$(BUILD)/obj$(SAN)/%.o,$(DWARF_SRCS) $(TOOL_SRCS)) \
       $(BUILD)/obj$(SAN)/templates.o

BIN = $(BUILD)/gogrpctrace$(SAN)

.PHONY: all test unit runtime demo bench asan clean targets install deps golden offsets

CHECKS = $(BUILD)/check-func-oom $(BUILD)/check-perf-oom $(BUILD)/check-offsets-reload \
	 $(BUILD)/check-lathist

all: $(BIN) $(BUILD)/gogrpctrace $(BUILD)/render-golden $(BUILD)/itab-lookup $(CHECKS)

ifneq ($(SAN),)
$(BUILD)/gogrpctrace:
	@true
endif

$(BIN): $(OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj$(SAN)/%.o: %.c $(wildcard dwarf/*.h tool/*.h bpf_templates/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

# The BPF templates are compiled into the binary as strings, so an
# installed gogrpctrace needs no data files.
$(BUILD)/templates.c: $(TEMPLATES) tool/embed.sh
	@mkdir -p $(BUILD)
	sh tool/embed.sh $(TEMPLATES) > $@

$(BUILD)/obj$(SAN)/templates.o: $(BUILD)/templates.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -Wno-overlength-strings -c -o $@ $<

# The renderer on a made-up resolution, for the golden files in tests/golden.
TOOL_LIB_OBJS = $(filter-out $(BUILD)/obj/tool/main.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(DWARF_SRCS) $(TOOL_SRCS))) $(BUILD)/obj/templates.o
$(BUILD)/render-golden: tests/unit/render_golden.c $(TOOL_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The offsets table's reader of reference builds (make offsets).
$(BUILD)/offsets-dump: tests/offsets/dump.c $(TOOL_LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Rebuild tool/offsets.tbl from reference builds of every grpc-go release
# in tests/offsets/versions.txt (slow: about a hundred Go builds).
offsets: deps $(BUILD)/offsets-dump
	bash tests/offsets/generate.sh

# The reader alone, asked about itabs (tests/runner/itablinks.go); an
# ASan build of it comes with `make asan`.
DWARF_OBJS = $(patsubst %.c,$(BUILD)/obj$(SAN)/%.o,$(DWARF_SRCS))
$(BUILD)/itab-lookup$(SAN): tests/unit/itab_lookup.c $(DWARF_OBJS)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ -ldw -lelf -lcapstone

# Failure paths no input file reaches (tests/runner/review.go): each check
# compiles in the one source file it tests, with a failing allocator or a
# table of its own, and links the rest.
$(BUILD)/check-func-oom: tests/unit/func_oom.c dwarf/func.c $(filter-out $(BUILD)/obj/dwarf/func.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(DWARF_SRCS)))
	$(CC) $(CFLAGS) -o $@ $< $(filter %.o,$^) -ldw -lelf -lcapstone

$(BUILD)/check-perf-oom: tests/unit/perf_oom.c tool/eventbuf.c tool/eventbuf.h
	$(CC) $(CFLAGS) -o $@ $< -lbcc

$(BUILD)/check-offsets-reload: tests/unit/offsets_reload.c tool/offsets.c tool/offsets.h $(patsubst %.c,$(BUILD)/obj/%.o,$(DWARF_SRCS))
	$(CC) $(CFLAGS) -o $@ $< $(filter %.o,$^) -ldw -lelf -lcapstone

# The summary's latency histogram against known distributions
# (tests/runner/bounded.go).
$(BUILD)/check-lathist: tests/unit/lathist.c tool/lathist.c tool/lathist.h
	$(CC) $(CFLAGS) -o $@ tests/unit/lathist.c tool/lathist.c -lm

# Rewrite the golden files after a deliberate change to the template or renderer.
golden: $(BUILD)/render-golden
	for m in all missing; do $(BUILD)/render-golden $$m > tests/golden/render_$$m.c; done

asan:
	$(MAKE) SAN=-asan SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		$(BUILD)/gogrpctrace-asan $(BUILD)/itab-lookup-asan

# Debian packages and tracefs (needs root; does nothing when all is there).
deps:
	bash tests/setup.sh

targets:
	bash tests/targets/build.sh

test: deps all asan targets
	bash tests/run.sh

unit: deps all asan targets
	bash tests/run.sh unit

runtime: deps all targets
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
