/* Unit tests for service/bft_node_flush.c: our signed vote leaves the
 * node only once the double-sign record it was signed under is durable,
 * and the flush runs on a libuv worker while the loop goes on. Driven on
 * a bare struct nm_bft_node with a real loop and a record file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/bft_node_internal.h"

#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fx {
    struct nm_bft_node b;
    uv_loop_t loop;
    char dir[64], path[128];
    int published;
    uint8_t last[1 + NM_BFT_VOTE_WIRE_LEN];
};

static void on_publish(void *ud, const uint8_t *msg, size_t len)
{
    struct fx *f = ud;
    f->published++;
    assert_int_equal(len, sizeof f->last);
    memcpy(f->last, msg, len);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/nm-flush.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/sign-record", f->dir);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->b.cfg.loop = &f->loop;
    f->b.cfg.publish = on_publish;
    f->b.cfg.ud = f;
    assert_int_equal(nm_bft_guard_open(&f->b.guard, f->path), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0); /* nothing left running */
    assert_int_equal(uv_loop_close(&f->loop), 0);
    for (int s = 0; s < 3; s++)
        free(f->b.own[s].bytes);
    nm_bft_node_held_free(&f->b);
    nm_bft_guard_close(&f->b.guard);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Our vote at (height, step): its record written (not flushed), and the
 * engine's output that carries it. */
static void sign(struct fx *f, uint64_t height, uint8_t step, struct nm_bft_engine_output *o)
{
    struct nm_bft_vote v = {.height = height, .step = step, .authority = 0};
    struct nm_bft_sign_record rec = f->b.guard.rec;
    nm_hash h;
    memset(h.b, (int)(height * 3 + step), sizeof h.b);
    nm_bft_sign_record_note(&rec, height, 0, step, &h, NULL);
    assert_int_equal(nm_bft_guard_write(&f->b.guard, &rec), 0);
    memset(o, 0, sizeof *o);
    o->kind = NM_BFT_ENGINE_BROADCAST;
    o->msg_kind = NM_BFT_WAL_VOTE;
    nm_bft_vote_encode(&v, o->bytes);
    o->len = NM_BFT_VOTE_WIRE_LEN;
}

static void test_a_vote_leaves_only_after_its_record_is_flushed(void **state)
{
    struct fx *f = *state;
    struct nm_bft_engine_output o1, o2, o3;
    sign(f, 5, NM_BFT_PREVOTE, &o1); /* creates the file: durable at once */
    nm_bft_node_send_own(&f->b, &o1);
    assert_int_equal(f->published, 1);
    sign(f, 5, NM_BFT_PRECOMMIT, &o2);
    nm_bft_node_send_own(&f->b, &o2);
    assert_int_equal(f->published, 1); /* held: the record is not durable yet */
    assert_true(f->b.flushing);
    sign(f, 6, NM_BFT_PREVOTE, &o3); /* the loop signs on meanwhile */
    nm_bft_node_send_own(&f->b, &o3);
    assert_int_equal(f->published, 1);
    assert_int_equal(f->b.n_held, 2);
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0); /* the worker's flush, twice */
    assert_int_equal(f->published, 3);
    assert_int_equal(f->b.n_held, 0);
    assert_int_equal(f->b.guard.synced, f->b.guard.written);
    struct nm_bft_vote got;
    assert_int_equal(nm_bft_vote_decode(f->last + 1, NM_BFT_VOTE_WIRE_LEN, &got), 0);
    assert_int_equal(got.height, 6); /* in signing order: the last is the last */
    assert_true(f->b.flushes >= 1);
}

static void test_a_stopping_node_sends_nothing_held(void **state)
{
    struct fx *f = *state;
    struct nm_bft_engine_output o1, o2;
    sign(f, 7, NM_BFT_PREVOTE, &o1);
    nm_bft_node_send_own(&f->b, &o1);
    sign(f, 7, NM_BFT_PRECOMMIT, &o2);
    nm_bft_node_send_own(&f->b, &o2);
    f->b.stopping = true; /* nm_bft_node_stop */
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(f->published, 1);
    assert_int_equal(f->b.n_held, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_vote_leaves_only_after_its_record_is_flushed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_stopping_node_sends_nothing_held, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
