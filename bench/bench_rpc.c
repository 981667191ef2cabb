/* bench_rpc.c - JSON-RPC load generator (issue: JSON-RPC limits and
 * metrics). Starts `neuromesh node --dev` with the limits lifted for the
 * load (--rpc-rate-limit 0, --rpc-max-connections 1100), opens N WebSocket
 * connections from one epoll thread (raw frames, no library in the way),
 * and runs a closed loop per connection: send one call, wait for its
 * reply, send the next. Reports requests/s and p50/p99 latency (send to
 * last byte of the reply) for system_health and account_get at 1, 64 and
 * 1000 connections, then the node's resident memory with 1000 idle
 * connections each subscribed to new heads. Targets (2-core machine):
 * 30,000 requests/s or more and p99 under 5 ms at 64 connections; 1000
 * idle subscribed connections under 100 MB. Never fails on time.
 * Usage: bench_rpc [PATH_TO_NEUROMESH] [SECONDS_PER_RUN] (default
 * ./build/neuromesh, 3). */
#include "bench/support/bench_util.h"
#include "node/crypto.h"
#include "node/ss58.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1000
#define RBUF 65536
#define WARMUP_MS 300

enum { HANDSHAKE, OPEN };

struct conn {
    int fd;
    int state;
    bool waiting; /* a call is out */
    uint64_t sent_ns;
    size_t rlen;
    unsigned char rbuf[RBUF];
};

static struct conn *conns;
static int epfd;
static uint32_t *samples;
static size_t nsamples, cap_samples;
static bool recording;
static uint64_t replies, notifications;

/* A masked text frame for text (mask 0: the payload stays as it is). */
static size_t make_frame(const char *text, unsigned char *out, size_t cap)
{
    size_t len = strlen(text), h = 0;
    if (len + 8 > cap)
        return 0;
    out[h++] = 0x81;
    if (len < 126) {
        out[h++] = (unsigned char)(0x80 | len);
    } else {
        out[h++] = 0x80 | 126;
        out[h++] = (unsigned char)(len >> 8);
        out[h++] = (unsigned char)len;
    }
    memset(out + h, 0, 4);
    h += 4;
    memcpy(out + h, text, len);
    return h + len;
}

static unsigned char frame[1024];
static size_t frame_len;

static void send_call(struct conn *c)
{
    c->sent_ns = bench_now_ns();
    c->waiting = true;
    size_t off = 0;
    while (off < frame_len) {
        ssize_t n = send(c->fd, frame + off, frame_len - off, MSG_NOSIGNAL);
        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
            return;
    }
}

static void record(uint64_t ns)
{
    if (!recording)
        return;
    if (nsamples == cap_samples) {
        cap_samples = cap_samples ? cap_samples * 2 : 1 << 20;
        samples = realloc(samples, cap_samples * sizeof *samples);
        if (!samples)
            exit(1);
    }
    samples[nsamples++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

/* Consumes complete frames in c->rbuf; a text frame with "id" is a reply. */
static void parse_frames(struct conn *c, bool loop_calls)
{
    size_t off = 0;
    for (;;) {
        if (c->rlen - off < 2)
            break;
        unsigned char *p = c->rbuf + off;
        uint64_t n = p[1] & 0x7f;
        size_t h = 2;
        if (n == 126) {
            if (c->rlen - off < 4)
                break;
            n = ((uint64_t)p[2] << 8) | p[3];
            h = 4;
        } else if (n == 127) {
            if (c->rlen - off < 10)
                break;
            n = 0;
            for (int i = 0; i < 8; i++)
                n = (n << 8) | p[2 + i];
            h = 10;
        }
        if (c->rlen - off < h + n)
            break;
        bool note = n > 20 && memmem(p + h, n < 64 ? n : 64, "\"method\"", 8);
        if (note) {
            notifications++;
        } else if (c->waiting) {
            c->waiting = false;
            replies++;
            record(bench_now_ns() - c->sent_ns);
            if (loop_calls)
                send_call(c);
        }
        off += h + n;
    }
    memmove(c->rbuf, c->rbuf + off, c->rlen - off);
    c->rlen -= off;
}

static int open_conn(struct conn *c, int port)
{
    char req[256];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        return -1;
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: "
             "Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n",
             port);
    if (send(c->fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
        return -1;
    /* the 101 head, read byte by byte so that no frame is eaten */
    char head[1024];
    size_t n = 0;
    while (n + 1 < sizeof head) {
        if (recv(c->fd, head + n, 1, 0) != 1)
            return -1;
        n++;
        if (n >= 4 && !memcmp(head + n - 4, "\r\n\r\n", 4))
            break;
    }
    if (strncmp(head, "HTTP/1.1 101", 12) != 0)
        return -1;
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    c->state = OPEN;
    c->rlen = 0;
    c->waiting = false;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static void close_conns(int n)
{
    for (int i = 0; i < n; i++)
        if (conns[i].fd >= 0) {
            close(conns[i].fd);
            conns[i].fd = -1;
        }
}

/* Runs the event loop for ms milliseconds. */
static void pump(int ms, bool loop_calls)
{
    struct epoll_event evs[256];
    uint64_t end = bench_now_ns() + (uint64_t)ms * 1000000ull;
    while (bench_now_ns() < end) {
        int n = epoll_wait(epfd, evs, 256, 10);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            for (;;) {
                ssize_t got = recv(c->fd, c->rbuf + c->rlen, RBUF - c->rlen, 0);
                if (got <= 0)
                    break;
                c->rlen += (size_t)got;
                parse_frames(c, loop_calls);
            }
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void run(int port, const char *label, const char *request, int nconns, int seconds)
{
    frame_len = make_frame(request, frame, sizeof frame);
    for (int i = 0; i < nconns; i++)
        if (open_conn(&conns[i], port)) {
            fprintf(stderr, "bench_rpc: connection %d failed: %s\n", i, strerror(errno));
            close_conns(i);
            return;
        }
    for (int i = 0; i < nconns; i++)
        send_call(&conns[i]);
    recording = false;
    pump(WARMUP_MS, true);
    nsamples = 0;
    recording = true;
    uint64_t t0 = bench_now_ns();
    pump(seconds * 1000, true);
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    recording = false;
    size_t n = nsamples;
    pump(200, false); /* let the last replies in */
    close_conns(nconns);
    qsort(samples, n, sizeof *samples, cmp_u32);
    double p50 = n ? samples[n / 2] / 1e6 : 0, p99 = n ? samples[n * 99 / 100] / 1e6 : 0;
    printf("%-14s %5d conns  %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms%s\n", label, nconns,
           (double)n / secs, p50, p99,
           nconns == 64 ? ((double)n / secs >= 30000 && p99 < 5 ? "  (target 30000 req/s, "
                                                                  "p99 < 5 ms: met)"
                                                                : "  (target 30000 req/s, "
                                                                  "p99 < 5 ms: NOT met)")
                        : "");
    fflush(stdout);
}

static void idle_subscribed(int port, pid_t node, int nconns)
{
    static const char sub[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_subscribeNewHeads\"}";
    long before = bench_rss_kb(node);
    frame_len = make_frame(sub, frame, sizeof frame);
    for (int i = 0; i < nconns; i++) {
        if (open_conn(&conns[i], port)) {
            fprintf(stderr, "bench_rpc: connection %d failed\n", i);
            close_conns(i);
            return;
        }
        send_call(&conns[i]);
    }
    notifications = 0;
    pump(3500, false); /* a few blocks: every connection gets its heads */
    long after = bench_rss_kb(node);
    printf("idle subscribed  %4d conns  node RSS %.1f MB (%.1f MB before connecting), "
           "%llu notifications in 3.5 s  (target < 100 MB: %s)\n",
           nconns, after / 1024.0, before / 1024.0, (unsigned long long)notifications,
           after >= 0 && after < 100 * 1024 ? "met" : "NOT met");
    close_conns(nconns);
}

int main(int argc, char **argv)
{
    const char *bin = argc > 1 ? argv[1] : "./build/neuromesh";
    int seconds = argc > 2 ? atoi(argv[2]) : 3;
    if (seconds < 1)
        seconds = 1;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (nm_crypto_init())
        return 1;
    struct nm_keypair alice;
    char addr[NM_SS58_STRLEN], account_req[256];
    nm_keypair_dev("alice", &alice);
    nm_ss58_encode(&alice.pub, addr);
    snprintf(account_req, sizeof account_req,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"account_get\",\"params\":[\"%s\"]}",
             addr);

    char dir[] = "/tmp/nm-bench-rpc-XXXXXX", port_file[128];
    if (!mkdtemp(dir))
        return 1;
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(bin, bin, "node", "--dev", "--base-path", dir, "--rpc-port", "0", "--port-file",
              port_file, "--quiet", "--no-prometheus", "--rpc-rate-limit", "0",
              "--rpc-rate-limit-ip", "0", "--rpc-max-connections", "1100", (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 100 && !port; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            if (fscanf(f, "%d", &port) != 1)
                port = 0;
            fclose(f);
        }
        if (!port)
            usleep(50000);
    }
    if (!port) {
        fprintf(stderr, "bench_rpc: the node did not start (%s)\n", bin);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return 1;
    }
    conns = calloc(MAX_CONNS, sizeof *conns);
    epfd = epoll_create1(0);
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;
    printf("bench_rpc: node %s on port %d, %d s per run, closed loop (one call in flight per "
           "connection)\n",
           bin, port, seconds);
    static const char health_req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}";
    const int counts[] = {1, 64, 1000};
    for (int k = 0; k < 3; k++)
        run(port, "system_health", health_req, counts[k], seconds);
    for (int k = 0; k < 3; k++)
        run(port, "account_get", account_req, counts[k], seconds);
    idle_subscribed(port, pid, 1000);

    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_rpc: could not remove %s\n", dir);
    free(conns);
    free(samples);
    return 0;
}
