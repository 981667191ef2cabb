/* term.c - terminal ownership for the dashboard (see term.h): curses, the
 * self-pipe for signals, and the crash path that restores the terminal
 * with async-signal-safe calls only (tcsetattr, write). */
#include "console/dashboard/term.h"

#include "node/errors.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};
static bool signals_installed;
static bool curses_open;
static SCREEN *screen;
static struct termios saved_termios;
static bool have_saved_termios;
/* What the crash handler writes to put the screen back: leave keypad mode
 * and the alternate screen, reset attributes, show the cursor. */
static char restore_seq[256];
static size_t restore_len;

static void note_signal(int sig)
{
    int saved = errno;
    char c = sig == SIGWINCH ? 'w' : sig == SIGINT ? 'i' : 'q';
    if (sig_pipe[1] >= 0) {
        ssize_t n = write(sig_pipe[1], &c, 1);
        (void)n;
    }
    errno = saved;
}

static void restore_terminal_now(void)
{
    if (have_saved_termios)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    if (restore_len) {
        ssize_t n = write(STDOUT_FILENO, restore_seq, restore_len);
        (void)n;
    }
}

static void fatal_signal(int sig)
{
    if (curses_open)
        restore_terminal_now();
    signal(sig, SIG_DFL);
    raise(sig);
}

int nm_term_signals_install(void)
{
    if (signals_installed)
        return 0;
    if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return NM_E_IO;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = note_signal;
    sigaction(SIGWINCH, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signals_installed = true;
    return 0;
}

int nm_term_signal_fd(void)
{
    return sig_pipe[0];
}

unsigned nm_term_take_signals(void)
{
    unsigned got = 0;
    char buf[64];
    ssize_t n;
    while (sig_pipe[0] >= 0 && (n = read(sig_pipe[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            got |= buf[i] == 'w'   ? NM_TERM_SIG_WINCH
                   : buf[i] == 'i' ? NM_TERM_SIG_INT
                                   : NM_TERM_SIG_QUIT;
    }
    return got;
}

static void append_cap(const char *name)
{
    const char *s = tigetstr(name);
    if (!s || s == (char *)-1)
        return;
    /* Padding ("$<5>") means nothing to a modern terminal: leave it out. */
    for (; *s && restore_len + 1 < sizeof restore_seq; s++) {
        if (s[0] == '$' && s[1] == '<') {
            const char *end = strchr(s, '>');
            if (end) {
                s = end;
                continue;
            }
        }
        restore_seq[restore_len++] = *s;
    }
}

static bool locale_is_utf8(void)
{
    const char *force = getenv("NEUROMESH_ASCII");
    if (force && *force && strcmp(force, "0") != 0)
        return false;
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

int nm_term_open(bool want_color, struct nm_term_caps *caps, char *err, size_t cap)
{
    if (curses_open)
        return 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(err, cap, "the dashboard needs a terminal (use --no-tui, or pipe commands in)");
        return NM_E_IO;
    }
    int rc = nm_term_signals_install();
    if (rc) {
        snprintf(err, cap, "cannot set up signal handling: %s", strerror(errno));
        return rc;
    }
    setlocale(LC_ALL, "");
    have_saved_termios = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
    const char *term = getenv("TERM");
    if (!term || !*term)
        term = "xterm";
    screen = newterm(term, stdout, stdin);
    if (!screen) {
        snprintf(err, cap, "cannot open the terminal \"%.40s\" with curses", term);
        return NM_E_IO;
    }
    set_term(screen);
    curses_open = true;
    restore_len = 0;
    append_cap("rmkx");
    append_cap("rmcup");
    append_cap("sgr0");
    append_cap("cnorm");
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(1);
    caps->colors = 0;
    if (want_color && has_colors()) {
        start_color();
        use_default_colors();
        caps->colors = COLORS;
    }
    caps->utf8 = locale_is_utf8();
    caps->rows = LINES;
    caps->cols = COLS;
    return 0;
}

void nm_term_close(void)
{
    if (!curses_open)
        return;
    curs_set(1);
    endwin();
    curses_open = false;
    delscreen(screen);
    screen = NULL;
    if (have_saved_termios)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    fflush(stdout);
}

bool nm_term_is_open(void)
{
    return curses_open;
}

void nm_term_resize(struct nm_term_caps *caps)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resize_term(ws.ws_row, ws.ws_col);
    caps->rows = LINES;
    caps->cols = COLS;
}
