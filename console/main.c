/* main.c - the neuromesh program: global options, then dispatch to the
 * node, exec, key and console subcommands. */
#include "console/console_main.h"
#include "console/exec.h"
#include "console/keycmd.h"
#include "console/node_cmd.h"
#include "node/crypto.h"
#include "node/miner/miner_cmd.h"
#include "node/validator/validator_cmd.h"

#include <stdio.h>
#include <string.h>

#define NM_VERSION "0.1.0"

static void usage(FILE *out)
{
    fputs("usage:\n"
          "neuromesh                      console on the embedded dev chain (data kept in "
          "~/.neuromesh)\n"
          "neuromesh console [--dev|--chain FILE] [--base-path DIR] [--tmp] [--theme NAME] "
          "[--no-tui]\n"
          "neuromesh node    [--dev|--chain FILE] [--base-path DIR] [--tmp] [--rpc-port 9944]\n"
          "                  [--rpc-external] [--rpc-methods safe|unsafe] [--rpc-token-file F] "
          "[--prometheus-port 9615]\n"
          "neuromesh attach  ws://HOST:PORT [--token T]\n"
          "neuromesh exec    [--url ws://HOST:PORT] [--as NAME] [--json] 'COMMAND' "
          "['COMMAND' ...]\n"
          "neuromesh exec    [--url ...] --file SCRIPT      (or commands on standard input)\n"
          "neuromesh key     new|list|show|import|export|remove NAME\n"
          "neuromesh miner   --subnet ID --as NAME --listen HOST:PORT --backend SPEC [...]\n"
          "neuromesh validator --subnet ID --as NAME [--url ws://NODE] [--sample N] [...]\n"
          "neuromesh --version | --help\n"
          "\n"
          "NEUROMESH_HOME overrides ~/.neuromesh. \"neuromesh exec --help\" lists the "
          "commands.\n",
          out);
}

int main(int argc, char **argv)
{
    if (nm_crypto_init() != 0) {
        fprintf(stderr, "error: cannot initialise libsodium\n");
        return 1;
    }
    const char *cmd = argc > 1 ? argv[1] : NULL;
    if (cmd && (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)) {
        printf("neuromesh " NM_VERSION "\n");
        return 0;
    }
    if (cmd && (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
                strcmp(cmd, "help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (cmd && strcmp(cmd, "exec") == 0)
        return nm_exec_main(argc - 1, argv + 1);
    if (cmd && strcmp(cmd, "key") == 0)
        return nm_key_main(argc - 1, argv + 1);
    if (cmd && strcmp(cmd, "node") == 0)
        return nm_node_main(argc - 1, argv + 1);
    if (cmd && strcmp(cmd, "miner") == 0)
        return nm_miner_main(argc - 1, argv + 1);
    if (cmd && strcmp(cmd, "validator") == 0)
        return nm_validator_main(argc - 1, argv + 1);
    if (!cmd || strcmp(cmd, "console") == 0 || strcmp(cmd, "attach") == 0 ||
        cmd[0] == '-') {
        /* Console options (--dev, --tmp, ...) without a subcommand mean the
         * console too. */
        if (!cmd || strcmp(cmd, "console") == 0 || strcmp(cmd, "attach") == 0 ||
            strcmp(cmd, "--dev") == 0 || strcmp(cmd, "--tmp") == 0 ||
            strcmp(cmd, "--chain") == 0 || strcmp(cmd, "--base-path") == 0 ||
            strcmp(cmd, "--theme") == 0 || strcmp(cmd, "--no-tui") == 0 ||
            strcmp(cmd, "--keep-going") == 0) {
            return cmd ? nm_console_main(argc - 1, argv + 1) : nm_console_main(0, NULL);
        }
        fprintf(stderr, "error: unknown option \"%.40s\" (try neuromesh --help)\n", cmd);
        return 2;
    }
    fprintf(stderr, "error: unknown command \"%.40s\" (try neuromesh --help)\n", cmd);
    return 2;
}
