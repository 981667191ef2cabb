/* bench_miner.c - miner Infer throughput (issue 12): our gRPC server
 * (gRPC C core, echo backend) and a python3-grpcio echo server
 * (tests/grpc/echo_server.py) measured in the same run with the same C
 * client, at 1 and 64 concurrent callers, each in a closed loop. Reports
 * calls/s and p50/p99 latency. Target: at least 5x the Python server's
 * throughput. Prints figures, never fails on time.
 * Both servers run in child processes pinned to CPU 1 and the client on
 * CPU 0, so neither server competes with the client for a core.
 * Usage: bench_miner [SECONDS_PER_RUN] (default 3); run from the repo root. */
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/server.h"
#include "node/schema_json/schema_json.h"

#include <pthread.h>
#include <sched.h>
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

/* Pins the calling process to one CPU (when the machine has it), so the
 * servers share one core and the client has the other: the client's own
 * CPU no longer decides how fast a server looks. */
static void pin_to_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        fprintf(stderr, "bench_miner: cannot pin to CPU %d; figures share the cores\n", cpu);
}

/* Our miner server (echo backend) in a child process pinned to CPU 1;
 * writes its port to the pipe and runs until killed. */
static pid_t start_our_server(int *port)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        pin_to_cpu(1);
        char err[256];
        struct nm_miner_backend *echo;
        struct nm_miner_server *srv;
        nm_miner_backend_echo_new(&echo, err, sizeof err);
        struct nm_miner_server_config cfg = {.listen = "127.0.0.1:0", .max_concurrency = 1000,
                                             .input_schema = nm_codegen_input_schema,
                                             .output_schema = nm_codegen_output_schema,
                                             .backend = echo, .threads = 2, .quiet = 1};
        int p = 0;
        if (nm_miner_server_start(&cfg, &srv, err, sizeof err) == 0)
            p = nm_miner_server_port(srv);
        else
            fprintf(stderr, "bench_miner: %s\n", err);
        if (write(fds[1], &p, sizeof p) != (ssize_t)sizeof p || p == 0)
            _exit(1);
        for (;;)
            pause();
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], port, sizeof *port) != (ssize_t)sizeof *port)
        *port = 0;
    close(fds[0]);
    return pid;
}

/* The python3-grpcio echo server, pinned to CPU 1; its port comes back
 * through a file. */
static pid_t start_python_server(const char *dir, int *port)
{
    char port_file[160], stubs[160];
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    snprintf(stubs, sizeof stubs, "%s/stubs", dir);
    pid_t pid = fork();
    if (pid == 0) {
        pin_to_cpu(1);
        execl("/usr/bin/python3", "python3", "tests/grpc/echo_server.py", stubs, port_file,
              "--workers", "64", (char *)NULL);
        _exit(127);
    }
    *port = 0;
    for (int i = 0; i < 100 && *port == 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", port) != 1)
                *port = 0;
            fclose(f);
        }
        if (!*port)
            usleep(100000);
    }
    return pid;
}

static void stop_server(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    if (seconds <= 0)
        seconds = 3;
    signal(SIGPIPE, SIG_IGN);
    char tmp[] = "/tmp/nm-bench-miner.XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    /* both servers start before this process makes any gRPC call (fork
     * after gRPC's threads start is unsafe) */
    int our_port = 0, py_port = 0;
    pid_t ours_pid = start_our_server(&our_port);
    pid_t py = start_python_server(tmp, &py_port);
    if (our_port == 0) {
        fprintf(stderr, "bench_miner: our server did not start\n");
        stop_server(ours_pid);
        stop_server(py);
        return 1;
    }
    pin_to_cpu(0);
    char ours[64], theirs[64];
    snprintf(ours, sizeof ours, "127.0.0.1:%d", our_port);
    snprintf(theirs, sizeof theirs, "127.0.0.1:%d", py_port);
    printf("Infer with an echo backend, closed loop per caller, %.0f s per run, same C client\n",
           seconds);
    printf("(servers in their own processes on CPU 1, the client on CPU 0)\n");
    printf("(target: ours >= 5x the python3-grpcio server's calls/s)\n");
    printf("%-26s %4s %12s %10s %10s %8s\n", "server", "conc", "calls/s", "p50 ms", "p99 ms",
           "errors");
    for (int conc = 1; conc <= 64; conc *= 64) {
        double a = measure("neuromesh miner (C core)", ours, conc, seconds);
        double b = py_port ? measure("python3-grpcio", theirs, conc, seconds) : 0;
        if (b > 0)
            printf("%-26s %4d %12.1fx\n", "ratio", conc, a / b);
    }
    stop_server(py);
    stop_server(ours_pid);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_miner: could not remove %s\n", tmp);
    return 0;
}
