/* dashboard_fmt.h - how the console shows numbers, amounts, addresses,
 * durations and chain events in narrow columns and one-line log entries
 * (numbers themselves through client/numfmt.h, like the CLI).
 * Pure functions (no curses, no I/O), shared by the dashboard screens and
 * the `watch` streams of the plain and script modes. Every function writes
 * a NUL-terminated string of at most cap bytes and returns buf. */
#ifndef NM_DASHBOARD_FMT_H
#define NM_DASHBOARD_FMT_H

#include "client/numfmt.h" /* amounts, shares, addresses */

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A duration: "850 ms", "12 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
char *nm_fmt_duration_ms(uint64_t ms, char *buf, size_t cap);
/* A latency in microseconds: "85 us" (or µs with utf8), "1.25 ms", "2.5 s". */
char *nm_fmt_latency_us(double us, bool utf8, char *buf, size_t cap);

/* One chain event (an element of events_get's "events") as a log line:
 * "#42 balances.Transfer from=5Grw…utQY to=5FHn…94ty amount=1.5 NMT".
 * Fields named amount/stake/fee/... are shown as NMT, addresses shortened. */
char *nm_fmt_event(const cJSON *event, uint64_t height, bool utf8, char *buf, size_t cap);
/* A new head (chain_newHead's result) as a line for `watch blocks`:
 * "block #42 0x1234abcd… epoch 4 author 5Grw…utQY". */
char *nm_fmt_head(const cJSON *header, bool utf8, char *buf, size_t cap);


#endif
