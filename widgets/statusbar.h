/* statusbar.h - a one-row bar of short segments ("connected", "alice",
 * "height 1234"): some packed from the left, some from the right, each in
 * its own role, separated by a thin bar. When the row is too narrow, right
 * segments are dropped first, then left ones are clipped. No keys. */
#ifndef NM_WIDGET_STATUSBAR_H
#define NM_WIDGET_STATUSBAR_H

#include "widgets/widget.h"

#include <stdbool.h>

#define STATUSBAR_SLOTS 8

struct statusbar;

struct statusbar *StatusBar_new(void);
struct widget *StatusBar_widget(struct statusbar *sb);

/* Sets segment slot (0 .. STATUSBAR_SLOTS-1): text copied (NULL or "":
 * the segment is hidden), right-aligned or not. Slots are drawn in order
 * on their side (the first right slot is the rightmost). Marks the bar
 * dirty only when something changed. */
void StatusBar_set(struct statusbar *sb, int slot, enum widget_role role, const char *text,
                   bool right);
const char *StatusBar_text(const struct statusbar *sb, int slot);

#endif
