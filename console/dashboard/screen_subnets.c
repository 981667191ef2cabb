/* screen_subnets.c - the Subnets screen: every subnet with its task,
 * status, emission weight, neuron counts, minimum stakes and owner, as a
 * sortable, filterable table. */
#include "console/dashboard/screen.h"

#include "console/dashboard/dashboard_fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_ID,
    C_NAME,
    C_TASK,
    C_STATUS,
    C_EMISSION,
    C_MINERS,
    C_VALIDATORS,
    C_MAX,
    C_MIN_MINER,
    C_MIN_VALIDATOR,
    C_OWNER,
    C_COUNT
};

static const struct table_column columns[C_COUNT] = {
    [C_ID] = {"ID", 5, 0, TABLE_RIGHT},
    [C_NAME] = {"NAME", 0, 8, TABLE_LEFT},
    [C_TASK] = {"TASK", 15, 0, TABLE_LEFT},
    [C_STATUS] = {"STATUS", 8, 0, TABLE_LEFT},
    [C_EMISSION] = {"EMIT%", 6, 0, TABLE_RIGHT},
    [C_MINERS] = {"MINERS", 7, 0, TABLE_RIGHT},
    [C_VALIDATORS] = {"VALID", 6, 0, TABLE_RIGHT},
    [C_MAX] = {"MAX", 6, 1, TABLE_RIGHT},
    [C_MIN_MINER] = {"MIN-M", 8, 1, TABLE_RIGHT},
    [C_MIN_VALIDATOR] = {"MIN-V", 8, 1, TABLE_RIGHT},
    [C_OWNER] = {"OWNER", 14, 1, TABLE_LEFT},
};

static const char *const column_names[] = {"id",        "name",          "task",       "status",
                                           "emission",  "miners",        "validators", "max",
                                           "min-miner", "min-validator", "owner",      NULL};

struct nm_screen {
    struct nm_table_screen base; /* first: the shared table-screen ops use it */
};

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const struct nm_subnet_row *r = &s->base.cache->subnets[row];
    switch (col) {
    case C_ID: snprintf(buf, cap, "%d", r->id); break;
    case C_NAME: snprintf(buf, cap, "%s", r->name); break;
    case C_TASK: snprintf(buf, cap, "%s", r->task); break;
    case C_STATUS:
        snprintf(buf, cap, "%s", r->status);
        *role = strcmp(r->status, "active") == 0 ? WR_GOOD : WR_DIM;
        break;
    case C_EMISSION: snprintf(buf, cap, "%d", r->emission_weight); break;
    case C_MINERS: snprintf(buf, cap, "%d", r->miners); break;
    case C_VALIDATORS: snprintf(buf, cap, "%d", r->validators); break;
    case C_MAX: snprintf(buf, cap, "%d", r->max_neurons); break;
    case C_MIN_MINER: nm_fmt_nmt_fit(r->min_stake_miner, 8, buf, cap); break;
    case C_MIN_VALIDATOR: nm_fmt_nmt_fit(r->min_stake_validator, 8, buf, cap); break;
    case C_OWNER:
        nm_names_show(s->base.cache->show_addresses ? NULL : &s->base.cache->names, r->owner, 14,
                      s->base.look->utf8, buf, cap);
        break;
    default: buf[0] = '\0';
    }
}

static int cmp_int(long long a, long long b)
{
    return a < b ? -1 : a > b;
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    const struct nm_screen *s = ud;
    const struct nm_subnet_row *x = &s->base.cache->subnets[a], *y = &s->base.cache->subnets[b];
    switch (col) {
    case C_ID: return cmp_int(x->id, y->id);
    case C_NAME: return strcmp(x->name, y->name);
    case C_TASK: return strcmp(x->task, y->task);
    case C_STATUS: return strcmp(x->status, y->status);
    case C_EMISSION: return cmp_int(x->emission_weight, y->emission_weight);
    case C_MINERS: return cmp_int(x->miners, y->miners);
    case C_VALIDATORS: return cmp_int(x->validators, y->validators);
    case C_MAX: return cmp_int(x->max_neurons, y->max_neurons);
    case C_MIN_MINER:
        return x->min_stake_miner < y->min_stake_miner ? -1
                                                       : x->min_stake_miner > y->min_stake_miner;
    case C_MIN_VALIDATOR:
        return x->min_stake_validator < y->min_stake_validator
                   ? -1
                   : x->min_stake_validator > y->min_stake_validator;
    default: return strcmp(x->owner, y->owner);
    }
}

static struct nm_screen *subnets_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (s && nm_table_screen_init(&s->base, look, 1, columns, C_COUNT, cell, compare, s, C_ID,
                                  false) != 0) {
        free(s);
        s = NULL;
    }
    return s;
}

static void subnets_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    nm_table_screen_fini(&s->base);
    free(s);
}

static void subnets_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->base.cache = c;
    if (dirty & NM_DIRTY_SUBNETS)
        Table_setRowCount(s->base.table, c->nsubnets);
}

static void subnets_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->base.look;
    s->base.cache = c;
    char line[200];
    size_t active = 0;
    for (size_t i = 0; i < c->nsubnets; i++)
        if (strcmp(c->subnets[i].status, "active") == 0)
            active++;
    const char *filter = Table_filter(s->base.table);
    snprintf(line, sizeof line, "%zu subnets, %zu active%s%s%s", c->nsubnets, active,
             filter[0] ? "  filter: " : "", filter,
             c->nsubnets ? ""
                         : "  (create one with: "
                           "subnet create --name NAME "
                           "--task CODE_GEN)");
    widget_fill(win, s->base.y, s->base.x, s->base.w, L->attr[WR_NORMAL]);
    int used =
        widget_put(win, s->base.y, s->base.x + 1, s->base.w - 1, L->attr[WR_TITLE], "Subnets  ");
    widget_put(win, s->base.y, s->base.x + 1 + used, s->base.w - 1 - used, L->attr[WR_DIM], line);
    Widget_draw(Table_widget(s->base.table), win);
}

static const char *const *subnets_columns(struct nm_screen *s)
{
    (void)s;
    return column_names;
}

const struct nm_screen_ops nm_screen_subnets = {
    .name = "subnets",
    .title = "Subnets",
    .interest = NM_DIRTY_SUBNETS,
    .create = subnets_create,
    .destroy = subnets_destroy,
    .layout = nm_table_screen_layout,
    .update = subnets_update,
    .draw = subnets_draw,
    .on_key = nm_table_screen_on_key,
    .table = nm_table_screen_table,
    .columns = subnets_columns,
};
