/* sparkline.h - a small bar chart of the most recent values of a series
 * (block times, latencies): one column per value, newest on the right,
 * bar height in eighths of a row with UTF-8 block glyphs, or the ASCII
 * ramp "_.-=+*#" when the look has no UTF-8. Several rows stack. Values
 * are display numbers (double): nothing here feeds chain state.
 *
 * The scale runs from 0 (or the fixed minimum) to the largest value shown,
 * or to a fixed maximum. No keys. */
#ifndef NM_WIDGET_SPARKLINE_H
#define NM_WIDGET_SPARKLINE_H

#include "widgets/widget.h"

#include <stddef.h>

struct sparkline;

/* Keeps the last capacity values (>= 1). NULL when out of memory. */
struct sparkline *Sparkline_new(size_t capacity);
struct widget *Sparkline_widget(struct sparkline *s);

void Sparkline_push(struct sparkline *s, double value);
void Sparkline_clear(struct sparkline *s);
/* Fixed scale; max <= min gives back the automatic one (0 .. largest). */
void Sparkline_setRange(struct sparkline *s, double min, double max);
/* Values held (at most capacity). */
size_t Sparkline_count(const struct sparkline *s);
/* The i-th oldest value held (i < count). */
double Sparkline_value(const struct sparkline *s, size_t i);
/* Largest value among the last n held (0 when none). */
double Sparkline_max(const struct sparkline *s, size_t n);
/* The role the bars are drawn in (default WR_SPARK). */
void Sparkline_setRole(struct sparkline *s, enum widget_role role);

#endif
