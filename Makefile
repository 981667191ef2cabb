# NeuroMesh build. `make` builds ./neuromesh; `make test` runs every cmocka
# test and the end-to-end scripts; `make asan` does the same under
# AddressSanitizer + UBSan. Missing Debian packages are installed first
# (scripts/install-deps.sh), unless NM_SKIP_DEPS=1.

ifneq ($(NM_SKIP_DEPS),1)
ifeq ($(filter clean fmt,$(MAKECMDGOALS)),)
DEPS_STATUS := $(shell sh scripts/install-deps.sh >&2 && echo ok)
ifneq ($(DEPS_STATUS),ok)
$(error dependencies missing: see the message above (scripts/install-deps.sh))
endif
endif
endif

CC ?= cc
BUILD ?= build
PKGS := ncursesw readline libuv libwebsockets libcjson sqlite3 libsodium inih
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lpthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

OPT ?= -O2
# Tables are written with designated initialisers (a field added to a
# struct defaults to 0 there), so -Wextra's -Wmissing-field-initializers
# stays on for positional ones.
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-g $(OPT) -I. $(PKG_CFLAGS)
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

MAIN_SRC := console/cli/main.c
SRCS := $(wildcard node/*.c node/pallets/*.c rpc/*.c console/*/*.c widgets/*.c)
LIB_SRCS := $(filter-out $(MAIN_SRC),$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
BIN := $(BUILD)/neuromesh

.PHONY: all run test unit e2e asan bench fuzz clean check-fmt
all: neuromesh

neuromesh: $(BIN)
	@if [ "$(BUILD)" = build ]; then ln -sf $(BIN) neuromesh; fi

$(BIN): $(BUILD)/$(MAIN_SRC:.c=.o) $(BUILD)/libneuromesh.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libneuromesh.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT_OBJS) $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(BUILD)/libneuromesh.a \
		$(PKG_LIBS) $(CMOCKA_LIBS)

# The allocation fault test counts (and fails) our own allocations.
$(BUILD)/tests/test_faults_alloc: ALL_LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=calloc \
	-Wl,--wrap=realloc

$(BUILD)/bench/%: bench/%.c $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libneuromesh.a $(PKG_LIBS)

# `neuromesh --version` names the commit it was built from (with -dirty
# for uncommitted changes); main.o is rebuilt when that changes.
NM_COMMIT := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
$(BUILD)/commit.stamp: FORCE
	@mkdir -p $(BUILD); echo '$(NM_COMMIT)' | cmp -s - $@ || echo '$(NM_COMMIT)' >$@
$(BUILD)/$(MAIN_SRC:.c=.o): $(BUILD)/commit.stamp
$(BUILD)/$(MAIN_SRC:.c=.o): ALL_CFLAGS += -DNM_COMMIT='"$(NM_COMMIT)"'
.PHONY: FORCE
FORCE:

run: neuromesh
	./neuromesh

unit: $(TEST_BINS)
	@sh tests/run-unit.sh $(TEST_BINS)

e2e: $(BIN)
	@NEUROMESH=$(abspath $(BIN)) sh tests/run-e2e.sh

test: $(BIN) $(TEST_BINS)
	@sh tests/run-unit.sh $(TEST_BINS)
	@NEUROMESH=$(abspath $(BIN)) sh tests/run-e2e.sh

asan:
	$(MAKE) BUILD=build/asan SANITIZE=1 OPT=-O1 test

bench: $(BENCH_BINS) $(BIN)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

# libFuzzer targets: every tests/fuzz/fuzz_NAME.c is built with clang
# against the library (instrumented) and run for FUZZ_SECONDS on its corpus
# tests/fuzz/corpus/NAME (new inputs go to $(BUILD)/fuzz/corpus/NAME,
# crashes to $(BUILD)/fuzz/fuzz_NAME-crash-*: copy those into the corpus,
# which make test replays); tests/fuzz/NAME.dict, if there, is its dictionary.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_CFLAGS := $(filter-out -Werror,$(CFLAGS_BASE)) -fsanitize=address,undefined
# The node and its RPC server: what reads bytes from outside. (The
# console's RPC client stays out: clang 14 refuses a declaration right
# after a case label there, which gcc accepts.)
FUZZ_LIB_SRCS := $(filter-out rpc/client.c rpc/client_thread.c,$(filter node/% rpc/%,$(LIB_SRCS)))
FUZZ_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/libfuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_DIR)/libfuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libfuzz.a $(PKG_LIBS)

fuzz: $(FUZZ_BINS)
	@for b in $(FUZZ_BINS); do n=$$(basename $$b); c=$${n#fuzz_}; \
	  mkdir -p $(FUZZ_DIR)/corpus/$$c tests/fuzz/corpus/$$c; \
	  d=; [ -f tests/fuzz/$$c.dict ] && d=-dict=tests/fuzz/$$c.dict; \
	  echo "== fuzz $$n for $(FUZZ_SECONDS) s"; \
	  $$b -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $$d \
	    -artifact_prefix=$(FUZZ_DIR)/$$n- \
	    $(FUZZ_DIR)/corpus/$$c tests/fuzz/corpus/$$c || exit 1; done

clean:
	rm -rf build neuromesh

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
