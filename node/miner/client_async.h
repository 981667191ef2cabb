/* client_async.h - the miner client without blocking, for a libuv loop (the
 * aggregator's queries, issue 13): a call is started from the loop and its
 * answer comes back on the loop, so a query needs no thread of its own and
 * no thread per miner asked. All calls share one completion queue, which
 * one poller thread waits on (grpc_completion_queue_next); it hands each
 * finished call to the loop through a uv_async_t, DESIGN.md's only door
 * into a loop. The calls go through the channels of ordinary miner clients
 * (client.h), which their owner keeps alive until the calls are done.
 * Everything here but the poller runs on the loop's thread. */
#ifndef NM_MINER_CLIENT_ASYNC_H
#define NM_MINER_CLIENT_ASYNC_H

#include "node/miner/client.h"

#include <stddef.h>
#include <uv.h>

struct nm_miner_async;
struct nm_miner_call;

/* How finished calls reach the loop. THREAD: the poller thread above.
 * LOOP: no thread; the loop itself polls the queue with a zero deadline on
 * every turn while a call is in flight (a uv_idle_t, so the loop never
 * sleeps meanwhile). docs/aggregator.md compares the two; the aggregator
 * uses THREAD, or LOOP when NM_MINER_CQ=loop is set (for that comparison). */
enum nm_miner_async_poll {
    NM_MINER_POLL_THREAD,
    NM_MINER_POLL_LOOP,
};

/* A call's end, on the loop: res->status says how it went (CANCELLED after
 * nm_miner_call_cancel or the close, DEADLINE_EXCEEDED at the deadline).
 * The callback may take res->output (setting it to NULL); the rest of res
 * and the call itself are gone once it returns. */
typedef void (*nm_miner_done_fn)(void *ud, struct nm_miner_result *res);

/* 0, NM_E_NOMEM, or NM_E_IO when the poller thread cannot start. */
int nm_miner_async_new(uv_loop_t *loop, enum nm_miner_async_poll how,
                       struct nm_miner_async **out);
/* Infer(input) on the miner behind c, with its deadline timeout_ms from
 * now; done(ud, res) runs on the loop exactly once, later (never inside
 * this call). *call (may be NULL) is the handle for nm_miner_call_cancel,
 * valid until done runs. 0, or NM_E_NOMEM, or NM_E_IO (gRPC refused the
 * call, or a is closing): then done never runs. */
int nm_miner_async_infer(struct nm_miner_async *a, struct nm_miner_client *c, const char *input,
                         int timeout_ms, nm_miner_done_fn done, void *ud,
                         struct nm_miner_call **call);
/* Ends a call early (the aggregator's `first`): the miner sees it
 * cancelled and done runs soon with CANCELLED. Only before done ran. */
void nm_miner_call_cancel(struct nm_miner_call *call);
/* Calls started whose done has not run yet. */
size_t nm_miner_async_in_flight(const struct nm_miner_async *a);
/* Cancels the calls in flight and runs their done callbacks here (waiting
 * at most wait_ms for gRPC to hand them back), shuts the queue down, joins
 * the poller; the memory goes once the loop has run the handle's close
 * callback (run the loop after this). NULL is fine. */
void nm_miner_async_close(struct nm_miner_async *a, int wait_ms);

#endif
