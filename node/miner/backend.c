/* backend.c - backend spec parsing and dispatch, and the echo backend. */
#include "node/miner/backend.h"

#include "node/errors.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t nm_miner_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nm_miner_backend_new(const char *spec, const struct nm_miner_backend_options *opt,
                         struct nm_miner_backend **out, char *err, size_t cap)
{
    static const struct nm_miner_backend_options none;
    *out = NULL;
    if (!opt)
        opt = &none;
    if (!spec || !*spec) {
        snprintf(err, cap, "missing --backend (builtin, echo, exec:CMD or openai:URL)");
        return NM_E_INVAL;
    }
    if (strcmp(spec, "builtin") == 0)
        return nm_miner_backend_builtin_new(out, err, cap);
    if (strcmp(spec, "echo") == 0)
        return nm_miner_backend_echo_new(out, err, cap);
    if (strncmp(spec, "exec:", 5) == 0)
        return nm_miner_backend_exec_new(spec + 5, opt, out, err, cap);
    if (strncmp(spec, "openai:", 7) == 0)
        return nm_miner_backend_openai_new(spec + 7, opt, out, err, cap);
    snprintf(err, cap, "unknown backend \"%.40s\" (builtin, echo, exec:CMD or openai:URL)",
             spec);
    return NM_E_INVAL;
}

int nm_miner_backend_infer(struct nm_miner_backend *b, const char *input, size_t len,
                           int64_t deadline_ms, char **out, size_t *out_len, char *err,
                           size_t cap)
{
    *out = NULL;
    *out_len = 0;
    if (nm_miner_now_ms() >= deadline_ms) {
        snprintf(err, cap, "deadline passed before the backend ran");
        return NM_E_TIMEOUT;
    }
    return b->ops->infer(b, input, len, deadline_ms, out, out_len, err, cap);
}

void nm_miner_backend_free(struct nm_miner_backend *b)
{
    if (b)
        b->ops->free(b);
}

/* echo: the prompt back as code, so the answer still fits CODE_GEN_BASE's
 * output schema; input that is not a JSON object comes back as code
 * verbatim. */
static int echo_infer(struct nm_miner_backend *b, const char *input, size_t len,
                      int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap)
{
    (void)b, (void)deadline_ms;
    cJSON *doc = cJSON_ParseWithLength(input, len);
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(doc, "prompt");
    cJSON *reply = cJSON_CreateObject();
    if (cJSON_IsString(prompt))
        cJSON_AddStringToObject(reply, "code", prompt->valuestring);
    else
        cJSON_AddStringToObject(reply, "code", doc ? "" : input);
    cJSON_AddStringToObject(reply, "explanation", "echo");
    cJSON_Delete(doc);
    *out = cJSON_PrintUnformatted(reply);
    cJSON_Delete(reply);
    if (!*out) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    *out_len = strlen(*out);
    return 0;
}

void nm_miner_backend_plain_free(struct nm_miner_backend *b)
{
    free(b);
}

int nm_miner_backend_plain_new(const struct nm_miner_backend_ops *ops,
                               struct nm_miner_backend **out, char *err, size_t cap)
{
    struct nm_miner_backend *b = malloc(sizeof *b);
    if (!b) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    b->ops = ops;
    *out = b;
    return 0;
}

static const struct nm_miner_backend_ops echo_ops = {
    .kind = "echo", .blocking = false, .infer = echo_infer, .free = nm_miner_backend_plain_free};

int nm_miner_backend_echo_new(struct nm_miner_backend **out, char *err, size_t cap)
{
    return nm_miner_backend_plain_new(&echo_ops, out, err, cap);
}
