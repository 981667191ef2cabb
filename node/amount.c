/* amount.c - parsing and printing of NMT amounts (see amount.h). */
#include "node/amount.h"

#include "node/errors.h"

#include <stdio.h>
#include <string.h>

static int parse_digits(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return NM_E_AMOUNT;
        if (!nm_mul_u64(v, 10, &v) || !nm_add_u64(v, (uint64_t)(s[i] - '0'), &v))
            return NM_E_OVERFLOW;
    }
    *out = v;
    return 0;
}

int nm_amount_parse(const char *text, uint64_t *units_out)
{
    if (!text || !*text)
        return NM_E_AMOUNT;
    const char *dot = strchr(text, '.');
    size_t int_len = dot ? (size_t)(dot - text) : strlen(text);
    size_t frac_len = dot ? strlen(dot + 1) : 0;
    if (int_len == 0 || (dot && frac_len == 0))
        return NM_E_AMOUNT;
    uint64_t whole, frac = 0;
    int err = parse_digits(text, int_len, &whole);
    if (err)
        return err;
    if (dot) {
        /* Amounts carry exactly 9 decimals: more digits, even zeros, would
         * claim a precision that does not exist. */
        if (strspn(dot + 1, "0123456789") != frac_len)
            return NM_E_AMOUNT;
        if (frac_len > NM_AMOUNT_DECIMALS)
            return NM_E_DECIMALS;
        if ((err = parse_digits(dot + 1, frac_len, &frac)))
            return err;
        for (size_t i = frac_len; i < NM_AMOUNT_DECIMALS; i++)
            frac *= 10;
    }
    uint64_t units;
    if (!nm_mul_u64(whole, NM_UNITS_PER_NMT, &units) || !nm_add_u64(units, frac, &units))
        return NM_E_OVERFLOW;
    *units_out = units;
    return 0;
}

char *nm_amount_format(uint64_t units, char buf[NM_AMOUNT_STRLEN])
{
    snprintf(buf, NM_AMOUNT_STRLEN, "%llu.%09llu", (unsigned long long)(units / NM_UNITS_PER_NMT),
             (unsigned long long)(units % NM_UNITS_PER_NMT));
    return buf;
}

char *nm_units_format(uint64_t units, char buf[NM_AMOUNT_STRLEN])
{
    snprintf(buf, NM_AMOUNT_STRLEN, "%llu", (unsigned long long)units);
    return buf;
}

int nm_units_parse(const char *text, uint64_t *units_out)
{
    if (!text || !*text || strlen(text) > 20)
        return NM_E_AMOUNT;
    return parse_digits(text, strlen(text), units_out);
}
