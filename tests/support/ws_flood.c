/* ws_flood.c - issue 17's flood as an attacker program (see ws_flood.h). */
#include "tests/support/ws_flood.h"

#include "tests/support/ws_raw.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define FLOOD_CLIENTS 2
#define FLOOD_VALUE_CLIENTS 4
#define FLOOD_HOLDERS 40
#define PIPELINED 8
#define VALUES 65000

/* Shared with the attacker's process (an anonymous shared mapping). */
struct wsr_flood {
    pid_t pid;
    int port;
    size_t max_request;
    atomic_long sent;
};

char *wsr_largest_request(size_t max_request, size_t *len)
{
    size_t n = max_request - 64;
    char *big = malloc(n);
    if (!big) /* also called on flood threads, where cmocka cannot assert */
        abort();
    int head = snprintf(big, n,
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_name\","
                        "\"params\":[\"");
    memset(big + head, 'x', n - (size_t)head - 3);
    memcpy(big + n - 3, "\"]}", 3);
    *len = n;
    return big;
}

static void *flood_client(void *arg)
{
    struct wsr_flood *fl = arg;
    size_t n = 0;
    char *big = wsr_largest_request(fl->max_request, &n);
    int fd = wsr_open(fl->port, NULL, NULL, 5000, 0);
    while (fd >= 0) {
        if (!wsr_send_frame(fd, 1, true, big, n))
            break;
        char *reply = wsr_recv_text(fd);
        if (!reply)
            break;
        free(reply);
        atomic_fetch_add(&fl->sent, 1);
    }
    if (fd >= 0)
        close(fd);
    free(big);
    return NULL;
}

/* Requests as costly to parse as allowed (65,000 values, ~10 ms each),
 * eight in flight per connection. */
static void *flood_values(void *arg)
{
    struct wsr_flood *fl = arg;
    size_t cap = 64 + 2 * VALUES, n = 0;
    char *req = malloc(cap + 64);
    if (!req)
        abort();
    n += (size_t)snprintf(req, cap, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[");
    for (int i = 0; i < VALUES; i++) {
        req[n++] = (char)('0' + i % 10);
        req[n++] = ',';
    }
    n--;
    n += (size_t)snprintf(req + n, 64, "]}");
    int fd = wsr_open(fl->port, NULL, NULL, 10000, 0);
    while (fd >= 0) {
        bool ok = true;
        for (int k = 0; k < PIPELINED && ok; k++)
            ok = wsr_send_frame(fd, 1, true, req, n);
        for (int k = 0; k < PIPELINED && ok; k++) {
            char *reply = wsr_recv_text(fd);
            ok = reply != NULL;
            free(reply);
        }
        if (!ok)
            break;
        atomic_fetch_add(&fl->sent, PIPELINED);
    }
    if (fd >= 0)
        close(fd);
    free(req);
    return NULL;
}

/* The attacker's process: never returns. */
static void flood_main(struct wsr_flood *fl)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    (void)setsid();
    (void)setpriority(PRIO_PROCESS, 0, 19); /* the threads below inherit it */
    pthread_t th[FLOOD_CLIENTS + FLOOD_VALUE_CLIENTS];
    for (int i = 0; i < FLOOD_CLIENTS + FLOOD_VALUE_CLIENTS; i++)
        if (pthread_create(&th[i], NULL, i < FLOOD_CLIENTS ? flood_client : flood_values, fl))
            _exit(1);
    static char part[64 * 1024];
    memset(part, '0', sizeof part);
    part[0] = '[';
    for (int i = 0; i < FLOOD_HOLDERS; i++) {
        int fd = wsr_open(fl->port, NULL, NULL, 3000, 0);
        if (fd >= 0)
            (void)wsr_send_frame(fd, 1, false, part, sizeof part);
    }
    for (;;)
        pause();
}

struct wsr_flood *wsr_flood_start(int port, size_t max_request)
{
    struct wsr_flood *fl =
        mmap(NULL, sizeof *fl, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (fl == MAP_FAILED)
        return NULL;
    fl->port = port;
    fl->max_request = max_request;
    atomic_init(&fl->sent, 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork(); /* not into fl: the child shares it */
    if (pid == 0)
        flood_main(fl);
    if (pid < 0) {
        munmap(fl, sizeof *fl);
        return NULL;
    }
    fl->pid = pid;
    return fl;
}

long wsr_flood_sent(const struct wsr_flood *fl)
{
    return atomic_load(&fl->sent);
}

void wsr_flood_stop(struct wsr_flood *fl)
{
    if (!fl)
        return;
    if (fl->pid > 0) { /* never 0 or -1: those would be whole process groups */
        kill(fl->pid, SIGKILL);
        waitpid(fl->pid, NULL, 0);
    }
    munmap(fl, sizeof *fl);
}
