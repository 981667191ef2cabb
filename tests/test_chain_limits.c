/* Chain-level hardening (issue 17, items 2 and 3): a flood of future-nonce
 * transactions cannot lock the pool (an honest transfer is included within
 * two blocks), pooled transactions expire, and extrinsics and blocks are
 * bounded in bytes at submission, in production and at import, with weight
 * lists bounded by the subnet's neurons at the door. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/block.h"
#include "node/chain.h"
#include "node/codec.h"
#include "node/errors.h"
#include "node/fee.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"
#include "node/pallets/subnets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMT NM_UNITS_PER_NMT
#define ATTACKERS 8

struct blob {
    uint8_t *data;
    size_t len;
};

static struct nm_chain *dev_chain(void)
{
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    struct nm_chain *c = NULL;
    char msg[256] = "";
    if (nm_chain_open(":memory:", &spec, &alice, &c, msg, sizeof msg))
        fail_msg("nm_chain_open: %s", msg);
    nm_chainspec_fini(&spec);
    return c;
}

static struct blob transfer_ext(struct nm_chain *c, const struct nm_keypair *from, uint64_t nonce,
                                const nm_account *to, uint64_t amount)
{
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_TRANSFER;
    call.u.transfer.dest = *to;
    call.u.transfer.amount = amount;
    struct blob b;
    assert_int_equal(nm_extrinsic_build(from, &c->genesis, nonce, &call, &b.data, &b.len), 0);
    return b;
}

static int submit(struct nm_chain *c, const struct nm_keypair *from, uint64_t nonce,
                  const nm_account *to, uint64_t amount)
{
    struct blob x = transfer_ext(c, from, nonce, to, amount);
    int err = nm_chain_submit(c, x.data, x.len, NULL);
    free(x.data);
    return err;
}

static void produce(struct nm_chain *c)
{
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL), 0);
}

static uint64_t nonce_of(struct nm_chain *c, const nm_account *who)
{
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(c->db, who, &info), 0);
    return info.nonce;
}

/* ATTACKERS accounts funded with 0.01 NMT each by alice. */
static void fund_attackers(struct nm_chain *c, struct nm_keypair *attackers)
{
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    for (int i = 0; i < ATTACKERS; i++) {
        uint8_t seed[NM_SEED_LEN];
        memset(seed, 0x40 + i, sizeof seed);
        nm_keypair_from_seed(seed, &attackers[i]);
        assert_int_equal(submit(c, &alice, (uint64_t)i, &attackers[i].pub, NMT / 100), 0);
    }
    produce(c);
    assert_int_equal(c->pool.count, 0);
}

/* Each attacker sends nonces 1..64, never 0. */
static void future_flood(struct nm_chain *c, const struct nm_keypair *attackers)
{
    struct nm_keypair bob;
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    for (int i = 0; i < ATTACKERS; i++)
        for (uint64_t n = 1; n <= 64; n++) {
            int err = submit(c, &attackers[i], n, &bob.pub, 1000000);
            assert_true(err == 0 || err == NM_E_FUTURE_LIMIT);
        }
}

static void expect_honest_transfer_within_two_blocks(struct nm_chain *c)
{
    struct nm_keypair charlie, dave;
    assert_int_equal(nm_keypair_dev("charlie", &charlie), 0);
    assert_int_equal(nm_keypair_dev("dave", &dave), 0);
    uint64_t n = nonce_of(c, &charlie.pub);
    assert_int_equal(submit(c, &charlie, n, &dave.pub, NMT), 0);
    produce(c);
    if (nonce_of(c, &charlie.pub) == n)
        produce(c);
    assert_int_equal(nonce_of(c, &charlie.pub), n + 1);
}

static void test_future_nonce_flood_cannot_lock_the_pool(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    struct nm_keypair attackers[ATTACKERS];
    struct nm_pool_limits lim = {.max = 128};
    nm_mempool_set_limits(&c->pool, &lim);
    fund_attackers(c, attackers);
    future_flood(c, attackers);
    /* 16 per account, a quarter of the pool in all */
    assert_true(c->pool.future_count <= 32);
    assert_int_equal(c->pool.count, c->pool.future_count);
    expect_honest_transfer_within_two_blocks(c);
    /* the futures stay, they pay nothing, and they never run */
    assert_true(c->pool.future_count > 0);
    nm_chain_close(c);
}

static void test_a_pool_full_of_futures_gives_way_to_an_honest_transfer(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    struct nm_keypair attackers[ATTACKERS];
    /* the worst setting: futures may take the whole pool */
    struct nm_pool_limits lim = {.max = 64, .max_future = 64};
    nm_mempool_set_limits(&c->pool, &lim);
    fund_attackers(c, attackers);
    future_flood(c, attackers);
    assert_int_equal(c->pool.count, 64);
    assert_int_equal(c->pool.future_count, 64);
    expect_honest_transfer_within_two_blocks(c);
    assert_true(c->pool.evicted >= 1);
    nm_chain_close(c);
}

static void test_pooled_transactions_expire_after_their_longevity(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    struct nm_keypair attackers[ATTACKERS];
    struct nm_pool_limits lim = {.max = 128, .longevity_blocks = 3};
    nm_mempool_set_limits(&c->pool, &lim);
    fund_attackers(c, attackers);
    future_flood(c, attackers);
    assert_true(c->pool.count > 0);
    for (int i = 0; i < 3; i++)
        produce(c);
    assert_true(c->pool.count > 0);
    produce(c);
    assert_int_equal(c->pool.count, 0);
    nm_chain_close(c);
}

/* Subnet 1, created by alice in a block. */
static void create_subnet(struct nm_chain *c)
{
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_SUBNET_CREATE;
    struct nm_subnet_spec *s = &call.u.subnet_create.spec;
    strcpy(s->name, "limits");
    s->task = NM_TASK_CODE_GEN;
    s->emission_weight = 1;
    s->min_stake_miner = NMT;
    s->min_stake_validator = NMT;
    s->max_neurons = 16;
    strcpy(s->input_schema, "{\"type\":\"object\"}");
    strcpy(s->output_schema, "{\"type\":\"object\"}");
    strcpy(s->eval_spec, "ipfs://limits");
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(c->db, &alice.pub, &info), 0);
    struct blob b;
    assert_int_equal(nm_extrinsic_build(&alice, &c->genesis, info.nonce, &call, &b.data, &b.len),
                     0);
    assert_int_equal(nm_chain_submit(c, b.data, b.len, NULL), 0);
    free(b.data);
    produce(c);
    struct nm_subnet got;
    assert_int_equal(nm_subnets_get(c->db, 1, &got), 0);
}

/* A weights.submit naming n UIDs (all weight 1) on subnet 1. */
static struct blob weights_ext(struct nm_chain *c, const struct nm_keypair *who, uint64_t nonce,
                               uint32_t n)
{
    uint8_t *pairs = calloc(n ? n : 1, 4);
    for (uint32_t i = 0; i < n; i++) {
        pairs[4 * i] = (uint8_t)i;
        pairs[4 * i + 1] = (uint8_t)(i >> 8);
        pairs[4 * i + 2] = 1;
    }
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_WEIGHTS_SUBMIT;
    call.u.weights.subnet = 1;
    call.u.weights.list.n = n;
    call.u.weights.list.pairs = pairs;
    struct blob b;
    assert_int_equal(nm_extrinsic_build(who, &c->genesis, nonce, &call, &b.data, &b.len), 0);
    free(pairs);
    return b;
}

static void test_oversize_extrinsics_and_weight_lists_are_refused_at_the_door(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    struct nm_keypair eve;
    assert_int_equal(nm_keypair_dev("eve", &eve), 0);
    /* 65,535 UIDs: 262 KB, over max_extrinsic_bytes */
    struct blob x = weights_ext(c, &eve, 0, NM_WEIGHTS_MAX);
    assert_true(x.len > c->rt.params.max_extrinsic_bytes);
    assert_int_equal(nm_chain_submit(c, x.data, x.len, NULL), NM_E_EXTRINSIC_TOO_LARGE);
    free(x.data);
    /* small enough, but longer than the subnet's neurons (none yet) */
    create_subnet(c);
    x = weights_ext(c, &eve, 0, 100);
    assert_true(x.len <= c->rt.params.max_extrinsic_bytes);
    assert_int_equal(nm_chain_submit(c, x.data, x.len, NULL), NM_E_CALL_OUT_OF_BOUNDS);
    free(x.data);
    assert_int_equal(c->pool.count, 0);
    nm_chain_close(c);
}

static void test_blocks_are_filled_up_to_max_block_bytes_only(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    struct nm_keypair alice, bob;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    struct blob one = transfer_ext(c, &alice, 0, &bob.pub, NMT);
    size_t per = one.len;
    free(one.data);
    /* room for about 5 transfers per block */
    c->rt.params.max_block_bytes = 512 + 5 * (per + 10) + 1;
    for (uint64_t n = 0; n < 12; n++)
        assert_int_equal(submit(c, &alice, n, &bob.pub, NMT), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, &out), 0);
    assert_int_equal(out.count, 5);
    free(out.results);
    assert_int_equal(c->pool.count, 7);
    nm_chain_close(c);
}

static void test_import_refuses_blocks_over_the_byte_limits(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_chain();
    struct nm_keypair alice, bob;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    for (uint64_t n = 0; n < 4; n++)
        assert_int_equal(submit(a, &alice, n, &bob.pub, NMT), 0);
    produce(a);
    uint8_t *data = NULL;
    size_t len = 0;
    assert_int_equal(nm_chain_block_bytes(a, 1, &data, &len), 0);
    uint64_t saved = b->rt.params.max_block_bytes;
    b->rt.params.max_block_bytes = len - 1;
    assert_int_equal(nm_chain_import(b, data, len, false), NM_E_BLOCK_TOO_LARGE);
    b->rt.params.max_block_bytes = saved;
    b->rt.params.max_extrinsic_bytes = 16;
    assert_int_equal(nm_chain_import(b, data, len, false), NM_E_EXTRINSIC_TOO_LARGE);
    assert_int_equal(b->best.height, 0);
    b->rt.params.max_extrinsic_bytes = 65536;
    assert_int_equal(nm_chain_import(b, data, len, false), 0);
    assert_int_equal(b->best.height, 1);
    free(data);
    nm_chain_close(a);
    nm_chain_close(b);
}

/* Issue 16: a block's weight fills up as its bytes do: a producer stops at
 * max_block_weight, an importer refuses a heavier block, and an extrinsic
 * no block could hold is refused at the door. */
static void test_blocks_are_filled_up_to_max_block_weight_only(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_chain();
    struct nm_keypair alice, bob;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    uint64_t per = NM_WEIGHT_EXTRINSIC + 50; /* a transfer */
    a->rt.params.max_block_weight = 3 * per + per / 2;
    for (uint64_t n = 0; n < 7; n++)
        assert_int_equal(submit(a, &alice, n, &bob.pub, NMT), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, &out), 0);
    assert_int_equal(out.count, 3);
    assert_int_equal(out.results[0].weight, per);
    free(out.results);
    assert_int_equal(a->pool.count, 4);
    uint8_t *data = NULL;
    size_t len = 0;
    assert_int_equal(nm_chain_block_bytes(a, 1, &data, &len), 0);
    b->rt.params.max_block_weight = 3 * per - 1;
    assert_int_equal(nm_chain_import(b, data, len, false), NM_E_BLOCK_OVERWEIGHT);
    assert_int_equal(b->best.height, 0);
    b->rt.params.max_block_weight = 3 * per;
    assert_int_equal(nm_chain_import(b, data, len, false), 0);
    assert_int_equal(b->best.height, 1);
    free(data);
    /* Heavier than a whole block: never pooled. */
    struct blob x = transfer_ext(a, &bob, 0, &alice.pub, NMT);
    a->rt.params.max_block_weight = per - 1;
    size_t pooled = a->pool.count;
    assert_int_equal(nm_chain_submit(a, x.data, x.len, NULL), NM_E_EXTRINSIC_OVERWEIGHT);
    assert_int_equal(a->pool.count, pooled);
    free(x.data);
    nm_chain_close(a);
    nm_chain_close(b);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_future_nonce_flood_cannot_lock_the_pool),
        cmocka_unit_test(test_a_pool_full_of_futures_gives_way_to_an_honest_transfer),
        cmocka_unit_test(test_pooled_transactions_expire_after_their_longevity),
        cmocka_unit_test(test_oversize_extrinsics_and_weight_lists_are_refused_at_the_door),
        cmocka_unit_test(test_blocks_are_filled_up_to_max_block_bytes_only),
        cmocka_unit_test(test_blocks_are_filled_up_to_max_block_weight_only),
        cmocka_unit_test(test_import_refuses_blocks_over_the_byte_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
