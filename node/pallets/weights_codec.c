/* weights_codec.c - Rice-coded runs of sparse weight vectors (see
 * weights_codec.h for the format). */
#include "node/pallets/weights_codec.h"

#include "node/errors.h"

#include <string.h>

#define K_SMALL_MAX 16 /* gaps and run lengths are below 2^16 */
#define K_VAL_MAX 31

/* --- bit writer (most significant bit first) --- */

struct bit_writer {
    struct nm_writer *w;
    uint64_t acc; /* the low `bits` bits are pending */
    unsigned bits;
    uint8_t buf[256];
    size_t used;
};

static void bw_flush_bytes(struct bit_writer *b)
{
    nm_put_raw(b->w, b->buf, b->used);
    b->used = 0;
}

/* Appends the low nbits (<= 32) of v. */
static void bw_put(struct bit_writer *b, uint32_t v, unsigned nbits)
{
    if (nbits == 0)
        return;
    b->acc = (b->acc << nbits) | (v & (uint32_t)((1ULL << nbits) - 1));
    b->bits += nbits;
    while (b->bits >= 8) {
        b->bits -= 8;
        b->buf[b->used++] = (uint8_t)(b->acc >> b->bits);
        if (b->used == sizeof b->buf)
            bw_flush_bytes(b);
    }
    b->acc &= (1ULL << b->bits) - 1;
}

static void bw_rice(struct bit_writer *b, uint32_t x, unsigned k)
{
    uint32_t q = x >> k;
    while (q >= 32) {
        bw_put(b, 0, 32);
        q -= 32;
    }
    bw_put(b, 1, q + 1); /* q zeros, then a one */
    bw_put(b, x, k);
}

static void bw_finish(struct bit_writer *b)
{
    if (b->bits)
        bw_put(b, 0, 8 - b->bits);
    bw_flush_bytes(b);
}

/* --- encoder --- */

int nm_wcodec_encode(const uint16_t *uids, const uint32_t *values, size_t n, struct nm_writer *w)
{
    if (n > NM_WCODEC_MAX_ENTRIES)
        return NM_E_INVAL;
    for (size_t i = 0; i < n; i++)
        if (values[i] == 0 || (i > 0 && uids[i] <= uids[i - 1]))
            return NM_E_INVAL;
    nm_put_u8(w, NM_WCODEC_VERSION);
    nm_put_varint(w, n);
    if (n == 0)
        return w->err;
    /* Gaps and run lengths, computed twice (to size, then to write) rather
     * than stored: no allocation on this path. The values are what most
     * bits go to. */
    uint32_t small[2][64];
    uint64_t gap_cost[K_SMALL_MAX + 1] = {0}, len_cost[K_SMALL_MAX + 1] = {0};
    size_t batch = 0;
    uint32_t next = 0; /* uid after the previous run */
    for (size_t i = 0; i < n;) {
        size_t start = i;
        while (i + 1 < n && uids[i + 1] == uids[i] + 1)
            i++;
        i++;
        small[0][batch] = uids[start] - next - (start > 0);
        small[1][batch] = (uint32_t)(i - start - 1);
        next = (uint32_t)uids[i - 1] + 1;
        if (++batch == 64 || i == n) {
            for (unsigned k = 0; k <= K_SMALL_MAX; k++)
                for (size_t j = 0; j < batch; j++) {
                    gap_cost[k] += (small[0][j] >> k) + 1 + k;
                    len_cost[k] += (small[1][j] >> k) + 1 + k;
                }
            batch = 0;
        }
    }
    uint8_t k_gap = 0, k_len = 0;
    for (uint8_t k = 1; k <= K_SMALL_MAX; k++) {
        if (gap_cost[k] < gap_cost[k_gap])
            k_gap = k;
        if (len_cost[k] < len_cost[k_len])
            k_len = k;
    }
    /* Values - 1: computed into a stack batch for the k search too. */
    uint64_t val_cost[K_VAL_MAX + 1] = {0};
    uint32_t vbatch[256];
    for (size_t i = 0; i < n; i += 256) {
        size_t m = n - i < 256 ? n - i : 256;
        for (size_t j = 0; j < m; j++)
            vbatch[j] = values[i + j] - 1;
        for (unsigned k = 0; k <= K_VAL_MAX; k++) {
            uint64_t bits = (uint64_t)m * (1 + k);
            for (size_t j = 0; j < m; j++)
                bits += vbatch[j] >> k;
            val_cost[k] += bits;
        }
    }
    uint8_t k_val = 0;
    for (uint8_t k = 1; k <= K_VAL_MAX; k++)
        if (val_cost[k] < val_cost[k_val])
            k_val = k;
    nm_put_u8(w, k_gap);
    nm_put_u8(w, k_len);
    nm_put_u8(w, k_val);
    struct bit_writer b = {.w = w};
    next = 0;
    for (size_t i = 0; i < n;) {
        size_t start = i;
        while (i + 1 < n && uids[i + 1] == uids[i] + 1)
            i++;
        i++;
        bw_rice(&b, uids[start] - next - (start > 0), k_gap);
        bw_rice(&b, (uint32_t)(i - start - 1), k_len);
        for (size_t j = start; j < i; j++)
            bw_rice(&b, values[j] - 1, k_val);
        next = (uint32_t)uids[i - 1] + 1;
    }
    bw_finish(&b);
    return w->err;
}

/* --- decoder --- */

struct bit_reader {
    const uint8_t *p, *end;
    uint64_t buf; /* the top `bits` bits are unread input */
    unsigned bits;
};

static inline void br_refill(struct bit_reader *r)
{
    if (r->bits <= 56 && r->end - r->p >= 8) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | r->p[i];
        unsigned take = (64 - r->bits) >> 3; /* whole bytes that fit */
        r->buf |= (v >> (64 - 8 * take)) << (64 - 8 * take - r->bits);
        r->p += take;
        r->bits += 8 * take;
        return;
    }
    while (r->bits <= 56 && r->p < r->end) {
        r->buf |= (uint64_t)*r->p++ << (56 - r->bits);
        r->bits += 8;
    }
}

/* Reads Rice(k) into *x, refusing values above max. */
static inline bool br_rice(struct bit_reader *r, unsigned k, uint32_t max, uint32_t *x)
{
    uint64_t q = 0, qmax = max >> k;
    for (;;) {
        br_refill(r);
        if (r->bits == 0)
            return false;
        if (r->buf != 0)
            break;
        q += r->bits; /* every pending bit is a zero */
        r->bits = 0;
        if (q > qmax)
            return false;
    }
    unsigned lz = (unsigned)__builtin_clzll(r->buf);
    q += lz;
    if (q > qmax)
        return false;
    /* lz < bits <= 64; consume the zeros and the one */
    r->buf = lz + 1 < 64 ? r->buf << (lz + 1) : 0;
    r->bits -= lz + 1;
    uint32_t rem = 0;
    if (k) {
        if (r->bits < k) {
            br_refill(r);
            if (r->bits < k)
                return false;
        }
        rem = (uint32_t)(r->buf >> (64 - k));
        r->buf <<= k;
        r->bits -= k;
    }
    uint64_t v = q << k | rem;
    if (v > max)
        return false;
    *x = (uint32_t)v;
    return true;
}

static int read_header(struct nm_reader *rd, size_t *n_out)
{
    uint8_t version = nm_get_u8(rd);
    uint64_t n = nm_get_varint(rd);
    if (rd->err || version != NM_WCODEC_VERSION || n > NM_WCODEC_MAX_ENTRIES)
        return NM_E_DECODE;
    *n_out = (size_t)n;
    return 0;
}

int nm_wcodec_count(const uint8_t *data, size_t len, size_t *n_out)
{
    struct nm_reader rd;
    nm_reader_init(&rd, data, len);
    return read_header(&rd, n_out);
}

int nm_wcodec_decode(const uint8_t *data, size_t len, uint16_t *uids, uint32_t *values, size_t cap,
                     size_t *n_out)
{
    struct nm_reader rd;
    nm_reader_init(&rd, data, len);
    size_t n;
    *n_out = 0;
    int err = read_header(&rd, &n);
    if (err)
        return err;
    if (n > cap)
        return NM_E_TOO_BIG;
    if (n == 0)
        return nm_reader_finish(&rd) ? NM_E_DECODE : 0;
    uint8_t k_gap = nm_get_u8(&rd), k_len = nm_get_u8(&rd), k_val = nm_get_u8(&rd);
    if (rd.err || k_gap > K_SMALL_MAX || k_len > K_SMALL_MAX || k_val > K_VAL_MAX)
        return NM_E_DECODE;
    struct bit_reader r = {rd.data + rd.pos, rd.data + rd.len, 0, 0};
    uint32_t next = 0; /* first uid the next run may take */
    size_t got = 0;
    while (got < n) {
        uint32_t gap, len_minus_1;
        if (!br_rice(&r, k_gap, 65535, &gap) || !br_rice(&r, k_len, 65535, &len_minus_1))
            return NM_E_DECODE;
        uint32_t first = next + gap + (got > 0);
        if (first > 65535 || len_minus_1 > 65535 - first || len_minus_1 >= n - got)
            return NM_E_DECODE;
        for (uint32_t j = 0; j <= len_minus_1; j++) {
            uint32_t v;
            if (!br_rice(&r, k_val, UINT32_MAX - 1, &v))
                return NM_E_DECODE;
            uids[got] = (uint16_t)(first + j);
            values[got++] = v + 1;
        }
        next = first + len_minus_1 + 1;
    }
    /* Only zero padding (< 8 bits) may remain. */
    size_t left = r.bits + 8 * (size_t)(r.end - r.p);
    if (left >= 8 || r.buf != 0)
        return NM_E_DECODE;
    *n_out = n;
    return 0;
}
