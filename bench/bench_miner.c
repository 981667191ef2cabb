/* bench_miner.c - miner Infer throughput (issue 12): our gRPC server
 * (gRPC C core, echo backend), a python3-grpcio echo server
 * (tests/grpc/echo_server.py) and a bare gRPC C core echo server with no
 * miner code, measured in the same run with the same C client, at 1 and 64
 * concurrent calls, each caller in a closed loop. Reports calls/s, p50/p99
 * latency and the CPU time each server and the client spent per call.
 * Target: ours at least 5x the Python server's calls/s. Prints figures,
 * never fails on time.
 * The servers run in child processes pinned to CPU 1 and the client on
 * CPU 0, so no server competes with the client for a core.
 * The client (default) keeps its N calls in flight on one completion queue
 * driven by one thread, so that its own CPU cost per call stays under the
 * servers'; --sync-client uses the validator's client instead
 * (nm_miner_client: one blocking thread per caller).
 * Usage: bench_miner [SECONDS_PER_RUN] [--rounds N] [--sync-client] [--only HOST:PORT]
 *        bench_miner --serve ours|bare PORT_FILE
 * (default 2 s, 3 rounds); run from the repo root. --only drives one server started
 * elsewhere and starts none; --serve runs one of the two C servers in the
 * foreground (say under valgrind --tool=callgrind) and writes its port to
 * PORT_FILE. */
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/server.h"
#include "node/schema_json/schema_json.h"

#include "node/miner/proto/miner.pb-c.h"

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 2000000
#define MAX_CONC 64
#define ROUNDS_MAX 9
#define INFER_METHOD "/neuromesh.miner.v1.MinerService/Infer"

static const char input[] = "{\"prompt\":\"echo me\",\"language\":\"python\"}";

struct run {
    double seconds;
    atomic_long calls, errors;
    int32_t *lat_us; /* per call */
    atomic_long n_lat;
    struct nm_miner_client *client; /* --sync-client */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_record(struct run *r, double dt, bool ok)
{
    if (!ok)
        atomic_fetch_add(&r->errors, 1);
    atomic_fetch_add(&r->calls, 1);
    long i = atomic_fetch_add(&r->n_lat, 1);
    if (i < MAX_SAMPLES)
        r->lat_us[i] = (int32_t)(dt * 1e6);
}

/* --sync-client: one thread per caller, each blocking in the validator's
 * client. */
static void *sync_caller(void *arg)
{
    struct run *r = arg;
    double end = now_s() + r->seconds;
    while (now_s() < end) {
        struct nm_miner_result res;
        double t0 = now_s();
        nm_miner_client_infer(r->client, input, 5000, &res);
        run_record(r, now_s() - t0, res.status == NM_GRPC_OK);
        nm_miner_result_fini(&res);
    }
    return NULL;
}

/* Each run returns the wall time of its measured window (after connecting). */
static double sync_run(struct run *r, const char *target, int conc)
{
    char err[200];
    if (nm_miner_client_new(target, &r->client, err, sizeof err)) {
        fprintf(stderr, "bench_miner: client: %s\n", err);
        exit(1);
    }
    struct nm_miner_result warm;
    nm_miner_client_infer(r->client, input, 5000, &warm); /* connect first */
    nm_miner_result_fini(&warm);
    pthread_t th[MAX_CONC];
    double t0 = now_s();
    for (int i = 0; i < conc; i++)
        pthread_create(&th[i], NULL, sync_caller, r);
    for (int i = 0; i < conc; i++)
        pthread_join(th[i], NULL);
    double wall = now_s() - t0;
    nm_miner_client_free(r->client);
    return wall;
}

/* The default client: conc Infer calls in flight on one completion queue,
 * each restarted when it completes (a closed loop per slot). Every call is
 * a full unary call (initial metadata, message, half-close; initial
 * metadata, message, status) whose InferResponse is decoded and checked. */
struct slot {
    grpc_call *call;
    grpc_byte_buffer *send, *recv;
    grpc_metadata_array initial, trailing;
    grpc_status_code status;
    grpc_slice details;
    double t0;
};

static grpc_slice request_bytes;

static void request_make(void)
{
    Neuromesh__Miner__V1__InferRequest req = NEUROMESH__MINER__V1__INFER_REQUEST__INIT;
    req.input = (char *)input;
    request_bytes = grpc_slice_malloc(neuromesh__miner__v1__infer_request__get_packed_size(&req));
    neuromesh__miner__v1__infer_request__pack(&req, GRPC_SLICE_START_PTR(request_bytes));
}

static int slot_start(struct slot *s, grpc_channel *ch, grpc_completion_queue *cq)
{
    memset(s, 0, sizeof *s);
    s->t0 = now_s();
    gpr_timespec deadline =
        gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(5000, GPR_TIMESPAN));
    grpc_slice m = grpc_slice_from_static_string(INFER_METHOD);
    s->call =
        grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL, deadline, NULL);
    s->send = grpc_raw_byte_buffer_create(&request_bytes, 1);
    s->details = grpc_empty_slice();
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = s->send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &s->recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &s->trailing;
    ops[5].data.recv_status_on_client.status = &s->status;
    ops[5].data.recv_status_on_client.status_details = &s->details;
    return grpc_call_start_batch(s->call, ops, 6, s, NULL) == GRPC_CALL_OK ? 0 : -1;
}

/* Releases the finished call; true when it was OK with an echo answer. */
static bool slot_finish(struct slot *s)
{
    bool ok = s->status == GRPC_STATUS_OK && s->recv;
    if (ok) {
        grpc_byte_buffer_reader rd;
        ok = grpc_byte_buffer_reader_init(&rd, s->recv);
        if (ok) {
            grpc_slice all = grpc_byte_buffer_reader_readall(&rd);
            grpc_byte_buffer_reader_destroy(&rd);
            Neuromesh__Miner__V1__InferResponse *resp =
                neuromesh__miner__v1__infer_response__unpack(NULL, GRPC_SLICE_LENGTH(all),
                                                             GRPC_SLICE_START_PTR(all));
            ok = resp && resp->output && strstr(resp->output, "echo me");
            if (resp)
                neuromesh__miner__v1__infer_response__free_unpacked(resp, NULL);
            grpc_slice_unref(all);
        }
    }
    if (s->recv)
        grpc_byte_buffer_destroy(s->recv);
    grpc_byte_buffer_destroy(s->send);
    grpc_slice_unref(s->details);
    grpc_metadata_array_destroy(&s->initial);
    grpc_metadata_array_destroy(&s->trailing);
    grpc_call_unref(s->call);
    return ok;
}

static double async_run(struct run *r, const char *target, int conc)
{
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    /* the minimal stack leaves out the client's optional filters
     * (compression, client-side deadline checks; the deadline still goes to
     * the server in grpc-timeout, which enforces it): a third less client
     * CPU per call, the same for every server */
    grpc_arg arg[2] = {
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, .value.integer = 1},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MINIMAL_STACK, .value.integer = 1},
    };
    grpc_channel_args args = {.num_args = 2, .args = arg};
    grpc_channel *ch = grpc_channel_create(target, creds, &args);
    grpc_channel_credentials_release(creds);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
    static struct slot slots[MAX_CONC];
    slot_start(&slots[0], ch, cq); /* connect first */
    grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_OP_COMPLETE)
        slot_finish(ev.tag);
    int live = 0;
    double t0 = now_s(), end = t0 + r->seconds;
    for (int i = 0; i < conc; i++)
        live += slot_start(&slots[i], ch, cq) == 0;
    while (live > 0) {
        ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type != GRPC_OP_COMPLETE)
            break;
        struct slot *s = ev.tag;
        double t = now_s();
        run_record(r, t - s->t0, ev.success && slot_finish(s));
        live--;
        if (t < end)
            live += slot_start(s, ch, cq) == 0;
    }
    double wall = now_s() - t0;
    grpc_channel_destroy(ch);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
    return wall;
}

/* CPU time (user + system, all threads) of process pid in seconds, from
 * /proc/PID/stat; -1 when unreadable. */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long long ut, st;
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static bool sync_client;

/* What one run against one server measured. */
struct figures {
    double rate, p50_ms, p99_ms, srv_us, cli_us; /* CPU time per call */
    long errors;
};

static struct figures measure(const char *target, pid_t server, int conc, double seconds)
{
    struct run r = {.seconds = seconds};
    r.lat_us = malloc(MAX_SAMPLES * sizeof *r.lat_us);
    if (!r.lat_us) {
        fprintf(stderr, "bench_miner: out of memory\n");
        exit(1);
    }
    double srv0 = proc_cpu_s(server), cli0 = self_cpu_s();
    double wall = sync_client ? sync_run(&r, target, conc) : async_run(&r, target, conc);
    double srv_cpu = proc_cpu_s(server) - srv0, cli_cpu = self_cpu_s() - cli0;
    long n = atomic_load(&r.n_lat) < MAX_SAMPLES ? atomic_load(&r.n_lat) : MAX_SAMPLES;
    qsort(r.lat_us, (size_t)n, sizeof *r.lat_us, cmp_i32);
    double calls = atomic_load(&r.calls) ? (double)atomic_load(&r.calls) : 1;
    struct figures f = {
        .rate = (double)atomic_load(&r.calls) / wall,
        .p50_ms = n ? r.lat_us[(n - 1) / 2] / 1000.0 : 0,
        .p99_ms = n ? r.lat_us[(n * 99 + 99) / 100 - 1] / 1000.0 : 0,
        .srv_us = srv_cpu * 1e6 / calls,
        .cli_us = cli_cpu * 1e6 / calls,
        .errors = atomic_load(&r.errors),
    };
    free(r.lat_us);
    return f;
}

static void figures_print(const char *label, int conc, const struct figures *f)
{
    printf("%-26s %4d %10.0f %8.3f %8.3f %6ld %9.1f %9.1f\n", label, conc, f->rate, f->p50_ms,
           f->p99_ms, f->errors, f->srv_us, f->cli_us);
}

static int cmp_rate(const void *a, const void *b)
{
    double x = ((const struct figures *)a)->rate, y = ((const struct figures *)b)->rate;
    return (x > y) - (x < y);
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

/* Forks a child pinned to CPU 1 that runs serve(fd): serve writes the port
 * it bound (0 on failure) to fd and serves until killed. */
static pid_t start_child(void (*serve)(int fd), int *port)
{
    int fds[2];
    *port = 0;
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        pin_to_cpu(1);
        serve(fds[1]);
        _exit(1);
    }
    close(fds[1]);
    if (pid < 0 || read(fds[0], port, sizeof *port) != (ssize_t)sizeof *port)
        *port = 0;
    close(fds[0]);
    return pid;
}

static const char *serve_port_file; /* --serve */

/* Tells the parent (through fd) or the --serve caller (in its port file)
 * the port bound; exits when there is none. */
static void report_port(int fd, int port)
{
    if (serve_port_file) {
        FILE *f = port ? fopen(serve_port_file, "w") : NULL;
        if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0)
            _exit(1);
        return;
    }
    if (write(fd, &port, sizeof port) != (ssize_t)sizeof port || port == 0)
        _exit(1);
    close(fd);
}

/* Our miner server, echo backend, as `neuromesh miner --backend echo`
 * configures it (schemas checked, the cap counted). */
static void serve_ours(int fd)
{
    char err[256];
    struct nm_miner_backend *echo;
    struct nm_miner_server *srv;
    nm_miner_backend_echo_new(&echo, err, sizeof err);
    struct nm_miner_server_config cfg = {.listen = "127.0.0.1:0",
                                         .max_concurrency = 1000,
                                         .input_schema = nm_codegen_input_schema,
                                         .output_schema = nm_codegen_output_schema,
                                         .backend = echo,
                                         .quiet = 1};
    int p = 0;
    if (nm_miner_server_start(&cfg, &srv, err, sizeof err) == 0)
        p = nm_miner_server_port(srv);
    else
        fprintf(stderr, "bench_miner: %s\n", err);
    report_port(fd, p);
    for (;;)
        pause();
}

/* The bare gRPC C core echo server: no miner code at all. Infer is a
 * registered method whose request message arrives with the call; the
 * request's bytes go back as the answer (an InferRequest without metadata
 * is, byte for byte, an InferResponse whose output is the input). One
 * thread, one completion queue, the same channel arguments as ours. */
struct bare_call {
    grpc_call *call;
    gpr_timespec deadline;
    grpc_metadata_array md;
    grpc_byte_buffer *payload;
    int cancelled;
    bool replying;
};

static void bare_accept(grpc_server *srv, void *method, grpc_completion_queue *cq)
{
    struct bare_call *c = calloc(1, sizeof *c);
    if (!c)
        _exit(1);
    grpc_metadata_array_init(&c->md);
    if (grpc_server_request_registered_call(srv, method, &c->call, &c->deadline, &c->md,
                                            &c->payload, cq, cq, c) != GRPC_CALL_OK)
        _exit(1);
}

static void serve_bare(int fd)
{
    grpc_init();
    grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
    grpc_server *srv = grpc_server_create(nm_miner_server_channel_args(0), NULL);
    void *method = grpc_server_register_method(srv, INFER_METHOD, NULL,
                                               GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
    grpc_server_register_completion_queue(srv, cq, NULL);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int p = grpc_server_add_http2_port(srv, "127.0.0.1:0", creds);
    grpc_server_credentials_release(creds);
    grpc_server_start(srv);
    for (int i = 0; i < 2 * MAX_CONC; i++)
        bare_accept(srv, method, cq);
    report_port(fd, p > 0 ? p : 0);
    grpc_slice empty = grpc_empty_slice();
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        struct bare_call *c = ev.tag;
        if (c->replying || !ev.success) {
            if (c->call)
                grpc_call_unref(c->call);
            if (c->payload)
                grpc_byte_buffer_destroy(c->payload);
            grpc_metadata_array_destroy(&c->md);
            free(c);
            continue;
        }
        bare_accept(srv, method, cq);
        grpc_op ops[4];
        memset(ops, 0, sizeof ops);
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
        ops[1].op = GRPC_OP_SEND_MESSAGE;
        ops[1].data.send_message.send_message = c->payload;
        ops[2].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
        ops[2].data.send_status_from_server.status = GRPC_STATUS_OK;
        ops[2].data.send_status_from_server.status_details = &empty;
        ops[3].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
        ops[3].data.recv_close_on_server.cancelled = &c->cancelled;
        c->replying = true;
        if (grpc_call_start_batch(c->call, ops, c->payload ? 4 : 3, c, NULL) != GRPC_CALL_OK)
            _exit(1);
    }
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
    double seconds = 2;
    int rounds = 3;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sync-client") == 0)
            sync_client = true;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--serve") == 0 && i + 2 < argc) {
            serve_port_file = argv[i + 2];
            if (strcmp(argv[i + 1], "ours") == 0)
                serve_ours(-1);
            else if (strcmp(argv[i + 1], "bare") == 0)
                serve_bare(-1);
            fprintf(stderr, "bench_miner: --serve ours|bare PORT_FILE\n");
            return 2;
        } else
            seconds = atof(argv[i]);
    }
    if (seconds <= 0)
        seconds = 2;
    if (rounds < 1 || rounds > ROUNDS_MAX)
        rounds = 3;
    if (only) {
        grpc_init();
        request_make();
        for (int conc = 1; conc <= MAX_CONC; conc *= MAX_CONC) {
            struct figures f = measure(only, 0, conc, seconds);
            figures_print(only, conc, &f);
        }
        return 0;
    }
    signal(SIGPIPE, SIG_IGN);
    char tmp[] = "/tmp/nm-bench-miner.XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    /* every server starts before this process makes any gRPC call (fork
     * after gRPC's threads start is unsafe) */
    int our_port, bare_port, py_port;
    pid_t ours = start_child(serve_ours, &our_port);
    pid_t bare = start_child(serve_bare, &bare_port);
    pid_t py = start_python_server(tmp, &py_port);
    int rc = 0;
    if (our_port == 0 || bare_port == 0) {
        fprintf(stderr, "bench_miner: a C server did not start\n");
        rc = 1;
        goto out;
    }
    pin_to_cpu(0);
    char ours_at[32], bare_at[32], py_at[32];
    snprintf(ours_at, sizeof ours_at, "127.0.0.1:%d", our_port);
    snprintf(bare_at, sizeof bare_at, "127.0.0.1:%d", bare_port);
    snprintf(py_at, sizeof py_at, "127.0.0.1:%d", py_port);
    grpc_init();
    request_make();
    printf("Infer with an echo backend, closed loop per caller, %.1f s per run, %d runs per "
           "server taking turns (median shown), same C client (%s)\n",
           seconds, rounds,
           sync_client ? "nm_miner_client, a thread per caller"
                       : "one thread, one completion queue");
    printf("(servers in their own processes on CPU 1, the client on CPU 0;\n"
           " srv/cli us/c: CPU time of the server process / of the client per call)\n");
    printf("(target: ours >= 5x the python3-grpcio server's calls/s)\n");
    printf("%-26s %4s %10s %8s %8s %6s %9s %9s\n", "server", "conc", "calls/s", "p50 ms", "p99 ms",
           "errors", "srv us/c", "cli us/c");
    /* the servers take turns, ROUNDS runs each; a server's row is its
     * median run by calls/s, so a burst of load from elsewhere on the
     * machine during one run does not decide the ratio */
    const char *labels[3] = {"neuromesh miner (C core)", "python3-grpcio",
                             "bare gRPC C core echo"};
    const char *at[3] = {ours_at, py_at, bare_at};
    pid_t pids[3] = {ours, py, bare};
    for (int conc = 1; conc <= MAX_CONC; conc *= MAX_CONC) {
        struct figures runs[3][ROUNDS_MAX], med[3];
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < 3; k++)
                if (k != 1 || py_port)
                    runs[k][round] = measure(at[k], pids[k], conc, seconds);
        for (int k = 0; k < 3; k++) {
            if (k == 1 && !py_port)
                continue;
            qsort(runs[k], (size_t)rounds, sizeof runs[k][0], cmp_rate);
            med[k] = runs[k][rounds / 2];
            figures_print(labels[k], conc, &med[k]);
        }
        if (py_port)
            printf("%-26s %4d %10.1fx   (bare C core: %.1fx); CPU per call python/ours: "
                   "%.1fx (bare: %.1fx)\n",
                   "ratio ours/python", conc, med[0].rate / med[1].rate, med[2].rate / med[1].rate,
                   med[1].srv_us / med[0].srv_us, med[1].srv_us / med[2].srv_us);
    }
    grpc_slice_unref(request_bytes);
    grpc_shutdown();
out:
    stop_server(py);
    stop_server(bare);
    stop_server(ours);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_miner: could not remove %s\n", tmp);
    return rc;
}
