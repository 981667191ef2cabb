/* gauge.h - a one-row progress bar with a label over it ("block 7/10"):
 * the filled part in WR_GAUGE_FILL, the rest in WR_GAUGE_EMPTY, with
 * eighth-block precision in UTF-8 and '#'/'-' in ASCII. The label is
 * centred; the percentage is appended unless turned off. No keys. */
#ifndef NM_WIDGET_GAUGE_H
#define NM_WIDGET_GAUGE_H

#include "widgets/widget.h"

#include <stdbool.h>

struct gauge;

struct gauge *Gauge_new(void);
struct widget *Gauge_widget(struct gauge *g);

/* fraction is clamped to 0..1; label may be NULL (copied). */
void Gauge_set(struct gauge *g, double fraction, const char *label);
double Gauge_fraction(const struct gauge *g);
/* Whether " 70%" follows the label (default true). */
void Gauge_showPercent(struct gauge *g, bool show);

#endif
