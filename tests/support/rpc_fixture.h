/* rpc_fixture.h - shared by the tests of the JSON-RPC method layer
 * (tests/test_methods*.c, test_method_api.c): a dev chain in memory with
 * the method layer on it, requests answered without a network, and
 * asserting accessors of the replies. cmocka only. */
#ifndef NM_TESTS_RPC_FIXTURE_H
#define NM_TESTS_RPC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/chain.h"
#include "rpc/methods.h"

#include <cjson/cJSON.h>

struct rfx {
    struct nm_chain *chain;
    struct nm_rpc_methods *m;
};

/* cmocka setup/teardown: *state is a struct rfx. */
int rfx_setup(void **state);
int rfx_teardown(void **state);

/* Sends text; returns the parsed reply (NULL when none was given). */
cJSON *rfx_ask(struct rfx *f, const char *text);
/* Calls method with params (JSON text of an array) and id 1. */
cJSON *rfx_call(struct rfx *f, const char *method, const char *params);
const cJSON *rfx_get(const cJSON *o, const char *key);
/* The result of a successful reply (asserts there is no error). */
const cJSON *rfx_result_of(const cJSON *reply);
/* The error object of a reply, asserting its code. */
const cJSON *rfx_error_of(const cJSON *reply, int code);
const char *rfx_message_of(const cJSON *err);
void rfx_assert_id_null(const cJSON *reply);
void rfx_assert_hex_hash(const cJSON *v);
/* A signed dev-account transfer as 0x hex (malloc'd); raw/raw_len, when
 * raw is not NULL, get the bytes (malloc'd). */
char *rfx_extrinsic_hex(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                        uint64_t amount, uint8_t **raw, size_t *raw_len);
/* author_submitExtrinsic of hex, with id "s". */
cJSON *rfx_submit_hex(struct rfx *f, const char *hex);

#endif
