/* query.h - how the validator asks miners: one Infer with its deadline,
 * retried after 100 ms then 200 ms on UNAVAILABLE or RESOURCE_EXHAUSTED
 * (transient), never on DEADLINE_EXCEEDED; and many at once on a bounded
 * number of threads (used by validator rounds and bench_validator). */
#ifndef NM_VALIDATOR_QUERY_H
#define NM_VALIDATOR_QUERY_H

#include "node/miner/client.h"

#include <stddef.h>

struct nm_validator_query {
    const char *endpoint; /* grpc://HOST:PORT or HOST:PORT */
    const char *input;
    struct nm_miner_result result; /* status, details, output (fini it) */
};

/* One query: 0 when it ran (see q->result.status), NM_E_BAD_ENDPOINT for an
 * endpoint that is not HOST:PORT, NM_E_NOMEM. */
int nm_validator_query_one(struct nm_validator_query *q, int timeout_ms);
/* Every query, concurrency at a time. */
void nm_validator_query_all(struct nm_validator_query *q, size_t n, int concurrency,
                            int timeout_ms);

#endif
