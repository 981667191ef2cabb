/* bench_validator.c - a validator round's queries over 256 local miners
 * (issue 12): 256 gRPC miner servers in this process (240 echo, 16 that
 * never answer before the deadline), then nm_validator_query_all over all
 * of them at once, as a round does. Reports the round's wall time beside
 * the timeout. Target: timeout + under 100 ms. Scoring (sandboxed, ~tens of
 * ms per answer per core) is not part of this figure: see bench_sandbox.
 * Prints figures, never fails on time.
 * Usage: bench_validator [TIMEOUT_MS] [ROUNDS] (default 500, 3). */
#include "node/errors.h"
#include "node/miner/backend.h"
#include "node/miner/server.h"
#include "node/validator/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MINERS 256
#define SLOW 16

static int slow_infer(struct nm_miner_backend *b, const char *input, size_t len,
                      int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap)
{
    (void)b, (void)input, (void)len, (void)out, (void)out_len;
    int64_t left = deadline_ms - nm_miner_now_ms();
    if (left > 0)
        usleep((useconds_t)left * 1000);
    snprintf(err, cap, "too slow");
    return NM_E_TIMEOUT;
}

static const struct nm_miner_backend_ops slow_ops = {
    .kind = "slow", .blocking = true, .infer = slow_infer, .free = nm_miner_backend_plain_free};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    int timeout = argc > 1 ? atoi(argv[1]) : 500;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    if (timeout <= 0)
        timeout = 500;
    if (rounds <= 0)
        rounds = 3;
    char err[256];
    struct nm_miner_backend *echo, *slow;
    nm_miner_backend_echo_new(&echo, err, sizeof err);
    nm_miner_backend_plain_new(&slow_ops, &slow, err, sizeof err);
    static struct nm_miner_server *srv[MINERS];
    static char endpoints[MINERS][64];
    for (int i = 0; i < MINERS; i++) {
        struct nm_miner_server_config cfg = {.listen = "127.0.0.1:0", .threads = 1,
                                             .max_concurrency = 4, .timeout_ms = 60000,
                                             .backend = i < SLOW ? slow : echo, .quiet = 1};
        if (nm_miner_server_start(&cfg, &srv[i], err, sizeof err)) {
            fprintf(stderr, "bench_validator: miner %d: %s\n", i, err);
            return 1;
        }
        snprintf(endpoints[i], sizeof endpoints[i], "grpc://127.0.0.1:%d",
                 nm_miner_server_port(srv[i]));
    }
    printf("validator round over %d local miners (%d never answer in time), all at once\n",
           MINERS, SLOW);
    printf("(target: wall <= timeout + 100 ms; scoring excluded)\n");
    printf("%6s %10s %10s %10s %8s %8s\n", "round", "timeout", "wall ms", "over ms", "ok",
           "deadline");
    static struct nm_validator_query q[MINERS];
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < MINERS; i++)
            q[i] = (struct nm_validator_query){
                .endpoint = endpoints[i],
                .input = "{\"prompt\":\"p\",\"language\":\"python\"}"};
        double t0 = now_ms();
        nm_validator_query_all(q, MINERS, MINERS, timeout);
        double wall = now_ms() - t0;
        int ok = 0, late = 0;
        for (int i = 0; i < MINERS; i++) {
            ok += q[i].result.status == NM_GRPC_OK;
            late += q[i].result.status == NM_GRPC_DEADLINE_EXCEEDED;
            nm_miner_result_fini(&q[i].result);
        }
        printf("%6d %10d %10.1f %10.1f %8d %8d\n", r + 1, timeout, wall, wall - timeout, ok,
               late);
    }
    for (int i = 0; i < MINERS; i++)
        nm_miner_server_stop(srv[i]);
    nm_miner_backend_free(echo);
    nm_miner_backend_free(slow);
    return 0;
}
