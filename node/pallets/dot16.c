/* dot16.c - exact dot products (see dot16.h). The Gram product runs in
 * 4 x 4 tiles of rows over slices of KC entries, with the b rows of a
 * panel kept in cache while every a row passes over them; with AMX, in
 * 32 x 32 blocks of four 16 x 16 tile products (gram_amx). */
#include "node/pallets/dot16.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#define HAVE_X86 1
#endif

/* Entries per slice: 4 rows of 4 KB stay in L1. */
#define KC 4096
/* Rows of b per panel: 64 rows x 4 KB = 256 KB, within L2. */
#define PANEL 64

/* Whole 2 MB pages, mapped on their own so they go back to the system
 * when freed (malloc would keep them in its heap after the first free). */
#define HUGE_PAGE ((size_t)2 << 20)

void *nm_dot_big_alloc(size_t bytes)
{
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
    if (bytes >= HUGE_PAGE) {
        size_t size = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        uint8_t *raw = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            return NULL;
        size_t head = (HUGE_PAGE - (uintptr_t)raw % HUGE_PAGE) % HUGE_PAGE;
        if (head)
            munmap(raw, head); /* trims: the aligned run stays */
        munmap(raw + head + size, HUGE_PAGE - head);
        madvise(raw + head, size, MADV_HUGEPAGE); /* advice only: no error to handle */
        return raw + head;
    }
#endif
    return malloc(bytes ? bytes : 1);
}

void nm_dot_big_free(void *p, size_t bytes)
{
#if defined(MADV_HUGEPAGE) && defined(MAP_ANONYMOUS)
    if (bytes >= HUGE_PAGE) {
        if (p)
            munmap(p, (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE);
        return;
    }
#endif
    free(p);
}

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

#ifdef HAVE_X86
/* --- AMX: 16 x 16 blocks of int32 sums of 16 x 64 int8 rows each --- */

#define AMX __attribute__((target("amx-tile,amx-int8")))
/* Entries per slice and a rows per panel: a panel (96 rows of 10 KB at
 * 10,000 miners) stays in L2 while b's 32-row blocks stream past it. A
 * slice is the whole row (len is at most 2^16): int32 sums of at most
 * 2^16 products of at most 2^14 (-128 x -128) are exact, and each sum is
 * written once. */
#define AMX_KC (1u << 16)
#define AMX_PANEL 96

/* Whether the CPU has AMX-INT8 and Linux grants this process the tile
 * state (it does so only on request: arch_prctl ARCH_REQ_XCOMP_PERM). */
static bool amx_enable(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 24)) ||
        !(edx & (1u << 25)))
        return false;
    return syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */) == 0;
}

/* Rows in tiles of 16 x 64 entries, a block of 16 rows (zeros past n)
 * chunk by chunk: a 1 KB tile load reads one run of memory. As AMX's A
 * operand (transpose false) each tile row is 64 entries of one row; as
 * its B operand (transpose true), entries 4k..4k+3 of the block's row r
 * are group (k, r) of the tile's 16 x 16 groups of 4. */
static void amx_pack(const int8_t *rows, uint32_t n, uint32_t len, uint32_t blocks, bool transpose,
                     int8_t *out)
{
    size_t chunks = len / 64;
    memset(out, 0, (size_t)blocks * len * 16);
    for (uint32_t j = 0; j < n; j++) {
        const int8_t *row = rows + (size_t)j * len;
        int8_t *tiles = out + (size_t)(j / 16) * chunks * 1024;
        for (size_t c = 0; c < chunks; c++) {
            if (!transpose) {
                memcpy(tiles + c * 1024 + (j % 16) * 64, row + c * 64, 64);
                continue;
            }
            for (int k = 0; k < 16; k++)
                memcpy(tiles + c * 1024 + k * 64 + (j % 16) * 4, row + c * 64 + 4 * k, 4);
        }
    }
}

struct amx_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

/* Adds the four 16 x 16 blocks in sums (rows i.., columns j..) to out,
 * inside na x nb (and j > i when upper). */
static void amx_add(const int32_t sums[4][256], uint32_t i, uint32_t j, uint32_t na, uint32_t nb,
                    bool upper, int64_t *out)
{
    for (int t = 0; t < 4; t++) {
        uint32_t i0 = i + 16 * (uint32_t)(t / 2), j0 = j + 16 * (uint32_t)(t % 2);
        const int32_t *block = sums[t];
        if (i0 + 16 <= na && j0 + 16 <= nb && !(upper && j0 < i0 + 16)) { /* a whole block */
            for (uint32_t r = 0; r < 16; r++)
                for (int c = 0; c < 16; c++) /* a fixed count: vectorised */
                    out[(size_t)(i0 + r) * nb + j0 + c] += block[r * 16 + c];
            continue;
        }
        for (uint32_t r = 0; r < 16 && i0 + r < na; r++)
            for (uint32_t c = upper && i0 + r + 1 > j0 ? i0 + r + 1 - j0 : 0;
                 c < 16 && j0 + c < nb; c++)
                out[(size_t)(i0 + r) * nb + j0 + c] += block[r * 16 + c];
    }
}

/* The Gram product with tiles, both sides packed by amx_pack (whole pairs
 * of 16-row blocks). */
AMX static void gram_amx(const int8_t *a, uint32_t na, const int8_t *b, uint32_t nb, uint32_t len,
                         bool upper, int64_t *out)
{
    struct amx_config cfg = {.palette = 1};
    for (int t = 0; t < 8; t++) {
        cfg.colsb[t] = 64;
        cfg.rows[t] = 16;
    }
    _tile_loadconfig(&cfg);
    size_t chunks = len / 64, block = chunks * 1024;
    int32_t sums[4][256];
    for (uint32_t k0 = 0; k0 < len; k0 += AMX_KC) {
        size_t c0 = k0 / 64, c1 = (k0 + AMX_KC < len ? k0 + AMX_KC : len) / 64;
        for (uint32_t p = 0; p < na; p += AMX_PANEL) {
            uint32_t p1 = p + AMX_PANEL < na ? p + AMX_PANEL : na;
            for (uint32_t j = 0; j < nb; j += 32) {
                const int8_t *b0 = b + (size_t)(j / 16) * block, *b1 = b0 + block;
                for (uint32_t i = p; i < p1; i += 32) {
                    if (upper && j + 31 <= i)
                        continue; /* every column at or left of every row */
                    const int8_t *a0 = a + (size_t)(i / 16) * block, *a1 = a0 + block;
                    _tile_zero(0);
                    _tile_zero(1);
                    _tile_zero(2);
                    _tile_zero(3);
                    for (size_t c = c0; c < c1; c++) {
                        _tile_loadd(4, a0 + c * 1024, 64);
                        _tile_loadd(5, a1 + c * 1024, 64);
                        _tile_loadd(6, b0 + c * 1024, 64);
                        _tile_loadd(7, b1 + c * 1024, 64);
                        _tile_dpbssd(0, 4, 6);
                        _tile_dpbssd(1, 4, 7);
                        _tile_dpbssd(2, 5, 6);
                        _tile_dpbssd(3, 5, 7);
                    }
                    _tile_stored(0, sums[0], 64);
                    _tile_stored(1, sums[1], 64);
                    _tile_stored(2, sums[2], 64);
                    _tile_stored(3, sums[3], 64);
                    amx_add(sums, i, j, na, nb, upper, out);
                }
            }
        }
    }
    _tile_release();
}

/* Makes *buf hold at least bytes (its size in *have); false when memory
 * ran out. */
static bool scratch_reserve(int8_t **buf, size_t *have, size_t bytes)
{
    if (*buf && *have >= bytes)
        return true;
    nm_dot_big_free(*buf, *have);
    *buf = nm_dot_big_alloc(bytes);
    *have = *buf ? bytes : 0;
    return *buf != NULL;
}

/* 0 when done, -1 when memory ran out (then the caller's tiles do it). */
static int gram_amx_run(const int8_t *a, uint32_t na, const int8_t *b, uint32_t nb, uint32_t len,
                        bool upper, int64_t *out, struct nm_dot8_scratch *sc)
{
    size_t a_blocks = (na + 31) / 32 * 2, b_blocks = (nb + 31) / 32 * 2; /* whole pairs */
    bool same_a = sc->a_rows == a && sc->a_count == na && sc->a_len == len;
    if (!same_a) {
        sc->a_rows = NULL;
        if (!scratch_reserve(&sc->a, &sc->a_bytes, a_blocks * len * 16))
            return -1;
        amx_pack(a, na, len, (uint32_t)a_blocks, false, sc->a);
        sc->a_rows = a;
        sc->a_count = na;
        sc->a_len = len;
    }
    if (!scratch_reserve(&sc->b, &sc->b_bytes, b_blocks * len * 16))
        return -1;
    amx_pack(b, nb, len, (uint32_t)b_blocks, true, sc->b);
    gram_amx(sc->a, na, sc->b, nb, len, upper, out);
    return 0;
}
#endif

static int simd_level = 3;
static tile_fn *tile;
static bool tile_biased, use_amx;

void nm_dot_simd_limit(int level)
{
    simd_level = level;
    tile = NULL;
}

static void tile_choose(void)
{
    tile_biased = false;
    use_amx = false;
    tile = tile_portable;
#ifdef HAVE_X86
    if (simd_level >= 2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni")) {
        tile = tile_vnni;
        tile_biased = true;
    } else if (simd_level >= 1 && __builtin_cpu_supports("avx2")) {
        tile = tile_avx2;
    }
    static int amx = -1; /* asked once per process */
    if (simd_level >= 3 && amx < 0)
        amx = amx_enable();
    use_amx = simd_level >= 3 && amx == 1;
#endif
}

bool nm_dot8_simd(void)
{
    if (!tile)
        tile_choose();
    return tile != tile_portable || use_amx;
}

const char *nm_dot8_kernel(void)
{
    if (!tile)
        tile_choose();
    return use_amx                 ? "AMX-INT8"
           : tile == tile_portable ? "portable"
           : tile_biased           ? "AVX-512 VNNI"
                                   : "AVX2";
}

void nm_dot8_scratch_fini(struct nm_dot8_scratch *sc)
{
    nm_dot_big_free(sc->a, sc->a_bytes);
    nm_dot_big_free(sc->b, sc->b_bytes);
    *sc = (struct nm_dot8_scratch){0};
}

void nm_dot8_gram(const int8_t *a, uint32_t na, const int8_t *b, const int64_t *b_sums,
                  uint32_t nb, uint32_t len, bool upper, int64_t *out,
                  struct nm_dot8_scratch *scratch)
{
    if (!tile)
        tile_choose(); /* the same choice from any thread: a benign race */
    memset(out, 0, (size_t)na * nb * sizeof *out);
#ifdef HAVE_X86
    if (use_amx && na && nb) {
        struct nm_dot8_scratch own = {0}, *sc = scratch ? scratch : &own;
        int done = gram_amx_run(a, na, b, nb, len, upper, out, sc);
        nm_dot8_scratch_fini(&own);
        if (done == 0)
            return;
    }
#endif
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
