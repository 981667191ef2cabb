/* dashboard_queue.h - the one door into the console's UI thread: other
 * threads (the RPC client's notification callbacks, the feeder that polls
 * the node, the command runner, the embedded node's log) push messages
 * here, and the UI loop wakes on an eventfd, takes them all and applies
 * them on its own thread. Nothing but the UI thread touches curses or
 * readline.
 *
 * Thread-safe. The queue is bounded: past NM_DQ_MAX waiting messages new
 * ones are dropped (and counted), so a stalled terminal cannot make the
 * console grow without limit. */
#ifndef NM_DASHBOARD_QUEUE_H
#define NM_DASHBOARD_QUEUE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#define NM_DQ_MAX 8192

enum nm_dq_kind {
    NM_DQ_LINK,         /* status: enum nm_link_state; text: a sentence */
    NM_DQ_METHODS,      /* json: rpc_methods' result */
    NM_DQ_CHAIN,        /* json: chain_info */
    NM_DQ_HEAD,         /* json: a chain_newHead header */
    NM_DQ_HEALTH,       /* json: system_health */
    NM_DQ_SUBNETS,      /* json: subnet_list's array */
    NM_DQ_NEURONS,      /* json: neuron_list's {subnet, neurons}; num: the subnet */
    NM_DQ_EVENTS,       /* json: {height, events} (events_get or events_update) */
    NM_DQ_EPOCH,        /* json: epoch_update / epoch_info */
    NM_DQ_LATENCY,      /* json: {p50_us, p95_us, p99_us, calls, source} */
    NM_DQ_PROPOSALS,    /* json: gov_proposals' result; status -1: not served */
    NM_DQ_PEERS,        /* json: system_peers' array */
    NM_DQ_BFT,          /* json: bft_state (or a bft_round notification) */
    NM_DQ_BFT_SET,      /* json: bft_authorities */
    NM_DQ_NODE_LOG,     /* text: a line the embedded node logged */
    NM_DQ_OUTPUT,       /* status: 0 ok, else error; text: command output */
    NM_DQ_CMD_DONE,     /* status: the command's nm_cmd_status */
    NM_DQ_ASK_PASSWORD, /* text: the prompt; answer with nm_runner_answer_password */
    NM_DQ_SIGNER,       /* text: the signer now in use ("" none); json: {address} */
    NM_DQ_QUIT,         /* the runner saw `quit` (script and plain modes) */
    NM_DQ_BELL,         /* a watch rule rings the bell */
    /* the roles feeder (dashboard_roles.h); status 0 ok, else text says why;
     * num: monotonic ms of the fetch */
    NM_DQ_API,          /* json: an aggregator's GET /v1/health */
    NM_DQ_API_MINERS,   /* json: its GET /v1/subnets/ID/miners */
    NM_DQ_VALIDATOR,    /* json: a validator client's validator_status */
};

struct nm_dq_msg {
    struct nm_dq_msg *next;
    enum nm_dq_kind kind;
    int status;
    int64_t num;
    cJSON *json; /* owned */
    char *text;  /* owned */
};

struct nm_dq;

/* NM_E_NOMEM, NM_E_IO (no eventfd). */
int nm_dq_new(struct nm_dq **out);
/* Frees the queue and every message still in it. */
void nm_dq_free(struct nm_dq *q);
/* Readable (POLLIN) while messages wait. */
int nm_dq_fd(const struct nm_dq *q);
/* Appends a message; json is taken (freed on failure too), text copied
 * (may be NULL). Returns 0, or -1 when dropped (full or out of memory). */
int nm_dq_push(struct nm_dq *q, enum nm_dq_kind kind, int status, int64_t num, cJSON *json,
               const char *text);
/* Takes every waiting message, oldest first (NULL when none), and resets
 * the wake-up. Free each with nm_dq_msg_free. */
struct nm_dq_msg *nm_dq_take_all(struct nm_dq *q);
void nm_dq_msg_free(struct nm_dq_msg *m);
/* Messages dropped so far because the queue was full. */
uint64_t nm_dq_dropped(struct nm_dq *q);

#endif
