/* Unit tests for node/eval/codegen_score (and tasks.c): CODE_GEN_BASE
 * scoring of real answers in the real sandbox. Every public task's
 * reference passes its own hidden tests; each edge case of the issue
 * (empty output, schema break, no compile, infinite loop, fork bomb, huge
 * output, reading outside scratch, network, non-UTF-8) scores zero or
 * loses exactly what it should, with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/eval/codegen_score.h"
#include "node/eval/tasks.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED 20261206u

static const struct nm_task *task_named(const char *id)
{
    for (size_t i = 0; i < nm_tasks_public_count; i++)
        if (strcmp(nm_tasks_public[i].id, id) == 0)
            return &nm_tasks_public[i];
    fail_msg("no task %s", id);
    return NULL;
}

/* Scores code given as the miner's answer to task id. */
static void score_code(const char *id, const char *code, int64_t latency_ms,
                       struct nm_codegen_score *s)
{
    struct nm_task_variant v;
    assert_int_equal(nm_task_variant_make(task_named(id), SEED, &v), 0);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "explanation", "test");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    assert_int_equal(nm_codegen_score(&v, SEED, text, strlen(text), latency_ms, 10000, s), 0);
    free(text);
}

static void expect_zero(const char *id, const char *code, const char *reason)
{
    struct nm_codegen_score s;
    score_code(id, code, 10, &s);
    if (s.total != 0 || !strstr(s.reason, reason))
        fail_msg("%s: total %u, reason \"%s\", expected 0 and \"%s\"", id, s.total, s.reason,
                 reason);
}

static void test_every_public_reference_passes_its_hidden_tests(void **state)
{
    (void)state;
    assert_true(nm_tasks_public_count >= 50);
    int python = 0, c = 0;
    for (size_t i = 0; i < nm_tasks_public_count; i++) {
        const struct nm_task *t = &nm_tasks_public[i];
        python += strcmp(t->language, "python") == 0;
        c += strcmp(t->language, "c") == 0;
        struct nm_task_variant v;
        assert_int_equal(nm_task_variant_make(t, SEED, &v), 0);
        struct nm_codegen_score s;
        score_code(t->id, v.reference, 10, &s);
        if (s.tests_passed != s.tests_total || s.total != NM_SCORE_ONE)
            fail_msg("%s: %d/%d tests, total %u, warnings %d: %s", t->id, s.tests_passed,
                     s.tests_total, s.total, s.warnings, s.reason);
    }
    assert_true(python >= 20 && c >= 20);
}

static void test_variants_change_with_the_epoch_seed(void **state)
{
    (void)state;
    const struct nm_task *t = task_named("py-add-p");
    struct nm_task_variant a, b;
    int differ = 0;
    for (uint64_t seed = 1; seed < 10; seed++) {
        assert_int_equal(nm_task_variant_make(t, seed, &a), 0);
        assert_int_equal(nm_task_variant_make(t, seed + 100, &b), 0);
        differ += a.p != b.p;
        assert_true(a.p >= t->p_min && a.p <= t->p_max);
    }
    assert_true(differ >= 8);
    long p;
    assert_ptr_equal(nm_task_match(a.prompt, "python", &p), t);
    assert_int_equal(p, a.p);
    assert_null(nm_task_match(a.prompt, "c", &p));
    char *i1 = nm_codegen_test_inputs(t, 1, 8), *i2 = nm_codegen_test_inputs(t, 2, 8);
    assert_string_not_equal(i1, i2);
    free(i1), free(i2);
}

static void test_a_wrong_answer_loses_the_tests_it_fails(void **state)
{
    (void)state;
    struct nm_codegen_score s;
    score_code("py-add-p", "def add_p(x):\n    return x\n", 10, &s);
    assert_int_equal(s.syntax, NM_SCORE_ONE);
    assert_int_equal(s.tests_passed, 0);
    assert_int_equal(s.total, 200000); /* syntax only */
    score_code("c-max-or", "long max_or(const long *xs, long n)\n{\n    return n ? xs[0] : 0;\n}\n",
               10, &s);
    assert_true(s.tests_passed > 0 && s.tests_passed < s.tests_total);
    assert_true(s.total > 200000 && s.total < NM_SCORE_ONE);
}

static void test_latency_scales_the_last_tenth(void **state)
{
    (void)state;
    struct nm_task_variant v;
    assert_int_equal(nm_task_variant_make(task_named("py-mul-p"), SEED, &v), 0);
    struct nm_codegen_score fast, slow;
    score_code("py-mul-p", v.reference, 100, &fast);
    score_code("py-mul-p", v.reference, 5500, &slow);
    assert_int_equal(fast.latency, NM_SCORE_ONE);
    assert_int_equal(slow.latency, 500000);
    assert_int_equal(fast.total - slow.total, 50000);
}

static void test_empty_non_utf8_and_schema_breaking_output_score_zero(void **state)
{
    (void)state;
    struct nm_task_variant v;
    assert_int_equal(nm_task_variant_make(task_named("py-add-p"), SEED, &v), 0);
    struct nm_codegen_score s;
    assert_int_equal(nm_codegen_score(&v, SEED, "", 0, 1, 1000, &s), 0);
    assert_int_equal(s.total, 0);
    assert_string_equal(s.reason, "empty output");
    const char *bad = "{\"code\":\"\xff\",\"explanation\":\"x\"}";
    assert_int_equal(nm_codegen_score(&v, SEED, bad, strlen(bad), 1, 1000, &s), 0);
    assert_int_equal(s.total, 0);
    assert_non_null(strstr(s.reason, "not valid UTF-8"));
    const char *nocode = "{\"explanation\":\"x\"}";
    assert_int_equal(nm_codegen_score(&v, SEED, nocode, strlen(nocode), 1, 1000, &s), 0);
    assert_non_null(strstr(s.reason, "missing required property \"code\""));
    const char *num = "{\"code\":1,\"explanation\":\"x\"}";
    assert_int_equal(nm_codegen_score(&v, SEED, num, strlen(num), 1, 1000, &s), 0);
    assert_non_null(strstr(s.reason, "$.code: expected string"));
    assert_true(s.violation);
}

static void test_code_that_does_not_compile_scores_zero(void **state)
{
    (void)state;
    expect_zero("py-add-p", "def add_p(x) return x +\n", "does not compile: SyntaxError:");
    expect_zero("c-add-p", "long add_p(long x) { return x + }\n", "does not compile: error:");
    struct nm_codegen_score s;
    score_code("py-add-p", "def add_p(x) return x +\n", 10, &s);
    assert_null(strchr(s.reason, '\n')); /* one line for the log */
}

static void test_infinite_loops_are_stopped_and_score_zero(void **state)
{
    (void)state;
    /* the CPU limit, or the wall limit first on a loaded machine */
    expect_zero("py-add-p", "def add_p(x):\n    while True:\n        pass\n", "sandbox:");
    expect_zero("c-add-p", "long add_p(long x)\n{\n    for (;;)\n        x++;\n}\n", "sandbox:");
}

static void test_fork_bombs_score_zero(void **state)
{
    (void)state;
    expect_zero("py-add-p", "import os\ndef add_p(x):\n    while True:\n        os.fork()\n",
                "forbidden: os.fork");
    expect_zero("c-add-p",
                "#include <unistd.h>\nlong add_p(long x)\n{\n    for (;;)\n        fork();\n"
                "    return x;\n}\n",
                "forbidden system call");
}

static void test_gigabytes_of_output_score_zero(void **state)
{
    (void)state;
    expect_zero("py-add-p", "def add_p(x):\n    while True:\n        print('x' * 65536)\n",
                "more than");
    expect_zero("c-add-p",
                "#include <stdio.h>\nlong add_p(long x)\n{\n    for (;;)\n"
                "        fputs(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", "
                "stdout);\n    return x;\n}\n",
                "more than");
}

static void test_reading_outside_scratch_scores_zero_or_finds_nothing(void **state)
{
    (void)state;
    expect_zero("py-add-p", "def add_p(x):\n    return len(open('/etc/passwd').read())\n",
                "opened /etc/passwd outside the scratch folder");
    /* C has no audit hook: the file is simply not in the sandbox */
    struct nm_codegen_score s;
    score_code("c-add-p",
               "#include <stdio.h>\nlong add_p(long x)\n{\n    FILE *f = fopen(\"/etc/passwd\", "
               "\"r\");\n    return f ? 1 : -1;\n}\n",
               10, &s);
    assert_int_equal(s.tests_passed, 0);
    assert_true(s.total <= 200000);
}

static void test_network_access_scores_zero(void **state)
{
    (void)state;
    expect_zero("py-add-p",
                "import socket\ndef add_p(x):\n    socket.create_connection(('127.0.0.1', 9))\n",
                "forbidden: socket");
    expect_zero("c-add-p",
                "#include <sys/socket.h>\nlong add_p(long x)\n{\n"
                "    return socket(AF_INET, SOCK_STREAM, 0) + x;\n}\n",
                "forbidden system call");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_public_reference_passes_its_hidden_tests),
        cmocka_unit_test(test_variants_change_with_the_epoch_seed),
        cmocka_unit_test(test_a_wrong_answer_loses_the_tests_it_fails),
        cmocka_unit_test(test_latency_scales_the_last_tenth),
        cmocka_unit_test(test_empty_non_utf8_and_schema_breaking_output_score_zero),
        cmocka_unit_test(test_code_that_does_not_compile_scores_zero),
        cmocka_unit_test(test_infinite_loops_are_stopped_and_score_zero),
        cmocka_unit_test(test_fork_bombs_score_zero),
        cmocka_unit_test(test_gigabytes_of_output_score_zero),
        cmocka_unit_test(test_reading_outside_scratch_scores_zero_or_finds_nothing),
        cmocka_unit_test(test_network_access_scores_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
