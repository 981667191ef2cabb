/* Unit tests for console/dashboard/dashboard_bft: the Authorities screen's
 * model. bft_authorities' set merged with what a voting node's bft_state
 * saw of each authority (matched by account, so a changed set moves no
 * figures onto another row), the header lines, a node that does not vote,
 * the dev chain's instant finality, bad input and a failed allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/dashboard_cache.h"
#include "console/dashboard/dashboard_queue.h"

#include <stdlib.h>
#include <string.h>

#define ALICE "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
#define BOB "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
#define CHARLIE "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"
#define DAVE "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy"

static unsigned apply(struct nm_cache *c, enum nm_dq_kind kind, const char *json)
{
    struct nm_dq_msg m = {.kind = kind};
    m.json = cJSON_Parse(json);
    assert_non_null(m.json);
    unsigned d = nm_cache_apply(c, &m);
    cJSON_Delete(m.json);
    return d;
}

static const char *const SET4 =
    "{\"authorities\":[{\"index\":0,\"account\":\"" ALICE "\",\"power\":\"1\"},"
    "{\"index\":1,\"account\":\"" BOB "\",\"power\":\"1\"},"
    "{\"index\":2,\"account\":\"" CHARLIE "\",\"power\":\"1\"},"
    "{\"index\":3,\"account\":\"" DAVE "\",\"power\":\"2\"}],"
    "\"totalPower\":\"5\",\"quorumPower\":\"4\",\"finality\":\"bft\"}";

/* bft_state of a voting node at height 121, round 1: dave not heard from. */
static const char *const STATE4 =
    "{\"running\":true,\"height\":121,\"round\":1,\"step\":\"precommit\",\"self\":2,"
    "\"finality\":\"bft\","
    "\"finalizedHeight\":120,\"authorities\":["
    "{\"index\":0,\"account\":\"" ALICE "\",\"power\":\"1\",\"online\":true,"
    "\"lastSignedHeight\":121,\"missedRounds\":0,\"lateVotes\":3},"
    "{\"index\":1,\"account\":\"" BOB "\",\"power\":\"1\",\"online\":true,"
    "\"lastSignedHeight\":121,\"missedRounds\":1,\"lateVotes\":0},"
    "{\"index\":2,\"account\":\"" CHARLIE "\",\"power\":\"1\",\"online\":true,"
    "\"lastSignedHeight\":120,\"missedRounds\":0,\"lateVotes\":7},"
    "{\"index\":3,\"account\":\"" DAVE "\",\"power\":\"2\",\"online\":false,"
    "\"lastSignedHeight\":97,\"missedRounds\":4,\"lateVotes\":0}]}";

static void test_set_then_state_merges_what_the_node_saw(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_HEAD, "{\"height\":120}");
    assert_int_equal(apply(&c, NM_DQ_BFT_SET, SET4), NM_DIRTY_BFT);
    assert_int_equal(c.nauth_rows, 4);
    assert_false(c.auth_rows[0].seen); /* only the set so far */
    assert_string_equal(nm_authority_status(&c.auth_rows[0]), "-");
    assert_int_equal(c.auth_rows[3].power, 2);
    assert_int_equal(c.auth_total_power, 5);
    assert_int_equal(c.auth_quorum_power, 4);

    assert_int_equal(apply(&c, NM_DQ_BFT, STATE4), NM_DIRTY_OVERVIEW | NM_DIRTY_BFT);
    const struct nm_authority_row *a = c.auth_rows;
    assert_string_equal(a[0].account, ALICE);
    assert_true(a[0].seen && a[0].online);
    assert_int_equal(a[0].last_signed, 121);
    assert_int_equal(a[0].late, 3);
    assert_int_equal(a[1].missed, 1);
    assert_int_equal(a[2].late, 7);
    assert_string_equal(nm_authority_status(&a[3]), "offline");
    assert_int_equal(a[3].last_signed, 97);
    assert_int_equal(a[3].missed, 4);

    char set_line[160], round_line[200];
    nm_cache_bft_summary(&c, set_line, sizeof set_line, round_line, sizeof round_line);
    assert_string_equal(set_line, "4 authorities, 3 online, 1 offline; quorum 4 of 5 power");
    assert_string_equal(round_line,
                        "best #120, finalized #120; deciding #121, round 1, precommit; "
                        "this node is #2");
    /* the set fetched again after the next block keeps the figures */
    apply(&c, NM_DQ_BFT_SET, SET4);
    assert_true(c.auth_rows[3].seen && !c.auth_rows[3].online);
    assert_int_equal(c.auth_rows[0].late, 3);
    nm_cache_fini(&c);
}

static void test_a_changed_set_keeps_each_accounts_own_figures(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_BFT_SET, SET4);
    apply(&c, NM_DQ_BFT, STATE4);
    /* alice reported as an equivocator: the other three move up one index */
    assert_int_equal(
        apply(&c, NM_DQ_BFT_SET,
              "{\"authorities\":[{\"index\":0,\"account\":\"" BOB "\",\"power\":\"1\"},"
              "{\"index\":1,\"account\":\"" CHARLIE "\",\"power\":\"1\"},"
              "{\"index\":2,\"account\":\"" DAVE "\",\"power\":\"2\"}],"
              "\"totalPower\":\"4\",\"quorumPower\":\"3\",\"finality\":\"bft\"}"),
        NM_DIRTY_BFT);
    assert_int_equal(c.nauth_rows, 3);
    assert_int_equal(c.auth_rows[0].index, 0);
    assert_string_equal(c.auth_rows[0].account, BOB);
    assert_int_equal(c.auth_rows[0].missed, 1); /* bob's, not alice's */
    assert_string_equal(c.auth_rows[2].account, DAVE);
    assert_false(c.auth_rows[2].online);
    assert_int_equal(c.auth_rows[2].last_signed, 97);
    /* a state that still lists alice: she is not shown again */
    apply(&c, NM_DQ_BFT, STATE4);
    assert_int_equal(c.nauth_rows, 3);
    char set_line[160], round_line[200];
    nm_cache_bft_summary(&c, set_line, sizeof set_line, round_line, sizeof round_line);
    assert_string_equal(set_line, "3 authorities, 2 online, 1 offline; quorum 3 of 4 power");
    nm_cache_fini(&c);
}

static void test_state_alone_gives_the_rows(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    /* a node without bft_authorities in rpc_methods: rows from bft_state */
    apply(&c, NM_DQ_BFT, STATE4);
    assert_int_equal(c.nauth_rows, 4);
    assert_false(c.have_auth_set);
    assert_string_equal(c.auth_rows[1].account, BOB);
    assert_true(c.auth_rows[1].seen && c.auth_rows[1].online);
    char set_line[160], round_line[200];
    nm_cache_bft_summary(&c, set_line, sizeof set_line, round_line, sizeof round_line);
    assert_string_equal(set_line, "4 authorities, 3 online, 1 offline"); /* no quorum known */
    nm_cache_fini(&c);
}

static void test_a_node_that_does_not_vote_reports_nobody_online(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_HEAD, "{\"height\":50}");
    apply(&c, NM_DQ_BFT_SET, SET4);
    apply(&c, NM_DQ_BFT, STATE4);
    /* the same console now attached to a follower */
    apply(&c, NM_DQ_BFT, "{\"running\":false,\"height\":121,\"finality\":\"bft\","
                         "\"finalizedHeight\":120}");
    for (size_t i = 0; i < c.nauth_rows; i++) {
        assert_false(c.auth_rows[i].seen);
        assert_string_equal(nm_authority_status(&c.auth_rows[i]), "-");
    }
    char set_line[160], round_line[200];
    nm_cache_bft_summary(&c, set_line, sizeof set_line, round_line, sizeof round_line);
    assert_string_equal(set_line, "4 authorities; quorum 4 of 5 power");
    assert_non_null(strstr(round_line, "finalized #120; this node does not vote"));
    nm_cache_fini(&c);
}

static void test_the_dev_chain_has_one_authority_and_instant_finality(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_HEAD, "{\"height\":7}");
    apply(&c, NM_DQ_BFT_SET,
          "{\"authorities\":[{\"index\":0,\"account\":\"" ALICE "\",\"power\":\"1\"}],"
          "\"totalPower\":\"1\",\"quorumPower\":\"1\",\"finality\":\"instant\"}");
    apply(&c, NM_DQ_BFT, "{\"running\":false,\"height\":8,\"finality\":\"instant\","
                         "\"finalizedHeight\":7}");
    char set_line[160], round_line[200];
    nm_cache_bft_summary(&c, set_line, sizeof set_line, round_line, sizeof round_line);
    assert_string_equal(set_line, "1 authority; quorum 1 of 1 power");
    assert_string_equal(round_line,
                        "finality instant: one authority, each block final when made (#7)");
    nm_cache_fini(&c);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_BFT_SET, SET4);
    apply(&c, NM_DQ_BFT, STATE4);
    assert_int_equal(apply(&c, NM_DQ_BFT_SET, "[1,2]"), 0);
    assert_int_equal(apply(&c, NM_DQ_BFT_SET, "{\"authorities\":\"all\"}"), 0);
    assert_int_equal(apply(&c, NM_DQ_BFT, "\"x\""), 0);
    assert_int_equal(c.nauth_rows, 4);
    assert_true(c.auth_rows[0].seen);
    assert_int_equal(c.auth_total_power, 5);
    /* entries that are not objects are skipped; control characters never
     * reach the screen; no lateVotes (an older node): not reported */
    apply(&c, NM_DQ_BFT_SET,
          "{\"authorities\":[7,{\"index\":5,\"account\":\"evil\\u001b[2J\",\"power\":\"-3\"}],"
          "\"totalPower\":\"x\"}");
    assert_int_equal(c.nauth_rows, 1);
    assert_string_equal(c.auth_rows[0].account, "evil?[2J");
    assert_int_equal(c.auth_rows[0].index, 5);
    assert_int_equal(c.auth_rows[0].power, 0);
    assert_int_equal(c.auth_total_power, 0);
    apply(&c, NM_DQ_BFT, "{\"running\":true,\"finality\":\"bft\",\"authorities\":["
                         "{\"account\":\"evil\\u001b[2J\",\"online\":true}]}");
    assert_true(c.auth_rows[0].seen && c.auth_rows[0].online);
    assert_int_equal(c.auth_rows[0].late, -1);
    nm_cache_fini(&c);
}

static long fail_at, calls;

static void *failing_calloc(size_t n, size_t size)
{
    return ++calls == fail_at ? NULL : calloc(n, size);
}

static void test_out_of_memory_keeps_the_rows_shown(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_BFT_SET, SET4);
    apply(&c, NM_DQ_BFT, STATE4);
    c.alloc = failing_calloc;
    calls = 0;
    fail_at = 1;
    assert_int_equal(apply(&c, NM_DQ_BFT_SET, SET4), 0);
    assert_int_equal(c.alloc_failures, 1);
    assert_int_equal(c.nauth_rows, 4);
    assert_true(c.auth_rows[3].seen);
    /* the next update gets its memory */
    assert_int_equal(apply(&c, NM_DQ_BFT_SET, SET4), NM_DIRTY_BFT);
    assert_int_equal(c.auth_rows[3].last_signed, 97);
    nm_cache_fini(&c);
}

static void test_another_chain_drops_the_rows(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_CHAIN, "{\"genesis_hash\":\"0xaa\",\"height\":3}");
    apply(&c, NM_DQ_BFT_SET, SET4);
    apply(&c, NM_DQ_CHAIN, "{\"genesis_hash\":\"0xbb\",\"height\":1}");
    assert_int_equal(c.nauth_rows, 0);
    assert_null(c.auth_rows);
    assert_false(c.have_auth_set);
    nm_cache_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_then_state_merges_what_the_node_saw),
        cmocka_unit_test(test_a_changed_set_keeps_each_accounts_own_figures),
        cmocka_unit_test(test_state_alone_gives_the_rows),
        cmocka_unit_test(test_a_node_that_does_not_vote_reports_nobody_online),
        cmocka_unit_test(test_the_dev_chain_has_one_authority_and_instant_finality),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_out_of_memory_keeps_the_rows_shown),
        cmocka_unit_test(test_another_chain_drops_the_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
