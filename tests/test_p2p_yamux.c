/* Unit tests for node/p2p/yamux: two sessions in memory opening streams,
 * moving data both ways with flow control, closing, resetting, ping, and
 * refusing hostile frames (window overrun, wrong id parity, stream floods,
 * bad versions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/yamux.h"

#include <stdlib.h>
#include <string.h>

struct side {
    struct nm_yamux y;
    uint8_t got[1 << 20];
    size_t got_len;
    int opened, freed, resets, fins, pongs, go_aways;
    uint32_t last_pong;
    struct nm_yamux_stream *last;
    bool auto_consume;
};

static void on_stream(void *ud, struct nm_yamux_stream *s)
{
    struct side *sd = ud;
    sd->opened++;
    sd->last = s;
}

static void on_data(void *ud, struct nm_yamux_stream *s, const uint8_t *d, size_t n)
{
    struct side *sd = ud;
    assert_true(sd->got_len + n <= sizeof sd->got);
    memcpy(sd->got + sd->got_len, d, n);
    sd->got_len += n;
    if (sd->auto_consume)
        nm_yamux_consume(&sd->y, s, n);
}

static void on_fin(void *ud, struct nm_yamux_stream *s)
{
    (void)s;
    ((struct side *)ud)->fins++;
}

static void on_free(void *ud, struct nm_yamux_stream *s, bool reset)
{
    struct side *sd = ud;
    sd->freed++;
    sd->resets += reset;
    if (sd->last == s)
        sd->last = NULL;
}

static void on_pong(void *ud, uint32_t opaque)
{
    struct side *sd = ud;
    sd->pongs++;
    sd->last_pong = opaque;
}

static void on_go_away(void *ud, uint32_t code)
{
    (void)code;
    ((struct side *)ud)->go_aways++;
}

static const struct nm_yamux_callbacks CB = {on_stream, on_data, on_fin, on_free, on_pong,
                                             on_go_away};

static struct side *side_new(bool client)
{
    struct side *s = calloc(1, sizeof *s);
    nm_yamux_init(&s->y, client, &CB, s);
    s->auto_consume = true;
    return s;
}

/* Moves everything a queued into b (in small pieces); returns b's status. */
static int flow(struct side *a, struct side *b)
{
    size_t len;
    const uint8_t *out = nm_yamux_output(&a->y, &len);
    uint8_t *copy = malloc(len + 1);
    if (len)
        memcpy(copy, out, len);
    nm_yamux_output_clear(&a->y, len);
    int rc = 0;
    for (size_t off = 0; off < len && !rc; off += 7)
        rc = nm_yamux_feed(&b->y, copy + off, len - off < 7 ? len - off : 7);
    free(copy);
    return rc;
}

static void test_stream_carries_data_both_ways_and_closes(void **state)
{
    (void)state;
    struct side *c = side_new(true), *s = side_new(false);
    int err;
    struct nm_yamux_stream *cs = nm_yamux_open(&c->y, NULL, &err);
    assert_non_null(cs);
    assert_int_equal(cs->id, 1);
    assert_int_equal(nm_yamux_write(&c->y, cs, (const uint8_t *)"hello", 5), 5);
    assert_int_equal(flow(c, s), 0);
    assert_int_equal(s->opened, 1);
    assert_int_equal(s->got_len, 5);
    assert_memory_equal(s->got, "hello", 5);
    assert_int_equal(nm_yamux_write(&s->y, s->last, (const uint8_t *)"world!", 6), 6);
    assert_int_equal(nm_yamux_close(&s->y, s->last), 0);
    assert_int_equal(flow(s, c), 0);
    assert_true(cs->acked);
    assert_int_equal(c->got_len, 6);
    assert_int_equal(c->fins, 1);
    assert_int_equal(nm_yamux_close(&c->y, cs), 0); /* both closed: freed */
    assert_int_equal(c->freed, 1);
    assert_int_equal(flow(c, s), 0);
    assert_int_equal(s->freed, 1);
    assert_int_equal(s->resets + c->resets, 0);
    nm_yamux_fini(&c->y);
    nm_yamux_fini(&s->y);
    free(c);
    free(s);
}

static void test_flow_control_holds_the_writer_until_the_reader_consumes(void **state)
{
    (void)state;
    struct side *c = side_new(true), *s = side_new(false);
    s->auto_consume = false;
    int err;
    struct nm_yamux_stream *cs = nm_yamux_open(&c->y, NULL, &err);
    static uint8_t big[NM_YAMUX_WINDOW + 1000];
    assert_int_equal(nm_yamux_write(&c->y, cs, big, sizeof big), (int)NM_YAMUX_WINDOW);
    assert_int_equal(nm_yamux_write(&c->y, cs, big, 10), 0); /* window shut */
    assert_int_equal(flow(c, s), 0);
    assert_int_equal(s->got_len, NM_YAMUX_WINDOW);
    assert_int_equal(nm_yamux_consume(&s->y, s->last, NM_YAMUX_WINDOW), 0);
    assert_int_equal(flow(s, c), 0);
    assert_int_equal(cs->send_window, NM_YAMUX_WINDOW);
    assert_int_equal(nm_yamux_write(&c->y, cs, big, 1000), 1000);
    nm_yamux_fini(&c->y);
    nm_yamux_fini(&s->y);
    free(c);
    free(s);
}

static void test_a_message_larger_than_the_window_goes_out_as_the_window_opens(void **state)
{
    (void)state;
    struct side *c = side_new(true), *s = side_new(false);
    int err;
    struct nm_yamux_stream *cs = nm_yamux_open(&c->y, NULL, &err);
    enum { BIG = 2 * NM_YAMUX_WINDOW + 12345 };
    static uint8_t big[BIG];
    for (size_t i = 0; i < BIG; i++)
        big[i] = (uint8_t)(i * 31 + i / 251);
    assert_int_equal(nm_yamux_send(&c->y, cs, big, BIG), 0); /* all taken */
    assert_int_equal(cs->pending_len, BIG - NM_YAMUX_WINDOW);
    /* nothing overtakes the bytes that wait, not even a later write */
    assert_int_equal(nm_yamux_write(&c->y, cs, big, 10), 0);
    assert_int_equal(nm_yamux_send(&c->y, cs, (const uint8_t *)"tail", 4), 0);
    assert_int_equal(nm_yamux_close(&c->y, cs), 0); /* the FIN waits too */
    assert_int_equal(flow(c, s), 0);
    assert_int_equal(s->got_len, NM_YAMUX_WINDOW); /* the peer's window, no more */
    assert_int_equal(s->fins, 0);
    for (int turn = 0; turn < 16 && s->got_len < BIG + 4; turn++) {
        assert_int_equal(flow(s, c), 0); /* window updates */
        assert_int_equal(flow(c, s), 0);
    }
    assert_int_equal(s->got_len, BIG + 4);
    assert_memory_equal(s->got, big, BIG);
    assert_memory_equal(s->got + BIG, "tail", 4);
    assert_int_equal(s->fins, 1); /* after the last byte */
    assert_int_equal(cs->pending_len, 0);
    assert_int_equal(nm_yamux_send(&c->y, cs, big, 1), NM_E_PROTOCOL); /* after our FIN */
    nm_yamux_fini(&c->y);
    nm_yamux_fini(&s->y);
    free(c);
    free(s);
}

static void test_a_peer_that_never_reads_floods_the_stream_not_our_memory(void **state)
{
    (void)state;
    struct side *c = side_new(true), *s = side_new(false);
    s->auto_consume = false;
    int err;
    struct nm_yamux_stream *cs = nm_yamux_open(&c->y, NULL, &err);
    static uint8_t chunk[NM_YAMUX_WINDOW];
    size_t sent = 0;
    while (sent + sizeof chunk <= NM_YAMUX_WINDOW + NM_YAMUX_PENDING_MAX) {
        assert_int_equal(nm_yamux_send(&c->y, cs, chunk, sizeof chunk), 0);
        sent += sizeof chunk;
        assert_int_equal(flow(c, s), 0);
    }
    size_t waiting = cs->pending_len;
    assert_int_equal(waiting, NM_YAMUX_PENDING_MAX);
    assert_int_equal(nm_yamux_send(&c->y, cs, chunk, 1), NM_E_FLOODED);
    assert_int_equal(cs->pending_len, waiting); /* nothing taken */
    assert_int_equal(s->got_len, NM_YAMUX_WINDOW);
    nm_yamux_fini(&c->y); /* frees what waits */
    nm_yamux_fini(&s->y);
    free(c);
    free(s);
}

static void header(uint8_t *h, uint8_t ver, uint8_t type, uint16_t flags, uint32_t id, uint32_t len)
{
    h[0] = ver;
    h[1] = type;
    h[2] = (uint8_t)(flags >> 8);
    h[3] = (uint8_t)flags;
    for (int i = 0; i < 4; i++) {
        h[4 + i] = (uint8_t)(id >> (24 - 8 * i));
        h[8 + i] = (uint8_t)(len >> (24 - 8 * i));
    }
}

static void test_data_beyond_the_window_ends_the_session(void **state)
{
    (void)state;
    struct side *s = side_new(false);
    uint8_t h[12];
    header(h, 0, NM_YAMUX_DATA, NM_YAMUX_SYN, 1, NM_YAMUX_WINDOW + 1);
    assert_int_equal(nm_yamux_feed(&s->y, h, 12), NM_E_PROTOCOL);
    size_t len;
    const uint8_t *out = nm_yamux_output(&s->y, &len);
    /* ACK of the SYN, then GoAway with the protocol error code */
    assert_int_equal(len, 24);
    assert_int_equal(out[12 + 1], NM_YAMUX_GO_AWAY);
    assert_int_equal(out[23], 1);
    nm_yamux_fini(&s->y);
    free(s);
}

static void test_hostile_headers_are_refused(void **state)
{
    (void)state;
    uint8_t h[12];
    struct {
        uint8_t ver, type;
        uint16_t flags;
        uint32_t id;
    } bad[] = {
        {1, NM_YAMUX_DATA, NM_YAMUX_SYN, 1},           /* version */
        {0, 7, 0, 1},                                  /* type */
        {0, NM_YAMUX_DATA, 0x10, 1},                   /* unknown flag */
        {0, NM_YAMUX_DATA, NM_YAMUX_SYN, 2},           /* server-parity id from a client */
        {0, NM_YAMUX_DATA, NM_YAMUX_SYN, 0},           /* stream 0 */
        {0, NM_YAMUX_PING, NM_YAMUX_SYN, 5},           /* ping on a stream */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct side *s = side_new(false);
        header(h, bad[i].ver, bad[i].type, bad[i].flags, bad[i].id, 0);
        if (nm_yamux_feed(&s->y, h, 12) != NM_E_PROTOCOL)
            fail_msg("case %zu accepted", i);
        nm_yamux_fini(&s->y);
        free(s);
    }
    /* a second SYN for an open stream */
    struct side *s = side_new(false);
    header(h, 0, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_SYN, 3, 0);
    assert_int_equal(nm_yamux_feed(&s->y, h, 12), 0);
    assert_int_equal(nm_yamux_feed(&s->y, h, 12), NM_E_PROTOCOL);
    nm_yamux_fini(&s->y);
    free(s);
}

static void test_stream_flood_is_refused_with_resets(void **state)
{
    (void)state;
    struct side *s = side_new(false);
    uint8_t h[12];
    for (uint32_t i = 0; i < NM_YAMUX_MAX_STREAMS + 10; i++) {
        header(h, 0, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_SYN, 2 * i + 1, 0);
        assert_int_equal(nm_yamux_feed(&s->y, h, 12), 0);
    }
    assert_int_equal(s->opened, NM_YAMUX_MAX_STREAMS);
    size_t len;
    const uint8_t *out = nm_yamux_output(&s->y, &len);
    assert_int_equal(len, 12 * (NM_YAMUX_MAX_STREAMS + 10));
    assert_int_equal(out[len - 12 + 3], NM_YAMUX_RST);
    /* a reset frees the stream on our side */
    header(h, 0, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_RST, 1, 0);
    assert_int_equal(nm_yamux_feed(&s->y, h, 12), 0);
    assert_int_equal(s->resets, 1);
    nm_yamux_fini(&s->y);
    assert_int_equal(s->freed, NM_YAMUX_MAX_STREAMS);
    free(s);
}

static void test_ping_is_answered_and_reported(void **state)
{
    (void)state;
    struct side *c = side_new(true), *s = side_new(false);
    assert_int_equal(nm_yamux_ping(&c->y, 0xabcdef01u), 0);
    assert_int_equal(flow(c, s), 0);
    assert_int_equal(flow(s, c), 0);
    assert_int_equal(c->pongs, 1);
    assert_int_equal(c->last_pong, 0xabcdef01u);
    assert_int_equal(nm_yamux_go_away(&s->y, 0), 0);
    assert_int_equal(flow(s, c), 0);
    assert_int_equal(c->go_aways, 1);
    int err;
    assert_null(nm_yamux_open(&c->y, NULL, &err));
    nm_yamux_fini(&c->y);
    nm_yamux_fini(&s->y);
    free(c);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_carries_data_both_ways_and_closes),
        cmocka_unit_test(test_flow_control_holds_the_writer_until_the_reader_consumes),
        cmocka_unit_test(test_data_beyond_the_window_ends_the_session),
        cmocka_unit_test(test_a_message_larger_than_the_window_goes_out_as_the_window_opens),
        cmocka_unit_test(test_a_peer_that_never_reads_floods_the_stream_not_our_memory),
        cmocka_unit_test(test_hostile_headers_are_refused),
        cmocka_unit_test(test_stream_flood_is_refused_with_resets),
        cmocka_unit_test(test_ping_is_answered_and_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
