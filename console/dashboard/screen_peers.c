/* screen_peers.c - the Peers screen (issue 10): the node's p2p peers live,
 * one row each (id shortened in the middle, address, direction, the
 * protocols identify listed, last ping RTT, gossipsub score, best block,
 * agent), and under the table the selected peer's RTT sparkline. Fed by
 * system_peers on every new block. */
#include "console/dashboard/screen.h"

#include "widgets/sparkline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_PEER, C_ADDRESS, C_DIR, C_PROTOCOLS, C_RTT, C_SCORE, C_BEST, C_AGENT, C_COUNT };

static const struct table_column columns[C_COUNT] = {
    [C_PEER] = {"PEER", 0, 16, TABLE_ID},
    [C_ADDRESS] = {"ADDRESS", 0, 20, TABLE_ID},
    [C_DIR] = {"DIR", 3, 0, TABLE_LEFT},
    [C_PROTOCOLS] = {"PROTOCOLS", 0, 18, TABLE_LEFT},
    [C_RTT] = {"RTT ms", 7, 0, TABLE_RIGHT},
    [C_SCORE] = {"SCORE", 7, 0, TABLE_RIGHT},
    [C_BEST] = {"BEST", 8, 0, TABLE_RIGHT},
    [C_AGENT] = {"AGENT", 0, 12, TABLE_LEFT},
};

static const char *const column_names[] = {"peer",  "address", "direction", "protocols", "rtt",
                                           "score", "best",    "agent",     NULL};

#define SPARK_LINES 2 /* under the table: a label line and the sparkline */

struct nm_screen {
    struct nm_table_screen base; /* first: the shared table-screen ops use it */
    struct sparkline *rtt;
};

static const struct nm_peer_row *row_peer(const struct nm_screen *s, size_t row)
{
    return &s->base.cache->peer_rows[row];
}

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    const struct nm_screen *s = ud;
    const struct nm_peer_row *p = row_peer(s, row);
    switch (col) {
    case C_PEER: snprintf(buf, cap, "%s", p->id); break;
    case C_ADDRESS: snprintf(buf, cap, "%s", p->address); break;
    case C_DIR: snprintf(buf, cap, "%s", strcmp(p->direction, "inbound") == 0 ? "in" : "out"); break;
    case C_PROTOCOLS: snprintf(buf, cap, "%s", p->protocols); break;
    case C_RTT:
        if (p->rtt_us >= 0)
            snprintf(buf, cap, "%.1f", (double)p->rtt_us / 1000.0);
        else
            snprintf(buf, cap, "-");
        break;
    case C_SCORE:
        snprintf(buf, cap, "%.2f", p->score);
        if (p->score < 0)
            *role = WR_BAD;
        break;
    case C_BEST:
        if (p->best >= 0)
            snprintf(buf, cap, "%lld", (long long)p->best);
        else
            snprintf(buf, cap, "-");
        break;
    case C_AGENT: snprintf(buf, cap, "%s", p->agent); break;
    default: buf[0] = '\0';
    }
}

static int cmp_i(long long a, long long b)
{
    return a < b ? -1 : a > b;
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    const struct nm_screen *s = ud;
    const struct nm_peer_row *x = row_peer(s, a), *y = row_peer(s, b);
    switch (col) {
    case C_ADDRESS: return strcmp(x->address, y->address);
    case C_DIR: return strcmp(x->direction, y->direction);
    case C_PROTOCOLS: return strcmp(x->protocols, y->protocols);
    case C_RTT: return cmp_i(x->rtt_us, y->rtt_us);
    case C_SCORE: return x->score < y->score ? -1 : x->score > y->score;
    case C_BEST: return cmp_i(x->best, y->best);
    case C_AGENT: return strcmp(x->agent, y->agent);
    default: return strcmp(x->id, y->id);
    }
}

static struct nm_screen *peers_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->rtt = Sparkline_new(NM_PEER_RTT_HISTORY);
    if (!s->rtt || nm_table_screen_init(&s->base, look, 1, columns, C_COUNT, cell, compare, s,
                                        C_PEER, false) != 0) {
        if (s->rtt)
            Widget_delete(Sparkline_widget(s->rtt));
        free(s);
        return NULL;
    }
    Widget_setLook(Sparkline_widget(s->rtt), look);
    Sparkline_setRole(s->rtt, WR_ACCENT);
    return s;
}

static void peers_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    nm_table_screen_fini(&s->base);
    Widget_delete(Sparkline_widget(s->rtt));
    free(s);
}

static void peers_layout(struct nm_screen *s, int y, int x, int h, int w)
{
    int table_h = h > SPARK_LINES + 2 ? h - SPARK_LINES : h;
    nm_table_screen_layout(s, y, x, table_h, w);
    s->base.h = h;
    Widget_move(Sparkline_widget(s->rtt), y + h - 1, x + 1, h > SPARK_LINES + 2 ? 1 : 0, w - 2);
}

/* The selected peer, or NULL. */
static const struct nm_peer_row *selected(const struct nm_screen *s)
{
    long sel = Table_selected(s->base.table);
    if (sel < 0 || (size_t)sel >= Table_viewCount(s->base.table))
        return NULL;
    size_t row = Table_viewRow(s->base.table, (size_t)sel);
    return row < s->base.cache->npeer_rows ? row_peer(s, row) : NULL;
}

static void fill_spark(struct nm_screen *s)
{
    Sparkline_clear(s->rtt);
    const struct nm_peer_row *p = selected(s);
    for (int i = 0; p && i < p->nrtt; i++)
        Sparkline_push(s->rtt, p->rtt_ms[i]);
}

static void peers_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    s->base.cache = c;
    if (!(dirty & NM_DIRTY_PEERS))
        return;
    Table_setRowCount(s->base.table, c->npeer_rows);
    fill_spark(s);
}

static void peers_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    const struct widget_look *L = s->base.look;
    s->base.cache = c;
    nm_screen_clear(win, L, s->base.y, s->base.x, 1, s->base.w);
    if (!c->have_peers) {
        nm_screen_message(win, L, s->base.y, s->base.x, s->base.h, s->base.w,
                          "no peer list yet (the node runs without p2p, or is older)");
        return;
    }
    size_t in = 0;
    for (size_t i = 0; i < c->npeer_rows; i++)
        in += strcmp(c->peer_rows[i].direction, "inbound") == 0;
    char title[64], line[160];
    snprintf(title, sizeof title, "Peers  ");
    snprintf(line, sizeof line, "%zu connected (%zu in, %zu out)%s", c->npeer_rows, in,
             c->npeer_rows - in, c->syncing ? ", syncing" : "");
    int used = widget_put(win, s->base.y, s->base.x + 1, s->base.w - 1, L->attr[WR_TITLE], title);
    widget_put(win, s->base.y, s->base.x + 1 + used, s->base.w - 1 - used, L->attr[WR_DIM], line);
    Widget_draw(Table_widget(s->base.table), win);
    if (c->npeer_rows == 0 && s->base.h > 4)
        widget_put_aligned(win, s->base.y + 1 + (s->base.h - 1) / 2, s->base.x, s->base.w,
                           L->attr[WR_DIM], "no peer connected", 0);
    if (s->base.h > SPARK_LINES + 2) {
        const struct nm_peer_row *p = selected(s);
        char label[160];
        snprintf(label, sizeof label, "ping RTT of %.24s%s (last %d)", p ? p->id : "-",
                 p && strlen(p->id) > 24 ? "..." : "", p ? p->nrtt : 0);
        nm_screen_clear(win, L, s->base.y + s->base.h - SPARK_LINES, s->base.x, SPARK_LINES,
                        s->base.w);
        widget_put(win, s->base.y + s->base.h - SPARK_LINES, s->base.x + 1, s->base.w - 1,
                   L->attr[WR_DIM], label);
        fill_spark(s);
        Widget_draw(Sparkline_widget(s->rtt), win);
    }
}

static const char *const *peers_columns(struct nm_screen *s)
{
    (void)s;
    return column_names;
}

const struct nm_screen_ops nm_screen_peers = {
    .name = "peers",
    .title = "Peers",
    .interest = NM_DIRTY_PEERS,
    .create = peers_create,
    .destroy = peers_destroy,
    .layout = peers_layout,
    .update = peers_update,
    .draw = peers_draw,
    .on_key = nm_table_screen_on_key,
    .table = nm_table_screen_table,
    .columns = peers_columns,
};
