/* workers.c - the aggregator's thread cache (see workers.h). */
#include "api/workers.h"

#include "node/errors.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define IDLE_S 10

struct task {
    void (*fn)(void *arg);
    void *arg;
    struct task *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct task *head, *tail; /* waiting tasks, oldest first */
static int idle; /* threads waiting for a task and not yet spoken for by a submitter */

static void *worker(void *arg)
{
    struct task *t = arg;
    for (;;) {
        t->fn(t->arg);
        free(t);
        pthread_mutex_lock(&lock);
        idle++;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += IDLE_S;
        int rc = 0;
        while (!head && rc == 0)
            rc = pthread_cond_timedwait(&wake, &lock, &until);
        t = head;
        if (!t)
            idle--; /* leaving: nobody spoke for it */
        else if (!(head = t->next)) /* its submitter counted it out of idle */
            tail = NULL;
        pthread_mutex_unlock(&lock);
        if (!t) /* idle too long */
            return NULL;
    }
}

int nm_api_workers_run(void (*fn)(void *arg), void *arg)
{
    struct task *t = malloc(sizeof *t);
    if (!t)
        return NM_E_NOMEM;
    *t = (struct task){.fn = fn, .arg = arg};
    pthread_mutex_lock(&lock);
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
    pthread_mutex_unlock(&lock);
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&th, &attr, worker, t);
    pthread_attr_destroy(&attr);
    if (rc) {
        free(t);
        return NM_E_NOMEM;
    }
    return 0;
}
