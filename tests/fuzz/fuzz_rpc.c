/* fuzz_rpc.c - libFuzzer target over the JSON-RPC request path: one
 * request text (a WebSocket message or an HTTP POST body) -> JSON parse ->
 * checks -> dispatch -> method, on an in-memory dev chain. Each input is
 * answered twice: as an anonymous caller, and as a loopback caller holding
 * the token (so unsafe methods run too). After each answer it checks what
 * must always hold: a reply is due unless the input was notifications only;
 * a reply is one JSON-RPC 2.0 object (or a batch of them) with a result or
 * an error {code, message} whose message has no newline; and the chain did
 * not move (nothing here can sign an extrinsic). Replayed by
 * tests/test_rpc_corpus.c from tests/fuzz/corpus/rpc/. */
#include "node/chain.h"
#include "node/chainspec.h"
#include "node/crypto.h"
#include "rpc/methods.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct nm_chain *chain;
static struct nm_rpc_methods *methods;
static uint64_t start_height;

static void fake_shutdown(void *ud)
{
    (void)ud;
}

static int fake_set_log_level(void *ud, const char *level)
{
    (void)ud;
    return strcmp(level, "info") == 0 ? 0 : -1;
}

static int fake_connections(void *ud)
{
    (void)ud;
    return 1;
}

static void die(const char *what, const char *reply)
{
    fprintf(stderr, "fuzz_rpc: invariant broken: %s\nreply: %.400s\n", what,
            reply ? reply : "(none)");
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct nm_chain_spec spec;
    struct nm_keypair alice;
    char msg[256];
    if (nm_crypto_init() || nm_chainspec_dev(&spec) || nm_keypair_dev("alice", &alice))
        abort();
    if (nm_chain_open(":memory:", &spec, &alice, &chain, msg, sizeof msg))
        abort();
    nm_chainspec_fini(&spec);
    /* a few blocks, so that block and event queries find something */
    for (int i = 0; i < 3; i++)
        if (nm_chain_produce(chain, nm_now_ms() + (uint64_t)i, NULL))
            abort();
    if (nm_rpc_methods_new(chain, &methods))
        abort();
    struct nm_rpc_methods_config cfg;
    nm_rpc_methods_config_init(&cfg);
    cfg.token = "fuzz-token";
    cfg.max_response_bytes = 1 << 20;
    if (nm_rpc_methods_configure(methods, &cfg))
        abort();
    struct nm_rpc_node_hooks hooks = {
        .shutdown = fake_shutdown, .set_log_level = fake_set_log_level, .connections = fake_connections};
    nm_rpc_methods_set_hooks(methods, &hooks);
    start_height = chain->best.height;
    return 0;
}

static void check_one(const cJSON *o, const char *reply)
{
    if (!cJSON_IsObject(o))
        die("a reply element is not an object", reply);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "jsonrpc");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0)
        die("jsonrpc is not \"2.0\"", reply);
    if (!cJSON_HasObjectItem(o, "id"))
        die("a reply has no id", reply);
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(o, "result");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!result == !error)
        die("a reply needs exactly one of result and error", reply);
    if (error) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        if (!cJSON_IsNumber(code) || !cJSON_IsString(message))
            die("an error lacks its code or message", reply);
        if (strchr(message->valuestring, '\n') || strchr(message->valuestring, '\r'))
            die("an error message holds a newline", reply);
    }
}

static void check_reply(const uint8_t *data, size_t size, const char *reply)
{
    cJSON *req = cJSON_ParseWithLength((const char *)data, size);
    if (!reply) {
        /* no reply is right only for a notification or a batch of them */
        if (!req || (!cJSON_IsObject(req) && !cJSON_IsArray(req)))
            die("no reply to a request that is not a notification", NULL);
        cJSON_Delete(req);
        return;
    }
    cJSON_Delete(req);
    cJSON *r = cJSON_Parse(reply);
    if (!r)
        die("the reply is not JSON", reply);
    if (cJSON_IsArray(r)) {
        if (cJSON_GetArraySize(r) == 0)
            die("an empty batch reply", reply);
        for (const cJSON *it = r->child; it; it = it->next)
            check_one(it, reply);
    } else {
        check_one(r, reply);
    }
    cJSON_Delete(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct nm_rpc_caller operator= {"127.0.0.1", "fuzz-token"};
    char *reply = nm_rpc_methods_answer(methods, (const char *)data, size);
    check_reply(data, size, reply);
    free(reply);
    reply = nm_rpc_methods_answer_as(methods, &operator,(const char *) data, size);
    check_reply(data, size, reply);
    free(reply);
    if (chain->best.height != start_height || chain->pool.count != 0)
        die("the chain moved", NULL);
    return 0;
}
