/* query.c - validator queries to miners: retry with backoff, parallel. */
#include "node/validator/query.h"

#include "node/errors.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 256

int nm_validator_query_one(struct nm_validator_query *q, int timeout_ms)
{
    memset(&q->result, 0, sizeof q->result);
    struct nm_miner_client *c = NULL;
    char err[200];
    if (!q->endpoint || !*q->endpoint ||
        nm_miner_client_new(q->endpoint, &c, err, sizeof err)) {
        q->result.status = NM_GRPC_INVALID_ARGUMENT;
        snprintf(q->result.details, sizeof q->result.details,
                 "no usable endpoint (\"%.100s\")", q->endpoint ? q->endpoint : "");
        return NM_E_BAD_ENDPOINT;
    }
    int rc = 0;
    for (int attempt = 0;; attempt++) {
        if ((rc = nm_miner_client_infer(c, q->input, timeout_ms, &q->result)))
            break;
        int s = q->result.status;
        if ((s != NM_GRPC_UNAVAILABLE && s != NM_GRPC_RESOURCE_EXHAUSTED) || attempt == 2)
            break;
        nm_miner_result_fini(&q->result);
        usleep((useconds_t)(100000 << attempt));
    }
    nm_miner_client_free(c);
    return rc;
}

struct all {
    struct nm_validator_query *q;
    size_t n;
    int timeout_ms;
    atomic_size_t next;
};

static void *worker(void *arg)
{
    struct all *a = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&a->next, 1);
        if (i >= a->n)
            return NULL;
        nm_validator_query_one(&a->q[i], a->timeout_ms);
    }
}

void nm_validator_query_all(struct nm_validator_query *q, size_t n, int concurrency,
                            int timeout_ms)
{
    struct all a = {.q = q, .n = n, .timeout_ms = timeout_ms};
    atomic_init(&a.next, 0);
    size_t threads = concurrency > 0 ? (size_t)concurrency : 1;
    if (threads > n)
        threads = n;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    pthread_t th[MAX_THREADS];
    size_t started = 0;
    for (; started < threads; started++)
        if (pthread_create(&th[started], NULL, worker, &a) != 0)
            break;
    if (started == 0)
        worker(&a);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}
