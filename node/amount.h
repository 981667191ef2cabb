/* amount.h - NMT amounts: u64 base units (1 NMT = 10^9), parsing, printing
 * and the checked arithmetic every pallet uses (overflow is a bug class). */
#ifndef NM_AMOUNT_H
#define NM_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_UNITS_PER_NMT 1000000000ULL
#define NM_AMOUNT_DECIMALS 9
/* Longest printed amount: 20 digits, a point, NUL. */
#define NM_AMOUNT_STRLEN 24

/* Parses "12", "12.5", "0.000000001" (NMT, up to 9 decimals) into base units.
 * Rejects signs, spaces, exponents, empty parts, more than 9 decimals
 * (NM_E_DECIMALS) and values above UINT64_MAX (NM_E_OVERFLOW). */
int nm_amount_parse(const char *text, uint64_t *units_out);
/* Writes units as "1.500000000" (always 9 decimals). Returns buf. */
char *nm_amount_format(uint64_t units, char buf[NM_AMOUNT_STRLEN]);
/* Decimal string of base units, as RPC sends amounts. Returns buf. */
char *nm_units_format(uint64_t units, char buf[NM_AMOUNT_STRLEN]);
/* Parses a decimal string of base units ("1500000000"). */
int nm_units_parse(const char *text, uint64_t *units_out);

static inline bool nm_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

static inline bool nm_sub_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_sub_overflow(a, b, out);
}

static inline bool nm_mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

#endif
