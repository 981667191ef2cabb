/* collusion.c - deviation correlation, clusters, copies and lagged copies
 * of weight vectors (see collusion.h). Every pair is first judged on a
 * sketch: the dot products of the deviations' int8 high parts, a blocked
 * Gram product (node/dot16.c) a stripe at a time, give an upper bound of
 * the exact dot product, and a bound without square roots tells when the
 * link is surely below the threshold. Only the other pairs get their exact
 * dot product and link, so the findings are those of the exact rule for
 * every pair, bit for bit. */
#include "node/pallets/collusion.h"

#include "node/pallets/dot16.h"
#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

/* A link must also be significant: at least Z standard deviations of the
 * correlation of independent noise (1 / sqrt(miners)). */
#define Z_SCORE 5
/* An earlier validator is a copy's victim while its deviation energy is at
 * most ORDINARY_NUM / ORDINARY_DEN of the median. */
#define ORDINARY_NUM 3
#define ORDINARY_DEN 2

/* Deviations are 12-bit integers in rows padded to whole NM_DOT16_ALIGN
 * blocks, so their dot products are exact (node/dot16.h). */
#define BLOCK NM_DOT16_ALIGN
#define DEV_MAX NM_DOT16_MAX
/* Dot products are computed a stripe of submissions at a time, at most
 * STRIPE_CELLS of them (8 MB), so memory stays O(S + P) rows; up to 1,024
 * validators that is one stripe, so the Gram kernel prepares its b rows
 * (node/dot16.c: AMX's tile layout) once. */
#define STRIPE_CELLS (1u << 20)

typedef unsigned __int128 u128;
typedef __int128 i128;

struct deviation {
    int16_t *d;  /* padded to whole blocks; owned by the analysis */
    int64_t sum; /* sums over the real entries */
    int64_t sumsq;
    uint64_t energy; /* sum of squares of the unscaled deviation */
    int64_t rho;     /* its correlation with the reference itself, ppb */
    /* d's dot products with the reference's and W_global's deviations */
    int64_t dot_ref, dot_global;
    /* For the cheap bound of link_below: isqrt(m sumsq - sum^2) and
     * isqrt(10^18 - rho^2). */
    uint64_t var_root, rest_root;
    /* The sketch: d = 16 high + low, high in int8, low in 0..15, so
     * d.e = 256 high.high' + 16 (high.low' + low.high') + low.low', the
     * middle terms at most 15 x the positive highs' sum (high_pos), the
     * last at most 15 x the lows' sum (low_sum). */
    int8_t *high;
    int64_t high_pos, low_sum, high_sum;
};

struct analysis {
    const struct nm_collusion_params *p;
    const struct nm_collusion_input *in;
    uint32_t m, padded; /* miners, rounded up to BLOCK */
    int64_t threshold;  /* the link threshold in force (ppb) */
    int32_t *column;    /* uid -> miner column, -1 for none */
    bool identity;      /* column[uid] = uid for every uid < width */
    int32_t *ref;       /* the coordinate-wise median */
    uint16_t *dense;    /* s rows of m weights over the miner columns, where needed */
    /* s: each submission's m weights (dense or as submitted) */
    const uint16_t **rowp;
    int32_t *scratch;   /* m */
    int32_t *diff;      /* padded, for deviation_make */
    int64_t *high_sums; /* the sketches' sums, row for row (nm_dot8_gram) */
    uint32_t s;         /* submissions */
    uint32_t *who;      /* submission -> validator index */
    int32_t *slot;      /* validator index -> submission, -1 */
    struct deviation *cur, *prev, global, refdev;
    bool has_global;
    int16_t *cur_rows;  /* s rows of padded entries: cur[k].d */
    int16_t *prev_rows; /* prev_count rows: the previous vectors that exist */
    int8_t *cur_high, *prev_high; /* their sketches, row for row */
    uint32_t prev_count;
    int32_t *prev_row;  /* validator -> its row in prev_rows, -1 */
    int64_t *self;      /* validator -> self_link, INT64_MIN until known */
    int64_t *dots;      /* one stripe of dot products */
    bool sketch;        /* judge pairs on sketches (SIMD Gram products available) */
    /* the Gram kernel's copies, shared by its calls */
    struct nm_dot8_scratch packed;
};

/* Entries per block of the per-vector loops: a fixed count the compiler
 * vectorises at -O2 (rows are padded to whole blocks). */
#define LANES 64
/* The per-vector loops run over every entry of every vector (20 million at
 * 1000 x 10000): scalar, they cost more than all the dot products. GCC's
 * -O2 cost model does not vectorise them, so they get -O3 and clones for
 * AVX-512 and AVX2 CPUs (the same integers either way). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTORISE                                                                                 \
    __attribute__((target_clones("arch=x86-64-v4", "avx2", "default"), optimize("O3")))
#else
#define VECTORISE
#endif

/* Writes row's weights over the miner columns into dense (zeros
 * elsewhere). NM_E_INVAL for a uid past the width. */
VECTORISE static int row_dense(const struct analysis *a, const struct nm_wrow *row,
                               int32_t *restrict dense)
{
    if (a->identity && !row->uids && row->n <= a->m) { /* the common case, without lookups */
        const uint16_t *restrict w = row->w;
        for (uint32_t j = 0; j < row->n; j++)
            dense[j] = w[j];
        memset(dense + row->n, 0, (a->m - row->n) * sizeof *dense);
        return 0;
    }
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

/* Columns per pass of the median: one 64-byte run of each row. */
#define MEDIAN_COLUMNS 32

/* ref[j] = the lower median, the r-th smallest (r = (s - 1) / 2), of the
 * submissions' weights for miner j, for a block of columns: the largest
 * value c with at most r weights below c, found bit by bit from the top
 * bit of the block's largest weight (a counting pass per bit, which the
 * compiler vectorises; weights are small when miners are many: 6 on
 * average at 10,000). */
VECTORISE static void median_columns(struct analysis *a, uint32_t j0, uint32_t cols)
{
    uint16_t answer[MEDIAN_COLUMNS] = {0}, candidate[MEDIAN_COLUMNS], below[MEDIAN_COLUMNS];
    uint16_t largest[MEDIAN_COLUMNS] = {0};
    uint32_t rank = (a->s - 1) / 2;
    for (uint32_t k = 0; k < a->s; k++) {
        const uint16_t *restrict row = a->rowp[k] + j0;
        for (uint32_t c = 0; c < cols; c++)
            largest[c] = row[c] > largest[c] ? row[c] : largest[c];
    }
    uint16_t all = 0;
    for (int c = 0; c < MEDIAN_COLUMNS; c++)
        all |= largest[c];
    int top = 15;
    while (top > 0 && !(all >> top))
        top--;
    for (int bit = top; bit >= 0; bit--) {
        for (int c = 0; c < MEDIAN_COLUMNS; c++) {
            candidate[c] = (uint16_t)(answer[c] | 1u << bit);
            below[c] = 0; /* s < 2^16: the counts fit */
        }
        for (uint32_t k = 0; k < a->s; k++) {
            const uint16_t *restrict row = a->rowp[k] + j0;
            if (cols == MEDIAN_COLUMNS) {
                for (int c = 0; c < MEDIAN_COLUMNS; c++)
                    below[c] = (uint16_t)(below[c] + (row[c] < candidate[c]));
            } else {
                for (uint32_t c = 0; c < cols; c++)
                    below[c] = (uint16_t)(below[c] + (row[c] < candidate[c]));
            }
        }
        for (int c = 0; c < MEDIAN_COLUMNS; c++)
            answer[c] = below[c] <= rank ? candidate[c] : answer[c];
    }
    for (uint32_t c = 0; c < cols; c++)
        a->ref[j0 + c] = answer[c];
}

VECTORISE static void widen(const uint16_t *restrict from, int32_t *restrict to, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        to[j] = from[j];
}

VECTORISE static void narrow(const int32_t *restrict from, uint16_t *restrict to, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        to[j] = (uint16_t)from[j];
}

/* The submissions' weights over the miner columns (rowp: a row as
 * submitted when it already is one, else its dense copy), then their
 * median. */
static int reference(struct analysis *a)
{
    int err = 0;
    for (uint32_t k = 0; k < a->s && !err; k++) {
        const struct nm_wrow *row = &a->in->rows[a->who[k]];
        if (a->identity && !row->uids && row->n == a->m) {
            a->rowp[k] = row->w;
            continue;
        }
        if ((err = row_dense(a, row, a->scratch)))
            break;
        narrow(a->scratch, a->dense + (size_t)k * a->m, a->m);
        a->rowp[k] = a->dense + (size_t)k * a->m;
    }
    for (uint32_t j0 = 0; j0 < a->m && !err; j0 += MEDIAN_COLUMNS)
        median_columns(a, j0, a->m - j0 < MEDIAN_COLUMNS ? a->m - j0 : MEDIAN_COLUMNS);
    return err;
}

/* floor(n / d) for n < 2^27 and 0 < d < 2^16 by one multiplication:
 * with l = ceil(log2 d) and k = 27 + l, m = floor(2^k / d) + 1 gives
 * 2^k < m d <= 2^k + 2^l, which makes (n m) >> k exact for every such n
 * (Granlund and Montgomery); n m < 2^27 * 2^28 fits. */
struct divisor {
    uint64_t mul;
    unsigned shift;
};

static struct divisor divisor_make(uint64_t d)
{
    unsigned l = 0;
    while (((uint64_t)1 << l) < d)
        l++;
    return (struct divisor){((uint64_t)1 << (27 + l)) / d + 1, 27 + l};
}

/* dev = (values - base) scaled so the largest magnitude is DEV_MAX
 * (base NULL: values themselves), rounded to nearest (halves away from
 * 0), written to d and its sketch to high (both padded with zeros). Two
 * passes: the differences with their largest magnitude and energy, then
 * the scaled entries with every sum (padding adds nothing to them) and
 * the dot products with ref and global (deviations already made, or
 * zeros). */
VECTORISE static void deviation_make(const struct analysis *a, const int32_t *restrict values,
                                     const int32_t *restrict base, int16_t *restrict d,
                                     int8_t *restrict high, const int16_t *restrict ref,
                                     const int16_t *restrict global, struct deviation *dev)
{
    int32_t *restrict x = a->diff;
    size_t m = a->m, pad = a->padded;
    uint32_t maxabs = 0;
    uint64_t energy = 0;
    for (size_t j = 0; j < m; j++) {
        int32_t v = values[j] - (base ? base[j] : 0); /* both below 2^19 */
        int32_t sign = -(v < 0);                      /* 0 or -1: no branch on a random sign */
        uint32_t av = (uint32_t)((v ^ sign) - sign);
        x[j] = v;
        maxabs = av > maxabs ? av : maxabs;
        energy += (uint64_t)av * av;
    }
    *dev = (struct deviation){.d = d, .high = high, .energy = energy};
    if (maxabs > UINT16_MAX) { /* a W_global entry past 10^9: scaled the slow way, */
        for (size_t j = 0; j < m; j++) {
            int64_t v = (int64_t)x[j] * DEV_MAX, h = maxabs / 2;
            x[j] = (int32_t)((v + (v < 0 ? -h : h)) / (int64_t)maxabs);
        }
        maxabs = DEV_MAX; /* then the loop below keeps each entry (q = |x|) */
    }
    /* q = round(|x| DEV_MAX / maxabs) by one multiplication: n < 2^27, the
     * multiplier < 2^29 (maxabs 0: every x is 0) */
    struct divisor div = divisor_make(maxabs ? maxabs : 1);
    uint32_t half = maxabs / 2, mul = (uint32_t)div.mul;
    unsigned shift = div.shift;
    int64_t sum = 0, sumsq = 0, pos = 0, low = 0, hsum = 0, dot_ref = 0, dot_global = 0;
    for (size_t j = 0; j < m; j++) {
        int32_t sign = -(x[j] < 0);
        uint32_t n = (uint32_t)((x[j] ^ sign) - sign) * DEV_MAX + half;
        int32_t q = ((int32_t)(((uint64_t)n * mul) >> shift) ^ sign) - sign;
        int32_t h = (int32_t)((uint32_t)(q + DEV_MAX + 1) >> 4) - 128;
        d[j] = (int16_t)q;
        high[j] = (int8_t)h;
        sum += q;
        sumsq += q * q;
        pos += h > 0 ? h : 0;
        low += (q + DEV_MAX + 1) & 15;
        hsum += h;
        dot_ref += q * ref[j]; /* each product below 2^22 */
        dot_global += q * global[j];
    }
    memset(d + m, 0, (pad - m) * sizeof *d);
    memset(high + m, 0, pad - m);
    dev->sum = sum;
    dev->sumsq = sumsq;
    dev->high_pos = pos;
    dev->low_sum = low;
    dev->high_sum = hsum;
    dev->dot_ref = dot_ref;
    dev->dot_global = dot_global;
    int64_t var = (int64_t)m * sumsq - sum * sum; /* < 2^55 */
    dev->var_root = var > 0 ? nm_isqrt_u64((uint64_t)var) : 0;
}

/* Pearson correlation of two deviations whose dot product is dot, ppb (0
 * when one is constant). */
static int64_t correlation(const struct analysis *a, const struct deviation *x,
                           const struct deviation *y, int64_t dot)
{
    int64_t n = a->m;
    i128 num = (i128)n * dot - (i128)x->sum * y->sum;
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
                             const struct deviation *y, int64_t dot)
{
    int64_t rxy = correlation(a, x, y, dot);
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

/* True when link_strength(x, y) is surely below the threshold T (> 0),
 * without its square roots: with the roots of each vector's own terms
 * (isqrt(a) isqrt(b) <= isqrt(ab)), r_xy <= num 10^9 / (vx' vy') and a
 * link >= T needs (r_xy 10^9 - rho_x rho_y) 10^9 >= T fx' fy'; T fx' fy'
 * / 10^9 is taken down to >> 30. False means "maybe": then the exact
 * value decides, so the findings are those of the exact rule. */
static bool link_below(const struct analysis *a, const struct deviation *x,
                       const struct deviation *y, int64_t dot)
{
    /* Every operand fits 64 bits, so each product is one 64 x 64 -> 128
     * multiplication (this runs for every pair): m < 2^16 and dot < 2^39
     * (a sketch's bound or an exact dot of at most 2^16 entries), sums
     * below 2^27, T and the rest roots at most 10^9 (link_at_least and
     * link_sketched return first when T > 10^9), rho at most 10^9. */
    int64_t num = (int64_t)a->m * dot - x->sum * y->sum;
    uint64_t t_rest = (uint64_t)a->threshold * x->rest_root;                         /* < 2^60 */
    int64_t need = (int64_t)(((u128)t_rest * y->rest_root) >> 30) + x->rho * y->rho; /* < 2^61 */
    if (x->var_root == 0 || y->var_root == 0 || num <= 0) /* r_xy <= 0 */
        return need > 0;
    int64_t d = (int64_t)(x->var_root * y->var_root); /* < 2^55 */
    return (i128)num * (int64_t)(NM_FX_ONE * NM_FX_ONE) < (i128)need * d;
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

static void rest_root_set(struct deviation *dev)
{
    u128 rest = (u128)NM_FX_ONE * NM_FX_ONE - (u128)((i128)dev->rho * dev->rho);
    dev->rest_root = nm_isqrt_u128(rest);
}

static int build(struct analysis *a)
{
    const struct nm_collusion_input *in = a->in;
    size_t pad = a->padded;
    int err = reference(a);
    int16_t *global = calloc(pad, sizeof *global), *ref = calloc(pad, sizeof *ref);
    int16_t *zeros = calloc(pad, sizeof *zeros);
    int8_t *unused_high = malloc(pad); /* the sketches of ref and global are not used */
    if (!err && (!global || !ref || !zeros || !unused_high))
        err = NM_E_NOMEM;
    if (err) {
        free(global);
        free(ref);
        free(zeros);
        free(unused_high);
        return err;
    }
    /* The reference's own deviation and W_global's first: the others' dot
     * products with them come out of their own passes. */
    deviation_make(a, a->ref, NULL, ref, unused_high, zeros, zeros, &a->refdev);
    if (in->prev_global) {
        for (uint32_t j = 0; j < a->m; j++) /* ppb to the u16 weight scale */
            a->scratch[j] = (int32_t)(((uint64_t)in->prev_global[in->miners[j]] * NM_WEIGHT_SUM +
                                       NM_FX_ONE / 2) /
                                      NM_FX_ONE);
        deviation_make(a, a->scratch, a->ref, global, unused_high, ref, zeros, &a->global);
        a->has_global = true;
    }
    const int16_t *with_global = a->has_global ? global : zeros;
    for (uint32_t k = 0; k < a->s; k++) {
        widen(a->rowp[k], a->scratch, a->m);
        deviation_make(a, a->scratch, a->ref, a->cur_rows + k * pad, a->cur_high + k * pad, ref,
                       with_global, &a->cur[k]);
    }
    for (uint32_t v = 0; in->prev_rows && v < in->validators && !err; v++)
        if (a->prev_row[v] >= 0 && !(err = row_dense(a, &in->prev_rows[v], a->scratch)))
            deviation_make(a, a->scratch, a->ref, a->prev_rows + (size_t)a->prev_row[v] * pad,
                           a->prev_high + (size_t)a->prev_row[v] * pad, ref, zeros, &a->prev[v]);
    if (!a->has_global)
        free(global);
    free(zeros);
    free(unused_high);
    a->global.high = a->refdev.high = NULL;
    if (err)
        return err;
    /* Each deviation's correlation with the reference, for link_strength. */
    const struct deviation *r = &a->refdev;
    for (uint32_t k = 0; k < a->s; k++) {
        a->cur[k].rho = correlation(a, &a->cur[k], r, a->cur[k].dot_ref);
        rest_root_set(&a->cur[k]);
    }
    for (uint32_t v = 0; in->prev_rows && v < in->validators; v++) {
        if (a->prev[v].d) {
            a->prev[v].rho = correlation(a, &a->prev[v], r, a->prev[v].dot_ref);
            rest_root_set(&a->prev[v]);
        }
    }
    if (a->has_global) {
        a->global.rho = correlation(a, &a->global, r, a->global.dot_ref);
        rest_root_set(&a->global);
    }
    return 0;
}

/* The exact link of two deviations, or INT64_MIN when it is surely below
 * the threshold (then it makes no finding, as in the exact rule). */
static int64_t link_at_least(const struct analysis *a, const struct deviation *x,
                             const struct deviation *y, int64_t dot)
{
    if (a->threshold > (int64_t)NM_FX_ONE || link_below(a, x, y, dot))
        return INT64_MIN;
    return link_strength(a, x, y, dot);
}

/* The link of two sketched deviations whose high parts' dot product is
 * high_dot: INT64_MIN when the sketch's upper bound of their dot product
 * already puts the link surely below the threshold (link_below is
 * monotone in the dot product), else the exact link. */
static int64_t link_sketched(const struct analysis *a, const struct deviation *x,
                             const struct deviation *y, int64_t high_dot)
{
    if (!a->sketch) /* no SIMD: the exact int16 dot product costs what the sketch would */
        return link_at_least(a, x, y, nm_dot16(x->d, y->d, a->padded));
    int64_t low = x->low_sum < y->low_sum ? x->low_sum : y->low_sum;
    int64_t bound = 256 * high_dot + 16 * 15 * (x->high_pos + y->high_pos) + 15 * low;
    if (a->threshold > (int64_t)NM_FX_ONE || link_below(a, x, y, bound))
        return INT64_MIN;
    return link_strength(a, x, y, nm_dot16(x->d, y->d, a->padded));
}

/* Rows a stripe of dot products against cols vectors holds. */
static uint32_t stripe_rows(uint32_t cols)
{
    uint32_t h = STRIPE_CELLS / (cols ? cols : 1) / 32 * 32;
    return h < 32 ? 32 : h;
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

/* The link of validator u's current vector with its own previous one
 * (computed once, when first needed). */
static int64_t self_link(struct analysis *a, uint32_t u)
{
    if (a->self[u] == INT64_MIN) {
        const struct deviation *x = &a->cur[a->slot[u]], *y = &a->prev[u];
        a->self[u] = link_strength(a, x, y, nm_dot16(x->d, y->d, a->padded));
    }
    return a->self[u];
}

/* Lagged and consensus copies; lag[x] is the validator submission x
 * copies the previous weights of (-1: none). */
static void find_lagged(struct analysis *a, struct nm_collusion_finding *out, int32_t *lag)
{
    const struct nm_collusion_input *in = a->in;
    int64_t threshold = a->threshold;
    uint32_t cols = a->prev_count, h = stripe_rows(cols);
    for (uint32_t u = 0; u < in->validators; u++)
        if (a->prev_row[u] >= 0)
            a->high_sums[a->prev_row[u]] = a->prev[u].high_sum;
    for (uint32_t x0 = 0; x0 < a->s; x0 += h) {
        uint32_t rows = a->s - x0 < h ? a->s - x0 : h;
        if (cols && a->sketch)
            nm_dot8_gram(a->cur_high + (size_t)x0 * a->padded, rows, a->prev_high, a->high_sums,
                         cols, a->padded, false, a->dots, &a->packed);
        for (uint32_t x = x0; x < x0 + rows; x++) {
            uint32_t vx = a->who[x];
            const int64_t *dots = a->dots + (size_t)(x - x0) * cols;
            int64_t best = INT64_MIN;
            lag[x] = -1;
            for (uint32_t u = 0; u < in->validators; u++) {
                if (u == vx || a->prev_row[u] < 0)
                    continue;
                int64_t c = link_sketched(a, &a->cur[x], &a->prev[u], dots[a->prev_row[u]]);
                if (c < threshold)
                    continue;
                if (a->slot[u] >= 0) {
                    int64_t self = self_link(a, u);
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
                int64_t c = link_at_least(a, &a->cur[x], &a->global, a->cur[x].dot_global);
                if (c >= threshold)
                    link(&out[vx], NM_COLL_CONSENSUS, -1, c);
            }
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
    uint32_t h = stripe_rows(a->s);
    for (uint32_t x = 0; x < a->s; x++)
        a->high_sums[x] = a->cur[x].high_sum;
    for (uint32_t x0 = 0; x0 < a->s; x0 += h) {
        uint32_t rows = a->s - x0 < h ? a->s - x0 : h, cols = a->s - x0;
        const int8_t *stripe = a->cur_high + (size_t)x0 * a->padded;
        if (a->sketch)
            nm_dot8_gram(stripe, rows, stripe, a->high_sums + x0, cols, a->padded, true, a->dots,
                         &a->packed);
        for (uint32_t x = x0; x < x0 + rows; x++) {
            uint32_t vx = a->who[x];
            const int64_t *dots = a->dots + (size_t)(x - x0) * cols - x0;
            for (uint32_t y = x + 1; y < a->s; y++) {
                uint32_t vy = a->who[y];
                if (lag[x] == (int32_t)vy || lag[y] == (int32_t)vx)
                    continue;
                int64_t c = link_sketched(a, &a->cur[x], &a->cur[y], dots[y]);
                if (c < threshold)
                    continue;
                uint64_t tx = in->submitted_at[vx], ty = in->submitted_at[vy];
                if (tx != ty) {
                    uint32_t later = tx > ty ? x : y, earlier = tx > ty ? y : x;
                    u128 e = (u128)a->cur[earlier].energy * ORDINARY_DEN;
                    bool victim = e <= (u128)median * ORDINARY_NUM;
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

/* The sizes of the analysis's big arrays (nm_dot_big_alloc and _free). */
enum big_array { BIG_CUR_ROWS, BIG_PREV_ROWS, BIG_DENSE, BIG_CUR_HIGH, BIG_PREV_HIGH };

static size_t big_bytes(const struct analysis *a, enum big_array which)
{
    switch (which) {
    case BIG_CUR_ROWS:
        return (size_t)a->s * a->padded * sizeof *a->cur_rows;
    case BIG_PREV_ROWS:
        return (size_t)a->prev_count * a->padded * sizeof *a->prev_rows;
    case BIG_DENSE:
        return (size_t)a->s * a->m * sizeof *a->dense;
    case BIG_CUR_HIGH:
        return (size_t)a->s * a->padded;
    default:
        return (size_t)a->prev_count * a->padded;
    }
}

int nm_collusion_analyse(const struct nm_collusion_params *p, const struct nm_collusion_input *in,
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
    a.diff = malloc(a.padded * sizeof *a.diff);
    a.who = malloc(a.s * sizeof *a.who);
    a.rowp = malloc(a.s * sizeof *a.rowp);
    a.slot = malloc(v * sizeof *a.slot);
    a.cur = calloc(a.s, sizeof *a.cur);
    a.prev = calloc(v, sizeof *a.prev);
    a.prev_row = malloc(v * sizeof *a.prev_row);
    a.self = malloc(v * sizeof *a.self);
    parent = malloc(a.s * sizeof *parent);
    lag = malloc(a.s * sizeof *lag);
    err = NM_E_NOMEM;
    if (!a.column || !a.ref || !a.scratch || !a.who || !a.rowp || !a.slot || !a.cur || !a.prev ||
        !a.prev_row || !a.self || !parent || !lag)
        goto out;
    for (uint32_t i = 0; i < v; i++) {
        bool had = in->prev_rows && in->prev_rows[i].n;
        a.prev_row[i] = had ? (int32_t)a.prev_count++ : -1;
        a.self[i] = INT64_MIN;
    }
    size_t cells_lagged = (size_t)stripe_rows(a.prev_count) * a.prev_count;
    size_t cells_pairs = (size_t)stripe_rows(a.s) * a.s;
    /* Every row of these is written whole (padding included) before use. */
    a.cur_rows = nm_dot_big_alloc(big_bytes(&a, BIG_CUR_ROWS));
    a.prev_rows = nm_dot_big_alloc(big_bytes(&a, BIG_PREV_ROWS));
    a.dots = malloc((cells_lagged > cells_pairs ? cells_lagged : cells_pairs) * sizeof *a.dots);
    a.dense = nm_dot_big_alloc(big_bytes(&a, BIG_DENSE));
    a.cur_high = nm_dot_big_alloc(big_bytes(&a, BIG_CUR_HIGH));
    a.prev_high = nm_dot_big_alloc(big_bytes(&a, BIG_PREV_HIGH));
    a.high_sums = malloc((a.s > a.prev_count ? a.s : a.prev_count) * sizeof *a.high_sums);
    if (!a.cur_rows || !a.prev_rows || !a.dots || !a.dense || !a.cur_high || !a.prev_high ||
        !a.diff || !a.high_sums)
        goto out;
    for (uint32_t i = 0; i < in->width; i++)
        a.column[i] = -1;
    err = NM_E_INVAL;
    for (uint32_t j = 0; j < a.m; j++) {
        if (in->miners[j] >= in->width)
            goto out;
        a.column[in->miners[j]] = (int32_t)j;
    }
    a.sketch = nm_dot8_simd();
    a.identity = a.m == in->width;
    for (uint32_t j = 0; j < a.m && a.identity; j++)
        a.identity = in->miners[j] == j;
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
    nm_dot8_scratch_fini(&a.packed);
    nm_dot_big_free(a.cur_rows, big_bytes(&a, BIG_CUR_ROWS));
    nm_dot_big_free(a.dense, big_bytes(&a, BIG_DENSE));
    nm_dot_big_free(a.cur_high, big_bytes(&a, BIG_CUR_HIGH));
    nm_dot_big_free(a.prev_high, big_bytes(&a, BIG_PREV_HIGH));
    nm_dot_big_free(a.prev_rows, big_bytes(&a, BIG_PREV_ROWS));
    free(a.prev_row);
    free(a.self);
    free(a.dots);
    free(a.global.d);
    free(a.refdev.d);
    free(a.column);
    free(a.ref);
    free(a.scratch);
    free(a.diff);
    free(a.high_sums);
    free(a.who);
    free(a.rowp);
    free(a.slot);
    free(a.cur);
    free(a.prev);
    free(parent);
    free(lag);
    return err;
}
