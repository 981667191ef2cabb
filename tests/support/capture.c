/* capture.c - an entry point run with stdout and stderr captured (see
 * capture.h). */
#include "tests/support/capture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#define CAP_WORDS 32

/* Points fd at a new temporary file; the old one is kept in *saved. */
static FILE *divert(int fd, int *saved)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    *saved = dup(fd);
    assert_true(*saved >= 0);
    assert_true(dup2(fileno(tmp), fd) >= 0);
    return tmp;
}

/* Puts fd back and reads what was written to tmp into buf. */
static void restore(int fd, int saved, FILE *tmp, char *buf, size_t cap)
{
    dup2(saved, fd);
    close(saved);
    rewind(tmp);
    size_t got = cap ? fread(buf, 1, cap - 1, tmp) : 0;
    if (cap)
        buf[got] = '\0';
    fclose(tmp);
}

int cap_run(int (*fn)(int argc, char **argv), const char *const *words, char *out,
            size_t out_cap, char *err, size_t err_cap)
{
    char *argv[CAP_WORDS + 1];
    int argc = 0;
    for (; words[argc]; argc++) {
        assert_true(argc < CAP_WORDS);
        argv[argc] = (char *)words[argc];
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int saved_out, saved_err;
    FILE *o = divert(STDOUT_FILENO, &saved_out), *e = divert(STDERR_FILENO, &saved_err);
    int rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    restore(STDERR_FILENO, saved_err, e, err, err_cap);
    restore(STDOUT_FILENO, saved_out, o, out, out_cap);
    return rc;
}
