/* Tests of node/p2p/host.c's sending (issue 11, speed): two real hosts
 * on 127.0.0.1 (ports the system picks) in one libuv loop. The messages
 * a loop turn queues for a peer leave in one socket write at the end of
 * the turn (not one write each), all of them arrive, in order; and what a
 * connection queued still leaves when it is closed in the same turn. */
#include "node/crypto.h"
#include "node/errors.h"
#include "node/p2p/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define BURST 10

struct side {
    struct nm_p2p_host *host;
    struct nm_keypair key;
    int up;           /* peers whose handshake finished */
    size_t got;       /* gossip RPCs received */
    uint8_t last[64]; /* the last one */
    size_t last_len;
    int order_bad; /* an RPC arrived out of order */
};

struct fx {
    uv_loop_t loop;
    uv_timer_t timer, deadline;
    uv_check_t after;    /* runs once the turn that sent has ended */
    int64_t turn_writes; /* B's writes in that turn; -1 before */
    struct side a, b;
    bool timed_out;
    uint64_t writes_before;
};

static void on_up(void *ud, const struct nm_peer_id *id)
{
    (void)id;
    ((struct side *)ud)->up++;
}

static void on_gossip(void *ud, const struct nm_peer_id *from, const uint8_t *rpc, size_t len)
{
    (void)from;
    struct side *s = ud;
    /* each RPC of the burst is one byte: its index */
    if (len == 1 && s->got > 0 && s->last_len == 1 && rpc[0] != (uint8_t)(s->last[0] + 1))
        s->order_bad++;
    s->got++;
    s->last_len = len < sizeof s->last ? len : sizeof s->last;
    memcpy(s->last, rpc, s->last_len);
}

static void on_deadline(uv_timer_t *t)
{
    struct fx *f = t->data;
    f->timed_out = true;
    uv_stop(&f->loop);
}

/* Runs the loop until done(f) or 10 s. */
static void run_until(struct fx *f, bool (*done)(struct fx *))
{
    f->timed_out = false;
    uv_timer_start(&f->deadline, on_deadline, 10000, 0);
    while (!done(f) && !f->timed_out)
        uv_run(&f->loop, UV_RUN_ONCE);
    uv_timer_stop(&f->deadline);
    assert_false(f->timed_out);
}

static void start_side(struct fx *f, struct side *s, const struct nm_multiaddr *boot)
{
    nm_keypair_generate(&s->key);
    struct nm_p2p_config cfg = {
        .node_key = &s->key,
        .listen_ip = "127.0.0.1",
        .port = 0,
        .nat = NM_NAT_NONE,
        .bootnodes = boot,
        .n_bootnodes = boot ? 1 : 0,
        .on_peer_up = on_up,
        .on_gossip = on_gossip,
        .gossip_ud = s,
    };
    char msg[256];
    assert_int_equal(nm_p2p_host_start(&f->loop, &cfg, &s->host, msg, sizeof msg), 0);
}

static bool both_up(struct fx *f)
{
    return f->a.up == 1 && f->b.up == 1;
}

static bool a_got_one(struct fx *f)
{
    return f->a.got >= 1;
}

static bool a_got_two(struct fx *f)
{
    return f->a.got >= 2;
}

static bool a_got_burst(struct fx *f)
{
    return f->a.got >= 1 + BURST;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    uv_timer_init(&f->loop, &f->timer);
    uv_timer_init(&f->loop, &f->deadline);
    uv_check_init(&f->loop, &f->after);
    f->timer.data = f->deadline.data = f->after.data = f;
    start_side(f, &f->a, NULL);
    struct nm_multiaddr addr;
    assert_true(nm_p2p_host_listen_addrs(f->a.host, &addr, 1) == 1);
    start_side(f, &f->b, &addr);
    run_until(f, both_up);
    /* a first RPC opens the gossip stream (and its negotiation) */
    const uint8_t hello[] = "hello";
    assert_int_equal(
        nm_p2p_host_gossip_send(f->b.host, nm_p2p_host_peer_id(f->a.host), hello, sizeof hello),
        0);
    run_until(f, a_got_one);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nm_p2p_host_stop(f->a.host);
    nm_p2p_host_stop(f->b.host);
    uv_close((uv_handle_t *)&f->timer, NULL);
    uv_close((uv_handle_t *)&f->deadline, NULL);
    uv_close((uv_handle_t *)&f->after, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f);
    return 0;
}

static uint64_t writes_of(const struct side *s)
{
    struct nm_p2p_stats st;
    nm_p2p_host_stats(s->host, &st);
    return st.writes;
}

static void after_turn(uv_check_t *c)
{
    struct fx *f = c->data;
    f->turn_writes = (int64_t)(writes_of(&f->b) - f->writes_before);
    uv_check_stop(c);
}

/* BURST RPCs queued in one timer callback (one loop turn). */
static void send_burst(uv_timer_t *t)
{
    struct fx *f = t->data;
    for (uint8_t i = 0; i < BURST; i++)
        assert_int_equal(nm_p2p_host_gossip_send(f->b.host, nm_p2p_host_peer_id(f->a.host), &i, 1),
                         0);
    assert_int_equal(writes_of(&f->b), f->writes_before); /* the turn's end sends them */
    uv_check_start(&f->after, after_turn);
}

static void test_a_turn_to_one_peer_is_one_write(void **state)
{
    struct fx *f = *state;
    f->writes_before = writes_of(&f->b);
    f->turn_writes = -1;
    uv_timer_start(&f->timer, send_burst, 0, 0);
    run_until(f, a_got_burst);
    assert_int_equal(f->a.got, 1 + BURST);
    assert_int_equal(f->a.order_bad, 0);
    assert_int_equal(f->a.last[0], BURST - 1);
    /* one write for the ten in their turn (before: one per RPC) */
    assert_int_equal(f->turn_writes, 1);
}

/* An RPC queued, then the peer banned in the same turn. */
static void send_then_ban(uv_timer_t *t)
{
    struct fx *f = t->data;
    const uint8_t bye[] = "last words";
    assert_int_equal(
        nm_p2p_host_gossip_send(f->b.host, nm_p2p_host_peer_id(f->a.host), bye, sizeof bye), 0);
    nm_p2p_host_ban(f->b.host, nm_p2p_host_peer_id(f->a.host));
}

static void test_what_is_queued_leaves_before_a_close(void **state)
{
    struct fx *f = *state;
    uv_timer_start(&f->timer, send_then_ban, 0, 0);
    run_until(f, a_got_two);
    assert_int_equal(f->a.last_len, sizeof "last words");
    assert_memory_equal(f->a.last, "last words", sizeof "last words");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_turn_to_one_peer_is_one_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_what_is_queued_leaves_before_a_close, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
