/* query.h - one aggregator query, on the loop thread (issue 13, API-002):
 * forwards the input to the chosen miners over gRPC in parallel with one
 * deadline (the gRPC calls' own), without blocking: the calls start from
 * the loop and their answers come back to it (node/miner/client_async.h),
 * so a query costs no thread. Each output is validated against the
 * subnet's output schema (an answer that breaks it never reaches the
 * user), the valid ones are combined with the strategy, and the HTTP
 * status and JSON body are written. `first` answers as soon as one valid
 * answer is in and cancels the other calls (grpc_call_cancel: the miners
 * see the cancellation). */
#ifndef NM_API_QUERY_H
#define NM_API_QUERY_H

#include "api/chainview.h"
#include "api/strategy.h"
#include "node/miner/client_async.h"

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
};

/* Starts the query's calls through async (on the loop that runs it);
 * done(ud, job) runs on that loop once job->status and job->body are set:
 * later, or before this returns when there is no healthy miner to ask or
 * no call could start. Calls still running then (`first`) are cancelled
 * and end on their own; the job is the caller's from done on. */
void nm_api_query_start(struct nm_api_job *job, struct nm_miner_async *async,
                        void (*done)(void *ud, struct nm_api_job *job), void *ud);
void nm_api_job_free(struct nm_api_job *job);

/* Calls cancelled so far because `first` had its answer (loop thread). */
uint64_t nm_api_query_cancelled_total(void);

/* {"error":{"code":CODE,"message":MESSAGE}} (message cut to 300 bytes). */
char *nm_api_error_body(const char *code, const char *message);

int64_t nm_api_now_ms(void);
int64_t nm_api_now_us(void);

#endif
