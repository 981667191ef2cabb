/* dashboard.h - the dashboard front end of the console (nm_console_tui in
 * console_main.h): the screen manager and the UI loop. One thread owns the
 * terminal (term.h), readline (repl.h) and every widget; it sleeps in
 * poll() on three descriptors (keys, the message queue, signals), applies
 * what arrives to the cache, marks what changed dirty and draws once per
 * loop turn, at most DASHBOARD_FPS frames a second for data (typing is
 * drawn at once).
 *
 * Layout, top to bottom: the tab bar (F1..F6 / Alt-1..6), the current
 * screen, the output pane of the command line, the status bar (link,
 * signer, height, running command), the input line. Below 80x24 the
 * screen says so instead, and the command line still works. */
#ifndef NM_DASHBOARD_H
#define NM_DASHBOARD_H

#define DASHBOARD_FPS 10
#define DASHBOARD_MIN_ROWS 24
#define DASHBOARD_MIN_COLS 80

#endif
