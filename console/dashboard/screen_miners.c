/* screen_miners.c - the Miners screen (issues 12 and 13): the selected
 * subnet's miners with W_global from the chain, health as the aggregator
 * checks it, and query latency p50/p99 (with a short p99 trend), success
 * rate, score and last error as a validator client measured them; above
 * them the aggregator's API figures live (QPS, latency p50/p95/p99 with
 * their sparklines on one scale, cache hit and error rates). Sources: `console
 * --aggregator URL --validator URL` (dashboard_roles.h). */
#include "console/dashboard/screen.h"

#include "client/numfmt.h"
#include "console/dashboard/dashboard_fmt.h"
#include "widgets/sparkline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    C_UID,
    C_HOTKEY,
    C_WEIGHT,
    C_HEALTH,
    C_P50,
    C_P99,
    C_TREND,
    C_OK,
    C_SCORE,
    C_ENDPOINT,
    C_ERROR,
    C_COUNT
};

static const struct table_column columns[C_COUNT] = {
    [C_UID] = {"UID", 5, 0, TABLE_RIGHT},
    [C_HOTKEY] = {"HOTKEY", 0, 13, TABLE_ID},
    [C_WEIGHT] = {"W_GLOBAL", 9, 0, TABLE_RIGHT},
    [C_HEALTH] = {"HEALTH", 9, 0, TABLE_LEFT},
    [C_P50] = {"P50 MS", 7, 0, TABLE_RIGHT},
    [C_P99] = {"P99 MS", 7, 0, TABLE_RIGHT},
    [C_TREND] = {"P99 TREND", NM_PROBE_HIST, 0, TABLE_LEFT},
    [C_OK] = {"OK %", 6, 0, TABLE_RIGHT},
    [C_SCORE] = {"SCORE", 8, 0, TABLE_RIGHT},
    [C_ENDPOINT] = {"ENDPOINT", 22, 1, TABLE_LEFT},
    [C_ERROR] = {"LAST ERROR", 16, 1, TABLE_LEFT},
};

static const char *const column_names[] = {"uid",   "hotkey", "weight", "health",
                                           "p50",   "p99",    "trend",  "ok",
                                           "score", "endpoint", "error", NULL};

#define HEADER_LINES 6

struct nm_screen {
    struct nm_table_screen base; /* first: the shared table-screen ops use it */
    struct sparkline *api_lat[3]; /* p99, p95, p50 (top to bottom), one scale */
    size_t *rows; /* indices of miners in cache->neurons */
    size_t nrows;
};

static const struct nm_neuron *row_neuron(const struct nm_screen *s, size_t row)
{
    return &s->base.cache->neurons[s->rows[row]];
}

/* The last p99 values as a row of bar glyphs (ASCII ramp without UTF-8). */
static void trend(const struct nm_miner_probe *p, bool utf8, char *buf, size_t cap)
{
    static const char *const bars[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char ramp[] = "_.-=+*#";
    double top = 0;
    for (int i = 0; i < p->hist_n; i++)
        top = p->p99_hist[i] > top ? p->p99_hist[i] : top;
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < p->hist_n && used + 4 < cap; i++) {
        int level = top > 0 ? (int)(p->p99_hist[i] / top * 7 + 0.5) : 0;
        if (utf8)
            used += (size_t)snprintf(buf + used, cap - used, "%s", bars[level]);
        else
            buf[used++] = ramp[level > 6 ? 6 : level], buf[used] = 0;
    }
}

static void ms_text(double ms, char *buf, size_t cap)
{
    if (ms < 0)
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, ms < 10 ? "%.1f" : "%.0f", ms);
}

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const struct nm_neuron *n = row_neuron(s, row);
    const struct nm_miner_probe *p = nm_roles_view_miner(&s->base.cache->roles, n->uid);
    bool val = p && p->have_val;
    switch (col) {
    case C_UID: snprintf(buf, cap, "%d", n->uid); break;
    case C_HOTKEY: snprintf(buf, cap, "%s", n->hotkey); break;
    case C_WEIGHT:
        if (p && p->have_api) /* what the aggregator routes by */
            nm_fmt_fraction(p->weight, buf, cap);
        else if (n->has & NM_NF_WEIGHT)
            nm_fmt_fraction(n->weight, buf, cap);
        else
            snprintf(buf, cap, "-");
        break;
    case C_HEALTH:
        if (p && p->have_api) {
            snprintf(buf, cap, "%s", p->healthy ? "healthy" : "DOWN");
            *role = p->healthy ? WR_GOOD : WR_BAD;
        } else if (val) {
            snprintf(buf, cap, "%s", p->ok_pct > 0 ? "answers" : "failing");
            *role = p->ok_pct > 0 ? WR_GOOD : WR_BAD;
        } else {
            snprintf(buf, cap, "-");
        }
        break;
    case C_P50: ms_text(val ? p->p50_ms : -1, buf, cap); break;
    case C_P99: ms_text(val ? p->p99_ms : -1, buf, cap); break;
    case C_TREND:
        if (val)
            trend(p, s->base.look->utf8, buf, cap);
        else
            snprintf(buf, cap, "-");
        break;
    case C_OK:
        snprintf(buf, cap, val ? "%.1f" : "-", val ? p->ok_pct : 0);
        if (val && p->ok_pct < 50)
            *role = WR_WARN;
        break;
    case C_SCORE: snprintf(buf, cap, val ? "%.4f" : "-", val ? p->score : 0); break;
    case C_ENDPOINT: snprintf(buf, cap, "%s", n->endpoint[0] ? n->endpoint : "-"); break;
    case C_ERROR:
        snprintf(buf, cap, "%s", val && p->last_error[0] ? p->last_error : "-");
        if (val && p->last_error[0])
            *role = WR_BAD;
        break;
    default: buf[0] = '\0';
    }
}

static int cmp_d(double a, double b)
{
    return a < b ? -1 : a > b;
}

static double probe_value(const struct nm_roles_view *v, int uid, int col)
{
    const struct nm_miner_probe *p = nm_roles_view_miner(v, uid);
    if (!p)
        return -1;
    switch (col) {
    case C_HEALTH: return p->have_api ? p->healthy : p->ok_pct > 0;
    case C_P50: return p->p50_ms;
    case C_P99:
    case C_TREND: return p->p99_ms;
    case C_OK: return p->ok_pct;
    default: return p->score;
    }
}

static double weight_of(const struct nm_screen *s, const struct nm_neuron *n)
{
    const struct nm_miner_probe *p = nm_roles_view_miner(&s->base.cache->roles, n->uid);
    return p && p->have_api ? p->weight : n->weight;
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    const struct nm_screen *s = ud;
    const struct nm_neuron *x = row_neuron(s, a), *y = row_neuron(s, b);
    switch (col) {
    case C_UID: return cmp_d(x->uid, y->uid);
    case C_HOTKEY: return strcmp(x->hotkey, y->hotkey);
    case C_WEIGHT: return cmp_d(weight_of(s, x), weight_of(s, y));
    case C_ENDPOINT: return strcmp(x->endpoint, y->endpoint);
    case C_ERROR: return cmp_d(x->uid, y->uid);
    default:
        return cmp_d(probe_value(&s->base.cache->roles, x->uid, col),
                     probe_value(&s->base.cache->roles, y->uid, col));
    }
}

static const char *const spark_labels[3] = {"API p99", "API p95", "API p50"};
static const enum widget_role spark_roles[3] = {WR_WARN, WR_ACCENT, WR_GOOD};

static void miners_destroy(struct nm_screen *s);

static struct nm_screen *miners_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    bool ok = true;
    for (int i = 0; i < 3; i++)
        ok = (s->api_lat[i] = Sparkline_new(NM_ROLES_SERIES)) != NULL && ok;
    if (!ok || nm_table_screen_init(&s->base, look, HEADER_LINES, columns, C_COUNT, cell,
                                    compare, s, C_WEIGHT, true) != 0) {
        for (int i = 0; i < 3; i++)
            if (s->api_lat[i])
                Widget_delete(Sparkline_widget(s->api_lat[i]));
        free(s);
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        Widget_setLook(Sparkline_widget(s->api_lat[i]), look);
        Sparkline_setRole(s->api_lat[i], spark_roles[i]);
    }
    return s;
}

static void miners_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    nm_table_screen_fini(&s->base);
    for (int i = 0; i < 3; i++)
        Widget_delete(Sparkline_widget(s->api_lat[i]));
    free(s->rows);
    free(s);
}

#define SPARK_LABEL 10

static void miners_layout(struct nm_screen *s, int y, int x, int h, int w)
{
    nm_table_screen_layout(s, y, x, h, w);
    for (int i = 0; i < 3; i++)
        Widget_move(Sparkline_widget(s->api_lat[i]), y + 2 + i, x + SPARK_LABEL,
                    h > 2 + i ? 1 : 0, w - SPARK_LABEL - 1);
}

static void miners_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->base.cache = c;
    if (dirty & NM_DIRTY_ROLES) {
        const struct nm_roles_series *series[3] = {&c->roles.api_p99, &c->roles.api_p95,
                                                   &c->roles.api_p50};
        for (int i = 0; i < 3; i++) {
            Sparkline_clear(s->api_lat[i]);
            for (int j = 0; j < series[i]->n; j++)
                Sparkline_push(s->api_lat[i], nm_roles_series_at(series[i], j));
        }
        /* one scale for the three, so they compare at a glance */
        double top = Sparkline_max(s->api_lat[0], (size_t)(s->base.w > 0 ? s->base.w : 1));
        for (int i = 0; i < 3; i++)
            Sparkline_setRange(s->api_lat[i], 0, top);
    }
    if (!(dirty & NM_DIRTY_METAGRAPH))
        return;
    size_t *rows = c->nneurons ? malloc(c->nneurons * sizeof *rows) : NULL;
    size_t n = 0;
    for (size_t i = 0; rows && i < c->nneurons; i++)
        if (strcmp(c->neurons[i].role, "miner") == 0)
            rows[n++] = i;
    free(s->rows);
    s->rows = rows;
    s->nrows = rows ? n : 0;
    Table_setRowCount(s->base.table, s->nrows);
}

static void api_line(const struct nm_roles_view *v, char *buf, size_t cap, enum widget_role *r)
{
    *r = WR_DIM;
    if (!v->api_seen) {
        snprintf(buf, cap, "API: no aggregator (console --aggregator http://HOST:PORT)");
    } else if (!v->api_up) {
        snprintf(buf, cap, "API: aggregator down: %s", v->api_msg);
        *r = WR_BAD;
    } else {
        snprintf(buf, cap,
                 "API: %.1f req/s  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  "
                 "cache hits %.0f%%  errors %.1f%%",
                 nm_roles_series_last(&v->api_qps), nm_roles_series_last(&v->api_p50),
                 nm_roles_series_last(&v->api_p95), nm_roles_series_last(&v->api_p99),
                 v->api_hit_rate * 100, v->api_err_rate * 100);
        *r = v->api_err_rate > 0.05 ? WR_WARN : WR_NORMAL;
    }
}

static void validator_line(const struct nm_roles_view *v, char *buf, size_t cap,
                           enum widget_role *r)
{
    *r = WR_DIM;
    if (!v->val_seen) {
        snprintf(buf, cap, "validator: none (console --validator ws://HOST:PORT)");
    } else if (!v->val_up) {
        snprintf(buf, cap, "validator: %s", v->val_msg);
        *r = WR_BAD;
    } else {
        snprintf(buf, cap, "validator uid %d on subnet %d: round %.0f, epoch %.0f", v->val_uid,
                 v->val_subnet, v->val_round, v->val_epoch);
        *r = WR_NORMAL;
    }
}

static void miners_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->base.look;
    int y = s->base.y, x = s->base.x, w = s->base.w;
    s->base.cache = c;
    nm_screen_clear(win, L, y, x, HEADER_LINES < s->base.h ? HEADER_LINES : s->base.h, w);
    char title[64], line[256];
    enum widget_role role;
    size_t healthy = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const struct nm_miner_probe *p = nm_roles_view_miner(&c->roles, row_neuron(s, i)->uid);
        healthy += p && p->have_api && p->healthy;
    }
    if (c->mg_subnet > 0)
        snprintf(title, sizeof title, "Miners of subnet %d  ", c->mg_subnet);
    else
        snprintf(title, sizeof title, "Miners  ");
    snprintf(line, sizeof line, "%zu miners, %zu healthy", s->nrows, healthy);
    int used = widget_put(win, y, x + 1, w - 1, L->attr[WR_TITLE], title);
    widget_put(win, y, x + 1 + used, w - 1 - used, L->attr[WR_DIM], line);
    if (s->base.h > 1) {
        api_line(&c->roles, line, sizeof line, &role);
        widget_put(win, y + 1, x + 1, w - 1, L->attr[role], line);
    }
    for (int i = 0; i < 3 && s->base.h > 2 + i; i++) {
        widget_put(win, y + 2 + i, x + 1, SPARK_LABEL - 1, L->attr[WR_DIM], spark_labels[i]);
        Widget_draw(Sparkline_widget(s->api_lat[i]), win);
    }
    if (s->base.h > 5) {
        validator_line(&c->roles, line, sizeof line, &role);
        widget_put(win, y + 5, x + 1, w - 1, L->attr[role], line);
    }
    Widget_draw(Table_widget(s->base.table), win);
    if (s->nrows == 0 && s->base.h > HEADER_LINES + 2)
        widget_put_aligned(win, y + HEADER_LINES + (s->base.h - HEADER_LINES) / 2, x, w,
                           L->attr[WR_DIM],
                           c->mg_subnet > 0 ? "no miner registered on this subnet"
                                            : "no subnet selected yet",
                           0);
}

static const char *const *miners_columns(struct nm_screen *s)
{
    (void)s;
    return column_names;
}

const struct nm_screen_ops nm_screen_miners = {
    .name = "miners",
    .title = "Miners",
    .interest = NM_DIRTY_METAGRAPH | NM_DIRTY_ROLES,
    .create = miners_create,
    .destroy = miners_destroy,
    .layout = miners_layout,
    .update = miners_update,
    .draw = miners_draw,
    .on_key = nm_table_screen_on_key,
    .table = nm_table_screen_table,
    .columns = miners_columns,
};
