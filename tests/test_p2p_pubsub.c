/* Tests of node/p2p/pubsub.c's extrinsics topic: an extrinsic (or a batch
 * of them, ext_batch.h) gossiped by
 * a peer goes through admission (node/admission.c), so its signature is
 * checked once, on a worker thread, never on the node thread (here: the
 * test's thread, which runs the loop); a good one enters the pool and is
 * forwarded only then, a forged one is refused, counted and blamed on the
 * peer, a duplicate is ignored at once. The peer is a second gossipsub
 * router whose RPCs are handed to the pubsub as the host would. */
#include "tests/support/chain_fixture.h"

#include "node/admission.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/p2p/ext_batch.h"
#include "node/p2p/gossip.h"
#include "node/p2p/proto/rpc.pb-c.h"
#include "node/p2p/pubsub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct fx {
    uv_loop_t loop;
    struct nm_chain *chain;
    struct nm_admission *adm;
    struct nm_pubsub *ps;
    struct nm_p2p_config host; /* the callbacks the host would call */
    struct nm_gossip *peer;    /* the remote router */
    struct nm_peer_id peer_id, our_id;
    char topic[NM_GOSSIP_TOPIC_MAX + 1];
    uint8_t *rpc[8]; /* what the peer sends us */
    size_t rpc_len[8], n_rpc;
};

static void peer_send(void *ud, const struct nm_peer_id *to, const uint8_t *rpc, size_t len)
{
    struct fx *f = ud;
    (void)to;
    if (f->n_rpc == 8)
        return;
    f->rpc[f->n_rpc] = malloc(len);
    memcpy(f->rpc[f->n_rpc], rpc, len);
    f->rpc_len[f->n_rpc++] = len;
}

static enum nm_gossip_verdict peer_deliver(void *ud, const char *topic, const uint8_t *data,
                                           size_t len, const struct nm_peer_id *author,
                                           const struct nm_peer_id *via, uint64_t ticket)
{
    (void)ud, (void)topic, (void)data, (void)len, (void)author, (void)via, (void)ticket;
    return NM_GOSSIP_ACCEPT;
}

/* Hands the peer's RPCs to the pubsub, as the host does. */
static void deliver_rpcs(struct fx *f)
{
    for (size_t i = 0; i < f->n_rpc; i++) {
        f->host.on_gossip(f->host.gossip_ud, &f->peer_id, f->rpc[i], f->rpc_len[i]);
        free(f->rpc[i]);
    }
    f->n_rpc = 0;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->chain = chx_dev();
    assert_int_equal(nm_admission_new(&f->loop, f->chain, &f->adm), 0);
    struct nm_keypair ours = chx_key("charlie"), theirs = chx_key("dave");
    struct nm_pubsub_config pc = {.chain = f->chain, .node_key = &ours, .admission = f->adm};
    assert_int_equal(nm_pubsub_new(&pc, &f->ps), 0);
    nm_pubsub_host_config(f->ps, &f->host);
    struct nm_gossip_config gc = {.key = &theirs, .send = peer_send, .deliver = peer_deliver,
                                  .ud = f};
    assert_int_equal(nm_gossip_new(&gc, &f->peer), 0);
    nm_peer_id_from_pubkey(&theirs.pub, &f->peer_id);
    nm_peer_id_from_pubkey(&ours.pub, &f->our_id);
    char genesis[NM_HASH_HEXLEN];
    snprintf(f->topic, sizeof f->topic, "/neuromesh/%s/extrinsics",
             nm_hash_hex(&f->chain->genesis, genesis));
    assert_int_equal(nm_gossip_subscribe(f->peer, f->topic), 0);
    /* connected both ways; with no host, our subscription is told to the
     * peer here */
    f->host.on_peer_up(f->host.gossip_ud, &f->peer_id);
    assert_int_equal(nm_gossip_peer_add(f->peer, &f->our_id), 0);
    deliver_rpcs(f);
    Nm__P2p__PubsubRPC__SubOpts sub = NM__P2P__PUBSUB_RPC__SUB_OPTS__INIT, *subs = &sub;
    sub.has_subscribe = 1;
    sub.subscribe = 1;
    sub.topicid = f->topic;
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.n_subscriptions = 1;
    rpc.subscriptions = &subs;
    uint8_t buf[512];
    size_t n = nm__p2p__pubsub_rpc__pack(&rpc, buf);
    assert_int_equal(nm_gossip_receive(f->peer, &f->our_id, buf, n, nm_now_ms()), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    uv_run(&f->loop, UV_RUN_DEFAULT); /* the workers' batches come back */
    nm_pubsub_free(f->ps);
    nm_gossip_free(f->peer);
    nm_admission_delete(f->adm);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    nm_chain_close(f->chain);
    for (size_t i = 0; i < f->n_rpc; i++)
        free(f->rpc[i]);
    free(f);
    return 0;
}

static void gossip(struct fx *f, const struct blob *x)
{
    assert_int_equal(nm_gossip_publish(f->peer, f->topic, x->data, x->len, nm_now_ms()), 0);
    deliver_rpcs(f);
}

static uint64_t count(struct fx *f, enum nm_pubsub_outcome o)
{
    return nm_pubsub_count(f->ps, NM_PUBSUB_EXTRINSICS, o);
}

static void test_gossiped_extrinsics_are_checked_by_admission_off_this_thread(void **state)
{
    struct fx *f = *state;
    unsigned long here = nm_extrinsic_verifications_here(), all = nm_extrinsic_verifications();
    struct blob good = chx_transfer_ext(f->chain, "alice", 0, "bob", NMT);
    struct blob bad = chx_transfer_ext(f->chain, "bob", 0, "alice", NMT);
    bad.data[bad.len - 1] ^= 1; /* the signature no longer matches */
    gossip(f, &good);
    gossip(f, &bad);
    /* both wait for a worker: nothing judged yet, nothing in the pool */
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 2);
    assert_int_equal(f->chain->pool.count, 0);
    assert_int_equal(count(f, NM_PUBSUB_ACCEPTED) + count(f, NM_PUBSUB_REJECTED), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 0);
    assert_int_equal(f->chain->pool.count, 1); /* the good one */
    nm_hash h;
    nm_extrinsic_hash(good.data, good.len, &h);
    assert_non_null(nm_mempool_find(&f->chain->pool, &h));
    assert_int_equal(count(f, NM_PUBSUB_ACCEPTED), 1);
    assert_int_equal(count(f, NM_PUBSUB_REJECTED), 1);
    /* each signature checked once, and not on this (the node's) thread */
    assert_int_equal(nm_extrinsic_verifications() - all, 2);
    assert_int_equal(nm_extrinsic_verifications_here() - here, 0);
    /* the forged one counts against the peer that sent it */
    assert_true(nm_pubsub_peer_score(f->ps, &f->peer_id) < 0);
    /* the good one again: a duplicate of a pooled one, ignored at once */
    uint64_t ignored = count(f, NM_PUBSUB_IGNORED);
    gossip(f, &good); /* a new gossip message (new seqno), the same extrinsic */
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 0);
    assert_int_equal(count(f, NM_PUBSUB_IGNORED), ignored + 1);
    assert_int_equal(nm_extrinsic_verifications() - all, 2);
    free(good.data);
    free(bad.data);
}

/* Several extrinsics in one message (ext_batch.h): each goes through
 * admission (off this thread), the message is judged once all are
 * answered: forwarded if one entered the pool, blamed if one is forged. */
static void gossip_batch(struct fx *f, const struct blob *xs, size_t n)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_ext_batch_begin(&w);
    for (size_t i = 0; i < n; i++)
        nm_ext_batch_add(&w, xs[i].data, xs[i].len);
    struct blob b = {.data = w.data, .len = w.len};
    gossip(f, &b);
    nm_writer_fini(&w);
}

static void test_a_gossiped_batch_is_admitted_extrinsic_by_extrinsic_and_judged_once(void **state)
{
    struct fx *f = *state;
    unsigned long here = nm_extrinsic_verifications_here(), all = nm_extrinsic_verifications();
    struct blob good[3] = {chx_transfer_ext(f->chain, "alice", 0, "bob", NMT),
                           chx_transfer_ext(f->chain, "alice", 1, "bob", NMT),
                           chx_transfer_ext(f->chain, "bob", 0, "alice", NMT)};
    gossip_batch(f, good, 3);
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 3);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 0);
    assert_int_equal(f->chain->pool.count, 3);
    assert_int_equal(count(f, NM_PUBSUB_ACCEPTED), 1); /* one message */
    assert_int_equal(nm_extrinsic_verifications() - all, 3);
    assert_int_equal(nm_extrinsic_verifications_here() - here, 0);
    /* a good one beside a forged one: the good one is pooled, the message
     * is refused and counts against the peer */
    struct blob mixed[2] = {chx_transfer_ext(f->chain, "charlie", 0, "bob", NMT),
                            chx_transfer_ext(f->chain, "dave", 0, "bob", NMT)};
    mixed[1].data[mixed[1].len - 1] ^= 1;
    gossip_batch(f, mixed, 2);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->chain->pool.count, 4);
    assert_int_equal(count(f, NM_PUBSUB_REJECTED), 1);
    assert_true(nm_pubsub_peer_score(f->ps, &f->peer_id) < 0);
    /* only duplicates: ignored at once, nothing checked */
    uint64_t ignored = count(f, NM_PUBSUB_IGNORED);
    all = nm_extrinsic_verifications();
    gossip_batch(f, good, 3);
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 0);
    assert_int_equal(count(f, NM_PUBSUB_IGNORED), ignored + 1);
    assert_int_equal(nm_extrinsic_verifications() - all, 0);
    /* a malformed batch is refused before admission sees any of it */
    uint64_t rejected = count(f, NM_PUBSUB_REJECTED);
    uint8_t cut[] = {NM_EXT_BATCH_TAG, 9, 1};
    struct blob bad = {.data = cut, .len = sizeof cut};
    gossip(f, &bad);
    assert_int_equal(count(f, NM_PUBSUB_REJECTED), rejected + 1);
    assert_int_equal(nm_pubsub_extrinsics_pending(f->ps), 0);
    for (int i = 0; i < 3; i++)
        free(good[i].data);
    free(mixed[0].data);
    free(mixed[1].data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_gossiped_extrinsics_are_checked_by_admission_off_this_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_gossiped_batch_is_admitted_extrinsic_by_extrinsic_and_judged_once, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
