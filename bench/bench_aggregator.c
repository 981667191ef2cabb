/* bench_aggregator.c - the aggregator's speed (issue 13). Starts a dev node
 * and `neuromesh aggregator` (children of this process, killed by PID at
 * the end), one in-process miner (gRPC C core, echo backend) registered on
 * a CODE_GEN subnet, then measures with one keep-alive HTTP/1.1 client:
 *   1. overhead: queries paced at 1,000 req/s (4 connections, each 250/s,
 *      Cache-Control: no-store so every one reaches the miner) beside the
 *      same rate of direct gRPC Infer calls: p50 and p99 of each and the
 *      difference (aim: p99 added < 1 ms);
 *   2. cache hits at 64 connections, closed loop: req/s beside a minimal
 *      libwebsockets HTTP server answering the same body (aim >= 0.8x),
 *      on lws's own poll loop (the comparison) and on a libuv loop
 *      of its own through lws's libuv event lib (as the aggregator runs);
 *      with each server's CPU time per answer, which the machine's load
 *      moves less than req/s; then the same two minimal servers in a
 *      process of their own, as the aggregator is (bench/support/minimal_http.c);
 *   3. the same cache hits through a second aggregator whose limiter is in
 *      Redis (--redis; a redis-server child on a free port; the takes of
 *      one loop turn go in one EVALSHA), beside the first aggregator's
 *      in-memory limiter measured in the same run (aim >= 0.5x).
 * Prints figures, never fails on time. Run from the repo root:
 *   build/bench/bench_aggregator [SECONDS_PER_RUN]   (default 3) */
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/server.h"
#include "node/schema_json/schema_json.h"
#include "bench/support/bench_util.h"
#include "bench/support/minimal_http.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LAT 4000000
static const char input[] = "{\"prompt\":\"echo me\",\"language\":\"python\"}";
static char query_body[256];
static const char *bin = "./neuromesh";

static int64_t now_us(void)
{
    return (int64_t)(bench_now_ns() / 1000);
}

/* CPU time (user + system) a process has used so far, in microseconds. */
static int64_t process_cpu_us(pid_t pid)
{
    return (int64_t)(bench_cpu_s(pid) * 1e6);
}

/* Context switches of all a process's threads so far (each one a wake-up
 * that waits for a core when the machine is busy: what makes tails). */
static long process_switches(pid_t pid)
{
    char path[64], line[128];
    long total = 0;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char status[600];
        snprintf(status, sizeof status, "%s/%s/status", path, e->d_name);
        FILE *f = fopen(status, "r");
        while (f && fgets(line, sizeof line, f)) {
            long n;
            if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
                sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
                total += n;
        }
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return total;
}

/* The machine's load average (the figures move with it on a shared box). */
static void print_load(const char *when)
{
    char buf[128] = "";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = 0;
    printf("load average %s: %s\n", when, buf);
}

static pid_t spawn(char *const argv[], const char *log)
{
    pid_t p = fork();
    if (p == 0) {
        FILE *f = freopen(log, "w", stderr);
        (void)f;
        execv(argv[0], argv);
        _exit(127);
    }
    return p;
}

static int read_port(const char *file, pid_t pid)
{
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(file, "r");
        int port = 0;
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (port > 0)
            return port;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(100000);
    }
    return -1;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request on a keep-alive connection: the HTTP status (-1 on failure),
 * the whole answer in buf (NUL-terminated) and its length in *got. */
static int http_exchange(int fd, const char *req, size_t len, char *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (write(fd, req, len) != (ssize_t)len)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf + *got, cap - 1 - *got);
        if (n <= 0)
            return -1;
        *got += (size_t)n;
        buf[*got] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        char *cl = strcasestr(buf, "content-length:");
        size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
        if (*got >= (size_t)(end + 4 - buf) + body)
            return atoi(buf + 9);
    }
}

static int http_call(int fd, const char *req, size_t len)
{
    char buf[65536];
    size_t got;
    return http_exchange(fd, req, len, buf, sizeof buf, &got);
}

/* The aggregator's own view of those queries (its last 4096 requests, from
 * the request read to its answer ready, GET /v1/health),
 * which tells its part of a tail from the client's and the kernel's. */
static void print_own_view(int port)
{
    static const char get[] = "GET /v1/health HTTP/1.1\r\nHost: b\r\n\r\n";
    char answer[8192];
    size_t got = 0;
    double p50 = -1, p99 = -1;
    int fd = connect_to(port);
    if (fd >= 0 && http_exchange(fd, get, sizeof get - 1, answer, sizeof answer, &got) == 200) {
        const char *a = strstr(answer, "\"p50\":"), *b = strstr(answer, "\"p99\":");
        p50 = a ? atof(a + 6) : -1;
        p99 = b ? atof(b + 6) : -1;
    }
    if (fd >= 0)
        close(fd);
    printf("   the aggregator's own view (request read to answer ready): p50 %.3f ms  "
           "p99 %.3f ms\n", p50, p99);
}

static size_t make_request(char *out, size_t cap, const char *path, bool no_store)
{
    return (size_t)snprintf(out, cap,
                            "POST %s HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n"
                            "%sContent-Length: %zu\r\n\r\n%s",
                            path, no_store ? "Cache-Control: no-store\r\n" : "",
                            strlen(query_body), query_body);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) &&
        !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* A redis-server child on a free loopback port; its port, or -1. */
static int start_redis(const char *log, pid_t *pid)
{
    int port = free_port();
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    char *argv[] = {"/usr/bin/redis-server", "--port", p, "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", NULL};
    *pid = spawn(argv, log);
    for (int i = 0; i < 100; i++) {
        int fd = connect_to(port);
        if (fd >= 0) {
            close(fd);
            return port;
        }
        usleep(20000);
    }
    return -1;
}

/* redis-server and a second aggregator whose limits live there (fail
 * closed, so every answer it gives passed Redis); its port, or -1. */
static int start_redis_aggregator(const char *tmp, const char *node_url, pid_t *redis,
                                  pid_t *agg2)
{
    char log[300], url[64], port_file[300], cmd[400];
    snprintf(log, sizeof log, "%s/redis.log", tmp);
    int rport = start_redis(log, redis);
    if (rport < 0)
        return -1;
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", rport);
    snprintf(port_file, sizeof port_file, "%s/agg2.port", tmp);
    char *argv[] = {(char *)bin, "aggregator", "--node", (char *)node_url, "--listen",
                    "127.0.0.1:0", "--port-file", port_file, "--rate", "1000000", "--burst",
                    "1000000", "--health-ms", "200", "--redis", url, "--redis-down", "closed",
                    NULL};
    snprintf(log, sizeof log, "%s/agg2.log", tmp);
    *agg2 = spawn(argv, log);
    int port = read_port(port_file, *agg2);
    if (port < 0) {
        fprintf(stderr, "bench_aggregator: the Redis aggregator did not start:\n");
        snprintf(cmd, sizeof cmd, "cat %s >&2", log);
        if (system(cmd) != 0)
            fprintf(stderr, "(no log)\n");
    }
    return port;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct load {
    int port;                 /* HTTP target, or 0 for direct gRPC */
    struct nm_miner_client *grpc;
    const char *path;
    bool no_store;
    int64_t interval_us;      /* paced; 0: closed loop */
    int64_t until_us;
    atomic_long ok, errors;
    int64_t *lat;
    atomic_long nlat;
};

static void *load_thread(void *arg)
{
    struct load *l = arg;
    char req[1024];
    size_t len = make_request(req, sizeof req, l->path ? l->path : "/", l->no_store);
    int fd = l->port ? connect_to(l->port) : -1;
    int64_t next = now_us();
    while (now_us() < l->until_us) {
        if (l->interval_us) {
            int64_t wait = next - now_us();
            if (wait > 0)
                usleep((useconds_t)wait);
            next += l->interval_us;
        }
        int64_t t0 = now_us();
        bool ok;
        if (l->port) {
            ok = fd >= 0 && http_call(fd, req, len) == 200;
        } else {
            struct nm_miner_result r = {0};
            ok = nm_miner_client_infer(l->grpc, input, 5000, &r) == 0 && r.status == 0;
            nm_miner_result_fini(&r);
        }
        int64_t dt = now_us() - t0;
        atomic_fetch_add(ok ? &l->ok : &l->errors, 1);
        long i = atomic_fetch_add(&l->nlat, 1);
        if (i < MAX_LAT)
            l->lat[i] = dt;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static long last_ok; /* answers of the last run() */

/* Runs threads x load for seconds; fills p50/p99 (us) and returns req/s. */
static double run(struct load *proto, int threads, double seconds, int64_t *p50, int64_t *p99)
{
    struct load *l = proto;
    l->lat = malloc(MAX_LAT * sizeof *l->lat);
    atomic_store(&l->ok, 0);
    atomic_store(&l->errors, 0);
    atomic_store(&l->nlat, 0);
    int64_t start = now_us();
    l->until_us = start + (int64_t)(seconds * 1e6);
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, load_thread, l);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double elapsed = (now_us() - start) / 1e6;
    long n = atomic_load(&l->nlat) < MAX_LAT ? atomic_load(&l->nlat) : MAX_LAT;
    qsort(l->lat, (size_t)n, sizeof *l->lat, cmp_i64);
    *p50 = n ? l->lat[n / 2] : 0;
    *p99 = n ? l->lat[(n - 1) * 99 / 100] : 0;
    free(l->lat);
    if (atomic_load(&l->errors))
        printf("  (%ld errors)\n", atomic_load(&l->errors));
    last_ok = atomic_load(&l->ok);
    return atomic_load(&l->ok) / elapsed;
}

static size_t plain_answer_len; /* the minimal server's answer's bytes */

/* The minimal server on its own thread (on lws's poll loop, or on a libuv
 * loop of ours), loaded by the same client as the aggregator. */
static double plain_run(bool on_libuv, double seconds, int64_t *p50, int64_t *p99,
                        double *cpu_per_req)
{
    struct minimal_http *m;
    int port = minimal_http_start(&m, on_libuv);
    double rate = 0;
    *p50 = *p99 = 0;
    if (port > 0) {
        struct load pl = {.port = port, .path = "/"};
        char req[1024], answer[8192];
        size_t len = make_request(req, sizeof req, "/", false);
        int fd = connect_to(port);
        if (fd >= 0 && http_exchange(fd, req, len, answer, sizeof answer, &plain_answer_len) < 0)
            plain_answer_len = 0;
        if (fd >= 0)
            close(fd);
        rate = run(&pl, 64, seconds, p50, p99);
    }
    int64_t cpu = minimal_http_stop(m);
    *cpu_per_req = port > 0 && last_ok ? (double)cpu / (double)last_ok : 0;
    return rate;
}

/* Hands the child the answer, loads it like the others; its req/s, and
 * the child's CPU time per answer (the whole process, as the aggregator's). */
static double minimal_proc_run(struct minimal_proc *m, const char *answer, size_t alen,
                               double seconds, int64_t *p50, int64_t *p99, double *cpu)
{
    int port = minimal_proc_serve(m, answer, alen);
    *p50 = *p99 = 0;
    *cpu = 0;
    if (port <= 0)
        return 0;
    struct load pl = {.port = port, .path = "/"};
    int64_t cpu0 = process_cpu_us(m->pid);
    double rate = run(&pl, 64, seconds, p50, p99);
    *cpu = last_ok ? (double)(process_cpu_us(m->pid) - cpu0) / (double)last_ok : 0;
    return rate;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    if (seconds <= 0)
        seconds = 3;
    signal(SIGPIPE, SIG_IGN);
    struct minimal_proc mp_poll, mp_uv; /* forked now: one thread here yet */
    minimal_proc_start(&mp_poll, false);
    minimal_proc_start(&mp_uv, true);
    snprintf(query_body, sizeof query_body, "{\"input\":%s,\"k\":1,\"timeout_ms\":5000}", input);
    char tmp[] = "/tmp/nm-bench-agg.XXXXXX", f[256], cmd[1024], err[256];
    if (!mkdtemp(tmp))
        return 1;
    setenv("NEUROMESH_HOME", tmp, 1);
    char *node_argv[] = {(char *)bin, "node", "--dev", "--tmp", "--rpc-port", "0",
                         "--port-file", NULL, NULL};
    char node_port_file[300];
    snprintf(node_port_file, sizeof node_port_file, "%s/node.port", tmp);
    node_argv[7] = node_port_file;
    snprintf(f, sizeof f, "%s/node.log", tmp);
    pid_t node = spawn(node_argv, f), agg = -1, redis = -1, agg2 = -1;
    int node_port = read_port(node_port_file, node), rc = 1;
    struct nm_miner_backend *echo = NULL;
    struct nm_miner_server *srv = NULL;
    struct nm_miner_client *direct = NULL;
    if (node_port < 0) {
        fprintf(stderr, "bench_aggregator: the node did not start (%s)\n", f);
        goto out;
    }
    nm_miner_backend_echo_new(&echo, err, sizeof err);
    struct nm_miner_server_config cfg = {.listen = "127.0.0.1:0", .max_concurrency = 1000,
                                         .input_schema = nm_codegen_input_schema,
                                         .output_schema = nm_codegen_output_schema,
                                         .backend = echo, .threads = 2, .quiet = 1};
    if (nm_miner_server_start(&cfg, &srv, err, sizeof err))
        goto out;
    int mport = nm_miner_server_port(srv);
    snprintf(cmd, sizeof cmd,
             "%s exec --url ws://127.0.0.1:%d --as alice 'subnet create --name b --task CODE_GEN "
             "--emission-weight 10%%' >/dev/null && %s exec --url ws://127.0.0.1:%d --as bob "
             "'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:%d' >/dev/null",
             bin, node_port, bin, node_port, mport);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_aggregator: subnet or registration failed\n");
        goto out;
    }
    char url[64], agg_port_file[300];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d", node_port);
    snprintf(agg_port_file, sizeof agg_port_file, "%s/agg.port", tmp);
    char *agg_argv[] = {(char *)bin, "aggregator", "--node", url, "--listen", "127.0.0.1:0",
                        "--port-file", agg_port_file, "--rate", "1000000", "--burst",
                        "1000000", "--health-ms", "200", NULL};
    snprintf(f, sizeof f, "%s/agg.log", tmp);
    agg = spawn(agg_argv, f);
    int aport = read_port(agg_port_file, agg);
    if (aport < 0) {
        fprintf(stderr, "bench_aggregator: the aggregator did not start (%s)\n", f);
        goto out;
    }
    int a2port = start_redis_aggregator(tmp, url, &redis, &agg2);
    usleep(600000); /* a health round marks the miner healthy */
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", mport);
    nm_miner_client_new(target, &direct, err, sizeof err);

    printf("bench_aggregator: %.1f s per run, one echo miner, k=1, loopback, 2-core machine\n",
           seconds);
    print_load("at the start");
    int64_t d50, d99, a50, a99;
    struct load l = {.grpc = direct, .interval_us = 4000};
    double direct_rate = run(&l, 4, seconds, &d50, &d99);
    struct load h = {.port = aport, .path = "/v1/subnets/1/query", .no_store = true,
                     .interval_us = 4000};
    int64_t query_cpu0 = process_cpu_us(agg);
    long query_sw0 = process_switches(agg);
    double agg_rate = run(&h, 4, seconds, &a50, &a99);
    double query_cpu = last_ok ? (double)(process_cpu_us(agg) - query_cpu0) / (double)last_ok : 0;
    double query_sw = last_ok ? (double)(process_switches(agg) - query_sw0) / (double)last_ok : 0;
    printf("1. overhead at 1,000 req/s (4 x 250/s, every query to the miner):\n"
           "   direct gRPC Infer  %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms\n"
           "   via aggregator     %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms\n"
           "   added              p50 %+.3f ms  p99 %+.3f ms   (aim: p99 added < 1 ms)\n"
           "   aggregator per query (the whole process): CPU %.1f us, %.2f context switches\n",
           direct_rate, d50 / 1e3, d99 / 1e3, agg_rate, a50 / 1e3, a99 / 1e3,
           (a50 - d50) / 1e3, (a99 - d99) / 1e3, query_cpu, query_sw);
    print_own_view(aport);

    /* cache hits: warm the entry, then 64 connections closed loop */
    char req[1024];
    int fd = connect_to(aport);
    size_t len = make_request(req, sizeof req, "/v1/subnets/1/query", false), got = 0;
    static char hit_answer[65536]; /* a hit, for the minimal server to answer the same bytes */
    http_call(fd, req, len);
    int hit_status = http_exchange(fd, req, len, hit_answer, sizeof hit_answer, &got);
    close(fd);
    struct load c = {.port = aport, .path = "/v1/subnets/1/query"};
    int64_t c50, c99, p50, p99;
    int64_t agg_cpu0 = process_cpu_us(agg);
    double hit_rate = run(&c, 64, seconds, &c50, &c99);
    double hit_cpu = last_ok ? (double)(process_cpu_us(agg) - agg_cpu0) / (double)last_ok : 0;
    /* 3. the same hits through the aggregator whose limiter is in Redis,
     * right after (the minimal servers below run in this process) */
    int64_t r50 = 0, r99 = 0;
    double redis_rate = 0;
    int warm = -1;
    if (a2port > 0) {
        fd = connect_to(a2port);
        warm = http_call(fd, req, len);
        close(fd);
        struct load r = {.port = a2port, .path = "/v1/subnets/1/query"};
        redis_rate = run(&r, 64, seconds, &r50, &r99);
    }
    /* the same answer from a minimal lws server */
    if (hit_status != 200 || !minimal_http_set_answer(hit_answer)) {
        fprintf(stderr, "bench_aggregator: no cache hit to copy (status %d)\n", hit_status);
        goto out;
    }
    double plain_cpu = 0, uv_cpu = 0, pp_cpu = 0, pu_cpu = 0;
    double plain_rate = plain_run(false, seconds, &p50, &p99, &plain_cpu);
    int64_t u50 = 0, u99 = 0, pp50, pp99, pu50, pu99;
    double uv_rate = plain_run(true, seconds, &u50, &u99, &uv_cpu);
    double pp_rate = minimal_proc_run(&mp_poll, hit_answer, got, seconds, &pp50, &pp99, &pp_cpu);
    double pu_rate = minimal_proc_run(&mp_uv, hit_answer, got, seconds, &pu50, &pu99, &pu_cpu);
    printf("2. cache hits, 64 connections, closed loop:\n"
           "   aggregator (hits)  %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms\n"
           "   minimal lws server %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms  (lws's own poll loop;\n"
           "                      the same headers and body as the aggregator's hit:\n"
           "                      %zu bytes beside its %zu)\n"
           "   same, lws on libuv %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms  (the aggregator's event lib)\n"
           "   ratio %.2fx to the minimal server, %.2fx to it on libuv   (aim: >= 0.8x)\n"
           "   server CPU per answer (load-independent): aggregator %.1f us (the whole\n"
           "   process), minimal server %.1f us, on libuv %.1f us (its thread)\n",
           hit_rate, c50 / 1e3, c99 / 1e3, plain_rate, p50 / 1e3, p99 / 1e3, plain_answer_len,
           got, uv_rate,
           u50 / 1e3, u99 / 1e3, plain_rate > 0 ? hit_rate / plain_rate : 0,
           uv_rate > 0 ? hit_rate / uv_rate : 0, hit_cpu, plain_cpu, uv_cpu);
    printf("   the same two minimal servers in a process of their own, as the aggregator is:\n"
           "   poll loop          %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms  CPU per answer %.1f us\n"
           "   libuv              %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms  CPU per answer %.1f us\n"
           "   ratio %.2fx to the poll loop one, %.2fx to the libuv one\n",
           pp_rate, pp50 / 1e3, pp99 / 1e3, pp_cpu, pu_rate, pu50 / 1e3, pu99 / 1e3, pu_cpu,
           pp_rate > 0 ? hit_rate / pp_rate : 0, pu_rate > 0 ? hit_rate / pu_rate : 0);
    if (a2port > 0)
        printf("3. Redis limiter on (--redis, fail closed: every answer passed Redis), cache\n"
               "   hits, 64 connections, closed loop (warm-up answer %d), right after 2.:\n"
               "   limiter in Redis   %7.0f req/s  p50 %5.3f ms  p99 %5.3f ms\n"
               "   limiter in memory  %7.0f req/s  (the aggregator (hits) figure above)\n"
               "   ratio %.2fx   (aim: >= 0.5x)\n",
               warm, redis_rate, r50 / 1e3, r99 / 1e3, hit_rate,
               hit_rate > 0 ? redis_rate / hit_rate : 0);
    else
        printf("3. Redis limiter: not measured (redis-server or its aggregator did not start)\n");
    print_load("at the end");
    rc = 0;
out:
    minimal_proc_stop(&mp_poll);
    minimal_proc_stop(&mp_uv);
    nm_miner_client_free(direct);
    if (agg > 0) {
        kill(agg, SIGTERM);
        waitpid(agg, NULL, 0);
    }
    if (agg2 > 0) {
        kill(agg2, SIGTERM);
        waitpid(agg2, NULL, 0);
    }
    if (redis > 0) {
        kill(redis, SIGKILL);
        waitpid(redis, NULL, 0);
    }
    if (node > 0) {
        kill(node, SIGKILL);
        waitpid(node, NULL, 0);
    }
    nm_miner_server_stop(srv);
    if (echo)
        nm_miner_backend_free(echo);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (getenv("NM_BENCH_KEEP"))
        fprintf(stderr, "bench_aggregator: logs kept in %s\n", tmp);
    else if (system(cmd) != 0)
        fprintf(stderr, "bench_aggregator: could not remove %s\n", tmp);
    return rc;
}
