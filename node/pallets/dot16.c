/* dot16.c - exact dot products (see dot16.h). The Gram product runs in
 * 4 x 4 tiles of rows over slices of KC entries, with the b rows of a
 * panel kept in cache while every a row passes over them. */
#include "node/pallets/dot16.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

/* Entries per slice: 4 rows of 4 KB stay in L1. */
#define KC 4096
/* Rows of b per panel: 64 rows x 4 KB = 256 KB, within L2. */
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

int64_t nm_dot8(const int8_t *x, const int8_t *y, uint32_t len)
{
    int64_t total = 0;
    uint32_t k = 0;
    for (; k + NM_DOT16_ALIGN <= len; k += NM_DOT16_ALIGN) {
        const int8_t *xb = x + k, *yb = y + k;
        int32_t acc = 0; /* a fixed count: vectorised at -O2 */
        for (int j = 0; j < NM_DOT16_ALIGN; j++)
            acc += (int16_t)xb[j] * yb[j];
        total += acc;
    }
    for (; k < len; k++)
        total += x[k] * y[k];
    return total;
}

/* t[i * 4 + j] = sum_k a_i[k] b_j[k] over len entries for a's rows i and
 * b's rows j (stride: the distance between rows); a biased tile returns
 * sum_k (a_i[k] + 128) b_j[k] instead, the form of the u8 x s8 VNNI
 * instruction, and the caller takes 128 sum b_j off. */
typedef void tile_fn(const int8_t *a, const int8_t *b, uint32_t stride, uint32_t len,
                     int64_t t[16]);

static void tile_portable(const int8_t *a, const int8_t *b, uint32_t stride, uint32_t len,
                          int64_t t[16])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            t[i * 4 + j] = nm_dot8(a + (size_t)i * stride, b + (size_t)j * stride, len);
}

#ifdef HAVE_X86
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

VNNI static int64_t lanes_sum(__m512i acc)
{
    __m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc));
    __m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1));
    return _mm512_reduce_add_epi64(_mm512_add_epi64(lo, hi));
}

/* 16 accumulators of 16 int32 lanes; each step adds 64 entries of 4 a
 * rows (already made unsigned by flipping the sign bit: a + 128) times 4 b
 * rows, vpdpbusd summing four products per lane. */
VNNI static void tile_vnni(const int8_t *a, const int8_t *b, uint32_t stride, uint32_t len,
                           int64_t t[16])
{
    __m512i c[16];
    for (int i = 0; i < 16; i++)
        c[i] = _mm512_setzero_si512();
    const int8_t *a1 = a + stride, *a2 = a1 + stride, *a3 = a2 + stride;
    const int8_t *b1 = b + stride, *b2 = b1 + stride, *b3 = b2 + stride;
    for (uint32_t k = 0; k < len; k += 64) {
        __m512i x0 = _mm512_loadu_si512(a + k);
        __m512i x1 = _mm512_loadu_si512(a1 + k);
        __m512i x2 = _mm512_loadu_si512(a2 + k);
        __m512i x3 = _mm512_loadu_si512(a3 + k);
#define NM_DOT_COLUMN(j, row)                                                                     \
    do {                                                                                          \
        __m512i y = _mm512_loadu_si512((row) + k);                                                \
        c[j] = _mm512_dpbusd_epi32(c[j], x0, y);                                                  \
        c[4 + (j)] = _mm512_dpbusd_epi32(c[4 + (j)], x1, y);                                      \
        c[8 + (j)] = _mm512_dpbusd_epi32(c[8 + (j)], x2, y);                                      \
        c[12 + (j)] = _mm512_dpbusd_epi32(c[12 + (j)], x3, y);                                    \
    } while (0)
        NM_DOT_COLUMN(0, b);
        NM_DOT_COLUMN(1, b1);
        NM_DOT_COLUMN(2, b2);
        NM_DOT_COLUMN(3, b3);
#undef NM_DOT_COLUMN
    }
    for (int i = 0; i < 16; i++)
        t[i] = lanes_sum(c[i]);
}

#define AVX2 __attribute__((target("avx2")))

AVX2 static int64_t lanes_sum8(__m256i acc)
{
    __m256i wide = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(acc)),
                                    _mm256_cvtepi32_epi64(_mm256_extracti128_si256(acc, 1)));
    __m128i half = _mm_add_epi64(_mm256_castsi256_si128(wide), _mm256_extracti128_si256(wide, 1));
    return _mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1);
}

/* Without VNNI: entries widened to int16 and multiplied in pairs
 * (vpmaddwd), two a rows against four b rows at a time (8 accumulators
 * fit the 16 ymm registers), for the 4 x 4 tile in two passes. */
AVX2 static void tile_avx2(const int8_t *a, const int8_t *b, uint32_t stride, uint32_t len,
                           int64_t t[16])
{
    for (int half = 0; half < 2; half++) {
        __m256i c[8];
        for (int i = 0; i < 8; i++)
            c[i] = _mm256_setzero_si256();
        const int8_t *a0 = a + (size_t)(2 * half) * stride, *a1 = a0 + stride;
        for (uint32_t k = 0; k < len; k += 16) {
            __m256i x0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a0 + k)));
            __m256i x1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a1 + k)));
            for (int j = 0; j < 4; j++) {
                const int8_t *row = b + (size_t)j * stride + k;
                __m256i y = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)row));
                c[j] = _mm256_add_epi32(c[j], _mm256_madd_epi16(x0, y));
                c[4 + j] = _mm256_add_epi32(c[4 + j], _mm256_madd_epi16(x1, y));
            }
        }
        for (int j = 0; j < 4; j++) {
            t[(2 * half) * 4 + j] = lanes_sum8(c[j]);
            t[(2 * half + 1) * 4 + j] = lanes_sum8(c[4 + j]);
        }
    }
}

#endif

static int simd_level = 2;
static tile_fn *tile;
static bool tile_biased;

void nm_dot_simd_limit(int level)
{
    simd_level = level;
    tile = NULL;
}

static void tile_choose(void)
{
    tile_biased = false;
    tile = tile_portable;
#ifdef HAVE_X86
    if (simd_level >= 2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni")) {
        tile = tile_vnni;
        tile_biased = true;
    } else if (simd_level >= 1 && __builtin_cpu_supports("avx2")) {
        tile = tile_avx2;
    }
#endif
}

bool nm_dot8_simd(void)
{
    if (!tile)
        tile_choose();
    return tile != tile_portable;
}

void nm_dot8_gram(const int8_t *a, uint32_t na, const int8_t *b, const int64_t *b_sums,
                  uint32_t nb, uint32_t len, bool upper, int64_t *out)
{
    if (!tile)
        tile_choose(); /* the same choice from any thread: a benign race */
    memset(out, 0, (size_t)na * nb * sizeof *out);
    /* The VNNI tile wants a's rows unsigned (a + 128): flipped once here
     * rather than at every load of every tile. */
    int8_t *flipped = NULL;
    tile_fn *kernel = tile;
    if (tile_biased) {
        flipped = malloc((size_t)na * len);
        if (flipped) {
            for (size_t k = 0; k < (size_t)na * len; k += NM_DOT16_ALIGN)
                for (int j = 0; j < NM_DOT16_ALIGN; j++) /* a fixed count: vectorised */
                    flipped[k + j] = (int8_t)(a[k + j] ^ 0x80);
        } else {
            kernel = tile_portable; /* the same results, only slower */
        }
    }
    const int8_t *rows = flipped ? flipped : a;
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
                    kernel(rows + (size_t)i * len + k0, b + (size_t)j * len + k0, len, kl, t);
                    for (int r = 0; r < 4; r++)
                        for (int s = 0; s < 4; s++)
                            out[(size_t)(i + r) * nb + j + s] += t[r * 4 + s];
                }
            }
        }
    }
    /* Take the 128 sum b_j the tiles added off; the rows and columns past
     * the last whole tile, pair by pair. */
    for (uint32_t i = 0; flipped && i < na4; i++)
        for (uint32_t j = 0; j < nb4; j++)
            out[(size_t)i * nb + j] -= 128 * b_sums[j];
    for (uint32_t i = 0; i < na; i++)
        for (uint32_t j = i < na4 ? nb4 : 0; j < nb; j++)
            if (!upper || j > i)
                out[(size_t)i * nb + j] = nm_dot8(a + (size_t)i * len, b + (size_t)j * len, len);
    free(flipped);
}
