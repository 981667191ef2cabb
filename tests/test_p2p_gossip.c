/* Unit tests for node/p2p/gossip: gossipsub routers exchanging RPCs
 * through an in-memory queue: meshes form on the heartbeat, a published
 * message reaches every subscriber once, also across a line of peers;
 * IHAVE gets an IWANT, IWANT gets the message; unsigned, forged or
 * malformed input is refused; a message held for a later verdict
 * (asynchronous validation) is forwarded or blamed only then; peer scores (v1.1): invalid messages score a
 * peer down, out of the mesh and onto the graylist until it decays, first
 * deliveries and mesh time score up, IP colocation, app scores and GRAFT
 * during backoff score down; an oversubscribed mesh is pruned with peer
 * exchange and PX is taken only from well-scored peers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/gossip.h"
#include "node/p2p/proto/rpc.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODES 4
#define TOPIC "/neuromesh/1.0.0/global/announcements"

struct pending {
    int from, to;
    uint8_t *rpc;
    size_t len;
};

static struct net {
    struct nm_gossip *g[NODES];
    struct nm_peer_id id[NODES];
    int delivered[NODES];
    char last[NODES][64];
    struct pending q[4096];
    size_t head, tail;
    int sender; /* whose send callback runs */
} net;

struct ctx {
    int me;
};
static struct ctx ctxs[NODES];
static struct nm_peer_id px_seen[32];
static int n_px;

static void on_px(void *ud, const struct nm_peer_id *id)
{
    (void)ud;
    if (n_px < 32)
        px_seen[n_px++] = *id;
}

static int index_of(const struct nm_peer_id *id)
{
    for (int i = 0; i < NODES; i++)
        if (nm_peer_id_eq(&net.id[i], id))
            return i;
    return -1;
}

/* Every RPC a router sends (forwards and IWANT answers are framed by
 * hand, gossip.c's publish_rpc) is what protobuf-c decodes and encodes
 * again byte for byte: libp2p peers read it as any PubsubRPC. */
static void check_canonical(const uint8_t *rpc, size_t len)
{
    Nm__P2p__PubsubRPC *r = nm__p2p__pubsub_rpc__unpack(NULL, len, rpc);
    assert_non_null(r);
    size_t n = nm__p2p__pubsub_rpc__get_packed_size(r);
    assert_int_equal(n, len);
    uint8_t *again = malloc(n ? n : 1);
    assert_non_null(again);
    nm__p2p__pubsub_rpc__pack(r, again);
    assert_memory_equal(again, rpc, len);
    free(again);
    nm__p2p__pubsub_rpc__free_unpacked(r, NULL);
}

static void on_send(void *ud, const struct nm_peer_id *to, const uint8_t *rpc, size_t len)
{
    struct ctx *c = ud;
    check_canonical(rpc, len);
    struct pending *p = &net.q[net.tail++ % 4096];
    p->from = c->me;
    p->to = index_of(to);
    p->rpc = malloc(len);
    memcpy(p->rpc, rpc, len);
    p->len = len;
}

/* "?..." messages are judged later: their tickets are kept here */
static uint64_t tickets[NODES];

static enum nm_gossip_verdict on_deliver(void *ud, const char *topic, const uint8_t *data,
                                         size_t len, const struct nm_peer_id *author,
                                         const struct nm_peer_id *via, uint64_t ticket)
{
    (void)topic;
    (void)author;
    (void)via;
    struct ctx *c = ud;
    net.delivered[c->me]++;
    snprintf(net.last[c->me], sizeof net.last[c->me], "%.*s", (int)len, (const char *)data);
    if (len && data[0] == '?') {
        tickets[c->me] = ticket;
        return NM_GOSSIP_PENDING;
    }
    return len && data[0] == '!' ? NM_GOSSIP_REJECT : NM_GOSSIP_ACCEPT;
}

static int pump(void)
{
    int errors = 0;
    while (net.head != net.tail) {
        struct pending p = net.q[net.head++ % 4096];
        if (p.to >= 0 && nm_gossip_receive(net.g[p.to], &net.id[p.from], p.rpc, p.len, 1000))
            errors++;
        free(p.rpc);
    }
    return errors;
}

static void setup_net(void)
{
    memset(&net, 0, sizeof net);
    n_px = 0;
    nm_crypto_init();
    for (int i = 0; i < NODES; i++) {
        struct nm_keypair kp;
        nm_keypair_generate(&kp);
        nm_peer_id_from_pubkey(&kp.pub, &net.id[i]);
        ctxs[i].me = i;
        struct nm_gossip_config cfg = {
            .key = &kp, .send = on_send, .deliver = on_deliver, .ud = &ctxs[i], .on_px = on_px};
        assert_int_equal(nm_gossip_new(&cfg, &net.g[i]), 0);
        assert_int_equal(nm_gossip_subscribe(net.g[i], TOPIC), 0);
    }
}

static void teardown_net(void)
{
    pump();
    for (int i = 0; i < NODES; i++)
        nm_gossip_free(net.g[i]);
}

static void link_nodes(int a, int b)
{
    nm_gossip_peer_add(net.g[a], &net.id[b]);
    nm_gossip_peer_add(net.g[b], &net.id[a]);
}

static void test_message_reaches_every_subscriber_once(void **state)
{
    (void)state;
    setup_net();
    for (int a = 0; a < NODES; a++)
        for (int b = a + 1; b < NODES; b++)
            link_nodes(a, b);
    assert_int_equal(pump(), 0);
    for (int i = 0; i < NODES; i++)
        nm_gossip_heartbeat(net.g[i], 1000);
    assert_int_equal(pump(), 0);
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), NODES - 1);
    assert_int_equal(nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"best 42", 7, 1000), 0);
    assert_int_equal(pump(), 0);
    for (int i = 1; i < NODES; i++) {
        assert_int_equal(net.delivered[i], 1);
        assert_string_equal(net.last[i], "best 42");
    }
    assert_int_equal(net.delivered[0], 0); /* our own is not delivered back */
    struct nm_gossip_stats st;
    nm_gossip_stats(net.g[1], &st);
    assert_true(st.duplicates >= 1); /* the mesh sent it twice; counted once */
    assert_int_equal(nm_gossip_publish(net.g[0], "/not/subscribed", (const uint8_t *)"x", 1, 0),
                     NM_E_INVAL);
    teardown_net();
}

/* The nodes in a line, 0 - 1 - 2 - 3, with their meshes formed. */
static void setup_line(void)
{
    setup_net();
    for (int i = 0; i + 1 < NODES; i++)
        link_nodes(i, i + 1);
    pump();
    for (int i = 0; i < NODES; i++)
        nm_gossip_heartbeat(net.g[i], 1000);
    pump();
}

static void test_message_crosses_a_line_of_peers(void **state)
{
    (void)state;
    setup_line();
    nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"block 7", 7, 1000);
    assert_int_equal(pump(), 0);
    assert_int_equal(net.delivered[3], 1);
    assert_string_equal(net.last[3], "block 7");
    /* a message the application rejects is not forwarded and blames the sender */
    nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"!bad", 4, 1000);
    assert_int_equal(pump(), 1);
    assert_int_equal(net.delivered[1], 2);
    assert_int_equal(net.delivered[2], 1);
    teardown_net();
}

/* Asynchronous validation: a message held for its verdict goes nowhere
 * until it comes; accepted, it goes on down the line; rejected, it stops
 * and counts against the peer that sent it; a ticket reported twice, or
 * unknown, changes nothing. */
static void test_pending_message_waits_for_its_verdict(void **state)
{
    (void)state;
    setup_line();
    nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"?tx 1", 5, 1000);
    assert_int_equal(pump(), 0);
    assert_int_equal(net.delivered[1], 1);
    assert_int_equal(net.delivered[2], 0); /* held at 1 */
    assert_int_equal(nm_gossip_pending(net.g[1]), 1);
    nm_gossip_report(net.g[1], tickets[1], NM_GOSSIP_ACCEPT, 1000);
    assert_int_equal(nm_gossip_pending(net.g[1]), 0);
    assert_int_equal(pump(), 0);
    assert_int_equal(net.delivered[2], 1); /* forwarded once accepted */
    assert_string_equal(net.last[2], "?tx 1");
    nm_gossip_report(net.g[2], tickets[2], NM_GOSSIP_ACCEPT, 1000);
    pump();
    assert_int_equal(net.delivered[3], 1);
    nm_gossip_report(net.g[1], tickets[1], NM_GOSSIP_REJECT, 1000); /* again: nothing */
    nm_gossip_report(net.g[1], 999999, NM_GOSSIP_ACCEPT, 1000);
    struct nm_gossip_stats st;
    nm_gossip_stats(net.g[1], &st);
    assert_int_equal(st.rejected, 0);
    /* rejected later: not forwarded, and the sender (0) scored down */
    double before = nm_gossip_peer_score(net.g[1], &net.id[0]);
    nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"?tx bad", 7, 1000);
    pump();
    assert_int_equal(net.delivered[1], 2);
    nm_gossip_report(net.g[1], tickets[1], NM_GOSSIP_REJECT, 1000);
    assert_int_equal(pump(), 0);
    assert_int_equal(net.delivered[2], 1);
    nm_gossip_stats(net.g[1], &st);
    assert_int_equal(st.rejected, 1);
    assert_true(nm_gossip_peer_score(net.g[1], &net.id[0]) < before);
    /* ignored later: not forwarded, no blame */
    nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"?tx old", 7, 1000);
    pump();
    nm_gossip_report(net.g[1], tickets[1], NM_GOSSIP_IGNORE, 1000);
    assert_int_equal(pump(), 0);
    assert_int_equal(net.delivered[2], 1);
    nm_gossip_stats(net.g[1], &st);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(nm_gossip_pending(net.g[1]), 0);
    teardown_net();
}

/* Captures what router 0 sends, decodes the last RPC. */
static Nm__P2p__PubsubRPC *last_sent(void)
{
    if (net.head == net.tail)
        return NULL;
    struct pending *p = &net.q[(net.tail - 1) % 4096];
    return nm__p2p__pubsub_rpc__unpack(NULL, p->len, p->rpc);
}

static void test_ihave_gets_iwant_and_iwant_gets_the_message(void **state)
{
    (void)state;
    setup_net();
    link_nodes(0, 1);
    pump();
    /* 1 tells 0 it has a message 0 never saw */
    uint8_t id[46] = {1, 2, 3};
    ProtobufCBinaryData ids[1] = {{sizeof id, id}};
    Nm__P2p__ControlIHave ih = NM__P2P__CONTROL_IHAVE__INIT, *ihp = &ih;
    ih.topicid = TOPIC;
    ih.n_messageids = 1;
    ih.messageids = ids;
    Nm__P2p__ControlMessage ctl = NM__P2P__CONTROL_MESSAGE__INIT;
    ctl.n_ihave = 1;
    ctl.ihave = &ihp;
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.control = &ctl;
    uint8_t buf[512];
    size_t n = nm__p2p__pubsub_rpc__pack(&rpc, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], buf, n, 1000), 0);
    Nm__P2p__PubsubRPC *out = last_sent();
    assert_non_null(out);
    assert_non_null(out->control);
    assert_int_equal(out->control->n_iwant, 1);
    assert_memory_equal(out->control->iwant[0]->messageids[0].data, id, sizeof id);
    nm__p2p__pubsub_rpc__free_unpacked(out, NULL);
    /* 0 publishes (no mesh yet: flooded to 1); 1 then asks for it by id */
    nm_gossip_publish(net.g[0], TOPIC, (const uint8_t *)"hello", 5, 1000);
    out = last_sent();
    assert_int_equal(out->n_publish, 1);
    uint8_t mid[64];
    size_t mlen = out->publish[0]->from.len + out->publish[0]->seqno.len;
    memcpy(mid, out->publish[0]->from.data, out->publish[0]->from.len);
    memcpy(mid + out->publish[0]->from.len, out->publish[0]->seqno.data,
           out->publish[0]->seqno.len);
    nm__p2p__pubsub_rpc__free_unpacked(out, NULL);
    ProtobufCBinaryData want[1] = {{mlen, mid}};
    Nm__P2p__ControlIWant iw = NM__P2P__CONTROL_IWANT__INIT, *iwp = &iw;
    iw.n_messageids = 1;
    iw.messageids = want;
    Nm__P2p__ControlMessage ctl2 = NM__P2P__CONTROL_MESSAGE__INIT;
    ctl2.n_iwant = 1;
    ctl2.iwant = &iwp;
    Nm__P2p__PubsubRPC rpc2 = NM__P2P__PUBSUB_RPC__INIT;
    rpc2.control = &ctl2;
    n = nm__p2p__pubsub_rpc__pack(&rpc2, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], buf, n, 1000), 0);
    out = last_sent();
    assert_int_equal(out->n_publish, 1);
    assert_int_equal(out->publish[0]->data.len, 5);
    nm__p2p__pubsub_rpc__free_unpacked(out, NULL);
    teardown_net();
}

/* The last RPC queued (to the only peer), copied. */
static uint8_t *last_rpc_copy(size_t *len)
{
    struct pending *p = &net.q[(net.tail - 1) % 4096];
    uint8_t *copy = malloc(p->len);
    memcpy(copy, p->rpc, p->len);
    *len = p->len;
    return copy;
}

/* The seen cache is a ring of NM_GOSSIP_SEEN ids with a hash index: once
 * the ring has come round, the oldest id is forgotten (its message counts
 * as new again) and the newest are still known (a copy is a duplicate). */
static void test_the_seen_cache_forgets_the_oldest_ids_once_its_ring_wraps(void **state)
{
    (void)state;
    setup_net();
    link_nodes(0, 1);
    pump();
    size_t first_len, last_len;
    uint8_t *first = NULL, *last = NULL;
    char text[32];
    for (int i = 0; i < NM_GOSSIP_SEEN + 100; i++) {
        int n = snprintf(text, sizeof text, "m%d", i);
        assert_int_equal(nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)text, (size_t)n,
                                           1000), 0);
        if (i == 0)
            first = last_rpc_copy(&first_len);
        if (i == NM_GOSSIP_SEEN + 99)
            last = last_rpc_copy(&last_len);
        assert_int_equal(pump(), 0);
    }
    assert_int_equal(net.delivered[0], NM_GOSSIP_SEEN + 100);
    struct nm_gossip_stats st;
    nm_gossip_stats(net.g[0], &st);
    uint64_t dups = st.duplicates;
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], last, last_len, 1000), 0);
    nm_gossip_stats(net.g[0], &st);
    assert_int_equal(st.duplicates, dups + 1);
    assert_int_equal(net.delivered[0], NM_GOSSIP_SEEN + 100);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], first, first_len, 1000), 0);
    assert_int_equal(net.delivered[0], NM_GOSSIP_SEEN + 101);
    assert_string_equal(net.last[0], "m0");
    free(first);
    free(last);
    teardown_net();
}

static void test_forged_unsigned_and_malformed_input_is_refused(void **state)
{
    (void)state;
    setup_net();
    link_nodes(0, 1);
    pump();
    nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"signed", 6, 1000);
    struct pending *p = &net.q[(net.tail - 1) % 4096];
    Nm__P2p__PubsubRPC *r = nm__p2p__pubsub_rpc__unpack(NULL, p->len, p->rpc);
    assert_non_null(r);
    pump();
    assert_int_equal(net.delivered[0], 1);
    /* the same message with other data: the signature no longer covers it */
    uint8_t other[6] = "forged", *original = r->publish[0]->data.data;
    r->publish[0]->data.data = other;
    uint8_t buf[1024];
    /* under an id already seen it is a copy: dropped before any signature
     * check, neither delivered nor blamed (only a first copy that verified
     * is remembered) */
    struct nm_gossip_stats st;
    nm_gossip_stats(net.g[0], &st);
    uint64_t dups = st.duplicates, rejected = st.rejected;
    size_t n = nm__p2p__pubsub_rpc__pack(r, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], buf, n, 1000), 0);
    nm_gossip_stats(net.g[0], &st);
    assert_int_equal(st.duplicates, dups + 1);
    assert_int_equal(st.rejected, rejected);
    assert_int_equal(net.delivered[0], 1);
    r->publish[0]->seqno.data[7] ^= 1; /* a new id, so not a duplicate */
    n = nm__p2p__pubsub_rpc__pack(r, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], buf, n, 1000), NM_E_BAD_SIGNATURE);
    /* unsigned */
    r->publish[0]->has_signature = 0;
    n = nm__p2p__pubsub_rpc__pack(r, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], buf, n, 1000), NM_E_BAD_SIGNATURE);
    assert_int_equal(net.delivered[0], 1);
    r->publish[0]->data.data = original; /* freed with the message */
    nm__p2p__pubsub_rpc__free_unpacked(r, NULL);
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x0f};
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], junk, sizeof junk, 1000),
                     NM_E_PROTOCOL);
    /* over the per-RPC subscription cap */
    Nm__P2p__PubsubRPC big = NM__P2P__PUBSUB_RPC__INIT;
    Nm__P2p__PubsubRPC__SubOpts subs[65], *sp[65];
    for (int i = 0; i < 65; i++) {
        nm__p2p__pubsub_rpc__sub_opts__init(&subs[i]);
        subs[i].topicid = "t";
        sp[i] = &subs[i];
    }
    big.n_subscriptions = 65;
    big.subscriptions = sp;
    n = nm__p2p__pubsub_rpc__pack(&big, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[1], buf, n, 1000), NM_E_PROTOCOL);
    teardown_net();
}


/* Packs an RPC holding only control ctl into buf; returns its length. */
static size_t pack_control(Nm__P2p__ControlMessage *ctl, uint8_t *buf)
{
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.control = ctl;
    return nm__p2p__pubsub_rpc__pack(&rpc, buf);
}

/* Forms a mesh between 0 and 1 at time now. */
static void mesh_pair(uint64_t now)
{
    link_nodes(0, 1);
    pump();
    nm_gossip_heartbeat(net.g[0], now);
    nm_gossip_heartbeat(net.g[1], now);
    pump();
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), 1);
}

static void test_invalid_messages_score_down_then_graylist_until_decay(void **state)
{
    (void)state;
    setup_net();
    mesh_pair(1000);
    nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"ok", 2, 1000);
    pump();
    double good = nm_gossip_peer_score(net.g[0], &net.id[1]);
    assert_true(good >= 1.0); /* P2: a first delivery */
    nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"!bad", 4, 1000);
    assert_int_equal(pump(), 1);
    double one = nm_gossip_peer_score(net.g[0], &net.id[1]);
    assert_true(one < 0 && one > -20); /* P4: -10 x 1^2, plus the delivery */
    nm_gossip_heartbeat(net.g[0], 1000);
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), 0); /* negative: pruned */
    pump();
    nm_gossip_heartbeat(net.g[0], 1000);
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), 0); /* and not grafted again */
    for (int i = 0; i < 2; i++) {
        nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"!bad", 4, 1000);
        pump();
    }
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[1]) < -80); /* 3 invalid: -90 */
    int before = net.delivered[0];
    nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"valid", 5, 1000);
    assert_int_equal(pump(), 0); /* graylisted: ignored, not even an error */
    assert_int_equal(net.delivered[0], before);
    struct nm_gossip_stats st;
    nm_gossip_stats(net.g[0], &st);
    assert_true(st.graylisted >= 1);
    /* the counters decay (0.99 a second): ten minutes later it is forgiven */
    nm_gossip_heartbeat(net.g[0], 2000);
    nm_gossip_heartbeat(net.g[0], 602000);
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[1]) > -1);
    nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"again", 5, 602000);
    pump();
    assert_int_equal(net.delivered[0], before + 1);
    teardown_net();
}

static void test_time_in_mesh_scores_up_and_a_reconnect_keeps_the_score(void **state)
{
    (void)state;
    setup_net();
    mesh_pair(1000);
    nm_gossip_heartbeat(net.g[0], 1000);
    double start = nm_gossip_peer_score(net.g[0], &net.id[1]);
    nm_gossip_heartbeat(net.g[0], 101000); /* 100 s in the mesh: P1 = 0.01 x 100 */
    double later = nm_gossip_peer_score(net.g[0], &net.id[1]);
    assert_true(later - start > 0.9 && later - start < 1.1);
    /* a bad peer that reconnects finds its score again (retained 60 s) */
    nm_gossip_publish(net.g[1], TOPIC, (const uint8_t *)"!bad", 4, 101000);
    pump();
    nm_gossip_peer_remove(net.g[0], &net.id[1]);
    nm_gossip_peer_add(net.g[0], &net.id[1]);
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[1]) < -5);
    teardown_net();
}

static void test_ip_colocation_app_score_and_graft_in_backoff_score_down(void **state)
{
    (void)state;
    setup_net();
    for (int i = 1; i < NODES; i++)
        link_nodes(0, i);
    pump();
    nm_gossip_peer_set_ip(net.g[0], &net.id[1], "127.0.0.1");
    nm_gossip_peer_set_ip(net.g[0], &net.id[2], "127.0.0.1");
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[1]) == 0); /* loopback: no P6 */
    for (int i = 1; i < NODES; i++)
        nm_gossip_peer_set_ip(net.g[0], &net.id[i], "10.0.0.7");
    /* three on one IP, threshold 1: -10 x (3 - 1)^2 */
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[2]) == -40);
    nm_gossip_peer_set_ip(net.g[0], &net.id[3], "10.0.0.8");
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[2]) == -10);
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[3]) == 0);
    nm_gossip_peer_set_app_score(net.g[0], &net.id[3], 7.5); /* P5 */
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[3]) == 7.5);
    /* 3 prunes 0, then grafts twice during the backoff: P7 */
    Nm__P2p__ControlPrune pr = NM__P2P__CONTROL_PRUNE__INIT, *prp = &pr;
    pr.topicid = TOPIC;
    Nm__P2p__ControlGraft gr = NM__P2P__CONTROL_GRAFT__INIT, *grp = &gr;
    gr.topicid = TOPIC;
    Nm__P2p__ControlMessage ctl = NM__P2P__CONTROL_MESSAGE__INIT;
    ctl.n_prune = 1;
    ctl.prune = &prp;
    uint8_t buf[256];
    size_t n = pack_control(&ctl, buf);
    assert_int_equal(nm_gossip_receive(net.g[0], &net.id[3], buf, n, 1000), 0);
    ctl.n_prune = 0;
    ctl.n_graft = 1;
    ctl.graft = &grp;
    n = pack_control(&ctl, buf);
    for (int i = 0; i < 3; i++)
        assert_int_equal(nm_gossip_receive(net.g[0], &net.id[3], buf, n, 2000), 0);
    /* 3 penalties, threshold 1: -10 x 2^2 */
    assert_true(nm_gossip_peer_score(net.g[0], &net.id[3]) == 7.5 - 40);
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), 0);
    teardown_net();
}

static void test_oversubscribed_mesh_prunes_with_px_and_px_needs_trust(void **state)
{
    (void)state;
    setup_net();
    /* 14 made-up peers subscribe and graft at router 0 (D_hi is 12) */
    enum { MANY = 14 };
    struct nm_peer_id ids[MANY];
    Nm__P2p__PubsubRPC__SubOpts sub = NM__P2P__PUBSUB_RPC__SUB_OPTS__INIT, *subp = &sub;
    sub.has_subscribe = 1;
    sub.subscribe = 1;
    sub.topicid = TOPIC;
    Nm__P2p__ControlGraft gr = NM__P2P__CONTROL_GRAFT__INIT, *grp = &gr;
    gr.topicid = TOPIC;
    Nm__P2p__ControlMessage ctl = NM__P2P__CONTROL_MESSAGE__INIT;
    ctl.n_graft = 1;
    ctl.graft = &grp;
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.n_subscriptions = 1;
    rpc.subscriptions = &subp;
    rpc.control = &ctl;
    uint8_t buf[256];
    size_t n = nm__p2p__pubsub_rpc__pack(&rpc, buf);
    for (int i = 0; i < MANY; i++) {
        struct nm_keypair kp;
        nm_keypair_generate(&kp);
        nm_peer_id_from_pubkey(&kp.pub, &ids[i]);
        assert_int_equal(nm_gossip_peer_add(net.g[0], &ids[i]), 0);
        assert_int_equal(nm_gossip_receive(net.g[0], &ids[i], buf, n, 1000), 0);
    }
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), MANY);
    size_t mark = net.tail;
    nm_gossip_heartbeat(net.g[0], 1000);
    assert_int_equal(nm_gossip_mesh_size(net.g[0], TOPIC), NM_GOSSIP_D);
    int prunes = 0;
    for (size_t i = mark; i != net.tail; i++) {
        struct pending *p = &net.q[i % 4096];
        Nm__P2p__PubsubRPC *r = nm__p2p__pubsub_rpc__unpack(NULL, p->len, p->rpc);
        assert_non_null(r);
        if (r->control && r->control->n_prune == 1) {
            prunes++;
            assert_true(r->control->prune[0]->backoff == 60);
            assert_true(r->control->prune[0]->n_peers >= 10); /* the others, by id */
        }
        nm__p2p__pubsub_rpc__free_unpacked(r, NULL);
    }
    assert_int_equal(prunes, MANY - NM_GOSSIP_D);
    /* PX received: ignored from a peer below acceptPXThreshold (5), taken
     * from one above */
    link_nodes(1, 2);
    pump();
    uint8_t third[NM_PEER_ID_BYTES_LEN];
    nm_peer_id_to_bytes(&net.id[3], third);
    Nm__P2p__PeerInfo pi = NM__P2P__PEER_INFO__INIT, *pip = &pi;
    pi.has_peerid = 1;
    pi.peerid = (ProtobufCBinaryData){sizeof third, third};
    Nm__P2p__ControlPrune pr = NM__P2P__CONTROL_PRUNE__INIT, *prp = &pr;
    pr.topicid = TOPIC;
    pr.n_peers = 1;
    pr.peers = &pip;
    Nm__P2p__ControlMessage ctl2 = NM__P2P__CONTROL_MESSAGE__INIT;
    ctl2.n_prune = 1;
    ctl2.prune = &prp;
    n = pack_control(&ctl2, buf);
    assert_int_equal(nm_gossip_receive(net.g[1], &net.id[2], buf, n, 1000), 0);
    assert_int_equal(n_px, 0);
    nm_gossip_peer_set_app_score(net.g[1], &net.id[2], 10);
    assert_int_equal(nm_gossip_receive(net.g[1], &net.id[2], buf, n, 1000), 0);
    assert_int_equal(n_px, 1);
    assert_true(nm_peer_id_eq(&px_seen[0], &net.id[3]));
    teardown_net();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_reaches_every_subscriber_once),
        cmocka_unit_test(test_message_crosses_a_line_of_peers),
        cmocka_unit_test(test_pending_message_waits_for_its_verdict),
        cmocka_unit_test(test_ihave_gets_iwant_and_iwant_gets_the_message),
        cmocka_unit_test(test_the_seen_cache_forgets_the_oldest_ids_once_its_ring_wraps),
        cmocka_unit_test(test_forged_unsigned_and_malformed_input_is_refused),
        cmocka_unit_test(test_invalid_messages_score_down_then_graylist_until_decay),
        cmocka_unit_test(test_time_in_mesh_scores_up_and_a_reconnect_keeps_the_score),
        cmocka_unit_test(test_ip_colocation_app_score_and_graft_in_backoff_score_down),
        cmocka_unit_test(test_oversubscribed_mesh_prunes_with_px_and_px_needs_trust),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
