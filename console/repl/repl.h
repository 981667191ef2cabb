/* repl.h - the console's command line, built on readline's callback
 * interface so it never blocks the loop that also draws the dashboard and
 * streams `watch` lines:
 *
 *  - dashboard (tui): input comes from curses, byte by byte (nm_repl_feed;
 *    special keys through nm_repl_key); readline reads it through
 *    rl_getc_function / rl_input_available_hook, never touches the
 *    terminal, and hands each redisplay (prompt, text, cursor) to the
 *    on_redisplay hook, which draws the bottom line;
 *  - plain (--no-tui): readline drives the terminal itself; the loop calls
 *    nm_repl_read_stdin when standard input is readable, and lines that
 *    arrive meanwhile are printed above the prompt (nm_repl_print_above).
 *
 * History lives in a file (one line per entry, at most NM_REPL_HISTORY_MAX
 * kept). Tab completion comes from repl_complete.h with the lists the
 * fill_src hook provides; several matches are listed through on_matches.
 * readline is global state: one REPL per process. */
#ifndef NM_REPL_H
#define NM_REPL_H

#include "console/repl/repl_complete.h"

#include <stdbool.h>
#include <stddef.h>

#define NM_REPL_HISTORY_MAX 1000

struct nm_repl_hooks {
    /* A line was entered (malloc'd, the hook frees it), or NULL at end of
     * input (Ctrl-D on an empty line). */
    void (*on_line)(void *ud, char *line);
    /* tui only: the input line changed. point is a byte offset in text. */
    void (*on_redisplay)(void *ud, const char *prompt, const char *text, size_t point);
    /* Several completions to show (not owned). */
    void (*on_matches)(void *ud, char *const *matches, int n);
    /* Fills the lists completion draws from (valid until the next call). */
    void (*fill_src)(void *ud, struct nm_complete_src *src);
    void *ud;
};

/* Sets up readline; history_path may be NULL (no history file). */
int nm_repl_open(bool tui, const char *prompt, const char *history_path,
                 const struct nm_repl_hooks *hooks);
/* Saves the history file and leaves readline as it was. */
void nm_repl_close(void);

/* tui: one input byte. */
void nm_repl_feed(int byte);
/* tui: a curses key code (KEY_LEFT, KEY_UP, KEY_BACKSPACE ...); returns
 * false when it means nothing to the line. */
bool nm_repl_key(int key);
/* plain: standard input is readable. */
void nm_repl_read_stdin(void);

/* Ctrl-C: forget the line being typed and start a fresh one. */
void nm_repl_cancel_line(void);
void nm_repl_set_prompt(const char *prompt);
/* Draws the line again (tui: calls on_redisplay). */
void nm_repl_redisplay(void);
/* plain: prints text (ending with a newline or not) above the prompt and
 * the line being typed. */
void nm_repl_print_above(const char *text, bool to_stderr);
/* plain: hand the terminal back (before a password prompt) and take it
 * again after. */
void nm_repl_suspend(void);
void nm_repl_resume(void);

/* Adds a line to the history (and its file), unless empty or the same as
 * the previous one. */
void nm_repl_history_add(const char *line);
/* The current text being typed (for tests and redraws). */
const char *nm_repl_text(void);

#endif
