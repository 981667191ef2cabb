/* Unit tests for node/validator/store: the validator's SQLite database
 * (moving averages, re-registration, removal, key/value, reopening). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/validator/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/nm-vstore-%d.db", (int)getpid());
    remove(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[80];
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
    return 0;
}

static struct nm_vminer miner(uint32_t uid, const char *hotkey, uint64_t reg)
{
    struct nm_vminer m = {.uid = uid, .registered_at = reg, .w_global_ppb = uid * 10};
    snprintf(m.hotkey, sizeof m.hotkey, "%s", hotkey);
    snprintf(m.endpoint, sizeof m.endpoint, "grpc://127.0.0.1:%u", 5000 + uid);
    return m;
}

static uint32_t score_of(struct nm_vstore *s, uint32_t uid)
{
    struct nm_vminer *m;
    size_t n;
    assert_int_equal(nm_vstore_list(s, &m, &n), 0);
    uint32_t score = UINT32_MAX;
    for (size_t i = 0; i < n; i++)
        if (m[i].uid == uid)
            score = m[i].score;
    free(m);
    return score;
}

static void test_moving_average_and_failures_decay(void **state)
{
    (void)state;
    struct nm_vstore *s;
    char err[256];
    assert_int_equal(nm_vstore_open(path, &s, err, sizeof err), 0);
    struct nm_vminer chain[] = {miner(1, "A", 10), miner(2, "B", 11)};
    int fresh;
    assert_int_equal(nm_vstore_sync(s, chain, 2, &fresh), 0);
    assert_int_equal(fresh, 2);
    assert_int_equal(nm_vstore_record(s, 1, true, 1000000, 300, 5, NULL), 0);
    assert_int_equal(score_of(s, 1), 300000);
    assert_int_equal(nm_vstore_record(s, 1, true, 1000000, 300, 6, NULL), 0);
    assert_int_equal(score_of(s, 1), 510000);
    assert_int_equal(nm_vstore_record(s, 1, false, 999, 300, 7, "DEADLINE_EXCEEDED"), 0);
    assert_int_equal(score_of(s, 1), 357000); /* a failure counts as 0 */
    struct nm_vminer *m;
    size_t n;
    assert_int_equal(nm_vstore_list(s, &m, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].queries, 3);
    assert_int_equal(m[0].successes, 2);
    assert_string_equal(m[0].last_error, "DEADLINE_EXCEEDED");
    assert_int_equal(m[0].last_query_ms, 7);
    free(m);
    assert_int_equal(nm_vstore_record(s, 1, true, 1000001, 300, 8, NULL), NM_E_INVAL);
    assert_int_equal(nm_vstore_record(s, 1, true, 5, 1001, 8, NULL), NM_E_INVAL);
    nm_vstore_close(s);
}

static void test_reregistered_uid_starts_fresh_and_gone_uids_leave(void **state)
{
    (void)state;
    struct nm_vstore *s;
    char err[256];
    assert_int_equal(nm_vstore_open(path, &s, err, sizeof err), 0);
    struct nm_vminer chain[] = {miner(1, "A", 10), miner(2, "B", 11), miner(3, "C", 12)};
    int fresh;
    assert_int_equal(nm_vstore_sync(s, chain, 3, &fresh), 0);
    for (uint32_t uid = 1; uid <= 3; uid++)
        assert_int_equal(nm_vstore_record(s, uid, true, 1000000, 1000, 1, NULL), 0);
    /* uid 2 re-registered by another hotkey, uid 3 by the same one later,
     * uid 1 only moved its endpoint */
    chain[0].w_global_ppb = 77;
    snprintf(chain[0].endpoint, sizeof chain[0].endpoint, "grpc://10.0.0.1:1");
    snprintf(chain[1].hotkey, sizeof chain[1].hotkey, "B2");
    chain[2].registered_at = 40;
    assert_int_equal(nm_vstore_sync(s, chain, 3, &fresh), 0);
    assert_int_equal(fresh, 2);
    assert_int_equal(score_of(s, 1), 1000000);
    assert_int_equal(score_of(s, 2), 0);
    assert_int_equal(score_of(s, 3), 0);
    /* uid 3 deregistered */
    assert_int_equal(nm_vstore_sync(s, chain, 2, &fresh), 0);
    assert_int_equal(fresh, 0);
    assert_int_equal(score_of(s, 3), UINT32_MAX);
    struct nm_vminer *m;
    size_t n;
    assert_int_equal(nm_vstore_list(s, &m, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].endpoint, "grpc://10.0.0.1:1");
    assert_int_equal(m[0].w_global_ppb, 77);
    free(m);
    nm_vstore_close(s);
}

static void test_state_survives_reopening(void **state)
{
    (void)state;
    struct nm_vstore *s;
    char err[256], v[64];
    assert_int_equal(nm_vstore_open(path, &s, err, sizeof err), 0);
    struct nm_vminer chain[] = {miner(4, "D", 1)};
    int fresh;
    assert_int_equal(nm_vstore_sync(s, chain, 1, &fresh), 0);
    assert_int_equal(nm_vstore_record(s, 4, true, 800000, 500, 1, NULL), 0);
    assert_int_equal(nm_vstore_get(s, "secret", v, sizeof v), 1);
    assert_int_equal(nm_vstore_set(s, "secret", "abc"), 0);
    nm_vstore_close(s);
    assert_int_equal(nm_vstore_open(path, &s, err, sizeof err), 0);
    assert_int_equal(score_of(s, 4), 400000);
    assert_int_equal(nm_vstore_get(s, "secret", v, sizeof v), 0);
    assert_string_equal(v, "abc");
    nm_vstore_close(s);
    assert_int_equal(nm_vstore_open("/nonexistent-dir/x.db", &s, err, sizeof err), NM_E_DB);
    assert_non_null(strstr(err, "validator database /nonexistent-dir/x.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_moving_average_and_failures_decay, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reregistered_uid_starts_fresh_and_gone_uids_leave,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_survives_reopening, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
