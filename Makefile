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
# libnatpmp (NAT-PMP) is the one library without a pkg-config module:
# Debian's libnatpmp-dev ships only natpmp.h and libnatpmp.so, so it is
# linked by name (scripts/install-deps.sh checks for the header).
# libcurl and gRPC are loaded with dlopen when first used
# (client/curl_load.h, node/miner/grpc_load.h): only the roles need them,
# and linking them cost every process, an idle node too, ~10 MB of
# resident memory. Their headers still come from pkg-config; the program
# does not link them.
DLOPEN_PKGS := libcurl grpc
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(DLOPEN_PKGS),$(PKGS))) -lnatpmp -lpthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

OPT ?= -O2
# Tables are written with designated initialisers (a field added to a
# struct defaults to 0 there), so -Wextra's -Wmissing-field-initializers
# stays on for positional ones.
# -fPIC: the same objects make the static library, the program and the
# C SDK's shared library (sdk/c).
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC \
	-g $(OPT) -I. -I$(BUILD)/gen $(PKG_CFLAGS)
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

MAIN_SRC := console/cli/main.c
SRCS := $(wildcard node/*.c node/pallets/*.c node/bft/*.c node/p2p/*.c node/schema_json/*.c node/miner/*.c \
	node/eval/*.c node/validator/*.c rpc/*.c service/*.c client/*.c console/*/*.c widgets/*.c \
	api/*.c sdk/c/*.c)
LIB_SRCS := $(filter-out $(MAIN_SRC),$(SRCS))
# protobuf-c code generated from the repo's .proto files (never committed).
PROTOS := $(wildcard node/*/proto/*.proto)
PROTO_SRCS := $(PROTOS:%.proto=$(BUILD)/gen/%.pb-c.c)
PROTO_HDRS := $(PROTO_SRCS:.c=.h)
# The aggregator's OpenAPI document, compiled in as JSON (api/openapi.yaml).
OPENAPI_C := $(BUILD)/gen/api/openapi_json.c
# The project templates of `neuromesh new` (sdk/templates), compiled in.
TEMPLATES_C := $(BUILD)/gen/sdk/templates.c
TEMPLATE_FILES := $(shell find sdk/templates -type f)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(PROTO_SRCS:.c=.o) $(OPENAPI_C:.c=.o) \
	$(TEMPLATES_C:.c=.o)
# The gRPC forwarders (node/miner/grpc_load.h): one for each grpc_*/gpr_*
# function the other objects call, from the prototypes in grpc's headers.
GRPC_STUBS_C := $(BUILD)/gen/node/miner/grpc_load_stubs.c
GRPC_CALLERS := $(LIB_OBJS)
LIB_OBJS += $(GRPC_STUBS_C:.c=.o)
GRPC_SONAME = $(shell readelf -d "$$($(CC) -print-file-name=libgrpc.so)" | \
	sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
TEST_SRCS := $(wildcard tests/test_*.c)
TEST_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
BENCH_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/support/*.c)) \
	$(BUILD)/tests/support/ws_raw.o $(BUILD)/tests/support/ws_flood.o
BIN := $(BUILD)/neuromesh

.PHONY: all run test unit e2e asan bench fuzz clean check-fmt soak soak-flood devnet walkthrough sdk install
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

$(TEMPLATES_C): $(TEMPLATE_FILES) scripts/templates-to-c.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 scripts/templates-to-c.py sdk/templates $@

$(TEMPLATES_C:.c=.o): $(TEMPLATES_C)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(GRPC_STUBS_C): $(GRPC_CALLERS) scripts/dlopen-stubs.py
	@mkdir -p $(dir $@)
	nm -u $(GRPC_CALLERS) | awk '$$1 == "U" && $$2 ~ /^(grpc|gpr)_[a-z]/ && $$2 !~ /__/ \
		{ print $$2 }' | sort -u >$@.names
	/usr/bin/python3 scripts/dlopen-stubs.py $@ "$(GRPC_SONAME)" nm_grpc node/miner/grpc_load.h \
		"$$(pkg-config --variable=includedir grpc)" grpc $@.names

$(GRPC_STUBS_C:.c=.o): $(GRPC_STUBS_C)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

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

# The miner's tests and bench drive gRPC directly too (a raw client, a bare
# echo server): they link the library itself beside the forwarders.
$(BUILD)/tests/test_miner_server $(BUILD)/bench/bench_miner: PKG_LIBS += $(shell pkg-config --libs grpc)

# The allocation fault test counts (and fails) our own allocations.
$(BUILD)/tests/test_faults_alloc: ALL_LDFLAGS += -Wl,--wrap=malloc -Wl,--wrap=calloc \
	-Wl,--wrap=realloc

$(BUILD)/bench/%: bench/%.c $(BENCH_SUPPORT_OBJS) $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BENCH_SUPPORT_OBJS) $(BUILD)/libneuromesh.a \
		$(PKG_LIBS)

# The RPC flood of tests/test_rpc_limits.c (block intervals within 10% of
# the block time, as in `make test`), FLOOD_RUNS times in a row
# (docs/rpc.md, "Limits").
FLOOD_RUNS ?= 5
soak-flood: $(BUILD)/tests/test_rpc_limits
	@fails=0; out=$$(mktemp); for i in $$(seq $(FLOOD_RUNS)); do \
		$(BUILD)/tests/test_rpc_limits >$$out 2>&1 || fails=$$((fails+1)); \
		grep -E 'interval|FAILED  \]' $$out; \
	done; rm -f $$out; echo "soak-flood: $$fails of $(FLOOD_RUNS) runs over 10%"; test $$fails -eq 0

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

# The C SDK (sdk/c, SDK-001): libneuromesh.so (exports only neuromesh_*,
# sdk/c/neuromesh.map) and .a, neuromesh.h and neuromesh.pc.
# `make install PREFIX=/usr/local DESTDIR=` puts them and the program in place,
# with the Rust crates and the Python package under share/neuromesh/sdk (the
# projects of `neuromesh new` use them).
SDK_VERSION := $(shell sed -n 's/^\#define NEUROMESH_VERSION "\(.*\)"/\1/p' sdk/c/neuromesh.h)
SDK_SONAME := libneuromesh.so.$(firstword $(subst ., ,$(SDK_VERSION)))
SDK_SO := $(BUILD)/sdk/libneuromesh.so.$(SDK_VERSION)
SDK_PC := $(BUILD)/sdk/neuromesh.pc
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
sdk: $(SDK_SO) $(BUILD)/sdk/libneuromesh.so $(SDK_PC)

$(SDK_SO): $(filter $(BUILD)/sdk/%,$(LIB_OBJS)) $(BUILD)/libneuromesh.a sdk/c/neuromesh.map
	$(CC) -shared -Wl,-soname,$(SDK_SONAME) -Wl,--version-script=sdk/c/neuromesh.map \
		$(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(BUILD)/libneuromesh.a $(PKG_LIBS)

$(BUILD)/sdk/libneuromesh.so: $(SDK_SO)
	ln -sf $(notdir $(SDK_SO)) $(BUILD)/sdk/$(SDK_SONAME)
	ln -sf $(notdir $(SDK_SO)) $@

# The .pc names its directories from ${prefix} (pkg-config --define-prefix
# then finds a tree installed with DESTDIR); it is written at install time,
# for the PREFIX given there.
PC_SUBST = -e 's|@PREFIX@|$(PREFIX)|; s|@VERSION@|$(SDK_VERSION)|; s|@REQUIRES@|$(PKGS)|' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)%,$${prefix}%,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)%,$${prefix}%,$(INCLUDEDIR))|'
$(SDK_PC): sdk/c/neuromesh.pc.in sdk/c/neuromesh.h Makefile FORCE
	@mkdir -p $(dir $@)
	@sed $(PC_SUBST) $< >$@.tmp && (cmp -s $@.tmp $@ || mv $@.tmp $@); rm -f $@.tmp

install: $(BIN) sdk
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/neuromesh
	install -m 644 sdk/c/neuromesh.h $(DESTDIR)$(INCLUDEDIR)/neuromesh.h
	install -m 755 $(SDK_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SDK_SO)) $(DESTDIR)$(LIBDIR)/$(SDK_SONAME)
	ln -sf $(SDK_SONAME) $(DESTDIR)$(LIBDIR)/libneuromesh.so
	install -m 644 $(BUILD)/libneuromesh.a $(DESTDIR)$(LIBDIR)/libneuromesh.a
	install -m 644 $(SDK_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/neuromesh.pc
	install -d $(DESTDIR)$(PREFIX)/share/neuromesh/sdk
	rm -rf $(DESTDIR)$(PREFIX)/share/neuromesh/sdk/rust $(DESTDIR)$(PREFIX)/share/neuromesh/sdk/python
	mkdir -p $(DESTDIR)$(PREFIX)/share/neuromesh/sdk/rust $(DESTDIR)$(PREFIX)/share/neuromesh/sdk/python
	cp -R sdk/rust/Cargo.toml sdk/rust/Cargo.lock sdk/rust/neuromesh sdk/rust/neuromesh-sys \
		$(DESTDIR)$(PREFIX)/share/neuromesh/sdk/rust/
	cp -R sdk/python/neurochain_sdk $(DESTDIR)$(PREFIX)/share/neuromesh/sdk/python/

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
	@sh tests/run-tests.sh unit $(TEST_BINS)

# tests/e2e/sdk.sh runs `make install` with this build's variables.
E2E_ENV = NEUROMESH=$(abspath $(BIN)) NM_MAKE_VARS="BUILD=$(BUILD) SANITIZE=$(SANITIZE) OPT=$(OPT)"
e2e: $(BIN) sdk
	@$(E2E_ENV) sh tests/run-tests.sh e2e tests/e2e/*.sh

test: $(BIN) $(TEST_BINS) sdk
	@sh tests/run-tests.sh unit $(TEST_BINS)
	@$(E2E_ENV) sh tests/run-tests.sh e2e tests/e2e/*.sh

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
