/* miner_fixture.c - a miner server and its client for tests (see
 * miner_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/miner_fixture.h"

#include "node/schema_json/schema_json.h"

#include <stdio.h>

void tq_miner_start(struct tq_miner *m, struct nm_miner_backend *backend, int timeout_ms,
                    int max_conc)
{
    char err[256] = "";
    struct nm_miner_server_config cfg = {
        .listen = "127.0.0.1:0",
        .timeout_ms = timeout_ms,
        .max_concurrency = max_conc,
        .max_input_bytes = 64 * 1024,
        .input_schema = nm_codegen_input_schema,
        .output_schema = nm_codegen_output_schema,
        .backend = backend,
        .quiet = 1,
    };
    m->client = NULL;
    if (nm_miner_server_start(&cfg, &m->server, err, sizeof err))
        fail_msg("miner server: %s", err);
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", nm_miner_server_port(m->server));
    if (nm_miner_client_new(target, &m->client, err, sizeof err))
        fail_msg("miner client: %s", err);
}

void tq_miner_stop(struct tq_miner *m)
{
    nm_miner_client_free(m->client);
    nm_miner_server_stop(m->server);
    m->client = NULL;
    m->server = NULL;
}
