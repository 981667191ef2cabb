/* repl.c - readline glue for the console (see repl.h). */
#include "console/repl/repl.h"

#include "node/errors.h"

#include <curses.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

static struct nm_repl_hooks hooks;
static bool tui_mode;
static bool open_repl;
static char *history_file;
static FILE *null_out;
static int pending_byte = -1;
static char *last_added;
/* Completion results handed to readline's generator. */
static char **gen_matches;
static int gen_count, gen_next;
/* The line whose completions were last listed (NULL: none since Enter). */
static char *listed_line;

static int tui_getc(FILE *f)
{
    (void)f;
    int c = pending_byte;
    pending_byte = -1;
    return c < 0 ? EOF : c;
}

static int tui_input_available(void)
{
    return pending_byte >= 0;
}

static void tui_redisplay(void)
{
    if (hooks.on_redisplay)
        hooks.on_redisplay(hooks.ud, rl_display_prompt ? rl_display_prompt : "",
                           rl_line_buffer ? rl_line_buffer : "", (size_t)rl_point);
}

static void tui_prep(int meta)
{
    (void)meta;
}

static void tui_deprep(void)
{
}

static void line_handler(char *line)
{
    free(listed_line);
    listed_line = NULL;
    if (hooks.on_line)
        hooks.on_line(hooks.ud, line);
    else
        free(line);
}

static char *generator(const char *text, int state)
{
    (void)text;
    if (state == 0)
        gen_next = 0;
    if (gen_next < gen_count)
        return strdup(gen_matches[gen_next++]);
    return NULL;
}

static char **attempt_completion(const char *text, int start, int end)
{
    (void)start;
    rl_attempted_completion_over = 1;
    nm_complete_free(gen_matches, gen_count);
    gen_matches = NULL;
    gen_count = 0;
    struct nm_complete_src src;
    memset(&src, 0, sizeof src);
    if (hooks.fill_src)
        hooks.fill_src(hooks.ud, &src);
    size_t word_start;
    int n = nm_complete(rl_line_buffer, (size_t)end, &src, &gen_matches, &word_start);
    if (n <= 0) {
        gen_matches = NULL;
        gen_count = 0;
        return NULL;
    }
    gen_count = n;
    return rl_completion_matches(text, generator);
}

static void display_matches(char **matches, int num, int max_len)
{
    (void)max_len;
    /* A second Tab on the same line would list the same choices again:
     * they are on screen already. */
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    if (listed_line && strcmp(listed_line, line) == 0)
        return;
    free(listed_line);
    listed_line = strdup(line);
    /* matches[0] is the common prefix; the list follows. */
    if (hooks.on_matches)
        hooks.on_matches(hooks.ud, matches + 1, num);
    if (!tui_mode)
        rl_forced_update_display();
}

static void touch_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

int nm_repl_open(bool tui, const char *prompt, const char *history_path,
                 const struct nm_repl_hooks *h)
{
    hooks = *h;
    tui_mode = tui;
    rl_readline_name = "neuromesh";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_attempted_completion_function = attempt_completion;
    rl_completion_display_matches_hook = display_matches;
    rl_completer_word_break_characters = " \t";
    rl_completer_quote_characters = "\"'";
    if (tui) {
        null_out = fopen("/dev/null", "w");
        rl_outstream = null_out;
        rl_getc_function = tui_getc;
        rl_input_available_hook = tui_input_available;
        rl_redisplay_function = tui_redisplay;
        rl_prep_term_function = tui_prep;
        rl_deprep_term_function = tui_deprep;
    }
    using_history();
    stifle_history(NM_REPL_HISTORY_MAX);
    if (history_path) {
        history_file = strdup(history_path);
        if (history_file) {
            touch_file(history_file);
            read_history(history_file);
        }
    }
    rl_variable_bind("show-all-if-ambiguous", "on");
    rl_variable_bind("bell-style", "none");
    rl_callback_handler_install(prompt, line_handler);
    open_repl = true;
    return 0;
}

void nm_repl_close(void)
{
    if (!open_repl)
        return;
    rl_callback_handler_remove();
    if (history_file)
        history_truncate_file(history_file, NM_REPL_HISTORY_MAX);
    if (!tui_mode) {
        /* readline leaves the cursor after the prompt. */
        fputc('\n', stdout);
        fflush(stdout);
    }
    clear_history();
    free(history_file);
    history_file = NULL;
    free(last_added);
    last_added = NULL;
    free(listed_line);
    listed_line = NULL;
    nm_complete_free(gen_matches, gen_count);
    gen_matches = NULL;
    gen_count = 0;
    if (null_out) {
        rl_outstream = stdout;
        fclose(null_out);
        null_out = NULL;
    }
    rl_getc_function = rl_getc;
    rl_input_available_hook = NULL;
    rl_redisplay_function = rl_redisplay;
    rl_prep_term_function = rl_prep_terminal;
    rl_deprep_term_function = rl_deprep_terminal;
    open_repl = false;
}

void nm_repl_feed(int byte)
{
    if (!open_repl)
        return;
    pending_byte = byte & 0xff;
    rl_callback_read_char();
}

bool nm_repl_key(int key)
{
    if (!open_repl)
        return false;
    switch (key) {
    case KEY_LEFT: rl_backward_char(1, 0); break;
    case KEY_RIGHT: rl_forward_char(1, 0); break;
    case KEY_UP: rl_get_previous_history(1, 0); break;
    case KEY_DOWN: rl_get_next_history(1, 0); break;
    case KEY_HOME: rl_beg_of_line(1, 0); break;
    case KEY_END: rl_end_of_line(1, 0); break;
    case KEY_BACKSPACE: rl_rubout(1, 0); break;
    case KEY_DC: rl_delete(1, 0); break;
    case KEY_ENTER: nm_repl_feed('\r'); return true;
    default: return false;
    }
    tui_redisplay();
    return true;
}

void nm_repl_read_stdin(void)
{
    if (open_repl)
        rl_callback_read_char();
}

void nm_repl_cancel_line(void)
{
    if (!open_repl)
        return;
    free(listed_line);
    listed_line = NULL;
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    rl_done = 0;
    if (tui_mode) {
        tui_redisplay();
    } else {
        fputs("^C\n", stdout);
        fflush(stdout);
        rl_on_new_line();
        rl_redisplay();
    }
}

void nm_repl_set_prompt(const char *prompt)
{
    if (!open_repl)
        return;
    rl_set_prompt(prompt);
    if (tui_mode)
        tui_redisplay();
    else
        rl_forced_update_display();
}

void nm_repl_redisplay(void)
{
    if (!open_repl)
        return;
    if (tui_mode)
        tui_redisplay();
    else
        rl_forced_update_display();
}

void nm_repl_print_above(const char *text, bool to_stderr)
{
    FILE *out = to_stderr ? stderr : stdout;
    if (!open_repl || tui_mode) {
        fputs(text, out);
        fflush(out);
        return;
    }
    int point = rl_point;
    char *saved = rl_copy_text(0, rl_end);
    rl_save_prompt();
    rl_replace_line("", 0);
    rl_redisplay();
    /* The prompt line is now empty: go back to its start and write there. */
    fputs("\r\033[K", stdout);
    fflush(stdout);
    fputs(text, out);
    size_t n = strlen(text);
    if (n == 0 || text[n - 1] != '\n')
        fputc('\n', out);
    fflush(out);
    rl_restore_prompt();
    rl_replace_line(saved ? saved : "", 0);
    rl_point = point;
    rl_forced_update_display();
    free(saved);
}

void nm_repl_suspend(void)
{
    if (!open_repl || tui_mode)
        return;
    rl_callback_handler_remove();
    fputc('\n', stdout);
    fflush(stdout);
}

void nm_repl_resume(void)
{
    if (!open_repl || tui_mode)
        return;
    rl_callback_handler_install(rl_prompt ? rl_prompt : "", line_handler);
}

void nm_repl_history_add(const char *line)
{
    if (!line || !*line || line[strspn(line, " \t")] == '\0')
        return;
    if (last_added && strcmp(last_added, line) == 0)
        return;
    add_history(line);
    free(last_added);
    last_added = strdup(line);
    if (history_file)
        append_history(1, history_file);
}

const char *nm_repl_text(void)
{
    return rl_line_buffer ? rl_line_buffer : "";
}
