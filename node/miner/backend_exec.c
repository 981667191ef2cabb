/* backend_exec.c - exec:CMD backend: worker processes (sh -c CMD) that read
 * one JSON request per line on stdin and write one JSON answer per line on
 * stdout (docs/miner.md):
 *   -> {"id":7,"input":"{\"prompt\":...}"}
 *   <- {"id":7,"output":"{\"code\":...}"}   or   {"id":7,"error":"why"}
 * A worker that dies, answers garbage or passes the deadline is killed
 * (its whole process group) and started again on the next request. */
#include "node/miner/backend.h"
#include "node/miner/jsonl.h"

#include "node/errors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_MAX_WORKERS 256
#define EXEC_MAX_LINE ((size_t)4 << 20)

struct exec_worker {
    pid_t pid; /* 0: not running */
    int to_child, from_child;
    struct nm_jsonl reader;
    uint64_t next_id;
    bool busy;
};

struct exec_backend {
    struct nm_miner_backend base;
    char *cmd;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    int count;
    struct exec_worker workers[];
};

static void worker_stop(struct exec_worker *w)
{
    if (w->pid > 0) {
        kill(-w->pid, SIGKILL);
        kill(w->pid, SIGKILL);
        while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    if (w->to_child >= 0)
        close(w->to_child);
    if (w->from_child >= 0)
        close(w->from_child);
    w->pid = 0;
    w->to_child = w->from_child = -1;
    nm_jsonl_reset(&w->reader);
}

static int worker_start(struct exec_backend *eb, struct exec_worker *w, char *err, size_t cap)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        goto fail_pipe;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]), close(in[1]);
        goto fail_pipe;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        snprintf(err, cap, "exec backend: fork: %s", strerror(errno));
        return NM_E_IO;
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        setsid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(in[0], 0);
        dup2(out[1], 1);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", eb->cmd, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    w->pid = pid;
    w->to_child = in[1];
    w->from_child = out[0];
    nm_jsonl_reset(&w->reader);
    return 0;
fail_pipe:
    snprintf(err, cap, "exec backend: pipe: %s", strerror(errno));
    return NM_E_IO;
}

/* Waits for fd to be ready for events until deadline: 1 ready, 0 timeout. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
    for (;;) {
        int64_t left = deadline_ms - nm_miner_now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

static int worker_write(struct exec_worker *w, const char *line, size_t len,
                        int64_t deadline_ms, char *err, size_t cap)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(w->to_child, line + off, len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            int r = wait_fd(w->to_child, POLLOUT, deadline_ms);
            if (r == 0) {
                snprintf(err, cap, "exec worker did not read its input before the deadline");
                return NM_E_TIMEOUT;
            }
            if (r > 0)
                continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        snprintf(err, cap, "exec worker is gone (write: %s)", strerror(errno));
        return NM_E_IO;
    }
    return 0;
}

/* Reads lines until the answer to id; fills *out. */
static int worker_read(struct exec_worker *w, uint64_t id, int64_t deadline_ms, char **out,
                       size_t *out_len, char *err, size_t cap)
{
    for (;;) {
        size_t n;
        char *line;
        while ((line = nm_jsonl_next(&w->reader, &n))) {
            cJSON *doc = cJSON_ParseWithLength(line, n);
            const cJSON *jid = cJSON_GetObjectItemCaseSensitive(doc, "id");
            if (!cJSON_IsNumber(jid) || (uint64_t)jid->valuedouble != id) {
                cJSON_Delete(doc);
                snprintf(err, cap, "exec worker answered a line that is not {\"id\":%llu,...}",
                         (unsigned long long)id);
                return NM_E_DECODE;
            }
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, "output");
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
            int rc = 0;
            if (cJSON_IsString(o)) {
                *out = strdup(o->valuestring);
            } else if (cJSON_IsObject(o)) {
                *out = cJSON_PrintUnformatted(o);
            } else {
                snprintf(err, cap, "exec worker: %.200s",
                         cJSON_IsString(e) ? e->valuestring : "answer without output");
                rc = NM_E_INTERNAL;
            }
            cJSON_Delete(doc);
            if (rc)
                return rc;
            if (!*out) {
                snprintf(err, cap, "out of memory");
                return NM_E_NOMEM;
            }
            *out_len = strlen(*out);
            return 0;
        }
        char buf[65536];
        ssize_t r = read(w->from_child, buf, sizeof buf);
        if (r > 0) {
            int rc = nm_jsonl_feed(&w->reader, buf, (size_t)r);
            if (rc) {
                snprintf(err, cap, "exec worker wrote a line longer than %zu bytes",
                         EXEC_MAX_LINE);
                return rc;
            }
            continue;
        }
        if (r == 0) {
            snprintf(err, cap, "exec worker exited before answering");
            return NM_E_IO;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN) {
            snprintf(err, cap, "exec worker: read: %s", strerror(errno));
            return NM_E_IO;
        }
        int p = wait_fd(w->from_child, POLLIN, deadline_ms);
        if (p == 0) {
            snprintf(err, cap, "exec worker did not answer before the deadline");
            return NM_E_TIMEOUT;
        }
    }
}

static struct exec_worker *worker_take(struct exec_backend *eb, int64_t deadline_ms)
{
    pthread_mutex_lock(&eb->lock);
    for (;;) {
        for (int i = 0; i < eb->count; i++) {
            if (!eb->workers[i].busy) {
                eb->workers[i].busy = true;
                pthread_mutex_unlock(&eb->lock);
                return &eb->workers[i];
            }
        }
        int64_t d = deadline_ms;
        struct timespec ts = {.tv_sec = d / 1000, .tv_nsec = (d % 1000) * 1000000};
        if (pthread_cond_timedwait(&eb->freed, &eb->lock, &ts) == ETIMEDOUT) {
            pthread_mutex_unlock(&eb->lock);
            return NULL;
        }
    }
}

static void worker_give_back(struct exec_backend *eb, struct exec_worker *w)
{
    pthread_mutex_lock(&eb->lock);
    w->busy = false;
    pthread_cond_signal(&eb->freed);
    pthread_mutex_unlock(&eb->lock);
}

static int exec_infer(struct nm_miner_backend *b, const char *input, size_t len,
                      int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap)
{
    struct exec_backend *eb = (struct exec_backend *)b;
    struct exec_worker *w = worker_take(eb, deadline_ms);
    if (!w) {
        snprintf(err, cap, "every exec worker stayed busy until the deadline");
        return NM_E_TIMEOUT;
    }
    (void)len;
    int rc = 0;
    uint64_t id = ++w->next_id;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddNumberToObject(req, "id", (double)id);
    cJSON_AddStringToObject(req, "input", input);
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    size_t tlen = text ? strlen(text) : 0;
    char *line = text ? realloc(text, tlen + 2) : NULL;
    if (!line) {
        free(text);
        snprintf(err, cap, "out of memory");
        rc = NM_E_NOMEM;
        goto out;
    }
    line[tlen] = '\n';
    /* a worker found dead on write is restarted once and asked again */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (w->pid == 0) {
            if ((rc = worker_start(eb, w, err, cap)))
                break;
        }
        rc = worker_write(w, line, tlen + 1, deadline_ms, err, cap);
        if (rc == NM_E_IO) {
            worker_stop(w);
            continue;
        }
        if (rc == 0)
            rc = worker_read(w, id, deadline_ms, out, out_len, err, cap);
        break;
    }
    free(line);
    if (rc && rc != NM_E_INTERNAL) /* dead, timed out or garbled: start afresh */
        worker_stop(w);
out:
    worker_give_back(eb, w);
    return rc;
}

static void exec_free(struct nm_miner_backend *b)
{
    struct exec_backend *eb = (struct exec_backend *)b;
    for (int i = 0; i < eb->count; i++) {
        worker_stop(&eb->workers[i]);
        nm_jsonl_fini(&eb->workers[i].reader);
    }
    pthread_cond_destroy(&eb->freed);
    pthread_mutex_destroy(&eb->lock);
    free(eb->cmd);
    free(eb);
}

static const struct nm_miner_backend_ops exec_ops = {
    .kind = "exec", .blocking = true, .infer = exec_infer, .free = exec_free};

int nm_miner_backend_exec_new(const char *cmd, const struct nm_miner_backend_options *opt,
                              struct nm_miner_backend **out, char *err, size_t cap)
{
    if (!cmd || !*cmd) {
        snprintf(err, cap, "exec backend: missing command (exec:CMD)");
        return NM_E_INVAL;
    }
    int count = opt->workers > 0 ? opt->workers : 4;
    if (count > EXEC_MAX_WORKERS)
        count = EXEC_MAX_WORKERS;
    struct exec_backend *eb = calloc(1, sizeof *eb + (size_t)count * sizeof eb->workers[0]);
    if (!eb || !(eb->cmd = strdup(cmd))) {
        free(eb);
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&eb->freed, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&eb->lock, NULL);
    eb->base.ops = &exec_ops;
    eb->count = count;
    for (int i = 0; i < count; i++) {
        eb->workers[i].to_child = eb->workers[i].from_child = -1;
        nm_jsonl_init(&eb->workers[i].reader, EXEC_MAX_LINE);
    }
    signal(SIGPIPE, SIG_IGN); /* a dead worker is an EPIPE, not our death */
    *out = &eb->base;
    return 0;
}
