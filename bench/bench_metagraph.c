/* bench_metagraph.c - how long the console takes to show a metagraph of
 * 4096 neurons: turning neuron_list's JSON into the cache, rebuilding the
 * sorted table view, and drawing a full 120x40 frame (screen draw,
 * wnoutrefresh, doupdate into a terminal on /dev/null). Prints medians and
 * p99 beside the limit (a frame under 5 ms); never fails on time. */
#include "bench/support/bench_util.h"
#include "console/dashboard/dashboard_cache.h"
#include "console/dashboard/screen.h"
#include "console/dashboard/theme.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEURONS 4096
#define ROUNDS 200
#define ROWS 40
#define COLS 120

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n, const char *limit)
{
    qsort(v, (size_t)n, sizeof v[0], cmp);
    printf("  %-34s median %7.3f ms   p99 %7.3f ms   %s\n", what, v[n / 2], v[n * 99 / 100],
           limit);
}

/* A neuron_list result whose stakes change with round, so every frame
 * draws new numbers and the sort moves rows. */
static cJSON *metagraph(int round)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "subnet", 1);
    cJSON *list = cJSON_AddArrayToObject(o, "neurons");
    for (int i = 0; i < NEURONS; i++) {
        cJSON *n = cJSON_CreateObject();
        char hotkey[64], stake[32], ep[64];
        snprintf(hotkey, sizeof hotkey, "5%047d", i * 7919);
        snprintf(stake, sizeof stake, "%llu",
                 (unsigned long long)((i * 2654435761u + (unsigned)round * 40503u) % 100000u) *
                     1000000000ULL);
        snprintf(ep, sizeof ep, "grpc://10.0.%d.%d:50051", i / 256, i % 256);
        cJSON_AddNumberToObject(n, "uid", i);
        cJSON_AddStringToObject(n, "hotkey", hotkey);
        cJSON_AddStringToObject(n, "role", i % 16 == 0 ? "validator" : "miner");
        cJSON_AddStringToObject(n, "stake", stake);
        cJSON_AddStringToObject(n, "endpoint", ep);
        cJSON_AddNumberToObject(n, "registered_at", i);
        cJSON_AddNumberToObject(n, "reputation", (double)(i % 1000) / 1000.0);
        cJSON_AddItemToArray(list, n);
    }
    return o;
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    setenv("LINES", "40", 1);
    setenv("COLUMNS", "120", 1);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr) {
        fprintf(stderr, "bench_metagraph: newterm failed\n");
        return 1;
    }
    set_term(scr);
    start_color();
    use_default_colors();
    struct widget_look look = {.utf8 = true};
    struct nm_theme theme;
    char from[256], err[256];
    if (nm_theme_load("default", &theme, from, sizeof from, err, sizeof err) == 0)
        nm_theme_apply(&theme, COLORS, &look);
    struct nm_cache cache;
    nm_cache_init(&cache);
    struct nm_screen *s = nm_screen_metagraph.create(&look);
    nm_screen_metagraph.layout(s, 1, 0, ROWS - 12, COLS);
    static double apply_ms[ROUNDS], update_ms[ROUNDS], draw_ms[ROUNDS], frame_ms[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        struct nm_dq_msg m = {.kind = NM_DQ_NEURONS, .num = 1, .json = metagraph(r)};
        double t0 = bench_now_ms();
        unsigned dirty = nm_cache_apply(&cache, &m);
        double t1 = bench_now_ms();
        nm_screen_metagraph.update(s, &cache, dirty);
        double t2 = bench_now_ms();
        nm_screen_metagraph.draw(s, stdscr, &cache);
        wnoutrefresh(stdscr);
        doupdate();
        double t3 = bench_now_ms();
        apply_ms[r] = t1 - t0;
        update_ms[r] = t2 - t1;
        draw_ms[r] = t3 - t2;
        frame_ms[r] = t3 - t1;
        cJSON_Delete(m.json);
    }
    /* Scrolling: a frame where only the view moves. */
    static double scroll_ms[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = bench_now_ms();
        nm_screen_metagraph.on_key(s, r % 2 ? KEY_NPAGE : KEY_DOWN);
        nm_screen_metagraph.draw(s, stdscr, &cache);
        wnoutrefresh(stdscr);
        doupdate();
        scroll_ms[r] = bench_now_ms() - t0;
    }
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    printf("bench_metagraph: %d neurons, %dx%d terminal, %d rounds\n", NEURONS, COLS, ROWS,
           ROUNDS);
    report("JSON -> cache (neuron_list)", apply_ms, ROUNDS, "(off the frame path)");
    report("table view rebuild (sort 4096)", update_ms, ROUNDS, "");
    report("draw + doupdate", draw_ms, ROUNDS, "");
    report("frame (rebuild + draw)", frame_ms, ROUNDS, "limit 5 ms");
    report("scroll frame", scroll_ms, ROUNDS, "limit 5 ms");
    nm_screen_metagraph.destroy(s);
    nm_cache_fini(&cache);
    return 0;
}
