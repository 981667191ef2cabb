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
PKGS := ncursesw readline libuv libwebsockets libcjson sqlite3 libsodium
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -lpthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

OPT ?= -O2
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) -I. $(PKG_CFLAGS)
SAN_FLAGS :=
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)

MAIN_SRC := console/main.c
SRCS := $(wildcard node/*.c node/pallets/*.c rpc/*.c console/*.c widgets/*.c)
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

$(BUILD)/bench/%: bench/%.c $(BUILD)/libneuromesh.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libneuromesh.a $(PKG_LIBS)

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

clean:
	rm -rf build neuromesh

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
