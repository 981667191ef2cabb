/* dot16.h - exact dot products of many int16 vectors at once (a block of
 * a Gram matrix), for the collusion analysis (CONS-004). Entries lie within
 * +-NM_DOT16_MAX (12 bits), so every partial sum is an exact integer: the
 * SIMD kernel (AVX-512 VNNI where the CPU has it) and the portable loop
 * give the same bits on every machine, whatever the order of the sums. */
#ifndef NM_DOT16_H
#define NM_DOT16_H

#include <stdbool.h>
#include <stdint.h>

#define NM_DOT16_MAX 2047
/* Vector lengths are multiples of this (callers zero-pad). */
#define NM_DOT16_ALIGN 256

/* sum_k x[k] * y[k] over len entries. */
int64_t nm_dot16(const int16_t *x, const int16_t *y, uint32_t len);

/* out[i * nb + j] = nm_dot16(a + i * len, b + j * len, len) for i < na,
 * j < nb: rows of len entries, one after the other. upper: a and b are
 * the same rows and only j > i is wanted (the rest of out is left 0 or
 * filled, whichever is cheaper). */
void nm_dot16_gram(const int16_t *a, uint32_t na, const int16_t *b, uint32_t nb, uint32_t len,
                   bool upper, int64_t *out);

#endif
