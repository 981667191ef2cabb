/* rpc_fixture.c - the JSON-RPC method-layer fixture shared by the rpc
 * method tests (see rpc_fixture.h). */
#include "tests/support/rpc_fixture.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rfx_setup(void **state)
{
    struct rfx *f = calloc(1, sizeof *f);
    struct nm_chain_spec spec;
    struct nm_keypair alice;
    char msg[256];
    if (!f || nm_chainspec_dev(&spec) || nm_keypair_dev("alice", &alice))
        return -1;
    int err = nm_chain_open(":memory:", &spec, &alice, &f->chain, msg, sizeof msg);
    nm_chainspec_fini(&spec);
    if (err || nm_rpc_methods_new(f->chain, &f->m))
        return -1;
    *state = f;
    return 0;
}

int rfx_teardown(void **state)
{
    struct rfx *f = *state;
    nm_rpc_methods_delete(f->m);
    nm_chain_close(f->chain);
    free(f);
    return 0;
}

/* Sends text; returns the parsed reply (NULL when none was given). */
cJSON *rfx_ask(struct rfx *f, const char *text)
{
    char *out = nm_rpc_methods_answer(f->m, text, strlen(text));
    if (!out)
        return NULL;
    cJSON *reply = cJSON_Parse(out);
    if (!reply)
        fail_msg("reply is not JSON: %s", out);
    free(out);
    return reply;
}

/* Calls method with params (JSON text of an array) and id 1. */
cJSON *rfx_call(struct rfx *f, const char *method, const char *params)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
             method, params);
    cJSON *reply = rfx_ask(f, text);
    assert_non_null(reply);
    return reply;
}

const cJSON *rfx_get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* The result of a successful reply (asserts there is no error). */
const cJSON *rfx_result_of(const cJSON *reply)
{
    const cJSON *err = rfx_get(reply, "error");
    if (err) {
        char *text = cJSON_PrintUnformatted(err);
        fail_msg("unexpected error: %s", text);
    }
    assert_string_equal(rfx_get(reply, "jsonrpc")->valuestring, "2.0");
    const cJSON *result = rfx_get(reply, "result");
    assert_non_null(result);
    return result;
}

/* The error object of a reply, asserting its code. */
const cJSON *rfx_error_of(const cJSON *reply, int code)
{
    assert_null(rfx_get(reply, "result"));
    assert_string_equal(rfx_get(reply, "jsonrpc")->valuestring, "2.0");
    const cJSON *err = rfx_get(reply, "error");
    assert_true(cJSON_IsObject(err));
    const cJSON *c = rfx_get(err, "code");
    assert_true(cJSON_IsNumber(c));
    if (c->valueint != code)
        fail_msg("error code %d, expected %d (%s)", c->valueint, code,
                 cJSON_IsString(rfx_get(err, "message")) ? rfx_get(err, "message")->valuestring
                                                         : "");
    assert_true(cJSON_IsString(rfx_get(err, "message")));
    return err;
}

const char *rfx_message_of(const cJSON *err)
{
    return rfx_get(err, "message")->valuestring;
}

void rfx_assert_id_null(const cJSON *reply)
{
    const cJSON *id = rfx_get(reply, "id");
    assert_non_null(id);
    assert_true(cJSON_IsNull(id));
}

void rfx_assert_hex_hash(const cJSON *v)
{
    assert_true(cJSON_IsString(v));
    nm_hash h;
    assert_int_equal(nm_hash_from_hex(v->valuestring, &h), 0);
}

char *rfx_extrinsic_hex(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                        uint64_t amount, uint8_t **raw, size_t *raw_len)
{
    struct nm_keypair src, dst;
    assert_int_equal(nm_keypair_dev(from, &src), 0);
    assert_int_equal(nm_keypair_dev(to, &dst), 0);
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_TRANSFER;
    call.u.transfer.dest = dst.pub;
    call.u.transfer.amount = amount;
    uint8_t *data;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&src, &c->genesis, nonce, &call, &data, &len), 0);
    char *hex = malloc(2 * len + 3);
    nm_hex_encode(data, len, hex, 2 * len + 3);
    if (raw) {
        *raw = data;
        *raw_len = len;
    } else {
        free(data);
    }
    return hex;
}

cJSON *rfx_submit_hex(struct rfx *f, const char *hex)
{
    size_t cap = strlen(hex) + 128;
    char *text = malloc(cap);
    snprintf(text, cap,
             "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"author_submitExtrinsic\","
             "\"params\":[\"%s\"]}",
             hex);
    cJSON *reply = rfx_ask(f, text);
    free(text);
    assert_non_null(reply);
    return reply;
}
