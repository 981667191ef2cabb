/* jget.c - reading the node's JSON answers (see jget.h). */
#include "console/commands/jget.h"

#include <errno.h>
#include <stdlib.h>

const cJSON *nm_jget(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

const char *nm_jget_str(const cJSON *o, const char *key)
{
    const cJSON *v = nm_jget(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

bool nm_jget_u64_parse(const cJSON *v, uint64_t *out)
{
    *out = 0;
    if (cJSON_IsNumber(v)) {
        if (v->valuedouble < 0 || v->valuedouble > 9007199254740992.0)
            return false;
        *out = (uint64_t)v->valuedouble;
        return true;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return false;
    const char *s = v->valuestring;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!*s)
            return false;
    }
    if (*s == '-' || *s == '+' || *s == ' ')
        return false;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, base);
    if (errno || *end)
        return false;
    *out = n;
    return true;
}

bool nm_jget_has_u64(const cJSON *o, const char *key, uint64_t *out)
{
    return nm_jget_u64_parse(nm_jget(o, key), out);
}

uint64_t nm_jget_u64(const cJSON *o, const char *key)
{
    uint64_t v;
    return nm_jget_has_u64(o, key, &v) ? v : 0;
}

bool nm_jget_number_parse(const cJSON *v, double *out)
{
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return true;
    }
    if (cJSON_IsString(v)) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (end != v->valuestring && !*end) {
            *out = d;
            return true;
        }
    }
    return false;
}

bool nm_jget_has_number(const cJSON *o, const char *key, double *out)
{
    return nm_jget_number_parse(nm_jget(o, key), out);
}
