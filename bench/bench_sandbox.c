/* bench_sandbox.c - what the scoring sandbox costs per run (issue 12):
 * the same program run N times under nm_sandbox_run (bubblewrap, seccomp,
 * rlimits) and under nm_sandbox_run_plain (fork + exec, same pipes and
 * limits), in the same run, interleaved. Target: under 20 ms over plain per
 * run. Prints figures, never fails on time.
 * Usage: bench_sandbox [RUNS] (default 50). */
#include "node/eval/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 50;
    if (runs <= 0)
        runs = 50;
    char dir[256];
    if (nm_sandbox_scratch_new(dir, sizeof dir)) {
        fprintf(stderr, "bench_sandbox: cannot make a scratch dir\n");
        return 1;
    }
    static const struct {
        const char *name;
        const char *argv[5];
        const char *plain0;
    } progs[] = {
        {"/bin/true", {"true", NULL}, "/bin/true"},
        {"python3 -I -c pass", {"python3", "-I", "-c", "pass", NULL}, "/usr/bin/python3"},
    };
    printf("sandbox overhead, %d runs each, interleaved (target: < 20 ms over plain)\n", runs);
    printf("%-22s %12s %12s %12s\n", "program", "plain ms", "sandbox ms", "overhead ms");
    for (size_t p = 0; p < sizeof progs / sizeof progs[0]; p++) {
        double plain = 0, boxed = 0;
        const char *pargv[5];
        for (int i = 0; i < 5; i++)
            pargv[i] = progs[p].argv[i];
        pargv[0] = progs[p].plain0;
        for (int i = 0; i < runs; i++) {
            struct nm_sandbox_result r;
            double t0 = now_s();
            if (nm_sandbox_run_plain(dir, pargv, NULL, &r) || r.exit_code != 0) {
                fprintf(stderr, "plain run failed: %s\n", r.reason);
                return 1;
            }
            double t1 = now_s();
            nm_sandbox_result_fini(&r);
            if (nm_sandbox_run(dir, progs[p].argv, NULL, &r) || r.exit_code != 0) {
                fprintf(stderr, "sandboxed run failed: %s %s\n", r.reason, r.err);
                return 1;
            }
            double t2 = now_s();
            nm_sandbox_result_fini(&r);
            plain += t1 - t0;
            boxed += t2 - t1;
        }
        printf("%-22s %12.2f %12.2f %12.2f\n", progs[p].name, plain * 1000 / runs,
               boxed * 1000 / runs, (boxed - plain) * 1000 / runs);
    }
    nm_sandbox_scratch_remove(dir);
    return 0;
}
