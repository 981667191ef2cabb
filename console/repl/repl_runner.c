/* repl_runner.c - the command runner thread (see repl_runner.h): a queue
 * of lines run through nm_cmd_run_words, and the signer the status bar
 * shows, reported when `use NAME` changed the session's. */
#include "console/repl/repl_runner.h"

#include "console/commands/commands.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct line {
    struct line *next;
    char *text;
};

struct nm_runner {
    struct nm_dq *q;
    struct nm_session *s;
    pthread_t thread;
    bool started;

    pthread_mutex_t mu;
    pthread_cond_t cv; /* new line, stop, password answer, thread done */
    /* under mu */
    struct line *head, *tail;
    bool running_line;
    bool stop;
    bool done;     /* the thread has returned */
    bool detached; /* stop gave up waiting: the thread frees r */
    bool pw_waiting, pw_answered, pw_cancelled;
    char password[1024];

    /* runner thread only: the signer last reported to the UI */
    char signer[64];
};

int nm_runner_new(struct nm_dq *q, struct nm_runner **out)
{
    struct nm_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NM_E_NOMEM;
    r->q = q;
    pthread_mutex_init(&r->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    *out = r;
    return 0;
}

/* --- passwords --- */

static int ask_password(void *ud, const char *prompt, char *out, size_t cap)
{
    struct nm_runner *r = ud;
    const char *env = getenv("NEUROMESH_PASSWORD");
    if (env && *env) {
        if (strlen(env) >= cap)
            return NM_E_TOO_BIG;
        snprintf(out, cap, "%s", env);
        return 0;
    }
    pthread_mutex_lock(&r->mu);
    r->pw_waiting = true;
    r->pw_answered = r->pw_cancelled = false;
    pthread_mutex_unlock(&r->mu);
    nm_dq_push(r->q, NM_DQ_ASK_PASSWORD, 0, 0, NULL, prompt);
    pthread_mutex_lock(&r->mu);
    while (!r->pw_answered && !r->stop)
        pthread_cond_wait(&r->cv, &r->mu);
    int rc = NM_E_NO_PASSWORD;
    if (r->pw_answered && !r->pw_cancelled && r->password[0] && strlen(r->password) < cap) {
        snprintf(out, cap, "%s", r->password);
        rc = 0;
    }
    sodium_memzero(r->password, sizeof r->password);
    r->pw_waiting = false;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void nm_runner_session_config(struct nm_runner *r, struct nm_session_config *cfg)
{
    cfg->ask_password = ask_password;
    cfg->ask_password_ud = r;
}

void nm_runner_answer_password(struct nm_runner *r, const char *password)
{
    pthread_mutex_lock(&r->mu);
    if (r->pw_waiting) {
        r->pw_cancelled = password == NULL;
        snprintf(r->password, sizeof r->password, "%s", password ? password : "");
        r->pw_answered = true;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

/* --- running lines --- */

static void output(struct nm_runner *r, int status, const char *text)
{
    nm_dq_push(r->q, NM_DQ_OUTPUT, status, 0, NULL, text);
}

/* After a command: when the session signs as someone new (`use NAME`),
 * tells the UI, with the address, for the status bar and the prompt. */
static void report_signer(struct nm_runner *r)
{
    const char *name = nm_session_signer_name(r->s);
    if (!name || strcmp(name, r->signer) == 0)
        return;
    nm_account acct;
    char err[256], addr[NM_SS58_STRLEN];
    if (nm_session_signer_account(r->s, NULL, &acct, err, sizeof err) != 0)
        return;
    snprintf(r->signer, sizeof r->signer, "%s", name);
    nm_ss58_encode(&acct, addr);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "address", addr);
    nm_dq_push(r->q, NM_DQ_SIGNER, 0, 0, j, r->signer);
}

static int run_words(struct nm_runner *r, char **words, int n)
{
    struct nm_cmd_result res;
    memset(&res, 0, sizeof res);
    nm_cmd_run_words(r->s, words, n, false, &res);
    report_signer(r);
    int status = (int)res.status;
    if (res.status == NM_CMD_OK) {
        if (res.want_json && res.json) {
            char *text = cJSON_PrintUnformatted(res.json);
            if (text) {
                size_t len = strlen(text);
                char *line = malloc(len + 2);
                if (line) {
                    memcpy(line, text, len);
                    memcpy(line + len, "\n", 2);
                    output(r, 0, line);
                    free(line);
                }
            }
            free(text);
        } else if (res.text) {
            output(r, 0, res.text);
        }
    } else {
        output(r, status, res.message);
    }
    nm_cmd_result_fini(&res);
    return status;
}

static int run_line(struct nm_runner *r, const char *line)
{
    char **words = NULL;
    int n = 0;
    char err[NM_CMD_MSG_MAX];
    if (nm_cmd_split(line, &words, &n, err, sizeof err) != 0) {
        output(r, NM_CMD_USAGE, err);
        return NM_CMD_USAGE;
    }
    int status = NM_CMD_OK;
    if (n > 0)
        status = run_words(r, words, n);
    nm_cmd_words_free(words, n);
    return status;
}

static void runner_free(struct nm_runner *r)
{
    struct line *l = r->head;
    while (l) {
        struct line *next = l->next;
        free(l->text);
        free(l);
        l = next;
    }
    sodium_memzero(r->password, sizeof r->password);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static void *runner_main(void *arg)
{
    struct nm_runner *r = arg;
    /* A signer from config.ini shows in the status bar from the start. */
    report_signer(r);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && !r->head)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->stop)
            break;
        struct line *l = r->head;
        r->head = l->next;
        if (!r->head)
            r->tail = NULL;
        r->running_line = true;
        pthread_mutex_unlock(&r->mu);
        int status = run_line(r, l->text);
        nm_dq_push(r->q, NM_DQ_CMD_DONE, status, 0, NULL, NULL);
        free(l->text);
        free(l);
        pthread_mutex_lock(&r->mu);
        r->running_line = false;
    }
    r->done = true;
    bool detached = r->detached;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    if (detached)
        runner_free(r);
    return NULL;
}

int nm_runner_start(struct nm_runner *r, struct nm_session *s)
{
    r->s = s;
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0)
        return NM_E_NOMEM;
    r->started = true;
    return 0;
}

bool nm_runner_stop(struct nm_runner *r, int wait_ms)
{
    if (!r)
        return true;
    if (!r->started) {
        runner_free(r);
        return true;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->cv);
    while (!r->done && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0) {
    }
    bool done = r->done;
    if (!done)
        r->detached = true;
    pthread_mutex_unlock(&r->mu);
    if (!done) {
        pthread_detach(r->thread);
        return false;
    }
    pthread_join(r->thread, NULL);
    runner_free(r);
    return true;
}

int nm_runner_submit(struct nm_runner *r, const char *line)
{
    struct line *l = calloc(1, sizeof *l);
    if (!l || !(l->text = strdup(line))) {
        free(l);
        return NM_E_NOMEM;
    }
    pthread_mutex_lock(&r->mu);
    if (r->tail)
        r->tail->next = l;
    else
        r->head = l;
    r->tail = l;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return 0;
}

bool nm_runner_busy(struct nm_runner *r)
{
    pthread_mutex_lock(&r->mu);
    bool busy = r->running_line || r->head;
    pthread_mutex_unlock(&r->mu);
    return busy;
}
