/* Unit tests for console/commands/watchrule: parsing `watch` rules (bad
 * words refused with the reason), an incentive drop judged per epoch in
 * integers, new proposals noticed once, and the rule's one-line
 * description. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/watchrule.h"

#include <string.h>

static int parse(const char *const *words, int n, struct nm_watch_rule *r, char *err)
{
    return nm_watch_rule_parse((char *const *)words, n, r, err, 256);
}

static void test_rules_parse_with_their_actions(void **state)
{
    (void)state;
    struct nm_watch_rule r;
    char err[256], d[512];
    const char *a[] = {"incentive", "1", "3", "drops", "50%", "--run", "metagraph 1",
                       "--post", "http://127.0.0.1:9/x"};
    assert_int_equal(parse(a, 9, &r, err), 0);
    assert_int_equal(r.kind, NM_WATCH_INCENTIVE);
    assert_int_equal(r.subnet, 1);
    assert_int_equal(r.uid, 3);
    assert_int_equal(r.drop_ppm, 500000);
    assert_false(r.bell);
    assert_string_equal(r.run, "metagraph 1");
    r.id = 2;
    assert_string_equal(nm_watch_rule_describe(&r, d, sizeof d),
                        "2: incentive of uid 3 on subnet 1 drops 50%: run 'metagraph 1' post "
                        "http://127.0.0.1:9/x");
    const char *b[] = {"proposals"};
    assert_int_equal(parse(b, 1, &r, err), 0);
    assert_true(r.bell); /* no action given: the bell */
    const char *c[] = {"incentive", "1", "3", "drops", "12.5"};
    assert_int_equal(parse(c, 5, &r, err), 0);
    assert_int_equal(r.drop_ppm, 125000);
    assert_true(nm_watch_rule_words((char *const *)b, 1));
}

static void test_bad_rules_say_why(void **state)
{
    (void)state;
    struct nm_watch_rule r;
    char err[256];
    const char *pct[] = {"incentive", "1", "3", "drops", "0%"};
    assert_int_equal(parse(pct, 5, &r, err), -1);
    assert_string_equal(err, "watch: PERCENT is more than 0 and at most 100, like 50%");
    const char *big[] = {"incentive", "1", "3", "drops", "101"};
    assert_int_equal(parse(big, 5, &r, err), -1);
    const char *fine[] = {"incentive", "1", "3", "drops", "1.00001"};
    assert_int_equal(parse(fine, 5, &r, err), -1);
    const char *uid[] = {"incentive", "1", "70000", "drops", "5"};
    assert_int_equal(parse(uid, 5, &r, err), -1);
    assert_string_equal(err, "watch: UID is a number 0-65535");
    const char *word[] = {"incentive", "1", "3", "falls", "5"};
    assert_int_equal(parse(word, 5, &r, err), -1);
    assert_non_null(strstr(err, "expected watch incentive SUBNET UID drops PERCENT"));
    const char *url[] = {"proposals", "--post", "file:///etc/passwd"};
    assert_int_equal(parse(url, 3, &r, err), -1);
    assert_string_equal(err, "watch: --post wants an http:// or https:// URL");
    const char *opt[] = {"proposals", "--shout"};
    assert_int_equal(parse(opt, 2, &r, err), -1);
    const char *nl[] = {"proposals", "--run", "a\nb"};
    assert_int_equal(parse(nl, 3, &r, err), -1);
    assert_string_equal(err, "watch: --run wants one line of 1-255 bytes");
}

static void test_incentive_drop_fires_once_per_epoch(void **state)
{
    (void)state;
    struct nm_watch_rule r;
    char err[256], msg[300];
    const char *a[] = {"incentive", "1", "3", "drops", "50%"};
    assert_int_equal(parse(a, 5, &r, err), 0);
    r.id = 1;
    assert_false(nm_watch_rule_incentive(&r, 4, 600000000, msg, sizeof msg)); /* primes */
    assert_false(nm_watch_rule_incentive(&r, 4, 100000000, msg, sizeof msg)); /* same epoch */
    assert_false(nm_watch_rule_incentive(&r, 5, 310000000, msg, sizeof msg)); /* -48.3% */
    assert_true(nm_watch_rule_incentive(&r, 6, 155000000, msg, sizeof msg));  /* -50% */
    assert_string_equal(msg, "watch 1: incentive of uid 3 on subnet 1 fell 50% in epoch 6: "
                             "0.31 -> 0.155");
    assert_false(nm_watch_rule_incentive(&r, 6, 0, msg, sizeof msg)); /* epoch already seen */
    assert_true(nm_watch_rule_incentive(&r, 7, 0, msg, sizeof msg));  /* to nothing: -100% */
    assert_false(nm_watch_rule_incentive(&r, 8, 0, msg, sizeof msg)); /* from 0: never */
    assert_false(nm_watch_rule_incentive(&r, 9, 900000000, msg, sizeof msg)); /* a rise */
}

static void test_new_proposals_fire_once(void **state)
{
    (void)state;
    struct nm_watch_rule r;
    char err[256], msg[300];
    const char *a[] = {"proposals"};
    assert_int_equal(parse(a, 1, &r, err), 0);
    r.id = 3;
    cJSON *none = cJSON_Parse("[{\"id\":1,\"kind\":\"param\",\"summary\":\"old\"}]");
    cJSON *two = cJSON_Parse("[{\"id\":1,\"kind\":\"param\",\"summary\":\"old\"},"
                             "{\"id\":3,\"kind\":\"spend\",\"summary\":\"pay 5 NMT\"},"
                             "{\"id\":2,\"kind\":\"param\",\"summary\":\"x\"}]");
    assert_false(nm_watch_rule_proposals(&r, none, msg, sizeof msg)); /* what was there */
    assert_true(nm_watch_rule_proposals(&r, two, msg, sizeof msg));
    assert_string_equal(msg, "watch 3: new proposal 3 (spend): pay 5 NMT (and more)");
    assert_false(nm_watch_rule_proposals(&r, two, msg, sizeof msg)); /* seen */
    cJSON_Delete(none);
    cJSON_Delete(two);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_parse_with_their_actions),
        cmocka_unit_test(test_bad_rules_say_why),
        cmocka_unit_test(test_incentive_drop_fires_once_per_epoch),
        cmocka_unit_test(test_new_proposals_fire_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
