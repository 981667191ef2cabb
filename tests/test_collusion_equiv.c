/* Proof for issue 16: the blocked, bounded collusion analysis gives the
 * same findings, bit for bit, as the one-dot-product-per-pair analysis it
 * replaced (tests/support/collusion_old.c), on many seeded epochs of every
 * kind: honest, copies, cartels, lagged and consensus copies, sparse rows,
 * missing submissions, extreme weights and thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/collusion.h"
#include "node/dot16.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nm_collusion_analyse_old(const struct nm_collusion_params *p,
                             const struct nm_collusion_input *in,
                             struct nm_collusion_finding *out, bool *analysed);

#define MAXV 140
#define MAXM 5000

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return n ? z % n : z;
}

struct epoch {
    uint16_t w[MAXV][MAXM], u[MAXV][MAXM], pw[MAXV][MAXM];
    struct nm_wrow rows[MAXV], prev[MAXV];
    uint64_t at[MAXV];
    uint32_t prev_global[MAXM + 8];
    uint16_t miners[MAXM + 8];
    uint16_t truth[MAXM + 8];
};

static struct epoch E;
static unsigned stats[5];

static uint16_t clamp16(int64_t x)
{
    return (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x);
}

/* One validator's row over the width: a kind drawn at random. */
static void row_make(uint32_t v, uint32_t width, struct nm_wrow *row, uint16_t (*w)[MAXM],
                     uint16_t (*u)[MAXM], uint64_t noise)
{
    uint32_t kind = (uint32_t)rnd(10), n = 0;
    bool sparse = rnd(5) == 0;
    for (uint32_t j = 0; j < width; j++) {
        if (sparse && rnd(3) == 0)
            continue;
        int64_t x;
        switch (kind) {
        case 0: /* a copy of an earlier row, with or without jitter */
            x = v > 0 && E.rows[v - 1].n ? E.w[v - 1][j < E.rows[v - 1].n ? j : 0] : 100;
            x += (int64_t)rnd(3) * (int64_t)rnd(2);
            break;
        case 1: /* a cartel push on the low uids */
            x = E.truth[j] + (int64_t)rnd(noise) + (j < width / 5 ? 3000 : 0);
            break;
        case 2: /* random */
            x = (int64_t)rnd(65536);
            break;
        case 3: /* extremes */
            x = rnd(2) ? 65535 : 0;
            break;
        case 4: /* constant */
            x = 777;
            break;
        default: /* honest */
            x = E.truth[j] + (int64_t)rnd(noise);
        }
        u[v][n] = (uint16_t)j;
        w[v][n++] = clamp16(x);
    }
    *row = (struct nm_wrow){n, sparse ? u[v] : NULL, w[v]};
    if (!sparse && n != width)
        row->n = 0;
    if (rnd(10) == 0)
        row->n = 0; /* did not submit */
}

static void compare_one(uint64_t seed)
{
    rng_state = seed;
    bool big = seed % 60 == 0; /* several slices, panels and stripes */
    uint32_t v = 3 + (uint32_t)rnd(big ? MAXV - 2 : 40), m0 = 1 + (uint32_t)rnd(big ? MAXM : 700);
    uint32_t width = m0 + (uint32_t)rnd(8);
    if (width > MAXM)
        width = MAXM;
    uint64_t noise = 1 + rnd(rnd(2) ? 300 : 20000);
    for (uint32_t j = 0; j < width; j++)
        E.truth[j] = (uint16_t)rnd(rnd(2) ? 1000 : 60000);
    uint32_t m = 0;
    bool all = rnd(2);
    for (uint32_t j = 0; j < width; j++)
        if (all || rnd(4))
            E.miners[m++] = (uint16_t)j;
    for (uint32_t i = 0; i < v; i++) {
        row_make(i, width, &E.rows[i], E.w, E.u, noise);
        E.at[i] = 10 + rnd(rnd(2) ? 3 : 50);
    }
    bool with_prev = rnd(4) != 0, with_global = rnd(3) != 0;
    static uint16_t pu[MAXV][MAXM];
    for (uint32_t i = 0; with_prev && i < v; i++) {
        if (rnd(4) == 0 && E.rows[(i + 1) % v].n) { /* a copy of another's current weights */
            E.prev[i] = E.rows[(i + 1) % v];
            continue;
        }
        row_make(i, width, &E.prev[i], E.pw, pu, noise);
    }
    for (uint32_t j = 0; j < width; j++)
        E.prev_global[j] = (uint32_t)(rnd(50) == 0 ? rnd(4000000000ULL) : rnd(3000000));
    if (with_global && rnd(3) == 0 && E.rows[0].n && !E.rows[0].uids) /* copy the consensus */
        for (uint32_t j = 0; j < width; j++)
            E.prev_global[j] = (uint32_t)((uint64_t)E.w[0][j] * 1000000000ULL / 65535);
    struct nm_collusion_params p = {rnd(4) == 0 ? rnd(2000000000ULL) : rnd(700000000),
                                    rnd(1000000001), (uint32_t)rnd(40)};
    if (rnd(8) == 0)
        p.threshold = 0;
    struct nm_collusion_input in = {v,
                                    width,
                                    E.rows,
                                    E.at,
                                    with_prev ? E.prev : NULL,
                                    with_global ? E.prev_global : NULL,
                                    E.miners,
                                    m};
    struct nm_collusion_finding a[MAXV], b[MAXV];
    bool aa = true, ab = false;
    int ea = nm_collusion_analyse(&p, &in, a, &aa);
    int eb = nm_collusion_analyse_old(&p, &in, b, &ab);
    stats[0] += aa;
    for (uint32_t i = 0; i < v; i++)
        for (int k = 0; k < 4; k++)
            stats[1 + k] += (a[i].kinds >> k) & 1;
    if (ea != eb || aa != ab)
        fail_msg("seed %llu: err %d/%d analysed %d/%d", (unsigned long long)seed, ea, eb, aa, ab);
    for (uint32_t i = 0; i < v; i++)
        if (a[i].kinds != b[i].kinds || a[i].cluster != b[i].cluster ||
            a[i].partner != b[i].partner || a[i].score != b[i].score)
            fail_msg("seed %llu validator %u: %u/%u %u/%u %d/%d %lld/%lld",
                     (unsigned long long)seed, i, a[i].kinds, b[i].kinds, a[i].cluster,
                     b[i].cluster, a[i].partner, b[i].partner, (long long)a[i].score,
                     (long long)b[i].score);
}

static void test_fast_analysis_matches_the_old_one_on_seeded_epochs(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        nm_dot_simd_limit((int)(seed % 3)); /* every kernel alike */
        compare_one(seed);
    }
    nm_dot_simd_limit(2);
    /* The seeds must exercise every kind of finding, or they prove little. */
    printf("analysed %u: cluster %u, copy %u, lagged %u, consensus %u findings\n", stats[0],
           stats[1], stats[2], stats[3], stats[4]);
    for (int k = 0; k < 5; k++)
        assert_true(stats[k] > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_analysis_matches_the_old_one_on_seeded_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
