/* screen_validators.c - the Validators screen: the selected subnet's
 * validators with stake, reputation, similarity to consensus, and the
 * outlier and collusion flags (CONS-003/004) where the node reports them,
 * and the age of each validator's standing weights (issue 16);
 * flagged rows stand out. */
#include "console/dashboard/screen.h"

#include "console/dashboard/dashboard_fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_UID,
    C_HOTKEY,
    C_STAKE,
    C_REPUTATION,
    C_SIMILARITY,
    C_OUTLIER,
    C_COLLUSION,
    C_WEIGHTS,
    C_ENDPOINT,
    C_COUNT
};

static const struct table_column columns[C_COUNT] = {
    [C_UID] = {"UID", 5, 0, TABLE_RIGHT},
    [C_HOTKEY] = {"HOTKEY", 0, 13, TABLE_ID},
    [C_STAKE] = {"STAKE", 9, 0, TABLE_RIGHT},
    [C_REPUTATION] = {"REPUTATION", 10, 0, TABLE_RIGHT},
    [C_SIMILARITY] = {"SIMILARITY", 10, 0, TABLE_RIGHT},
    [C_OUTLIER] = {"OUTLIER", 7, 0, TABLE_LEFT},
    [C_COLLUSION] = {"COLLUSION", 9, 0, TABLE_LEFT},
    [C_WEIGHTS] = {"WEIGHTS AGE", 15, 0, TABLE_LEFT},
    [C_ENDPOINT] = {"ENDPOINT", 22, 1, TABLE_LEFT},
};

static const char *const column_names[] = {"uid",        "hotkey",     "stake",
                                           "reputation", "similarity", "outlier",
                                           "collusion",  "weights",    "endpoint",
                                           NULL};

struct nm_screen {
    struct nm_table_screen base; /* first: the shared table-screen ops use it */
    size_t *rows;                /* indices of validators in cache->neurons */
    size_t nrows;
};

static const struct nm_neuron *row_neuron(const struct nm_screen *s, size_t row)
{
    return &s->base.cache->neurons[s->rows[row]];
}

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const struct nm_neuron *n = row_neuron(s, row);
    unsigned f = n->has;
    switch (col) {
    case C_UID: snprintf(buf, cap, "%d", n->uid); break;
    case C_HOTKEY:
        nm_names_show(s->base.cache->show_addresses ? NULL : &s->base.cache->names, n->hotkey,
                      0, false, buf, cap);
        break;
    case C_STAKE: nm_fmt_nmt_fit(n->stake, 9, buf, cap); break;
    case C_REPUTATION:
        if (f & NM_NF_REPUTATION)
            nm_fmt_fraction(n->reputation, buf, cap);
        else
            snprintf(buf, cap, "-");
        break;
    case C_SIMILARITY:
        if (f & NM_NF_SIMILARITY)
            nm_fmt_fraction(n->similarity, buf, cap);
        else
            snprintf(buf, cap, "-");
        break;
    case C_OUTLIER:
        snprintf(buf, cap, "%s", !(f & NM_NF_OUTLIER) ? "-" : n->outlier ? "OUTLIER" : "no");
        if (n->outlier)
            *role = WR_BAD;
        break;
    case C_COLLUSION:
        snprintf(buf, cap, "%s",
                 !(f & NM_NF_COLLUSION)   ? "-"
                 : n->collusion_confirmed ? "CONFIRMED"
                 : n->collusion           ? "suspect"
                                          : "no");
        if (n->collusion)
            *role = WR_BAD;
        break;
    case C_WEIGHTS: /* issue 16: weights stand until stale_at */
        if (!(f & NM_NF_WEIGHTS_AGE))
            snprintf(buf, cap, "-");
        else if (n->weights_age < 0)
            snprintf(buf, cap, "none");
        else
            snprintf(buf, cap, "%lld %s@%llu", (long long)n->weights_age,
                     n->weights_stale ? "STALE" : "stale", (unsigned long long)n->weights_stale_at);
        if ((f & NM_NF_WEIGHTS_AGE) && (n->weights_age < 0 || n->weights_stale))
            *role = WR_BAD;
        break;
    case C_ENDPOINT: snprintf(buf, cap, "%s", n->endpoint[0] ? n->endpoint : "-"); break;
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
    const struct nm_neuron *x = row_neuron(s, a), *y = row_neuron(s, b);
    switch (col) {
    case C_UID: return cmp_d(x->uid, y->uid);
    case C_HOTKEY: return strcmp(x->hotkey, y->hotkey);
    case C_STAKE: return x->stake < y->stake ? -1 : x->stake > y->stake;
    case C_REPUTATION: return cmp_d(x->reputation, y->reputation);
    case C_SIMILARITY: return cmp_d(x->similarity, y->similarity);
    case C_OUTLIER: return cmp_d(x->outlier, y->outlier);
    case C_COLLUSION: return cmp_d(x->collusion, y->collusion);
    case C_WEIGHTS: return cmp_d((double)x->weights_age, (double)y->weights_age);
    default: return strcmp(x->endpoint, y->endpoint);
    }
}

static struct nm_screen *validators_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (s && nm_table_screen_init(&s->base, look, 2, columns, C_COUNT, cell, compare, s, C_STAKE,
                                  true) != 0) {
        free(s);
        s = NULL;
    }
    return s;
}

static void validators_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    nm_table_screen_fini(&s->base);
    free(s->rows);
    free(s);
}

static void validators_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->base.cache = c;
    if (!(dirty & NM_DIRTY_METAGRAPH))
        return;
    size_t *rows = c->nneurons ? malloc(c->nneurons * sizeof *rows) : NULL;
    size_t n = 0;
    for (size_t i = 0; rows && i < c->nneurons; i++)
        if (strcmp(c->neurons[i].role, "validator") == 0)
            rows[n++] = i;
    free(s->rows);
    s->rows = rows;
    s->nrows = rows ? n : 0;
    Table_setRowCount(s->base.table, s->nrows);
}

static void validators_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->base.look;
    s->base.cache = c;
    nm_screen_clear(win, L, s->base.y, s->base.x, 2 < s->base.h ? 2 : s->base.h, s->base.w);
    if (c->mg_subnet <= 0) {
        nm_screen_message(win, L, s->base.y, s->base.x, s->base.h, s->base.w,
                          "no subnet selected yet");
        return;
    }
    size_t outliers = 0, flagged = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        outliers += c->neurons[s->rows[i]].outlier;
        flagged += c->neurons[s->rows[i]].collusion;
    }
    char title[64], line[256];
    snprintf(title, sizeof title, "Validators of subnet %d  ", c->mg_subnet);
    snprintf(line, sizeof line, "%zu validators, %zu outliers, %zu flagged for collusion",
             s->nrows, outliers, flagged);
    int used = widget_put(win, s->base.y, s->base.x + 1, s->base.w - 1, L->attr[WR_TITLE], title);
    widget_put(win, s->base.y, s->base.x + 1 + used, s->base.w - 1 - used,
               L->attr[outliers || flagged ? WR_BAD : WR_DIM], line);
    unsigned f = c->neuron_fields;
    if (s->base.h > 1 && !(f & (NM_NF_REPUTATION | NM_NF_OUTLIER | NM_NF_COLLUSION)))
        widget_put(win, s->base.y + 1, s->base.x + 1, s->base.w - 1, L->attr[WR_DIM],
                   "reputation, similarity and flags appear once the node computes consensus "
                   "(- : not reported)");
    Widget_draw(Table_widget(s->base.table), win);
    if (s->nrows == 0 && s->base.h > 4)
        widget_put_aligned(win, s->base.y + 2 + (s->base.h - 2) / 2, s->base.x, s->base.w,
                           L->attr[WR_DIM], "no validator registered on this subnet", 0);
}

static const char *const *validators_columns(struct nm_screen *s)
{
    (void)s;
    return column_names;
}

const struct nm_screen_ops nm_screen_validators = {
    .name = "validators",
    .title = "Validators",
    .interest = NM_DIRTY_METAGRAPH,
    .create = validators_create,
    .destroy = validators_destroy,
    .layout = nm_table_screen_layout,
    .update = validators_update,
    .draw = validators_draw,
    .on_key = nm_table_screen_on_key,
    .table = nm_table_screen_table,
    .columns = validators_columns,
};
