/* completion.c - shell completion scripts from the command tables (see
 * completion.h). Both shells get the same word lists: subcommands; for
 * exec, the first words of its commands, then a group's second words, and
 * options; for key, its commands. */
#include "console/cli/completion.h"

#include "console/commands/commands.h"

#include <string.h>

static const char exec_options[] = "--url --as --password-file --json --keep-going --token "
                                   "--token-file --base-path --raw --file --help";
static const char console_options[] = "--dev --chain --base-path --tmp --rpc-port --theme "
                                      "--no-tui --keep-going --token --help";

/* The first word of e into out ("stake" of "stake add"). */
static const char *first_word(const struct nm_cmd_entry *e, char *out, size_t cap)
{
    size_t n = strcspn(e->words, " ");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), e->words);
    return out;
}

static bool in_exec(const struct nm_cmd_entry *e)
{
    return !e->shell && nm_cmd_runs_in(e, NM_CMD_IN_EXEC);
}

/* Space-separated distinct first words of the exec (or key: shell) rows. */
static void list_first_words(FILE *out, bool shell_rows)
{
    char prev[64] = "", w[64], first[64];
    const struct nm_cmd_entry *e;
    bool any = false;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++) {
        if (shell_rows ? !e->shell : !in_exec(e))
            continue;
        const char *word = shell_rows ? strchr(e->words, ' ') : NULL;
        if (shell_rows && !word)
            continue;
        snprintf(w, sizeof w, "%s", word ? word + 1 : first_word(e, first, sizeof first));
        if (strcmp(w, prev) == 0)
            continue;
        fprintf(out, "%s%s", any ? " " : "", w);
        snprintf(prev, sizeof prev, "%s", w);
        any = true;
    }
}

/* For each exec group with second words: `FIRST) V="SECOND ..." ;;`
 * (bash: V is words) or `FIRST) V=(SECOND ...) ;;` (zsh: choices, as
 * zsh's own words holds the command line). */
static void list_groups(FILE *out, bool zsh)
{
    char group[64] = "", w[64];
    const struct nm_cmd_entry *e;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++) {
        const char *sp = strchr(e->words, ' ');
        if (!sp || !in_exec(e))
            continue;
        first_word(e, w, sizeof w);
        if (strcmp(w, group) != 0) {
            if (group[0])
                fputs(zsh ? ") ;;\n" : "\" ;;\n", out);
            fprintf(out, "            %s) %s%s", w, zsh ? "choices=(" : "words=\"", sp + 1);
            snprintf(group, sizeof group, "%s", w);
        } else {
            fprintf(out, " %s", sp + 1);
        }
    }
    if (group[0])
        fputs(zsh ? ") ;;\n" : "\" ;;\n", out);
}

static void list_words(FILE *out, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        fprintf(out, "%s%s", i ? " " : "", words[i]);
}

/* The case over the subcommand, the same for both shells but for how a
 * list is assigned (open/close: "words=\"" "\"" or "choices=(" ")"). */
static void write_cases(FILE *out, bool zsh)
{
    const char *open = zsh ? "choices=(" : "words=\"", *close = zsh ? ")" : "\"";
    fprintf(out, "        case %s in\n        exec)\n            case $prev in\n",
            zsh ? "$sub" : "${COMP_WORDS[1]}");
    list_groups(out, zsh);
    fprintf(out, "            *) %s%s ", open, exec_options);
    list_first_words(out, false);
    fprintf(out, "%s ;;\n            esac ;;\n        key) %s", close, open);
    list_first_words(out, true);
    fprintf(out,
            "%s ;;\n        console|attach|--*) %s%s%s ;;\n"
            "        completion) %sbash zsh%s ;;\n        esac\n",
            close, open, console_options, close, open, close);
}

static void write_bash(FILE *out, const char *const *subcommands)
{
    fputs("# bash completion for neuromesh, written by `neuromesh completion bash` from its\n"
          "# command table. Load it: source <(neuromesh completion bash), or save it as\n"
          "# ~/.local/share/bash-completion/completions/neuromesh\n"
          "_neuromesh() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        words=\"",
          out);
    list_words(out, subcommands);
    fputs("\"\n    else\n", out);
    write_cases(out, false);
    fputs("    fi\n"
          "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\n"
          "complete -F _neuromesh neuromesh\n",
          out);
}

static void write_zsh(FILE *out, const char *const *subcommands)
{
    fputs("#compdef neuromesh\n"
          "# zsh completion for neuromesh, written by `neuromesh completion zsh` from its\n"
          "# command table. Load it: source <(neuromesh completion zsh) after compinit, or\n"
          "# save it as _neuromesh in a directory of $fpath.\n"
          "_neuromesh() {\n"
          "    local -a choices\n"
          "    local sub=${words[2]} prev=${words[CURRENT-1]}\n"
          "    if (( CURRENT == 2 )); then\n"
          "        choices=(",
          out);
    list_words(out, subcommands);
    fputs(")\n    else\n", out);
    write_cases(out, true);
    fputs("    fi\n"
          "    compadd -- $choices\n}\n"
          "if [ \"${funcstack[1]}\" = _neuromesh ]; then _neuromesh \"$@\"; "
          "else compdef _neuromesh neuromesh; fi\n",
          out);
}

int nm_completion_write(FILE *out, const char *shell, const char *const *subcommands)
{
    if (strcmp(shell, "bash") == 0)
        write_bash(out, subcommands);
    else if (strcmp(shell, "zsh") == 0)
        write_zsh(out, subcommands);
    else
        return -1;
    return 0;
}

int nm_completion_main(int argc, char **argv, const char *const *subcommands)
{
    if (argc != 2 || nm_completion_write(stdout, argv[1], subcommands) != 0) {
        fprintf(stderr, "error: completion: expected neuromesh completion bash|zsh%s%.20s%s\n",
                argc > 1 ? " (not \"" : "", argc > 1 ? argv[1] : "", argc > 1 ? "\")" : "");
        return 2;
    }
    return 0;
}
