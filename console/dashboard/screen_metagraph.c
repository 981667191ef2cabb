/* screen_metagraph.c - the Metagraph screen: the selected subnet's neurons
 * (uid, role, hotkey, stake, and weight, incentive, reputation,
 * similarity, trust and reward when the node reports them, endpoint,
 * registration block) as a sortable, scrollable, filterable table. Built
 * for thousands of rows: the table draws only what is visible. */
#include "console/dashboard/screen.h"

#include "console/dashboard/dashboard_fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind {
    K_UID,
    K_ROLE,
    K_HOTKEY,
    K_STAKE,
    K_WEIGHT,
    K_INCENTIVE,
    K_REPUTATION,
    K_SIMILARITY,
    K_TRUST,
    K_REWARD,
    K_ENDPOINT,
    K_SINCE,
    K_COUNT
};

static const struct {
    struct table_column col;
    const char *name;
    unsigned needs; /* NM_NF_* that must be present, 0: always shown */
} kinds[K_COUNT] = {
    [K_UID] = {{"UID", 5, 0, TABLE_RIGHT}, "uid", 0},
    [K_ROLE] = {{"ROLE", 9, 0, TABLE_LEFT}, "role", 0},
    [K_HOTKEY] = {{"HOTKEY", 0, 13, TABLE_ID}, "hotkey", 0},
    [K_STAKE] = {{"STAKE", 9, 0, TABLE_RIGHT}, "stake", 0},
    [K_WEIGHT] = {{"WEIGHT", 8, 1, TABLE_RIGHT}, "weight", NM_NF_WEIGHT},
    [K_INCENTIVE] = {{"INCENT", 8, 1, TABLE_RIGHT}, "incentive", NM_NF_INCENTIVE},
    [K_REPUTATION] = {{"REPUT", 8, 1, TABLE_RIGHT}, "reputation", NM_NF_REPUTATION},
    [K_SIMILARITY] = {{"SIMIL", 8, 1, TABLE_RIGHT}, "similarity", NM_NF_SIMILARITY},
    [K_TRUST] = {{"TRUST", 8, 1, TABLE_RIGHT}, "trust", NM_NF_TRUST},
    [K_REWARD] = {{"REWARD", 9, 1, TABLE_RIGHT}, "reward", NM_NF_REWARD},
    [K_ENDPOINT] = {{"ENDPOINT", 24, 1, TABLE_LEFT}, "endpoint", 0},
    [K_SINCE] = {{"SINCE", 8, 1, TABLE_RIGHT}, "since", 0},
};

struct nm_screen {
    const struct widget_look *look;
    int y, x, h, w;
    struct table *table;
    const struct nm_cache *cache;
    enum kind shown[K_COUNT];
    int nshown;
    const char *names[K_COUNT + 1];
    unsigned fields; /* the NM_NF_* the columns were built for */
};

/* An optional number, or "-" when this neuron does not carry it. */
static void number(const struct nm_neuron *n, unsigned field, double v, char *buf, size_t cap)
{
    if (n->has & field)
        nm_fmt_fraction(v, buf, cap);
    else
        snprintf(buf, cap, "-");
}

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const struct nm_neuron *n = &s->cache->neurons[row];
    switch (s->shown[col]) {
    case K_UID: snprintf(buf, cap, "%d", n->uid); break;
    case K_ROLE:
        snprintf(buf, cap, "%s", n->role);
        *role = strcmp(n->role, "validator") == 0 ? WR_ACCENT : WR_NORMAL;
        break;
    case K_HOTKEY:
        nm_names_show(s->cache->show_addresses ? NULL : &s->cache->names, n->hotkey, 0, false, buf,
                      cap);
        break;
    case K_STAKE: nm_fmt_nmt_fit(n->stake, 9, buf, cap); break;
    case K_WEIGHT: number(n, NM_NF_WEIGHT, n->weight, buf, cap); break;
    case K_INCENTIVE: number(n, NM_NF_INCENTIVE, n->incentive, buf, cap); break;
    case K_REPUTATION: number(n, NM_NF_REPUTATION, n->reputation, buf, cap); break;
    case K_SIMILARITY: number(n, NM_NF_SIMILARITY, n->similarity, buf, cap); break;
    case K_TRUST: number(n, NM_NF_TRUST, n->trust, buf, cap); break;
    case K_REWARD:
        if (n->has & NM_NF_REWARD)
            nm_fmt_nmt_fit(n->reward, 9, buf, cap);
        else
            snprintf(buf, cap, "-");
        break;
    case K_ENDPOINT: snprintf(buf, cap, "%s", n->endpoint[0] ? n->endpoint : "-"); break;
    case K_SINCE: snprintf(buf, cap, "#%" PRIu64, n->registered_at); break;
    default: buf[0] = '\0';
    }
}

static int cmp_d(double a, double b)
{
    return a < b ? -1 : a > b;
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    const struct nm_screen *s = ud;
    const struct nm_neuron *x = &s->cache->neurons[a], *y = &s->cache->neurons[b];
    switch (s->shown[col]) {
    case K_UID: return cmp_d(x->uid, y->uid);
    case K_ROLE: return strcmp(x->role, y->role);
    case K_HOTKEY: return strcmp(x->hotkey, y->hotkey);
    case K_STAKE: return x->stake < y->stake ? -1 : x->stake > y->stake;
    case K_WEIGHT: return cmp_d(x->weight, y->weight);
    case K_INCENTIVE: return cmp_d(x->incentive, y->incentive);
    case K_REPUTATION: return cmp_d(x->reputation, y->reputation);
    case K_SIMILARITY: return cmp_d(x->similarity, y->similarity);
    case K_TRUST: return cmp_d(x->trust, y->trust);
    case K_REWARD: return x->reward < y->reward ? -1 : x->reward > y->reward;
    case K_ENDPOINT: return strcmp(x->endpoint, y->endpoint);
    default: return x->registered_at < y->registered_at ? -1 : x->registered_at > y->registered_at;
    }
}

/* (Re)builds the table for the fields present, keeping sort and filter. */
static int build_table(struct nm_screen *s, unsigned fields)
{
    struct table_column cols[K_COUNT];
    int sort = -1;
    bool desc = true;
    char filter[128] = "";
    enum kind sort_kind = K_STAKE;
    if (s->table) {
        sort = Table_sortColumn(s->table);
        desc = Table_sortDescending(s->table);
        if (sort >= 0)
            sort_kind = s->shown[sort];
        snprintf(filter, sizeof filter, "%s", Table_filter(s->table));
    }
    s->nshown = 0;
    for (int k = 0; k < K_COUNT; k++) {
        if (kinds[k].needs && !(fields & kinds[k].needs))
            continue;
        s->shown[s->nshown] = (enum kind)k;
        s->names[s->nshown] = kinds[k].name;
        cols[s->nshown++] = kinds[k].col;
    }
    s->names[s->nshown] = NULL;
    struct table *t = Table_new(cols, s->nshown, cell, compare, s);
    if (!t)
        return -1;
    if (s->table)
        Widget_delete(Table_widget(s->table));
    s->table = t;
    s->fields = fields;
    Widget_setLook(Table_widget(t), s->look);
    Widget_move(Table_widget(t), s->y + 1, s->x, s->h > 1 ? s->h - 1 : 0, s->w);
    for (int i = 0; i < s->nshown; i++)
        if (s->shown[i] == sort_kind)
            Table_setSort(t, i, desc);
    Table_setFilter(t, filter);
    return 0;
}

static struct nm_screen *metagraph_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->look = look;
    if (build_table(s, 0) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

static void metagraph_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    Widget_delete(Table_widget(s->table));
    free(s);
}

static void metagraph_layout(struct nm_screen *s, int y, int x, int h, int w)
{
    s->y = y;
    s->x = x;
    s->h = h;
    s->w = w;
    Widget_move(Table_widget(s->table), y + 1, x, h > 1 ? h - 1 : 0, w);
}

static void metagraph_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->cache = c;
    if (!(dirty & NM_DIRTY_METAGRAPH))
        return;
    if (c->neuron_fields != s->fields)
        build_table(s, c->neuron_fields);
    Table_setRowCount(s->table, c->nneurons);
}

static void metagraph_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->look;
    s->cache = c;
    widget_fill(win, s->y, s->x, s->w, L->attr[WR_NORMAL]);
    char title[96], line[256];
    const struct nm_subnet_row *sn = nm_cache_subnet(c, c->mg_subnet);
    if (c->mg_subnet <= 0) {
        nm_screen_message(win, L, s->y, s->x, s->h, s->w,
                          c->nsubnets ? "loading the metagraph"
                                      : "no subnet yet: the metagraph appears once one exists");
        return;
    }
    snprintf(title, sizeof title, "Subnet %d%s%s  ", c->mg_subnet, sn ? " " : "",
             sn ? sn->name : "");
    size_t validators = 0;
    for (size_t i = 0; i < c->nneurons; i++)
        if (strcmp(c->neurons[i].role, "validator") == 0)
            validators++;
    const char *filter = Table_filter(s->table);
    int sort = Table_sortColumn(s->table);
    snprintf(line, sizeof line,
             "%zu neurons (%zu validators, %zu miners)  sort %s %s%s%s  "
             "(select N, sort COL, filter TEXT)",
             c->nneurons, validators, c->nneurons - validators,
             sort >= 0 ? s->names[sort] : "none", Table_sortDescending(s->table) ? "desc" : "asc",
             filter[0] ? "  filter: " : "", filter);
    int used = widget_put(win, s->y, s->x + 1, s->w - 1, L->attr[WR_TITLE], title);
    widget_put(win, s->y, s->x + 1 + used, s->w - 1 - used, L->attr[WR_DIM], line);
    if (c->nneurons == 0) {
        Widget_draw(Table_widget(s->table), win);
        if (s->h > 3)
            widget_put_aligned(win, s->y + s->h / 2, s->x, s->w, L->attr[WR_DIM],
                               "no neurons registered on this subnet yet", 0);
        return;
    }
    Widget_draw(Table_widget(s->table), win);
}

static enum widget_result metagraph_on_key(struct nm_screen *s, int key)
{
    return Widget_onKey(Table_widget(s->table), key);
}

static struct table *metagraph_table(struct nm_screen *s)
{
    return s->table;
}

static const char *const *metagraph_columns(struct nm_screen *s)
{
    return s->names;
}

const struct nm_screen_ops nm_screen_metagraph = {
    .name = "metagraph",
    .title = "Metagraph",
    .interest = NM_DIRTY_METAGRAPH | NM_DIRTY_SUBNETS,
    .create = metagraph_create,
    .destroy = metagraph_destroy,
    .layout = metagraph_layout,
    .update = metagraph_update,
    .draw = metagraph_draw,
    .on_key = metagraph_on_key,
    .table = metagraph_table,
    .columns = metagraph_columns,
};
