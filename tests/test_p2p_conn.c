/* Unit tests for node/p2p/conn: two connections in memory go through the
 * whole libp2p upgrade (mss, Noise, mss, yamux), identify each other and
 * ping; garbage at each stage kills only that connection with a named
 * error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/conn.h"

#include <stdlib.h>
#include <string.h>

struct peer {
    struct nm_noise_identity noise;
    struct nm_p2p_local local;
    struct nm_multiaddr listen;
    struct nm_p2p_conn conn;
    int ready, identified, pings, responses, response_err;
    uint64_t rtt, cookie;
    uint8_t resp[64];
    size_t resp_len;
    int gossips;          /* RPCs received whole */
    size_t gossip_bytes;
    uint32_t gossip_sum;  /* of every byte received, position-weighted */
};

static void ev_ready(void *ud, struct nm_p2p_conn *c)
{
    (void)c;
    ((struct peer *)ud)->ready++;
}

static void ev_identify(void *ud, struct nm_p2p_conn *c)
{
    (void)c;
    ((struct peer *)ud)->identified++;
}

static void ev_ping(void *ud, struct nm_p2p_conn *c, uint64_t rtt)
{
    (void)c;
    struct peer *p = ud;
    p->pings++;
    p->rtt = rtt;
}

/* answers "ping?" with "pong!" and refuses anything else */
static int ev_request(void *ud, struct nm_p2p_conn *c, enum nm_p2p_rr rr, const uint8_t *req,
                      size_t len, uint8_t **resp, size_t *resp_len)
{
    (void)ud;
    (void)c;
    (void)rr;
    if (len != 5 || memcmp(req, "ping?", 5) != 0)
        return NM_E_UNSUPPORTED;
    *resp = malloc(5);
    memcpy(*resp, "pong!", 5);
    *resp_len = 5;
    return 0;
}

static void ev_response(void *ud, struct nm_p2p_conn *c, enum nm_p2p_rr rr, uint64_t cookie,
                        const uint8_t *resp, size_t len, int err)
{
    (void)c;
    (void)rr;
    struct peer *p = ud;
    p->responses++;
    p->cookie = cookie;
    p->response_err = err;
    p->resp_len = len < sizeof p->resp ? len : sizeof p->resp;
    if (resp)
        memcpy(p->resp, resp, p->resp_len);
}

static uint32_t bytes_sum(const uint8_t *d, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + d[i];
    return sum;
}

static void ev_gossip(void *ud, struct nm_p2p_conn *c, const uint8_t *rpc, size_t len)
{
    (void)c;
    struct peer *p = ud;
    p->gossips++;
    p->gossip_bytes += len;
    p->gossip_sum += bytes_sum(rpc, len);
}

static const struct nm_p2p_conn_events EV = {.on_ready = ev_ready,
                                             .on_gossip = ev_gossip,
                                             .on_identify = ev_identify,
                                             .on_ping = ev_ping,
                                             .on_request = ev_request,
                                             .on_response = ev_response};

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static struct peer *peer_new(const char *listen)
{
    struct peer *p = calloc(1, sizeof *p);
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    nm_noise_identity_init(&p->noise, &kp);
    nm_peer_id_from_pubkey(&kp.pub, &p->local.id);
    p->local.noise = &p->noise;
    assert_int_equal(nm_multiaddr_parse(listen, &p->listen), 0);
    p->local.listen = &p->listen;
    p->local.n_listen = 1;
    return p;
}

static void peer_free(struct peer *p)
{
    nm_p2p_conn_fini(&p->conn);
    free(p);
}

/* Moves a's output into b; returns b's status. */
static int move(struct peer *a, struct peer *b, uint64_t now)
{
    size_t len;
    const uint8_t *o = nm_p2p_conn_output(&a->conn, &len);
    if (!len)
        return 0;
    uint8_t *copy = malloc(len);
    memcpy(copy, o, len);
    nm_p2p_conn_output_clear(&a->conn);
    int rc = nm_p2p_conn_feed(&b->conn, copy, len, now);
    free(copy);
    return rc;
}

static void connect_pair(struct peer *d, struct peer *l, bool expect)
{
    struct nm_multiaddr seen_d, seen_l;
    nm_multiaddr_parse("/ip4/10.0.0.1/tcp/50000", &seen_d);
    nm_multiaddr_parse("/ip4/10.0.0.2/tcp/30333", &seen_l);
    assert_int_equal(nm_p2p_conn_init(&d->conn, &d->local, true, expect ? &l->local.id : NULL,
                                      &seen_l, &EV, d), 0);
    assert_int_equal(nm_p2p_conn_init(&l->conn, &l->local, false, NULL, &seen_d, &EV, l), 0);
}

static void test_two_nodes_upgrade_identify_and_ping(void **state)
{
    (void)state;
    struct peer *d = peer_new("/ip4/10.0.0.1/tcp/30333"), *l = peer_new("/ip4/10.0.0.2/tcp/30333");
    connect_pair(d, l, true);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(move(d, l, 1000), 0);
        assert_int_equal(move(l, d, 1000), 0);
    }
    assert_int_equal(d->ready, 1);
    assert_int_equal(l->ready, 1);
    assert_true(nm_peer_id_eq(&d->conn.remote, &l->local.id));
    assert_true(nm_peer_id_eq(&l->conn.remote, &d->local.id));
    assert_int_equal(d->identified, 1);
    assert_int_equal(l->identified, 1);
    assert_string_equal(d->conn.info.agent, NM_P2P_AGENT);
    assert_non_null(strstr(d->conn.info.protocols, "/ipfs/ping/1.0.0"));
    assert_int_equal(d->conn.info.n_listen, 1);
    /* the listener saw the dialer at 10.0.0.1:50000 and told it so */
    char text[NM_MULTIADDR_STRLEN];
    assert_true(d->conn.info.has_observed);
    assert_string_equal(nm_multiaddr_to_string(&d->conn.info.observed, text, sizeof text),
                        "/ip4/10.0.0.1/tcp/50000");
    /* ping: sent at t=2000 us, answered when delivered at t=2750 us */
    assert_int_equal(nm_p2p_conn_ping(&d->conn, 2000), 0);
    assert_int_equal(move(d, l, 2500), 0);
    assert_int_equal(move(l, d, 2750), 0);
    assert_int_equal(d->pings, 1);
    assert_int_equal(d->rtt, 750);
    /* again, on the same stream */
    assert_int_equal(nm_p2p_conn_ping(&d->conn, 3000), 0);
    assert_int_equal(move(d, l, 3000), 0);
    assert_int_equal(move(l, d, 3100), 0);
    assert_int_equal(d->pings, 2);
    assert_int_equal(d->rtt, 100);
    /* payload bytes by protocol: two 32-byte pings each way, identify */
    assert_true(d->conn.proto_out[1] >= 64 && l->conn.proto_in[1] >= 64);
    assert_string_equal(nm_p2p_proto_labels[1], "ping");
    assert_true(d->conn.proto_in[2] > 0 && l->conn.proto_out[2] > 0); /* identify */
    /* identify push: the listener learned a second address and tells */
    struct nm_multiaddr two[2] = {l->listen};
    assert_int_equal(nm_multiaddr_parse("/ip4/203.0.113.9/tcp/30333", &two[1]), 0);
    l->local.listen = two;
    l->local.n_listen = 2;
    assert_int_equal(nm_p2p_conn_identify_push(&l->conn), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(move(l, d, 4000), 0);
        assert_int_equal(move(d, l, 4000), 0);
    }
    assert_int_equal(d->identified, 2);
    assert_int_equal(d->conn.info.n_listen, 2);
    assert_string_equal(nm_multiaddr_to_string(&d->conn.info.listen[1], text, sizeof text),
                        "/ip4/203.0.113.9/tcp/30333");
    l->local.listen = &l->listen; /* two goes out of scope */
    l->local.n_listen = 1;
    peer_free(d);
    peer_free(l);
}

static void test_sync_request_gets_its_answer_or_a_refusal(void **state)
{
    (void)state;
    struct peer *d = peer_new("/ip4/10.0.0.1/tcp/1"), *l = peer_new("/ip4/10.0.0.2/tcp/1");
    connect_pair(d, l, true);
    for (int i = 0; i < 10; i++) {
        move(d, l, 0);
        move(l, d, 0);
    }
    const uint8_t *ping = (const uint8_t *)"ping?", *what = (const uint8_t *)"what?";
    assert_int_equal(nm_p2p_conn_request(&d->conn, NM_P2P_RR_SYNC, ping, 5, 77), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(move(d, l, 0), 0);
        assert_int_equal(move(l, d, 0), 0);
    }
    assert_int_equal(d->responses, 1);
    assert_int_equal(d->cookie, 77);
    assert_int_equal(d->response_err, 0);
    assert_int_equal(d->resp_len, 5);
    assert_memory_equal(d->resp, "pong!", 5);
    /* refused: the stream is reset and the requester hears an error */
    assert_int_equal(nm_p2p_conn_request(&d->conn, NM_P2P_RR_SYNC, what, 5, 78), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(move(d, l, 0), 0);
        assert_int_equal(move(l, d, 0), 0);
    }
    assert_int_equal(d->responses, 2);
    assert_int_equal(d->cookie, 78);
    assert_true(d->response_err < 0);
    /* the connection carries on */
    assert_int_equal(nm_p2p_conn_ping(&d->conn, 10), 0);
    static uint8_t big[NM_P2P_REQUEST_MAX + 1];
    assert_int_equal(nm_p2p_conn_request(&d->conn, NM_P2P_RR_SYNC, big, sizeof big, 79),
                     NM_E_INVAL);
    peer_free(d);
    peer_free(l);
}

static void test_gossip_larger_than_the_window_arrives_whole_or_is_counted(void **state)
{
    (void)state;
    struct peer *d = peer_new("/ip4/10.0.0.1/tcp/1"), *l = peer_new("/ip4/10.0.0.2/tcp/1");
    connect_pair(d, l, true);
    for (int i = 0; i < 10; i++) {
        move(d, l, 0);
        move(l, d, 0);
    }
    /* a proposal with its block: more than two yamux windows */
    enum { BIG = 600 * 1000 };
    uint8_t *big = malloc(BIG);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (uint8_t)(i * 7 + i / 1000);
    uint32_t sum = bytes_sum(big, BIG);
    /* the listener reads nothing yet: what does not fit its window waits,
     * up to NM_P2P_GOSSIP_PENDING_MAX; the next one is dropped and
     * counted, and the connection lives */
    int sent = 0;
    while (d->conn.gossip_dropped == 0) {
        assert_int_equal(nm_p2p_conn_gossip_send(&d->conn, big, BIG), 0);
        sent++;
        assert_true(sent < 10);
    }
    sent--;
    assert_true(sent >= 3); /* 2 MiB wait: three of them, beside the window */
    assert_int_equal(d->conn.error, 0);
    for (int i = 0; i < 64 && l->gossips < sent; i++) {
        assert_int_equal(move(d, l, 0), 0);
        assert_int_equal(move(l, d, 0), 0); /* window updates */
    }
    assert_int_equal(l->gossips, sent);
    assert_int_equal(l->gossip_bytes, (size_t)sent * BIG);
    assert_int_equal(l->gossip_sum, sum * (uint32_t)sent);
    assert_int_equal(d->conn.gossip_stream->pending_len, 0);
    /* and the window works on as before */
    assert_int_equal(nm_p2p_conn_gossip_send(&d->conn, big, 100), 0);
    assert_int_equal(move(d, l, 0), 0);
    assert_int_equal(l->gossips, sent + 1);
    free(big);
    peer_free(d);
    peer_free(l);
}

static void test_dialer_refuses_listener_with_other_identity(void **state)
{
    (void)state;
    struct peer *d = peer_new("/ip4/10.0.0.1/tcp/1"), *l = peer_new("/ip4/10.0.0.2/tcp/1");
    struct peer *other = peer_new("/ip4/10.0.0.3/tcp/1");
    assert_int_equal(
        nm_p2p_conn_init(&d->conn, &d->local, true, &other->local.id, NULL, &EV, d), 0);
    assert_int_equal(nm_p2p_conn_init(&l->conn, &l->local, false, NULL, NULL, &EV, l), 0);
    int rc = 0;
    for (int i = 0; i < 5 && !rc; i++) {
        rc = move(d, l, 0);
        if (!rc)
            rc = move(l, d, 0);
    }
    assert_int_equal(rc, NM_E_HANDSHAKE);
    assert_int_equal(d->ready, 0);
    peer_free(d);
    peer_free(l);
    peer_free(other);
}

static void test_garbage_at_each_stage_is_a_named_error(void **state)
{
    (void)state;
    uint8_t junk[300];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 13 + 1);
    /* before multistream: an HTTP request ('G' reads as a length of 71) */
    struct peer *l = peer_new("/ip4/10.0.0.2/tcp/1");
    nm_p2p_conn_init(&l->conn, &l->local, false, NULL, NULL, &EV, l);
    static const char http[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1:30333\r\n"
                               "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
    assert_int_equal(nm_p2p_conn_feed(&l->conn, (const uint8_t *)http, sizeof http - 1, 0),
                     NM_E_PROTOCOL);
    /* stays dead */
    assert_int_equal(nm_p2p_conn_feed(&l->conn, junk, 10, 0), NM_E_PROTOCOL);
    peer_free(l);
    /* after /noise was agreed: a handshake message of random bytes */
    l = peer_new("/ip4/10.0.0.2/tcp/1");
    nm_p2p_conn_init(&l->conn, &l->local, false, NULL, NULL, &EV, l);
    static const char sel[] = "\x13/multistream/1.0.0\n\x07/noise\n";
    assert_int_equal(nm_p2p_conn_feed(&l->conn, (const uint8_t *)sel, sizeof sel - 1, 0), 0);
    junk[0] = 0;
    junk[1] = 20; /* 20 bytes: shorter than an ephemeral key */
    assert_int_equal(nm_p2p_conn_feed(&l->conn, junk, 22, 0), NM_E_PROTOCOL);
    peer_free(l);
    /* after the handshake: a transport frame that does not authenticate */
    struct peer *d = peer_new("/ip4/10.0.0.1/tcp/1");
    l = peer_new("/ip4/10.0.0.2/tcp/1");
    connect_pair(d, l, false);
    for (int i = 0; i < 10; i++) {
        move(d, l, 0);
        move(l, d, 0);
    }
    assert_int_equal(l->ready, 1);
    junk[0] = 0;
    junk[1] = 100;
    assert_int_equal(nm_p2p_conn_feed(&l->conn, junk, 102, 0), NM_E_HANDSHAKE);
    peer_free(d);
    peer_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_nodes_upgrade_identify_and_ping),
        cmocka_unit_test(test_sync_request_gets_its_answer_or_a_refusal),
        cmocka_unit_test(test_gossip_larger_than_the_window_arrives_whole_or_is_counted),
        cmocka_unit_test(test_dialer_refuses_listener_with_other_identity),
        cmocka_unit_test(test_garbage_at_each_stage_is_a_named_error),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
