/* cmd_api.h - what a console command module (console/commands/cmd_*.c) needs: the
 * table type it exports its commands with (every table is listed in
 * console/commands/commands.c), read access to the command being run, argument
 * parsers that fail with the house messages, result helpers, node calls,
 * text layout, and the "sign, submit, report" helper the signing commands
 * share.
 *
 * Conventions. A helper that takes ctx and returns int returns 0 on
 * success; on failure it has already set the result (status, NM_E_* code,
 * message) and returns that NM_E_* code, so a handler simply returns it.
 * Messages name what failed first, lowercase, no period, at most a bounded
 * quote of user input (nm_cmd_quote); the dispatcher puts the command
 * words in front ("stake add: ..."). Handlers never print: they end with
 * nm_cmd_ok (a JSON object and its human rendering) or a failure.
 * Everything here runs on the console's thread. */
#ifndef NM_CMD_API_H
#define NM_CMD_API_H

#include "console/commands/commands.h"
#include "console/commands/jget.h"
#include "node/call.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tables ---- */

/* A module's commands. A command's words are unique across all tables;
 * lookup, prefixes, help and completion see every table as one list, in
 * the order commands.c lists the tables. */
struct nm_cmd_table {
    const struct nm_cmd_entry *entries;
    size_t count;
};

/* Initialiser for a table over a static array: NM_CMD_TABLE(entries). */
#define NM_CMD_TABLE(array) {(array), sizeof(array) / sizeof((array)[0])}

/* The modules' tables (declare a new one here, list it in commands.c). */
extern const struct nm_cmd_table nm_cmd_chain_table;  /* console/commands/cmd_chain.c */
extern const struct nm_cmd_table nm_cmd_subnet_table; /* console/commands/cmd_subnet.c */
extern const struct nm_cmd_table nm_cmd_neuron_table; /* console/commands/cmd_neuron.c */
extern const struct nm_cmd_table nm_cmd_peer_table;   /* console/commands/cmd_peer.c */
extern const struct nm_cmd_table nm_cmd_bft_table;    /* console/commands/cmd_bft.c */
/* weights/consensus commands (console/commands/cmd_weights.c) */
extern const struct nm_cmd_table nm_cmd_weights_table;
/* metagraph (console/commands/cmd_consensus.c): the consensus columns of neuron_list's
 * neurons (weight, incentive, reward, reputation, similarity) as a second
 * table, once an epoch has been processed. */
struct nm_cmd_text;
void nm_cmd_weights_metagraph(const cJSON *neurons, struct nm_cmd_text *t);
/* The reading rows of the weights table (console/commands/cmd_consensus.c). */
extern const struct nm_cmd_option nm_cmd_weights_show_options[];
int nm_cmd_weights_show(struct nm_cmd_ctx *ctx);
int nm_cmd_epoch_show(struct nm_cmd_ctx *ctx);
int nm_cmd_collusion_show(struct nm_cmd_ctx *ctx);
/* governance commands (console/commands/cmd_gov.c) */
extern const struct nm_cmd_table nm_cmd_gov_table;
/* `params` (console/commands/cmd_params.c), and a parameter's value in its
 * display unit (unit as chain_params names it: "1 NMT", "41%",
 * "10 blocks") into out. */
extern const struct nm_cmd_table nm_cmd_params_table;
/* the address book (console/commands/contacts.c) */
extern const struct nm_cmd_table nm_cmd_contacts_table;
const char *nm_cmd_param_text(const char *unit, uint64_t value, char *out, size_t cap);
/* A proposal's one-line summary (gov_proposals item): for a parameter
 * change "tx_fee 0.0001 NMT → 0.0002 NMT" in display units ("->" without
 * utf8; executed: the value it replaced → the value it set), for a spend
 * "pay 5 NMT from the treasury to 5F5kop…N2bsfu", else the node's own. */
const char *nm_cmd_proposal_summary(const cJSON *proposal, bool utf8, char *out, size_t cap);
/* the key store's commands, from the shell (console/commands/keycmd.c) */
extern const struct nm_cmd_table nm_cmd_key_table;
/* miner and validator role commands (console/commands/cmd_roles.c) */
extern const struct nm_cmd_table nm_cmd_roles_table;
/* governance: `subnet create`'s options plus --bond, and its spec checks
 * (console/commands/cmd_subnet.c), for `propose subnet`. */
struct nm_subnet_spec;
extern const struct nm_cmd_option nm_cmd_propose_subnet_options[];
int nm_cmd_subnet_spec_build(struct nm_cmd_ctx *ctx, struct nm_subnet_spec *spec);

/* Flags of a command that signs: a signer and the node. */
#define NM_CMD_SIGNED (NM_CMD_SIGNS | NM_CMD_NEEDS_NODE)
/* A signing command the interactive console confirms first. */
#define NM_CMD_SIGNED_CONFIRM (NM_CMD_SIGNED | NM_CMD_CONFIRM)

/* ---- the command being run ---- */

/* Its table entry (words, usage, NM_CMD_* flags ...). */
const struct nm_cmd_entry *nm_cmd_entry_of(const struct nm_cmd_ctx *ctx);
/* Positional arguments: their number (entry's min_args..max_args, checked
 * by the dispatcher) and argument i, NULL when i is out of range. */
int nm_cmd_nargs(const struct nm_cmd_ctx *ctx);
const char *nm_cmd_arg(const struct nm_cmd_ctx *ctx, int i);
/* The value of option name ("--stake") on this line; "" for a flag that
 * was given; NULL when the option was not given. */
const char *nm_cmd_opt(const struct nm_cmd_ctx *ctx, const char *name);
/* Whether option name (a flag or one with a value) was given. */
bool nm_cmd_flag(const struct nm_cmd_ctx *ctx, const char *name);
/* The session; NULL when running offline (only for commands without
 * NM_CMD_NEEDS_NODE, and in nm_cmd_build_call). */
struct nm_session *nm_cmd_session(const struct nm_cmd_ctx *ctx);
/* --as NAME of this line, or NULL (then the session's default applies). */
const char *nm_cmd_as(const struct nm_cmd_ctx *ctx);
/* Whether a signer is named: --as on the line or the session's default. */
bool nm_cmd_has_signer(const struct nm_cmd_ctx *ctx);
/* The signer's address, without unlocking anything. */
int nm_cmd_signer_account(struct nm_cmd_ctx *ctx, nm_account *out);
/* Signing commands: the call the entry's build made (valid in handler). */
const struct nm_call *nm_cmd_call(const struct nm_cmd_ctx *ctx);

/* ---- results ---- */

/* Fails with status (NM_CMD_USAGE for bad input, NM_CMD_FAILED for the
 * rest), err (NM_E_*) and a printf message; returns err. */
int nm_cmd_fail(struct nm_cmd_ctx *ctx, enum nm_cmd_status status, int err, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
/* For calls that write their own message (nm_session_*): the buffer to
 * pass them, then nm_cmd_failed(ctx, rc) on failure, which keeps that
 * message (status USAGE for NM_E_USAGE, FAILED otherwise); returns err. */
char *nm_cmd_errbuf(struct nm_cmd_ctx *ctx, size_t *cap);
int nm_cmd_failed(struct nm_cmd_ctx *ctx, int err);
/* Fails with NM_E_NOMEM; returns it. */
int nm_cmd_oom(struct nm_cmd_ctx *ctx);
/* The NM_E_* the result holds so far (0 while nothing failed). */
int nm_cmd_err(const struct nm_cmd_ctx *ctx);

/* A growing text buffer; start with {0}. nm_cmd_printf after an
 * allocation failure does nothing and the failure shows at take/ok. */
struct nm_cmd_text {
    char *p;
    size_t len, cap;
    bool oom;
};
void nm_cmd_printf(struct nm_cmd_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Takes the text (malloc'd, "" when empty); NULL when out of memory. */
char *nm_cmd_text_take(struct nm_cmd_text *t);
/* Frees a text that will not be taken. */
void nm_cmd_text_fini(struct nm_cmd_text *t);

/* Success: takes json (the result object, what --json prints) and the
 * text of t (the human rendering, ending with '\n'). NM_E_NOMEM when
 * either is missing. Returns 0 or that error. */
int nm_cmd_ok(struct nm_cmd_ctx *ctx, cJSON *json, struct nm_cmd_text *t);

/* An aligned text table: set ncols and right[] (numeric columns), add
 * rows of exactly ncols strings (copied; NULL prints as ""), render, fini.
 * The first row is usually the header. */
#define NM_CMD_GRID_MAX_COLS 8
struct nm_cmd_grid {
    int ncols;
    bool right[NM_CMD_GRID_MAX_COLS];
    char **cells;
    int nrows, cap;
    bool oom;
};
void nm_cmd_grid_row(struct nm_cmd_grid *g, ...);
void nm_cmd_grid_render(const struct nm_cmd_grid *g, struct nm_cmd_text *t);
void nm_cmd_grid_fini(struct nm_cmd_grid *g);

/* ---- arguments ---- */

/* At most 40 characters of s with control characters replaced and "..."
 * when cut, for quoting user input in a message. Returns out. */
#define NM_CMD_QUOTE_CAP 64
const char *nm_cmd_quote(const char *s, char out[NM_CMD_QUOTE_CAP]);

/* Decimal digits only (no sign, no blanks, at most 19), value in lo..hi.
 * Checks only: sets no result. */
bool nm_cmd_parse_uint(const char *text, uint64_t lo, uint64_t hi, uint64_t *out);
/* The same as arguments named what: `invalid WHAT "TEXT": expected
 * LO..HI`, NM_E_INVAL, status USAGE. */
int nm_cmd_parse_u64(struct nm_cmd_ctx *ctx, const char *what, const char *text, uint64_t lo,
                     uint64_t hi, uint64_t *out);
int nm_cmd_parse_u16(struct nm_cmd_ctx *ctx, const char *what, const char *text, uint16_t lo,
                     uint16_t hi, uint16_t *out);
/* A subnet id, 1..65535 ("invalid subnet id ..."). */
int nm_cmd_parse_subnet(struct nm_cmd_ctx *ctx, const char *text, uint16_t *out);
/* An amount of NMT ("10", "0.5", at most 9 decimals) into units; what
 * names it in messages ("amount", "stake"). NM_E_DECIMALS, NM_E_OVERFLOW,
 * NM_E_AMOUNT, and NM_E_ZERO_AMOUNT for 0 when nonzero. */
int nm_cmd_parse_amount(struct nm_cmd_ctx *ctx, const char *what, const char *text,
                        bool nonzero, uint64_t *out);
/* A percentage 0..100, "10" or "10%" (NM_E_BAD_PERCENT). */
int nm_cmd_parse_percent(struct nm_cmd_ctx *ctx, const char *what, const char *text,
                         uint8_t *out);
/* An account a person typed: SS58 address, key name, or dev name on a dev
 * chain (needs the session). Malformed addresses and unknown names are
 * USAGE (NM_E_ADDRESS, NM_E_CHECKSUM, NM_E_UNKNOWN_ACCOUNT), the rest
 * FAILED. */
int nm_cmd_resolve_account(struct nm_cmd_ctx *ctx, const char *text, nm_account *out);
/* A neuron endpoint, by the registry's own rule (nm_endpoint_check), so
 * the verdict is the node's (NM_E_BAD_ENDPOINT). */
int nm_cmd_check_endpoint(struct nm_cmd_ctx *ctx, const char *text);

/* ---- the node ---- */

/* A params array of n items (cJSON *), taken; NULL when one is NULL or
 * out of memory (then all are freed). */
cJSON *nm_cmd_params(int n, ...);
/* One JSON-RPC call; params is taken (NULL for []), *result is the
 * caller's. Failure: the node's error as the result. */
int nm_cmd_rpc(struct nm_cmd_ctx *ctx, const char *method, cJSON *params, cJSON **result);

/* Reading answers: console/commands/jget.h (nm_jget_str, nm_jget_u64). */
/* "1.500000000 NMT": of an amount field, of a number of units. */
#define NM_CMD_AMOUNT_CAP 48
const char *nm_cmd_jamount(const cJSON *o, const char *key, char out[NM_CMD_AMOUNT_CAP]);
const char *nm_cmd_amount_text(uint64_t units, char out[NM_CMD_AMOUNT_CAP]);
/* "0x12345678..abcd" of a long hex hash. */
/* What a table shows for an account: its name when the operator knows it
 * (a key, a dev account on a dev chain, a contact: names.h), else the
 * address itself; --json keeps the address. */
const char *nm_cmd_account_text(struct nm_cmd_ctx *ctx, const char *address, char *buf,
                                size_t cap);
#define NM_CMD_SHORT_HASH_CAP 20
const char *nm_cmd_short_hash(const char *hash, char out[NM_CMD_SHORT_HASH_CAP]);

/* ---- signing ---- */

/* What an included, successful extrinsic left. */
struct nm_cmd_submitted {
    cJSON *json;         /* {extrinsic, block, block_hash, index, events} (owned) */
    const cJSON *events; /* its events array, inside json */
    uint64_t height;     /* the including block */
};

/* Signs nm_cmd_call(ctx) as the signer, submits it and waits for its
 * block. First a preflight asks the node about what would fail inside the
 * block for the calls it knows (unknown or retired subnet, not the owner,
 * already / not registered, stake to unbond, unchanged endpoint), so no
 * fee is paid for those. A call included but failed says "in block N".
 * On success out->json is the caller's (usually handed to nm_cmd_ok). */
int nm_cmd_submit(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *out);

/* Renders a successful submission: may add fields to sub->json and must
 * write the text (one line ending with '\n'); returns 0, or fails with
 * nm_cmd_fail (json and text are then freed by the caller). */
typedef int (*nm_cmd_render_fn)(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                                struct nm_cmd_text *t);
/* The handler of most signing commands: nm_cmd_submit, then render, then
 * nm_cmd_ok with the outcome object and the text. */
int nm_cmd_submit_render(struct nm_cmd_ctx *ctx, nm_cmd_render_fn render);

/* The data object of the first event called name ("registry.Registered")
 * in an events array; NULL when none. */
const cJSON *nm_cmd_find_event(const cJSON *events, const char *name);

/* The handler of every `propose ...` command (cmd_gov.c): the checks
 * before signing a proposal (bond, funds, kind rules), then submit. */
int nm_cmd_gov_propose(struct nm_cmd_ctx *ctx);

#endif
