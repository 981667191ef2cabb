/* minimal_http.h - bench_aggregator's reference (issue 13): a minimal
 * libwebsockets HTTP/1.1 server answering every request with the same bytes
 * as an aggregator's answer, on lws's own poll loop or on a libuv loop of
 * its own (foreign loop, as the aggregator runs), on a thread of the bench
 * or in a process of its own. */
#ifndef NM_BENCH_MINIMAL_HTTP_H
#define NM_BENCH_MINIMAL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The answer to copy (a whole HTTP answer, NUL-terminated): its body and
 * its headers but status line, content type and length, which lws writes;
 * false if it has no head. Before minimal_http_start. */
bool minimal_http_set_answer(const char *answer);

/* A server on a thread of this process: its port, or -1 (*out is still
 * for minimal_http_stop). */
struct minimal_http;
int minimal_http_start(struct minimal_http **out, bool on_libuv);
/* Stops and frees it; the CPU time its thread used, in microseconds. */
int64_t minimal_http_stop(struct minimal_http *m);

/* The same server in a process of its own, as the aggregator is (the
 * client's threads then switch to another process, not to a thread of
 * theirs). minimal_proc_start forks it: call it while this process has one
 * thread. It waits for the answer (minimal_proc_serve), serves it, and
 * ends at minimal_proc_stop or when this process goes. */
struct minimal_proc {
    pid_t pid;
    int to, from; /* the answer to it, its port from it */
};
void minimal_proc_start(struct minimal_proc *m, bool on_libuv);
/* Hands it the answer (len bytes): its port, or -1. */
int minimal_proc_serve(struct minimal_proc *m, const char *answer, size_t len);
void minimal_proc_stop(struct minimal_proc *m);

#endif
