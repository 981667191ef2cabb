/* query.h - one aggregator query, off the loop thread (issue 13, API-002):
 * forwards the input to the chosen miners over gRPC in parallel with one
 * deadline, validates each output against the subnet's output schema (an
 * answer that breaks it never reaches the user), combines the valid ones
 * with the strategy and writes the HTTP status and JSON body. `first`
 * answers as soon as one valid answer is in and cancels the other calls
 * (grpc_call_cancel: the miners see the cancellation). */
#ifndef NM_API_QUERY_H
#define NM_API_QUERY_H

#include "api/chainview.h"
#include "api/strategy.h"

#include <stddef.h>
#include <stdint.h>

#define NM_API_K_LIMIT 64

struct nm_api_job {
    /* set by the caller */
    uint64_t conn_id;
    struct nm_api_chainview *view;
    struct nm_api_snapshot *snap; /* acquired; released when the job is freed */
    const struct nm_api_subnet *subnet;
    char *input;         /* the input as sent to miners (malloc'd) */
    char *cache_key;     /* malloc'd, or NULL */
    char *raw_key;       /* the same answer under the request's exact bytes, or NULL */
    enum nm_api_strategy strategy;
    size_t k;
    int timeout_ms;
    int64_t started_ms;
    int64_t started_us;
    bool no_store;       /* Cache-Control: no-store: the answer is not kept */
    struct nm_api_server *server; /* the aggregator's, while the job waits for Redis */
    /* set by the query */
    int status;          /* HTTP status */
    char *body;          /* JSON (malloc'd) */
    uint32_t answered;
    struct nm_api_job *next; /* the caller's queue */
};

/* Runs the query on a new thread and calls done(ud, job) from it at the
 * end. NM_E_NOMEM when the thread cannot start (done never runs). */
int nm_api_query_start(struct nm_api_job *job, void (*done)(void *ud, struct nm_api_job *job),
                       void *ud);
/* Runs it on this thread (tests, benchmarks). */
void nm_api_query_run(struct nm_api_job *job);
void nm_api_job_free(struct nm_api_job *job);
/* Waits up to max_ms for every query and call thread to end (at exit:
 * the miner clients they use go with the chain view), then stops and joins
 * the worker threads (nm_api_workers_stop) unless a call is still stuck. */
void nm_api_query_drain(int max_ms);

/* Calls cancelled so far because `first` had its answer (all queries). */
uint64_t nm_api_query_cancelled_total(void);

/* {"error":{"code":CODE,"message":MESSAGE}} (message cut to 300 bytes). */
char *nm_api_error_body(const char *code, const char *message);

int64_t nm_api_now_ms(void);
int64_t nm_api_now_us(void);

#endif
