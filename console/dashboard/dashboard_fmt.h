/* dashboard_fmt.h - how the console shows numbers, amounts, addresses,
 * durations and chain events in narrow columns and one-line log entries.
 * Pure functions (no curses, no I/O), shared by the dashboard screens and
 * the `watch` streams of the plain and script modes. Every function writes
 * a NUL-terminated string of at most cap bytes and returns buf. */
#ifndef NM_DASHBOARD_FMT_H
#define NM_DASHBOARD_FMT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An amount in NMT, exact, trailing zeros dropped, thousands grouped:
 * 1500000000 -> "1.5", 1000000000000000 -> "1,000,000", 1 -> "0.000000001". */
char *nm_fmt_nmt(uint64_t units, char *buf, size_t cap);
/* An amount in at most 7 columns for tables: "0", "0.0001", "12.35",
 * "1,234", "12.3k", "4.56M", "7.89G", "1.23T"; rounded down, so a column never
 * shows more than there is. */
char *nm_fmt_nmt_compact(uint64_t units, char *buf, size_t cap);
/* An amount given as the RPC gives it (decimal string of base units) in
 * the compact form; "?" when it is not a number. */
char *nm_fmt_units_text_compact(const char *units_text, char *buf, size_t cap);

/* An SS58 address cut to its head and tail: "5GrwvaEF…oHGKutQY" (ASCII "..")
 * when it is longer than width columns; unchanged when it fits. width is
 * at least 5. */
char *nm_fmt_address(const char *address, int width, bool utf8, char *buf, size_t cap);

/* A duration: "850 ms", "12 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
char *nm_fmt_duration_ms(uint64_t ms, char *buf, size_t cap);
/* A latency in microseconds: "85 us" (or µs with utf8), "1.25 ms", "2.5 s". */
char *nm_fmt_latency_us(double us, bool utf8, char *buf, size_t cap);
/* A count with thousands grouped: 1234567 -> "1,234,567". */
char *nm_fmt_count(uint64_t n, char *buf, size_t cap);

/* One chain event (an element of events_get's "events") as a log line:
 * "#42 balances.Transfer from=5Grw…utQY to=5FHn…94ty amount=1.5 NMT".
 * Fields named amount/stake/fee/... are shown as NMT, addresses shortened. */
char *nm_fmt_event(const cJSON *event, uint64_t height, bool utf8, char *buf, size_t cap);
/* A new head (chain_newHead's result) as a line for `watch blocks`:
 * "block #42 0x1234abcd… epoch 4 author 5Grw…utQY". */
char *nm_fmt_head(const cJSON *header, bool utf8, char *buf, size_t cap);


#endif
