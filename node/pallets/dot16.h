/* dot16.h - exact dot products for the collusion analysis (CONS-004):
 * one pair of 12-bit int16 vectors, and many pairs at once (a block of a
 * Gram matrix) of their int8 high parts, with SIMD where the CPU has it
 * (AMX-INT8 tiles, else AVX-512 VNNI, else AVX2). Every partial sum is an
 * exact integer, so the SIMD kernels and the portable loop give the same
 * bits on every machine, whatever the order of the sums. */
#ifndef NM_DOT16_H
#define NM_DOT16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_DOT16_MAX 2047
/* Vector lengths are multiples of this (callers zero-pad). */
#define NM_DOT16_ALIGN 256

/* Work arrays of megabytes: asked for transparent huge pages where there
 * are, since 80 MB in 4 KB pages (1000 x 10000) costs 20,000 page faults,
 * about 40 ms; mapped on their own, so freeing gives them back to the
 * system. Contents undefined; freed with nm_dot_big_free and the same
 * size (NULL: nothing). */
void *nm_dot_big_alloc(size_t bytes);
void nm_dot_big_free(void *p, size_t bytes);

/* sum_k x[k] * y[k] over len entries, each within +-NM_DOT16_MAX. */
int64_t nm_dot16(const int16_t *x, const int16_t *y, uint32_t len);

/* sum_k x[k] * y[k] over len int8 entries. */
int64_t nm_dot8(const int8_t *x, const int8_t *y, uint32_t len);

/* Packed copies of the rows (the AMX kernel's tile layouts), kept between
 * Gram products: a caller making several with the same a rows (same
 * pointer, count and length, contents unchanged) packs them once. Zero it
 * before first use; nm_dot8_scratch_fini frees it. */
struct nm_dot8_scratch {
    int8_t *a, *b;
    size_t a_bytes, b_bytes;
    const int8_t *a_rows; /* the rows a holds, NULL: none */
    uint32_t a_count, a_len;
};
void nm_dot8_scratch_fini(struct nm_dot8_scratch *scratch);

/* out[i * nb + j] = nm_dot8(a + i * len, b + j * len, len) for i < na,
 * j < nb: rows of len entries (at most 2^16), one after the other;
 * b_sums[j] is the sum of b's row j.
 * upper: a and b are the same rows and only j > i is wanted (the rest of
 * out is left 0 or filled, whichever is cheaper). scratch: see above, or
 * NULL. */
void nm_dot8_gram(const int8_t *a, uint32_t na, const int8_t *b, const int64_t *b_sums,
                  uint32_t nb, uint32_t len, bool upper, int64_t *out,
                  struct nm_dot8_scratch *scratch);

/* For tests and benchmarks (the same results at every level): 0 the
 * portable loops, 1 at most AVX2, 2 at most AVX-512 VNNI, 3 the fastest
 * the CPU offers (the default: AMX-INT8 where the CPU has it and Linux
 * grants its tile state, else AVX-512 VNNI, else AVX2, else portable). */
void nm_dot_simd_limit(int level);

/* Whether nm_dot8_gram runs a SIMD kernel (else pairs are cheaper one by
 * one with nm_dot16 on the full vectors). */
bool nm_dot8_simd(void);

/* The Gram kernel in use, for benchmarks: "AMX-INT8", "AVX-512 VNNI",
 * "AVX2" or "portable". */
const char *nm_dot8_kernel(void);

#endif
