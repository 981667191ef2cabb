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
PKGS := ncursesw readline libuv libwebsockets libcjson sqlite3 libsodium grpc libprotobuf-c \
	libseccomp libcurl miniupnpc inih hiredis
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lpthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

OPT ?= -O2
# Tables are written with designated initialisers (a field added to a
# struct defaults to 0 there), so -Wextra's -Wmissing-field-initializers
# stays on for positional ones.
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-g $(OPT) -I. -I$(BUILD)/gen $(PKG_CFLAGS)
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

MAIN_SRC := console/cli/main.c
SRCS := $(wildcard node/*.c node/pallets/*.c node/bft/*.c node/p2p/*.c node/schema_json/*.c node/miner/*.c \
	node/eval/*.c node/validator/*.c rpc/*.c service/*.c console/*/*.c widgets/*.c \
	api/*.c)
LIB_SRCS := $(filter-out $(MAIN_SRC),$(SRCS))
# protobuf-c code generated from the repo's .proto files (never committed).
PROTOS := $(wildcard node/*/proto/*.proto)
PROTO_SRCS := $(PROTOS:%.proto=$(BUILD)/gen/%.pb-c.c)
PROTO_HDRS := $(PROTO_SRCS:.c=.h)
# The aggregator's OpenAPI document, compiled in as JSON (api/openapi.yaml).
OPENAPI_C := $(BUILD)/gen/api/openapi_json.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(PROTO_SRCS:.c=.o) $(OPENAPI_C:.c=.o)
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
BENCH_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/support/*.c)) \
	$(BUILD)/tests/support/ws_raw.o
BIN := $(BUILD)/neuromesh

.PHONY: all run test unit e2e asan bench fuzz clean check-fmt soak devnet walkthrough
all: neuromesh

neuromesh: $(BIN)
	@if [ "$(BUILD)" = build ]; then ln -sf $(BIN) neuromesh; fi

$(BIN): $(BUILD)/$(MAIN_SRC:.c=.o) $(BUILD)/libneuromesh.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libneuromesh.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c | $(PROTO_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: %.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen $<

$(OPENAPI_C): api/openapi.yaml scripts/openapi-to-c.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 scripts/openapi-to-c.py $< $@

$(OPENAPI_C:.c=.o): $(OPENAPI_C)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Keep the generated code (make would delete it as an intermediate file).
.SECONDARY: $(PROTO_SRCS) $(PROTO_HDRS)

$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT_OBJS) $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(BUILD)/libneuromesh.a \
		$(PKG_LIBS) $(CMOCKA_LIBS)

# The allocation fault test counts (and fails) our own allocations.
$(BUILD)/tests/test_faults_alloc: ALL_LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=calloc \
	-Wl,--wrap=realloc

$(BUILD)/bench/%: bench/%.c $(BENCH_SUPPORT_OBJS) $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BENCH_SUPPORT_OBJS) $(BUILD)/libneuromesh.a \
		$(PKG_LIBS)

# The BFT simulator: `make soak SEED=S` replays one seed verbosely,
# `make soak SEEDS=N [FROM=F]` runs N seeds and prints seeds and steps.
SEEDS ?= 100000
FROM ?= 1
soak: $(BUILD)/tests/test_bft_sim
	@if [ -n "$(SEED)" ]; then $(BUILD)/tests/test_bft_sim --seed $(SEED); \
	else $(BUILD)/tests/test_bft_sim --seeds $(SEEDS) --from $(FROM); fi

# These tests include a fuzz harness's source: rebuild them when it changes.
$(BUILD)/tests/test_bft_corpus: tests/fuzz/fuzz_bft.c
$(BUILD)/tests/test_bft_machine_fuzz: tests/fuzz/fuzz_bft_machine.c

# The BFT bench drives the simulator of the tests (no cmocka in it).
$(BUILD)/bench/bench_bft: bench/bench_bft.c $(BUILD)/tests/support/bft_sim.o $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

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

# A loopback devnet of DEVNET_NODES nodes in ./devnet (scripts/devnet.sh
# status / down to look at it and stop it).
DEVNET_NODES ?= 4
devnet: neuromesh
	sh scripts/devnet.sh up $(DEVNET_NODES)

# docs/walkthrough.cast: the console's operator story recorded by Debian
# asciinema from scripts/walkthrough.sh (about 40 s on a dev chain).
walkthrough: $(BIN)
	NEUROMESH=$(abspath $(BIN)) asciinema rec --overwrite -q --cols 120 --rows 40 \
		-c "sh scripts/walkthrough.sh" docs/walkthrough.cast

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
FUZZ_LIB_SRCS := $(filter-out rpc/client.c rpc/client_thread.c node/eval/% node/validator/%,\
	$(filter-out $(filter-out node/miner/jsonl.c,$(wildcard node/miner/*.c)),\
	$(filter node/% rpc/%,$(LIB_SRCS))))
FUZZ_OBJS := $(FUZZ_LIB_SRCS:%.c=$(FUZZ_DIR)/obj/%.o) $(PROTO_SRCS:$(BUILD)/%.c=$(FUZZ_DIR)/obj/%.o)

$(FUZZ_DIR)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.c | $(PROTO_HDRS)
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
