/* miner_cmd.c - `neuromesh miner`: options, the start-up checks over
 * JSON-RPC (NAME is a miner of the subnet, its on-chain endpoint is the
 * address served, else `neuron endpoint` fixes it), then the gRPC server
 * until a signal. */
#include "console/cli/miner_cmd.h"

#include "console/cli/cli.h"

#include "node/log.h"
#include "console/commands/commands.h"
#include "client/session.h"
#include "node/errors.h"
#include "node/miner/backend.h"
#include "node/miner/grpc_load.h"
#include "node/miner/miner_metrics.h"
#include "node/miner/role_chain.h"
#include "node/miner/server.h"
#include "node/schema_json/schema_json.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct miner_opts {
    int subnet; /* -1: not given */
    const char *as, *listen, *backend, *url, *model, *api_key_file, *password_file;
    const char *port_file;
    int timeout_ms, max_concurrency, workers, prometheus_port;
    bool no_chain, quiet, help;
};

#define MINER_STR(...) NM_CLI_OPT_STRING(struct miner_opts, __VA_ARGS__)
#define MINER_INT(...) NM_CLI_OPT_INT(struct miner_opts, __VA_ARGS__)

static const struct nm_cli_option miner_options[] = {
    MINER_INT("--subnet", "ID", subnet, 1, 65535, "a subnet id (1-65535)",
              "the subnet served; its input/output schemas apply"),
    MINER_STR("--as", "NAME", as, "the miner's account (key-store key, or a dev name)"),
    MINER_STR("--listen", "HOST:PORT", listen,
              "gRPC address (default 127.0.0.1:50051; port 0 picks one)"),
    MINER_STR("--backend", "SPEC", backend, "builtin | echo | exec:CMD | openai:URL"),
    MINER_INT("--timeout-ms", "T", timeout_ms, 1, 3600000, "milliseconds (1-3600000)",
              "per Infer (default 30000); DEADLINE_EXCEEDED past it"),
    MINER_INT("--max-concurrency", "N", max_concurrency, 1, 100000, "a count (1-100000)",
              "Infer calls at once (default 64); RESOURCE_EXHAUSTED past it"),
    MINER_STR("--url", "ws://NODE", url, "the node's JSON-RPC (default ws://127.0.0.1:9944)"),
    MINER_INT("--workers", "N", workers, 1, 256, "a count (1-256)",
              "exec: worker processes (default 4)"),
    MINER_STR("--model", "NAME", model, "openai: model name (default \"default\")"),
    MINER_STR("--api-key-file", "F", api_key_file,
              "openai: API key file (else $NEUROMESH_OPENAI_API_KEY,\n"
              "$OPENAI_API_KEY); never logged"),
    MINER_STR("--password-file", "F", password_file,
              "the account key's password (else NEUROMESH_PASSWORD, else a prompt)"),
    MINER_STR("--port-file", "F", port_file, "write the gRPC port actually used to F"),
    {.name = "--prometheus-port", .metavar = "P", .kind = NM_CLI_PORT,
     .offset = offsetof(struct miner_opts, prometheus_port), .want = "a port (0-65535)",
     .help = "metrics on 127.0.0.1:P/metrics (0 picks; default off)"},
    NM_CLI_OPT_FLAG(struct miner_opts, "--no-chain", no_chain,
                    "no node: CODE_GEN_BASE schemas, no registration check"),
    NM_CLI_OPT_FLAG(struct miner_opts, "--quiet", quiet, "no per-call log lines"),
    NM_CLI_OPT_HELP(struct miner_opts, help),
    {.name = NULL},
};

static const char synopsis[] =
    "usage: neuromesh miner --subnet ID --as NAME --listen HOST:PORT --backend SPEC\n"
    "                       [--timeout-ms T] [--max-concurrency N] [--url ws://NODE]\n"
    "                       [--workers N] [--model NAME] [--api-key-file F]\n"
    "                       [--password-file F] [--port-file F] [--prometheus-port P]\n"
    "                       [--quiet]\n"
    "       neuromesh miner --no-chain --listen HOST:PORT --backend SPEC [...]\n"
    "\n"
    "Serves neuromesh.miner.v1.MinerService (Infer, HealthCheck) and\n"
    "grpc.health.v1.Health over gRPC until SIGINT or SIGTERM (docs/miner.md).\n\n";

/* 0: run; 2: a usage error (printed); -1: --help printed. */
static int parse_args(int argc, char **argv, struct miner_opts *o)
{
    *o = (struct miner_opts){.subnet = -1, .listen = "127.0.0.1:50051", .timeout_ms = 30000,
                             .max_concurrency = 64, .workers = 4, .prometheus_port = -1};
    const struct nm_cli_group group = {.options = miner_options, .dst = o};
    struct nm_cli_args a = {.command = "miner", .groups = &group, .ngroups = 1};
    int rc = nm_cli_parse_main(&a, argc, argv, &o->help, synopsis, NM_LOG_FLAG_HELP);
    if (rc)
        return rc;
    if (!o->backend) {
        fprintf(stderr, "error: missing --backend (builtin, echo, exec:CMD or openai:URL)\n");
        return 2;
    }
    if (!o->no_chain && (o->subnet < 0 || !o->as)) {
        fprintf(stderr, "error: missing --subnet ID and --as NAME (or --no-chain)\n");
        return 2;
    }
    return 0;
}

/* "grpc://HOST:PORT" of the listen address with the port actually bound. */
static void endpoint_of(const char *listen, int port, char *out, size_t cap)
{
    const char *colon = strrchr(listen, ':');
    int host_len = colon ? (int)(colon - listen) : (int)strlen(listen);
    snprintf(out, cap, "grpc://%.*s:%d", host_len, listen, port);
}

/* The chain checks; on success *subnet holds the schemas. */
static int chain_check(struct nm_session *s, const struct miner_opts *o,
                       struct nm_role_subnet *subnet, struct nm_role_neuron *me)
{
    char err[512];
    int rc = nm_role_subnet_get(s, (unsigned)o->subnet, subnet, err, sizeof err);
    if (!rc && (rc = nm_role_neuron_find(s, (unsigned)o->subnet, me, err, sizeof err)))
        nm_role_subnet_fini(subnet);
    if (rc) {
        nm_log(NM_LOG_ERROR, "miner", "%s", err);
        return rc;
    }
    if (me->uid < 0 || strcmp(me->role, "miner") != 0) {
        nm_log(NM_LOG_ERROR, "miner", "%s (%s) is not registered as a miner on subnet %d%s; register "
                "with: neuromesh exec --as %s 'register miner %d --stake AMOUNT --endpoint "
                "grpc://%s'",
                o->as, me->address, o->subnet, me->uid >= 0 ? " (it is a validator)" : "", o->as,
                o->subnet, o->listen);
        nm_role_subnet_fini(subnet);
        return NM_E_NOT_REGISTERED;
    }
    return 0;
}

static int endpoint_sync(struct nm_session *s, const struct miner_opts *o,
                         const struct nm_role_neuron *me, const char *endpoint)
{
    if (strcmp(me->endpoint, endpoint) == 0)
        return 0;
    char line[512];
    snprintf(line, sizeof line, "neuron endpoint %d %s", o->subnet, endpoint);
    char msg[512];
    int rc = nm_cmd_run_quiet(NULL, s, line, msg, sizeof msg);
    if (rc)
        nm_log(NM_LOG_ERROR, "miner", "on-chain endpoint %s differs from %s and the update "
                                      "failed: %s",
               me->endpoint, endpoint, msg);
    else
        nm_log(NM_LOG_INFO, "miner", "on-chain endpoint was %s, now %s",
                *me->endpoint ? me->endpoint : "(none)", endpoint);
    return rc;
}

/* Announces the endpoint over p2p (through the node), at start and then
 * every 30 s; a node without p2p is told once. */
static void announce(struct nm_session *s, long subnet, const char *endpoint, int *failed)
{
    char err[256];
    if (!s || *failed > 0)
        return;
    if (nm_role_announce(s, (unsigned)subnet, "miner", endpoint, err, sizeof err)) {
        nm_log(NM_LOG_WARN, "miner", "not announced over p2p: %s", err);
        *failed = 1;
    } else if (*failed == 0) {
        nm_log(NM_LOG_INFO, "miner", "announced %s on the subnet's p2p topic", endpoint);
        *failed = -1;
    }
}

static void wait_for_signal(struct nm_miner_server *srv, const sigset_t *set, int quiet,
                            struct nm_session *s, long subnet, const char *endpoint)
{
    struct nm_miner_stats last = {0};
    int failed = 0;
    announce(s, subnet, endpoint, &failed);
    for (unsigned turn = 1;; turn++) {
        struct timespec ts = {.tv_sec = 10};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            return;
        if (turn % 3 == 0)
            announce(s, subnet, endpoint, &failed);
        struct nm_miner_stats st;
        nm_miner_server_stats(srv, &st);
        if (!quiet && memcmp(&st, &last, sizeof st) != 0)
            nm_log(NM_LOG_INFO, "miner", "ok %llu, invalid %llu, busy %llu, deadline %llu, failed %llu, "
                    "health %llu, in flight %u",
                    (unsigned long long)st.infer_ok, (unsigned long long)st.invalid,
                    (unsigned long long)st.exhausted, (unsigned long long)st.deadline,
                    (unsigned long long)st.failed, (unsigned long long)st.health, st.in_flight);
        last = st;
    }
}

int nm_miner_main(int argc, char **argv)
{
    struct miner_opts o;
    int prc = parse_args(argc, argv, &o);
    if (prc)
        return prc < 0 ? 0 : prc;
    char why[300];
    if (!nm_grpc_load(why, sizeof why)) {
        fprintf(stderr, "error: %s\n", why);
        return 1;
    }
    /* Signals go to sigtimedwait below, never to gRPC's threads. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int exit_code = 1;
    char err[512] = "";
    struct nm_session *session = NULL;
    struct nm_role_subnet subnet = {0};
    struct nm_role_neuron me = {0};
    struct nm_miner_backend *backend = NULL;
    struct nm_miner_server *server = NULL;
    struct nm_miner_metrics *metrics = NULL;
    struct nm_miner_backend_options bo = {
        .workers = (int)o.workers, .model = o.model, .api_key_file = o.api_key_file};
    if (nm_miner_backend_new(o.backend, &bo, &backend, err, sizeof err)) {
        nm_log(NM_LOG_ERROR, "miner", "%s", err);
        exit_code = 2;
        goto out;
    }
    if (!o.no_chain) {
        struct nm_session_config sc = {
            .url = o.url, .signer = o.as, .password_file = o.password_file};
        if (nm_session_new(&sc, NULL, &session) || nm_session_connect(session, err, sizeof err)) {
            nm_log(NM_LOG_ERROR, "miner", "%s", *err ? err : "out of memory");
            goto out;
        }
        if (chain_check(session, &o, &subnet, &me))
            goto out;
    }
    struct nm_miner_server_config cfg = {
        .listen = o.listen,
        .timeout_ms = (int)o.timeout_ms,
        .max_concurrency = (int)o.max_concurrency,
        .input_schema = o.no_chain ? nm_codegen_input_schema : subnet.input_schema,
        .output_schema = o.no_chain ? nm_codegen_output_schema : subnet.output_schema,
        .backend = backend,
        .quiet = o.quiet,
    };
    if (nm_miner_server_start(&cfg, &server, err, sizeof err)) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    int port = nm_miner_server_port(server);
    char endpoint[300];
    endpoint_of(o.listen, port, endpoint, sizeof endpoint);
    if (session && endpoint_sync(session, &o, &me, endpoint))
        goto out;
    if (o.port_file) {
        FILE *f = fopen(o.port_file, "w");
        if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
            nm_log(NM_LOG_ERROR, "miner", "cannot write %s", o.port_file);
            goto out;
        }
    }
    if (o.prometheus_port >= 0) {
        if (nm_miner_metrics_start((int)o.prometheus_port, server, &metrics, err, sizeof err)) {
            nm_log(NM_LOG_ERROR, "miner", "%s", err);
            goto out;
        }
        nm_log(NM_LOG_INFO, "miner", "metrics on http://127.0.0.1:%d/metrics",
                nm_miner_metrics_port(metrics));
    }
    if (o.no_chain)
        nm_log(NM_LOG_INFO, "miner", "serving %s with backend %s (no chain)", endpoint + 7,
                backend->ops->kind);
    else
        nm_log(NM_LOG_INFO, "miner", "serving subnet %d as %s (uid %ld) on %s with backend %s",
                o.subnet, o.as, me.uid, endpoint + 7, backend->ops->kind);
    wait_for_signal(server, &set, o.quiet, o.no_chain ? NULL : session, o.subnet, endpoint);
    nm_log(NM_LOG_INFO, "miner", "stopping");
    exit_code = 0;
out:
    nm_miner_metrics_stop(metrics);
    nm_miner_server_stop(server);
    nm_miner_backend_free(backend);
    nm_role_subnet_fini(&subnet);
    nm_session_free(session);
    return exit_code;
}
