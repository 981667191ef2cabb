/* screen_overview.c - the Overview screen: chain and link at a glance,
 * height and finality, the epoch gauge with the time to the next payout,
 * peers and mempool, the block-time sparkline and the RPC latency
 * p50/p95/p99 sparklines, and counts of subnets, neurons, events and open
 * proposals. */
#include "console/dashboard/screen.h"

#include "console/dashboard/dashboard_fmt.h"
#include "widgets/gauge.h"
#include "widgets/sparkline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nm_screen {
    const struct widget_look *look;
    int y, x, h, w;
    struct gauge *epoch;
    struct sparkline *block_times;
    struct sparkline *lat[3]; /* p99, p95, p50 (top to bottom) */
};

static struct nm_screen *overview_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->look = look;
    s->epoch = Gauge_new();
    s->block_times = Sparkline_new(NM_SERIES_MAX);
    for (int i = 0; i < 3; i++)
        s->lat[i] = Sparkline_new(NM_SERIES_MAX);
    if (!s->epoch || !s->block_times || !s->lat[0] || !s->lat[1] || !s->lat[2]) {
        if (s->epoch)
            Widget_delete(Gauge_widget(s->epoch));
        if (s->block_times)
            Widget_delete(Sparkline_widget(s->block_times));
        for (int i = 0; i < 3; i++)
            if (s->lat[i])
                Widget_delete(Sparkline_widget(s->lat[i]));
        free(s);
        return NULL;
    }
    Widget_setLook(Gauge_widget(s->epoch), look);
    Widget_setLook(Sparkline_widget(s->block_times), look);
    for (int i = 0; i < 3; i++)
        Widget_setLook(Sparkline_widget(s->lat[i]), look);
    Sparkline_setRole(s->lat[0], WR_WARN);
    Sparkline_setRole(s->lat[1], WR_ACCENT);
    Sparkline_setRole(s->lat[2], WR_GOOD);
    return s;
}

static void overview_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    Widget_delete(Gauge_widget(s->epoch));
    Widget_delete(Sparkline_widget(s->block_times));
    for (int i = 0; i < 3; i++)
        Widget_delete(Sparkline_widget(s->lat[i]));
    free(s);
}

/* Row offsets inside the body. */
enum {
    ROW_CHAIN = 0,
    ROW_HEIGHT = 1,
    ROW_EPOCH = 2,
    ROW_FINALITY = 3,
    ROW_BT_TITLE = 4,
    ROW_BT = 5,
    ROW_LAT_TITLE = 8,
    ROW_LAT = 9, /* three rows */
    ROW_COUNTS = 13,
};
#define LABEL_COLS 5

static void overview_layout(struct nm_screen *s, int y, int x, int h, int w)
{
    s->y = y;
    s->x = x;
    s->h = h;
    s->w = w;
    int gx = x + 12, gw = w - 12 - 26;
    if (gw < 10)
        gw = 10;
    Widget_move(Gauge_widget(s->epoch), y + ROW_EPOCH, gx, ROW_EPOCH < h ? 1 : 0, gw);
    Widget_move(Sparkline_widget(s->block_times), y + ROW_BT, x + 1, ROW_BT + 2 <= h ? 2 : 0,
                w - 2);
    for (int i = 0; i < 3; i++)
        Widget_move(Sparkline_widget(s->lat[i]), y + ROW_LAT + i, x + LABEL_COLS,
                    ROW_LAT + i < h ? 1 : 0, w - LABEL_COLS - 1);
}

static void fill_spark(struct sparkline *sp, const struct nm_series *series)
{
    Sparkline_clear(sp);
    for (int i = 0; i < series->n; i++)
        Sparkline_push(sp, nm_series_at(series, i));
}

static void overview_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    (void)dirty;
    uint64_t into, len;
    char label[96];
    if (nm_cache_epoch_progress(c, &into, &len)) {
        snprintf(label, sizeof label, "block %" PRIu64 "/%" PRIu64, into + 1, len);
        Gauge_set(s->epoch, (double)(into + 1) / (double)len, label);
    } else {
        Gauge_set(s->epoch, 0, "waiting for the chain");
    }
    fill_spark(s->block_times, &c->block_times_ms);
    fill_spark(s->lat[0], &c->lat_p99);
    fill_spark(s->lat[1], &c->lat_p95);
    fill_spark(s->lat[2], &c->lat_p50);
    /* One scale for the three latency lines, so they compare at a glance. */
    double top = Sparkline_max(s->lat[0], (size_t)(s->w > 0 ? s->w : 1));
    for (int i = 0; i < 3; i++)
        Sparkline_setRange(s->lat[i], 0, top);
}

static const char *link_text(const struct nm_cache *c, enum widget_role *role)
{
    switch (c->link) {
    case NM_LINK_UP: *role = WR_GOOD; break;
    case NM_LINK_DOWN: *role = WR_BAD; break;
    default: *role = WR_WARN; break;
    }
    return c->link_msg[0] ? c->link_msg : "connecting";
}

static void draw_series_title(struct nm_screen *s, WINDOW *win, const struct nm_cache *c, int y)
{
    const struct widget_look *L = s->look;
    const struct nm_series *bt = &c->block_times_ms;
    char line[160], a[32], b[32], m[32];
    int x = s->x + widget_put(win, y, s->x, s->w, L->attr[WR_TITLE], "Block time");
    if (bt->n == 0) {
        snprintf(line, sizeof line, "  waiting for two blocks");
    } else {
        double sum = 0, max = 0;
        for (int i = 0; i < bt->n; i++) {
            double v = nm_series_at(bt, i);
            sum += v;
            if (v > max)
                max = v;
        }
        snprintf(line, sizeof line, "  last %s  avg %s  max %s  (%d blocks)",
                 nm_fmt_duration_ms((uint64_t)nm_series_at(bt, bt->n - 1), a, sizeof a),
                 nm_fmt_duration_ms((uint64_t)(sum / bt->n), b, sizeof b),
                 nm_fmt_duration_ms((uint64_t)max, m, sizeof m), bt->n);
    }
    int used = widget_put(win, y, x, s->x + s->w - x, L->attr[WR_DIM], line);
    widget_fill(win, y, x + used, s->x + s->w - x - used, L->attr[WR_NORMAL]);
}

static void draw_latency_title(struct nm_screen *s, WINDOW *win, const struct nm_cache *c, int y)
{
    const struct widget_look *L = s->look;
    char line[200], p50[32], p95[32], p99[32];
    int x = s->x + widget_put(win, y, s->x, s->w, L->attr[WR_TITLE], "RPC latency");
    const struct nm_series *a = &c->lat_p50, *b = &c->lat_p95, *d = &c->lat_p99;
    if (a->n == 0)
        snprintf(line, sizeof line, "  no calls measured yet");
    else
        snprintf(line, sizeof line, "  p50 %s  p95 %s  p99 %s  (%s, per second)",
                 nm_fmt_latency_us(nm_series_at(a, a->n - 1), L->utf8, p50, sizeof p50),
                 nm_fmt_latency_us(nm_series_at(b, b->n - 1), L->utf8, p95, sizeof p95),
                 nm_fmt_latency_us(nm_series_at(d, d->n - 1), L->utf8, p99, sizeof p99),
                 strcmp(c->latency_source, "node") == 0 ? "measured by the node"
                                                        : "round trips from here");
    int used = widget_put(win, y, x, s->x + s->w - x, L->attr[WR_DIM], line);
    widget_fill(win, y, x + used, s->x + s->w - x - used, L->attr[WR_NORMAL]);
}

static void overview_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->look;
    char a[64], b[64], line[256];
    nm_screen_clear(win, L, s->y, s->x, s->h, s->w);
    int x = s->x + 1, w = s->w - 2;
    if (ROW_CHAIN < s->h) {
        snprintf(line, sizeof line, "%s%s", c->have_chain ? c->chain_name : "-",
                 c->have_chain && c->dev ? " (dev)" : "");
        int used = nm_screen_pair(win, L, s->y + ROW_CHAIN, x, w / 2, "Chain", line, WR_VALUE);
        (void)used;
        enum widget_role role;
        const char *lt = link_text(c, &role);
        nm_screen_pair(win, L, s->y + ROW_CHAIN, x + w / 2, w - w / 2, "Link", lt, role);
    }
    if (ROW_HEIGHT < s->h) {
        int cx = x;
        int col = w / 4;
        nm_screen_pair(win, L, s->y + ROW_HEIGHT, cx, col, "Height",
                       nm_fmt_count(c->height, a, sizeof a), WR_VALUE);
        nm_screen_pair(win, L, s->y + ROW_HEIGHT, cx + col, col, "Finalized",
                       nm_fmt_count(c->finalized, b, sizeof b), WR_VALUE);
        snprintf(a, sizeof a, "%d%s", c->peers, c->syncing ? " (syncing)" : "");
        nm_screen_pair(win, L, s->y + ROW_HEIGHT, cx + 2 * col, col, "Peers",
                       c->have_health ? a : "-", WR_VALUE);
        nm_fmt_count(c->pending, b, sizeof b);
        nm_screen_pair(win, L, s->y + ROW_HEIGHT, cx + 3 * col, w - 3 * col, "Mempool", b,
                       c->pending > 0 ? WR_WARN : WR_VALUE);
    }
    if (ROW_EPOCH < s->h) {
        snprintf(a, sizeof a, "%" PRIu64, c->epoch);
        nm_screen_pair(win, L, s->y + ROW_EPOCH, x, 11, "Epoch", a, WR_VALUE);
        Widget_draw(Gauge_widget(s->epoch), win);
        uint64_t into, len;
        if (nm_cache_epoch_progress(c, &into, &len) && c->block_time_ms) {
            uint64_t left = (len - into - 1) * c->block_time_ms;
            snprintf(line, sizeof line, "next payout in %s",
                     nm_fmt_duration_ms(left < c->block_time_ms ? c->block_time_ms : left, b,
                                        sizeof b));
            int gx = Gauge_widget(s->epoch)->x + Gauge_widget(s->epoch)->w + 2;
            widget_put(win, s->y + ROW_EPOCH, gx, s->x + s->w - gx, L->attr[WR_DIM], line);
        }
    }
    if (ROW_FINALITY < s->h && c->have_bft) {
        /* best vs finalized, and the round being decided */
        if (!c->bft_chain)
            snprintf(line, sizeof line, "instant (one authority): best %" PRIu64
                     " = finalized %" PRIu64, c->height, c->finalized);
        else if (c->bft_running)
            snprintf(line, sizeof line, "BFT: best %" PRIu64 ", finalized %" PRIu64
                     "; deciding #%" PRIu64 " round %" PRIu64 ", %s; %d of %d authorities "
                     "online", c->height, c->finalized, c->bft_height, c->bft_round,
                     c->bft_step, c->bft_online, c->bft_authorities);
        else
            snprintf(line, sizeof line, "BFT: best %" PRIu64 ", finalized %" PRIu64
                     " (this node follows; it does not vote)", c->height, c->finalized);
        nm_screen_pair(win, L, s->y + ROW_FINALITY, x, w, "Finality", line,
                       c->bft_chain && c->bft_running && c->bft_round > 0 ? WR_WARN : WR_VALUE);
    }
    if (ROW_BT_TITLE < s->h)
        draw_series_title(s, win, c, s->y + ROW_BT_TITLE);
    Widget_draw(Sparkline_widget(s->block_times), win);
    if (ROW_LAT_TITLE < s->h)
        draw_latency_title(s, win, c, s->y + ROW_LAT_TITLE);
    static const char *const names[3] = {"p99", "p95", "p50"};
    static const enum widget_role roles[3] = {WR_WARN, WR_ACCENT, WR_GOOD};
    for (int i = 0; i < 3; i++) {
        if (ROW_LAT + i >= s->h)
            break;
        widget_put(win, s->y + ROW_LAT + i, s->x + 1, LABEL_COLS - 1, L->attr[roles[i]], names[i]);
        Widget_draw(Sparkline_widget(s->lat[i]), win);
    }
    if (ROW_COUNTS < s->h) {
        size_t validators = 0;
        for (size_t i = 0; i < c->nneurons; i++)
            if (strcmp(c->neurons[i].role, "validator") == 0)
                validators++;
        snprintf(line, sizeof line, "%zu", c->nsubnets);
        int cx = x;
        cx += nm_screen_pair(win, L, s->y + ROW_COUNTS, cx, w, "Subnets", line, WR_VALUE) + 3;
        if (c->mg_subnet > 0) {
            snprintf(line, sizeof line, "%zu on subnet %d (%zu validators)", c->nneurons,
                     c->mg_subnet, validators);
            cx += nm_screen_pair(win, L, s->y + ROW_COUNTS, cx, x + w - cx, "Neurons", line,
                                 WR_VALUE) +
                  3;
        }
        snprintf(line, sizeof line, "%" PRIu64, c->events_seen);
        cx += nm_screen_pair(win, L, s->y + ROW_COUNTS, cx, x + w - cx, "Events", line, WR_VALUE) +
              3;
        if (c->gov == NM_GOV_OK) {
            snprintf(line, sizeof line, "%d open", c->open_proposals);
            nm_screen_pair(win, L, s->y + ROW_COUNTS, cx, x + w - cx, "Proposals", line,
                           c->open_proposals ? WR_ACCENT : WR_VALUE);
        }
    }
}

const struct nm_screen_ops nm_screen_overview = {
    .name = "overview",
    .title = "Overview",
    .interest = NM_DIRTY_OVERVIEW,
    .create = overview_create,
    .destroy = overview_destroy,
    .layout = overview_layout,
    .update = overview_update,
    .draw = overview_draw,
};
