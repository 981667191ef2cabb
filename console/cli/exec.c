/* exec.c - `neuromesh exec` (see exec.h): options, the sources of commands
 * (arguments, a script, standard input) and printing of results. */
#include "console/cli/exec.h"

#include "console/cli/cli.h"
#include "console/cli/config.h"
#include "client/home.h"
#include "console/commands/commands.h"
#include "client/session.h"
#include "node/errors.h"
#include "rpc/token.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct exec_opts {
    const char *url;
    const char *as;
    const char *password_file;
    const char *file;
    const char *token;
    const char *token_file;
    const char *base_path;
    bool raw;
    bool json;
    bool keep_going;
    bool help;
    char **commands; /* points into argv */
    int ncommands;
};

#define EXEC_STR(...) NM_CLI_OPT_STRING(struct exec_opts, __VA_ARGS__)
#define EXEC_FLAG(...) NM_CLI_OPT_FLAG(struct exec_opts, __VA_ARGS__)

static const struct nm_cli_option exec_options[] = {
    EXEC_STR("--url", "URL", url,
             "node to talk to (default $NEUROMESH_URL, else " NM_SESSION_DEFAULT_URL ")"),
    EXEC_STR("--as", "NAME", as, "sign as key NAME, or dev account NAME on a dev chain"),
    EXEC_STR("--password-file", "F", password_file,
             "read the key password from the first line of F"),
    EXEC_FLAG("--json", json, "print one JSON object per command, on one line"),
    EXEC_FLAG("--keep-going", keep_going, "go on after a failing command"),
    EXEC_STR("--token", "T", token,
             "JSON-RPC token for unsafe methods (default: the\n"
             "rpc.cookie of a local node's base path, if readable)"),
    EXEC_STR("--token-file", "F", token_file, "read the token from the first line of F"),
    EXEC_STR("--base-path", "DIR", base_path,
             "the local node's base path, for its rpc.cookie\n"
             "(default $NEUROMESH_HOME or ~/.neuromesh)"),
    EXEC_FLAG("--raw", raw,
              "each command is a JSON-RPC call: METHOD [PARAMS-JSON],\n"
              "e.g. 'chain_getBlockHash [0]'; prints the result"),
    EXEC_STR("--file", "SCRIPT", file, "read the commands from SCRIPT"),
    {.name = "--help", .alias = "-h", .kind = NM_CLI_FLAG,
     .offset = offsetof(struct exec_opts, help), .help = "show this help"},
    {.name = NULL},
};

static void usage(FILE *out, const struct nm_cli_group *group)
{
    fputs("usage: neuromesh exec [--url ws://HOST:PORT] [--as NAME] [--password-file F]\n"
          "                      [--json] [--keep-going] 'COMMAND' ['COMMAND' ...]\n"
          "       neuromesh exec [OPTIONS] --file SCRIPT\n"
          "       neuromesh exec [OPTIONS] < SCRIPT\n"
          "\n"
          "Runs console commands against a node; a script has one command per line,\n"
          "'#' starts a comment.\n"
          "\n"
          "options:\n",
          out);
    nm_cli_help(out, group, 1);
    fputs("\nExit status: 0 all succeeded, 1 a command failed, 2 usage error.\n\n", out);
    char *list = nm_cmd_help_text(NULL, NM_CMD_IN_EXEC);
    if (list)
        fputs(list, out);
    free(list);
}

/* Options may come before, between or after the commands; "--" ends them. */
static int parse_opts(int argc, char **argv, struct exec_opts *o, const struct nm_cli_group *g)
{
    o->commands = calloc((size_t)argc + 1, sizeof *o->commands);
    if (!o->commands) {
        fprintf(stderr, "error: %s\n", nm_strerror(NM_E_NOMEM));
        return 1;
    }
    struct nm_cli_args args = {
        .command = "exec", .groups = g, .ngroups = 1, .words = o->commands, .max_words = argc};
    int rc = nm_cli_parse(&args, argc, argv, 1);
    o->ncommands = args.nwords;
    if (rc)
        return rc;
    if (o->file && o->ncommands > 0) {
        fprintf(stderr, "error: exec: give commands either as arguments or with --file, not "
                        "both\n");
        return 2;
    }
    return 0;
}

static int worse(int a, int b)
{
    return a > b ? a : b;
}

/* Prints one result; returns its exit status. where is "" or "line N: ". */
static int report(const struct nm_cmd_result *res, const char *where)
{
    if (res->status == NM_CMD_OK) {
        if (res->want_json && res->json) {
            char *text = cJSON_PrintUnformatted(res->json);
            if (!text) {
                fprintf(stderr, "error: %s%s\n", where, nm_strerror(NM_E_NOMEM));
                return 1;
            }
            printf("%s\n", text);
            free(text);
        } else if (res->text) {
            fputs(res->text, stdout);
        }
        fflush(stdout);
        return 0;
    }
    fflush(stdout);
    fprintf(stderr, "error: %s%s\n", where, res->message);
    if (res->want_json) {
        /* --json promises one object per command, failures included. */
        cJSON *o = cJSON_CreateObject();
        cJSON *e = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(e, "name", nm_errname(res->err));
        cJSON_AddNumberToObject(e, "code", nm_rpc_code(res->err));
        cJSON_AddStringToObject(e, "message", res->message);
        char *text = cJSON_PrintUnformatted(o);
        if (text)
            printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
        fflush(stdout);
    }
    return (int)res->status;
}

/* --raw: "METHOD [PARAMS-JSON]" as one JSON-RPC call; prints the result. */
static int run_raw(struct nm_session *s, const char *line, const char *where)
{
    char method[128], err[512];
    size_t n = strcspn(line, " \t");
    const char *rest = line + n + strspn(line + n, " \t");
    if (n == 0 || n >= sizeof method) {
        fprintf(stderr, "error: %sexpected METHOD [PARAMS-JSON]\n", where);
        return 2;
    }
    memcpy(method, line, n);
    method[n] = '\0';
    cJSON *params = NULL;
    if (*rest && !(params = cJSON_Parse(rest))) {
        fprintf(stderr, "error: %sparams of %s are not JSON: %.40s\n", where, method, rest);
        return 2;
    }
    cJSON *result = NULL;
    if (nm_session_call(s, method, params, &result, err, sizeof err)) {
        fprintf(stderr, "error: %s%s\n", where, err);
        return 1;
    }
    char *text = cJSON_PrintUnformatted(result);
    printf("%s\n", text ? text : "null");
    fflush(stdout);
    free(text);
    cJSON_Delete(result);
    return 0;
}

static int run_one(struct nm_session *s, const char *line, bool json, bool raw,
                   const char *where)
{
    if (raw)
        return run_raw(s, line, where);
    struct nm_cmd_result res;
    nm_cmd_run_line(s, line, json, &res);
    int rc = report(&res, where);
    nm_cmd_result_fini(&res);
    return rc;
}

/* One command per line; returns the worst exit status. */
static int run_stream(struct nm_session *s, FILE *in, const struct exec_opts *o)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int worst = 0;
    unsigned long lineno = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        const char *p = line + strspn(line, " \t");
        if (!*p || *p == '#')
            continue;
        char where[48];
        snprintf(where, sizeof where, "line %lu: ", lineno);
        int rc = run_one(s, p, o->json, o->raw, where);
        worst = worse(worst, rc);
        if (rc && !o->keep_going)
            break;
    }
    if (ferror(in)) {
        fprintf(stderr, "error: reading commands: %s\n", strerror(errno));
        worst = worse(worst, 1);
    }
    free(line);
    return worst;
}

static bool is_local_url(const char *url)
{
    return !strncmp(url, "ws://127.", 9) || !strncmp(url, "ws://localhost:", 15) ||
           !strncmp(url, "ws://[::1]:", 11);
}

/* The token: --token, --token-file, else a local node's rpc.cookie (not an
 * error when there is none: safe methods need no token). */
static int exec_token(const struct exec_opts *o, const char *url, char *out, size_t cap)
{
    char path[4200], home[4096];
    out[0] = '\0';
    if (o->token) {
        if (strlen(o->token) >= cap) {
            fprintf(stderr, "error: exec: --token is too long\n");
            return -1;
        }
        snprintf(out, cap, "%s", o->token);
        return 0;
    }
    if (o->token_file) {
        if (nm_rpc_token_read(o->token_file, out, cap, NULL)) {
            fprintf(stderr, "error: exec: cannot read a token from %s\n", o->token_file);
            return -1;
        }
        return 0;
    }
    if (!is_local_url(url))
        return 0;
    const char *base = o->base_path;
    if (!base && nm_home_dir(home, sizeof home, 0) == 0)
        base = home;
    if (base && nm_rpc_cookie_path(base, path, sizeof path) == 0 &&
        nm_rpc_token_read(path, out, cap, NULL) != 0)
        out[0] = '\0';
    return 0;
}

int nm_exec_main(int argc, char **argv)
{
    struct exec_opts o = {0};
    struct nm_session *s = NULL;
    FILE *script = NULL;
    const struct nm_cli_group group = {.options = exec_options, .dst = &o};
    int rc = parse_opts(argc, argv, &o, &group);
    if (rc)
        goto out;
    if (o.help) {
        usage(stdout, &group);
        goto out;
    }
    bool from_stdin = !o.file && o.ncommands == 0;
    if (from_stdin && isatty(STDIN_FILENO)) {
        fprintf(stderr, "error: exec: no command given (try neuromesh exec --help)\n");
        rc = 2;
        goto out;
    }
    if (o.file) {
        script = fopen(o.file, "r");
        if (!script) {
            fprintf(stderr, "error: exec: cannot open script \"%s\": %s\n", o.file,
                    strerror(errno));
            rc = 2;
            goto out;
        }
    }
    /* flags, then the environment, then $NEUROMESH_HOME/config.ini */
    struct nm_config conf = {0};
    char home[4096], conf_err[512];
    if (nm_home_dir(home, sizeof home, 0) == 0 &&
        nm_config_load(home, &conf, conf_err, sizeof conf_err) != 0) {
        fprintf(stderr, "error: exec: %s\n", conf_err);
        rc = 2;
        goto out;
    }
    const char *env_url = getenv("NEUROMESH_URL");
    const char *url = o.url                ? o.url
                      : env_url && *env_url ? env_url
                      : conf.url[0]         ? conf.url
                                            : NM_SESSION_DEFAULT_URL;
    char token[NM_RPC_TOKEN_MAX + 1];
    if (exec_token(&o, url, token, sizeof token)) {
        rc = 2;
        goto out;
    }
    struct nm_session_config cfg = {
        .url = url,
        .token = token[0] ? token : NULL,
        .signer = o.as ? o.as : conf.signer[0] ? conf.signer : NULL,
        .password_file = o.password_file,
    };
    int err = nm_session_new(&cfg, NULL, &s);
    if (err) {
        fprintf(stderr, "error: exec: %s\n", nm_strerror(err));
        rc = 1;
        goto out;
    }
    if (script) {
        rc = run_stream(s, script, &o);
    } else if (from_stdin) {
        rc = run_stream(s, stdin, &o);
    } else {
        for (int i = 0; i < o.ncommands; i++) {
            rc = worse(rc, run_one(s, o.commands[i], o.json, o.raw, ""));
            if (rc && !o.keep_going)
                break;
        }
    }
out:
    nm_session_free(s);
    if (script)
        fclose(script);
    free(o.commands);
    return rc;
}
