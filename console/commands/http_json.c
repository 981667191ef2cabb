/* http_json.c - HTTP GET of a JSON object with libcurl (see http_json.h). */
#include "console/commands/http_json.h"

#include "node/errors.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_body {
    char *buf;
    size_t len;
};

static size_t body_write(char *data, size_t size, size_t n, void *ud)
{
    struct http_body *b = ud;
    size_t add = size * n;
    if (b->len + add > (1u << 20))
        return 0; /* the answers read here are small: refuse anything huge */
    char *grown = realloc(b->buf, b->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, data, add);
    b->buf = grown;
    b->len += add;
    b->buf[b->len] = 0;
    return add;
}

int nm_http_get_json(const char *base_url, const char *path, int timeout_ms, cJSON **out,
                     char *err, size_t cap)
{
    *out = NULL;
    if (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0) {
        snprintf(err, cap, "an aggregator URL starts with http://, not \"%.40s\"", base_url);
        return NM_E_INVAL;
    }
    char full[700];
    int len = (int)strlen(base_url);
    while (len > 8 && base_url[len - 1] == '/') /* http://HOST:PORT/ is fine too */
        len--;
    snprintf(full, sizeof full, "%.*s%s", len > 500 ? 500 : len, base_url, path);
    struct http_body b = {0};
    long code = 0;
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    curl_easy_setopt(h, CURLOPT_URL, full);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, body_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    cJSON *j = cc == CURLE_OK && code == 200 && b.buf ? cJSON_Parse(b.buf) : NULL;
    free(b.buf);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        if (cc != CURLE_OK)
            snprintf(err, cap, "%s", curl_easy_strerror(cc));
        else
            snprintf(err, cap, "GET %.60s did not answer 200 with JSON (%ld)", path, code);
        return NM_E_CONNECT;
    }
    *out = j;
    return 0;
}
