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

int nm_miner_backend_infer_parsed(struct nm_miner_backend *b, const cJSON *doc,
                                  const char *input, size_t len, int64_t deadline_ms, char **out,
                                  size_t *out_len, char *err, size_t cap)
{
    *out = NULL;
    *out_len = 0;
    if (nm_miner_now_ms() >= deadline_ms) {
        snprintf(err, cap, "deadline passed before the backend ran");
        return NM_E_TIMEOUT;
    }
    if (doc && b->ops->infer_parsed)
        return b->ops->infer_parsed(b, doc, input, len, deadline_ms, out, out_len, err, cap);
    return b->ops->infer(b, input, len, deadline_ms, out, out_len, err, cap);
}

int nm_miner_backend_infer(struct nm_miner_backend *b, const char *input, size_t len,
                           int64_t deadline_ms, char **out, size_t *out_len, char *err,
                           size_t cap)
{
    return nm_miner_backend_infer_parsed(b, NULL, input, len, deadline_ms, out, out_len, err,
                                         cap);
}

void nm_miner_backend_free(struct nm_miner_backend *b)
{
    if (b)
        b->ops->free(b);
}

/* Appends s to p as the inside of a JSON string, escaped as cJSON prints
 * it (\" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx, the rest as
 * is); with p NULL, only counts. Returns the number of bytes. */
static size_t echo_escape(char *p, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        char short_form = 0;
        switch (*c) {
        case '"': short_form = '"'; break;
        case '\\': short_form = '\\'; break;
        case '\b': short_form = 'b'; break;
        case '\f': short_form = 'f'; break;
        case '\n': short_form = 'n'; break;
        case '\r': short_form = 'r'; break;
        case '\t': short_form = 't'; break;
        default: break;
        }
        size_t len = short_form ? 2 : *c < 0x20 ? 6 : 1;
        n += len;
        if (!p)
            continue;
        if (short_form) {
            *p++ = '\\';
            *p++ = short_form;
        } else if (len == 6) {
            memcpy(p, "\\u00", 4);
            p[4] = hex[*c >> 4];
            p[5] = hex[*c & 15];
            p += 6;
        } else {
            *p++ = (char)*c;
        }
    }
    return n;
}

/* echo: the prompt back as code, so the answer still fits CODE_GEN_BASE's
 * output schema; input that is not JSON comes back as code verbatim (doc
 * NULL), a JSON document without a string prompt as "". */
static int echo_answer(const cJSON *doc, const char *input, char **out, size_t *out_len,
                       char *err, size_t cap)
{
    static const char head[] = "{\"code\":\"", tail[] = "\",\"explanation\":\"echo\"}";
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(doc, "prompt");
    const char *code = cJSON_IsString(prompt) ? prompt->valuestring : doc ? "" : input;
    size_t n = echo_escape(NULL, code);
    char *buf = malloc(sizeof head - 1 + n + sizeof tail);
    if (!buf) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    memcpy(buf, head, sizeof head - 1);
    echo_escape(buf + sizeof head - 1, code);
    memcpy(buf + sizeof head - 1 + n, tail, sizeof tail);
    *out = buf;
    *out_len = sizeof head - 1 + n + sizeof tail - 1;
    return 0;
}

static int echo_infer_parsed(struct nm_miner_backend *b, const cJSON *doc, const char *input,
                             size_t len, int64_t deadline_ms, char **out, size_t *out_len,
                             char *err, size_t cap)
{
    (void)b, (void)len, (void)deadline_ms;
    return echo_answer(doc, input, out, out_len, err, cap);
}

static int echo_infer(struct nm_miner_backend *b, const char *input, size_t len,
                      int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap)
{
    (void)b, (void)deadline_ms;
    cJSON *doc = cJSON_ParseWithLength(input, len);
    int rc = echo_answer(doc, input, out, out_len, err, cap);
    cJSON_Delete(doc);
    return rc;
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
    .kind = "echo",
    .blocking = false,
    .infer = echo_infer,
    .infer_parsed = echo_infer_parsed,
    .free = nm_miner_backend_plain_free};

int nm_miner_backend_echo_new(struct nm_miner_backend **out, char *err, size_t cap)
{
    return nm_miner_backend_plain_new(&echo_ops, out, err, cap);
}
