/* yuma.c - the Yuma-compatible epoch in fixed point (see yuma.h). */
#include "node/pallets/yuma.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

#define ONE NM_FX_ONE

struct scored {
    uint32_t w;
    uint32_t s;
};

/* The largest w such that the entries with weight >= w hold at least need
 * (ppb x 10^9 units of stake x 10^9), 0 if none: a radix selection from
 * the top byte down, each pass a stake histogram of the entries left
 * (those sharing the bytes chosen so far); a byte's bucket is chosen when
 * the stake at or above it first reaches need. Reorders col. */
static uint32_t weighted_top(struct scored *col, uint32_t n, u128 need)
{
    if (n == 0)
        return 0;
    if (need == 0) { /* every weight qualifies: the largest */
        uint32_t top = 0;
        for (uint32_t k = 0; k < n; k++)
            top = col[k].w > top ? col[k].w : top;
        return top;
    }
    /* stake sums are integers: stake >= need / 10^9 rounded up */
    u128 want = (need + ONE - 1) / ONE;
    uint64_t hist[256];
    uint32_t count[256], all = 0;
    u128 above = 0; /* stake of the entries above the bytes chosen so far */
    uint32_t value = 0;
    for (uint32_t k = 0; k < n; k++)
        all |= col[k].w;
    int shift = 24; /* from the top byte any weight uses (ppb: often the third) */
    while (shift > 0 && !(all >> shift))
        shift -= 8;
    for (; shift >= 0; shift -= 8) {
        memset(hist, 0, sizeof hist);
        memset(count, 0, sizeof count);
        for (uint32_t k = 0; k < n; k++) { /* n < 2^16 stakes < 2^30: no overflow */
            hist[col[k].w >> shift & 255] += col[k].s;
            count[col[k].w >> shift & 255]++;
        }
        uint32_t b = 256;
        u128 at_or_above = above;
        while (b > 0 && at_or_above + hist[b - 1] < want)
            at_or_above += hist[--b];
        if (b == 0)
            return 0; /* only at the top byte: all the stake is short of need */
        b--;
        above = at_or_above; /* the stake above bucket b */
        value |= b << shift;
        if (count[b] == n)
            continue; /* every entry left is in the bucket */
        uint32_t kept = 0;
        for (uint32_t k = 0; k < n; k++)
            if ((col[k].w >> shift & 255) == b)
                col[kept++] = col[k];
        n = kept;
    }
    return value;
}

/* Steps 1-2: S and the dense row-normalised W (only rows with S_i > 0). */
static int normalise(const struct nm_yuma_input *in, uint32_t *S, uint32_t *W)
{
    u128 total = 0;
    for (uint32_t i = 0; i < in->validators; i++)
        total += in->stake[i];
    for (uint32_t i = 0; i < in->validators; i++) {
        const struct nm_wrow *row = &in->rows[i];
        uint32_t *wi = W + (size_t)i * in->width;
        S[i] = total ? (uint32_t)((u128)in->stake[i] * ONE / total) : 0;
        memset(wi, 0, in->width * sizeof *wi);
        uint64_t sum = 0;
        for (uint32_t k = 0; k < row->n; k++) {
            uint32_t uid = row->uids ? row->uids[k] : k;
            if (uid >= in->width)
                return NM_E_INVAL;
            sum += row->w[k];
        }
        if (!sum)
            continue;
        struct nm_muldiv share = nm_muldiv_make(ONE, sum);
        for (uint32_t k = 0; k < row->n; k++)
            wi[row->uids ? row->uids[k] : k] = (uint32_t)nm_muldiv(&share, row->w[k]);
    }
    return 0;
}

/* Columns gathered at a time for step 3: one 64-byte run of each row. */
#define CONSENSUS_COLUMNS 16

/* Step 3 for columns j0.. (cols of them): walk each one's weights from the
 * largest down until the stake giving at least that much reaches kappa
 * (ties counted together). col: CONSENSUS_COLUMNS x v entries. */
static void consensus(const struct nm_yuma_input *in, const uint32_t *S, const uint32_t *W,
                      uint32_t j0, uint32_t cols, uint64_t kappa, struct scored *col,
                      uint32_t *out)
{
    uint32_t n = 0, v = in->validators;
    uint64_t total = 0;
    for (uint32_t i = 0; i < v; i++) {
        if (!S[i])
            continue;
        const uint32_t *row = W + (size_t)i * in->width + j0;
        for (uint32_t c = 0; c < cols; c++)
            col[(size_t)c * v + n] = (struct scored){row[c], S[i]};
        total += S[i];
        n++;
    }
    for (uint32_t c = 0; c < cols; c++)
        out[j0 + c] = n ? weighted_top(col + (size_t)c * v, n, (u128)kappa * total) : 0;
}

int nm_yuma_run(const struct nm_yuma_params *p, const struct nm_yuma_input *in,
                struct nm_yuma_output *out)
{
    uint32_t v = in->validators, m = in->width;
    uint32_t *S = malloc((v ? v : 1) * sizeof *S);
    uint64_t *R = calloc(m ? m : 1, sizeof *R); /* sum_i S_i Wc_ij <= 10^18 */
    u128 *D = calloc(v ? v : 1, sizeof *D);
    struct scored *col = malloc((size_t)CONSENSUS_COLUMNS * (v ? v : 1) * sizeof *col);
    struct nm_muldiv *div = malloc((m ? m : 1) * sizeof *div);
    uint32_t *W = out->bonds; /* W lives in the bonds' place until step 6 */
    int err = NM_E_NOMEM;
    if (!S || !R || !D || !col || !div)
        goto out;
    if ((err = normalise(in, S, W)))
        goto out;
    uint64_t kappa = p->kappa_ppb > ONE ? ONE : p->kappa_ppb;
    uint64_t alpha = p->bond_alpha_ppb > ONE ? ONE : p->bond_alpha_ppb;
    for (uint32_t j0 = 0; j0 < m; j0 += CONSENSUS_COLUMNS)
        consensus(in, S, W, j0, m - j0 < CONSENSUS_COLUMNS ? m - j0 : CONSENSUS_COLUMNS, kappa,
                  col, out->consensus);
    for (uint32_t i = 0; i < v; i++) {
        uint32_t *wi = W + (size_t)i * m;
        for (uint32_t j = 0; j < m; j++) {
            if (wi[j] > out->consensus[j])
                wi[j] = out->consensus[j]; /* step 4: W becomes Wc */
            R[j] += (uint64_t)S[i] * wi[j];
        }
    }
    u128 rank_total = 0;
    for (uint32_t j = 0; j < m; j++)
        rank_total += R[j];
    for (uint32_t j = 0; j < m; j++)
        out->incentive[j] = rank_total ? (uint32_t)((u128)R[j] * ONE / rank_total) : 0;
    /* Step 6, in place: Wc becomes dB (S_i Wc_ij <= R_j: at most 10^9),
     * then the moving average, whose column sums (in R, no longer needed)
     * normalise it; step 7 in the same pass. */
    for (uint32_t j = 0; j < m; j++)
        div[j] = nm_muldiv_make(ONE, R[j] ? R[j] : 1);
    memset(R, 0, m * sizeof *R);
    for (uint32_t i = 0; i < v; i++) {
        for (uint32_t j = 0; j < m; j++) {
            size_t at = (size_t)i * m + j;
            uint64_t db = nm_muldiv(&div[j], (uint64_t)S[i] * W[at]); /* R_j 0: W 0 */
            uint64_t old = in->bonds ? in->bonds[at] : 0;
            W[at] = (uint32_t)((alpha * db + (ONE - alpha) * old) / ONE);
            R[j] += W[at];
        }
    }
    for (uint32_t j = 0; j < m; j++)
        div[j] = nm_muldiv_make(ONE, R[j] ? R[j] : 1); /* a column of 0s stays 0 */
    u128 dividend_total = 0;
    for (uint32_t i = 0; i < v; i++) {
        uint32_t *bi = out->bonds + (size_t)i * m;
        for (uint32_t j = 0; j < m; j++) {
            bi[j] = (uint32_t)nm_muldiv(&div[j], bi[j]);
            D[i] += (u128)bi[j] * out->incentive[j];
        }
        dividend_total += D[i];
    }
    for (uint32_t i = 0; i < v; i++)
        out->dividends[i] = dividend_total ? (uint32_t)(D[i] * ONE / dividend_total) : 0;
    err = 0;
out:
    free(S);
    free(R);
    free(D);
    free(col);
    free(div);
    return err;
}

int64_t nm_yuma_emission(uint64_t amount, const struct nm_yuma_input *in,
                         const struct nm_yuma_output *out, uint64_t *miner_out,
                         uint64_t *validator_out)
{
    uint32_t v = in->validators, m = in->width;
    uint64_t *shares = malloc(((size_t)v + m ? (size_t)v + m : 1) * sizeof *shares);
    uint64_t *paid = malloc(((size_t)v + m ? (size_t)v + m : 1) * sizeof *paid);
    if (!shares || !paid) {
        free(shares);
        free(paid);
        return NM_E_NOMEM;
    }
    uint64_t incentive = 0;
    for (uint32_t j = 0; j < m; j++)
        incentive += shares[j] = out->incentive[j];
    for (uint32_t i = 0; i < v; i++)
        shares[m + i] = incentive ? out->dividends[i] : in->stake[i];
    uint64_t handed = nm_split(amount, shares, (size_t)v + m, paid);
    memcpy(miner_out, paid, m * sizeof *paid);
    memcpy(validator_out, paid + m, v * sizeof *paid);
    free(shares);
    free(paid);
    return (int64_t)handed;
}
