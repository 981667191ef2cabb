/* dashboard_fmt.c - display formatting for the console (see
 * dashboard_fmt.h). Integer arithmetic for amounts, so what is shown is
 * exactly what the chain holds, only shortened. */
#include "console/dashboard/dashboard_fmt.h"

#include "console/commands/cmd_api.h"
#include "console/commands/jget.h"
#include "node/params_json.h"
#include "node/amount.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *nm_fmt_duration_ms(uint64_t ms, char *buf, size_t cap)
{
    uint64_t s = ms / 1000;
    if (ms < 1000)
        snprintf(buf, cap, "%" PRIu64 " ms", ms);
    else if (s < 60)
        snprintf(buf, cap, "%" PRIu64 " s", s);
    else if (s < 3600)
        snprintf(buf, cap, "%" PRIu64 " min %" PRIu64 " s", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, cap, "%" PRIu64 " h %" PRIu64 " min", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, cap, "%" PRIu64 " d %" PRIu64 " h", s / 86400, s % 86400 / 3600);
    return buf;
}

char *nm_fmt_latency_us(double us, bool utf8, char *buf, size_t cap)
{
    if (!(us >= 0))
        us = 0;
    if (us < 1000)
        snprintf(buf, cap, "%.0f %s", us, utf8 ? "\xc2\xb5s" : "us");
    else if (us < 1000000)
        snprintf(buf, cap, "%.*f ms", us < 10000 ? 2 : us < 100000 ? 1 : 0, us / 1000);
    else
        snprintf(buf, cap, "%.1f s", us / 1000000);
    return buf;
}

/* Field names whose values are amounts in base units. */
static bool is_amount_field(const char *name)
{
    static const char *const names[] = {
        "amount", "stake",   "fee",        "bond",        "reward",         "emission",
        "value",  "balance", "free",       "slashed",     "paid",           "ayes",
        "nays",   "bonded",  "burned",     "emitted",     "lock",           "miner_paid",
        "owner_paid", "total_stake", "treasury", "validator_paid"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static bool looks_like_address(const char *s)
{
    size_t n = strlen(s);
    return n >= 46 && n <= 50 && s[0] == '5' &&
           strspn(s, "123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
                     "abcdefghijkmnopqrstuvwxyz") == n;
}

/* Appends " key=value" to buf (len tracked); stops quietly when full. */
static void append(char *buf, size_t cap, size_t *len, const char *fmt, const char *a,
                   const char *b)
{
    if (*len >= cap)
        return;
    int n = snprintf(buf + *len, cap - *len, fmt, a, b);
    if (n < 0)
        return;
    *len = (size_t)n >= cap - *len ? cap - 1 : *len + (size_t)n;
}

char *nm_fmt_event(const cJSON *event, uint64_t height, bool utf8, char *buf, size_t cap)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "name");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(event, "data");
    size_t len = 0;
    char h[32];
    snprintf(h, sizeof h, "#%" PRIu64, height);
    buf[0] = '\0';
    append(buf, cap, &len, "%s %s", h, cJSON_IsString(name) ? name->valuestring : "?");
    /* A parameter change's old and new values are in the parameter's own
     * unit (NMT, %, blocks), never raw base units beside NMT. */
    const struct nm_param_info *param = NULL;
    if (cJSON_IsString(name) && strcmp(name->valuestring, "governance.ParamChanged") == 0)
        param = nm_param_find(nm_jget_str(data, "name"));
    const cJSON *f;
    cJSON_ArrayForEach(f, data)
    {
        char val[96];
        if (!f->string)
            continue;
        if (cJSON_IsString(f)) {
            uint64_t units;
            bool value = !strcmp(f->string, "old") || !strcmp(f->string, "new");
            if (param && value && nm_units_parse(f->valuestring, &units) == 0) {
                nm_cmd_param_text(nm_param_unit(param), units, val, sizeof val);
            } else if (!value && is_amount_field(f->string) &&
                       nm_units_parse(f->valuestring, &units) == 0) {
                nm_fmt_amount(units, val, sizeof val);
            } else if (looks_like_address(f->valuestring)) {
                nm_fmt_address(f->valuestring, 11, utf8, val, sizeof val);
            } else {
                snprintf(val, sizeof val, "%.60s", f->valuestring);
            }
        } else if (cJSON_IsNumber(f)) {
            snprintf(val, sizeof val, "%.0f", f->valuedouble);
        } else if (cJSON_IsBool(f)) {
            snprintf(val, sizeof val, "%s", cJSON_IsTrue(f) ? "true" : "false");
        } else if (cJSON_IsNull(f)) {
            snprintf(val, sizeof val, "null");
        } else {
            char *text = cJSON_PrintUnformatted(f);
            snprintf(val, sizeof val, "%.60s", text ? text : "?");
            free(text);
        }
        append(buf, cap, &len, " %s=%s", f->string, val);
    }
    /* Nothing from the node may break a line into two. */
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return buf;
}

char *nm_fmt_head(const cJSON *header, bool utf8, char *buf, size_t cap)
{
    uint64_t height = 0, epoch = 0;
    if (!nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(header, "height"), &height))
        nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(header, "number"), &height);
    bool has_epoch = nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(header, "epoch"), &epoch);
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(header, "hash");
    const cJSON *author = cJSON_GetObjectItemCaseSensitive(header, "author");
    char hs[32] = "", au[48] = "", ep[32] = "";
    if (cJSON_IsString(hash)) {
        char h[32];
        snprintf(hs, sizeof hs, " %s", nm_fmt_address(hash->valuestring, 13, utf8, h, sizeof h));
    }
    if (has_epoch)
        snprintf(ep, sizeof ep, " epoch %" PRIu64, epoch);
    if (cJSON_IsString(author)) {
        char a[40];
        snprintf(au, sizeof au, " author %s",
                 nm_fmt_address(author->valuestring, 11, utf8, a, sizeof a));
    }
    snprintf(buf, cap, "block #%" PRIu64 "%s%s%s", height, hs, ep, au);
    return buf;
}
