/* inputline.h - a one-row line editor's *view*: a prompt, the text being
 * typed and the cursor position, scrolled sideways so the cursor stays in
 * sight. Editing itself belongs to the owner (readline, in the console):
 * after each change it hands the prompt, text and cursor here. A secret
 * line (a password) shows only the prompt. No keys. */
#ifndef NM_WIDGET_INPUTLINE_H
#define NM_WIDGET_INPUTLINE_H

#include "widgets/widget.h"

#include <stdbool.h>
#include <stddef.h>

struct inputline;

struct inputline *InputLine_new(void);
struct widget *InputLine_widget(struct inputline *il);

/* prompt and text are copied (UTF-8); cursor is a byte offset into text
 * (clamped to its length). Returns 0, or -1 when out of memory (the old
 * content stays). */
int InputLine_set(struct inputline *il, const char *prompt, const char *text, size_t cursor);
void InputLine_setSecret(struct inputline *il, bool secret);
const char *InputLine_text(const struct inputline *il);
/* The window column of the cursor after the last draw, for placing the
 * terminal's cursor (wmove + curs_set). */
int InputLine_cursorX(const struct inputline *il);

#endif
