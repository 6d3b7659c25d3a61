# mtuguard: `make` builds ./mtuguard; `sudo make test` and `sudo make demo`
# install what they need first (tools/install-deps.sh). V=1 shows commands.
OUTPUT := .output
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
CC ?= cc

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/')
INCLUDES := -Iinclude -Ivmlinux -I$(OUTPUT)
WARNINGS := -Wall -Wextra
CFLAGS ?= -g -O2
CFLAGS += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -MMD -MP $(INCLUDES) -Iuser
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARNINGS) -MMD -MP $(INCLUDES)
LDLIBS := -lbpf -lelf -lz -ljson-c -lmnl -lcap -lyaml -lmicrohttpd -lpthread

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
# user/ is one folder per part of the data path (README, "Layout"); headers
# are included by their folder ("node/node.h"), so -Iuser is the only path.
USER_SRCS := $(wildcard user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# Everything but main(): linked into the binary and into the unit tests.
LIB_OBJS := $(filter-out $(OUTPUT)/user/cmd/main.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
PROG_TEST := $(OUTPUT)/tests/bpf_prog_test
DIFF_TEST := $(OUTPUT)/tests/bpf_diff
ASSIST_TEST := $(OUTPUT)/tests/assist_test

# Sanitizers (ASan, UBSan) and fuzzing: the userspace objects again, built by
# clang with instrumentation; the unit tests and the fuzz targets link them.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
SAN_CFLAGS := -g -O1 $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -MMD -MP $(INCLUDES) -Iuser $(SAN_FLAGS)
SAN_OBJS := $(patsubst user/%.c,$(OUTPUT)/san/%.o,$(filter-out user/cmd/main.c,$(USER_SRCS)))
ASAN_UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/asan_%,$(UNIT_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean test demo deps vmlinux diff-long fuzz verify-kernels bench format image
all: mtuguard

deps:
	$(Q)tools/install-deps.sh

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests $(OUTPUT)/san $(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@ # drop DWARF, keep BTF

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Userspace objects include the skeleton, so it must exist first.
$(OUTPUT)/user/%.o: user/%.c $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

mtuguard: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

$(PROG_TEST): tests/bpf_prog_test.c tests/frames.h tests/bpf_check.h $(SKELS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $< $(LIB_OBJS) $(LDLIBS) -o $@

$(ASSIST_TEST): tests/assist_test.c tests/frames.h tests/bpf_check.h $(SKELS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $< $(LIB_OBJS) $(LDLIBS) -o $@

$(DIFF_TEST): tests/diff_test.c tests/reference.c tests/reference.h $(SKELS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests tests/diff_test.c tests/reference.c $(LIB_OBJS) $(LDLIBS) -o $@

$(OUTPUT)/san/%.o: user/%.c $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(OUTPUT)/tests/asan_%: tests/unit/%.c $(SAN_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST-SAN,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) $< $(SAN_OBJS) $(LDLIBS) -lcmocka -o $@

$(OUTPUT)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_input.h $(SAN_OBJS) | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $< $(SAN_OBJS) $(LDLIBS) -o $@

# Benchmarks (tools/bench): `make bench`, or one part: `make bench BENCH=prog`.
BENCH_PROG := $(OUTPUT)/bench/prog_cost
$(OUTPUT)/bench:
	$(Q)mkdir -p $@
$(OUTPUT)/noop.bpf.o: tools/bench/noop.bpf.c | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@
$(BENCH_PROG): tools/bench/prog_cost.c $(OUTPUT)/noop.skel.h $(SKELS) $(LIB_OBJS) | $(OUTPUT)/bench
	$(call msg,BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -Itests $< $(LIB_OBJS) $(LDLIBS) -o $@
BENCH ?= all
bench: deps
	$(Q)$(MAKE) --no-print-directory mtuguard $(BENCH_PROG)
	$(Q)tools/bench/run.sh $(BENCH)

# On demand: load every program on Debian's own kernel, booted under qemu.
verify-kernels: deps $(SKELS)
	$(Q)command -v qemu-system-x86_64 >/dev/null || apt-get install -y -qq --no-install-recommends qemu-system-x86 cpio
	$(Q)tools/verify-kernels.sh

# Longer fuzzing on demand: FUZZ_SECONDS per target (default 600).
FUZZ_SECONDS ?= 600
fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS)

test-bins: mtuguard $(UNIT_BINS) $(PROG_TEST) $(ASSIST_TEST) $(DIFF_TEST) $(ASAN_UNIT_BINS) $(FUZZ_BINS)

# The long differential campaign, on demand: DIFF_FRAMES=1000000 DIFF_SEED=7
DIFF_FRAMES ?= 1000000
DIFF_SEED ?= 1
diff-long: deps
	$(Q)$(MAKE) --no-print-directory $(DIFF_TEST)
	$(Q)$(DIFF_TEST) --frames $(DIFF_FRAMES) --seed $(DIFF_SEED)

# Regenerate the committed CO-RE header from the running kernel's BTF.
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

test: deps
	$(Q)$(MAKE) --no-print-directory test-bins
	$(Q)tests/run.sh

# Rewrites the C sources to .clang-format (make test checks them).
format:
	$(Q)tools/format.sh fix

# SWITCH=ovs shows the incident on Open vSwitch and `mtuguard check`.
SWITCH ?= bridge
demo: deps
	$(Q)$(MAKE) --no-print-directory mtuguard
	$(Q)tools/demo.sh $(SWITCH)

# The DaemonSet's image, built here with buildah (tools/image.sh).
image: deps
	$(Q)tools/image.sh $(IMAGE)

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(OUTPUT) mtuguard

.PHONY: test-bins
.DELETE_ON_ERROR:
.SECONDARY:

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*/*.d $(OUTPUT)/tests/*.d $(OUTPUT)/san/*/*.d)
