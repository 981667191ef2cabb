/* logpane.h - a pane of text lines that grows at the bottom (events, command
 * output): a ring of the last N lines, each with a colour role, long lines
 * wrapped to the pane's width. It follows the newest line until scrolled
 * back; scrolling to the bottom follows again.
 *
 * Keys: PgUp/PgDn scroll a page, KEY_SR/KEY_SF a line, Home/End to the
 * oldest/newest; WIDGET_REDRAW when the view moved. */
#ifndef NM_WIDGET_LOGPANE_H
#define NM_WIDGET_LOGPANE_H

#include "widgets/widget.h"

#include <stdbool.h>
#include <stddef.h>

struct logpane;

/* Keeps at most max_lines lines (>= 1); older ones are dropped. */
struct logpane *LogPane_new(size_t max_lines);
struct widget *LogPane_widget(struct logpane *lp);

/* Appends text (copied); each '\n' starts a new line, a final '\n' does
 * not add an empty one. Tabs become spaces. Returns 0 or -1 when out of
 * memory (nothing appended). */
int LogPane_append(struct logpane *lp, enum widget_role role, const char *text);
void LogPane_clear(struct logpane *lp);
size_t LogPane_count(const struct logpane *lp);
/* The i-th oldest line held (i < count), or NULL. */
const char *LogPane_line(const struct logpane *lp, size_t i);
/* Lines scrolled back from the newest (0 when following). */
size_t LogPane_scrollback(const struct logpane *lp);
bool LogPane_following(const struct logpane *lp);
/* Lines added below the view since it was scrolled back (0 when
 * following), so the owner can say "N new lines below". */
size_t LogPane_unseen(const struct logpane *lp);

#endif
