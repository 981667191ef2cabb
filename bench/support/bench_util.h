/* bench_util.h - what every benchmark in bench/ needs: a seeded
 * splitmix64 generator, monotonic clocks, the resident memory and CPU time
 * of a process, and a check that stops the benchmark with a message. */
#ifndef NM_BENCH_UTIL_H
#define NM_BENCH_UTIL_H

#include <stdint.h>
#include <sys/types.h>

/* The next value of the splitmix64 sequence at *state. */
uint64_t bench_splitmix(uint64_t *state);
double bench_now_s(void);
double bench_now_ms(void);
uint64_t bench_now_ns(void);
/* The first value FORMAT (one %lld) reads from a line of the file at
 * PATH (a /proc file), or -1. */
long long bench_proc_value(const char *path, const char *format);
/* VmRSS of pid in KiB, or -1. */
long bench_rss_kb(pid_t pid);
/* CPU seconds (user + system, all threads) pid has used so far, from
 * /proc/PID/stat; -1 when it cannot be read. */
double bench_cpu_s(pid_t pid);
/* CPU seconds (user + system) of this process so far (getrusage). */
double bench_self_cpu_s(void);
/* CPU seconds of the calling thread so far. */
double bench_thread_cpu_s(void);
/* Removes dir and everything under it (a benchmark's temporary files). */
void bench_rm_tree(const char *dir);
/* On err (an NM_E_*), prints "prog: what: message" and exits 1. */
void bench_check(const char *prog, int err, const char *what);

#endif
