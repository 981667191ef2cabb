/* cors.c - the browser Origin allowlist (see cors.h). */
#include "rpc/cors.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_origin_char(char ch)
{
    return ch > 0x20 && ch < 0x7f && ch != ',' && ch != '"' && ch != '\\';
}

/* Walks the list; with c NULL only checks it. */
static int parse(const char *text, struct nm_cors *c)
{
    if (!text)
        text = NM_RPC_DEFAULT_CORS;
    if (!strcasecmp(text, "all") || !strcasecmp(text, "none") || !*text) {
        if (c)
            c->all = !strcasecmp(text, "all");
        return 0;
    }
    size_t n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && end[-1] == ' ')
            end--;
        size_t len = (size_t)(end - start);
        const char *sep = len ? memchr(start, ':', len) : NULL;
        if (len == 0 || len >= NM_CORS_ORIGIN_MAX || n >= NM_CORS_MAX_ORIGINS || !sep ||
            (size_t)(end - sep) < 4 || sep[1] != '/' || sep[2] != '/')
            return NM_E_INVAL;
        for (const char *q = start; q < end; q++)
            if (!is_origin_char(*q))
                return NM_E_INVAL;
        if (c) {
            memcpy(c->origins[n], start, len);
            c->origins[n][len] = '\0';
        }
        n++;
        if (*p == ',')
            p++;
    }
    if (c)
        c->count = n;
    return 0;
}

int nm_rpc_cors_check(const char *text)
{
    return parse(text, NULL);
}

int nm_cors_parse(const char *text, struct nm_cors *c)
{
    memset(c, 0, sizeof *c);
    if (parse(text, NULL))
        return NM_E_INVAL;
    c->origins = calloc(NM_CORS_MAX_ORIGINS, sizeof *c->origins);
    if (!c->origins)
        return NM_E_NOMEM;
    return parse(text, c);
}

void nm_cors_fini(struct nm_cors *c)
{
    free(c->origins);
    memset(c, 0, sizeof *c);
}

/* A port as a browser writes it: 1-65535, no leading zero (issue 17:
 * "http://localhost:99999" was allowed). */
static bool port_valid(const char *digits, size_t n)
{
    if (n < 1 || n > 5 || digits[0] == '0')
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned long)(digits[i] - '0');
    return v <= 65535;
}

static bool origin_matches(const char *allowed, const char *origin)
{
    size_t n = strlen(allowed);
    if (n >= 2 && !strcmp(allowed + n - 2, ":*")) {
        n -= 2;
        if (strncasecmp(origin, allowed, n) != 0)
            return false;
        const char *port = origin + n;
        if (!*port)
            return true;
        size_t digits = strspn(port + 1, "0123456789");
        return *port == ':' && !port[1 + digits] && port_valid(port + 1, digits);
    }
    return !strcasecmp(origin, allowed);
}

bool nm_cors_allows(const struct nm_cors *c, const char *origin)
{
    if (c->all)
        return true;
    for (size_t i = 0; i < c->count; i++)
        if (origin_matches(c->origins[i], origin))
            return true;
    return false;
}
