/* Unit tests for node/p2p/peerid and node/p2p/varint: PeerIds against
 * js-libp2p's answers, base58 round trips and refusals, the node key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/peerid.h"
#include "node/p2p/varint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* From js-libp2p 2.x: generateKeyPairFromSeed('Ed25519', bytes 0..31). */
static const char JS_PEER_ID[] = "12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB";
static const char JS_PUBKEY[] =
    "0x03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static void seed_keypair(struct nm_keypair *kp)
{
    uint8_t seed[NM_SEED_LEN];
    for (int i = 0; i < NM_SEED_LEN; i++)
        seed[i] = (uint8_t)i;
    nm_keypair_from_seed(seed, kp);
}

static void test_peer_id_text_matches_js_libp2p(void **state)
{
    (void)state;
    struct nm_keypair kp;
    seed_keypair(&kp);
    char hex[80], text[NM_PEER_ID_STRLEN];
    assert_string_equal(nm_hex_encode(kp.pub.b, 32, hex, sizeof hex), JS_PUBKEY);
    struct nm_peer_id id;
    nm_peer_id_from_pubkey(&kp.pub, &id);
    assert_string_equal(nm_peer_id_to_string(&id, text), JS_PEER_ID);
    struct nm_peer_id back;
    assert_int_equal(nm_peer_id_from_string(JS_PEER_ID, &back), 0);
    assert_true(nm_peer_id_eq(&id, &back));
}

static void test_peer_id_round_trips_random_keys(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        struct nm_keypair kp;
        nm_keypair_generate(&kp);
        struct nm_peer_id id, back;
        nm_peer_id_from_pubkey(&kp.pub, &id);
        char text[NM_PEER_ID_STRLEN];
        nm_peer_id_to_string(&id, text);
        assert_int_equal(strncmp(text, "12D3KooW", 8), 0);
        assert_int_equal(nm_peer_id_from_string(text, &back), 0);
        assert_true(nm_peer_id_eq(&id, &back));
    }
}

static void test_peer_id_rejects_bad_text(void **state)
{
    (void)state;
    struct nm_peer_id id;
    char buf[NM_PEER_ID_STRLEN];
    assert_int_equal(nm_peer_id_from_string("", &id), NM_E_PEER_ID);
    /* 0, O, I and l are not base58 */
    snprintf(buf, sizeof buf, "%s", JS_PEER_ID);
    buf[10] = '0';
    assert_int_equal(nm_peer_id_from_string(buf, &id), NM_E_PEER_ID);
    /* one character short, one too many */
    snprintf(buf, sizeof buf, "%.*s", (int)strlen(JS_PEER_ID) - 1, JS_PEER_ID);
    assert_int_equal(nm_peer_id_from_string(buf, &id), NM_E_PEER_ID);
    snprintf(buf, sizeof buf, "%sz", JS_PEER_ID);
    assert_int_equal(nm_peer_id_from_string(buf, &id), NM_E_PEER_ID);
    /* a sha2-256 (RSA-style) PeerId: valid base58, not an Ed25519 key */
    assert_int_equal(nm_peer_id_from_string("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", &id),
                     NM_E_PEER_ID);
}

static void test_pubkey_protobuf_refuses_other_key_types(void **state)
{
    (void)state;
    struct nm_peer_id id = {{0}}, back;
    uint8_t pb[NM_PEER_PUBKEY_PB_LEN];
    nm_peer_pubkey_encode(&id, pb);
    assert_int_equal(nm_peer_pubkey_decode(pb, sizeof pb, &back), 0);
    pb[1] = 2; /* secp256k1 */
    assert_int_equal(nm_peer_pubkey_decode(pb, sizeof pb, &back), NM_E_UNSUPPORTED);
    pb[1] = 1;
    assert_int_equal(nm_peer_pubkey_decode(pb, sizeof pb - 1, &back), NM_E_DECODE);
    pb[3] = 0x1f;
    assert_int_equal(nm_peer_pubkey_decode(pb, sizeof pb, &back), NM_E_DECODE);
}

static void test_varint_round_trips_and_rejects_non_minimal(void **state)
{
    (void)state;
    static const uint64_t vals[] = {0, 1, 127, 128, 300, 16383, 16384, 1u << 31,
                                    (1ull << 63) - 1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t b[NM_VARINT_MAX];
        size_t n = nm_varint_encode(vals[i], b, sizeof b);
        assert_true(n > 0);
        uint64_t v;
        assert_int_equal(nm_varint_decode(b, n, &v), (int)n);
        assert_true(v == vals[i]);
        assert_int_equal(nm_varint_decode(b, n - 1, &v), 0); /* needs more */
    }
    uint8_t b300[2] = {0xac, 0x02};
    uint64_t v;
    assert_int_equal(nm_varint_decode(b300, 2, &v), 2);
    assert_int_equal((int)v, 300);
    uint8_t padded[2] = {0x81, 0x00};
    assert_int_equal(nm_varint_decode(padded, 2, &v), NM_E_DECODE);
    uint8_t ten[10];
    memset(ten, 0xff, sizeof ten);
    assert_int_equal(nm_varint_decode(ten, sizeof ten, &v), NM_E_DECODE);
    uint8_t small[1];
    assert_int_equal((int)nm_varint_encode(300, small, 1), 0);
}

static void test_node_key_created_0600_then_reloaded(void **state)
{
    (void)state;
    char dir[] = "/tmp/nm-nodekey-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], msg[256];
    snprintf(path, sizeof path, "%s/node_key", dir);
    struct nm_keypair a, b;
    assert_int_equal(nm_node_key_load(path, false, &a, msg, sizeof msg), NM_E_NODE_KEY);
    assert_int_equal(nm_node_key_load(path, true, &a, msg, sizeof msg), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(nm_node_key_load(path, true, &b, msg, sizeof msg), 0);
    assert_memory_equal(a.pub.b, b.pub.b, NM_PUBKEY_LEN);
    /* a damaged file is refused with a sentence, never replaced */
    FILE *f = fopen(path, "w");
    fputs("not hex\n", f);
    fclose(f);
    assert_int_equal(nm_node_key_load(path, true, &b, msg, sizeof msg), NM_E_NODE_KEY);
    assert_non_null(strstr(msg, "64 hex digits"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_id_text_matches_js_libp2p),
        cmocka_unit_test(test_peer_id_round_trips_random_keys),
        cmocka_unit_test(test_peer_id_rejects_bad_text),
        cmocka_unit_test(test_pubkey_protobuf_refuses_other_key_types),
        cmocka_unit_test(test_varint_round_trips_and_rejects_non_minimal),
        cmocka_unit_test(test_node_key_created_0600_then_reloaded),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
