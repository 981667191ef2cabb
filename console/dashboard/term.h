/* term.h - the one owner of the terminal for the dashboard (after htop's
 * CRT.c): curses set-up and teardown, what the terminal can do (colours,
 * UTF-8), resizing, and signals. Signals never run console code: their
 * handlers only note the signal on a self-pipe the UI loop polls, except
 * fatal ones (SIGSEGV, SIGABRT, ...), which put the terminal back the way
 * it was (saved termios, leave the alternate screen, show the cursor)
 * before the default action, so a crash never leaves a broken terminal.
 *
 * All functions run on the UI thread; only one terminal is open at a time. */
#ifndef NM_TERM_H
#define NM_TERM_H

#include <stdbool.h>
#include <stddef.h>

struct nm_term_caps {
    int rows, cols;
    int colors; /* 0 (none, or colour not wanted), 8, 16, 256 ... */
    bool utf8;  /* the locale is UTF-8 and NEUROMESH_ASCII is not set */
};

/* Signals noted since the last nm_term_take_signals. */
#define NM_TERM_SIG_WINCH 0x1u /* the window changed size */
#define NM_TERM_SIG_QUIT 0x2u  /* SIGTERM, SIGHUP: leave cleanly */
#define NM_TERM_SIG_INT 0x4u   /* SIGINT from outside (kill -INT): cancel the line */

/* Installs the signal handlers (self-pipe) without touching the screen;
 * the plain and script modes use this alone. NM_E_IO. */
int nm_term_signals_install(void);
/* Readable when a signal was noted. */
int nm_term_signal_fd(void);
/* The signals noted since the last call (NM_TERM_SIG_*); drains the pipe. */
unsigned nm_term_take_signals(void);

/* Opens curses on the controlling terminal: raw keys (Ctrl-C is a key,
 * not a signal), no echo, keypad, a short ESC delay (Alt-keys), colours
 * when want_color and the terminal has them. NM_E_IO with a message when
 * standard input or output is not a terminal or curses fails. */
int nm_term_open(bool want_color, struct nm_term_caps *caps, char *err, size_t cap);
/* Ends curses and restores the terminal; safe to call twice. */
void nm_term_close(void);
bool nm_term_is_open(void);
/* After NM_TERM_SIG_WINCH: reads the new size, resizes curses, updates
 * caps->rows/cols. */
void nm_term_resize(struct nm_term_caps *caps);

#endif
