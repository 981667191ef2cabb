/* watcher.c - `watch` rules judged and acted on in a thread of their own
 * (see watcher.h). */
#include "console/repl/watcher.h"

#include "console/commands/cmd_api.h"
#include "console/commands/jget.h"
#include "client/numfmt.h"
#include "node/errors.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RULES_MAX 32

struct nm_watcher {
    struct nm_dq *q;
    char url[512], token[512], signer[64], home[4096];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, stop;
    struct nm_watch_rule rules[RULES_MAX];
    int nrules, next_id;
};

int nm_watcher_new(struct nm_dq *q, const struct nm_session_config *cfg,
                   struct nm_watcher **out)
{
    struct nm_watcher *w = calloc(1, sizeof *w);
    if (!w)
        return NM_E_NOMEM;
    w->q = q;
    snprintf(w->url, sizeof w->url, "%s", cfg->url ? cfg->url : "");
    snprintf(w->token, sizeof w->token, "%s", cfg->token ? cfg->token : "");
    snprintf(w->signer, sizeof w->signer, "%s", cfg->signer ? cfg->signer : "");
    snprintf(w->home, sizeof w->home, "%s", cfg->home ? cfg->home : "");
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->next_id = 1;
    *out = w;
    return 0;
}

void nm_watcher_free(struct nm_watcher *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->started)
        pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static void say(struct nm_watcher *w, int status, const char *text)
{
    nm_dq_push(w->q, NM_DQ_OUTPUT, status, 0, NULL, text);
}

/* --- actions --- */

static size_t discard(void *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static void post(struct nm_watcher *w, const struct nm_watch_rule *r, const char *msg)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "rule", r->id);
    cJSON_AddStringToObject(body, "kind", r->kind == NM_WATCH_INCENTIVE ? "incentive"
                                                                        : "proposals");
    cJSON_AddStringToObject(body, "message", msg);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    CURL *curl = text ? curl_easy_init() : NULL;
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    long status = 0;
    if (curl && headers) {
        curl_easy_setopt(curl, CURLOPT_URL, r->post);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        rc = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    }
    if (rc != CURLE_OK || status >= 300) {
        char line[600];
        snprintf(line, sizeof line, "watch %d: post to %s failed: %s\n", r->id, r->post,
                 rc != CURLE_OK ? curl_easy_strerror(rc) : "the server answered an error");
        say(w, 0, line); /* the rule's news, not a failure of the line being typed */
    }
    curl_slist_free_all(headers);
    if (curl)
        curl_easy_cleanup(curl);
    free(text);
}

static void act(struct nm_watcher *w, struct nm_session *s, const struct nm_watch_rule *r,
                const char *msg)
{
    char line[NM_CMD_MSG_MAX + 32];
    snprintf(line, sizeof line, "%s\n", msg);
    say(w, 0, line);
    if (r->bell)
        nm_dq_push(w->q, NM_DQ_BELL, 0, 0, NULL, NULL);
    if (r->run[0]) {
        struct nm_cmd_result res;
        nm_cmd_run_line(s, r->run, false, &res);
        if (res.status == NM_CMD_OK) {
            say(w, 0, res.text ? res.text : "");
        } else {
            snprintf(line, sizeof line, "watch %d: %s\n", r->id, res.message);
            say(w, 0, line);
        }
        nm_cmd_result_fini(&res);
    }
    if (r->post[0])
        post(w, r, msg);
}

/* --- judging --- */

/* What a rule watches, read from the node; NULL when it cannot be read
 * now (the next round tries again). */
static cJSON *observe(struct nm_session *s, const struct nm_watch_rule *r)
{
    char err[512];
    cJSON *res = NULL;
    int rc = r->kind == NM_WATCH_INCENTIVE
                 ? nm_session_call(s, "neuron_get",
                                   nm_cmd_params(2, cJSON_CreateNumber(r->subnet),
                                                 cJSON_CreateNumber(r->uid)),
                                   &res, err, sizeof err)
                 : nm_session_call(s, "gov_proposals", nm_cmd_params(1, cJSON_CreateTrue()),
                                   &res, err, sizeof err);
    return rc ? NULL : res;
}

/* Judges rule id (if it still exists) on what was read; true and the
 * rule's copy in out when it fired. */
static bool judge(struct nm_watcher *w, int id, const cJSON *seen, struct nm_watch_rule *out,
                  char *msg, size_t cap)
{
    bool fired = false;
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < w->nrules; i++) {
        struct nm_watch_rule *r = &w->rules[i];
        if (r->id != id)
            continue;
        if (r->kind == NM_WATCH_PROPOSALS) {
            const cJSON *list = nm_jget(seen, "proposals"), *p;
            /* the summary as the console shows it (display units) */
            cJSON *shown = cJSON_Duplicate(list, true);
            cJSON_ArrayForEach(p, shown)
            {
                char text[200];
                nm_cmd_proposal_summary(p, true, text, sizeof text);
                cJSON_ReplaceItemInObjectCaseSensitive((cJSON *)p, "summary",
                                                       cJSON_CreateString(text));
            }
            fired = nm_watch_rule_proposals(r, shown, msg, cap);
            cJSON_Delete(shown);
        } else {
            uint64_t epoch;
            int64_t ppb;
            if (nm_jget_u64_parse(nm_jget(seen, "epoch"), &epoch) &&
                nm_fmt_fraction_parse(nm_jget_str(seen, "incentive"), &ppb) == 0)
                fired = nm_watch_rule_incentive(r, epoch, ppb, msg, cap);
        }
        *out = *r;
    }
    pthread_mutex_unlock(&w->mu);
    return fired;
}

static void *watcher_main(void *arg)
{
    struct nm_watcher *w = arg;
    struct nm_session_config cfg = {.url = w->url,
                                    .token = w->token[0] ? w->token : NULL,
                                    .signer = w->signer[0] ? w->signer : NULL,
                                    .home = w->home[0] ? w->home : NULL,
                                    .call_timeout_ms = 5000};
    struct nm_session *s = NULL;
    if (nm_session_new(&cfg, NULL, &s) != 0) {
        say(w, 0, "watch: cannot open a session for the rules\n");
        return NULL;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        int ids[RULES_MAX], n = w->nrules;
        for (int i = 0; i < n; i++)
            ids[i] = w->rules[i].id;
        pthread_mutex_unlock(&w->mu);
        for (int i = 0; i < n; i++) {
            struct nm_watch_rule r = {0};
            pthread_mutex_lock(&w->mu);
            for (int k = 0; k < w->nrules; k++)
                if (w->rules[k].id == ids[i])
                    r = w->rules[k];
            pthread_mutex_unlock(&w->mu);
            if (r.id == 0)
                continue; /* cleared meanwhile */
            cJSON *seen = observe(s, &r);
            char msg[800];
            if (seen && judge(w, ids[i], seen, &r, msg, sizeof msg))
                act(w, s, &r, msg);
            cJSON_Delete(seen);
        }
        pthread_mutex_lock(&w->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&w->mu);
    nm_session_free(s);
    return NULL;
}

/* --- the front end's side --- */

bool nm_watcher_words(char *const *args, int n)
{
    return nm_watch_rule_words(args, n) ||
           (n == 1 && (strcmp(args[0], "rules") == 0 || strcmp(args[0], "clear") == 0));
}

bool nm_watcher_command(struct nm_watcher *w, char *const *args, int n, char *out, size_t cap)
{
    if (!w) {
        snprintf(out, cap, "watch: no node to watch");
        return false;
    }
    size_t len = 0;
    out[0] = '\0';
    pthread_mutex_lock(&w->mu);
    bool ok = true;
    if (strcmp(args[0], "rules") == 0) {
        if (w->nrules == 0)
            snprintf(out, cap, "no watch rules (watch incentive ... | watch proposals ...)\n");
        for (int i = 0; i < w->nrules && len + 1 < cap; i++) {
            char line[700];
            nm_watch_rule_describe(&w->rules[i], line, sizeof line);
            int k = snprintf(out + len, cap - len, "%s\n", line);
            len = k < 0 ? len : len + (size_t)k >= cap ? cap - 1 : len + (size_t)k;
        }
    } else if (strcmp(args[0], "clear") == 0) {
        snprintf(out, cap, "%d watch rule%s removed\n", w->nrules, w->nrules == 1 ? "" : "s");
        w->nrules = 0;
    } else if (w->nrules == RULES_MAX) {
        snprintf(out, cap, "watch: at most %d rules (watch clear removes them)", RULES_MAX);
        ok = false;
    } else {
        struct nm_watch_rule r;
        char err[300];
        if (nm_watch_rule_parse(args, n, &r, err, sizeof err) != 0) {
            snprintf(out, cap, "%s", err);
            ok = false;
        } else {
            r.id = w->next_id++;
            w->rules[w->nrules++] = r;
            char line[700];
            snprintf(out, cap, "watching %s (watch rules lists them, watch clear ends them)\n",
                     nm_watch_rule_describe(&r, line, sizeof line));
            if (!w->started) {
                w->started = pthread_create(&w->thread, NULL, watcher_main, w) == 0;
                if (!w->started) {
                    w->nrules--;
                    snprintf(out, cap, "watch: cannot start the watcher thread");
                    ok = false;
                }
            }
        }
    }
    pthread_mutex_unlock(&w->mu);
    return ok;
}
