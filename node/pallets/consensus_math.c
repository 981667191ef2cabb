/* consensus_math.c - fixed-point normalisation, aggregation, similarity,
 * reputation and outlier arithmetic (see consensus_math.h). */
#include "node/pallets/consensus_math.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

uint64_t nm_isqrt_u64(uint64_t x)
{
    return nm_isqrt_u128(x);
}

/* Newton's method from an over-estimate: the iterates fall monotonically
 * to floor(sqrt(x)). */
uint64_t nm_isqrt_u128(u128 x)
{
    if (x < 2)
        return (uint64_t)x;
    unsigned bits = 0;
    for (u128 t = x; t; t >>= 1)
        bits++;
    u128 r = (u128)1 << ((bits + 1) / 2); /* 2^ceil(bits/2) > sqrt(x) */
    for (;;) {
        u128 next = (r + x / r) >> 1;
        if (next >= r)
            return (uint64_t)r;
        r = next;
    }
}

#define Q32_ONE (1ULL << 32)
#define LN2_Q32 2977044472ULL /* round(ln 2 * 2^32) */

uint64_t nm_exp_neg_q32(uint64_t y)
{
    uint64_t k = y / LN2_Q32;
    if (k >= 33)
        return 0;
    uint64_t r = y - k * LN2_Q32; /* in [0, ln 2) */
    /* exp(-r) = sum (-r)^n / n!: terms shrink fast for r < 0.7; thirteen
     * of them leave an error far below 2^-32. Terms are kept in Q62 for
     * the rounding; positive and negative ones summed apart. */
    u128 term = (u128)1 << 62, pos = term, neg = 0;
    for (unsigned n = 1; n <= 13; n++) {
        term = term * r / ((u128)n << 32);
        if (n & 1)
            neg += term;
        else
            pos += term;
    }
    u128 e = pos - neg;                           /* Q62, in (0.5, 1] */
    return (uint64_t)(((e >> 29) + 1) >> 1 >> k); /* to Q32, rounded, then 2^-k */
}

struct remainder {
    uint64_t rem;
    uint32_t index;
};

static int remainder_cmp(const void *a, const void *b)
{
    const struct remainder *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem < y->rem ? 1 : -1;                   /* larger remainder first */
    return x->index < y->index ? -1 : x->index > y->index; /* then lower index */
}

int nm_normalize_l1(const uint64_t *raw, size_t n, uint16_t *out)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (raw[i] > Q32_ONE)
            return NM_E_INVAL;
        sum += raw[i]; /* n <= 2^16 entries of <= 2^32: no overflow */
    }
    if (n > 65536 || sum == 0)
        return NM_E_INVAL;
    struct remainder *rems = malloc(n * sizeof *rems);
    if (!rems)
        return NM_E_NOMEM;
    uint64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t scaled = raw[i] * NM_WEIGHT_SUM; /* <= 2^48 */
        out[i] = (uint16_t)(scaled / sum);
        given += out[i];
        rems[i].rem = scaled % sum;
        rems[i].index = (uint32_t)i;
    }
    uint64_t missing = NM_WEIGHT_SUM - given; /* < n: each floor lost < 1 */
    if (missing) {
        qsort(rems, n, sizeof *rems, remainder_cmp);
        for (uint64_t j = 0; j < missing; j++)
            out[rems[j].index]++;
    }
    free(rems);
    return 0;
}

int nm_normalize_softmax(const uint16_t *raw, size_t n, uint64_t temperature_ppb, uint16_t *out)
{
    uint16_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (raw[i] > max)
            max = raw[i];
    if (max == 0 || temperature_ppb == 0 || n > 65536)
        return NM_E_INVAL;
    uint64_t *e = malloc(n * sizeof *e);
    if (!e)
        return NM_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        /* y = (max - raw) / max / t, in Q32; past 2^38 exp is 0 anyway */
        u128 y = ((u128)(max - raw[i]) << 32) * NM_FX_ONE / ((u128)max * temperature_ppb);
        e[i] = y >= ((u128)1 << 38) ? 0 : nm_exp_neg_q32((uint64_t)y);
    }
    int err = nm_normalize_l1(e, n, out); /* the largest has e = 2^32 > 0 */
    free(e);
    return err;
}

uint64_t nm_fx_reduce(uint64_t value, uint64_t fraction_ppb)
{
    if (fraction_ppb >= NM_FX_ONE)
        return 0;
    return (uint64_t)((u128)value * (NM_FX_ONE - fraction_ppb) / NM_FX_ONE);
}

uint64_t nm_split(uint64_t amount, const uint64_t *shares, size_t n, uint64_t *out)
{
    u128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += shares[i];
    uint64_t paid = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = total ? (uint64_t)((u128)amount * shares[i] / total) : 0;
        paid += out[i]; /* the parts never sum past amount */
    }
    return paid;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median of n sorted values (mean of the middle two, rounded down). */
static uint64_t median_sorted(const uint64_t *s, size_t n)
{
    if (n % 2)
        return s[n / 2];
    return s[n / 2 - 1] + (s[n / 2] - s[n / 2 - 1]) / 2;
}

struct weighted {
    uint64_t value, stake;
};

static int weighted_cmp(const void *a, const void *b)
{
    const struct weighted *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value;
}

/* Stake-weighted lower median: the smallest value at which the stake of
 * values up to it reaches half the total. Reorders s. */
static uint64_t median_weighted(struct weighted *s, size_t n, u128 total)
{
    qsort(s, n, sizeof *s, weighted_cmp);
    u128 have = 0;
    for (size_t i = 0; i < n; i++)
        if (2 * (have += s[i].stake) >= total)
            return s[i].value;
    return n ? s[n - 1].value : 0;
}

/* Median and MAD of the submitters' similarities: by head count (the
 * seed's rule), or weighted by stake with stake_basis, so identities
 * without stake cannot move them. */
static int median_mad(const struct nm_consensus_params *p, const struct nm_consensus_input *in,
                      const struct nm_consensus_output *out, uint64_t *median, uint64_t *mad)
{
    uint32_t n = out->submitted, k = 0;
    struct weighted *s = malloc(n * sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    u128 total = 0;
    for (uint32_t v = 0; v < in->validators; v++)
        if (out->flags[v] & NM_VFLAG_SUBMITTED) {
            s[k++] = (struct weighted){out->similarity[v], p->stake_basis ? in->stake[v] : 0};
            total += p->stake_basis ? in->stake[v] : 0;
        }
    if (total) {
        *median = median_weighted(s, n, total);
        for (uint32_t i = 0; i < n; i++)
            s[i].value = s[i].value > *median ? s[i].value - *median : *median - s[i].value;
        *mad = median_weighted(s, n, total);
    } else {
        uint64_t *x = malloc(n * sizeof *x);
        if (!x) {
            free(s);
            return NM_E_NOMEM;
        }
        for (uint32_t i = 0; i < n; i++)
            x[i] = s[i].value;
        qsort(x, n, sizeof *x, u64_cmp);
        *median = median_sorted(x, n);
        for (uint32_t i = 0; i < n; i++)
            x[i] = x[i] > *median ? x[i] - *median : *median - x[i];
        qsort(x, n, sizeof *x, u64_cmp);
        *mad = median_sorted(x, n);
        free(x);
    }
    free(s);
    return 0;
}

/* Step 5: flags outliers among submitters and cuts their reputation. */
static int apply_outliers(const struct nm_consensus_params *p, const struct nm_consensus_input *in,
                          struct nm_consensus_output *out)
{
    out->median = out->mad = out->outlier_below = 0;
    out->outliers = 0;
    if (out->submitted < NM_OUTLIER_MIN_SUBMITTERS)
        return 0;
    uint64_t median, mad;
    int err = median_mad(p, in, out, &median, &mad);
    if (err)
        return err;
    u128 margin = (u128)p->outlier_k * mad / NM_FX_ONE;
    if (margin < p->outlier_floor)
        margin = p->outlier_floor;
    out->median = median;
    out->mad = mad;
    out->outlier_below = margin >= median ? 0 : median - (uint64_t)margin;
    for (uint32_t v = 0; v < in->validators; v++)
        if ((out->flags[v] & NM_VFLAG_SUBMITTED) && out->similarity[v] < out->outlier_below) {
            out->flags[v] |= NM_VFLAG_OUTLIER;
            out->reputation[v] = nm_fx_reduce(out->reputation[v], p->outlier_penalty);
            out->outliers++;
        }
    return 0;
}

/* Dense rows run in fixed blocks of DENSE_BLOCK so the compiler
 * vectorises them at -O2; the tail goes one by one. */
#define DENSE_BLOCK 64

/* num[j] += b * w[j] for j < n (b < 2^32, so each product < 2^48). */
static void add_scaled(uint64_t *restrict num, const uint16_t *restrict w, uint32_t b, uint32_t n)
{
    uint32_t j = 0;
    for (; j + DENSE_BLOCK <= n; j += DENSE_BLOCK) {
        uint64_t *out = num + j;
        const uint16_t *in = w + j;
        for (int k = 0; k < DENSE_BLOCK; k++)
            out[k] += (uint64_t)b * in[k];
    }
    for (; j < n; j++)
        num[j] += (uint64_t)b * w[j];
}

/* dot(w, g) and |w|^2 over j < n. */
static void dot_dense(const uint16_t *restrict w, const uint32_t *restrict g, uint32_t n,
                      uint64_t *dot_out, uint64_t *norm2_out)
{
    uint64_t dot = 0, norm2 = 0;
    uint32_t j = 0;
    for (; j + DENSE_BLOCK <= n; j += DENSE_BLOCK) {
        const uint16_t *x = w + j;
        const uint32_t *y = g + j;
        for (int k = 0; k < DENSE_BLOCK; k++) {
            dot += (uint64_t)x[k] * y[k];
            norm2 += (uint32_t)x[k] * x[k];
        }
    }
    for (; j < n; j++) {
        dot += (uint64_t)w[j] * g[j];
        norm2 += (uint32_t)w[j] * w[j];
    }
    *dot_out = dot;
    *norm2_out = norm2;
}

/* Steps 1-2. basis is filled for every validator. */
static int aggregate(const struct nm_consensus_params *p, const struct nm_consensus_input *in,
                     uint64_t *basis, struct nm_consensus_output *out)
{
    uint32_t width = in->width;
    u128 total_stake = 0;
    for (uint32_t v = 0; v < in->validators; v++)
        if (in->rows[v].n && p->stake_basis)
            total_stake += in->stake[v];
    u128 total_basis = 0;
    for (uint32_t v = 0; v < in->validators; v++) {
        const struct nm_wrow *row = &in->rows[v];
        basis[v] = 0;
        if (!row->n)
            continue;
        if (row->uids ? row->uids[row->n - 1] >= width : row->n > width)
            return NM_E_INVAL;
        uint64_t rep = in->reputation[v] > NM_FX_ONE ? NM_FX_ONE : in->reputation[v];
        if (p->stake_basis && total_stake) {
            uint64_t share = (uint64_t)((u128)in->stake[v] * NM_FX_ONE / total_stake);
            basis[v] = (uint64_t)((u128)rep * share / NM_FX_ONE);
        } else {
            basis[v] = rep;
        }
        total_basis += basis[v];
    }
    uint64_t *num = calloc(width ? width : 1, sizeof *num);
    if (!num)
        return NM_E_NOMEM;
    for (uint32_t v = 0; v < in->validators; v++) {
        const struct nm_wrow *row = &in->rows[v];
        uint64_t b = basis[v]; /* <= 10^9: b * w < 2^46, the sum < 2^62 */
        if (!b)
            continue;
        if (row->uids) {
            for (uint32_t j = 0; j < row->n; j++)
                num[row->uids[j]] += b * row->w[j];
        } else {
            add_scaled(num, row->w, (uint32_t)b, row->n);
        }
    }
    u128 denominator = total_basis * NM_WEIGHT_SUM;
    for (uint32_t i = 0; i < width; i++)
        out->global[i] = denominator ? (uint32_t)((u128)num[i] * NM_FX_ONE / denominator) : 0;
    free(num);
    return 0;
}

/* Step 3 for one row. */
static uint64_t similarity(const struct nm_wrow *row, const uint32_t *global, uint64_t global2)
{
    uint64_t dot = 0, norm2 = 0;
    if (row->uids) {
        for (uint32_t j = 0; j < row->n; j++) {
            dot += (uint64_t)row->w[j] * global[row->uids[j]];
            norm2 += (uint64_t)row->w[j] * row->w[j];
        }
    } else {
        dot_dense(row->w, global, row->n, &dot, &norm2);
    }
    uint64_t root = nm_isqrt_u128((u128)norm2 * global2);
    if (root == 0)
        return 0;
    u128 sim = ((u128)dot * NM_FX_ONE + root / 2) / root;
    return sim > NM_FX_ONE ? NM_FX_ONE : (uint64_t)sim;
}

int nm_consensus_run(const struct nm_consensus_params *p, const struct nm_consensus_input *in,
                     struct nm_consensus_output *out)
{
    uint64_t *basis = malloc((in->validators ? in->validators : 1) * sizeof *basis);
    if (!basis)
        return NM_E_NOMEM;
    int err = aggregate(p, in, basis, out);
    free(basis);
    if (err)
        return err;
    uint64_t global2 = 0; /* sum of squares of ppb entries summing to <= 10^9: < 2^60 */
    for (uint32_t i = 0; i < in->width; i++)
        global2 += (uint64_t)out->global[i] * out->global[i];
    uint64_t alpha = p->alpha > NM_FX_ONE ? NM_FX_ONE : p->alpha;
    out->submitted = 0;
    for (uint32_t v = 0; v < in->validators; v++) {
        const struct nm_wrow *row = &in->rows[v];
        uint64_t rep = in->reputation[v] > NM_FX_ONE ? NM_FX_ONE : in->reputation[v];
        if (!row->n) {
            out->flags[v] = 0;
            out->similarity[v] = 0;
            out->reputation[v] = nm_fx_reduce(rep, p->nonsubmit_decay);
            continue;
        }
        out->flags[v] = NM_VFLAG_SUBMITTED;
        out->submitted++;
        uint64_t sim = similarity(row, out->global, global2);
        out->similarity[v] = sim;
        out->reputation[v] = (alpha * rep + (NM_FX_ONE - alpha) * sim + NM_FX_ONE / 2) / NM_FX_ONE;
    }
    return apply_outliers(p, in, out);
}
