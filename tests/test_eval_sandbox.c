/* Unit tests for node/eval/sandbox: untrusted programs under bubblewrap,
 * seccomp and rlimits. Each escape or abuse ends with the right violation;
 * well-behaved programs run normally with /scratch writable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/eval/sandbox.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static char scratch[256];

static int setup(void **state)
{
    (void)state;
    return nm_sandbox_scratch_new(scratch, sizeof scratch);
}

static int teardown(void **state)
{
    (void)state;
    nm_sandbox_scratch_remove(scratch);
    return 0;
}

static void run_py(const char *code, const struct nm_sandbox_limits *lim,
                   struct nm_sandbox_result *r)
{
    const char *argv[] = {"python3", "-I", "-c", code, NULL};
    assert_int_equal(nm_sandbox_run(scratch, argv, lim, r), 0);
}

static void test_a_well_behaved_program_runs_with_a_writable_scratch(void **state)
{
    (void)state;
    struct nm_sandbox_result r;
    const char *argv[] = {"sh", "-c", "echo hi > f && cat f && pwd", NULL};
    assert_int_equal(nm_sandbox_run(scratch, argv, NULL, &r), 0);
    assert_int_equal(r.violation, NM_SANDBOX_OK);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "hi\n/scratch\n");
    nm_sandbox_result_fini(&r);
    char path[300];
    snprintf(path, sizeof path, "%s/f", scratch);
    FILE *f = fopen(path, "r"); /* the file is in the host's scratch dir */
    assert_non_null(f);
    fclose(f);
}

static void test_infinite_loop_hits_the_cpu_limit(void **state)
{
    (void)state;
    /* 1 s of CPU comes long before 20 s of wall time, even on a busy machine */
    struct nm_sandbox_limits lim = {.cpu_s = 1, .wall_ms = 20000};
    struct nm_sandbox_result r;
    run_py("while True: pass", &lim, &r);
    assert_int_equal(r.violation, NM_SANDBOX_CPU_TIME);
    assert_non_null(strstr(r.reason, "more than 1 s of CPU"));
    nm_sandbox_result_fini(&r);
}

static void test_sleeping_forever_hits_the_wall_limit(void **state)
{
    (void)state;
    struct nm_sandbox_limits lim = {.wall_ms = 300};
    struct nm_sandbox_result r;
    const char *argv[] = {"sleep", "100", NULL};
    assert_int_equal(nm_sandbox_run(scratch, argv, &lim, &r), 0);
    assert_int_equal(r.violation, NM_SANDBOX_WALL_TIME);
    assert_true(r.wall_ms < 2000);
    assert_non_null(strstr(r.reason, "wall limit"));
    nm_sandbox_result_fini(&r);
}

static void test_fork_bomb_dies_on_its_first_fork(void **state)
{
    (void)state;
    struct nm_sandbox_limits lim = {.no_fork = true, .wall_ms = 5000};
    struct nm_sandbox_result r;
    run_py("import os\nwhile True:\n    os.fork()\n", &lim, &r);
    assert_int_equal(r.violation, NM_SANDBOX_SYSCALL);
    assert_int_equal(r.signal, SIGSYS);
    nm_sandbox_result_fini(&r);
    /* threads are still allowed */
    run_py("import threading\nt = threading.Thread(target=print, args=('t',))\nt.start()\n"
           "t.join()\n",
           &lim, &r);
    assert_int_equal(r.violation, NM_SANDBOX_OK);
    assert_string_equal(r.out, "t\n");
    nm_sandbox_result_fini(&r);
}

static void test_gigabytes_of_output_are_cut_off(void **state)
{
    (void)state;
    struct nm_sandbox_limits lim = {.max_output = 100000, .wall_ms = 5000};
    struct nm_sandbox_result r;
    run_py("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", &lim, &r);
    assert_int_equal(r.violation, NM_SANDBOX_OUTPUT);
    assert_true(r.out_len <= 100000);
    nm_sandbox_result_fini(&r);
}

static void test_network_access_is_a_forbidden_call(void **state)
{
    (void)state;
    struct nm_sandbox_result r;
    run_py("import socket\ns = socket.socket()\ns.connect(('127.0.0.1', 9))\n", NULL, &r);
    assert_int_equal(r.violation, NM_SANDBOX_SYSCALL);
    nm_sandbox_result_fini(&r);
}

static void test_files_outside_scratch_are_not_there_and_usr_is_read_only(void **state)
{
    (void)state;
    struct nm_sandbox_result r;
    const char *argv[] = {"sh", "-c",
                          "cat /etc/passwd || echo no-passwd; ls /work /root /home 2>/dev/null"
                          " || echo no-work; touch /usr/x 2>/dev/null || echo ro-usr",
                          NULL};
    assert_int_equal(nm_sandbox_run(scratch, argv, NULL, &r), 0);
    assert_string_equal(r.out, "no-passwd\nno-work\nro-usr\n");
    nm_sandbox_result_fini(&r);
}

static void test_a_file_past_the_size_limit_is_stopped(void **state)
{
    (void)state;
    struct nm_sandbox_limits lim = {.fsize_bytes = 1 << 20};
    struct nm_sandbox_result r;
    const char *argv[] = {"sh", "-c", "head -c 4000000 /dev/zero > big", NULL};
    assert_int_equal(nm_sandbox_run(scratch, argv, &lim, &r), 0);
    assert_int_equal(r.violation, NM_SANDBOX_FILE_SIZE);
    nm_sandbox_result_fini(&r);
    /* Python ignores SIGXFSZ: its write fails instead, the file stays small */
    run_py("open('big2', 'w').write('x' * (4 << 20))\n", &lim, &r);
    assert_int_not_equal(r.exit_code, 0);
    assert_non_null(strstr(r.err, "File too large"));
    nm_sandbox_result_fini(&r);
}

static void test_plain_run_has_the_same_pipes_and_wall_limit(void **state)
{
    (void)state;
    struct nm_sandbox_result r;
    const char *argv[] = {"/bin/echo", "plain", NULL};
    assert_int_equal(nm_sandbox_run_plain(scratch, argv, NULL, &r), 0);
    assert_string_equal(r.out, "plain\n");
    nm_sandbox_result_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_well_behaved_program_runs_with_a_writable_scratch),
        cmocka_unit_test(test_infinite_loop_hits_the_cpu_limit),
        cmocka_unit_test(test_sleeping_forever_hits_the_wall_limit),
        cmocka_unit_test(test_fork_bomb_dies_on_its_first_fork),
        cmocka_unit_test(test_gigabytes_of_output_are_cut_off),
        cmocka_unit_test(test_network_access_is_a_forbidden_call),
        cmocka_unit_test(test_files_outside_scratch_are_not_there_and_usr_is_read_only),
        cmocka_unit_test(test_a_file_past_the_size_limit_is_stopped),
        cmocka_unit_test(test_plain_run_has_the_same_pipes_and_wall_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
