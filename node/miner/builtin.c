/* builtin.c - the builtin backend: a deterministic reference CODE_GEN
 * miner. It recognises the public CODE_GEN_BASE tasks (node/eval/tasks.h)
 * and answers with their reference solution for two tasks in three; for
 * the third it answers a plausible off-by-one solution (P + 1), and for a
 * prompt it does not know (held-out tasks, anything else) an empty
 * function. So scoring has something to separate, and the same prompt
 * always gets the same answer. */
#include "node/miner/backend.h"

#include "node/errors.h"
#include "node/eval/tasks.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which public tasks the builtin miner gets wrong: every third. */
static bool builtin_knows(const struct nm_task *t)
{
    return (size_t)(t - nm_tasks_public) % 3 != 2;
}

static int builtin_infer(struct nm_miner_backend *b, const char *input, size_t len,
                         int64_t deadline_ms, char **out, size_t *out_len, char *err,
                         size_t cap)
{
    (void)b, (void)deadline_ms;
    cJSON *doc = cJSON_ParseWithLength(input, len);
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(doc, "prompt");
    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(doc, "language");
    char code[2048] = "", explanation[256];
    long p = 0;
    const struct nm_task *t = NULL;
    if (cJSON_IsString(prompt) && cJSON_IsString(lang))
        t = nm_task_match(prompt->valuestring, lang->valuestring, &p);
    if (t && builtin_knows(t)) {
        nm_task_render(t->reference, p, code, sizeof code);
        snprintf(explanation, sizeof explanation, "reference solution of %s", t->id);
    } else if (t) {
        nm_task_render(t->reference, p + 1, code, sizeof code);
        snprintf(explanation, sizeof explanation, "a guess for %s", t->id);
    } else {
        bool c = cJSON_IsString(lang) && strcmp(lang->valuestring, "c") == 0;
        snprintf(code, sizeof code, "%s", c ? "/* unknown task */\n" : "# unknown task\n");
        snprintf(explanation, sizeof explanation, "the builtin miner does not know this task");
    }
    cJSON_Delete(doc);
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "code", code);
    cJSON_AddStringToObject(reply, "explanation", explanation);
    *out = cJSON_PrintUnformatted(reply);
    cJSON_Delete(reply);
    if (!*out) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    *out_len = strlen(*out);
    return 0;
}

static const struct nm_miner_backend_ops builtin_ops = {.kind = "builtin",
                                                       .blocking = false,
                                                       .infer = builtin_infer,
                                                       .free = nm_miner_backend_plain_free};

int nm_miner_backend_builtin_new(struct nm_miner_backend **out, char *err, size_t cap)
{
    return nm_miner_backend_plain_new(&builtin_ops, out, err, cap);
}
