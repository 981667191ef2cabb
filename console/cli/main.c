/* main.c - the neuromesh program: a git-style table of subcommands, each a
 * row (name, aliases, synopsis, entry point); `--help` is printed from the
 * table and a new subcommand is one more row. */
#include "console/cli/completion.h"
#include "console/cli/console_main.h"
#include "console/cli/exec.h"
#include "console/cli/new_cmd.h"
#include "console/cli/node_cmd.h"
#include "console/cli/aggregator_cmd.h"
#include "console/commands/keycmd.h"
#include "console/cli/config.h"
#include "client/home.h"
#include "node/crypto.h"
#include "console/cli/miner_cmd.h"
#include "console/cli/validator_cmd.h"
#include "node/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NM_VERSION "0.1.0"
#ifndef NM_COMMIT
#define NM_COMMIT "unknown"
#endif

/* One subcommand. run gets argv from the subcommand's own word on
 * (argv[0] is "node", "exec", ...) and returns the exit status. */
struct nm_cli_command {
    const char *name;
    const char *aliases[3]; /* other words for it, NULL-terminated */
    const char *synopsis;   /* its lines in `neuromesh --help` */
    int (*run)(int argc, char **argv);
    bool logs; /* a role that logs: takes the one --log-level flag (node/log.h) */
};

static int run_help(int argc, char **argv);

static int run_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* The commit tells two builds of one version apart (make sets it). */
    printf("neuromesh " NM_VERSION " (commit " NM_COMMIT ")\n");
    return 0;
}

static int run_completion(int argc, char **argv);

static const struct nm_cli_command commands[] = {
    {.name = "console",
     .synopsis = "neuromesh                      console on the embedded dev chain (data kept "
                 "in ~/.neuromesh)\n"
                 "neuromesh console [--dev|--chain FILE] [--base-path DIR] [--tmp] [--theme "
                 "NAME] [--no-tui]\n",
     .run = nm_console_main},
    {.name = "node",
     .synopsis = "neuromesh node    [--dev|--chain FILE] [--base-path DIR] [--tmp] [--rpc-port "
                 "9944]\n"
                 "                  [--rpc-external] [--rpc-methods safe|unsafe] "
                 "[--rpc-token-file F] [--prometheus-port 9615]\n",
     .run = nm_node_main, .logs = true},
    {.name = "attach",
     .synopsis = "neuromesh attach  ws://HOST:PORT [--token T]\n",
     .run = nm_console_main},
    {.name = "exec",
     .synopsis = "neuromesh exec    [--url ws://HOST:PORT] [--as NAME] [--json] 'COMMAND' "
                 "['COMMAND' ...]\n"
                 "neuromesh exec    [--url ...] --file SCRIPT      (or commands on standard "
                 "input)\n",
     .run = nm_exec_main},
    {.name = "key",
     .synopsis = "neuromesh key     new|list|show|import|export|remove NAME\n",
     .run = nm_key_main},
    {.name = "miner",
     .synopsis = "neuromesh miner   --subnet ID --as NAME --listen HOST:PORT --backend SPEC [...]\n",
     .run = nm_miner_main, .logs = true},
    {.name = "validator",
     .synopsis = "neuromesh validator --subnet ID --as NAME [--url ws://NODE] [--sample N] [...]\n",
     .run = nm_validator_main, .logs = true},
    {.name = "completion",
     .synopsis = "neuromesh completion bash|zsh  a shell completion script (from the command "
                 "table)\n",
     .run = run_completion},
    {.name = "aggregator",
     .synopsis = "neuromesh aggregator [--node ws://NODE] [--listen HOST:PORT] [--auth none|keys] "
                 "[...]\n"
                 "neuromesh aggregator key new|list|revoke [NAME]\n",
     .run = nm_aggregator_main, .logs = true},
    {.name = "new",
     .synopsis = "neuromesh new     miner|validator NAME [--lang c|python|rust] [--subnet N]  "
                 "a project to start from\n",
     .run = nm_new_main},
    {.name = "--version", .aliases = {"-V"}, .run = run_version},
    {.name = "--help",
     .aliases = {"-h", "help"},
     .synopsis = "neuromesh --version | --help\n",
     .run = run_help},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static int run_completion(int argc, char **argv)
{
    const char *names[COMMAND_COUNT * 3 + 1];
    size_t k = 0;
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        names[k++] = commands[i].name;
        for (const char *const *a = commands[i].aliases; *a && k < COMMAND_COUNT * 3; a++)
            if ((*a)[0] == '-')
                names[k++] = *a;
    }
    names[k] = NULL;
    return nm_completion_main(argc, argv, names);
}

static int run_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("usage:\n", stdout);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (commands[i].synopsis)
            fputs(commands[i].synopsis, stdout);
    fputs("\nNEUROMESH_HOME overrides ~/.neuromesh. \"neuromesh exec --help\" lists the "
          "commands.\n",
          stdout);
    return 0;
}

/* A role's log level: --log-level (taken out of argv here, for every role
 * alike), else config.ini's log_level, else info. */
static int take_log_level(int *argc, char **argv)
{
    char err[256], home[4096];
    bool given;
    if (nm_log_take_flag(argc, argv, 1, &given, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        return 2;
    }
    struct nm_config conf;
    enum nm_log_level level;
    if (!given && nm_home_dir(home, sizeof home, 0) == 0 &&
        nm_config_load(home, &conf, err, sizeof err) == 0 && conf.log_level[0] &&
        nm_log_level_parse(conf.log_level, &level) == 0)
        nm_log_set_level(level);
    return 0;
}

static const struct nm_cli_command *find_command(const char *word)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(commands[i].name, word) == 0)
            return &commands[i];
        for (const char *const *a = commands[i].aliases; *a; a++)
            if (strcmp(*a, word) == 0)
                return &commands[i];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (nm_crypto_init() != 0) {
        fprintf(stderr, "error: cannot initialise libsodium\n");
        return 1;
    }
    if (argc < 2)
        return nm_console_main(0, NULL);
    const char *word = argv[1];
    const struct nm_cli_command *cmd = find_command(word);
    if (cmd) {
        int sub_argc = argc - 1, rc;
        if (cmd->logs && (rc = take_log_level(&sub_argc, argv + 1)) != 0)
            return rc;
        return cmd->run(sub_argc, argv + 1);
    }
    /* Console options (--dev, --tmp, ...) without a subcommand mean the
     * console too. */
    if (nm_console_takes_option(word))
        return nm_console_main(argc - 1, argv + 1);
    fprintf(stderr, "error: unknown %s \"%.40s\" (try neuromesh --help)\n",
            word[0] == '-' ? "option" : "command", word);
    return 2;
}
