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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closest_are_sorted_by_xor_distance),
        cmocka_unit_test(test_table_keeps_buckets_bounded_and_refuses_self),
        cmocka_unit_test(test_find_node_answer_names_closest_peers_with_addresses),
        cmocka_unit_test(test_unserved_and_malformed_requests_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
