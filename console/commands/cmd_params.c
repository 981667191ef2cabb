/* cmd_params.c - `params [NAME]`: every chain parameter (chain_params) with
 * its current value in its display unit (NMT for amounts, % for shares,
 * blocks, ms), its bounds and whether governance may change it. */
#include "client/numfmt.h"
#include "console/commands/cmd_api.h"

#include "node/errors.h"
#include "node/params_json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *nm_cmd_param_text(const char *unit, uint64_t v, char *out, size_t cap)
{
    char a[NM_CMD_AMOUNT_CAP];
    if (strcmp(unit, "base_units") == 0)
        snprintf(out, cap, "%s", nm_cmd_amount_text(v, a));
    else if (strcmp(unit, "ppb") == 0)
        nm_fmt_percent(v, 1000000000, out, cap);
    else if (strcmp(unit, "ppm") == 0)
        nm_fmt_percent(v, 1000000, out, cap);
    else if (strcmp(unit, "blocks") == 0 || strcmp(unit, "ms") == 0)
        snprintf(out, cap, "%" PRIu64 " %s", v, unit);
    else
        snprintf(out, cap, "%" PRIu64, v);
    return out;
}

const char *nm_cmd_proposal_summary(const cJSON *p, bool utf8, char *out, size_t cap)
{
    const cJSON *a = nm_jget(p, "action");
    const char *name = nm_jget_str(a, "name");
    const struct nm_param_info *info = name[0] ? nm_param_find(name) : NULL;
    if (nm_jget(a, "dest") && nm_jget(a, "amount")) { /* a spend, in the one amount format */
        char amt[NM_FMT_AMOUNT_CAP], to[64];
        snprintf(out, cap, "pay %s from the treasury to %s",
                 nm_fmt_amount(nm_jget_u64(a, "amount"), amt, sizeof amt),
                 nm_fmt_address(nm_jget_str(a, "dest"), 17, utf8, to, sizeof to));
        return out;
    }
    if (!info || !nm_jget(a, "value")) {
        snprintf(out, cap, "%s", nm_jget_str(p, "summary"));
        return out;
    }
    const char *unit = nm_param_unit(info), *arrow = utf8 ? "\xe2\x86\x92" : "->";
    char now[64], next[64];
    nm_cmd_param_text(unit, nm_jget_u64(a, "value"), next, sizeof next);
    /* Executed: the value it replaced (the node's event of the change);
     * before: the value in force now. */
    const char *before = strcmp(nm_jget_str(p, "status"), "executed") == 0 ? "old" : "current";
    if (!nm_jget(a, before))
        snprintf(out, cap, "%s %s %s (set)", name, arrow, next);
    else
        snprintf(out, cap, "%s %s %s %s", name,
                 nm_cmd_param_text(unit, nm_jget_u64(a, before), now, sizeof now), arrow, next);
    return out;
}

static void param_line(struct nm_cmd_text *b, const cJSON *p, bool long_form)
{
    const char *unit = nm_jget_str(p, "unit");
    char v[64], lo[64], hi[64];
    nm_cmd_param_text(unit, nm_jget_u64(p, "value"), v, sizeof v);
    nm_cmd_param_text(unit, nm_jget_u64(p, "min"), lo, sizeof lo);
    nm_cmd_param_text(unit, nm_jget_u64(p, "max"), hi, sizeof hi);
    bool gov = cJSON_IsTrue(nm_jget(p, "governable"));
    if (long_form)
        nm_cmd_printf(b,
                      "%s\n  value     %s\n  bounds    %s .. %s\n  governed  %s\n  about     "
                      "%s\n",
                      nm_jget_str(p, "name"), v, lo, hi,
                      gov ? "yes: propose param NAME VALUE" : "no (fixed by the chain spec)",
                      nm_jget_str(p, "description"));
    else
        nm_cmd_printf(b, "%-26s %-24s %-3s %s .. %s\n", nm_jget_str(p, "name"), v,
                      gov ? "yes" : "-", lo, hi);
}

static int h_params(struct nm_cmd_ctx *ctx)
{
    cJSON *list;
    int rc = nm_cmd_rpc(ctx, "chain_params", NULL, &list);
    if (rc)
        return rc;
    const char *want = nm_cmd_arg(ctx, 0);
    struct nm_cmd_text b = {0};
    const cJSON *p, *found = NULL;
    cJSON_ArrayForEach(p, list)
        if (want && strcmp(nm_jget_str(p, "name"), want) == 0)
            found = p;
    if (want && !found) {
        char q[NM_CMD_QUOTE_CAP];
        cJSON_Delete(list);
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_UNKNOWN_PARAM,
                           "no parameter \"%s\" (params lists them)", nm_cmd_quote(want, q));
    }
    if (found) {
        param_line(&b, found, true);
        cJSON *one = cJSON_DetachItemViaPointer(list, (cJSON *)found);
        cJSON_Delete(list);
        return nm_cmd_ok(ctx, one, &b);
    }
    nm_cmd_printf(&b, "%-26s %-24s %-3s %s\n", "NAME", "VALUE", "GOV", "BOUNDS");
    cJSON_ArrayForEach(p, list)
        param_line(&b, p, false);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "params", list);
    return nm_cmd_ok(ctx, j, &b);
}

static const struct nm_cmd_entry entries[] = {
    {.words = "params", .usage = "params [NAME]",
     .json = "params (chain_params' objects: name, value, unit, min, max, governable, "
             "description), or that one object for NAME",
     .summary = "chain parameters: value in its unit, bounds, whether governance may change it",
     .flags = NM_CMD_NEEDS_NODE, .max_args = 1, .handler = h_params},
};

const struct nm_cmd_table nm_cmd_params_table = NM_CMD_TABLE(entries);
