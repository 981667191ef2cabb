/* collusion_old.c - the collusion analysis as it was before issue 16 (one dot
 * product per pair), kept only to prove the faster one bit-identical. */
#include "node/collusion.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

/* A link must also be significant: at least Z standard deviations of the
 * correlation of independent noise (1 / sqrt(miners)). */
#define Z_SCORE 5
/* An earlier validator is a copy's victim while its deviation energy is at
 * most ORDINARY_NUM / ORDINARY_DEN of the median. */
#define ORDINARY_NUM 3
#define ORDINARY_DEN 2

/* Dot products run over blocks of BLOCK 12-bit values, whose sum fits an
 * int32 (256 * 2047^2 < 2^31); vectors are zero-padded to whole blocks. */
#define BLOCK 256
#define DEV_MAX 2047

struct deviation {
    int16_t *d;  /* padded to whole blocks */
    int64_t sum; /* sums over the real entries */
    int64_t sumsq;
    uint64_t energy; /* sum of squares of the unscaled deviation */
    int64_t rho;     /* its correlation with the reference itself, ppb */
};

struct analysis {
    const struct nm_collusion_params *p;
    const struct nm_collusion_input *in;
    uint32_t m, padded; /* miners, rounded up to BLOCK */
    int64_t threshold;  /* the link threshold in force (ppb) */
    int32_t *column;    /* uid -> miner column, -1 for none */
    int32_t *ref;       /* the coordinate-wise median */
    int32_t *scratch;   /* m */
    uint32_t s;         /* submissions */
    uint32_t *who;      /* submission -> validator index */
    int32_t *slot;      /* validator index -> submission, -1 */
    struct deviation *cur, *prev, global, refdev;
    bool has_global;
};

/* k-th smallest of a[0..n) (Hoare's selection; reorders a). */
static uint16_t select_kth(uint16_t *a, long n, long k)
{
    long lo = 0, hi = n - 1;
    while (lo < hi) {
        uint16_t x = a[k];
        long i = lo, j = hi;
        do {
            while (a[i] < x)
                i++;
            while (x < a[j])
                j--;
            if (i <= j) {
                uint16_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        } while (i <= j);
        if (j < k)
            lo = i;
        if (k < i)
            hi = j;
    }
    return a[k];
}

/* Writes row's weights over the miner columns into dense (zeros
 * elsewhere). NM_E_INVAL for a uid past the width. */
static int row_dense(const struct analysis *a, const struct nm_wrow *row, int32_t *dense)
{
    memset(dense, 0, a->m * sizeof *dense);
    for (uint32_t j = 0; j < row->n; j++) {
        uint32_t uid = row->uids ? row->uids[j] : j;
        if (uid >= a->in->width)
            return NM_E_INVAL;
        if (a->column[uid] >= 0)
            dense[a->column[uid]] = row->w[j];
    }
    return 0;
}

static int reference(struct analysis *a)
{
    uint32_t s = a->s, m = a->m;
    uint16_t *cols = calloc((size_t)s * m, sizeof *cols);
    if (!cols)
        return NM_E_NOMEM;
    int err = 0;
    for (uint32_t k = 0; k < s && !err; k++) {
        if ((err = row_dense(a, &a->in->rows[a->who[k]], a->scratch)))
            break;
        for (uint32_t j = 0; j < m; j++)
            cols[(size_t)j * s + k] = (uint16_t)a->scratch[j];
    }
    for (uint32_t j = 0; j < m && !err; j++)
        a->ref[j] = select_kth(cols + (size_t)j * s, s, ((long)s - 1) / 2);
    free(cols);
    return err;
}

/* dev = (values - base) scaled so the largest magnitude is DEV_MAX
 * (base NULL: values themselves). */
static int deviation_make(struct analysis *a, const int32_t *values, const int32_t *base,
                          struct deviation *dev)
{
    dev->d = calloc(a->padded, sizeof *dev->d);
    if (!dev->d)
        return NM_E_NOMEM;
    int64_t maxabs = 0;
    dev->energy = 0;
    for (uint32_t j = 0; j < a->m; j++) {
        int64_t x = (int64_t)values[j] - (base ? base[j] : 0);
        int64_t ax = x < 0 ? -x : x;
        if (ax > maxabs)
            maxabs = ax;
        dev->energy += (uint64_t)(x * x);
    }
    dev->sum = dev->sumsq = 0;
    for (uint32_t j = 0; maxabs && j < a->m; j++) {
        int64_t x = ((int64_t)values[j] - (base ? base[j] : 0)) * DEV_MAX;
        int64_t q = (x + (x < 0 ? -maxabs / 2 : maxabs / 2)) / maxabs; /* to nearest */
        dev->d[j] = (int16_t)q;
        dev->sum += q;
        dev->sumsq += q * q;
    }
    return 0;
}

static int64_t dot(const int16_t *x, const int16_t *y, uint32_t padded)
{
    int64_t total = 0;
    for (size_t base = 0; base < padded; base += BLOCK) {
        const int16_t *xb = x + base, *yb = y + base;
        int32_t acc = 0;
        for (int j = 0; j < BLOCK; j++) /* vectorises to pmaddwd at -O2 */
            acc += xb[j] * yb[j];
        total += acc;
    }
    return total;
}

/* Pearson correlation of two deviations, ppb (0 when one is constant). */
static int64_t correlation(const struct analysis *a, const struct deviation *x,
                           const struct deviation *y)
{
    int64_t n = a->m;
    i128 num = (i128)n * dot(x->d, y->d, a->padded) - (i128)x->sum * y->sum;
    i128 vx = (i128)n * x->sumsq - (i128)x->sum * x->sum;
    i128 vy = (i128)n * y->sumsq - (i128)y->sum * y->sum;
    if (vx <= 0 || vy <= 0)
        return 0;
    uint64_t root = nm_isqrt_u128((u128)vx * (u128)vy);
    if (root == 0)
        return 0;
    i128 c = num * (i128)NM_FX_ONE / (i128)root;
    if (c > (i128)NM_FX_ONE)
        c = NM_FX_ONE;
    if (c < -(i128)NM_FX_ONE)
        c = -(i128)NM_FX_ONE;
    return (int64_t)c;
}

/* The link of two deviations: their correlation once what each shares
 * with the reference itself is taken out (partial correlation given r):
 * (r_xy - r_xr r_yr) / sqrt((1 - r_xr^2)(1 - r_yr^2)), in ppb. Without it,
 * validators who ignore the miners (random or stale weights) would all
 * share the direction "away from the consensus" and look linked. */
static int64_t link_strength(const struct analysis *a, const struct deviation *x,
                             const struct deviation *y)
{
    int64_t rxy = correlation(a, x, y);
    i128 num = (i128)rxy * (i128)NM_FX_ONE - (i128)x->rho * y->rho; /* ppb^2 */
    u128 one2 = (u128)NM_FX_ONE * NM_FX_ONE;
    u128 fx = one2 - (u128)((i128)x->rho * x->rho), fy = one2 - (u128)((i128)y->rho * y->rho);
    uint64_t den = nm_isqrt_u128(fx * fy); /* each <= 10^18: the product < 2^120 */
    if (den == 0)
        return 0;
    i128 c = num * (i128)NM_FX_ONE / (i128)den;
    if (c > (i128)NM_FX_ONE)
        c = NM_FX_ONE;
    if (c < -(i128)NM_FX_ONE)
        c = -(i128)NM_FX_ONE;
    return (int64_t)c;
}

/* Records a link; the strongest one names the partner. */
static void link(struct nm_collusion_finding *f, uint8_t kind, int32_t partner, int64_t score)
{
    if (score > f->score) {
        f->partner = partner;
        f->score = score;
    }
    f->kinds |= kind;
}

static uint32_t find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static int build(struct analysis *a)
{
    const struct nm_collusion_input *in = a->in;
    int err = reference(a);
    for (uint32_t k = 0; k < a->s && !err; k++)
        if (!(err = row_dense(a, &in->rows[a->who[k]], a->scratch)))
            err = deviation_make(a, a->scratch, a->ref, &a->cur[k]);
    for (uint32_t v = 0; in->prev_rows && v < in->validators && !err; v++)
        if (in->prev_rows[v].n && !(err = row_dense(a, &in->prev_rows[v], a->scratch)))
            err = deviation_make(a, a->scratch, a->ref, &a->prev[v]);
    if (!err && in->prev_global) {
        for (uint32_t j = 0; j < a->m; j++) /* ppb to the u16 weight scale */
            a->scratch[j] = (int32_t)(((uint64_t)in->prev_global[in->miners[j]] * NM_WEIGHT_SUM +
                                       NM_FX_ONE / 2) /
                                      NM_FX_ONE);
        err = deviation_make(a, a->scratch, a->ref, &a->global);
        a->has_global = !err;
    }
    /* Each deviation's correlation with the reference, for link_strength. */
    if (!err && !(err = deviation_make(a, a->ref, NULL, &a->refdev))) {
        for (uint32_t k = 0; k < a->s; k++)
            a->cur[k].rho = correlation(a, &a->cur[k], &a->refdev);
        for (uint32_t v = 0; in->prev_rows && v < in->validators; v++)
            if (a->prev[v].d)
                a->prev[v].rho = correlation(a, &a->prev[v], &a->refdev);
        if (a->has_global)
            a->global.rho = correlation(a, &a->global, &a->refdev);
    }
    return err;
}

static int u64_cmp(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Median deviation energy of this epoch's submissions: what an ordinary
 * validator's disagreement with the consensus weighs. */
static uint64_t median_energy(const struct analysis *a)
{
    uint64_t *e = malloc(a->s * sizeof *e);
    if (!e)
        return UINT64_MAX; /* then every original counts as ordinary */
    for (uint32_t k = 0; k < a->s; k++)
        e[k] = a->cur[k].energy;
    qsort(e, a->s, sizeof *e, u64_cmp);
    uint64_t m = e[(a->s - 1) / 2];
    free(e);
    return m;
}

/* Lagged and consensus copies; lag[x] is the validator submission x
 * copies the previous weights of (-1: none). */
static void find_lagged(struct analysis *a, struct nm_collusion_finding *out, int32_t *lag)
{
    const struct nm_collusion_input *in = a->in;
    int64_t threshold = a->threshold;
    for (uint32_t x = 0; x < a->s; x++) {
        uint32_t vx = a->who[x];
        int64_t best = INT64_MIN;
        lag[x] = -1;
        for (uint32_t u = 0; in->prev_rows && u < in->validators; u++) {
            if (u == vx || !a->prev[u].d)
                continue;
            int64_t c = link_strength(a, &a->cur[x], &a->prev[u]);
            if (c < threshold)
                continue;
            if (a->slot[u] >= 0) {
                int64_t self = link_strength(a, &a->cur[a->slot[u]], &a->prev[u]);
                if (self > 0 && c < self + ((int64_t)NM_FX_ONE - self) / 4)
                    continue;
            }
            link(&out[vx], NM_COLL_LAGGED, (int32_t)u, c);
            if (c > best) {
                best = c;
                lag[x] = (int32_t)u;
            }
        }
        if (a->has_global) {
            int64_t c = link_strength(a, &a->cur[x], &a->global);
            if (c >= threshold)
                link(&out[vx], NM_COLL_CONSENSUS, -1, c);
        }
    }
}

/* Same-epoch links. A pair one of which copies the other's previous
 * weights is explained by that. A link from a submission of an earlier
 * block whose own deviation is ordinary (energy at most 3/2 of the median)
 * is a copy by the later one, and the earlier one its victim, not flagged.
 * Otherwise both share something unusual and join a cluster (a later one
 * at >= copy_threshold is also called a copy). */
static void find_pairs(struct analysis *a, struct nm_collusion_finding *out, uint32_t *parent,
                       const int32_t *lag)
{
    const struct nm_collusion_input *in = a->in;
    int64_t threshold = a->threshold, copy = (int64_t)a->p->copy_threshold;
    uint64_t median = median_energy(a);
    for (uint32_t x = 0; x < a->s; x++) {
        uint32_t vx = a->who[x];
        for (uint32_t y = x + 1; y < a->s; y++) {
            uint32_t vy = a->who[y];
            if (lag[x] == (int32_t)vy || lag[y] == (int32_t)vx)
                continue;
            int64_t c = link_strength(a, &a->cur[x], &a->cur[y]);
            if (c < threshold)
                continue;
            uint64_t tx = in->submitted_at[vx], ty = in->submitted_at[vy];
            if (tx != ty) {
                uint32_t later = tx > ty ? x : y, earlier = tx > ty ? y : x;
                unsigned __int128 e = (unsigned __int128)a->cur[earlier].energy * ORDINARY_DEN;
                bool victim = e <= (unsigned __int128)median * ORDINARY_NUM;
                if (victim || c >= copy)
                    link(&out[a->who[later]], NM_COLL_COPY, (int32_t)a->who[earlier], c);
                if (victim)
                    continue;
            }
            parent[find_root(parent, x)] = find_root(parent, y);
            link(&out[vx], 0, (int32_t)vy, c);
            link(&out[vy], 0, (int32_t)vx, c);
        }
    }
}

/* Components of two or more submissions are clusters. */
static void mark_clusters(struct analysis *a, struct nm_collusion_finding *out, uint32_t *parent)
{
    uint32_t *size = calloc(a->s ? a->s : 1, sizeof *size);
    uint32_t *lowest = malloc((a->s ? a->s : 1) * sizeof *lowest);
    if (!size || !lowest) {
        free(size);
        free(lowest);
        return;
    }
    for (uint32_t x = 0; x < a->s; x++) {
        uint32_t r = find_root(parent, x);
        if (size[r]++ == 0 || a->who[x] < lowest[r])
            lowest[r] = a->who[x];
    }
    for (uint32_t x = 0; x < a->s; x++) {
        uint32_t r = find_root(parent, x);
        if (size[r] >= 2) {
            out[a->who[x]].kinds |= NM_COLL_CLUSTER;
            out[a->who[x]].cluster = lowest[r] + 1;
        }
    }
    free(size);
    free(lowest);
}

int nm_collusion_analyse_old(const struct nm_collusion_params *p, const struct nm_collusion_input *in,
                             struct nm_collusion_finding *out, bool *analysed);

int nm_collusion_analyse_old(const struct nm_collusion_params *p,
                             const struct nm_collusion_input *in,
                         struct nm_collusion_finding *out, bool *analysed)
{
    struct analysis a = {.p = p, .in = in, .m = in->miner_count};
    uint32_t v = in->validators, *parent = NULL;
    int32_t *lag = NULL;
    *analysed = false;
    for (uint32_t i = 0; i < v; i++) {
        out[i] = (struct nm_collusion_finding){0, 0, -1, INT64_MIN};
        a.s += in->rows[i].n > 0;
    }
    int err = 0;
    if (a.s < NM_COLLUSION_MIN_SUBMITTERS || a.m < p->min_miners || a.m == 0)
        goto out;
    a.padded = (a.m + BLOCK - 1) / BLOCK * BLOCK;
    a.column = malloc((in->width ? in->width : 1) * sizeof *a.column);
    a.ref = malloc(a.m * sizeof *a.ref);
    a.scratch = malloc(a.m * sizeof *a.scratch);
    a.who = malloc(a.s * sizeof *a.who);
    a.slot = malloc(v * sizeof *a.slot);
    a.cur = calloc(a.s, sizeof *a.cur);
    a.prev = calloc(v, sizeof *a.prev);
    parent = malloc(a.s * sizeof *parent);
    lag = malloc(a.s * sizeof *lag);
    err = NM_E_NOMEM;
    if (!a.column || !a.ref || !a.scratch || !a.who || !a.slot || !a.cur || !a.prev || !parent ||
        !lag)
        goto out;
    for (uint32_t i = 0; i < in->width; i++)
        a.column[i] = -1;
    err = NM_E_INVAL;
    for (uint32_t j = 0; j < a.m; j++) {
        if (in->miners[j] >= in->width)
            goto out;
        a.column[in->miners[j]] = (int32_t)j;
    }
    for (uint32_t i = 0, k = 0; i < v; i++) {
        a.slot[i] = in->rows[i].n ? (int32_t)k : -1;
        if (in->rows[i].n)
            a.who[k++] = i;
    }
    for (uint32_t k = 0; k < a.s; k++)
        parent[k] = k;
    if ((err = build(&a)))
        goto out;
    /* 5 / sqrt(m) in ppb: isqrt(m * 10^18) = sqrt(m) * 10^9 */
    uint64_t root = nm_isqrt_u128((unsigned __int128)a.m * NM_FX_ONE * NM_FX_ONE);
    int64_t significant = (int64_t)((unsigned __int128)Z_SCORE * NM_FX_ONE * NM_FX_ONE / root);
    a.threshold = (int64_t)p->threshold > significant ? (int64_t)p->threshold : significant;
    find_lagged(&a, out, lag);
    find_pairs(&a, out, parent, lag);
    mark_clusters(&a, out, parent);
    *analysed = true;
out:
    /* A link that made no finding leaves no trace. */
    for (uint32_t i = 0; i < v; i++)
        if (!out[i].kinds)
            out[i] = (struct nm_collusion_finding){0, 0, -1, 0};
    for (uint32_t k = 0; a.cur && k < a.s; k++)
        free(a.cur[k].d);
    for (uint32_t i = 0; a.prev && i < v; i++)
        free(a.prev[i].d);
    free(a.global.d);
    free(a.refdev.d);
    free(a.column);
    free(a.ref);
    free(a.scratch);
    free(a.who);
    free(a.slot);
    free(a.cur);
    free(a.prev);
    free(parent);
    free(lag);
    return err;
}
