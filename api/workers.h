/* workers.h - a cache of threads for the aggregator's blocking work (a
 * query, and one miner call per miner asked): a task runs on an idle
 * thread when there is one, else on a new one, so a busy aggregator stops
 * paying a thread creation (stack mmap, clone) twice per query, which
 * showed in its p99. Threads idle for 10 s end (joined by a later submitter
 * or the stop). Any thread may submit. */
#ifndef NM_API_WORKERS_H
#define NM_API_WORKERS_H

/* Runs fn(arg) on a worker thread. 0, or NM_E_NOMEM when no thread could
 * be had (fn never runs then). */
int nm_api_workers_run(void (*fn)(void *arg), void *arg);

/* At the aggregator's stop, after its queries drained: every worker ends
 * once its task returns and is joined (none is left running at exit, where
 * LeakSanitizer stops and scans every thread), and later submissions get
 * NM_E_NOMEM. Waits for the tasks still running. */
void nm_api_workers_stop(void);

#endif
