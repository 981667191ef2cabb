/* Unit tests for node/pallets/weights: normalised storage in the epoch
 * bucket, every refused input with its error and no change, the duplicate
 * rule, the rate limit, softmax, commit-reveal (early, late, mismatching,
 * missing), subnet options, housekeeping at epoch end and the state
 * commitment. */
#include "tests/support/consensus_fixture.h"

#include "node/errors.h"
#include "node/pallets/permits.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    return cfx_setup_with(state, 3, 4, 10);
}

static uint16_t uids_buf[NM_WCODEC_MAX_ENTRIES];
static uint32_t values_buf[NM_WCODEC_MAX_ENTRIES];

/* Every row of this pallet's tables, beside the fixture's snapshot. */
static char *dump_weights(struct cfx *c)
{
    static const char *const sql[] = {
        "SELECT subnet, epoch, hex(account), uid, block, hex(data) FROM weights ORDER BY 1,2,3",
        "SELECT subnet, hex(account), hex(hash), block FROM weight_commits ORDER BY 1, 2",
        "SELECT subnet, hex(account), block FROM weight_last ORDER BY 1, 2",
        "SELECT * FROM weight_options ORDER BY 1",
    };
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(nm_db_handle(c->f.db), sql[i], -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int k = 0; k < sqlite3_column_count(st); k++)
                fprintf(out, "%s|", (const char *)sqlite3_column_text(st, k));
            fputc('\n', out);
        }
        sqlite3_finalize(st);
    }
    fclose(out);
    return text;
}

struct before {
    struct tq_snapshot snap;
    char *rows;
};

static void before_take(struct cfx *c, struct before *b)
{
    fx_snapshot_take(&c->f, &b->snap);
    b->rows = dump_weights(c);
}

static void before_assert_same(struct cfx *c, struct before *b)
{
    fx_snapshot_assert_same(&c->f, &b->snap);
    char *now = dump_weights(c);
    assert_string_equal(now, b->rows);
    free(now);
    free(b->rows);
}

static void test_submit_stores_normalised_vector_in_epoch_bucket(void **state)
{
    struct cfx *c = *state;
    uint16_t uids[] = {c->muid[2], c->muid[0]}, w[] = {3, 1};
    assert_int_equal(cfx_submit(c, &c->vacct[0], uids, w, 2), 0);
    size_t n =
        cfx_bucket(c, c->f.rt.height / c->f.rt.params.tempo, &c->vacct[0], uids_buf, values_buf);
    assert_int_equal(n, 2);
    assert_int_equal(uids_buf[0], c->muid[0]); /* stored by uid */
    assert_int_equal(values_buf[0], 16384);    /* 16383.75 rounds up: largest remainder */
    assert_int_equal(values_buf[1], 49151);
    char name[64], data[512];
    fx_last_event(&c->f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "weights.Submitted");
    assert_non_null(strstr(data, "\"count\":2"));
    assert_non_null(strstr(data, "\"replaced\":false"));
    fx_assert_commitment_matches(&c->f);
}

static void test_zero_weights_are_dropped_from_storage(void **state)
{
    struct cfx *c = *state;
    uint16_t uids[] = {c->muid[0], c->muid[1]}, w[] = {0, 9};
    assert_int_equal(cfx_submit(c, &c->vacct[1], uids, w, 2), 0);
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[1], uids_buf, values_buf), 1);
    assert_int_equal(values_buf[0], 65535);
}

static void test_submit_refuses_bad_input_and_changes_nothing(void **state)
{
    struct cfx *c = *state;
    uint16_t m0 = c->muid[0], m1 = c->muid[1];
    struct before b;
    before_take(c, &b);
    uint16_t ok_u[] = {m0}, ok_w[] = {1};
    /* a miner, an outsider: not validators */
    assert_int_equal(cfx_submit(c, &c->macct[0], ok_u, ok_w, 1), NM_E_NOT_VALIDATOR);
    nm_account outsider = cfx_account('x', 1);
    assert_int_equal(cfx_submit(c, &outsider, ok_u, ok_w, 1), NM_E_NOT_VALIDATOR);
    /* a validator's uid, a free uid */
    uint16_t val_u[] = {c->vuid[1]}, free_u[] = {999};
    assert_int_equal(cfx_submit(c, &c->vacct[0], val_u, ok_w, 1), NM_E_NOT_MINER);
    assert_int_equal(cfx_submit(c, &c->vacct[0], free_u, ok_w, 1), NM_E_NOT_MINER);
    uint16_t dup_u[] = {m0, m1, m0}, dup_w[] = {1, 1, 1};
    assert_int_equal(cfx_submit(c, &c->vacct[0], dup_u, dup_w, 3), NM_E_DUPLICATE_UID);
    uint16_t zero_u[] = {m0, m1}, zero_w[] = {0, 0};
    assert_int_equal(cfx_submit(c, &c->vacct[0], zero_u, zero_w, 2), NM_E_ZERO_WEIGHTS);
    assert_int_equal(cfx_submit(c, &c->vacct[0], zero_u, zero_w, 0), NM_E_ZERO_WEIGHTS);
    static uint16_t many_u[1025], many_w[1025];
    for (int i = 0; i < 1025; i++)
        many_w[i] = 1;
    assert_int_equal(cfx_submit(c, &c->vacct[0], many_u, many_w, 1025), NM_E_TOO_MANY_WEIGHTS);
    /* unknown subnet */
    uint16_t saved = c->subnet;
    c->subnet = 77;
    assert_int_equal(cfx_submit(c, &c->vacct[0], ok_u, ok_w, 1), NM_E_UNKNOWN_SUBNET);
    c->subnet = saved;
    before_assert_same(c, &b);
}

static void test_retired_subnet_refuses_weights(void **state)
{
    struct cfx *c = *state;
    struct nm_call *call = &c->f.call;
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_SUBNET_RETIRE;
    call->u.subnet_retire.subnet = c->subnet;
    assert_int_equal(nm_subnets_retire(&c->f.rt, &c->f.alice, call), 0);
    uint16_t u[] = {c->muid[0]}, w[] = {1};
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 1), NM_E_SUBNET_RETIRED);
}

static void test_later_submission_in_the_epoch_replaces_the_earlier(void **state)
{
    struct cfx *c = *state;
    uint16_t u[] = {c->muid[0], c->muid[1]}, first[] = {1, 0}, second[] = {1, 1};
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, first, 2), 0);
    cfx_advance(c, c->f.rt.params.weights_rate_limit_blocks);
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, second, 2), 0);
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[0], uids_buf, values_buf), 2);
    assert_int_equal(values_buf[0], 32768);
    char name[64], data[512];
    fx_last_event(&c->f, name, sizeof name, data, sizeof data);
    assert_non_null(strstr(data, "\"replaced\":true"));
    sqlite3_stmt *st;
    sqlite3_prepare_v2(nm_db_handle(c->f.db), "SELECT COUNT(*) FROM weights", -1, &st, NULL);
    sqlite3_step(st);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    fx_assert_commitment_matches(&c->f);
}

static void test_rate_limit_counts_blocks_since_the_last_setting(void **state)
{
    struct cfx *c = *state;
    uint16_t u[] = {c->muid[0]}, w[] = {5};
    uint64_t limit = c->f.rt.params.weights_rate_limit_blocks;
    assert_true(limit >= 2);
    assert_int_equal(cfx_submit(c, &c->vacct[2], u, w, 1), 0);
    cfx_advance(c, limit - 1);
    struct before b;
    before_take(c, &b);
    assert_int_equal(cfx_submit(c, &c->vacct[2], u, w, 1), NM_E_RATE_LIMITED);
    before_assert_same(c, &b);
    cfx_advance(c, 1);
    assert_int_equal(cfx_submit(c, &c->vacct[2], u, w, 1), 0);
    /* another validator is not limited by it */
    assert_int_equal(cfx_submit(c, &c->vacct[1], u, w, 1), 0);
}

static void test_softmax_option_shapes_the_weights(void **state)
{
    struct cfx *c = *state;
    assert_int_equal(cfx_options(c, &c->f.alice, 0, 2, 2, 250000000), 0);
    uint16_t u[] = {c->muid[0], c->muid[1], c->muid[2]}, w[] = {100, 50, 0};
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 3), 0);
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[0], uids_buf, values_buf), 3);
    /* exp(0), exp(-2), exp(-4) in proportion: 86.6%, 11.7%, 1.6% */
    assert_int_equal(values_buf[0] + values_buf[1] + values_buf[2], 65535);
    assert_true(values_buf[0] > 56000 && values_buf[0] < 57500);
    assert_true(values_buf[2] > 900 && values_buf[2] < 1200);
}

static void test_options_are_for_the_owner_within_bounds(void **state)
{
    struct cfx *c = *state;
    struct before b;
    before_take(c, &b);
    assert_int_equal(cfx_options(c, &c->vacct[0], 1, 5, 5, 0), NM_E_NOT_OWNER);
    assert_int_equal(cfx_options(c, &c->f.alice, 2, 5, 5, 0), NM_E_BAD_OPTION);
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 0, 5, 0), NM_E_BAD_OPTION);
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 5, 2000000, 0), NM_E_BAD_OPTION);
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 5, 5, 200000000000ULL), NM_E_BAD_OPTION);
    const struct nm_params *p = &c->f.rt.params;
    assert_int_equal(cfx_options(c, &c->f.alice, (uint8_t)p->commit_reveal_default,
                                 (uint32_t)p->reveal_delay_blocks,
                                 (uint32_t)p->weights_rate_limit_blocks, 0),
                     NM_E_NO_CHANGE);
    before_assert_same(c, &b);
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 5, 5, 0), 0);
    struct nm_weight_options o;
    assert_int_equal(nm_weights_options(c->f.db, p, c->subnet, &o), 0);
    assert_int_equal(o.commit_reveal, 1);
    assert_int_equal(o.reveal_delay, 5);
    fx_assert_commitment_matches(&c->f);
}

static const uint8_t SALT[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void test_commit_reveal_flow(void **state)
{
    struct cfx *c = *state;
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 3, 2, 0), 0);
    uint16_t u[] = {c->muid[0], c->muid[3]}, w[] = {2, 6}, other[] = {6, 2};
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 2), NM_E_USE_COMMIT_REVEAL);
    assert_int_equal(cfx_reveal(c, &c->vacct[0], u, w, 2, SALT), NM_E_NO_COMMIT);
    assert_int_equal(cfx_commit(c, &c->vacct[0], u, w, 2, SALT), 0);
    assert_int_equal(cfx_events(c, "weights.Committed"), 1);
    cfx_advance(c, 2);
    struct before b;
    before_take(c, &b);
    assert_int_equal(cfx_reveal(c, &c->vacct[0], u, w, 2, SALT), NM_E_REVEAL_TOO_EARLY);
    before_assert_same(c, &b);
    cfx_advance(c, 1);
    uint8_t wrong_salt[32] = {9};
    before_take(c, &b);
    assert_int_equal(cfx_reveal(c, &c->vacct[0], u, other, 2, SALT), NM_E_REVEAL_MISMATCH);
    assert_int_equal(cfx_reveal(c, &c->vacct[0], u, w, 2, wrong_salt), NM_E_REVEAL_MISMATCH);
    assert_int_equal(cfx_reveal(c, &c->vacct[1], u, w, 2, SALT), NM_E_NO_COMMIT);
    before_assert_same(c, &b);
    assert_int_equal(cfx_reveal(c, &c->vacct[0], u, w, 2, SALT), 0);
    uint64_t epoch = c->f.rt.height / c->f.rt.params.tempo;
    assert_int_equal(cfx_bucket(c, epoch, &c->vacct[0], uids_buf, values_buf), 2);
    assert_int_equal(values_buf[1], 49151);
    assert_int_equal(cfx_events(c, "weights.Revealed"), 1);
    assert_int_equal(cfx_reveal(c, &c->vacct[0], u, w, 2, SALT), NM_E_NO_COMMIT);
    fx_assert_commitment_matches(&c->f);
}

static void test_commit_expires_after_its_window(void **state)
{
    struct cfx *c = *state;
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 2, 0, 0), 0);
    uint16_t u[] = {c->muid[1]}, w[] = {1};
    assert_int_equal(cfx_commit(c, &c->vacct[1], u, w, 1, SALT), 0);
    cfx_advance(c, 2 + c->f.rt.params.tempo);
    assert_int_equal(cfx_reveal(c, &c->vacct[1], u, w, 1, SALT), NM_E_COMMIT_EXPIRED);
    /* the epoch end drops it: then there is nothing to reveal */
    cfx_end_epoch(c);
    assert_int_equal(cfx_reveal(c, &c->vacct[1], u, w, 1, SALT), NM_E_NO_COMMIT);
    fx_assert_commitment_matches(&c->f);
}

static void test_commit_needs_commit_reveal_and_obeys_the_rate_limit(void **state)
{
    struct cfx *c = *state;
    uint16_t u[] = {c->muid[1]}, w[] = {1};
    assert_int_equal(cfx_commit(c, &c->vacct[1], u, w, 1, SALT), NM_E_NO_COMMIT_REVEAL);
    assert_int_equal(cfx_options(c, &c->f.alice, 1, 2, 3, 0), 0);
    assert_int_equal(cfx_commit(c, &c->vacct[1], u, w, 1, SALT), 0);
    cfx_advance(c, 2);
    assert_int_equal(cfx_commit(c, &c->vacct[1], u, w, 1, SALT), NM_E_RATE_LIMITED);
}

/* issue 16: a submission stands in its bucket until superseded or too old */
static void test_epoch_end_keeps_standing_submissions_and_drops_departed(void **state)
{
    struct cfx *c = *state;
    uint16_t u[] = {c->muid[0]}, w[] = {1};
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 1), 0);
    assert_int_equal(cfx_submit(c, &c->vacct[1], u, w, 1), 0);
    cfx_end_epoch(c); /* epoch 0 processed: its bucket is kept for epoch 1 */
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[0], uids_buf, values_buf), 1);
    struct nm_call *call = &c->f.call;
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_DEREGISTER;
    call->u.deregister.subnet = c->subnet;
    assert_int_equal(nm_registry_deregister(&c->f.rt, &c->vacct[1], call), 0);
    cfx_end_epoch(c); /* epoch 1: the departed's row and rate-limit row go */
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[0], uids_buf, values_buf), 1); /* it stands */
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[1], uids_buf, values_buf), 0);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(nm_db_handle(c->f.db), "SELECT COUNT(*) FROM weight_last", -1, &st, NULL);
    sqlite3_step(st);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    /* a new submission supersedes it: the old bucket goes at the epoch's end */
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 1), 0);
    cfx_end_epoch(c);
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[0], uids_buf, values_buf), 0);
    assert_int_equal(cfx_bucket(c, 2, &c->vacct[0], uids_buf, values_buf), 1);
    /* older than the activity cutoff: it goes too, once its own epoch is over */
    c->f.rt.params.weights_activity_cutoff_blocks = 5;
    cfx_end_epoch(c);
    assert_int_equal(cfx_bucket(c, 2, &c->vacct[0], uids_buf, values_buf), 0);
    fx_assert_commitment_matches(&c->f);
}

static void test_weights_json_shows_bucket_and_commits(void **state)
{
    struct cfx *c = *state;
    uint16_t u[] = {c->muid[0], c->muid[1]}, w[] = {1, 3};
    assert_int_equal(cfx_submit(c, &c->vacct[2], u, w, 2), 0);
    int err;
    uint64_t at = c->f.rt.height;
    cJSON *j = nm_weights_json(c->f.db, &c->f.rt.params, c->subnet, 0, at + 7, -1, &err);
    assert_non_null(j);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"submissions\":[{\"uid\":2,"));
    /* issue 16: its age at the asked height and the block it stops counting */
    char standing[160];
    snprintf(standing, sizeof standing,
             "\"standing\":[{\"uid\":2,\"hotkey\":\"%s\",\"epoch\":0,\"block\":%llu,\"age\":7,"
             "\"stale_at\":%llu,\"stale\":false}]",
             cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "submissions"), 0),
                                 "hotkey")
                 ->valuestring,
             (unsigned long long)at,
             (unsigned long long)(at + c->f.rt.params.weights_activity_cutoff_blocks + 1));
    assert_non_null(strstr(text, standing));
    assert_non_null(strstr(text, "\"weights\":[[3,16384],[4,49151]]"));
    assert_non_null(strstr(text, "\"commits\":[]"));
    free(text);
    cJSON_Delete(j);
    j = nm_weights_json(c->f.db, &c->f.rt.params, c->subnet, 0, at, 1, &err);
    text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"submissions\":[]"));
    free(text);
    cJSON_Delete(j);
}

/* Issue 16: validator permits. With K = 2 of 3 equal stakes the highest
 * UID is left out and told why; bonding more stake wins it a permit and
 * pushes the next one out. */
static void test_only_the_top_validators_by_stake_hold_permits(void **state)
{
    struct cfx *c = *state;
    c->f.rt.params.max_validators = 2;
    uint16_t u[] = {c->muid[0]}, w[] = {1};
    struct before b;
    before_take(c, &b);
    assert_int_equal(cfx_submit(c, &c->vacct[2], u, w, 1), NM_E_NO_VALIDATOR_PERMIT);
    before_assert_same(c, &b);
    assert_string_equal(nm_errname(NM_E_NO_VALIDATOR_PERMIT), "NO_VALIDATOR_PERMIT");
    struct nm_subnet sub;
    assert_int_equal(nm_subnets_get(c->f.db, c->subnet, &sub), 0);
    struct nm_permit_info pi;
    assert_int_equal(nm_permits_of(c->f.db, &c->f.rt.params, &sub, &c->vacct[2], &pi), 0);
    assert_false(pi.permit);
    assert_int_equal(pi.validators, 3);
    assert_int_equal(pi.k, 2);
    assert_int_equal(pi.stake, 100 * NMT);
    assert_int_equal(pi.lowest_permit, 100 * NMT);
    assert_int_equal(nm_permits_of(c->f.db, &c->f.rt.params, &sub, &c->macct[0], &pi),
                     NM_E_NOT_VALIDATOR);
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 1), 0);
    assert_int_equal(cfx_submit(c, &c->vacct[1], u, w, 1), 0);

    assert_int_equal(fx_stake_call(&c->f, NM_CALL_STAKE_ADD, &c->vacct[2], c->subnet, NMT / 2),
                     0);
    assert_int_equal(cfx_submit(c, &c->vacct[2], u, w, 1), 0);
    cfx_advance(c, c->f.rt.params.weights_rate_limit_blocks);
    assert_int_equal(cfx_submit(c, &c->vacct[1], u, w, 1), NM_E_NO_VALIDATOR_PERMIT);
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 1), 0); /* uid 0 wins the tie */
    /* With K = 64 every validator holds one again. */
    c->f.rt.params.max_validators = 64;
    assert_int_equal(cfx_submit(c, &c->vacct[1], u, w, 1), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, cfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_submit_stores_normalised_vector_in_epoch_bucket),
        T(test_only_the_top_validators_by_stake_hold_permits),
        T(test_zero_weights_are_dropped_from_storage),
        T(test_submit_refuses_bad_input_and_changes_nothing),
        T(test_retired_subnet_refuses_weights),
        T(test_later_submission_in_the_epoch_replaces_the_earlier),
        T(test_rate_limit_counts_blocks_since_the_last_setting),
        T(test_softmax_option_shapes_the_weights),
        T(test_options_are_for_the_owner_within_bounds),
        T(test_commit_reveal_flow),
        T(test_commit_expires_after_its_window),
        T(test_commit_needs_commit_reveal_and_obeys_the_rate_limit),
        T(test_epoch_end_keeps_standing_submissions_and_drops_departed),
        T(test_weights_json_shows_bucket_and_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
