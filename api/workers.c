/* workers.c - the aggregator's thread cache (see workers.h). */
#include "api/workers.h"

#include "node/errors.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#define IDLE_S 10

struct task {
    void (*fn)(void *arg);
    void *arg;
    struct task *next;
};

/* A worker's handle; on the ended list once it left, until joined. */
struct thread {
    pthread_t th;
    struct thread *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t left = PTHREAD_COND_INITIALIZER; /* a worker joined ended */
static struct task *head, *tail; /* waiting tasks, oldest first */
static int idle; /* threads waiting for a task and not yet spoken for by a submitter */
static int live; /* threads started and not yet on ended */
static struct thread *ended; /* threads that left, to join */
static bool stopping;

struct start {
    struct thread *self;
    struct task *task;
};

static void *worker(void *arg)
{
    struct start st = *(struct start *)arg;
    struct task *t = st.task;
    free(arg);
    st.self->th = pthread_self(); /* before ended: the joiner reads it under the lock */
    for (;;) {
        t->fn(t->arg);
        free(t);
        pthread_mutex_lock(&lock);
        idle++;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += IDLE_S;
        int rc = 0;
        while (!head && !stopping && rc == 0)
            rc = pthread_cond_timedwait(&wake, &lock, &until);
        t = head;
        if (!t) { /* idle too long, or stopping: leave to be joined */
            idle--; /* nobody spoke for it */
            live--;
            st.self->next = ended;
            ended = st.self;
            pthread_cond_broadcast(&left);
        } else if (!(head = t->next)) { /* its submitter counted it out of idle */
            tail = NULL;
        }
        pthread_mutex_unlock(&lock);
        if (!t)
            return NULL;
    }
}

/* Joins the threads on the ended list (they have left or are leaving). */
static void reap(void)
{
    pthread_mutex_lock(&lock);
    struct thread *r = ended;
    ended = NULL;
    pthread_mutex_unlock(&lock);
    while (r) {
        struct thread *next = r->next;
        pthread_join(r->th, NULL);
        free(r);
        r = next;
    }
}

int nm_api_workers_run(void (*fn)(void *arg), void *arg)
{
    struct task *t = malloc(sizeof *t);
    if (!t)
        return NM_E_NOMEM;
    *t = (struct task){.fn = fn, .arg = arg};
    pthread_mutex_lock(&lock);
    if (stopping) {
        pthread_mutex_unlock(&lock);
        free(t);
        return NM_E_NOMEM;
    }
    if (idle > 0) { /* an idle thread takes it (it checks the queue under the lock) */
        if (tail)
            tail->next = t;
        else
            head = t;
        tail = t;
        idle--; /* that thread is spoken for */
        pthread_cond_signal(&wake);
        pthread_mutex_unlock(&lock);
        return 0;
    }
    live++;
    pthread_mutex_unlock(&lock);
    reap();
    struct thread *self = malloc(sizeof *self);
    struct start *st = malloc(sizeof *st);
    pthread_t th;
    if (self && st) {
        *st = (struct start){.self = self, .task = t};
        if (pthread_create(&th, NULL, worker, st) == 0)
            return 0;
    }
    free(self);
    free(st);
    free(t);
    pthread_mutex_lock(&lock);
    live--;
    pthread_cond_broadcast(&left);
    pthread_mutex_unlock(&lock);
    return NM_E_NOMEM;
}

void nm_api_workers_stop(void)
{
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_broadcast(&wake);
    while (live > 0)
        pthread_cond_wait(&left, &lock);
    pthread_mutex_unlock(&lock);
    reap();
}
