/* dashboard_queue.c - the UI thread's message queue (see
 * dashboard_queue.h): a mutex-protected list and an eventfd. */
#include "console/dashboard/dashboard_queue.h"

#include "node/errors.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct nm_dq {
    pthread_mutex_t mu;
    struct nm_dq_msg *head, *tail;
    size_t count;
    uint64_t dropped;
    int fd;
};

int nm_dq_new(struct nm_dq **out)
{
    struct nm_dq *q = calloc(1, sizeof *q);
    if (!q)
        return NM_E_NOMEM;
    q->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->fd < 0) {
        free(q);
        return NM_E_IO;
    }
    pthread_mutex_init(&q->mu, NULL);
    *out = q;
    return 0;
}

void nm_dq_msg_free(struct nm_dq_msg *m)
{
    if (!m)
        return;
    cJSON_Delete(m->json);
    free(m->text);
    free(m);
}

void nm_dq_free(struct nm_dq *q)
{
    if (!q)
        return;
    struct nm_dq_msg *m = q->head;
    while (m) {
        struct nm_dq_msg *next = m->next;
        nm_dq_msg_free(m);
        m = next;
    }
    close(q->fd);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

int nm_dq_fd(const struct nm_dq *q)
{
    return q->fd;
}

int nm_dq_push(struct nm_dq *q, enum nm_dq_kind kind, int status, int64_t num, cJSON *json,
               const char *text)
{
    struct nm_dq_msg *m = calloc(1, sizeof *m);
    if (!m || (text && !(m->text = strdup(text)))) {
        free(m);
        cJSON_Delete(json);
        pthread_mutex_lock(&q->mu);
        q->dropped++;
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    m->kind = kind;
    m->status = status;
    m->num = num;
    m->json = json;
    pthread_mutex_lock(&q->mu);
    if (q->count >= NM_DQ_MAX) {
        q->dropped++;
        pthread_mutex_unlock(&q->mu);
        nm_dq_msg_free(m);
        return -1;
    }
    bool was_empty = q->count == 0;
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    q->count++;
    pthread_mutex_unlock(&q->mu);
    if (was_empty) {
        uint64_t one = 1;
        /* EAGAIN means the counter is already non-zero: still awake. */
        ssize_t n = write(q->fd, &one, sizeof one);
        (void)n;
    }
    return 0;
}

struct nm_dq_msg *nm_dq_take_all(struct nm_dq *q)
{
    uint64_t v;
    pthread_mutex_lock(&q->mu);
    ssize_t n = read(q->fd, &v, sizeof v);
    (void)n;
    struct nm_dq_msg *list = q->head;
    q->head = q->tail = NULL;
    q->count = 0;
    pthread_mutex_unlock(&q->mu);
    return list;
}

uint64_t nm_dq_dropped(struct nm_dq *q)
{
    pthread_mutex_lock(&q->mu);
    uint64_t d = q->dropped;
    pthread_mutex_unlock(&q->mu);
    return d;
}
