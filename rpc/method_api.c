/* method_api.c - parameter checks and error replies shared by every
 * JSON-RPC method module (see method_api.h). */
#include "rpc/method_api.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nm_rpc_fail(struct nm_rpc_error_out *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    /* Quoted input must not break a line-oriented reader of the reply. */
    for (char *p = e->message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    e->code = code;
    return -1;
}

/* --- declared parameters --- */

enum param_type {
    P_NUMBER = 1 << 0, /* whole numbers also come as decimal or 0x strings */
    P_STRING = 1 << 1,
    P_BOOL = 1 << 2,
    P_LIST = 1 << 3,
    P_OBJECT = 1 << 4,
};

/* Every parameter name a method declares, with the JSON types it takes. */
static const struct {
    const char *name;
    unsigned types;
    const char *says;
} param_names[] = {
    {"number", P_NUMBER | P_STRING, "a number"},  {"height", P_NUMBER | P_STRING, "a number"},
    {"epoch", P_NUMBER | P_STRING, "a number"},   {"uid", P_NUMBER | P_STRING, "a number"},
    {"subnet", P_NUMBER | P_STRING, "a number"},  {"id", P_NUMBER | P_STRING, "an id"},
    {"hash", P_STRING, "a 0x hash string"},       {"hex", P_STRING, "a 0x hex string"},
    {"address", P_STRING, "an SS58 address"},     {"account", P_STRING, "an SS58 address"},
    {"filter", P_STRING, "a string"},             {"level", P_STRING, "a string"},
    {"all", P_BOOL, "true or false"},
    {"multiaddr", P_STRING, "a multiaddr string"}, {"peerId", P_STRING, "a PeerId string"},
    {"offset", P_NUMBER | P_STRING, "a number"},   {"limit", P_NUMBER | P_STRING, "a number"},
    {"announcement", P_OBJECT | P_STRING, "a signed announcement object (docs/network.md)"},
};

/* The i-th declared parameter of spec: its name (into name) and whether it
 * is optional; false past the last. "[a, b?]", "[[list]]" */
static bool declared_at(const char *spec, int i, char *name, size_t cap, bool *optional)
{
    if (!spec || spec[0] != '[')
        return false;
    const char *p = spec + 1;
    for (int k = 0;; k++) {
        while (*p == ' ')
            p++;
        if (*p == ']' || !*p)
            return false;
        size_t n = *p == '[' ? strcspn(p, "]") + 1 : strcspn(p, ",]");
        if (k == i) {
            size_t len = n < cap ? n : cap - 1;
            memcpy(name, p, len);
            name[len] = '\0';
            *optional = len > 0 && name[len - 1] == '?';
            if (*optional)
                name[len - 1] = '\0';
            return true;
        }
        p += n;
        if (*p == '?')
            p++;
        if (*p == ',')
            p++;
    }
}

static int name_types(const char *name, const char **says)
{
    if (name[0] == '[') {
        *says = "a list";
        return P_LIST;
    }
    for (size_t i = 0; i < sizeof param_names / sizeof param_names[0]; i++)
        if (strcmp(param_names[i].name, name) == 0) {
            *says = param_names[i].says;
            return (int)param_names[i].types;
        }
    return -1;
}

bool nm_rpc_params_declared(const char *params)
{
    char name[64];
    bool optional;
    const char *says;
    for (int i = 0; declared_at(params, i, name, sizeof name, &optional); i++)
        if (name_types(name, &says) < 0)
            return false;
    return params && params[0] == '[';
}

int nm_rpc_params_check(const struct nm_rpc_method_info *info, const cJSON *params,
                        struct nm_rpc_error_out *e)
{
    int given = cJSON_IsArray(params) ? cJSON_GetArraySize(params) : 0;
    char name[64];
    bool optional;
    const char *says = "";
    for (int i = 0; i < given; i++) {
        if (!declared_at(info->params, i, name, sizeof name, &optional))
            return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                               "invalid params: %s takes %s, not %d parameters", info->name,
                               info->params, given);
        const cJSON *p = cJSON_GetArrayItem(params, i);
        int types = name_types(name, &says);
        if (cJSON_IsNull(p) || types < 0)
            continue;
        bool ok = (cJSON_IsNumber(p) && (types & P_NUMBER)) ||
                  (cJSON_IsString(p) && (types & P_STRING)) ||
                  (cJSON_IsBool(p) && (types & P_BOOL)) || (cJSON_IsArray(p) && (types & P_LIST)) ||
                  (cJSON_IsObject(p) && (types & P_OBJECT));
        if (!ok)
            return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                               "invalid params: parameter %d (%s) must be %s", i, name, says);
    }
    return 0;
}

/* A chain error: our code and message, with its name in data. */
int nm_rpc_fail_chain(struct nm_rpc_error_out *e, int err, const char *context)
{
    e->code = nm_rpc_code(err);
    if (context)
        snprintf(e->message, sizeof e->message, "%s: %s", context, nm_strerror(err));
    else
        snprintf(e->message, sizeof e->message, "%s", nm_strerror(err));
    e->data = cJSON_CreateObject();
    cJSON_AddStringToObject(e->data, "name", nm_errname(err));
    cJSON_AddNumberToObject(e->data, "code", nm_rpc_code(err));
    cJSON_AddStringToObject(e->data, "message", nm_strerror(err));
    return -1;
}

const cJSON *nm_rpc_param(struct nm_rpc_request *r, int i)
{
    return r->params ? cJSON_GetArrayItem(r->params, i) : NULL;
}

bool nm_rpc_param_missing(const cJSON *p)
{
    return !p || cJSON_IsNull(p);
}

int nm_rpc_param_u64(struct nm_rpc_request *r, int i, uint64_t *out, struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, i);
    if (cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble <= 9007199254740992.0 &&
        p->valuedouble == (double)(uint64_t)p->valuedouble) {
        *out = (uint64_t)p->valuedouble;
        return 0;
    }
    if (cJSON_IsString(p)) {
        const char *s = p->valuestring;
        if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && s[2]) {
            /* Digits only: strtoull alone takes "-1" (2^64-1), "+1" and " 1". */
            size_t digits = strspn(s + 2, "0123456789abcdefABCDEF");
            if (!s[2 + digits] && digits <= 16) {
                *out = strtoull(s + 2, NULL, 16);
                return 0;
            }
        } else if (nm_units_parse(s, out) == 0) {
            return 0;
        }
    }
    return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                       "invalid params: parameter %d must be a whole number", i);
}

int nm_rpc_param_hash(struct nm_rpc_request *r, int i, nm_hash *out, struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, i);
    if (!cJSON_IsString(p) || nm_hash_from_hex(p->valuestring, out))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected a 0x-prefixed 32-byte hash");
    return 0;
}

int nm_rpc_param_account(struct nm_rpc_request *r, int i, nm_account *out,
                         struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, i);
    if (!cJSON_IsString(p))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: expected an SS58 address");
    int err = nm_ss58_decode(p->valuestring, out);
    if (err)
        return nm_rpc_fail_chain(e, err, NULL);
    return 0;
}

int nm_rpc_param_subnet(struct nm_rpc_request *r, int i, uint16_t *out, struct nm_rpc_error_out *e)
{
    uint64_t v;
    if (nm_rpc_param_u64(r, i, &v, e))
        return -1;
    if (v < 1 || v > 65535)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: subnet id must be 1-65535");
    *out = (uint16_t)v;
    return 0;
}

/* Height named by an optional block hash parameter (best when absent). */
int nm_rpc_param_block(struct nm_rpc_request *r, int i, uint64_t *height,
                       struct nm_rpc_error_out *e)
{
    if (nm_rpc_param_missing(nm_rpc_param(r, i))) {
        *height = r->chain->best.height;
        return 0;
    }
    nm_hash h;
    if (nm_rpc_param_hash(r, i, &h, e))
        return -1;
    int err = nm_chain_height_of(r->chain, &h, height);
    return err ? nm_rpc_fail_chain(e, err, NULL) : 0;
}
