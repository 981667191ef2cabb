/* Unit tests for node/epoch: where a height stands (tempo 0 included), the
 * boundary and roll arithmetic, the one JSON shape, and a governance change
 * of tempo that takes effect at the next boundary with epoch numbers that
 * never go back or repeat (counter, summaries, commitment, reload). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/consensus_fixture.h"

#include "node/chainspec.h"
#include "node/epoch.h"
#include "node/errors.h"
#include "node/pallets/governance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void assert_pos(const struct nm_epoch_base *b, uint64_t height, uint64_t epoch,
                       uint64_t first, uint64_t last, uint64_t index, uint64_t left)
{
    struct nm_epoch_pos p;
    nm_epoch_at(b, height, &p);
    assert_int_equal(p.height, height);
    assert_int_equal(p.epoch, epoch);
    assert_int_equal(p.first, first);
    assert_int_equal(p.last, last);
    assert_int_equal(p.index, index);
    assert_int_equal(p.left, left);
}

static void test_epoch_at_is_height_over_tempo_before_any_change(void **state)
{
    (void)state;
    struct nm_epoch_base b = {0, 0, 10};
    assert_pos(&b, 0, 0, 0, 9, 0, 9);
    assert_pos(&b, 9, 0, 0, 9, 9, 0);
    assert_pos(&b, 10, 1, 10, 19, 0, 9);
    assert_pos(&b, 143, 14, 140, 149, 3, 6);
    assert_true(nm_epoch_ends(&b, 149));
    assert_false(nm_epoch_ends(&b, 150));
    assert_false(nm_epoch_ends(&b, 148));
}

static void test_epoch_at_counts_on_from_a_rolled_base(void **state)
{
    (void)state;
    struct nm_epoch_base b = {0, 0, 10}, next;
    nm_epoch_roll(&b, 150, 20, &next); /* block 150 begins epoch 15 */
    assert_int_equal(next.epoch, 15);
    assert_int_equal(next.start, 150);
    assert_int_equal(next.tempo, 20);
    assert_pos(&next, 150, 15, 150, 169, 0, 19);
    assert_pos(&next, 169, 15, 150, 169, 19, 0);
    assert_pos(&next, 175, 16, 170, 189, 5, 14);
    assert_true(nm_epoch_ends(&next, 169));
    assert_false(nm_epoch_ends(&next, 159));
}

static void test_epoch_at_tempo_zero_never_ends(void **state)
{
    (void)state;
    struct nm_epoch_base b = {3, 30, 0};
    assert_pos(&b, 30, 3, 30, UINT64_MAX, 0, UINT64_MAX - 30);
    assert_pos(&b, 1000000, 3, 30, UINT64_MAX, 1000000 - 30, UINT64_MAX - 1000000);
    assert_false(nm_epoch_ends(&b, 30));
    assert_false(nm_epoch_ends(&b, 1000000));
}

static void test_epoch_json_has_one_shape(void **state)
{
    (void)state;
    struct nm_epoch_base b = {0, 0, 10};
    struct nm_epoch_pos p;
    nm_epoch_at(&b, 42, &p);
    cJSON *o = cJSON_CreateObject();
    nm_epoch_json_add(o, &p);
    char *text = cJSON_PrintUnformatted(o);
    assert_string_equal(text, "{\"epoch\":4,\"height\":42,\"tempo\":10,\"start\":40,\"end\":49,"
                              "\"block_in_epoch\":3,\"blocks_left\":7,\"epoch_ends_at\":49}");
    free(text);
    cJSON_Delete(o);
}

/* --- a tempo change through governance --- */

static int setup(void **state)
{
    return cfx_setup_with(state, 2, 2, 50);
}

static void council_fast_track_tempo(struct cfx *c, uint64_t tempo)
{
    struct nm_chain_spec *spec = calloc(1, sizeof *spec);
    assert_non_null(spec);
    spec->council_threshold = 2;
    spec->council_count = 2;
    spec->council[0] = c->f.alice;
    spec->council[1] = c->f.bob;
    assert_int_equal(nm_governance_genesis(&c->f.rt, spec), 0);
    free(spec);
    struct nm_call *call = &c->f.call;
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_PROPOSE_PARAM;
    call->u.propose_param.bond = NMT;
    snprintf(call->u.propose_param.name, sizeof call->u.propose_param.name, "tempo");
    call->u.propose_param.value = tempo;
    assert_int_equal(nm_governance_propose(&c->f.rt, &c->f.alice, call), 0);
    cfx_advance(c, 1);
    const nm_account *signers[] = {&c->f.alice, &c->f.bob};
    for (int i = 0; i < 2; i++) {
        memset(call, 0, sizeof *call);
        call->kind = NM_CALL_COUNCIL_FAST_TRACK;
        call->u.council.proposal = 1;
        assert_int_equal(nm_governance_council(&c->f.rt, signers[i], call), 0);
    }
}

static uint64_t epoch_of(struct cfx *c, uint64_t height)
{
    struct nm_epoch_pos p;
    nm_runtime_epoch_at(&c->f.rt, height, &p);
    return p.epoch;
}

/* (epoch, height) of the subnet's summaries, in epoch order. */
static size_t summaries(struct cfx *c, uint64_t *epochs, uint64_t *heights, size_t cap)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(c->f.db),
                                        "SELECT epoch, height FROM epochs WHERE subnet=?1"
                                        " ORDER BY epoch",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, c->subnet);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < cap) {
        epochs[n] = (uint64_t)sqlite3_column_int64(st, 0);
        heights[n++] = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return n;
}

static void test_governance_tempo_change_waits_for_the_boundary_and_numbers_go_on(void **state)
{
    struct cfx *c = *state;
    assert_int_equal(c->f.rt.params.tempo, 10);
    cfx_advance(c, 142 - c->f.rt.height); /* block 142 of epoch 14 */
    council_fast_track_tempo(c, 20);      /* signed in block 143, executed at its end */
    assert_int_equal(c->f.rt.height, 143);
    cfx_advance(c, 1);
    assert_int_equal(c->f.rt.params.tempo, 20);
    /* Epoch 14 keeps its 10 blocks: block 144 is still epoch 14, not 7. */
    assert_int_equal(epoch_of(c, 144), 14);
    struct nm_epoch_pos p;
    nm_runtime_epoch_at(&c->f.rt, 144, &p);
    assert_int_equal(p.last, 149);
    fx_assert_commitment_matches(&c->f);
    /* The counter is state: a reload (restart) agrees. */
    struct nm_runtime again;
    assert_int_equal(nm_runtime_init(&again, c->f.db, &c->f.rt.genesis, c->f.rt.dev), 0);
    assert_int_equal(again.epoch.epoch, c->f.rt.epoch.epoch);
    assert_int_equal(again.epoch.start, c->f.rt.epoch.start);
    assert_int_equal(again.epoch.tempo, 10);

    uint64_t last = 14;
    while (c->f.rt.height < 200) {
        cfx_advance(c, 1);
        uint64_t e = epoch_of(c, c->f.rt.height);
        assert_true(e == last || e == last + 1); /* never back, never a jump */
        last = e;
    }
    assert_int_equal(epoch_of(c, 150), 15);
    nm_runtime_epoch_at(&c->f.rt, 175, &p);
    assert_int_equal(p.epoch, 16);
    assert_int_equal(p.first, 170);
    assert_int_equal(p.last, 189);
    assert_int_equal(c->f.rt.epoch.tempo, 20);

    uint64_t epochs[64], heights[64];
    size_t n = summaries(c, epochs, heights, 64);
    assert_true(n >= 3);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(epochs[i], epochs[i - 1] + 1); /* one summary per epoch, in order */
    /* the last three: 14 ended at 149 (10 blocks), 15 at 169 and 16 at 189 (20 blocks) */
    assert_int_equal(epochs[n - 3], 14);
    assert_int_equal(heights[n - 3], 149);
    assert_int_equal(epochs[n - 2], 15);
    assert_int_equal(heights[n - 2], 169);
    assert_int_equal(epochs[n - 1], 16);
    assert_int_equal(heights[n - 1], 189);
    fx_assert_commitment_matches(&c->f);
}

static void test_tempo_set_back_before_the_boundary_changes_nothing(void **state)
{
    struct cfx *c = *state;
    cfx_advance(c, 22 - c->f.rt.height);
    assert_int_equal(nm_runtime_param_set(&c->f.rt, "tempo", 20), 0);
    assert_int_equal(nm_runtime_param_set(&c->f.rt, "tempo", 10), 0);
    cfx_advance(c, 30);
    assert_int_equal(epoch_of(c, c->f.rt.height), c->f.rt.height / 10);
    assert_int_equal(c->f.rt.epoch.tempo, 10);
    fx_assert_commitment_matches(&c->f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_at_is_height_over_tempo_before_any_change),
        cmocka_unit_test(test_epoch_at_counts_on_from_a_rolled_base),
        cmocka_unit_test(test_epoch_at_tempo_zero_never_ends),
        cmocka_unit_test(test_epoch_json_has_one_shape),
        cmocka_unit_test_setup_teardown(
            test_governance_tempo_change_waits_for_the_boundary_and_numbers_go_on, setup,
            cfx_teardown),
        cmocka_unit_test_setup_teardown(test_tempo_set_back_before_the_boundary_changes_nothing,
                                        setup, cfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
