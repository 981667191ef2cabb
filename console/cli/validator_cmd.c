/* validator_cmd.c - `neuromesh validator`: options, then the rounds of
 * validator.c until a signal; its state over JSON-RPC and Prometheus
 * (validator_rpc.c). */
#include "console/cli/validator_cmd.h"

#include "console/cli/cli.h"

#include "console/commands/commands.h"
#include "node/log.h"
#include "node/errors.h"
#include "node/miner/grpc_load.h"
#include "node/validator/validator.h"
#include "node/validator/validator_rpc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct validator_opts {
    struct nm_validator_config cfg;
    int subnet; /* -1: not given */
    int rpc_port, prometheus_port; /* -1: off */
    const char *port_file;
    bool help;
};

#define VAL_STR(opt, mv, field, text)                                                          \
    NM_CLI_OPT_STRING(struct validator_opts, opt, mv, cfg.field, text)
#define VAL_INT(...) NM_CLI_OPT_INT(struct validator_opts, __VA_ARGS__)
#define VAL_PORT(opt, field, text)                                                             \
    {.name = (opt), .metavar = "P", .kind = NM_CLI_PORT,                                       \
     .offset = offsetof(struct validator_opts, field), .want = "a port (0-65535)", .help = (text)}

static const struct nm_cli_option validator_options[] = {
    VAL_INT("--subnet", "ID", subnet, 1, 65535, "a subnet id (1-65535)", "the subnet validated"),
    VAL_STR("--as", "NAME", as, "the validator's account (key-store key, or a dev name)"),
    VAL_STR("--url", "ws://NODE", url, "the node's JSON-RPC (default ws://127.0.0.1:9944)"),
    VAL_INT("--sample", "N", cfg.sample, 1, 4096, "a count (1-4096)",
            "miners asked per round (default 16)"),
    VAL_INT("--concurrency", "C", cfg.concurrency, 1, 256, "a count (1-256)",
            "queries at once (default 8)"),
    VAL_INT("--timeout-ms", "T", cfg.timeout_ms, 1, 600000, "milliseconds (1-600000)",
            "per query (default 10000)"),
    VAL_STR("--scorer", "SPEC", scorer, "builtin (CODE_GEN_BASE, default) or exec:CMD"),
    VAL_STR("--db", "FILE", db_path,
            "scores database (default $NEUROMESH_HOME/validator-ID-NAME.db)"),
    VAL_STR("--held-out", "FILE", held_out,
            "add held-out tasks (node/eval/tasks/held_out.tasks)"),
    VAL_INT("--round-ms", "MS", cfg.round_ms, 1, 3600000, "milliseconds (1-3600000)",
            "a round at most every MS (default 2000)"),
    VAL_INT("--rounds", "N", cfg.max_rounds, 1, 1000000000, "a count (1-1000000000)",
            "stop after N rounds (default: run until stopped)"),
    VAL_PORT("--rpc-port", rpc_port,
             "JSON-RPC (validator_status) on 127.0.0.1:P (0 picks; default off)"),
    VAL_PORT("--prometheus-port", prometheus_port,
             "metrics on 127.0.0.1:P/metrics (0 picks; default off)"),
    NM_CLI_OPT_STRING(struct validator_opts, "--port-file", "F", port_file,
                      "write \"RPC_PORT PROMETHEUS_PORT\" to F once listening"),
    VAL_STR("--password-file", "F", password_file,
            "the account key's password (else NEUROMESH_PASSWORD, else a prompt)"),
    NM_CLI_OPT_FLAG(struct validator_opts, "--quiet", cfg.quiet, "no per-round log lines"),
    NM_CLI_OPT_HELP(struct validator_opts, help),
    {.name = NULL},
};

static const char synopsis[] =
    "usage: neuromesh validator --subnet ID --as NAME [--url ws://NODE] [--sample N]\n"
    "                           [--concurrency C] [--timeout-ms T] [--scorer SPEC]\n"
    "                           [--db FILE] [--held-out FILE] [--round-ms MS] [--rounds N]\n"
    "                           [--rpc-port P] [--prometheus-port P] [--port-file F]\n"
    "                           [--password-file F] [--quiet]\n"
    "\n"
    "Samples the subnet's miners, scores their answers and submits weights each\n"
    "tempo (docs/miner.md, docs/subnets/code-gen-base.md).\n\n";

/* 0: run; 2: a usage error (printed); -1: --help printed. */
static int parse_args(int argc, char **argv, struct validator_opts *o)
{
    *o = (struct validator_opts){
        .cfg = {.run_command = nm_cmd_run_quiet, .sample = 16, .concurrency = 8,
                .timeout_ms = 10000, .round_ms = 2000},
        .subnet = -1, .rpc_port = -1, .prometheus_port = -1};
    const struct nm_cli_group group = {.options = validator_options, .dst = o};
    struct nm_cli_args a = {.command = "validator", .groups = &group, .ngroups = 1};
    int rc = nm_cli_parse_main(&a, argc, argv, &o->help, synopsis, NM_LOG_FLAG_HELP);
    if (rc)
        return rc;
    if (o->subnet < 0 || !o->cfg.as) {
        fprintf(stderr, "error: missing --subnet ID and --as NAME (see --help)\n");
        return 2;
    }
    o->cfg.subnet = (unsigned)o->subnet;
    return 0;
}

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int nm_validator_main(int argc, char **argv)
{
    struct validator_opts o;
    int prc = parse_args(argc, argv, &o);
    if (prc)
        return prc < 0 ? 0 : prc;
    char why[300];
    if (!nm_grpc_load(why, sizeof why)) {
        fprintf(stderr, "error: %s\n", why);
        return 1;
    }
    const struct nm_validator_config cfg = o.cfg;
    int rpc_port = o.rpc_port, prom_port = o.prometheus_port;
    const char *port_file = o.port_file;
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    char err[768] = "";
    struct nm_validator *v = NULL;
    int rc = nm_validator_new(&cfg, &v, err, sizeof err);
    if (rc) {
        nm_log(NM_LOG_ERROR, "validator", "%s", err);
        return rc == NM_E_INVAL ? 2 : 1;
    }
    struct nm_validator_rpc *rpc = NULL;
    if (rpc_port >= 0 || prom_port >= 0) {
        if (nm_validator_rpc_start((int)rpc_port, (int)prom_port, &rpc, err, sizeof err)) {
            nm_log(NM_LOG_ERROR, "validator", "%s", err);
            nm_validator_free(v);
            return 1;
        }
        nm_validator_rpc_publish(rpc, nm_validator_status(v));
        nm_validator_on_round(v, nm_validator_rpc_publish_cb, rpc);
        if (port_file) {
            FILE *f = fopen(port_file, "w");
            if (f) {
                fprintf(f, "%d %d\n", nm_validator_rpc_port(rpc), nm_validator_prom_port(rpc));
                fclose(f);
            }
        }
    }
    nm_log(NM_LOG_INFO, "validator", "subnet %u as %s: %d miners per round, timeout %d ms",
            cfg.subnet, cfg.as, cfg.sample, cfg.timeout_ms);
    nm_validator_run(v, &stop_flag);
    nm_log(NM_LOG_INFO, "validator", "stopping");
    nm_validator_rpc_stop(rpc);
    nm_validator_free(v);
    return 0;
}
