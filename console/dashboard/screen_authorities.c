/* screen_authorities.c - the Authorities screen (issue 11, Alt-9): one row
 * per BFT authority (index, account or its name, voting power and share,
 * online or offline from the votes this node saw recently, last signed
 * height, rounds it was the proposer of that went undecided, votes that
 * came late) under the set's size and quorum and where finality stands
 * (best vs finalized, the height, round and step being decided). Fed by
 * bft_authorities and bft_state after each block and bft_subscribeRounds
 * at each new round. */
#include "console/dashboard/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_INDEX, C_ACCOUNT, C_POWER, C_SHARE, C_STATUS, C_SIGNED, C_MISSED, C_LATE, C_COUNT };

static const struct table_column columns[C_COUNT] = {
    [C_INDEX] = {.title = "#", .width = 4, .align = TABLE_RIGHT},
    [C_ACCOUNT] = {.title = "ACCOUNT", .min_width = 13, .align = TABLE_ID},
    [C_POWER] = {.title = "POWER", .width = 10, .align = TABLE_RIGHT},
    [C_SHARE] = {.title = "SHARE", .width = 7, .align = TABLE_RIGHT},
    [C_STATUS] = {.title = "STATUS", .width = 8, .align = TABLE_LEFT},
    [C_SIGNED] = {.title = "LAST SIGNED", .width = 11, .align = TABLE_RIGHT},
    [C_MISSED] = {.title = "MISSED", .width = 7, .align = TABLE_RIGHT},
    [C_LATE] = {.title = "LATE", .width = 7, .align = TABLE_RIGHT},
};

static const char *const column_names[] = {"index",  "account", "power",  "share",
                                           "status", "signed",  "missed", "late",
                                           NULL};

#define HEADER_LINES 2

struct nm_screen {
    struct nm_table_screen base; /* first: the shared table-screen ops use it */
};

static const struct nm_authority_row *row_of(const struct nm_screen *s, size_t row)
{
    return &s->base.cache->auth_rows[row];
}

static uint64_t total_power(const struct nm_cache *c)
{
    if (c->auth_total_power)
        return c->auth_total_power;
    uint64_t t = 0;
    for (size_t i = 0; i < c->nauth_rows; i++)
        t += c->auth_rows[i].power;
    return t;
}

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const struct nm_cache *c = s->base.cache;
    const struct nm_authority_row *a = row_of(s, row);
    uint64_t total = total_power(c);
    switch (col) {
    case C_INDEX: snprintf(buf, cap, "%d", a->index); break;
    case C_ACCOUNT:
        nm_names_show(c->show_addresses ? NULL : &c->names, a->account, 0, false, buf, cap);
        break;
    case C_POWER: snprintf(buf, cap, "%llu", (unsigned long long)a->power); break;
    case C_SHARE: /* display only: the quorum rule itself is integer (bft_authorities) */
        if (total)
            snprintf(buf, cap, "%.1f%%", 100.0 * (double)a->power / (double)total);
        else
            snprintf(buf, cap, "-");
        break;
    case C_STATUS:
        snprintf(buf, cap, "%s", nm_authority_status(a));
        if (a->seen)
            *role = a->online ? WR_GOOD : WR_BAD;
        break;
    case C_SIGNED:
        if (a->seen && a->last_signed)
            snprintf(buf, cap, "%llu", (unsigned long long)a->last_signed);
        else
            snprintf(buf, cap, a->seen ? "never" : "-");
        break;
    case C_MISSED:
        if (a->seen)
            snprintf(buf, cap, "%llu", (unsigned long long)a->missed);
        else
            snprintf(buf, cap, "-");
        if (a->seen && a->missed)
            *role = WR_WARN;
        break;
    case C_LATE:
        if (a->seen && a->late >= 0)
            snprintf(buf, cap, "%lld", (long long)a->late);
        else
            snprintf(buf, cap, "-");
        break;
    default: buf[0] = '\0';
    }
}

static int cmp_u(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    const struct nm_screen *s = ud;
    const struct nm_authority_row *x = row_of(s, a), *y = row_of(s, b);
    switch (col) {
    case C_ACCOUNT: return strcmp(x->account, y->account);
    case C_POWER:
    case C_SHARE: return cmp_u(x->power, y->power);
    case C_STATUS: return cmp_u(x->seen * 2u + x->online, y->seen * 2u + y->online);
    case C_SIGNED: return cmp_u(x->last_signed, y->last_signed);
    case C_MISSED: return cmp_u(x->missed, y->missed);
    case C_LATE: return x->late < y->late ? -1 : x->late > y->late;
    default: return x->index < y->index ? -1 : x->index > y->index;
    }
}

static struct nm_screen *authorities_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (s && nm_table_screen_init(&s->base, look, HEADER_LINES, columns, C_COUNT, cell, compare,
                                  s, C_INDEX, false) != 0) {
        free(s);
        s = NULL;
    }
    return s;
}

static void authorities_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    nm_table_screen_fini(&s->base);
    free(s);
}

static void authorities_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->base.cache = c;
    if (dirty & NM_DIRTY_BFT)
        Table_setRowCount(s->base.table, c->nauth_rows);
}

static void authorities_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->base.look;
    s->base.cache = c;
    int y = s->base.y, x = s->base.x, w = s->base.w;
    nm_screen_clear(win, L, y, x, HEADER_LINES < s->base.h ? HEADER_LINES : s->base.h, w);
    if (!c->have_bft && c->nauth_rows == 0) {
        nm_screen_message(win, L, y, x, s->base.h, w,
                          "no authority set yet (the node serves no bft_authorities)");
        return;
    }
    char set_line[160], round_line[200];
    nm_cache_bft_summary(c, set_line, sizeof set_line, round_line, sizeof round_line);
    size_t offline = 0;
    for (size_t i = 0; i < c->nauth_rows; i++)
        offline += c->auth_rows[i].seen && !c->auth_rows[i].online;
    int used = widget_put(win, y, x + 1, w - 1, L->attr[WR_TITLE], "Authorities  ");
    widget_put(win, y, x + 1 + used, w - 1 - used, L->attr[offline ? WR_WARN : WR_DIM], set_line);
    if (s->base.h > 1)
        widget_put(win, y + 1, x + 1, w - 1,
                   L->attr[c->bft_chain && c->bft_running && c->bft_round > 0 ? WR_WARN
                                                                               : WR_VALUE],
                   round_line);
    Widget_draw(Table_widget(s->base.table), win);
}

static const char *const *authorities_columns(struct nm_screen *s)
{
    (void)s;
    return column_names;
}

const struct nm_screen_ops nm_screen_authorities = {
    .name = "authorities",
    .title = "Authorities",
    .interest = NM_DIRTY_BFT,
    .create = authorities_create,
    .destroy = authorities_destroy,
    .layout = nm_table_screen_layout,
    .update = authorities_update,
    .draw = authorities_draw,
    .on_key = nm_table_screen_on_key,
    .table = nm_table_screen_table,
    .columns = authorities_columns,
};
