/* console_main_plain.c - the console without the dashboard: the plain
 * readline REPL (--no-tui, for dumb terminals and screen readers) and the
 * script reader (standard input not a terminal), both with `watch`
 * streams (see console_main.h). Output goes to standard output, errors to
 * standard error as "error: ..." lines, like `neuromesh exec`. */
#include "console/cli/console_main.h"

#include "console/commands/commands.h"
#include "console/commands/jget.h"
#include "console/dashboard/dashboard_fmt.h"
#include "client/password.h"
#include "console/repl/repl.h"
#include "console/commands/cmd_console.h"
#include "console/dashboard/term.h"
#include "node/errors.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nm_console_watch_lines(const char *kind, const struct nm_dq_msg *m, bool utf8, char *out,
                           size_t cap)
{
    out[0] = '\0';
    size_t len = 0;
    int lines = 0;
    char line[600];
    if (strcmp(kind, "blocks") == 0 && m->kind == NM_DQ_HEAD) {
        nm_fmt_head(m->json, utf8, line, sizeof line);
        snprintf(out, cap, "%s\n", line);
        return 1;
    }
    if (strcmp(kind, "epochs") == 0 && m->kind == NM_DQ_EPOCH) {
        uint64_t epoch = 0, start = 0, end = 0;
        const cJSON *j = m->json;
        nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(j, "epoch"), &epoch);
        nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(j, "start"), &start);
        nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(j, "end"), &end);
        snprintf(out, cap, "epoch %" PRIu64 " blocks #%" PRIu64 "-#%" PRIu64 "\n", epoch, start,
                 end);
        return 1;
    }
    if (strcmp(kind, "events") == 0 && m->kind == NM_DQ_EVENTS) {
        uint64_t height = 0;
        nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(m->json, "height"), &height);
        const cJSON *ev;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(m->json, "events"))
        {
            nm_fmt_event(ev, height, utf8, line, sizeof line);
            int n = snprintf(out + len, cap - len, "%s\n", line);
            if (n < 0 || (size_t)n >= cap - len)
                break;
            len += (size_t)n;
            lines++;
        }
        return lines;
    }
    return 0;
}

/* State both modes share. */
struct plain {
    struct nm_console *c;
    bool script;
    bool quit;
    int status; /* worst exit status so far */
    unsigned long lineno;
    char watch[16];
    long watch_left; /* < 0: no limit */
    bool waiting;    /* a command runs */
    bool in_handler; /* inside readline's line callback: print plainly */
    int last_status;
};

static void emit(struct plain *p, const char *text, bool err)
{
    if (p->script || p->in_handler) {
        FILE *f = err ? stderr : stdout;
        fputs(text, f);
        fflush(f);
    } else {
        nm_repl_print_above(text, err);
    }
}

static void emit_error(struct plain *p, const char *msg)
{
    char buf[NM_CMD_MSG_MAX + 64];
    if (p->script)
        snprintf(buf, sizeof buf, "error: line %lu: %s\n", p->lineno, msg);
    else
        snprintf(buf, sizeof buf, "error: %s\n", msg);
    emit(p, buf, true);
}

/* Asks for a key password on the terminal (plain) or from the
 * environment (script: nm_password_get finds no terminal to ask on). */
static void answer_password(struct plain *p, const char *prompt)
{
    char pw[NM_PASSWORD_MAX];
    bool hand_back = !p->script && !p->in_handler;
    if (hand_back)
        nm_repl_suspend();
    int rc = nm_password_get(prompt, NULL, false, pw, sizeof pw);
    if (hand_back)
        nm_repl_resume();
    nm_runner_answer_password(p->c->runner, rc == 0 ? pw : NULL);
    sodium_memzero(pw, sizeof pw);
}

static void apply(struct plain *p, const struct nm_dq_msg *m)
{
    nm_cache_apply(&p->c->cache, m);
    switch (m->kind) {
    case NM_DQ_OUTPUT:
        if (m->status == 0)
            emit(p, m->text ? m->text : "", false);
        else
            emit_error(p, m->text ? m->text : "failed");
        break;
    case NM_DQ_BELL:
        if (!p->script)
            emit(p, "\a", false);
        break;
    case NM_DQ_CMD_DONE:
        p->waiting = false;
        p->last_status = m->status;
        break;
    case NM_DQ_ASK_PASSWORD: answer_password(p, m->text ? m->text : "password: "); break;
    case NM_DQ_LINK:
        if (m->status == NM_LINK_DOWN && m->text && !p->script) {
            char buf[400];
            snprintf(buf, sizeof buf, "link: %s\n", m->text);
            emit(p, buf, true);
        }
        break;
    case NM_DQ_NODE_LOG:
        if (m->text && (strncmp(m->text, "error", 5) == 0 || strncmp(m->text, "warn", 4) == 0)) {
            char buf[600];
            snprintf(buf, sizeof buf, "node: %s\n", m->text);
            emit(p, buf, true);
        }
        break;
    default: break;
    }
    if (p->watch[0]) {
        char buf[16384];
        int lines = nm_console_watch_lines(p->watch, m, false, buf, sizeof buf);
        if (lines > 0) {
            emit(p, buf, false);
            if (p->watch_left > 0 && (p->watch_left -= lines) <= 0)
                p->watch[0] = '\0';
        }
    }
}

static void drain(struct plain *p)
{
    struct nm_dq_msg *m = nm_dq_take_all(p->c->q);
    while (m) {
        struct nm_dq_msg *next = m->next;
        apply(p, m);
        nm_dq_msg_free(m);
        m = next;
    }
}

/* Waits for queue messages (and, in plain mode, keys) until done() says
 * so or a quit signal arrives. */
static void wait_until(struct plain *p, bool (*done)(struct plain *p), bool keys)
{
    while (!done(p) && !p->quit) {
        struct pollfd fds[3] = {
            {.fd = nm_dq_fd(p->c->q), .events = POLLIN},
            {.fd = nm_term_signal_fd(), .events = POLLIN},
            {.fd = STDIN_FILENO, .events = POLLIN},
        };
        int n = poll(fds, keys ? 3 : 2, -1);
        if (n < 0 && errno != EINTR)
            break;
        unsigned sig = nm_term_take_signals();
        if (sig & NM_TERM_SIG_QUIT)
            p->quit = true;
        if (sig & NM_TERM_SIG_INT) {
            if (p->watch[0]) {
                p->watch[0] = '\0';
                emit(p, "watch stopped\n", false);
                if (!p->script && !p->in_handler)
                    nm_repl_cancel_line();
            } else if (p->waiting && !p->script) {
                emit(p, "the command goes on; its result follows\n", true);
            } else if (!p->script) {
                nm_repl_cancel_line();
            } else {
                p->quit = true;
            }
        }
        if (keys && n > 0 && (fds[2].revents & (POLLIN | POLLHUP)))
            nm_repl_read_stdin();
        drain(p);
    }
}

static bool command_done(struct plain *p)
{
    return !p->waiting;
}

static bool watch_done(struct plain *p)
{
    return !p->watch[0];
}

static bool never(struct plain *p)
{
    (void)p;
    return false;
}

static void ui_print(void *ud, const char *text)
{
    emit(ud, text, false);
}

static void ui_fail(void *ud, const char *message)
{
    struct plain *p = ud;
    emit_error(p, message);
    p->last_status = NM_CMD_USAGE;
}

static void ui_quit(void *ud)
{
    ((struct plain *)ud)->quit = true;
}

static void ui_watch(void *ud, const char *kind, long count)
{
    struct plain *p = ud;
    if (!kind) {
        p->watch[0] = '\0';
        return;
    }
    snprintf(p->watch, sizeof p->watch, "%s", kind);
    p->watch_left = count;
    /* Script mode blocks here; the plain REPL keeps reading lines (Ctrl-C
     * or `watch stop` ends the stream). */
    if (p->script)
        wait_until(p, watch_done, false);
}

/* No screens here: the rows that need them are not in these modes. */
static struct nm_watcher *ui_watcher(void *ud)
{
    return ((struct plain *)ud)->c->watcher;
}

static const struct nm_cmd_ui_ops plain_ui_ops = {
    .print = ui_print,
    .fail = ui_fail,
    .quit = ui_quit,
    .watch = ui_watch,
    .watcher = ui_watcher,
};

/* Runs one line; sets p->last_status. */
/* Submits line and waits for it; false when it could not be queued. */
static bool submit_wait(struct plain *p, const char *line)
{
    if (nm_runner_submit(p->c->runner, line) != 0) {
        emit_error(p, nm_strerror(NM_E_NOMEM));
        p->last_status = NM_CMD_FAILED;
        return false;
    }
    p->waiting = true;
    wait_until(p, command_done, false);
    return true;
}

/* At the plain prompt (not in scripts), a command that moves value or
 * cannot be undone runs as a dry run first, then asks on the terminal. */
static bool confirm_plain(struct plain *p, const char *line, char **w, int n)
{
    char what[512], buf[NM_CMD_MSG_MAX + 16];
    if (p->script || !nm_cmd_wants_confirm(w, n, what, sizeof what))
        return false;
    snprintf(buf, sizeof buf, "%s\nfirst a dry run (--yes skips the question)\n", what);
    emit(p, buf, false);
    snprintf(buf, sizeof buf, "%s --dry-run", line);
    if (!submit_wait(p, buf) || p->last_status != NM_CMD_OK) {
        emit(p, "nothing sent\n", false);
        return true;
    }
    emit(p, "send it? [y/N] ", false);
    char answer[16] = "";
    if (!fgets(answer, sizeof answer, stdin) ||
        (strcmp(answer, "y\n") != 0 && strcmp(answer, "yes\n") != 0)) {
        emit(p, "cancelled, nothing sent\n", false);
        return true;
    }
    snprintf(buf, sizeof buf, "%s --yes", line);
    submit_wait(p, buf);
    return true;
}

static void run(struct plain *p, const char *line)
{
    char **w = NULL;
    int n = 0;
    char err[NM_CMD_MSG_MAX];
    p->last_status = 0;
    if (nm_cmd_split(line, &w, &n, err, sizeof err) != 0) {
        emit_error(p, err);
        p->last_status = NM_CMD_USAGE;
        return;
    }
    struct nm_cmd_ui ui = {.mode = p->script ? NM_CMD_IN_SCRIPT : NM_CMD_IN_PLAIN,
                           .ops = &plain_ui_ops,
                           .ud = p};
    if (n > 0 && !nm_cmd_ui_run(&ui, w, n) && !confirm_plain(p, line, w, n))
        submit_wait(p, line);
    nm_cmd_words_free(w, n);
}

int nm_console_script(struct nm_console *c, FILE *in)
{
    struct plain p = {.c = c, .script = true};
    nm_term_signals_install();
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while (!p.quit && (len = getline(&line, &cap, in)) >= 0) {
        p.lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        const char *s = line + strspn(line, " \t");
        if (!*s || *s == '#')
            continue;
        run(&p, s);
        drain(&p);
        if (p.last_status > p.status)
            p.status = p.last_status;
        if (p.last_status && !c->keep_going)
            break;
    }
    free(line);
    return p.status;
}

static struct plain *plain_state;

static void plain_on_line(void *ud, char *line)
{
    struct plain *p = ud;
    if (!line) {
        p->quit = true;
        return;
    }
    nm_repl_history_add(line);
    const char *s = line + strspn(line, " \t");
    p->in_handler = true;
    if (*s && *s != '#')
        run(p, s);
    p->in_handler = false;
    free(line);
}

static char **plain_accounts, **plain_subnets;

static void plain_fill_src(void *ud, struct nm_complete_src *src)
{
    struct plain *p = ud;
    nm_console_names_free(plain_accounts);
    nm_console_names_free(plain_subnets);
    plain_accounts = nm_console_account_names(p->c);
    plain_subnets = nm_console_subnet_names(p->c);
    src->accounts = (const char *const *)plain_accounts;
    src->subnets = (const char *const *)plain_subnets;
    src->mode = NM_CMD_IN_PLAIN;
}

static void plain_matches(void *ud, char *const *matches, int n)
{
    struct plain *p = ud;
    char buf[2048];
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s  ", matches[i]);
    emit(p, buf, false);
}

int nm_console_plain(struct nm_console *c)
{
    struct plain p = {.c = c};
    plain_state = &p;
    nm_term_signals_install();
    struct nm_repl_hooks hooks = {
        .on_line = plain_on_line,
        .on_matches = plain_matches,
        .fill_src = plain_fill_src,
        .ud = &p,
    };
    printf("NeuroMesh console on %s%s. help lists the commands; Ctrl-D or quit leaves.\n", c->url,
           c->embedded ? " (embedded node)" : "");
    fflush(stdout);
    nm_repl_open(false, "nm> ", c->history_path[0] ? c->history_path : NULL, &hooks);
    wait_until(&p, never, true);
    nm_repl_close();
    nm_console_names_free(plain_accounts);
    nm_console_names_free(plain_subnets);
    plain_accounts = plain_subnets = NULL;
    plain_state = NULL;
    return 0;
}
