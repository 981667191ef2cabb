/* numfmt.h - the one place that decides how the console shows amounts,
 * shares, percentages and long identifiers: `neuromesh exec`, the REPL, the
 * dashboard, watch lines and log lines all print through it, so one amount
 * reads the same everywhere ("1,000,000.5 NMT"). Pure integer arithmetic
 * for what the chain holds (no rounding of amounts); a value that had to be
 * rounded to be shown starts with "~". Every function writes a
 * NUL-terminated string of at most cap bytes and returns buf. */
#ifndef NM_NUMFMT_H
#define NM_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any amount with its unit: "18,446,744,073.709551615 NMT". */
#define NM_FMT_AMOUNT_CAP 48

/* A count with thousands grouped: 1234567 -> "1,234,567". */
char *nm_fmt_count(uint64_t n, char *buf, size_t cap);
/* An amount in NMT, exact, trailing zeros dropped, thousands grouped:
 * 1500000000 -> "1.5", 1000000000000000 -> "1,000,000", 1 -> "0.000000001". */
char *nm_fmt_nmt(uint64_t units, char *buf, size_t cap);
/* The same with its unit: "1,000,000 NMT", "0.0001 NMT". */
char *nm_fmt_amount(uint64_t units, char *buf, size_t cap);
/* An amount given as the RPC gives it (decimal string of base units) as
 * nm_fmt_amount does; "?" when it is not a number. */
char *nm_fmt_amount_text(const char *units_text, char *buf, size_t cap);
/* An amount in at most 7 columns for narrow table columns: "0", "0.0001",
 * "12.35", "1,234", "12.3k", "4.56M", "7.89G", "1.23T"; rounded down, so a
 * column never shows more than there is. */
char *nm_fmt_nmt_compact(uint64_t units, char *buf, size_t cap);
/* For a table column width wide: the exact nm_fmt_nmt when it fits (so
 * the dashboard shows what the CLI shows), else nm_fmt_nmt_compact. */
char *nm_fmt_nmt_fit(uint64_t units, int width, char *buf, size_t cap);
/* nm_fmt_nmt_compact of a decimal string of base units; "?" when it is
 * not a number. */
char *nm_fmt_units_text_compact(const char *units_text, char *buf, size_t cap);

/* A share (weight, incentive, reputation, similarity) in billionths, as
 * a plain fraction with at most 4 decimals: 500000000 -> "0.5",
 * 1000000000 -> "1", 333333333 -> "~0.3333" (rounded, and it says so),
 * -250000000 -> "-0.25". */
char *nm_fmt_fraction_ppb(int64_t ppb, char *buf, size_t cap);
/* Reads the node's fraction text ("[-]W.DDDDDDDDD", exactly 9 decimals)
 * into billionths: 0, or -1 for anything else. */
int nm_fmt_fraction_parse(const char *text, int64_t *ppb);
/* The same for a share that is never negative (a weight read from chain
 * state, as the validator and the aggregator do): 0 for anything else. */
uint64_t nm_fmt_share_parse(const char *text);
/* The same of the node's fraction text ("0.500000000"); "-" for anything
 * else (null, a missing field). */
char *nm_fmt_fraction_text(const char *text, char *buf, size_t cap);
/* The same of a double the dashboard's cache holds (read from that text). */
char *nm_fmt_fraction(double v, char *buf, size_t cap);
/* part / whole as a fraction: 5 of 10 -> "0.5"; "0" when whole is 0. */
char *nm_fmt_ratio(uint64_t part, uint64_t whole, char *buf, size_t cap);
/* A u16 weight's share of its submission's total: as nm_fmt_ratio, but a
 * value within the u16 quantisation (1/65535) of its 4-decimal text is not
 * marked rounded: a weight of 5 out of 10 stored as 32767 of 65534 shows
 * "0.5", one of 3 "~0.3333". */
char *nm_fmt_weight_share(uint64_t part, uint64_t whole, char *buf, size_t cap);
/* A share in parts per scale (100, 10^6 ppm, 10^9 ppb) as an exact
 * percentage, trailing zeros dropped: 410000000 ppb -> "41%",
 * 123400 ppm -> "12.34%", 1 ppb -> "0.0000001%". */
char *nm_fmt_percent(uint64_t value, uint64_t scale, char *buf, size_t cap);

/* A long identifier (SS58 address, hash) cut in the middle to width
 * columns: "5GrwvaEF…oHGKutQY" (ASCII ".." without utf8); unchanged when
 * it fits. Never cut at the end. */
char *nm_fmt_address(const char *address, int width, bool utf8, char *buf, size_t cap);

#endif
