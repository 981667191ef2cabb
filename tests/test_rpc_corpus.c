/* Replays the fuzz corpus of the JSON-RPC request path
 * (tests/fuzz/corpus/rpc/, see tests/fuzz/fuzz_rpc.c) through
 * nm_rpc_methods_answer, as an anonymous caller and as a loopback caller
 * with the token: every input that the fuzzer ever kept, or that once
 * failed, must still be answered with well-formed JSON-RPC and leave the
 * chain as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "node/chain.h"
#include "node/crypto.h"
#include "rpc/methods.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS_DIR "tests/fuzz/corpus/rpc"
#define MIN_FILES 50

static int nop_level(void *ud, const char *level)
{
    (void)ud;
    (void)level;
    return 0;
}

static void nop_shutdown(void *ud)
{
    (void)ud;
}

static void check_one(const cJSON *o, const char *name)
{
    if (!cJSON_IsObject(o))
        fail_msg("%s: a reply element is not an object", name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "jsonrpc");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0)
        fail_msg("%s: jsonrpc is not 2.0", name);
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(o, "result");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!result == !error || !cJSON_HasObjectItem(o, "id"))
        fail_msg("%s: a reply needs an id and one of result and error", name);
    if (error) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(error, "message");
        if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(error, "code")) ||
            !cJSON_IsString(msg) || strpbrk(msg->valuestring, "\r\n"))
            fail_msg("%s: malformed error", name);
    }
}

static void check_reply(const char *text, size_t len, char *reply, const char *name)
{
    if (!reply) {
        cJSON *req = cJSON_ParseWithLength(text, len);
        if (!cJSON_IsObject(req) && !cJSON_IsArray(req))
            fail_msg("%s: no reply to something that is not a notification", name);
        cJSON_Delete(req);
        return;
    }
    cJSON *r = cJSON_Parse(reply);
    if (!r)
        fail_msg("%s: the reply is not JSON: %.200s", name, reply);
    if (cJSON_IsArray(r)) {
        for (const cJSON *it = r->child; it; it = it->next)
            check_one(it, name);
    } else {
        check_one(r, name);
    }
    cJSON_Delete(r);
    free(reply);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static void test_every_corpus_input_is_answered_cleanly(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    struct nm_keypair alice;
    struct nm_chain *chain;
    struct nm_rpc_methods *m;
    char msg[256];
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_chain_open(":memory:", &spec, &alice, &chain, msg, sizeof msg), 0);
    nm_chainspec_fini(&spec);
    for (int i = 0; i < 3; i++)
        assert_int_equal(nm_chain_produce(chain, nm_now_ms() + (uint64_t)i, NULL), 0);
    assert_int_equal(nm_rpc_methods_new(chain, &m), 0);
    struct nm_rpc_methods_config cfg;
    nm_rpc_methods_config_init(&cfg);
    cfg.token = "fuzz-token";
    cfg.max_response_bytes = 1 << 20;
    assert_int_equal(nm_rpc_methods_configure(m, &cfg), 0);
    struct nm_rpc_node_hooks hooks = {.shutdown = nop_shutdown, .set_log_level = nop_level};
    nm_rpc_methods_set_hooks(m, &hooks);
    const struct nm_rpc_caller op = {"127.0.0.1", "fuzz-token"};
    uint64_t height = chain->best.height;

    DIR *dir = opendir(CORPUS_DIR);
    if (!dir)
        fail_msg("cannot open %s (run from the repository root)", CORPUS_DIR);
    int files = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        char path[600];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, de->d_name);
        char *text = read_file(path, &len);
        if (!text)
            continue;
        check_reply(text, len, nm_rpc_methods_answer(m, text, len), de->d_name);
        check_reply(text, len, nm_rpc_methods_answer_as(m, &op, text, len), de->d_name);
        if (chain->best.height != height || chain->pool.count != 0)
            fail_msg("%s: the chain moved", de->d_name);
        free(text);
        files++;
    }
    closedir(dir);
    if (files < MIN_FILES)
        fail_msg("only %d corpus files in %s", files, CORPUS_DIR);
    nm_rpc_methods_delete(m);
    nm_chain_close(chain);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_corpus_input_is_answered_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
