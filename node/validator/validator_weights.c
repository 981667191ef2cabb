/* validator_weights.c - weights each tempo (NODE-003 steps 4-5): the
 * moving averages normalised by the chain's rule (the `weights` commands
 * scale them), submitted once per epoch; on commit-reveal subnets a commit,
 * then the reveal once its block comes (the commit is kept by
 * `weights commit` in $NEUROMESH_HOME/commits, so a restart in between
 * still reveals). The chain's rate limit and errors are logged and retried
 * on the next round. */
#include "client/session.h"
#include "node/errors.h"
#include "node/validator/store.h"
#include "node/validator/validator_priv.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nm_validator_epoch_refresh(struct nm_validator *v, char *err, size_t cap)
{
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(v->cfg.subnet));
    cJSON *res = NULL;
    int rc = nm_session_call(v->session, "epoch_info", params, &res, err, cap);
    if (rc)
        return rc;
    v->epoch = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res, "epoch"));
    v->height = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res, "height"));
    cJSON_Delete(res);
    return 0;
}

/* "UID=SCORE ..." of every miner with a score above zero; count in *n. */
static int weights_text(struct nm_validator *v, char *out, size_t cap, size_t *n)
{
    struct nm_vminer *m = NULL;
    size_t count = 0;
    *n = 0;
    out[0] = '\0';
    int rc = nm_vstore_list(v->store, &m, &count);
    size_t len = 0;
    for (size_t i = 0; !rc && i < count; i++) {
        if (m[i].score == 0)
            continue;
        int w = snprintf(out + len, cap - len, "%s%u=%u", len ? " " : "", m[i].uid, m[i].score);
        if (w < 0 || (size_t)w >= cap - len) {
            rc = NM_E_TOO_BIG;
            break;
        }
        len += (size_t)w;
        (*n)++;
    }
    free(m);
    return rc;
}

/* Runs one console command line as the validator's signer. */
static int run_command(struct nm_validator *v, const char *line)
{
    char msg[512];
    int rc = v->cfg.run_command(v->cfg.run_command_ud, v->session, line, msg, sizeof msg);
    if (rc)
        nm_validator_log(v, "%.60s...: %s", line, msg);
    return rc;
}

void nm_validator_weights_step(struct nm_validator *v)
{
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(v->cfg.subnet));
    cJSON *res = NULL;
    char err[512];
    if (nm_session_call(v->session, "weights_get", params, &res, err, sizeof err)) {
        nm_validator_log(v, "weights_get: %s", err);
        return;
    }
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(res, "options");
    bool commit_reveal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opt, "commit_reveal"));
    bool submitted = false, committed = false;
    uint64_t reveal_from = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(res, "submissions"))
    {
        if ((long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "uid")) == v->my_uid)
            submitted = true;
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(res, "commits"))
    {
        if ((long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "uid")) ==
            v->my_uid) {
            committed = true;
            reveal_from = (uint64_t)cJSON_GetNumberValue(
                cJSON_GetObjectItemCaseSensitive(e, "reveal_from"));
        }
    }
    uint64_t bucket_epoch =
        (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(res, "epoch"));
    cJSON_Delete(res);
    char line[8192];
    if (committed) {
        if (v->height + 1 >= reveal_from) {
            snprintf(line, sizeof line, "weights reveal %u", v->cfg.subnet);
            if (run_command(v, line) == 0)
                nm_validator_log(v, "revealed the weights committed earlier (epoch %" PRIu64 ")",
                                 bucket_epoch);
        }
        return;
    }
    if (submitted)
        return; /* once per tempo */
    char pairs[4096];
    size_t n = 0;
    if (weights_text(v, pairs, sizeof pairs, &n) || n == 0) {
        if (v->last_round_queries)
            nm_validator_log(v, "no miner has a score above zero yet: no weights this round");
        return;
    }
    snprintf(line, sizeof line, "weights %s %u %s", commit_reveal ? "commit" : "submit",
             v->cfg.subnet, pairs);
    if (run_command(v, line) == 0) {
        snprintf(v->last_weights, sizeof v->last_weights, "%s", pairs);
        v->last_weights_block = v->height;
        nm_validator_log(v, "%s weights for epoch %" PRIu64 ": %s",
                         commit_reveal ? "committed" : "submitted", bucket_epoch, pairs);
    }
}
