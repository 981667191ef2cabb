/* dot16.c - blocked Gram products of 12-bit int16 vectors (see dot16.h):
 * 4 x 4 tiles of rows over slices of KC entries, with the b rows of a
 * panel kept in cache while every a row passes over them. */
#include "node/dot16.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

/* Slice of entries per tile: each int32 lane of the SIMD kernel sums
 * KC / 16 products of at most 2047^2 (128 * 2047^2 < 2^31). */
#define KC 2048
/* Rows of b per panel: 64 rows x KC x 2 bytes = 256 KB, within L2. */
#define PANEL 64

int64_t nm_dot16(const int16_t *x, const int16_t *y, uint32_t len)
{
    int64_t total = 0;
    for (uint32_t base = 0; base < len; base += NM_DOT16_ALIGN) {
        const int16_t *xb = x + base, *yb = y + base;
        int32_t acc = 0; /* 256 * 2047^2 < 2^31 */
        for (int j = 0; j < NM_DOT16_ALIGN; j++)
            acc += xb[j] * yb[j];
        total += acc;
    }
    return total;
}

/* t[i * 4 + j] = dots of a's rows i and b's rows j over len entries
 * (stride: the distance between rows). */
typedef void tile_fn(const int16_t *a, const int16_t *b, uint32_t stride, uint32_t len,
                     int64_t t[16]);

static void tile_portable(const int16_t *a, const int16_t *b, uint32_t stride, uint32_t len,
                          int64_t t[16])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            t[i * 4 + j] = nm_dot16(a + (size_t)i * stride, b + (size_t)j * stride, len);
}

#ifdef HAVE_X86
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static int64_t
lanes_sum(__m512i acc)
{
    __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc));
    __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1));
    return _mm512_reduce_add_epi64(_mm512_add_epi64(lo, hi));
}

/* 16 accumulators of 16 int32 lanes; each step adds 32 entries of 4 a
 * rows times 4 b rows (vpdpwssd: two products per lane). */
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void
tile_vnni(const int16_t *a, const int16_t *b, uint32_t stride, uint32_t len, int64_t t[16])
{
    __m512i c[16];
    for (int i = 0; i < 16; i++)
        c[i] = _mm512_setzero_si512();
    const int16_t *a1 = a + stride, *a2 = a1 + stride, *a3 = a2 + stride;
    const int16_t *b1 = b + stride, *b2 = b1 + stride, *b3 = b2 + stride;
    for (uint32_t k = 0; k < len; k += 32) {
        __m512i x0 = _mm512_loadu_si512(a + k), x1 = _mm512_loadu_si512(a1 + k);
        __m512i x2 = _mm512_loadu_si512(a2 + k), x3 = _mm512_loadu_si512(a3 + k);
#define NM_DOT16_COLUMN(j, row)                                                                    \
    do {                                                                                           \
        __m512i y = _mm512_loadu_si512((row) + k);                                                 \
        c[j] = _mm512_dpwssd_epi32(c[j], x0, y);                                                   \
        c[4 + (j)] = _mm512_dpwssd_epi32(c[4 + (j)], x1, y);                                       \
        c[8 + (j)] = _mm512_dpwssd_epi32(c[8 + (j)], x2, y);                                       \
        c[12 + (j)] = _mm512_dpwssd_epi32(c[12 + (j)], x3, y);                                     \
    } while (0)
        NM_DOT16_COLUMN(0, b);
        NM_DOT16_COLUMN(1, b1);
        NM_DOT16_COLUMN(2, b2);
        NM_DOT16_COLUMN(3, b3);
#undef NM_DOT16_COLUMN
    }
    for (int i = 0; i < 16; i++)
        t[i] = lanes_sum(c[i]);
}
#endif

static tile_fn *tile_choose(void)
{
#ifdef HAVE_X86
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
        return tile_vnni;
#endif
    return tile_portable;
}

void nm_dot16_gram(const int16_t *a, uint32_t na, const int16_t *b, uint32_t nb, uint32_t len,
                   bool upper, int64_t *out)
{
    static tile_fn *tile;
    if (!tile)
        tile = tile_choose(); /* the same choice from any thread: a benign race */
    memset(out, 0, (size_t)na * nb * sizeof *out);
    uint32_t na4 = na / 4 * 4, nb4 = nb / 4 * 4;
    int64_t t[16];
    for (uint32_t k0 = 0; k0 < len; k0 += KC) {
        uint32_t kl = len - k0 < KC ? len - k0 : KC;
        for (uint32_t j0 = 0; j0 < nb4; j0 += PANEL) {
            uint32_t j1 = j0 + PANEL < nb4 ? j0 + PANEL : nb4;
            for (uint32_t i = 0; i < na4; i += 4) {
                for (uint32_t j = j0; j < j1; j += 4) {
                    if (upper && j + 3 <= i)
                        continue; /* every j <= i */
                    tile(a + (size_t)i * len + k0, b + (size_t)j * len + k0, len, kl, t);
                    for (int r = 0; r < 4; r++)
                        for (int s = 0; s < 4; s++)
                            out[(size_t)(i + r) * nb + j + s] += t[r * 4 + s];
                }
            }
        }
    }
    /* The rows and columns past the last whole tile, pair by pair. */
    for (uint32_t i = 0; i < na; i++)
        for (uint32_t j = i < na4 ? nb4 : 0; j < nb; j++)
            if (!upper || j > i)
                out[(size_t)i * nb + j] =
                    nm_dot16(a + (size_t)i * len, b + (size_t)j * len, len);
}
