/* Unit tests for node/p2p/noise: Noise XX with the libp2p payload between
 * two in-memory peers, transport frames, and hostile input (tampering,
 * wrong PeerId, garbage, oversized messages). Wire compatibility with a
 * real libp2p is checked by tests/interop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/noise.h"

#include <stdlib.h>
#include <string.h>

struct pair {
    struct nm_noise_identity a_id, b_id;
    struct nm_noise_hs a, b;
    struct nm_noise_cipher a_send, a_recv, b_send, b_recv;
    struct nm_peer_id a_saw, b_saw;
};

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

/* Moves from's output into to; returns to's feed status. */
static int deliver(struct nm_noise_hs *from, struct nm_noise_hs *to)
{
    size_t len, used;
    const uint8_t *out = nm_noise_hs_output(from, &len);
    uint8_t copy[2 + NM_NOISE_HS_MAX];
    memcpy(copy, out, len);
    nm_noise_hs_output_clear(from);
    int rc = 0;
    for (size_t i = 0; i < len; i++) { /* byte by byte: framing must cope */
        rc = nm_noise_hs_feed(to, copy + i, 1, &used);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static void make_identities(struct pair *p)
{
    struct nm_keypair ka, kb;
    nm_keypair_generate(&ka);
    nm_keypair_generate(&kb);
    assert_int_equal(nm_noise_identity_init(&p->a_id, &ka), 0);
    assert_int_equal(nm_noise_identity_init(&p->b_id, &kb), 0);
}

static int handshake(struct pair *p, const struct nm_peer_id *a_expects)
{
    nm_noise_hs_init(&p->a, &p->a_id, true, a_expects);
    nm_noise_hs_init(&p->b, &p->b_id, false, NULL);
    int rc = deliver(&p->a, &p->b); /* -> e */
    if (rc != 0)
        return rc < 0 ? rc : NM_E_INTERNAL;
    rc = deliver(&p->b, &p->a); /* <- e, ee, s, es */
    if (rc != 1)
        return rc < 0 ? rc : NM_E_INTERNAL;
    rc = deliver(&p->a, &p->b); /* -> s, se */
    if (rc != 1)
        return rc < 0 ? rc : NM_E_INTERNAL;
    nm_noise_hs_split(&p->a, &p->a_send, &p->a_recv, &p->a_saw);
    nm_noise_hs_split(&p->b, &p->b_send, &p->b_recv, &p->b_saw);
    return 0;
}

static void test_handshake_proves_both_peer_ids(void **state)
{
    (void)state;
    struct pair *p = calloc(1, sizeof *p);
    make_identities(p);
    struct nm_peer_id want_b;
    nm_peer_id_from_pubkey(&p->b_id.id.pub, &want_b);
    assert_int_equal(handshake(p, &want_b), 0);
    struct nm_peer_id a_id;
    nm_peer_id_from_pubkey(&p->a_id.id.pub, &a_id);
    assert_true(nm_peer_id_eq(&p->a_saw, &want_b));
    assert_true(nm_peer_id_eq(&p->b_saw, &a_id));
    free(p);
}

static void test_transport_frames_round_trip_both_ways(void **state)
{
    (void)state;
    struct pair *p = calloc(1, sizeof *p);
    make_identities(p);
    assert_int_equal(handshake(p, NULL), 0);
    static uint8_t big[NM_NOISE_MAX_PLAINTEXT], frame[NM_NOISE_MAX_FRAME + 2],
        plain[NM_NOISE_MAX_FRAME];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    size_t sizes[] = {0, 1, 1000, NM_NOISE_MAX_PLAINTEXT};
    for (int round = 0; round < 3; round++) {
        for (size_t s = 0; s < 4; s++) {
            assert_int_equal(nm_noise_seal(&p->a_send, big, sizes[s], frame), 0);
            size_t fs = nm_noise_frame_size(frame, 2);
            assert_int_equal(fs, sizes[s] + 18);
            assert_int_equal(nm_noise_open(&p->b_recv, frame + 2, fs - 2, plain), (int)sizes[s]);
            assert_memory_equal(plain, big, sizes[s]);
            assert_int_equal(nm_noise_seal(&p->b_send, big, sizes[s], frame), 0);
            assert_int_equal(nm_noise_open(&p->a_recv, frame + 2, fs - 2, plain), (int)sizes[s]);
        }
    }
    assert_int_equal(nm_noise_seal(&p->a_send, big, NM_NOISE_MAX_PLAINTEXT + 1, frame),
                     NM_E_TOO_BIG);
    free(p);
}

static void test_tampered_or_replayed_frame_is_refused(void **state)
{
    (void)state;
    struct pair *p = calloc(1, sizeof *p);
    make_identities(p);
    assert_int_equal(handshake(p, NULL), 0);
    uint8_t frame[64], plain[64];
    assert_int_equal(nm_noise_seal(&p->a_send, (const uint8_t *)"hello", 5, frame), 0);
    frame[4] ^= 1;
    assert_int_equal(nm_noise_open(&p->b_recv, frame + 2, 21, plain), NM_E_HANDSHAKE);
    frame[4] ^= 1;
    assert_int_equal(nm_noise_open(&p->b_recv, frame + 2, 21, plain), 5);
    /* the same frame again: the nonce moved on, so it no longer opens */
    assert_int_equal(nm_noise_open(&p->b_recv, frame + 2, 21, plain), NM_E_HANDSHAKE);
    /* a frame too short for a tag */
    assert_int_equal(nm_noise_open(&p->b_recv, frame + 2, 15, plain), NM_E_HANDSHAKE);
    free(p);
}

static void test_dialer_refuses_an_unexpected_peer_id(void **state)
{
    (void)state;
    struct pair *p = calloc(1, sizeof *p);
    make_identities(p);
    struct nm_peer_id someone_else;
    nm_peer_id_from_pubkey(&p->a_id.id.pub, &someone_else);
    assert_int_equal(handshake(p, &someone_else), NM_E_HANDSHAKE);
    free(p);
}

static void test_forged_payload_signature_is_refused(void **state)
{
    (void)state;
    struct pair *p = calloc(1, sizeof *p);
    make_identities(p);
    /* b claims a's identity with a signature over its own static key
     * made by b's key: the payload's last byte is inside the signature */
    p->b_id.payload[p->b_id.payload_len - 1] ^= 0x40;
    assert_int_equal(handshake(p, NULL), NM_E_HANDSHAKE);
    free(p);
}

static void test_garbage_and_oversized_messages_are_refused(void **state)
{
    (void)state;
    struct pair *p = calloc(1, sizeof *p);
    make_identities(p);
    size_t used;
    nm_noise_hs_init(&p->b, &p->b_id, false, NULL);
    uint8_t huge[2] = {0xff, 0xff};
    assert_int_equal(nm_noise_hs_feed(&p->b, huge, 2, &used), NM_E_PROTOCOL);
    nm_noise_hs_init(&p->b, &p->b_id, false, NULL);
    uint8_t tiny[5] = {0, 3, 1, 2, 3};
    assert_int_equal(nm_noise_hs_feed(&p->b, tiny, 5, &used), NM_E_PROTOCOL);
    /* initiator gets random bytes as message 2 */
    nm_noise_hs_init(&p->a, &p->a_id, true, NULL);
    uint8_t junk[2 + 200];
    junk[0] = 0;
    junk[1] = 200;
    for (int i = 0; i < 200; i++)
        junk[2 + i] = (uint8_t)(i * 31 + 5);
    assert_int_equal(nm_noise_hs_feed(&p->a, junk, sizeof junk, &used), NM_E_HANDSHAKE);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_proves_both_peer_ids),
        cmocka_unit_test(test_transport_frames_round_trip_both_ways),
        cmocka_unit_test(test_tampered_or_replayed_frame_is_refused),
        cmocka_unit_test(test_dialer_refuses_an_unexpected_peer_id),
        cmocka_unit_test(test_forged_payload_signature_is_refused),
        cmocka_unit_test(test_garbage_and_oversized_messages_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
