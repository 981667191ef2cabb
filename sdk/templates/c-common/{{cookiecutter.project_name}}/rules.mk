# rules.mk - builds PROG (your function + jsonl.c) and register against the
# installed NeuroMesh C SDK and cJSON, found with pkg-config; `make test`
# runs test.sh (and registers on a dev node when NEUROMESH_URL and
# NEUROMESH_AS are set).
CFLAGS ?= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2
PKG_CONFIG ?= pkg-config
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags neuromesh libcjson)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs neuromesh libcjson)

all: $(PROG) register

$(PROG): $(PROG).c jsonl.c jsonl.h
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ $(PROG).c jsonl.c $(shell $(PKG_CONFIG) --libs libcjson)

register: register.c
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ register.c $(PKG_LIBS)

test: all
	sh ./test.sh

clean:
	rm -f $(PROG) register

.PHONY: all test clean
