/* Unit tests for node/p2p/multiaddr: binary forms equal to js-libp2p's,
 * text round trips, dialable TCP parts, refusals of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/multiaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static const char PEER[] = "12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB";

static void assert_bytes_hex(const struct nm_multiaddr *ma, const char *hex)
{
    char out[2 * NM_MULTIADDR_MAX + 3];
    nm_hex_encode(ma->b, ma->len, out, sizeof out);
    assert_string_equal(out + 2, hex);
}

static void test_binary_form_matches_js_libp2p(void **state)
{
    (void)state;
    struct nm_multiaddr ma;
    char text[NM_MULTIADDR_STRLEN], out[NM_MULTIADDR_STRLEN];
    snprintf(text, sizeof text, "/ip4/127.0.0.1/tcp/30333/p2p/%s", PEER);
    assert_int_equal(nm_multiaddr_parse(text, &ma), 0);
    assert_bytes_hex(&ma, "047f00000106767da5032600240801122003a107bff3ce10be1d70dd18e74bc0"
                          "9967e4d6309ba50d5f1ddc8664125531b8");
    assert_string_equal(nm_multiaddr_to_string(&ma, out, sizeof out), text);
    assert_int_equal(nm_multiaddr_parse("/ip6/::1/tcp/1/dns4/example.com", &ma), 0);
    assert_bytes_hex(&ma, "2900000000000000000000000000000001060001360b6578616d706c652e636f6d");
    assert_string_equal(nm_multiaddr_to_string(&ma, out, sizeof out),
                        "/ip6/::1/tcp/1/dns4/example.com");
}

static void test_binary_from_peer_is_checked(void **state)
{
    (void)state;
    struct nm_multiaddr ma, back;
    assert_int_equal(nm_multiaddr_parse("/ip4/10.0.0.1/tcp/4001", &ma), 0);
    assert_int_equal(nm_multiaddr_from_bytes(ma.b, ma.len, &back), 0);
    assert_int_equal(back.len, ma.len);
    /* truncated value */
    assert_int_equal(nm_multiaddr_from_bytes(ma.b, ma.len - 1, &back), NM_E_MULTIADDR);
    assert_int_equal(nm_multiaddr_from_bytes(ma.b, 0, &back), NM_E_MULTIADDR);
    /* /udp (273) is a protocol we skip, not an error */
    uint8_t udp[] = {0x04, 1, 2, 3, 4, 0x91, 0x02, 0x0f, 0xa1};
    assert_int_equal(nm_multiaddr_from_bytes(udp, sizeof udp, &back), NM_E_UNSUPPORTED);
    /* a dns name with a newline in it */
    uint8_t dns[] = {0x36, 3, 'a', '\n', 'b'};
    assert_int_equal(nm_multiaddr_from_bytes(dns, sizeof dns, &back), NM_E_MULTIADDR);
    /* length prefix running past the end */
    uint8_t p2p[] = {0xa5, 0x03, 0x26, 0x00};
    assert_int_equal(nm_multiaddr_from_bytes(p2p, sizeof p2p, &back), NM_E_MULTIADDR);
}

static void test_parse_rejects_malformed_text(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "ip4/1.2.3.4", "/ip4/1.2.3", "/ip4/1.2.3.4/tcp", "/ip4/1.2.3.4/tcp/65536",
        "/ip4/1.2.3.4/tcp/-1", "/ip4/1.2.3.4/tcp/12x", "/quic/1", "/p2p/notapeer",
        "/dns4/ex ample.com/tcp/1", "/ip4//tcp/1", "//",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_multiaddr ma;
        if (nm_multiaddr_parse(bad[i], &ma) != NM_E_MULTIADDR)
            fail_msg("accepted %s", bad[i]);
    }
}

static void test_to_tcp_gives_host_port_and_peer(void **state)
{
    (void)state;
    struct nm_multiaddr ma;
    struct nm_multiaddr_tcp t;
    char text[NM_MULTIADDR_STRLEN];
    snprintf(text, sizeof text, "/dns4/localhost/tcp/30333/p2p/%s", PEER);
    assert_int_equal(nm_multiaddr_parse(text, &ma), 0);
    assert_int_equal(nm_multiaddr_to_tcp(&ma, &t), 0);
    assert_string_equal(t.host, "localhost");
    assert_true(t.is_dns && t.has_peer && t.family == AF_INET);
    assert_int_equal(t.port, 30333);
    assert_int_equal(nm_multiaddr_parse("/ip4/1.2.3.4", &ma), 0);
    assert_int_equal(nm_multiaddr_to_tcp(&ma, &t), NM_E_MULTIADDR);
    assert_int_equal(nm_multiaddr_parse("/tcp/1/ip4/1.2.3.4", &ma), 0);
    assert_int_equal(nm_multiaddr_to_tcp(&ma, &t), NM_E_MULTIADDR);
    assert_int_equal(nm_multiaddr_parse("/ip4/1.2.3.4/tcp/1/ip4/1.2.3.5/tcp/2", &ma), 0);
    assert_int_equal(nm_multiaddr_to_tcp(&ma, &t), NM_E_MULTIADDR);
}

static void test_from_sockaddr_and_add_peer(void **state)
{
    (void)state;
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(4001)};
    inet_pton(AF_INET, "192.168.1.7", &in.sin_addr);
    struct nm_peer_id id;
    assert_int_equal(nm_peer_id_from_string(PEER, &id), 0);
    struct nm_multiaddr ma;
    char out[NM_MULTIADDR_STRLEN], want[NM_MULTIADDR_STRLEN];
    assert_int_equal(nm_multiaddr_from_sockaddr((struct sockaddr *)&in, NULL, &ma), 0);
    assert_string_equal(nm_multiaddr_to_string(&ma, out, sizeof out), "/ip4/192.168.1.7/tcp/4001");
    assert_int_equal(nm_multiaddr_add_peer(&ma, &id), 0);
    snprintf(want, sizeof want, "/ip4/192.168.1.7/tcp/4001/p2p/%s", PEER);
    assert_string_equal(nm_multiaddr_to_string(&ma, out, sizeof out), want);
    assert_int_equal(nm_multiaddr_add_peer(&ma, &id), NM_E_MULTIADDR); /* one is enough */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_form_matches_js_libp2p),
        cmocka_unit_test(test_binary_from_peer_is_checked),
        cmocka_unit_test(test_parse_rejects_malformed_text),
        cmocka_unit_test(test_to_tcp_gives_host_port_and_peer),
        cmocka_unit_test(test_from_sockaddr_and_add_peer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
