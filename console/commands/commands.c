/* commands.c - the command dispatcher (see commands.h): the list of every
 * module's table, word splitting, prefix lookup across the tables, option
 * and argument checks and preconditions in one place, help generated from
 * the tables, and the `help` command itself. The commands are in
 * console/commands/cmd_*.c, written against console/commands/cmd_api.h. */
#include "console/commands/commands.h"

#include "console/commands/cmd_api.h"
#include "console/commands/cmd_console.h"
#include "console/commands/cmd_ctx.h"
#include "client/session.h"
#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_help(struct nm_cmd_ctx *ctx);

const struct nm_cmd_option nm_cmd_common_options[] = {
    {.name = "--as", .metavar = "NAME",
     .help = "sign as (or default to) key NAME, or dev account NAME on a dev chain"},
    {.name = "--json", .help = "print the result as one JSON object on one line"},
    {.name = NULL},
};

/* Options of every signing command (NM_CMD_SIGNS). */
const struct nm_cmd_option nm_cmd_signing_options[] = {
    {.name = "--dry-run",
     .help = "check, sign and show the extrinsic, its fee and the balance left; send nothing"},
    {.name = "--yes",
     .help = "do not ask first in the console (exec and scripts never ask)"},
    {.name = NULL},
};

static const struct nm_cmd_entry core_entries[] = {
    {.words = "help", .usage = "help [COMMAND]",
     .json = "help (the text), or command, usage, summary",
     .summary = "list the commands, or show one command's usage and options", .max_args = 2,
     .handler = h_help, .ui = nm_cmd_console_help,
     .complete = {NM_CMD_COMPLETE_COMMAND, NM_CMD_COMPLETE_SECOND}},
    /* htop's and less's key for help; on the dashboard it also grows the
     * output pane to full screen (F9 goes back). */
    {.words = "?", .usage = "? [COMMAND]", .summary = "the same as help", .max_args = 2,
     .handler = h_help, .ui = nm_cmd_console_help,
     .complete = {NM_CMD_COMPLETE_COMMAND, NM_CMD_COMPLETE_SECOND}},
};
static const struct nm_cmd_table core_table = NM_CMD_TABLE(core_entries);

/* Every table; a command's words are unique across them. Their order is
 * the order of `help`, so the core table (help) comes last, as it always
 * listed. */
static const struct nm_cmd_table *const tables[] = {
    &nm_cmd_chain_table,
    &nm_cmd_subnet_table,
    &nm_cmd_neuron_table,
    /* weights/consensus commands (console/commands/cmd_weights.c) */
    &nm_cmd_weights_table,
    /* governance commands (console/commands/cmd_gov.c) */
    &nm_cmd_gov_table,
    &nm_cmd_params_table,
    &nm_cmd_contacts_table,
    /* the console's own (console/commands/cmd_console.c) */
    &nm_cmd_console_table,
    /* `neuromesh key ...` (console/commands/keycmd.c), from the shell */
    &nm_cmd_key_table,
    /* miner and validator roles (console/commands/cmd_roles.c) */
    &nm_cmd_roles_table,
    /* p2p peers (console/commands/cmd_peer.c) */
    &nm_cmd_peer_table,
    /* BFT authorities (console/commands/cmd_bft.c) */
    &nm_cmd_bft_table,
    &core_table,
};
#define TABLE_COUNT (sizeof tables / sizeof tables[0])

size_t nm_cmd_count_all(void)
{
    size_t n = 0;
    for (size_t t = 0; t < TABLE_COUNT; t++)
        n += tables[t]->count;
    return n;
}

const struct nm_cmd_entry *nm_cmd_entry_at(size_t i)
{
    for (size_t t = 0; t < TABLE_COUNT; t++) {
        if (i < tables[t]->count)
            return &tables[t]->entries[i];
        i -= tables[t]->count;
    }
    return NULL;
}

/* --- splitting --- */

void nm_cmd_words_free(char **words, int count)
{
    if (!words)
        return;
    for (int i = 0; i < count; i++)
        free(words[i]);
    free(words);
}

int nm_cmd_split(const char *line, char ***words_out, int *count_out, char *err, size_t cap)
{
    size_t len = strlen(line);
    char **words = NULL;
    char *buf = malloc(len + 1);
    int count = 0, rc = 0;
    *words_out = NULL;
    *count_out = 0;
    if (!buf)
        return NM_E_NOMEM;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p || *p == '#')
            break;
        size_t n = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end) {
                    snprintf(err, cap, "unterminated ' quote");
                    rc = NM_E_USAGE;
                    goto out;
                }
                memcpy(buf + n, p + 1, (size_t)(end - p - 1));
                n += (size_t)(end - p - 1);
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                        p++;
                    buf[n++] = *p++;
                }
                if (*p != '"') {
                    snprintf(err, cap, "unterminated \" quote");
                    rc = NM_E_USAGE;
                    goto out;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    snprintf(err, cap, "trailing backslash");
                    rc = NM_E_USAGE;
                    goto out;
                }
                buf[n++] = p[1];
                p += 2;
            } else {
                buf[n++] = *p++;
            }
        }
        if (count == NM_CMD_MAX_WORDS) {
            snprintf(err, cap, "too many words (at most %d)", NM_CMD_MAX_WORDS);
            rc = NM_E_USAGE;
            goto out;
        }
        if (count % 8 == 0) {
            char **w = realloc(words, sizeof *w * (size_t)(count + 8));
            if (!w) {
                rc = NM_E_NOMEM;
                goto out;
            }
            words = w;
        }
        words[count] = strndup(buf, n);
        if (!words[count]) {
            rc = NM_E_NOMEM;
            goto out;
        }
        count++;
    }
out:
    free(buf);
    if (rc) {
        if (rc == NM_E_NOMEM)
            snprintf(err, cap, "%s", nm_strerror(rc));
        nm_cmd_words_free(words, count);
        return rc;
    }
    *words_out = words;
    *count_out = count;
    return 0;
}

/* --- lookup --- */

/* Word i (0 or 1) of an entry's name into out; "" when it has none. */
static const char *entry_word(const struct nm_cmd_entry *e, int i, char out[32])
{
    const char *sp = strchr(e->words, ' ');
    if (i == 0)
        snprintf(out, 32, "%.*s", sp ? (int)(sp - e->words) : (int)strlen(e->words), e->words);
    else
        snprintf(out, 32, "%s", sp ? sp + 1 : "");
    return out;
}

static bool is_prefix(const char *prefix, const char *word)
{
    return strncmp(prefix, word, strlen(prefix)) == 0;
}

static int cmp_word(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Resolves word against the distinct words at position pos of the entries
 * whose first word is group (NULL: every entry). 1 = found (out set),
 * 0 = no match, -1 = ambiguous (list of candidates in amb). */
static int match_word(const char *group, int pos, const char *word, char out[32], char *amb,
                      size_t amb_cap)
{
    char cands[32][32];
    int n = 0;
    for (size_t i = 0, total = nm_cmd_count_all(); i < total && n < 32; i++) {
        char w[32], first[32];
        const struct nm_cmd_entry *e = nm_cmd_entry_at(i);
        if (group && strcmp(entry_word(e, 0, first), group) != 0)
            continue;
        entry_word(e, pos, w);
        if (!w[0])
            continue;
        if (strcmp(w, word) == 0) {
            snprintf(out, 32, "%s", w);
            return 1;
        }
        if (!is_prefix(word, w) || (e->flags & NM_CMD_CONSOLE))
            continue;
        bool seen = false;
        for (int k = 0; k < n; k++)
            seen |= strcmp(cands[k], w) == 0;
        if (!seen)
            snprintf(cands[n++], 32, "%s", w);
    }
    if (n == 1) {
        snprintf(out, 32, "%s", cands[0]);
        return 1;
    }
    if (n == 0)
        return 0;
    qsort(cands, (size_t)n, sizeof cands[0], cmp_word);
    size_t len = 0;
    amb[0] = '\0';
    for (int k = 0; k < n && len < amb_cap; k++) {
        int m = snprintf(amb + len, amb_cap - len, "%s%s%s%s", k ? ", " : "",
                         group ? group : "", group ? " " : "", cands[k]);
        if (m < 0)
            break;
        len += (size_t)m;
    }
    return -1;
}

static const struct nm_cmd_entry *find_entry(const char *words)
{
    const struct nm_cmd_entry *e;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++)
        if (strcmp(e->words, words) == 0)
            return e;
    return NULL;
}

int nm_cmd_lookup(char *const *words, int count, const struct nm_cmd_entry **entry_out,
                  int *consumed, char *err, size_t cap)
{
    char first[32], second[32], amb[512], q[64], q2[64];
    *entry_out = NULL;
    if (count < 1) {
        snprintf(err, cap, "no command given (try help)");
        return NM_E_USAGE;
    }
    int m = match_word(NULL, 0, words[0], first, amb, sizeof amb);
    if (m == 0) {
        snprintf(err, cap, "unknown command \"%s\" (try help)", nm_cmd_quote(words[0], q));
        return NM_E_USAGE;
    }
    if (m < 0) {
        snprintf(err, cap, "ambiguous command \"%s\": could be %s", nm_cmd_quote(words[0], q),
                 amb);
        return NM_E_USAGE;
    }
    const struct nm_cmd_entry *single = find_entry(first);
    if (count >= 2 || !single) {
        if (count < 2) {
            /* Every entry of the group has two words: list them. */
            size_t len = 0;
            amb[0] = '\0';
            const struct nm_cmd_entry *e;
            for (size_t i = 0; (e = nm_cmd_entry_at(i)) && len < sizeof amb; i++) {
                if (strcmp(entry_word(e, 0, second), first) != 0)
                    continue;
                int n = snprintf(amb + len, sizeof amb - len, "%s%s", len ? ", " : "",
                                 e->words);
                len += n > 0 ? (size_t)n : 0;
            }
            snprintf(err, cap, "incomplete command \"%s\": could be %s", first, amb);
            return NM_E_USAGE;
        }
        m = match_word(first, 1, words[1], second, amb, sizeof amb);
        if (m > 0) {
            char full[64];
            snprintf(full, sizeof full, "%s %s", first, second);
            *entry_out = find_entry(full);
            *consumed = 2;
            return 0;
        }
        if (!single) {
            if (m < 0)
                snprintf(err, cap, "ambiguous command \"%s %s\": could be %s", first,
                         nm_cmd_quote(words[1], q2), amb);
            else
                snprintf(err, cap, "unknown command \"%s %s\" (try help %s)", first,
                         nm_cmd_quote(words[1], q2), first);
            return NM_E_USAGE;
        }
    }
    *entry_out = single;
    *consumed = 1;
    return 0;
}

/* --- help --- */

bool nm_cmd_runs_in(const struct nm_cmd_entry *e, unsigned mode)
{
    return !e->modes || (e->modes & mode);
}

static void help_list(struct nm_cmd_text *b, const char *group, unsigned mode)
{
    size_t width = 0;
    char first[32];
    const struct nm_cmd_entry *e;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++) {
        size_t n = strlen(e->usage);
        if (!(e->flags & NM_CMD_CONSOLE) && !e->shell &&
            (!group || strcmp(entry_word(e, 0, first), group) == 0) && n > width && n <= 40)
            width = n;
    }
    nm_cmd_printf(b, "commands:\n");
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++) {
        if ((e->flags & NM_CMD_CONSOLE) || e->shell ||
            (group && strcmp(entry_word(e, 0, first), group) != 0))
            continue;
        if (strlen(e->usage) > width)
            nm_cmd_printf(b, "  %s\n  %-*s  %s\n", e->usage, (int)width, "", e->summary);
        else
            nm_cmd_printf(b, "  %-*s  %s\n", (int)width, e->usage, e->summary);
    }
    nm_cmd_printf(b, "Every command also takes --json and --as NAME. Words may be shortened to a\n"
                     "unique prefix (\"sub l\" is \"subnet list\"); \"help COMMAND\" shows its "
                     "options.\n");
    if (group)
        return;
    bool heading = false;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++) {
        if (!(e->flags & NM_CMD_CONSOLE) || (mode != NM_CMD_IN_EXEC && !nm_cmd_runs_in(e, mode)))
            continue;
        if (!heading)
            nm_cmd_printf(b, "\nconsole commands:\n");
        heading = true;
        nm_cmd_printf(b, "  %-36s %s\n", e->usage, e->summary);
    }
    if (mode != NM_CMD_IN_EXEC)
        return;
    nm_cmd_printf(b, "\nfrom the shell (neuromesh WORDS ...):\n");
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++)
        if (e->shell)
            nm_cmd_printf(b, "  %-36s %s\n", e->usage, e->summary);
}

static size_t option_width(const struct nm_cmd_option *o)
{
    return strlen(o->name) + (o->metavar ? 1 + strlen(o->metavar) : 0);
}

static void help_option(struct nm_cmd_text *b, const struct nm_cmd_option *o, int width)
{
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", o->name, o->metavar ? " " : "",
             o->metavar ? o->metavar : "");
    nm_cmd_printf(b, "  %-*s  %s\n", width, head, o->help);
}

static void help_entry(struct nm_cmd_text *b, const struct nm_cmd_entry *e)
{
    size_t width = 0;
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        width = option_width(o) > width ? option_width(o) : width;
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        width = option_width(o) > width ? option_width(o) : width;
    nm_cmd_printf(b, "usage: %s\n%s\n", e->usage, e->summary);
    if (!e->handler && e->shell) {
        nm_cmd_printf(b, "From the shell: neuromesh %s (neuromesh %s --help).\n", e->words,
                      e->words);
        if (e->json)
            nm_cmd_printf(b, "--json: %s.\n", e->json);
        return;
    }
    if (!e->handler) {
        if (e->options)
            nm_cmd_printf(b, "options:\n");
        for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
            help_option(b, o, (int)width);
        if (e->help_more)
            e->help_more(b);
        nm_cmd_printf(b, "%s\n", e->modes == NM_CMD_IN_TUI ? "Only on the console's dashboard."
                                                         : "Only in the console.");
        return;
    }
    nm_cmd_printf(b, "options:\n");
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        help_option(b, o, (int)width);
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        help_option(b, o, (int)width);
    for (const struct nm_cmd_option *o = nm_cmd_signing_options; o->name; o++)
        if (e->flags & NM_CMD_SIGNS)
            help_option(b, o, (int)width);
    if (e->flags & NM_CMD_SIGNS)
        nm_cmd_printf(b, "Signs a transaction: needs a signer (--as NAME) and pays the fee.\n");
    if (e->json && (e->flags & NM_CMD_SIGNS))
        nm_cmd_printf(b, "--json: %s%s%s.\n", NM_CMD_JSON_SUBMITTED, e->json[0] ? "; then " : "",
                      e->json);
    else if (e->json)
        nm_cmd_printf(b, "--json: %s.\n", e->json);
    if (e->help_more)
        e->help_more(b);
    if (e->flags & NM_CMD_CONFIRM)
        nm_cmd_printf(b, "In the console it shows a dry run and asks first (--yes skips).\n");
    if (e->flags & NM_CMD_DEV_ONLY)
        nm_cmd_printf(b, "Only on a dev chain.\n");
    if ((e->flags & NM_CMD_NEEDS_NODE) && !(e->flags & NM_CMD_SIGNS))
        nm_cmd_printf(b, "Reads from the node.\n");
}

char *nm_cmd_help_text(const struct nm_cmd_entry *entry, unsigned mode)
{
    struct nm_cmd_text b = {0};
    if (entry)
        help_entry(&b, entry);
    else
        help_list(&b, NULL, mode);
    return nm_cmd_text_take(&b);
}

static cJSON *entry_json(const struct nm_cmd_entry *e, bool with_options)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "command", e->words);
    cJSON_AddStringToObject(o, "usage", e->usage);
    cJSON_AddStringToObject(o, "summary", e->summary);
    cJSON_AddBoolToObject(o, "signs", (e->flags & NM_CMD_SIGNS) != 0);
    cJSON_AddBoolToObject(o, "dev_only", (e->flags & NM_CMD_DEV_ONLY) != 0);
    cJSON_AddBoolToObject(o, "needs_node", (e->flags & NM_CMD_NEEDS_NODE) != 0);
    if (with_options) {
        cJSON *arr = cJSON_AddArrayToObject(o, "options");
        for (const struct nm_cmd_option *op = e->options; op && op->name; op++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, x);
            cJSON_AddStringToObject(x, "name", op->name);
            if (op->metavar)
                cJSON_AddStringToObject(x, "value", op->metavar);
            cJSON_AddStringToObject(x, "help", op->help);
        }
    }
    return o;
}

static int h_help(struct nm_cmd_ctx *ctx)
{
    struct nm_cmd_text b = {0};
    cJSON *j = NULL;
    if (ctx->nargs == 0) {
        help_list(&b, NULL, NM_CMD_IN_EXEC);
        j = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(j, "commands");
        const struct nm_cmd_entry *e;
        for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++)
            cJSON_AddItemToArray(arr, entry_json(e, false));
        return nm_cmd_ok(ctx, j, &b);
    }
    const struct nm_cmd_entry *e;
    int consumed;
    char first[32], amb[512];
    int rc = nm_cmd_lookup((char *const *)ctx->args, ctx->nargs, &e, &consumed, ctx->msg,
                           sizeof ctx->msg);
    if (rc && match_word(NULL, 0, ctx->args[0], first, amb, sizeof amb) == 1 && ctx->nargs == 1) {
        /* "help stake": the commands of that group. */
        help_list(&b, first, NM_CMD_IN_EXEC);
        j = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(j, "commands");
        char w[32];
        for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++)
            if (strcmp(entry_word(e, 0, w), first) == 0)
                cJSON_AddItemToArray(arr, entry_json(e, false));
        return nm_cmd_ok(ctx, j, &b);
    }
    if (rc)
        return nm_cmd_failed(ctx, rc);
    if (consumed != ctx->nargs) {
        char q[NM_CMD_QUOTE_CAP];
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "unknown command \"%s %s\" (try help)",
                           e->words, nm_cmd_quote(ctx->args[consumed], q));
    }
    help_entry(&b, e);
    return nm_cmd_ok(ctx, entry_json(e, true), &b);
}

/* --- dispatch --- */

void nm_cmd_result_fini(struct nm_cmd_result *r)
{
    cJSON_Delete(r->json);
    free(r->text);
    memset(r, 0, sizeof *r);
}

static const struct nm_cmd_option *find_option(const struct nm_cmd_entry *e, const char *name,
                                               size_t len)
{
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    for (const struct nm_cmd_option *o = nm_cmd_signing_options; o->name; o++)
        if ((e->flags & NM_CMD_SIGNS) && strlen(o->name) == len &&
            strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* Options and positional arguments after the command words. */
static int parse_args(struct nm_cmd_ctx *ctx, char *const *words, int count, bool *json)
{
    const struct nm_cmd_entry *e = ctx->entry;
    char q[NM_CMD_QUOTE_CAP];
    bool only_args = false;
    for (int i = 0; i < count; i++) {
        const char *w = words[i];
        if (!only_args && strcmp(w, "--") == 0) {
            only_args = true;
            continue;
        }
        if (only_args || strncmp(w, "--", 2) != 0) {
            if (ctx->nargs >= e->max_args)
                return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "too many arguments (usage: %s)",
                                   e->usage);
            ctx->args[ctx->nargs++] = w;
            continue;
        }
        const char *eq = strchr(w, '=');
        size_t len = eq ? (size_t)(eq - w) : strlen(w);
        const struct nm_cmd_option *o = find_option(e, w, len);
        if (!o) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(len < 40 ? len : 40), w);
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                               "unknown option \"%s\" (try help %s)", nm_cmd_quote(name, q),
                               e->words);
        }
        for (int k = 0; k < ctx->nopts; k++)
            if (ctx->opts[k].opt == o)
                return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "option %s given twice",
                                   o->name);
        const char *value = NULL;
        if (o->metavar) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < count)
                value = words[++i];
            else
                return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "option %s needs a value (%s)",
                                   o->name, o->metavar);
        } else if (eq) {
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "option %s takes no value", o->name);
        }
        if (ctx->nopts == NM_CMD_MAX_OPTS)
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "too many options");
        ctx->opts[ctx->nopts++] = (struct nm_cmd_opt_value){o, value};
        if (strcmp(o->name, "--json") == 0)
            *json = true;
        else if (strcmp(o->name, "--as") == 0)
            ctx->as = value;
    }
    if (ctx->nargs < e->min_args)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing argument (usage: %s)",
                           e->usage);
    return 0;
}

/* Lookup and argument checks shared by running and building. */
static int prepare(struct nm_cmd_ctx *ctx, char *const *words, int count, bool *json)
{
    int consumed = 0;
    int rc = nm_cmd_lookup(words, count, &ctx->entry, &consumed, ctx->msg, sizeof ctx->msg);
    if (rc) {
        ctx->res->status = NM_CMD_USAGE;
        ctx->res->err = rc;
        return rc;
    }
    return parse_args(ctx, words + consumed, count - consumed, json);
}

/* Preconditions, in order: a signer named, the call built (local checks
 * first), the node reached, a dev chain when required. */
static int dispatch(struct nm_cmd_ctx *ctx)
{
    const struct nm_cmd_entry *e = ctx->entry;
    if (!e->handler && e->shell)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "run it from the shell: neuromesh %s",
                           e->words);
    if (!e->handler)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "only in the console (neuromesh console)");
    if ((e->flags & NM_CMD_NEEDS_NODE) && !ctx->session)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_CONNECT, "no node connection");
    if ((e->flags & NM_CMD_SIGNS) && !ctx->as && !nm_session_signer_name(ctx->session))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "no signer: give --as NAME (a key name, or "
                           "a dev account on a dev chain)");
    if (e->build && e->build(ctx, &ctx->call))
        return ctx->res->err;
    if (e->flags & NM_CMD_NEEDS_NODE) {
        int rc = nm_session_connect(ctx->session, ctx->msg, sizeof ctx->msg);
        if (rc)
            return nm_cmd_failed(ctx, rc);
    }
    if ((e->flags & NM_CMD_DEV_ONLY) && !nm_session_is_dev(ctx->session))
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NOT_DEV_CHAIN,
                           "only available on a dev chain");
    return e->handler(ctx);
}

enum nm_cmd_status nm_cmd_run_words(struct nm_session *s, char *const *words, int count,
                                    bool json_default, struct nm_cmd_result *res)
{
    struct nm_cmd_ctx *ctx = calloc(1, sizeof *ctx);
    bool json = json_default;
    memset(res, 0, sizeof *res);
    if (!ctx) {
        res->status = NM_CMD_FAILED;
        res->err = NM_E_NOMEM;
        snprintf(res->message, sizeof res->message, "%s", nm_strerror(NM_E_NOMEM));
        return res->status;
    }
    ctx->session = s;
    ctx->res = res;
    if (count == 0)
        goto out; /* nothing to do */
    if (prepare(ctx, words, count, &json) == 0)
        dispatch(ctx);
    if (res->status != NM_CMD_OK) {
        /* Lookup errors stand alone; the others name the command first. */
        if (ctx->entry)
            snprintf(res->message, sizeof res->message, "%s: %s", ctx->entry->words, ctx->msg);
        else
            snprintf(res->message, sizeof res->message, "%s", ctx->msg);
    }
out:
    res->want_json = json;
    nm_names_fini(&ctx->names);
    free(ctx);
    return res->status;
}

enum nm_cmd_status nm_cmd_run_line(struct nm_session *s, const char *line, bool json_default,
                                   struct nm_cmd_result *res)
{
    char **words;
    int count;
    memset(res, 0, sizeof *res);
    int rc = nm_cmd_split(line, &words, &count, res->message, sizeof res->message);
    if (rc) {
        res->status = rc == NM_E_NOMEM ? NM_CMD_FAILED : NM_CMD_USAGE;
        res->err = rc;
        res->want_json = json_default;
        return res->status;
    }
    nm_cmd_run_words(s, words, count, json_default, res);
    nm_cmd_words_free(words, count);
    return res->status;
}

int nm_cmd_run_quiet(void *ud, struct nm_session *s, const char *line, char *msg, size_t cap)
{
    (void)ud;
    struct nm_cmd_result res;
    nm_cmd_run_line(s, line, false, &res);
    int rc = res.status == NM_CMD_OK ? 0 : (res.err ? res.err : NM_E_INTERNAL);
    snprintf(msg, cap, "%s", rc ? res.message : "");
    nm_cmd_result_fini(&res);
    return rc;
}

int nm_cmd_build_call(struct nm_session *s, const char *line, struct nm_call *out, char *err,
                      size_t cap)
{
    char **words;
    int count;
    struct nm_cmd_result res = {0};
    struct nm_cmd_ctx *ctx = NULL;
    bool json = false;
    int rc = nm_cmd_split(line, &words, &count, err, cap);
    if (rc)
        return rc;
    ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        rc = NM_E_NOMEM;
        snprintf(err, cap, "%s", nm_strerror(rc));
        goto out;
    }
    ctx->session = s;
    ctx->res = &res;
    rc = prepare(ctx, words, count, &json);
    if (rc)
        goto fail;
    if (!ctx->entry->build) {
        rc = nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "does not sign a transaction");
        goto fail;
    }
    rc = ctx->entry->build(ctx, &ctx->call);
    if (rc)
        goto fail;
    *out = ctx->call;
    goto out;
fail:
    if (ctx->entry)
        snprintf(err, cap, "%s: %s", ctx->entry->words, ctx->msg);
    else
        snprintf(err, cap, "%s", ctx->msg);
out:
    free(ctx);
    nm_cmd_words_free(words, count);
    return rc;
}
