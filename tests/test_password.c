/* test_password.c - where key passwords come from: --password-file before
 * $NEUROMESH_PASSWORD before the terminal; the no-terminal error; and the
 * no-echo prompt itself, driven through a pseudo-terminal. */
#include "client/password.h"
#include "node/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static char tmp_dir[1024];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "%s/nm-password-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp_dir))
        return -1;
    unsetenv("NEUROMESH_PASSWORD");
    return 0;
}

static int teardown(void **state)
{
    char path[PATH_MAX];
    (void)state;
    snprintf(path, sizeof path, "%s/pw", tmp_dir);
    unlink(path);
    rmdir(tmp_dir);
    unsetenv("NEUROMESH_PASSWORD");
    return 0;
}

/* Writes content to tmp_dir/pw and returns its path (static buffer). */
static const char *password_file(const char *content, size_t len)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/pw", tmp_dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(content, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

static void test_password_file_wins_over_the_environment(void **state)
{
    char out[64];
    (void)state;
    setenv("NEUROMESH_PASSWORD", "from-env", 1);
    const char *path = password_file("from-file\nsecond line\n", 22);
    assert_int_equal(nm_password_get("p: ", path, true, out, sizeof out), 0);
    assert_string_equal(out, "from-file");
}

static void test_password_file_line_ending_is_stripped(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(nm_password_get(NULL, password_file("crlf\r\n", 6), false, out, 64), 0);
    assert_string_equal(out, "crlf");
    assert_int_equal(nm_password_get(NULL, password_file("no newline", 10), false, out, 64), 0);
    assert_string_equal(out, "no newline");
    assert_int_equal(nm_password_get(NULL, password_file(" spaces kept ", 13), false, out, 64),
                     0);
    assert_string_equal(out, " spaces kept ");
}

static void test_environment_is_used_without_a_password_file(void **state)
{
    char out[64];
    (void)state;
    setenv("NEUROMESH_PASSWORD", "from-env", 1);
    assert_int_equal(nm_password_get("p: ", NULL, true, out, sizeof out), 0);
    assert_string_equal(out, "from-env");
}

static void test_missing_password_file_is_an_io_error_naming_it(void **state)
{
    char out[64];
    (void)state;
    setenv("NEUROMESH_PASSWORD", "from-env", 1); /* never a silent fallback */
    assert_int_equal(nm_password_get(NULL, "/nonexistent/pw.txt", false, out, sizeof out),
                     NM_E_IO);
    assert_non_null(strstr(nm_password_strerror(), "password file \"/nonexistent/pw.txt\""));
    assert_non_null(strstr(nm_password_strerror(), "No such file"));
}

static void test_empty_first_line_is_no_password(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(nm_password_get(NULL, password_file("\nsecond\n", 8), false, out, 64),
                     NM_E_NO_PASSWORD);
    assert_non_null(strstr(nm_password_strerror(), "empty"));
    assert_int_equal(nm_password_get(NULL, password_file("", 0), false, out, 64),
                     NM_E_NO_PASSWORD);
}

static void test_too_long_password_is_refused_and_wiped(void **state)
{
    char out[8], zero[8] = {0};
    (void)state;
    const char *path = password_file("123456789\n", 10);
    assert_int_equal(nm_password_get(NULL, path, false, out, sizeof out), NM_E_TOO_BIG);
    assert_memory_equal(out, zero, sizeof out);
    assert_int_equal(nm_password_get(NULL, password_file("1234567\n", 8), false, out, 8), 0);
    assert_string_equal(out, "1234567");
    setenv("NEUROMESH_PASSWORD", "123456789", 1);
    assert_int_equal(nm_password_get(NULL, NULL, false, out, sizeof out), NM_E_TOO_BIG);
}

/* Runs nm_password_get in a child that has no controlling terminal. */
static int run_without_tty(char *message, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char out[64];
        close(fds[0]);
        setsid(); /* a new session has no controlling terminal */
        int rc = nm_password_get("p: ", NULL, false, out, sizeof out);
        const char *msg = nm_password_strerror();
        if (write(fds[1], &rc, sizeof rc) != sizeof rc ||
            write(fds[1], msg, strlen(msg) + 1) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    int rc = 0, status = 0;
    assert_int_equal(read(fds[0], &rc, sizeof rc), sizeof rc);
    ssize_t n = read(fds[0], message, cap - 1);
    message[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return rc;
}

static void test_no_terminal_and_no_password_is_a_clear_error(void **state)
{
    char message[256];
    (void)state;
    assert_int_equal(run_without_tty(message, sizeof message), NM_E_NO_PASSWORD);
    assert_non_null(strstr(message, "--password-file"));
    assert_non_null(strstr(message, "NEUROMESH_PASSWORD"));
}

static void test_empty_environment_variable_counts_as_unset(void **state)
{
    char message[256];
    (void)state;
    setenv("NEUROMESH_PASSWORD", "", 1);
    assert_int_equal(run_without_tty(message, sizeof message), NM_E_NO_PASSWORD);
}

/* ---- the terminal prompt, through a pseudo-terminal -------------------- */

struct prompt_result {
    int rc;
    char password[64];
    char message[256];
    int echo_on_after;   /* ECHO set on the terminal after the call */
    int handler_calls;   /* the child's own SIGINT handler ran this often */
};

struct prompt_run {
    struct prompt_result result;
    int wait_status;
    int echo_on_at_end;  /* as the parent sees the terminal once the child is gone */
    char screen[4096];   /* everything the terminal showed */
};

static volatile sig_atomic_t own_handler_calls;

static void own_handler(int sig)
{
    (void)sig;
    own_handler_calls++;
}

static void prompt_child(const char *slave, int result_fd, bool confirm, bool own_sigint)
{
    struct prompt_result r;
    struct termios t;
    memset(&r, 0, sizeof r);
    alarm(10); /* never hang the test run */
    setsid();
    int tty = open(slave, O_RDWR); /* a session leader's first tty becomes its terminal */
    if (tty < 0)
        _exit(4);
    if (own_sigint) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = own_handler;
        sigaction(SIGINT, &sa, NULL);
    }
    unsetenv("NEUROMESH_PASSWORD");
    r.rc = nm_password_get("Password: ", NULL, confirm, r.password, sizeof r.password);
    snprintf(r.message, sizeof r.message, "%s", nm_password_strerror());
    r.echo_on_after = tcgetattr(tty, &t) == 0 && (t.c_lflag & ECHO);
    r.handler_calls = own_handler_calls;
    if (write(result_fd, &r, sizeof r) != sizeof r)
        _exit(3);
    _exit(0);
}

/* Appends what the terminal shows until want appears `times` times, the
 * child goes away, or 5 s pass. */
static void read_screen(int master, char *screen, size_t cap, const char *want, int times)
{
    for (int waited = 0; waited < 5000;) {
        if (want) {
            int seen = 0;
            for (const char *p = screen; (p = strstr(p, want)) != NULL; p += strlen(want))
                seen++;
            if (seen >= times)
                return;
        }
        struct pollfd pfd = {.fd = master, .events = POLLIN};
        int ready = poll(&pfd, 1, 50);
        if (ready == 0) {
            waited += 50;
            continue;
        }
        size_t len = strlen(screen);
        if (len + 1 >= cap)
            return;
        ssize_t n = read(master, screen + len, cap - 1 - len);
        if (n <= 0)
            return; /* EIO: the child closed the terminal */
        screen[len + (size_t)n] = '\0';
    }
}

/* Types each of lines after each prompt; "\003" is Ctrl-C. */
static void run_prompt(bool confirm, bool own_sigint, const char *const *lines, int count,
                       struct prompt_run *run)
{
    int fds[2];
    memset(run, 0, sizeof *run);
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char slave[256];
    snprintf(slave, sizeof slave, "%s", ptsname(master));
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(master);
        close(fds[0]);
        prompt_child(slave, fds[1], confirm, own_sigint);
    }
    close(fds[1]);
    for (int i = 0; i < count; i++) {
        /* Wait for the prompt: echo is off by then, so typing is safe. */
        read_screen(master, run->screen, sizeof run->screen, "assword: ", i + 1);
        assert_int_equal(write(master, lines[i], strlen(lines[i])), (ssize_t)strlen(lines[i]));
    }
    ssize_t n = read(fds[0], &run->result, sizeof run->result);
    read_screen(master, run->screen, sizeof run->screen, NULL, 0);
    assert_int_equal(waitpid(pid, &run->wait_status, 0), pid);
    struct termios t; /* on Linux the master reports the slave's settings */
    run->echo_on_at_end = tcgetattr(master, &t) == 0 && (t.c_lflag & ECHO);
    if (n != (ssize_t)sizeof run->result)
        run->result.rc = 1; /* the child died before reporting */
    close(fds[0]);
    close(master);
}

static void test_prompt_reads_the_terminal_without_echo(void **state)
{
    static const char *const lines[] = {"s3cret-typed\n"};
    struct prompt_run run;
    (void)state;
    run_prompt(false, false, lines, 1, &run);
    assert_int_equal(run.result.rc, 0);
    assert_string_equal(run.result.password, "s3cret-typed");
    assert_non_null(strstr(run.screen, "Password: "));
    assert_null(strstr(run.screen, "s3cret"));
    assert_true(run.result.echo_on_after);
}

static void test_prompt_with_confirm_accepts_matching_passwords(void **state)
{
    static const char *const lines[] = {"same\n", "same\n"};
    struct prompt_run run;
    (void)state;
    run_prompt(true, false, lines, 2, &run);
    assert_int_equal(run.result.rc, 0);
    assert_string_equal(run.result.password, "same");
    assert_non_null(strstr(run.screen, "Repeat password: "));
    assert_null(strstr(run.screen, "same"));
}

static void test_prompt_with_confirm_rejects_a_mismatch(void **state)
{
    static const char *const lines[] = {"first\n", "second\n"};
    struct prompt_run run;
    (void)state;
    run_prompt(true, false, lines, 2, &run);
    assert_int_equal(run.result.rc, NM_E_INVAL);
    assert_string_equal(run.result.password, ""); /* wiped */
    assert_non_null(strstr(run.result.message, "do not match"));
    assert_true(run.result.echo_on_after);
}

static void test_prompt_refuses_an_empty_password(void **state)
{
    static const char *const lines[] = {"\n"};
    struct prompt_run run;
    (void)state;
    run_prompt(true, false, lines, 1, &run);
    assert_int_equal(run.result.rc, NM_E_NO_PASSWORD);
    assert_null(strstr(run.screen, "Repeat")); /* not asked twice for nothing */
}

static void test_ctrl_c_at_the_prompt_restores_echo_and_reaches_the_handler(void **state)
{
    static const char *const lines[] = {"\003"};
    struct prompt_run run;
    (void)state;
    run_prompt(false, true, lines, 1, &run);
    assert_int_equal(run.result.rc, NM_E_NO_PASSWORD);
    assert_non_null(strstr(run.result.message, "interrupted"));
    assert_int_equal(run.result.handler_calls, 1);
    assert_true(run.result.echo_on_after);
}

static void test_ctrl_c_at_the_prompt_still_kills_by_default(void **state)
{
    static const char *const lines[] = {"\003"};
    struct prompt_run run;
    (void)state;
    run_prompt(false, false, lines, 1, &run);
    assert_true(WIFSIGNALED(run.wait_status));
    assert_int_equal(WTERMSIG(run.wait_status), SIGINT);
    assert_true(run.echo_on_at_end);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_password_file_wins_over_the_environment),
        T(test_password_file_line_ending_is_stripped),
        T(test_environment_is_used_without_a_password_file),
        T(test_missing_password_file_is_an_io_error_naming_it),
        T(test_empty_first_line_is_no_password),
        T(test_too_long_password_is_refused_and_wiped),
        T(test_no_terminal_and_no_password_is_a_clear_error),
        T(test_empty_environment_variable_counts_as_unset),
        T(test_prompt_reads_the_terminal_without_echo),
        T(test_prompt_with_confirm_accepts_matching_passwords),
        T(test_prompt_with_confirm_rejects_a_mismatch),
        T(test_prompt_refuses_an_empty_password),
        T(test_ctrl_c_at_the_prompt_restores_echo_and_reaches_the_handler),
        T(test_ctrl_c_at_the_prompt_still_kills_by_default),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
