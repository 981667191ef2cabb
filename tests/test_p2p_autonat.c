/* Unit tests for node/p2p/autonat: a DIAL and a DIAL_RESPONSE survive the
 * wire; what is not one is refused; a server dials back only an address
 * on the IP the request came from; the tally turns public after two
 * dial-backs, private after two failures, and ignores refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/crypto.h"
#include "node/errors.h"
#include "node/p2p/autonat.h"

#include <stdlib.h>
#include <string.h>

static struct nm_multiaddr ma(const char *text)
{
    struct nm_multiaddr m;
    assert_int_equal(nm_multiaddr_parse(text, &m), 0);
    return m;
}

static void test_dial_and_response_round_trip(void **state)
{
    (void)state;
    nm_crypto_init();
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    struct nm_peer_id id, got;
    nm_peer_id_from_pubkey(&kp.pub, &id);
    struct nm_multiaddr addrs[2] = {ma("/ip4/192.0.2.7/tcp/30333"), ma("/ip4/10.0.0.2/tcp/1")};
    uint8_t *d;
    size_t n, k;
    assert_int_equal(nm_autonat_dial_encode(&id, addrs, 2, &d, &n), 0);
    struct nm_multiaddr back[NM_AUTONAT_MAX_ADDRS];
    assert_int_equal(nm_autonat_dial_decode(d, n, &got, back, NM_AUTONAT_MAX_ADDRS, &k), 0);
    assert_true(nm_peer_id_eq(&got, &id));
    assert_int_equal(k, 2);
    assert_memory_equal(back[1].b, addrs[1].b, addrs[1].len);
    /* a response is not a dial, and garbage is neither */
    int st;
    bool has;
    struct nm_multiaddr a;
    assert_int_equal(nm_autonat_response_decode(d, n, &st, &a, &has), NM_E_DECODE);
    free(d);
    assert_int_equal(nm_autonat_response_encode(NM_AUTONAT_OK, "dialed back", &addrs[0], &d, &n),
                     0);
    assert_int_equal(nm_autonat_dial_decode(d, n, &got, back, NM_AUTONAT_MAX_ADDRS, &k),
                     NM_E_DECODE);
    assert_int_equal(nm_autonat_response_decode(d, n, &st, &a, &has), 0);
    assert_int_equal(st, NM_AUTONAT_OK);
    assert_true(has);
    assert_memory_equal(a.b, addrs[0].b, addrs[0].len);
    free(d);
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x0f};
    assert_int_equal(nm_autonat_dial_decode(junk, sizeof junk, &got, back, 8, &k), NM_E_DECODE);
    assert_int_equal(nm_autonat_response_decode(junk, sizeof junk, &st, &a, &has), NM_E_DECODE);
}

static void test_server_dials_back_only_the_requesters_ip(void **state)
{
    (void)state;
    struct nm_multiaddr addrs[3] = {ma("/ip4/203.0.113.9/tcp/4001"), ma("/dns4/example.org/tcp/1"),
                                    ma("/ip4/192.0.2.7/tcp/30333")};
    assert_int_equal(nm_autonat_pick(addrs, 3, "192.0.2.7"), 2);
    assert_int_equal(nm_autonat_pick(addrs, 3, "198.51.100.1"), -1); /* never a third party */
    assert_int_equal(nm_autonat_pick(addrs, 0, "192.0.2.7"), -1);
}

static void test_tally_turns_public_or_private_and_ignores_refusals(void **state)
{
    (void)state;
    struct nm_autonat_tally t = {0};
    assert_string_equal(nm_reachability_name(t.reach), "unknown");
    assert_false(nm_autonat_record(&t, NM_AUTONAT_E_DIAL_REFUSED)); /* says nothing of us */
    assert_false(nm_autonat_record(&t, NM_AUTONAT_OK));
    assert_true(nm_autonat_record(&t, NM_AUTONAT_OK));
    assert_int_equal(t.reach, NM_REACH_PUBLIC);
    assert_false(nm_autonat_record(&t, NM_AUTONAT_E_DIAL_ERROR)); /* 2 OK, 1 error: still */
    assert_false(nm_autonat_record(&t, NM_AUTONAT_E_DIAL_ERROR)); /* 2 and 2: no majority */
    assert_true(nm_autonat_record(&t, NM_AUTONAT_E_DIAL_ERROR));  /* 3 errors to 2 */
    assert_int_equal(t.reach, NM_REACH_PRIVATE);
    assert_string_equal(nm_reachability_name(t.reach), "private");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dial_and_response_round_trip),
        cmocka_unit_test(test_server_dials_back_only_the_requesters_ip),
        cmocka_unit_test(test_tally_turns_public_or_private_and_ignores_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
