/* miner_fixture.h - a real miner gRPC server on 127.0.0.1 (the CODE_GEN
 * schemas, quiet) and a blocking client to it, for the tests of the miner
 * server and of its clients. cmocka only (fails the test when either
 * cannot start). */
#ifndef NM_TESTS_MINER_FIXTURE_H
#define NM_TESTS_MINER_FIXTURE_H

#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/server.h"

struct tq_miner {
    struct nm_miner_server *server;
    struct nm_miner_client *client;
};

/* Serves backend (borrowed: free it after tq_miner_stop) with a deadline
 * of timeout_ms and at most max_conc calls at once. */
void tq_miner_start(struct tq_miner *m, struct nm_miner_backend *backend, int timeout_ms,
                    int max_conc);
/* Frees the client, then stops the server; fine on either being NULL. */
void tq_miner_stop(struct tq_miner *m);

#endif
