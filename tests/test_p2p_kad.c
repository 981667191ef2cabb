/* Unit tests for node/p2p/kad: the routing table (closest first, bucket
 * cap, no self, only dialable addresses), FIND_NODE answered from it and
 * read back, and refusals of what we do not serve or cannot decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/kad.h"
#include "node/p2p/kad_lookup.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static struct nm_peer_id random_peer(void)
{
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    struct nm_peer_id id;
    nm_peer_id_from_pubkey(&kp.pub, &id);
    return id;
}

static struct nm_multiaddr addr_for(int port)
{
    char text[64];
    snprintf(text, sizeof text, "/ip4/127.0.0.1/tcp/%d", port);
    struct nm_multiaddr ma;
    assert_int_equal(nm_multiaddr_parse(text, &ma), 0);
    return ma;
}

static int distance_cmp(const uint8_t a[32], const uint8_t b[32], const uint8_t t[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t da = a[i] ^ t[i], db = b[i] ^ t[i];
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

static void test_closest_are_sorted_by_xor_distance(void **state)
{
    (void)state;
    struct nm_kad k;
    struct nm_peer_id self = random_peer();
    assert_int_equal(nm_kad_init(&k, &self), 0);
    for (int i = 0; i < 100; i++) {
        struct nm_peer_id p = random_peer();
        struct nm_multiaddr ma = addr_for(1000 + i);
        nm_kad_add(&k, &p, &ma, 1, (uint64_t)i);
    }
    assert_true(k.n > 20 && k.n <= 100);
    uint8_t target[32];
    struct nm_peer_id t = random_peer();
    nm_kad_key_of(&t, target);
    const struct nm_kad_peer *best[NM_KAD_K];
    size_t n = nm_kad_closest(&k, target, best, NM_KAD_K);
    assert_int_equal(n, NM_KAD_K);
    for (size_t i = 1; i < n; i++)
        assert_true(distance_cmp(best[i - 1]->key, best[i]->key, target) < 0);
    /* nobody outside the answer is closer than its last entry */
    for (size_t i = 0; i < k.n; i++) {
        bool in = false;
        for (size_t j = 0; j < n; j++)
            in |= best[j] == &k.peers[i];
        if (!in)
            assert_true(distance_cmp(k.peers[i].key, best[n - 1]->key, target) > 0);
    }
    nm_kad_fini(&k);
}

static void test_table_keeps_buckets_bounded_and_refuses_self(void **state)
{
    (void)state;
    struct nm_kad k;
    struct nm_peer_id self = random_peer();
    assert_int_equal(nm_kad_init(&k, &self), 0);
    struct nm_multiaddr ma = addr_for(4001);
    assert_int_equal(nm_kad_add(&k, &self, &ma, 1, 0), 0);
    assert_int_equal(k.n, 0);
    /* a peer without a dialable address is not added */
    struct nm_multiaddr udp;
    uint8_t udp_bytes[] = {0x04, 1, 2, 3, 4, 0x91, 0x02, 0x0f, 0xa1};
    memcpy(udp.b, udp_bytes, sizeof udp_bytes);
    udp.len = sizeof udp_bytes;
    struct nm_peer_id p = random_peer();
    assert_int_equal(nm_kad_add(&k, &p, &udp, 1, 0), 0);
    assert_int_equal(nm_kad_add(&k, &p, NULL, 0, 0), 0);
    assert_int_equal(k.n, 0);
    /* the bucket half the key space away (common prefix 0) holds K */
    int far = 0;
    for (int i = 0; i < 2000 && far < 3 * NM_KAD_K; i++) {
        struct nm_peer_id q = random_peer();
        uint8_t key[32];
        nm_kad_key_of(&q, key);
        if ((key[0] ^ k.self_key[0]) & 0x80) {
            far++;
            nm_kad_add(&k, &q, &ma, 1, 0);
        }
    }
    size_t in_far = 0;
    for (size_t i = 0; i < k.n; i++)
        in_far += ((k.peers[i].key[0] ^ k.self_key[0]) & 0x80) != 0;
    assert_int_equal(in_far, NM_KAD_K);
    /* refreshing a known peer does not add it twice */
    size_t before = k.n;
    assert_int_equal(nm_kad_add(&k, &k.peers[0].id, &ma, 1, 5), 0);
    assert_int_equal(k.n, before);
    nm_kad_fini(&k);
}

struct found {
    int count;
    struct nm_peer_id ids[NM_KAD_K];
    size_t addrs[NM_KAD_K];
};

static void on_found(void *ud, const struct nm_peer_id *id, const struct nm_multiaddr *addrs,
                     size_t n)
{
    (void)addrs;
    struct found *f = ud;
    if (f->count < NM_KAD_K) {
        f->ids[f->count] = *id;
        f->addrs[f->count] = n;
    }
    f->count++;
}

static void test_find_node_answer_names_closest_peers_with_addresses(void **state)
{
    (void)state;
    struct nm_kad k;
    struct nm_peer_id self = random_peer();
    nm_kad_init(&k, &self);
    struct nm_peer_id known[5];
    for (int i = 0; i < 5; i++) {
        known[i] = random_peer();
        struct nm_multiaddr ma = addr_for(2000 + i);
        assert_int_equal(nm_kad_add(&k, &known[i], &ma, 1, 0), 1);
    }
    uint8_t *req, *resp;
    size_t len, rlen;
    assert_int_equal(nm_kad_find_node_encode(&known[3], &req, &len), 0);
    assert_int_equal(nm_kad_answer(&k, req, len, &resp, &rlen), 0);
    struct found f = {0};
    assert_int_equal(nm_kad_closer_decode(resp, rlen, on_found, &f), 0);
    assert_int_equal(f.count, 5);
    assert_true(nm_peer_id_eq(&f.ids[0], &known[3])); /* distance 0 comes first */
    for (int i = 0; i < 5; i++)
        assert_int_equal(f.addrs[i], 1);
    free(req);
    free(resp);
    nm_kad_fini(&k);
}

static void test_unserved_and_malformed_requests_are_refused(void **state)
{
    (void)state;
    struct nm_kad k;
    struct nm_peer_id self = random_peer();
    nm_kad_init(&k, &self);
    uint8_t *resp = NULL;
    size_t rlen;
    static const uint8_t get_value[] = {0x08, 0x01, 0x12, 0x01, 'k'}; /* GET_VALUE "k" */
    assert_int_equal(nm_kad_answer(&k, get_value, sizeof get_value, &resp, &rlen),
                     NM_E_UNSUPPORTED);
    static const uint8_t find_no_key[] = {0x08, 0x04};
    assert_int_equal(nm_kad_answer(&k, find_no_key, sizeof find_no_key, &resp, &rlen),
                     NM_E_DECODE);
    static const uint8_t junk[] = {0x12, 0xff, 0xff, 0x01};
    assert_int_equal(nm_kad_answer(&k, junk, sizeof junk, &resp, &rlen), NM_E_DECODE);
    struct found f = {0};
    assert_int_equal(nm_kad_closer_decode(junk, sizeof junk, on_found, &f), NM_E_DECODE);
    static const uint8_t ping[] = {0x08, 0x05};
    assert_int_equal(nm_kad_answer(&k, ping, sizeof ping, &resp, &rlen), 0);
    free(resp);
    nm_kad_fini(&k);
}

/* A simulated network of NET nodes, each knowing only a few others; node
 * 0 looks a target up iteratively, each asked node answering from its own
 * table. */
#define NET 120
static struct nm_kad net_tables[NET];
static struct nm_peer_id net_ids[NET];

static int net_index(const struct nm_peer_id *id)
{
    for (int i = 0; i < NET; i++)
        if (nm_peer_id_eq(&net_ids[i], id))
            return i;
    return -1;
}

/* Runs node 0's lookup to the end; nodes in dead[] never answer. Returns
 * the number of requests made. */
static int run_lookup(struct nm_kad_lookup *l, const uint8_t target[32], const bool *dead)
{
    nm_kad_lookup_start(l, &net_tables[0], target);
    int asked = 0;
    uint64_t now = 1000;
    while (!nm_kad_lookup_done(l) && asked < 10 * NET) {
        struct nm_kad_peer next[NM_KAD_ALPHA];
        size_t n = nm_kad_lookup_next(l, now, next, NM_KAD_ALPHA);
        assert_true(n <= NM_KAD_ALPHA);
        for (size_t i = 0; i < n; i++) {
            int who = net_index(&next[i].id);
            assert_true(who > 0);
            asked++;
            if (dead[who])
                continue; /* silent: expires below */
            const struct nm_kad_peer *near[NM_KAD_K];
            size_t k = nm_kad_closest(&net_tables[who], target, near, NM_KAD_K);
            struct nm_kad_peer copy[NM_KAD_K];
            for (size_t j = 0; j < k; j++)
                copy[j] = *near[j];
            nm_kad_lookup_answer(l, &next[i].id, copy, k);
        }
        now += 1000;
        nm_kad_lookup_expire(l, now, 5000);
    }
    return asked;
}

static void test_iterative_lookup_converges_on_the_k_closest(void **state)
{
    (void)state;
    uint8_t keys[NET][32];
    for (int i = 0; i < NET; i++) {
        net_ids[i] = random_peer();
        nm_kad_key_of(&net_ids[i], keys[i]);
        assert_int_equal(nm_kad_init(&net_tables[i], &net_ids[i]), 0);
    }
    /* each node offered every other one: its k-buckets keep at most K per
     * distance, so a node knows its neighbourhood well and far regions
     * only partly, as in a real network */
    for (int i = 0; i < NET; i++)
        for (int j = 0; j < NET; j++) {
            struct nm_multiaddr ma = addr_for(10000 + j);
            nm_kad_add(&net_tables[i], &net_ids[j], &ma, 1, 1);
        }
    /* node 0 itself starts knowing only three peers */
    nm_kad_fini(&net_tables[0]);
    assert_int_equal(nm_kad_init(&net_tables[0], &net_ids[0]), 0);
    for (int j = 1; j <= 3; j++) {
        struct nm_multiaddr ma = addr_for(10000 + j);
        nm_kad_add(&net_tables[0], &net_ids[j], &ma, 1, 1);
    }
    bool dead[NET] = {false};
    for (int round = 0; round < 3; round++) {
        uint8_t target[32];
        randombytes_buf(target, sizeof target);
        if (round == 2) /* a quarter of the network never answers */
            for (int i = 1; i < NET; i += 4)
                dead[i] = true;
        struct nm_kad_lookup *l = calloc(1, sizeof *l);
        assert_non_null(l);
        int asked = run_lookup(l, target, dead);
        assert_true(nm_kad_lookup_done(l));
        assert_true(l->rounds >= 1);
        assert_true(asked < NET); /* far fewer than asking everyone */
        /* the K closest live nodes of the whole network (not node 0) */
        int order[NET - 1], n = 0;
        for (int i = 1; i < NET; i++)
            if (!dead[i])
                order[n++] = i;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                if (distance_cmp(keys[order[b]], keys[order[a]], target) < 0) {
                    int t = order[a];
                    order[a] = order[b];
                    order[b] = t;
                }
        /* the lookup's answered candidates, closest first, are exactly
         * those; with dead nodes (which answers still name, so a live one
         * near the K-th can be crowded out) every answered one is live
         * and the closest live node is found */
        int k = 0;
        for (size_t i = 0; i < l->n && k < NM_KAD_K; i++) {
            if (l->c[i].state == NM_KAD_FAILED)
                continue;
            assert_int_equal(l->c[i].state, NM_KAD_ANSWERED);
            int who = net_index(&l->c[i].peer.id);
            assert_false(dead[who]);
            if (round < 2)
                assert_int_equal(who, order[k]);
            k++;
        }
        assert_true(round < 2 ? k == NM_KAD_K : k >= NM_KAD_K / 2);
        if (round == 2) /* the closest live node is found */
            for (size_t i = 0; i < l->n; i++)
                if (l->c[i].state == NM_KAD_ANSWERED) {
                    assert_int_equal(net_index(&l->c[i].peer.id), order[0]);
                    break;
                }
        free(l);
    }
    for (int i = 0; i < NET; i++)
        nm_kad_fini(&net_tables[i]);
}

static void test_lookup_ignores_unasked_answers_and_never_names_us(void **state)
{
    (void)state;
    struct nm_peer_id self = random_peer(), a = random_peer(), stranger = random_peer();
    struct nm_kad k;
    assert_int_equal(nm_kad_init(&k, &self), 0);
    struct nm_multiaddr ma = addr_for(4001);
    nm_kad_add(&k, &a, &ma, 1, 1);
    uint8_t target[32] = {0};
    struct nm_kad_lookup *l = calloc(1, sizeof *l);
    nm_kad_lookup_start(l, &k, target);
    assert_int_equal(l->n, 1);
    struct nm_kad_peer forged = {.id = stranger, .n_addrs = 1, .addrs = {ma}};
    nm_kad_key_of(&stranger, forged.key);
    nm_kad_lookup_answer(l, &stranger, &forged, 1); /* never asked: ignored */
    assert_int_equal(l->n, 1);
    struct nm_kad_peer next[NM_KAD_ALPHA];
    assert_int_equal(nm_kad_lookup_next(l, 1, next, NM_KAD_ALPHA), 1);
    assert_false(nm_kad_lookup_done(l));
    struct nm_kad_peer us = {.id = self, .n_addrs = 1, .addrs = {ma}};
    nm_kad_key_of(&self, us.key);
    nm_kad_lookup_answer(l, &a, &us, 1); /* ourselves are never a candidate */
    assert_int_equal(l->n, 1);
    assert_true(nm_kad_lookup_done(l));
    free(l);
    nm_kad_fini(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closest_are_sorted_by_xor_distance),
        cmocka_unit_test(test_table_keeps_buckets_bounded_and_refuses_self),
        cmocka_unit_test(test_find_node_answer_names_closest_peers_with_addresses),
        cmocka_unit_test(test_unserved_and_malformed_requests_are_refused),
        cmocka_unit_test(test_iterative_lookup_converges_on_the_k_closest),
        cmocka_unit_test(test_lookup_ignores_unasked_answers_and_never_names_us),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
