/* Unit tests for node/eval/tasks: the held-out task file loader (the repo's
 * file loads and every held-out reference passes its hidden tests;
 * malformed files are refused with FILE:LINE) and prompt rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/eval/codegen_score.h"
#include "node/eval/tasks.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_repo_held_out_file_loads_and_its_references_pass(void **state)
{
    (void)state;
    struct nm_task_set set;
    char err[256] = "";
    assert_int_equal(nm_task_set_init(&set), 0);
    if (nm_task_set_load_held_out(&set, "node/eval/tasks/held_out.tasks", err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(set.held_out_from, nm_tasks_public_count);
    assert_true(set.count - set.held_out_from >= 8);
    for (size_t i = set.held_out_from; i < set.count; i++) {
        const struct nm_task *t = &set.tasks[i];
        struct nm_task_variant v;
        assert_int_equal(nm_task_variant_make(t, 7, &v), 0);
        assert_null(strstr(v.prompt, "{P}"));
        long p;
        assert_null(nm_task_match(v.prompt, t->language, &p)); /* miners never saw it */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", v.reference);
        cJSON_AddStringToObject(o, "explanation", "ref");
        char *out = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        struct nm_codegen_score s;
        assert_int_equal(nm_codegen_score(&v, 7, out, strlen(out), 1, 1000, &s), 0);
        if (s.total != NM_SCORE_ONE)
            fail_msg("%s: %u (%s)", t->id, s.total, s.reason);
        free(out);
    }
    nm_task_set_fini(&set);
}

static void expect_refused(const char *text, const char *reason)
{
    char path[] = "/tmp/nm-tasks-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    struct nm_task_set set;
    assert_int_equal(nm_task_set_init(&set), 0);
    char err[256] = "";
    assert_int_equal(nm_task_set_load_held_out(&set, path, err, sizeof err), NM_E_INVAL);
    assert_int_equal(set.count, nm_tasks_public_count);
    if (!strstr(err, reason))
        fail_msg("\"%s\" lacks \"%s\"", err, reason);
    nm_task_set_fini(&set);
    remove(path);
}

static void test_malformed_held_out_files_are_refused_with_the_line(void **state)
{
    (void)state;
    expect_refused("task x python I_I f 1 2 0\n", ":1: expected \"task ID");
    expect_refused("task x cobol I_I f 1 2 0 1\n", ":1: expected");
    expect_refused("task x python Q f 1 2 0 1\n", ":1: expected");
    expect_refused("task x python I_I f 5 2 0 1\n", ":1: a range's minimum");
    expect_refused("# c\ntask x python I_I f 1 2 0 1\nreference\n", ":3: expected \"prompt");
    expect_refused("task x python I_I f 1 2 0 1\nprompt p {P}\nreference\ndef f(x):\n",
                   "no \"end\" line");
}

static void test_render_fills_every_p_and_refuses_overflow(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(nm_task_render("-{P} to {P}", 12, out, sizeof out), 0);
    assert_string_equal(out, "-12 to 12");
    assert_int_equal(nm_task_render("{P}{P}{P}{P}{P}{P}{P}{P}{P}{P}{P}", 123, out, sizeof out),
                     NM_E_TOO_BIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repo_held_out_file_loads_and_its_references_pass),
        cmocka_unit_test(test_malformed_held_out_files_are_refused_with_the_line),
        cmocka_unit_test(test_render_fills_every_p_and_refuses_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
