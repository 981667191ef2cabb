/* screen_governance.c - the Governance screen (GOV-001/002): treasury and
 * parameters, then the proposals with status, tally (ayes, turnout against
 * quorum), blocks and time left and the operator's own vote. When the node
 * serves no gov_proposals it says so instead. */
#include "console/dashboard/screen.h"

#include "console/commands/cmd_api.h"
#include "console/dashboard/dashboard_fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_ID, C_KIND, C_STATUS, C_SUMMARY, C_AYE, C_TURNOUT, C_LEFT, C_VOTE, C_COUNT };

static const struct table_column columns[C_COUNT] = {
    [C_ID] = {"ID", 5, 0, TABLE_RIGHT},         [C_KIND] = {"KIND", 8, 0, TABLE_LEFT},
    [C_STATUS] = {"STATUS", 10, 0, TABLE_LEFT}, [C_SUMMARY] = {"SUMMARY", 0, 12, TABLE_LEFT},
    [C_AYE] = {"AYE", 6, 0, TABLE_RIGHT},       [C_TURNOUT] = {"TURNOUT/Q", 11, 0, TABLE_RIGHT},
    [C_LEFT] = {"LEFT", 22, 1, TABLE_RIGHT},    [C_VOTE] = {"MY VOTE", 7, 1, TABLE_LEFT},
};

static const char *const column_names[] = {"id",      "kind", "status", "summary", "aye",
                                           "turnout", "left", "vote",   NULL};

struct nm_screen {
    struct nm_table_screen base; /* first: the shared table-screen ops use it */
    const cJSON **props;         /* into cache->gov_overview */
    size_t nprops;
};

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_of(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const cJSON *p = s->props[row];
    const cJSON *tally = get(p, "tally");
    char a[32], b[32];
    switch (col) {
    case C_ID: snprintf(buf, cap, "%.0f", num_of(p, "id")); break;
    case C_KIND: snprintf(buf, cap, "%s", str_of(p, "kind")); break;
    case C_STATUS: {
        const char *st = str_of(p, "status");
        snprintf(buf, cap, "%s", st);
        if (strcmp(st, "approved") == 0 || strcmp(st, "executed") == 0)
            *role = WR_GOOD;
        else if (strcmp(st, "rejected") == 0 || strcmp(st, "slashed") == 0 ||
                 strcmp(st, "failed") == 0 || strcmp(st, "cancelled") == 0)
            *role = WR_BAD;
        else
            *role = WR_ACCENT;
        break;
    }
    case C_SUMMARY: nm_cmd_proposal_summary(p, s->base.look->utf8, buf, cap); break;
    case C_AYE: nm_fmt_percent((uint64_t)num_of(tally, "aye_ppm"), 1000000, buf, cap); break;
    case C_TURNOUT: {
        char t[24], q[24];
        snprintf(buf, cap, "%s/%s",
                 nm_fmt_percent((uint64_t)num_of(tally, "turnout_ppm"), 1000000, t, sizeof t),
                 nm_fmt_percent((uint64_t)num_of(tally, "quorum_ppm"), 1000000, q, sizeof q));
        if (cJSON_IsTrue(get(tally, "quorum_reached")))
            *role = WR_GOOD;
        break;
    }
    case C_LEFT: {
        double blocks = num_of(p, "blocks_left"), secs = num_of(p, "seconds_left");
        /* open: to the end of the vote; approved: to its execution */
        bool to_exec = strcmp(str_of(p, "status"), "approved") == 0;
        if (blocks <= 0)
            snprintf(buf, cap, "-");
        else
            snprintf(buf, cap, "%s%.0f (%s)", to_exec ? "exec in " : "", blocks,
                     nm_fmt_duration_ms((uint64_t)(secs * 1000), a, sizeof a));
        (void)b;
        break;
    }
    case C_VOTE: {
        const cJSON *v = get(p, "my_vote");
        snprintf(buf, cap, "%s", cJSON_IsString(v) ? v->valuestring : "-");
        break;
    }
    default: buf[0] = '\0';
    }
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    const struct nm_screen *s = ud;
    char x[256], y[256];
    enum widget_role r;
    if (col == C_ID || col == C_AYE || col == C_LEFT || col == C_TURNOUT) {
        static const char *const keys[C_COUNT] = {[C_ID] = "id", [C_LEFT] = "blocks_left"};
        double va, vb;
        if (keys[col]) {
            va = num_of(s->props[a], keys[col]);
            vb = num_of(s->props[b], keys[col]);
        } else {
            const char *k = col == C_AYE ? "aye_ppm" : "turnout_ppm";
            va = num_of(get(s->props[a], "tally"), k);
            vb = num_of(get(s->props[b], "tally"), k);
        }
        return va < vb ? -1 : va > vb;
    }
    cell(ud, a, col, x, sizeof x, &r);
    cell(ud, b, col, y, sizeof y, &r);
    return strcmp(x, y);
}

static struct nm_screen *gov_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (s && nm_table_screen_init(&s->base, look, 3, columns, C_COUNT, cell, compare, s, C_ID,
                                  true) != 0) {
        free(s);
        s = NULL;
    }
    return s;
}

static void gov_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    nm_table_screen_fini(&s->base);
    free(s->props);
    free(s);
}

static void gov_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->base.cache = c;
    if (!(dirty & NM_DIRTY_GOVERNANCE))
        return;
    const cJSON *list = get(c->gov_overview, "proposals");
    int n = cJSON_GetArraySize(list);
    const cJSON **props = n > 0 ? malloc((size_t)n * sizeof *props) : NULL;
    size_t k = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, list)
    {
        if (props && cJSON_IsObject(p) && k < (size_t)n)
            props[k++] = p;
    }
    free(s->props);
    s->props = props;
    s->nprops = props ? k : 0;
    Table_setRowCount(s->base.table, s->nprops);
}

static void gov_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->base.look;
    s->base.cache = c;
    if (c->gov == NM_GOV_UNAVAILABLE) {
        nm_screen_message(win, L, s->base.y, s->base.x, s->base.h, s->base.w,
                          "governance is not served by this node (no gov_proposals method)");
        return;
    }
    if (c->gov == NM_GOV_UNKNOWN) {
        nm_screen_message(win, L, s->base.y, s->base.x, s->base.h, s->base.w,
                          "waiting for governance data");
        return;
    }
    nm_screen_clear(win, L, s->base.y, s->base.x, 3 < s->base.h ? 3 : s->base.h, s->base.w);
    const cJSON *o = c->gov_overview;
    const cJSON *params = get(o, "params");
    char line[256];
    int used = widget_put(win, s->base.y, s->base.x + 1, s->base.w - 1, L->attr[WR_TITLE],
                          "Governance  ");
    snprintf(line, sizeof line, "%zu proposals shown, %d open", s->nprops, c->open_proposals);
    widget_put(win, s->base.y, s->base.x + 1 + used, s->base.w - 1 - used, L->attr[WR_DIM], line);
    if (s->base.h > 1) {
        const cJSON *treasury = get(o, "treasury");
        const char *t = cJSON_IsString(treasury)   ? treasury->valuestring
                        : cJSON_IsObject(treasury) ? str_of(treasury, "balance")
                                                   : "";
        char tb[48] = "-";
        if (t[0])
            nm_fmt_amount_text(t, tb, sizeof tb);
        char q[24], ap[24];
        snprintf(line, sizeof line,
                 "quorum %s  approval %s  review %.0f blocks  timelock %.0f blocks",
                 nm_fmt_percent((uint64_t)num_of(params, "quorum_ppm"), 1000000, q, sizeof q),
                 nm_fmt_percent((uint64_t)num_of(params, "approval_ppm"), 1000000, ap, sizeof ap),
                 num_of(params, "review_period_blocks"), num_of(params, "timelock_blocks"));
        int x = s->base.x + 1;
        x += nm_screen_pair(win, L, s->base.y + 1, x, s->base.w - 1, "Treasury", tb, WR_VALUE) + 3;
        widget_put(win, s->base.y + 1, x, s->base.x + s->base.w - x, L->attr[WR_DIM], line);
    }
    Widget_draw(Table_widget(s->base.table), win);
    if (s->nprops == 0 && s->base.h > 5)
        widget_put_aligned(win, s->base.y + 3 + (s->base.h - 3) / 2, s->base.x, s->base.w,
                           L->attr[WR_DIM],
                           "no open proposals (propose param NAME VALUE, propose spend ...)", 0);
}

static const char *const *gov_columns(struct nm_screen *s)
{
    (void)s;
    return column_names;
}

const struct nm_screen_ops nm_screen_governance = {
    .name = "governance",
    .title = "Governance",
    .interest = NM_DIRTY_GOVERNANCE,
    .create = gov_create,
    .destroy = gov_destroy,
    .layout = nm_table_screen_layout,
    .update = gov_update,
    .draw = gov_draw,
    .on_key = nm_table_screen_on_key,
    .table = nm_table_screen_table,
    .columns = gov_columns,
};
