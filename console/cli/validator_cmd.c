/* validator_cmd.c - `neuromesh validator`: options, then the rounds of
 * validator.c until a signal; its state over JSON-RPC and Prometheus
 * (validator_rpc.c). */
#include "console/cli/validator_cmd.h"

#include "console/commands/commands.h"
#include "node/log.h"
#include "node/errors.h"
#include "node/miner/role_chain.h"
#include "node/validator/validator.h"
#include "node/validator/validator_rpc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: neuromesh validator --subnet ID --as NAME [--url ws://NODE] [--sample N]\n"
    "                           [--concurrency C] [--timeout-ms T] [--scorer SPEC]\n"
    "                           [--db FILE] [--held-out FILE] [--round-ms MS] [--rounds N]\n"
    "                           [--rpc-port P] [--prometheus-port P] [--port-file F]\n"
    "                           [--password-file F] [--quiet]\n"
    "\n"
    "Samples the subnet's miners, scores their answers and submits weights each\n"
    "tempo (docs/miner.md, docs/subnets/code-gen-base.md).\n"
    "  --sample N          miners asked per round (default 16)\n"
    "  --concurrency C     queries at once (default 8)\n"
    "  --timeout-ms T      per query (default 10000)\n"
    "  --scorer SPEC       builtin (CODE_GEN_BASE, default) or exec:CMD\n"
    "  --db FILE           scores database (default $NEUROMESH_HOME/validator-ID-NAME.db)\n"
    "  --held-out FILE     add held-out tasks (node/eval/tasks/held_out.tasks)\n"
    "  --round-ms MS       a round at most every MS (default 2000)\n"
    "  --rounds N          stop after N rounds (default: run until stopped)\n"
    "  --rpc-port P        JSON-RPC (validator_status) on 127.0.0.1:P (0 picks; default off)\n"
    "  --prometheus-port P metrics on 127.0.0.1:P/metrics (0 picks; default off)\n"
    "  --port-file F       write \"RPC_PORT PROMETHEUS_PORT\" to F once listening\n"
    NM_LOG_FLAG_HELP;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

int nm_validator_main(int argc, char **argv)
{
    struct nm_validator_config cfg = {.run_command = nm_cmd_run_quiet};
    long subnet = -1, sample = 16, conc = 8, timeout = 10000, round_ms = 2000, rounds = 0;
    long rpc_port = -1, prom_port = -1;
    const char *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--quiet") == 0) {
            cfg.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "error: %.40s: missing value or unknown option (see --help)\n", a);
            return 2;
        }
        if (strcmp(a, "--subnet") == 0)
            rc = nm_role_parse_long(a, v, 1, 65535, &subnet);
        else if (strcmp(a, "--sample") == 0)
            rc = nm_role_parse_long(a, v, 1, 4096, &sample);
        else if (strcmp(a, "--concurrency") == 0)
            rc = nm_role_parse_long(a, v, 1, 256, &conc);
        else if (strcmp(a, "--timeout-ms") == 0)
            rc = nm_role_parse_long(a, v, 1, 600000, &timeout);
        else if (strcmp(a, "--round-ms") == 0)
            rc = nm_role_parse_long(a, v, 1, 3600000, &round_ms);
        else if (strcmp(a, "--rounds") == 0)
            rc = nm_role_parse_long(a, v, 1, 1000000000, &rounds);
        else if (strcmp(a, "--rpc-port") == 0)
            rc = nm_role_parse_long(a, v, 0, 65535, &rpc_port);
        else if (strcmp(a, "--prometheus-port") == 0)
            rc = nm_role_parse_long(a, v, 0, 65535, &prom_port);
        else if (strcmp(a, "--as") == 0)
            cfg.as = v;
        else if (strcmp(a, "--url") == 0)
            cfg.url = v;
        else if (strcmp(a, "--scorer") == 0)
            cfg.scorer = v;
        else if (strcmp(a, "--db") == 0)
            cfg.db_path = v;
        else if (strcmp(a, "--held-out") == 0)
            cfg.held_out = v;
        else if (strcmp(a, "--password-file") == 0)
            cfg.password_file = v;
        else if (strcmp(a, "--port-file") == 0)
            port_file = v;
        else {
            fprintf(stderr, "error: unknown option \"%.40s\" (see neuromesh validator --help)\n",
                    a);
            return 2;
        }
        if (rc)
            return 2;
        i++;
    }
    if (subnet < 0 || !cfg.as) {
        fprintf(stderr, "error: missing --subnet ID and --as NAME (see --help)\n");
        return 2;
    }
    cfg.subnet = (unsigned)subnet;
    cfg.sample = (int)sample;
    cfg.concurrency = (int)conc;
    cfg.timeout_ms = (int)timeout;
    cfg.round_ms = (int)round_ms;
    cfg.max_rounds = (int)rounds;
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
