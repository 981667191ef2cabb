/* params_json.c - the chain parameters as JSON (see params_json.h). */
#include "node/params_json.h"

#include "node/pallets/governance.h"

#include <stdio.h>
#include <string.h>

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

const char *nm_param_unit(const struct nm_param_info *info)
{
    const char *n = info->name;
    if (ends_with(n, "_ppb"))
        return "ppb";
    if (ends_with(n, "_ppm"))
        return "ppm";
    if (ends_with(n, "_ms"))
        return "ms";
    if (ends_with(n, "_blocks") || strcmp(n, "tempo") == 0)
        return "blocks";
    /* amounts say so in their description */
    if (strstr(info->description, "base units"))
        return "base_units";
    return "count";
}

static bool add_u64(cJSON *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return cJSON_AddStringToObject(o, key, buf) != NULL;
}

cJSON *nm_params_json(const struct nm_params *p)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; list && i < nm_param_count; i++) {
        const struct nm_param_info *info = &nm_param_table[i];
        cJSON *o = cJSON_CreateObject();
        if (o && !cJSON_AddItemToArray(list, o)) {
            cJSON_Delete(o);
            o = NULL;
        }
        /* once in the list, o goes with it */
        if (!o || !cJSON_AddStringToObject(o, "name", info->name) ||
            !add_u64(o, "value", nm_param_value(p, info)) ||
            !cJSON_AddStringToObject(o, "unit", nm_param_unit(info)) ||
            !add_u64(o, "min", info->min) || !add_u64(o, "max", info->max) ||
            !cJSON_AddBoolToObject(o, "governable", nm_governance_param_allowed(info->name)) ||
            !cJSON_AddStringToObject(o, "description", info->description)) {
            cJSON_Delete(list);
            return NULL;
        }
    }
    return list;
}
