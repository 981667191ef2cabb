/* Fault injection (STYLE.md, the SQLite discipline): the Nth allocation
 * fails, for N = 1, 2, 3 ... until the operation succeeds without meeting
 * the failure - over block import, block production (extrinsic
 * application) and RPC request handling. Every failure must be a clean
 * error that changed nothing (height, state root, a whole replay by
 * nm_chain_check); LeakSanitizer under `make asan` finds leaks. Our own
 * allocations are counted through -Wl,--wrap (Makefile), cJSON's through
 * its hooks and SQLite's through SQLITE_CONFIG_MALLOC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/chain_fixture.h"

#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "rpc/methods.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- the failing allocator --- */

static long fail_at; /* 0: off */
static long seen;    /* allocations since armed */

static bool fault_now(void)
{
    return fail_at && ++seen == fail_at;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    return fault_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fault_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fault_now() ? NULL : __real_realloc(p, n);
}

static sqlite3_mem_methods sqlite_mem;

static void *sqlite_malloc(int n)
{
    return fault_now() ? NULL : sqlite_mem.xMalloc(n);
}

static void *sqlite_realloc(void *p, int n)
{
    return fault_now() ? NULL : sqlite_mem.xRealloc(p, n);
}

/* While armed, the node's own error lines (thousands of them) go nowhere;
 * cmocka's reports outside stay on stderr. */
static int saved_stderr = -1;

static void arm(long n)
{
    fflush(stderr);
    int quiet = open("/dev/null", O_WRONLY);
    saved_stderr = dup(2);
    if (quiet >= 0) {
        dup2(quiet, 2);
        close(quiet);
    }
    seen = 0;
    fail_at = n;
}

/* True when the armed failure happened. */
static bool disarm(void)
{
    bool hit = fail_at && seen >= fail_at;
    fail_at = 0;
    fflush(stderr);
    if (saved_stderr >= 0) {
        dup2(saved_stderr, 2);
        close(saved_stderr);
        saved_stderr = -1;
    }
    return hit;
}

static int install(void **state)
{
    (void)state;
    sqlite3_shutdown();
    sqlite3_mem_methods mem;
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
        return -1;
    mem = sqlite_mem;
    mem.xMalloc = sqlite_malloc;
    mem.xRealloc = sqlite_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK || sqlite3_initialize())
        return -1;
    cJSON_Hooks hooks = {.malloc_fn = __wrap_malloc, .free_fn = free};
    cJSON_InitHooks(&hooks);
    return nm_crypto_init();
}

/* --- chains --- */

/* A clean failure: a resource error, nothing of the block left behind. */
static void assert_unchanged(struct nm_chain *c, int err, uint64_t height, const nm_hash *root)
{
    if (err != NM_E_NOMEM && err != NM_E_DB)
        fail_msg("unexpected error %s", nm_errname(err));
    assert_int_equal(c->best.height, height);
    nm_hash now;
    nm_runtime_state_root(&c->rt, &now);
    assert_true(nm_hash_eq(&now, root));
    assert_true(nm_hash_eq(&c->best.state_root, root));
}

static void test_block_import_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    /* The source makes blocks 1..9 (9 ends epoch 0: the epoch pipeline
     * runs in it), each with transfers. */
    struct nm_chain *src = chx_dev();
    for (uint64_t h = 1; h <= 9; h++) {
        assert_int_equal(chx_submit(src, "alice", 2 * (h - 1), "bob", 1000000000ULL), 0);
        assert_int_equal(chx_submit(src, "alice", 2 * (h - 1) + 1, "charlie", 1000000000ULL), 0);
        assert_int_equal(nm_chain_produce(src, 1000 * h, NULL), 0);
    }
    uint8_t *blocks[10];
    size_t lens[10];
    for (uint64_t h = 1; h <= 9; h++)
        assert_int_equal(nm_chain_block_bytes(src, h, &blocks[h], &lens[h]), 0);
    struct nm_chain *dst = chx_dev();
    for (uint64_t h = 1; h <= 8; h++)
        assert_int_equal(nm_chain_import(dst, blocks[h], lens[h], false), 0);
    nm_hash root = dst->best.state_root;
    long n, failures = 0;
    for (n = 1;; n++) {
        arm(n);
        int err = nm_chain_import(dst, blocks[9], lens[9], false);
        bool hit = disarm();
        if (!err && !hit)
            break;
        if (err) {
            failures++;
            assert_unchanged(dst, err, 8, &root);
        } else { /* the failure was absorbed: the block is whole; start again */
            assert_true(nm_hash_eq(&dst->best.state_root, &src->best.state_root));
            nm_chain_close(dst);
            dst = chx_dev();
            for (uint64_t h = 1; h <= 8; h++)
                assert_int_equal(nm_chain_import(dst, blocks[h], lens[h], false), 0);
        }
    }
    print_message("block import: %ld allocations, %ld failed cleanly\n", n - 1, failures);
    assert_true(failures > 0);
    assert_int_equal(dst->best.height, 9);
    assert_true(nm_hash_eq(&dst->best.state_root, &src->best.state_root));
    chx_assert_check(dst);
    for (uint64_t h = 1; h <= 9; h++)
        free(blocks[h]);
    nm_chain_close(dst);
    nm_chain_close(src);
}

static void test_block_production_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    uint64_t nonce = 0;
    long n, failures = 0;
    for (n = 1;; n++) {
        if (c->pool.count == 0) {
            assert_int_equal(chx_submit(c, "bob", nonce++, "dave", 1000000000ULL), 0);
            assert_int_equal(chx_submit(c, "bob", nonce++, "eve", 1000000000ULL), 0);
        }
        uint64_t height = c->best.height;
        nm_hash root = c->best.state_root;
        struct nm_block_outcome outcome = {0};
        arm(n);
        int err = nm_chain_produce(c, 1000 * (height + 1), &outcome);
        bool hit = disarm();
        free(outcome.results);
        if (!err && !hit)
            break;
        if (err) {
            failures++;
            assert_unchanged(c, err, height, &root);
        }
    }
    print_message("block production: %ld allocations, %ld failed cleanly\n", n - 1, failures);
    assert_true(failures > 0);
    assert_true(c->best.height >= 1);
    chx_assert_check(c);
    nm_chain_close(c);
}

static void test_rpc_requests_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    assert_int_equal(chx_submit(c, "alice", 0, "bob", 1000000000ULL), 0);
    assert_int_equal(nm_chain_produce(c, 1000, NULL), 0);
    struct nm_rpc_methods *m;
    assert_int_equal(nm_rpc_methods_new(c, &m), 0);
    static const char *const requests[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlock\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"account_get\","
        "\"params\":[\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\"]}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"epoch_info\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"gov_proposals\",\"params\":[true]}",
        "[{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"chain_info\"},"
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"rpc_methods\"},"
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"no_such\"}]",
        "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"account_get\",\"params\":[1,2,3]}",
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        long n, failures = 0;
        for (n = 1;; n++) {
            arm(n);
            char *reply = nm_rpc_methods_answer(m, requests[i], strlen(requests[i]));
            bool hit = disarm();
            if (reply) { /* whatever it says, it is one whole JSON-RPC reply */
                cJSON *parsed = cJSON_Parse(reply);
                assert_non_null(parsed);
                cJSON_Delete(parsed);
                free(reply);
            }
            if (!hit && reply)
                break;
            failures += hit;
        }
        assert_true(failures > 0);
    }
    assert_int_equal(c->best.height, 1);
    nm_rpc_methods_delete(m);
    nm_chain_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_import_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_block_production_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_rpc_requests_fail_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, install, NULL);
}
