/* bench_miner.c - miner Infer throughput (issue 12): our gRPC server
 * (gRPC C core, echo backend) and a python3-grpcio echo server
 * (tests/grpc/echo_server.py) measured in the same run with the same C
 * client, at 1 and 64 concurrent callers, each in a closed loop. Reports
 * calls/s and p50/p99 latency. Target: at least 5x the Python server's
 * throughput. Prints figures, never fails on time.
 * Usage: bench_miner [SECONDS_PER_RUN] (default 3); run from the repo root. */
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/server.h"
#include "node/schema_json/schema_json.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000

static const char input[] = "{\"prompt\":\"echo me\",\"language\":\"python\"}";

struct run {
    struct nm_miner_client *client;
    double seconds;
    atomic_long calls, errors;
    int32_t *lat_us; /* per call */
    atomic_long n_lat;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *caller(void *arg)
{
    struct run *r = arg;
    double end = now_s() + r->seconds;
    while (now_s() < end) {
        struct nm_miner_result res;
        double t0 = now_s();
        nm_miner_client_infer(r->client, input, 5000, &res);
        double dt = now_s() - t0;
        if (res.status != NM_GRPC_OK)
            atomic_fetch_add(&r->errors, 1);
        nm_miner_result_fini(&res);
        atomic_fetch_add(&r->calls, 1);
        long i = atomic_fetch_add(&r->n_lat, 1);
        if (i < MAX_SAMPLES)
            r->lat_us[i] = (int32_t)(dt * 1e6);
    }
    return NULL;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static double measure(const char *label, const char *target, int conc, double seconds)
{
    char err[200];
    struct run r = {.seconds = seconds};
    r.lat_us = malloc(MAX_SAMPLES * sizeof *r.lat_us);
    if (!r.lat_us || nm_miner_client_new(target, &r.client, err, sizeof err)) {
        fprintf(stderr, "bench_miner: client: %s\n", err);
        exit(1);
    }
    struct nm_miner_result warm;
    nm_miner_client_infer(r.client, input, 5000, &warm); /* connect first */
    nm_miner_result_fini(&warm);
    pthread_t th[64];
    double t0 = now_s();
    for (int i = 0; i < conc; i++)
        pthread_create(&th[i], NULL, caller, &r);
    for (int i = 0; i < conc; i++)
        pthread_join(th[i], NULL);
    double wall = now_s() - t0;
    long n = atomic_load(&r.n_lat) < MAX_SAMPLES ? atomic_load(&r.n_lat) : MAX_SAMPLES;
    qsort(r.lat_us, (size_t)n, sizeof *r.lat_us, cmp_i32);
    double rate = (double)atomic_load(&r.calls) / wall;
    printf("%-26s %4d %12.0f %10.3f %10.3f %8ld\n", label, conc, rate,
           n ? r.lat_us[(n - 1) / 2] / 1000.0 : 0, n ? r.lat_us[(n * 99 + 99) / 100 - 1] / 1000.0 : 0,
           atomic_load(&r.errors));
    nm_miner_client_free(r.client);
    free(r.lat_us);
    return rate;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    if (seconds <= 0)
        seconds = 3;
    signal(SIGPIPE, SIG_IGN);
    char err[256];
    struct nm_miner_backend *echo;
    struct nm_miner_server *srv;
    nm_miner_backend_echo_new(&echo, err, sizeof err);
    struct nm_miner_server_config cfg = {.listen = "127.0.0.1:0", .max_concurrency = 1000,
                                         .input_schema = nm_codegen_input_schema,
                                         .output_schema = nm_codegen_output_schema,
                                         .backend = echo, .threads = 2, .quiet = 1};
    if (nm_miner_server_start(&cfg, &srv, err, sizeof err)) {
        fprintf(stderr, "bench_miner: %s\n", err);
        return 1;
    }
    char ours[64], theirs[64];
    snprintf(ours, sizeof ours, "127.0.0.1:%d", nm_miner_server_port(srv));

    char tmp[] = "/tmp/nm-bench-miner.XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    char port_file[128], stubs[128];
    snprintf(port_file, sizeof port_file, "%s/port", tmp);
    snprintf(stubs, sizeof stubs, "%s/stubs", tmp);
    pid_t py = fork();
    if (py == 0) {
        execl("/usr/bin/python3", "python3", "tests/grpc/echo_server.py", stubs, port_file,
              "--workers", "64", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 100 && port == 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (!port)
            usleep(100000);
    }
    snprintf(theirs, sizeof theirs, "127.0.0.1:%d", port);
    printf("Infer with an echo backend, closed loop per caller, %.0f s per run, same C client\n",
           seconds);
    printf("(target: ours >= 5x the python3-grpcio server's calls/s)\n");
    printf("%-26s %4s %12s %10s %10s %8s\n", "server", "conc", "calls/s", "p50 ms", "p99 ms",
           "errors");
    for (int conc = 1; conc <= 64; conc *= 64) {
        double a = measure("neuromesh miner (C core)", ours, conc, seconds);
        double b = port ? measure("python3-grpcio", theirs, conc, seconds) : 0;
        if (b > 0)
            printf("%-26s %4d %12.1fx\n", "ratio", conc, a / b);
    }
    kill(py, SIGKILL);
    waitpid(py, NULL, 0);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_miner: could not remove %s\n", tmp);
    nm_miner_server_stop(srv);
    nm_miner_backend_free(echo);
    return 0;
}
