/* numfmt.c - how the console shows numbers (see numfmt.h). Integer
 * arithmetic for amounts and shares, so what is shown is what the chain
 * holds, only shortened where it says so. */
#include "client/numfmt.h"

#include "node/amount.h"
#include "widgets/widget.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *nm_fmt_count(uint64_t n, char *buf, size_t cap)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%" PRIu64, n);
    char out[48];
    size_t o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, cap, "%s", out);
    return buf;
}

/* "whole.frac" of a value in units of 10^-decimals with trailing zeros of
 * the fraction dropped; the whole part grouped when group. */
static void decimal(uint64_t whole, uint64_t frac, int decimals, bool group, char *buf,
                    size_t cap)
{
    char w[48], f[24];
    if (group)
        nm_fmt_count(whole, w, sizeof w);
    else
        snprintf(w, sizeof w, "%" PRIu64, whole);
    if (frac == 0 || decimals == 0) {
        snprintf(buf, cap, "%s", w);
        return;
    }
    snprintf(f, sizeof f, "%0*" PRIu64, decimals & 15, frac); /* at most 9 here */
    size_t n = strlen(f);
    while (n > 0 && f[n - 1] == '0')
        f[--n] = '\0';
    snprintf(buf, cap, "%s.%s", w, f);
}

char *nm_fmt_nmt(uint64_t units, char *buf, size_t cap)
{
    decimal(units / NM_UNITS_PER_NMT, units % NM_UNITS_PER_NMT, NM_AMOUNT_DECIMALS, true, buf,
            cap);
    return buf;
}

char *nm_fmt_amount(uint64_t units, char *buf, size_t cap)
{
    char n[NM_FMT_AMOUNT_CAP];
    snprintf(buf, cap, "%s NMT", nm_fmt_nmt(units, n, sizeof n));
    return buf;
}

/* An amount the RPC gave as a decimal string of base units, through fmt;
 * "?" when it is not one. */
static char *from_units_text(const char *units_text, char *(*fmt)(uint64_t, char *, size_t),
                             char *buf, size_t cap)
{
    uint64_t units;
    if (!units_text || nm_units_parse(units_text, &units) != 0) {
        snprintf(buf, cap, "?");
        return buf;
    }
    return fmt(units, buf, cap);
}

char *nm_fmt_amount_text(const char *units_text, char *buf, size_t cap)
{
    return from_units_text(units_text, nm_fmt_amount, buf, cap);
}

char *nm_fmt_nmt_compact(uint64_t units, char *buf, size_t cap)
{
    static const struct {
        uint64_t scale; /* in whole NMT */
        char suffix;
    } big[] = {{1000000000000ULL, 'T'}, {1000000000ULL, 'G'}, {1000000ULL, 'M'}, {1000ULL, 'k'}};
    uint64_t whole = units / NM_UNITS_PER_NMT;
    if (whole >= 10000) {
        for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
            if (whole < big[i].scale)
                continue;
            uint64_t q = whole / big[i].scale, r = whole % big[i].scale;
            if (q >= 100)
                snprintf(buf, cap, "%" PRIu64 "%c", q, big[i].suffix);
            else if (q >= 10)
                snprintf(buf, cap, "%" PRIu64 ".%" PRIu64 "%c", q, r * 10 / big[i].scale,
                         big[i].suffix);
            else
                snprintf(buf, cap, "%" PRIu64 ".%02" PRIu64 "%c", q, r * 100 / big[i].scale,
                         big[i].suffix);
            return buf;
        }
    }
    if (whole >= 1000)
        return nm_fmt_count(whole, buf, cap);
    uint64_t rest = units % NM_UNITS_PER_NMT;
    /* Below 1000 NMT: up to 4 significant digits after the point in 7
     * columns, at least the first non-zero one for tiny amounts. */
    int decimals = whole >= 100 ? 1 : whole >= 10 ? 2 : 4;
    uint64_t div = 1;
    for (int i = decimals; i < NM_AMOUNT_DECIMALS; i++)
        div *= 10;
    uint64_t shown = rest / div;
    if (whole == 0 && shown == 0 && rest > 0) {
        snprintf(buf, cap, "<0.0001");
        return buf;
    }
    decimal(whole, shown, decimals, false, buf, cap);
    return buf;
}

char *nm_fmt_nmt_fit(uint64_t units, int width, char *buf, size_t cap)
{
    char exact[NM_FMT_AMOUNT_CAP];
    nm_fmt_nmt(units, exact, sizeof exact);
    if (width > 0 && strlen(exact) <= (size_t)width) {
        snprintf(buf, cap, "%s", exact);
        return buf;
    }
    return nm_fmt_nmt_compact(units, buf, cap);
}

char *nm_fmt_units_text_compact(const char *units_text, char *buf, size_t cap)
{
    return from_units_text(units_text, nm_fmt_nmt_compact, buf, cap);
}

#define PPB 1000000000ULL
#define SHOWN 10000ULL /* 4 decimals */

/* A share that is not zero but rounds to 0 at 4 decimals: a miner with a
 * tiny weight must not read as a miner without one (as nm_fmt_nmt's
 * "<0.0001" for amounts). */
static char *tiny_share(bool negative, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", negative ? ">-0.0001" : "<0.0001");
    return buf;
}

char *nm_fmt_fraction_ppb(int64_t ppb, char *buf, size_t cap)
{
    uint64_t mag = ppb < 0 ? 0 - (uint64_t)ppb : (uint64_t)ppb;
    uint64_t step = PPB / SHOWN, q = (mag + step / 2) / step; /* to nearest */
    if (mag && !q)
        return tiny_share(ppb < 0, buf, cap);
    char text[48];
    decimal(q / SHOWN, q % SHOWN, 4, false, text, sizeof text);
    snprintf(buf, cap, "%s%s%s", mag % step ? "~" : "", ppb < 0 && q ? "-" : "", text);
    return buf;
}

int nm_fmt_fraction_parse(const char *text, int64_t *out)
{
    /* "[-]W.DDDDDDDDD": exactly as the node writes ppb values */
    bool neg = text && text[0] == '-';
    const char *p = text ? text + neg : NULL, *dot = p ? strchr(p, '.') : NULL;
    if (!dot || dot == p || strspn(p, "0123456789") != (size_t)(dot - p) ||
        strlen(dot + 1) != 9 || strspn(dot + 1, "0123456789") != 9 || dot - p > 9)
        return -1;
    int64_t ppb = (int64_t)(strtoull(p, NULL, 10) * PPB + strtoull(dot + 1, NULL, 10));
    *out = neg ? -ppb : ppb;
    return 0;
}

uint64_t nm_fmt_share_parse(const char *text)
{
    int64_t ppb;
    return nm_fmt_fraction_parse(text, &ppb) == 0 && ppb > 0 ? (uint64_t)ppb : 0;
}

char *nm_fmt_fraction_text(const char *text, char *buf, size_t cap)
{
    int64_t ppb;
    if (nm_fmt_fraction_parse(text, &ppb) != 0) {
        snprintf(buf, cap, "-");
        return buf;
    }
    return nm_fmt_fraction_ppb(ppb, buf, cap);
}

char *nm_fmt_fraction(double v, char *buf, size_t cap)
{
    if (!(v - v == 0) || v > 9e9 || v < -9e9) { /* NaN, infinite, not a share */
        snprintf(buf, cap, "-");
        return buf;
    }
    double scaled = v * (double)PPB;
    return nm_fmt_fraction_ppb((int64_t)(scaled < 0 ? scaled - 0.5 : scaled + 0.5), buf, cap);
}

char *nm_fmt_ratio(uint64_t part, uint64_t whole, char *buf, size_t cap)
{
    if (whole == 0)
        return nm_fmt_fraction_ppb(0, buf, cap);
    unsigned __int128 ppb = (unsigned __int128)part * PPB;
    uint64_t q = (uint64_t)(ppb / whole);
    if (part && q < (PPB / SHOWN + 1) / 2) /* below what 4 decimals show */
        return tiny_share(false, buf, cap);
    /* a remainder below a billionth still makes the value rounded */
    char text[48];
    nm_fmt_fraction_ppb((int64_t)q, text, sizeof text);
    if (ppb % whole && text[0] != '~')
        snprintf(buf, cap, "~%s", text);
    else
        snprintf(buf, cap, "%s", text);
    return buf;
}

char *nm_fmt_weight_share(uint64_t part, uint64_t whole, char *buf, size_t cap)
{
    if (whole == 0 || part > whole)
        return nm_fmt_ratio(part, whole, buf, cap);
    unsigned __int128 scaled = (unsigned __int128)part * SHOWN;
    uint64_t q = (uint64_t)((scaled + whole / 2) / whole); /* in 1/10000, to nearest */
    unsigned __int128 at = (unsigned __int128)q * whole;
    unsigned __int128 diff = scaled > at ? scaled - at : at - scaled;
    bool within = diff * 65535 <= (unsigned __int128)whole * SHOWN;
    if (part && !q)
        return tiny_share(false, buf, cap);
    char text[48];
    decimal(q / SHOWN, q % SHOWN, 4, false, text, sizeof text);
    snprintf(buf, cap, "%s%s", within ? "" : "~", text);
    return buf;
}

char *nm_fmt_percent(uint64_t value, uint64_t scale, char *buf, size_t cap)
{
    uint64_t unit = scale >= 100 ? scale / 100 : 1;
    int digits = 0;
    for (uint64_t u = unit; u > 1; u /= 10)
        digits++;
    char text[48];
    decimal(value / unit, value % unit, digits, false, text, sizeof text);
    snprintf(buf, cap, "%s%%", text);
    return buf;
}

char *nm_fmt_address(const char *address, int width, bool utf8, char *buf, size_t cap)
{
    return widget_ellipsize_middle(address, width, utf8, buf, cap);
}
