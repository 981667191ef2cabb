/* backend_openai.c - openai:URL backend: an OpenAI-compatible chat
 * completions endpoint (llama.cpp's server, vLLM, Ollama) through libcurl.
 * The request's input goes as the user message under a system message
 * asking for the CODE_GEN_BASE JSON answer; the model's reply is used as
 * the output when it is a JSON object, else its first fenced code block
 * (or all of it) becomes {"code":..., "explanation":...}. The API key comes
 * from a file or the environment and is never logged. */
#include "node/miner/backend.h"

#include "node/errors.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPENAI_MAX_REPLY ((size_t)8 << 20)

static const char system_prompt[] =
    "You write code. Answer with one JSON object only: "
    "{\"code\": \"<the complete source code>\", \"explanation\": \"<one sentence>\"}.";

struct openai_backend {
    struct nm_miner_backend base;
    char *url;
    char *model;
    char *auth_header; /* "Authorization: Bearer KEY" or NULL; never printed */
};

struct reply_buf {
    char *data;
    size_t len;
    bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
    struct reply_buf *r = ud;
    size_t add = size * n;
    if (r->len + add > OPENAI_MAX_REPLY) {
        r->too_big = true;
        return 0;
    }
    char *nd = realloc(r->data, r->len + add + 1);
    if (!nd)
        return 0;
    memcpy(nd + r->len, ptr, add);
    r->data = nd;
    r->len += add;
    r->data[r->len] = '\0';
    return add;
}

/* The model's text as CODE_GEN_BASE output (malloc'd). */
static char *content_to_output(const char *content)
{
    cJSON *doc = cJSON_Parse(content);
    if (cJSON_IsObject(doc)) {
        char *s = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        return s;
    }
    cJSON_Delete(doc);
    const char *code = content;
    size_t code_len = strlen(content);
    const char *fence = strstr(content, "```");
    if (fence) {
        const char *start = strchr(fence + 3, '\n');
        const char *end = start ? strstr(start + 1, "```") : NULL;
        if (start && end) {
            code = start + 1;
            code_len = (size_t)(end - code);
        }
    }
    char *c = strndup(code, code_len);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "code", c ? c : "");
    cJSON_AddStringToObject(out, "explanation", "from the model's free-text answer");
    free(c);
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

static int openai_infer(struct nm_miner_backend *b, const char *input, size_t len,
                        int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap)
{
    struct openai_backend *ob = (struct openai_backend *)b;
    (void)len;
    int rc = 0;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "model", ob->model);
    cJSON_AddNumberToObject(req, "temperature", 0);
    cJSON *msgs = cJSON_AddArrayToObject(req, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "system");
    cJSON_AddStringToObject(m, "content", system_prompt);
    cJSON_AddItemToArray(msgs, m);
    m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", input);
    cJSON_AddItemToArray(msgs, m);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    struct reply_buf r = {0};
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (ob->auth_header)
        headers = curl_slist_append(headers, ob->auth_header);
    if (!body || !curl || !headers) {
        snprintf(err, cap, "out of memory");
        rc = NM_E_NOMEM;
        goto out;
    }
    int64_t left = deadline_ms - nm_miner_now_ms();
    curl_easy_setopt(curl, CURLOPT_URL, ob->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(left > 0 ? left : 1));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cc = curl_easy_perform(curl);
    if (cc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(err, cap, "model endpoint did not answer before the deadline");
        rc = NM_E_TIMEOUT;
        goto out;
    }
    if (cc != CURLE_OK) {
        snprintf(err, cap, "model endpoint: %s%s", curl_easy_strerror(cc),
                 r.too_big ? " (answer too large)" : "");
        rc = NM_E_IO;
        goto out;
    }
    long http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
    cJSON *doc = r.data ? cJSON_Parse(r.data) : NULL;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "choices"), 0), "message"),
        "content");
    if (http != 200 || !cJSON_IsString(content)) {
        snprintf(err, cap, "model endpoint answered HTTP %ld without choices[0].message.content",
                 http);
        rc = NM_E_IO;
    } else if (!(*out = content_to_output(content->valuestring))) {
        snprintf(err, cap, "out of memory");
        rc = NM_E_NOMEM;
    } else {
        *out_len = strlen(*out);
    }
    cJSON_Delete(doc);
out:
    curl_slist_free_all(headers);
    if (curl)
        curl_easy_cleanup(curl);
    free(body);
    free(r.data);
    return rc;
}

static void openai_free(struct nm_miner_backend *b)
{
    struct openai_backend *ob = (struct openai_backend *)b;
    if (ob->auth_header) {
        memset(ob->auth_header, 0, strlen(ob->auth_header));
        free(ob->auth_header);
    }
    free(ob->url);
    free(ob->model);
    free(ob);
}

static const struct nm_miner_backend_ops openai_ops = {
    .kind = "openai", .blocking = true, .infer = openai_infer, .free = openai_free};

/* The key: the file's first line, else the environment; NULL for none. */
static int read_key(const char *file, char **key, char *err, size_t cap)
{
    *key = NULL;
    char buf[1024] = "";
    if (file) {
        FILE *f = fopen(file, "r");
        if (!f || !fgets(buf, sizeof buf, f)) {
            if (f)
                fclose(f);
            snprintf(err, cap, "openai backend: cannot read the API key file %.200s", file);
            return NM_E_IO;
        }
        fclose(f);
        buf[strcspn(buf, "\r\n")] = '\0';
    } else {
        const char *env = getenv("NEUROMESH_OPENAI_API_KEY");
        if (!env)
            env = getenv("OPENAI_API_KEY");
        if (!env)
            return 0;
        snprintf(buf, sizeof buf, "%s", env);
    }
    if (!*buf)
        return 0;
    size_t n = strlen(buf) + 32;
    *key = malloc(n);
    if (*key)
        snprintf(*key, n, "Authorization: Bearer %s", buf);
    memset(buf, 0, sizeof buf);
    return *key ? 0 : NM_E_NOMEM;
}

int nm_miner_backend_openai_new(const char *url, const struct nm_miner_backend_options *opt,
                                struct nm_miner_backend **out, char *err, size_t cap)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, cap, "openai backend: URL must start with http:// or https://");
        return NM_E_INVAL;
    }
    struct openai_backend *ob = calloc(1, sizeof *ob);
    if (!ob) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    ob->base.ops = &openai_ops;
    /* a base URL gets the standard path */
    size_t n = strlen(url) + 32;
    ob->url = malloc(n);
    ob->model = strdup(opt->model ? opt->model : "default");
    int rc = read_key(opt->api_key_file, &ob->auth_header, err, cap);
    if (!ob->url || !ob->model || rc) {
        openai_free(&ob->base);
        if (!rc)
            snprintf(err, cap, "out of memory");
        return rc ? rc : NM_E_NOMEM;
    }
    const char *path = strstr(url, "/chat/completions") ? "" : "/v1/chat/completions";
    size_t ul = strlen(url);
    snprintf(ob->url, n, "%.*s%s", (int)(ul && url[ul - 1] == '/' && *path ? ul - 1 : ul),
             url, path);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    *out = &ob->base;
    return 0;
}
