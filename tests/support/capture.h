/* capture.h - runs a program entry point (int fn(int argc, char **argv))
 * in the test process with its stdout and stderr captured, for tests of
 * command lines: usage errors, help text, exit codes. cmocka only. */
#ifndef NM_TESTS_CAPTURE_H
#define NM_TESTS_CAPTURE_H

#include <stddef.h>

/* Runs fn on the NULL-terminated words (argv[0] first); what it printed on
 * stdout goes to out and on stderr to err (each cut to its cap, ended by
 * '\0'). Returns fn's result. */
int cap_run(int (*fn)(int argc, char **argv), const char *const *words, char *out,
            size_t out_cap, char *err, size_t err_cap);

#endif
