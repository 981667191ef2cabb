/* password.c - key passwords from --password-file, $NEUROMESH_PASSWORD or a
 * no-echo terminal prompt (see password.h). */
#include "client/password.h"

#include "node/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static _Thread_local char last_error[256];

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

const char *nm_password_strerror(void)
{
    return last_error;
}

/* A bounded, printable copy of user input for messages. */
static const char *shown(const char *text, char *buf, size_t cap)
{
    size_t n = 0;
    for (; text[n] && n + 4 < cap && n < 60; n++)
        buf[n] = (text[n] < 0x20 || text[n] == 0x7f) ? '?' : text[n];
    if (text[n] && n + 4 <= cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* Reads bytes from fd up to the first newline (or EOF) into out, without
 * stdio so no copy of the secret lingers in a buffer we cannot wipe. Stops
 * early when *interrupted becomes set. Returns the length, or -1 with
 * errno on a read error, or -2 when the line does not fit. */
static ssize_t read_line(int fd, char *out, size_t cap, volatile sig_atomic_t *interrupted,
                         bool *got_eof)
{
    size_t len = 0;
    bool too_long = false;
    *got_eof = false;
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR) {
            if (interrupted && *interrupted)
                return -1;
            continue;
        }
        if (n < 0)
            return -1;
        if (n == 0) {
            *got_eof = true;
            break;
        }
        if (c == '\n')
            break;
        if (len + 1 < cap)
            out[len++] = c;
        else
            too_long = true; /* keep reading to swallow the rest of the line */
        if (too_long && !interrupted)
            break; /* a file: no need to drain it */
    }
    if (len > 0 && out[len - 1] == '\r')
        len--;
    out[len] = '\0';
    return too_long ? -2 : (ssize_t)len;
}

static int from_file(const char *path, char *out, size_t cap)
{
    char name[80];
    bool eof;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int saved = errno;
        set_error("password file \"%s\": %s", shown(path, name, sizeof name), strerror(saved));
        errno = saved;
        return NM_E_IO;
    }
    ssize_t n = read_line(fd, out, cap, NULL, &eof);
    int saved = errno;
    close(fd);
    if (n == -1) {
        set_error("password file \"%s\": %s", shown(path, name, sizeof name), strerror(saved));
        errno = saved;
        return NM_E_IO;
    }
    if (n == -2) {
        set_error("password file \"%s\": first line longer than %zu bytes",
                  shown(path, name, sizeof name), cap - 1);
        return NM_E_TOO_BIG;
    }
    if (n == 0) {
        set_error("password file \"%s\": first line is empty", shown(path, name, sizeof name));
        return NM_E_NO_PASSWORD;
    }
    return 0;
}

/* Terminal prompting. Signals that would kill us while echo is off are
 * caught, the terminal is restored, and the signal is raised again with
 * the disposition it had before, as OpenBSD's readpassphrase does. */
static const int watched_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define WATCHED_COUNT (sizeof watched_signals / sizeof watched_signals[0])
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
    caught_signal = sig;
}

static void watch_signals(struct sigaction old[WATCHED_COUNT], bool installed[WATCHED_COUNT])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: read() must return EINTR */
    caught_signal = 0;
    for (size_t i = 0; i < WATCHED_COUNT; i++) {
        installed[i] = false;
        if (sigaction(watched_signals[i], NULL, &old[i]) != 0 || old[i].sa_handler == SIG_IGN)
            continue; /* ignored stays ignored */
        installed[i] = sigaction(watched_signals[i], &sa, NULL) == 0;
    }
}

static void unwatch_signals(const struct sigaction old[WATCHED_COUNT],
                            const bool installed[WATCHED_COUNT])
{
    for (size_t i = 0; i < WATCHED_COUNT; i++)
        if (installed[i])
            sigaction(watched_signals[i], &old[i], NULL);
}

static void tty_write(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

/* One no-echo line from the terminal. */
static int ask(int fd, const char *prompt, char *out, size_t cap)
{
    struct termios saved_term, quiet;
    struct sigaction old[WATCHED_COUNT];
    bool installed[WATCHED_COUNT];
    bool eof;
    int rc = 0;
    if (tcgetattr(fd, &saved_term) != 0) {
        set_error("no password: cannot use the terminal: %s", strerror(errno));
        return NM_E_NO_PASSWORD;
    }
    watch_signals(old, installed);
    quiet = saved_term;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    /* Echo goes off before the prompt shows, so nothing typed after the
     * prompt can be echoed. */
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
        set_error("no password: cannot turn terminal echo off: %s", strerror(errno));
        rc = NM_E_NO_PASSWORD;
        goto out;
    }
    tty_write(fd, prompt);
    ssize_t n = caught_signal ? -1 : read_line(fd, out, cap, &caught_signal, &eof);
    int saved = errno;
    tcsetattr(fd, TCSANOW, &saved_term);
    tty_write(fd, "\n");
    if (caught_signal) {
        set_error("no password: interrupted");
        rc = NM_E_NO_PASSWORD;
    } else if (n == -1) {
        set_error("no password: reading the terminal: %s", strerror(saved));
        rc = NM_E_NO_PASSWORD;
    } else if (n == -2) {
        set_error("password longer than %zu bytes", cap - 1);
        rc = NM_E_TOO_BIG;
    } else if (n == 0) {
        set_error("no password: empty password%s", eof ? " (end of input)" : "");
        rc = NM_E_NO_PASSWORD;
    }
out:
    unwatch_signals(old, installed);
    if (caught_signal)
        raise(caught_signal); /* now with the caller's own disposition */
    return rc;
}

static int from_tty(const char *prompt, bool confirm, char *out, size_t cap)
{
    char *again = NULL;
    int rc;
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        set_error("no password: use --password-file FILE or set NEUROMESH_PASSWORD "
                  "(no terminal to ask on)");
        return NM_E_NO_PASSWORD;
    }
    rc = ask(fd, prompt ? prompt : "Password: ", out, cap);
    if (rc < 0 || !confirm)
        goto out;
    again = malloc(cap);
    if (!again) {
        rc = NM_E_NOMEM;
        set_error("out of memory");
        goto out;
    }
    rc = ask(fd, "Repeat password: ", again, cap);
    if (rc < 0)
        goto out;
    size_t len = strlen(out);
    if (strlen(again) != len || sodium_memcmp(out, again, len) != 0) {
        set_error("the two passwords do not match");
        rc = NM_E_INVAL;
    }
out:
    if (again) {
        sodium_memzero(again, cap);
        free(again);
    }
    close(fd);
    return rc;
}

int nm_password_get(const char *prompt, const char *password_file, bool confirm, char *out,
                    size_t cap)
{
    int rc;
    last_error[0] = '\0';
    if (!out || cap < 2) {
        set_error("internal error: password buffer too small");
        return NM_E_INVAL;
    }
    if (password_file) {
        rc = from_file(password_file, out, cap);
        goto out;
    }
    const char *env = getenv("NEUROMESH_PASSWORD");
    if (env && *env) {
        size_t len = strlen(env);
        if (len >= cap) {
            set_error("NEUROMESH_PASSWORD longer than %zu bytes", cap - 1);
            rc = NM_E_TOO_BIG;
            goto out;
        }
        memcpy(out, env, len + 1);
        rc = 0;
        goto out;
    }
    rc = from_tty(prompt, confirm, out, cap);
out:
    if (rc < 0) {
        int saved = errno;
        sodium_memzero(out, cap);
        errno = saved;
    }
    return rc;
}
