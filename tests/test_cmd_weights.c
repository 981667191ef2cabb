/* Unit tests for console/commands/cmd_weights.c, offline (no node): how `weights
 * submit` turns UID=W arguments and --file lines into the call it would
 * sign (scaled so the largest weight is 65535, a non-zero weight never 0),
 * and every malformed weight refused with its error before anything is
 * signed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/commands.h"
#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct nm_call call;
static char err[NM_CMD_MSG_MAX];

static int build(const char *line)
{
    err[0] = '\0';
    return nm_cmd_build_call(NULL, line, &call, err, sizeof err);
}

static void pair(uint32_t i, uint16_t *uid, uint16_t *w)
{
    nm_weight_at(&call.u.weights.list, i, uid, w);
}

static void test_submit_scales_to_the_largest_weight(void **state)
{
    (void)state;
    assert_int_equal(build("weights submit 7 3=1 4=0.5,9=2"), 0);
    assert_int_equal(call.kind, NM_CALL_WEIGHTS_SUBMIT);
    assert_int_equal(call.u.weights.subnet, 7);
    assert_int_equal(call.u.weights.list.n, 3);
    uint16_t uid, w;
    pair(0, &uid, &w);
    assert_int_equal(uid, 3);
    assert_int_equal(w, 32768); /* 1 / 2 of 65535, rounded */
    pair(1, &uid, &w);
    assert_int_equal(uid, 4);
    assert_int_equal(w, 16384);
    pair(2, &uid, &w);
    assert_int_equal(uid, 9);
    assert_int_equal(w, 65535);
}

static void test_tiny_weights_stay_non_zero_and_zeros_stay_zero(void **state)
{
    (void)state;
    assert_int_equal(build("weights submit 1 0=1000000 1=0.000000001 2=0"), 0);
    uint16_t uid, w;
    pair(1, &uid, &w);
    assert_int_equal(w, 1);
    pair(2, &uid, &w);
    assert_int_equal(w, 0);
}

static void test_weights_file_adds_lines(void **state)
{
    (void)state;
    char path[] = "/tmp/nm-test-cmd-weights-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# uid weight\n5 2\n6=4   # trailing comment\n\n", f);
    fclose(f);
    char line[128];
    snprintf(line, sizeof line, "weights submit 2 4=1 --file %s", path);
    assert_int_equal(build(line), 0);
    assert_int_equal(call.u.weights.list.n, 3);
    uint16_t uid, w;
    pair(2, &uid, &w);
    assert_int_equal(uid, 6);
    assert_int_equal(w, 65535);
    snprintf(line, sizeof line, "weights submit 2 5=1 --file %s", path);
    assert_int_equal(build(line), NM_E_DUPLICATE_UID);
    unlink(path);
    assert_int_equal(build(line), NM_E_IO);
}

static void test_bad_weights_are_refused_before_signing(void **state)
{
    (void)state;
    assert_int_equal(build("weights submit 1 3=-1"), NM_E_BAD_WEIGHT);
    assert_non_null(strstr(err, "non-negative"));
    assert_int_equal(build("weights submit 1 3=abc"), NM_E_BAD_WEIGHT);
    assert_int_equal(build("weights submit 1 3=1e5"), NM_E_BAD_WEIGHT);
    assert_int_equal(build("weights submit 1 3=0.0000000001"), NM_E_BAD_WEIGHT);
    assert_int_equal(build("weights submit 1 3=nan"), NM_E_BAD_WEIGHT);
    assert_int_equal(build("weights submit 1 3=1 3=2"), NM_E_DUPLICATE_UID);
    assert_int_equal(build("weights submit 1 3=0 4=0"), NM_E_ZERO_WEIGHTS);
    assert_int_equal(build("weights submit 1 70000=1"), NM_E_USAGE);
    assert_int_equal(build("weights submit 1 3"), NM_E_USAGE);
    assert_int_equal(build("weights submit 1"), NM_E_USAGE);
    assert_int_equal(build("weights submit 0 3=1"), NM_E_INVAL);
}

static void test_options_need_something_to_change(void **state)
{
    (void)state;
    assert_int_equal(build("weights options 1"), NM_E_USAGE);
    assert_int_equal(build("weights options 1 --commit-reveal maybe"), NM_E_BAD_OPTION);
    assert_int_equal(build("weights options 1 --softmax 0"), NM_E_BAD_OPTION);
    assert_int_equal(build("weights options 1 --commit-reveal on --reveal-delay 5"), 0);
    assert_int_equal(call.u.weights_options.commit_reveal, 1);
    assert_int_equal(call.u.weights_options.reveal_delay, 5);
    assert_int_equal(build("weights options 1 --softmax 0.25"), 0);
    assert_int_equal(call.u.weights_options.softmax_temperature, 250000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_scales_to_the_largest_weight),
        cmocka_unit_test(test_tiny_weights_stay_non_zero_and_zeros_stay_zero),
        cmocka_unit_test(test_weights_file_adds_lines),
        cmocka_unit_test(test_bad_weights_are_refused_before_signing),
        cmocka_unit_test(test_options_need_something_to_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
