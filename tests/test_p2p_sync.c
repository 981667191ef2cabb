/* Unit tests for node/p2p/sync: answering /neuromesh/sync/1 requests from
 * a real chain (in memory) and importing the answer into another, which
 * reaches the same best hash and state root; requests for another chain
 * or malformed ones are refused; a tampered block fails the import checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/chain.h"
#include "node/errors.h"
#include "node/call.h"
#include "node/extrinsic.h"
#include "node/p2p/conn.h"
#include "node/p2p/proto/sync.pb-c.h"
#include "node/p2p/sync.h"

#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static struct nm_chain *dev_chain(bool author)
{
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    struct nm_chain *c = NULL;
    char msg[256];
    assert_int_equal(nm_chain_open(":memory:", &spec, author ? &alice : NULL, &c, msg, sizeof msg),
                     0);
    nm_chainspec_fini(&spec);
    return c;
}

/* alice's first transfer of 5 NMT to bob, signed for genesis. */
static void transfer_alice_to_bob(const nm_hash *genesis, uint8_t **ext, size_t *len)
{
    struct nm_keypair alice, bob;
    nm_keypair_dev("alice", &alice);
    nm_keypair_dev("bob", &bob);
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_TRANSFER;
    call.u.transfer.dest = bob.pub;
    call.u.transfer.amount = 5000000000ull;
    assert_int_equal(nm_extrinsic_build(&alice, genesis, 0, &call, ext, len), 0);
}

static Nm__P2p__SyncResponse *ask(struct nm_chain *server, struct nm_chain *client, uint32_t max)
{
    uint8_t req[128], *resp;
    size_t len, rlen;
    assert_int_equal(nm_sync_request_encode(&client->genesis, client->best.height + 1, max, NULL,
                                            NULL, 0, req, sizeof req, &len),
                     0);
    assert_int_equal(nm_sync_answer(server, req, len, &resp, &rlen, NULL), 0);
    assert_true(rlen <= NM_P2P_RESPONSE_MAX);
    Nm__P2p__SyncResponse *m = nm__p2p__sync_response__unpack(NULL, rlen, resp);
    free(resp);
    assert_non_null(m);
    return m;
}

static void test_client_reaches_the_same_state_in_batches(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(true), *b = dev_chain(false);
    for (int i = 0; i < 40; i++)
        assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, NULL), 0);
    int rounds = 0;
    while (b->best.height < a->best.height) {
        Nm__P2p__SyncResponse *m = ask(a, b, 16);
        assert_int_equal(m->best, a->best.height);
        assert_true(m->n_blocks > 0 && m->n_blocks <= 16);
        for (size_t i = 0; i < m->n_blocks; i++)
            assert_int_equal(nm_chain_import(b, m->blocks[i].data, m->blocks[i].len, false), 0);
        nm__p2p__sync_response__free_unpacked(m, NULL);
        rounds++;
    }
    assert_int_equal(rounds, 3); /* 16 + 16 + 8 */
    assert_true(nm_hash_eq(&a->best_hash, &b->best_hash));
    assert_true(nm_hash_eq(&a->best.state_root, &b->best.state_root));
    /* caught up: an empty answer that still tells the best block */
    Nm__P2p__SyncResponse *m = ask(a, b, 16);
    assert_int_equal(m->n_blocks, 0);
    assert_int_equal(m->best, 40);
    nm__p2p__sync_response__free_unpacked(m, NULL);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_tampered_block_fails_the_import_checks(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(true), *b = dev_chain(false);
    assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, NULL), 0);
    Nm__P2p__SyncResponse *m = ask(a, b, 4);
    assert_int_equal(m->n_blocks, 1);
    uint8_t *blk = m->blocks[0].data;
    size_t n = m->blocks[0].len;
    /* flip a byte of the state root (after parent, height, time, epoch,
     * author): the seal no longer matches */
    blk[32 + 8 + 8 + 8 + 32 + 3] ^= 1;
    int err = nm_chain_import(b, blk, n, false);
    assert_true(err == NM_E_BAD_SIGNATURE || err == NM_E_DECODE);
    assert_int_equal(b->best.height, 0);
    nm__p2p__sync_response__free_unpacked(m, NULL);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_requests_for_another_chain_or_malformed_are_refused(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(true);
    uint8_t req[128], *resp = NULL;
    size_t len, rlen;
    nm_hash other;
    nm_hash_bytes("another chain", 13, &other);
    assert_int_equal(nm_sync_request_encode(&other, 1, 8, NULL, NULL, 0, req, sizeof req, &len),
                     0);
    assert_int_equal(nm_sync_answer(a, req, len, &resp, &rlen, NULL), NM_E_WRONG_CHAIN);
    static const uint8_t junk[] = {0x0a, 0xff, 0x01, 0x02};
    assert_int_equal(nm_sync_answer(a, junk, sizeof junk, &resp, &rlen, NULL), NM_E_DECODE);
    assert_int_equal(nm_sync_answer(a, NULL, 0, &resp, &rlen, NULL), NM_E_DECODE); /* no fields */
    assert_null(resp);
    nm_chain_close(a);
}

static void test_relayed_extrinsic_enters_the_server_pool_once(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(true), *b = dev_chain(false);
    uint8_t *ext, *bad;
    size_t ext_len;
    transfer_alice_to_bob(&b->genesis, &ext, &ext_len);
    bad = malloc(ext_len);
    memcpy(bad, ext, ext_len);
    bad[ext_len - 1] ^= 1; /* a broken signature or call: dropped, not admitted */
    const uint8_t *exts[2] = {ext, bad};
    size_t lens[2] = {ext_len, ext_len};
    uint8_t req[4096], *resp;
    size_t len, rlen, admitted = 99;
    assert_int_equal(nm_sync_request_encode(&b->genesis, 1, 8, exts, lens, 2, req, sizeof req,
                                            &len),
                     0);
    assert_int_equal(nm_sync_answer(a, req, len, &resp, &rlen, &admitted), 0);
    free(resp);
    assert_int_equal(admitted, 1);
    assert_int_equal(a->pool.count, 1);
    /* the same request again: already in the pool, nothing more */
    assert_int_equal(nm_sync_answer(a, req, len, &resp, &rlen, &admitted), 0);
    free(resp);
    assert_int_equal(admitted, 0);
    assert_int_equal(a->pool.count, 1);
    /* the producer includes it */
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, &out), 0);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.results[0].error, 0);
    free(out.results);
    free(ext);
    free(bad);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_reports_results_and_empties_the_pool(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(true), *b = dev_chain(false);
    uint8_t *ext;
    size_t len;
    transfer_alice_to_bob(&a->genesis, &ext, &len);
    assert_int_equal(nm_chain_submit(a, ext, len, NULL), 0);
    assert_int_equal(nm_chain_submit(b, ext, len, NULL), 0); /* b's pool has it too */
    assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, NULL), 0);
    uint8_t *blk;
    size_t blen;
    assert_int_equal(nm_chain_block_bytes(a, 1, &blk, &blen), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_import_outcome(b, blk, blen, false, &out), 0);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.results[0].error, 0);
    nm_hash h;
    nm_extrinsic_hash(ext, len, &h);
    assert_true(nm_hash_eq(&out.results[0].hash, &h));
    assert_int_equal(b->pool.count, 0);
    free(out.results);
    free(blk);
    free(ext);
    nm_chain_close(a);
    nm_chain_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_reaches_the_same_state_in_batches),
        cmocka_unit_test(test_tampered_block_fails_the_import_checks),
        cmocka_unit_test(test_requests_for_another_chain_or_malformed_are_refused),
        cmocka_unit_test(test_relayed_extrinsic_enters_the_server_pool_once),
        cmocka_unit_test(test_import_reports_results_and_empties_the_pool),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
