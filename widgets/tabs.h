/* tabs.h - a one-row bar of named tabs, one active. Each tab may carry a
 * short key hint drawn before its label ("F1"); when the row is too narrow
 * the hints go first, then labels are shortened evenly. A disabled tab is
 * drawn dim but can still be selected (the owner decides what that means).
 *
 * Keys: KEY_F(1) .. KEY_F(n) select tab 1 .. n (WIDGET_CHANGED when the
 * active tab changed). */
#ifndef NM_WIDGET_TABS_H
#define NM_WIDGET_TABS_H

#include "widgets/widget.h"

#include <stdbool.h>

#define TABS_MAX 16

struct tabs;

/* labels and hints (hints may be NULL) are copied; n is 1..TABS_MAX. */
struct tabs *Tabs_new(const char *const *labels, const char *const *hints, int n);
struct widget *Tabs_widget(struct tabs *t);

int Tabs_count(const struct tabs *t);
int Tabs_active(const struct tabs *t);
/* Out-of-range i is ignored. */
void Tabs_setActive(struct tabs *t, int i);
void Tabs_setEnabled(struct tabs *t, int i, bool enabled);
/* Text drawn at the right end of the bar (e.g. a title); copied. */
void Tabs_setRightText(struct tabs *t, const char *text);

#endif
