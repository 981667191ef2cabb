/* validator.h - the validator client (issue 12, seed NODE-003): discovers
 * the subnet's miners from chain state every round, asks a stratified,
 * seeded sample of them the subnet's evaluation tasks over gRPC, scores
 * the answers (CODE_GEN_BASE in the sandbox, or an exec:CMD scorer), keeps
 * a moving average per miner in its own SQLite database and submits
 * normalised weights once per tempo (commit then reveal where the subnet
 * requires it; the commit survives a restart in $NEUROMESH_HOME/commits).
 *
 * Failures never stop a round: a miner that times out, refuses or answers
 * garbage is recorded with its UID and the reason and its score decays;
 * transient gRPC errors are retried with backoff; the JSON-RPC link
 * reconnects (rpc/client.h). All chain access goes through JSON-RPC. */
#ifndef NM_VALIDATOR_H
#define NM_VALIDATOR_H

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_session;

struct nm_validator_config {
    unsigned subnet;
    const char *as;            /* signer: key-store key or dev name */
    const char *url;           /* node JSON-RPC; NULL: ws://127.0.0.1:9944 */
    const char *password_file;
    int sample;                /* miners per round; <= 0: 16 */
    int concurrency;           /* queries at once; <= 0: 8 */
    int timeout_ms;            /* per query; <= 0: 10000 */
    const char *scorer;        /* "builtin" (NULL) or "exec:CMD" */
    const char *db_path;       /* NULL: $NEUROMESH_HOME/validator-SUBNET-NAME.db */
    const char *held_out;      /* held-out task file, or NULL */
    uint32_t alpha_permille;   /* moving average weight of a new score; 0: 300 */
    int round_ms;              /* pause between rounds; <= 0: 2000 */
    int max_rounds;            /* stop after this many (tests); 0: until stopped */
    bool quiet;
    /* Runs one console command line on the validator's session (`weights
     * submit|commit|reveal ...`: the console's commands keep a commit's
     * weights and salt for its reveal); 0 or NM_E_* with a one-line
     * message. Given by the program that starts the validator
     * (console/cli/validator_cmd.c: nm_cmd_run_quiet), so node/ never
     * includes console/. Required. */
    int (*run_command)(void *ud, struct nm_session *s, const char *line, char *msg, size_t cap);
    void *run_command_ud;
};

struct nm_validator;

/* Checks (subnet active, NAME registered as a validator, database opens)
 * and prepares; NM_E_* with a message in err. */
int nm_validator_new(const struct nm_validator_config *cfg, struct nm_validator **out,
                     char *err, size_t cap);
/* Runs rounds until *stop is set or max_rounds. */
int nm_validator_run(struct nm_validator *v, volatile sig_atomic_t *stop);
/* The state for the JSON-RPC methods and metrics: {"subnet":..,"uid":..,
 * "round":..,"miners":[{"uid","endpoint","score","queries","successes",
 * "success_rate","latency_p50_ms","latency_p99_ms","last_error"}...],
 * "last_weights":{...}}. Caller frees. */
cJSON *nm_validator_status(struct nm_validator *v);
void nm_validator_free(struct nm_validator *v);

/* Called after every round with a fresh status (may be NULL). */
void nm_validator_on_round(struct nm_validator *v, void (*fn)(void *ud, cJSON *status),
                           void *ud);

#endif
