/* methods_chain.c - the chain's JSON-RPC methods: system_*, chain_*,
 * author_*, account_get, subnet_*, neuron_list, events_get (docs/rpc.md).
 * Shapes follow Substrate where Substrate has the method. */
#include "rpc/method_api.h"

#include "node/bft/cert.h"
#include "node/json.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/admission.h"
#include "node/extrinsic.h"
#include "node/fee.h"
#include "node/params_json.h"
#include "node/pallets/balances.h"
#include "node/pallets/consensus.h"
#include "node/pallets/registration.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NM_VERSION "0.1.0"

/* SQLite's LIMIT and OFFSET are signed: a negative limit means none. */
static void bind_page(sqlite3_stmt *st, int i, uint64_t offset, uint64_t limit)
{
    sqlite3_bind_int64(st, i, limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
    sqlite3_bind_int64(st, i + 1, offset > INT64_MAX ? INT64_MAX : (sqlite3_int64)offset);
}

cJSON *nm_rpc_events_json(struct nm_chain *c, uint64_t height, int extrinsic, uint64_t offset,
                          uint64_t limit)
{
    sqlite3_stmt *st = nm_db_stmt(c->db, "SELECT idx, extrinsic, name, data FROM events"
                                         " WHERE height=?1 ORDER BY idx LIMIT ?2 OFFSET ?3");
    if (!st)
        return NULL;
    nm_bind_u64(st, 1, height);
    bind_page(st, 2, offset, limit);
    cJSON *list = cJSON_CreateArray();
    while (sqlite3_step(st) == SQLITE_ROW) {
        bool has_ext = sqlite3_column_type(st, 1) != SQLITE_NULL;
        if (extrinsic >= 0 && (!has_ext || sqlite3_column_int(st, 1) != extrinsic))
            continue;
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "index", sqlite3_column_int(st, 0));
        if (has_ext)
            cJSON_AddNumberToObject(ev, "extrinsic", sqlite3_column_int(st, 1));
        else
            cJSON_AddNullToObject(ev, "extrinsic");
        cJSON_AddStringToObject(ev, "name", (const char *)sqlite3_column_text(st, 2));
        cJSON *data = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
        nm_json_add(ev, "data", data ? data : cJSON_CreateObject());
        nm_json_append(list, ev);
    }
    sqlite3_reset(st);
    return list;
}

static int header_at(struct nm_rpc_request *r, uint64_t height, cJSON **result,
                     struct nm_rpc_error_out *e)
{
    struct nm_header h;
    int err = nm_chain_header_at(r->chain, height, &h);
    if (err)
        return nm_rpc_fail_chain(e, err, NULL);
    *result = nm_header_json(&h);
    return *result ? 0 : nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
}

static int m_system_health(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    (void)e;
    int peers = nm_rpc_p2p_peer_count(r->methods);
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "peers", peers);
    cJSON_AddBoolToObject(*result, "isSyncing", nm_rpc_p2p_syncing(r->methods));
    cJSON_AddBoolToObject(*result, "shouldHavePeers",
                          nm_rpc_methods_hooks(r->methods)->p2p != NULL);
    cJSON_AddStringToObject(*result, "reachability", nm_rpc_p2p_reachability(r->methods));
    return 0;
}

static int m_system_version(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateString(NM_VERSION);
    return 0;
}

static int m_system_name(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateString("neuromesh");
    return 0;
}

static int m_system_chain(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    (void)e;
    *result = cJSON_CreateString(r->chain->spec.name);
    return 0;
}

static int m_system_properties(struct nm_rpc_request *r, cJSON **result,
                               struct nm_rpc_error_out *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "ss58Format", NM_SS58_PREFIX);
    cJSON_AddNumberToObject(*result, "tokenDecimals", NM_AMOUNT_DECIMALS);
    cJSON_AddStringToObject(*result, "tokenSymbol", "NMT");
    return 0;
}

/* The console's `params` (node/params_json.c). */
static int m_chain_params(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    *result = nm_params_json(&r->chain->rt.params);
    return *result ? 0 : nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
}

static int m_chain_info(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    (void)e;
    struct nm_chain *c = r->chain;
    char hex[NM_HASH_HEXLEN];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->spec.name);
    cJSON_AddStringToObject(o, "id", c->spec.id);
    cJSON_AddBoolToObject(o, "dev", c->spec.dev);
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->rt, c->best.height, &pos);
    nm_epoch_json_add(o, &pos); /* height, epoch, tempo and where in the epoch */
    cJSON_AddNumberToObject(o, "finalized", (double)c->best.height);
    cJSON_AddStringToObject(o, "best_hash", nm_hash_hex(&c->best_hash, hex));
    cJSON_AddStringToObject(o, "genesis_hash", nm_hash_hex(&c->genesis, hex));
    cJSON_AddNumberToObject(o, "block_time_ms", (double)c->rt.params.block_time_ms);
    cJSON_AddNumberToObject(o, "timestamp", (double)c->best.timestamp_ms);
    nm_json_add_amount(o, "tx_fee", c->rt.params.tx_fee);
    nm_json_add_amount(o, "tx_byte_fee", c->rt.params.tx_byte_fee);
    nm_json_add_amount(o, "tx_weight_fee", c->rt.params.tx_weight_fee);
    nm_json_add_amount(o, "existential_deposit", c->rt.params.existential_deposit);
    nm_json_add_amount(o, "faucet_amount", c->spec.dev ? c->rt.params.faucet_amount : 0);
    nm_json_add_amount(o, "unlock_period_blocks", c->rt.params.unlock_period_blocks);
    cJSON_AddNumberToObject(o, "pending", (double)c->pool.count);
    *result = o;
    return 0;
}

static int m_chain_getHeader(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint64_t height;
    if (nm_rpc_param_block(r, 0, &height, e))
        return -1;
    return header_at(r, height, result, e);
}

/* Substrate's shape, [[engine id as 4 bytes, 0x bytes]], with BFT finality's
 * commit certificate under the engine id "BFT0"; and, our own, the
 * certificate decoded (height, round, block, signer indexes). null when
 * the block has none (chains with one authority). */
static void add_justifications(cJSON *o, const struct nm_block *b)
{
    struct nm_bft_cert cert;
    char *hex = NULL;
    size_t cap = 2 * b->justification_len + 3;
    if (!b->justification_len || nm_bft_cert_decode(b->justification, b->justification_len,
                                                    &cert) != 0) {
        cJSON_AddNullToObject(o, "justifications");
        return;
    }
    cJSON *list = cJSON_AddArrayToObject(o, "justifications");
    cJSON *pair = cJSON_CreateArray();
    static const int engine[4] = {'B', 'F', 'T', '0'};
    nm_json_append(pair, cJSON_CreateIntArray(engine, 4));
    if ((hex = malloc(cap)))
        nm_json_append(pair, cJSON_CreateString(nm_hex_encode(b->justification,
                                                              b->justification_len, hex, cap)));
    free(hex);
    nm_json_append(list, pair);
    cJSON *commit = cJSON_AddObjectToObject(o, "commit");
    char h[NM_HASH_HEXLEN];
    nm_json_add_u64(commit, "height", cert.height);
    cJSON_AddNumberToObject(commit, "round", cert.round);
    cJSON_AddStringToObject(commit, "block", nm_hash_hex(&cert.block, h));
    cJSON *signers = cJSON_AddArrayToObject(commit, "signers");
    for (uint32_t i = 0; i < cert.n_authorities; i++)
        if ((cert.signers[i / 8] >> (i % 8)) & 1)
            nm_json_append(signers, cJSON_CreateNumber(i));
    nm_bft_cert_fini(&cert);
}

/* A header's JSON, with room. */
#define HEADER_JSON_BYTES 1024

/* [hash?, offset?, limit?]: the block, or with offset/limit a page of its
 * extrinsics (then extrinsicsTotal and extrinsicsOffset beside block). The
 * page's size is reserved from the answer budget before it is built. */
static int m_chain_getBlock(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint64_t height, first, end;
    if (nm_rpc_param_block(r, 0, &height, e))
        return -1;
    bool paged = !nm_rpc_param_missing(nm_rpc_param(r, 1)) ||
                 !nm_rpc_param_missing(nm_rpc_param(r, 2));
    uint8_t *bytes;
    size_t len;
    int err = nm_chain_block_bytes(r->chain, height, &bytes, &len);
    if (err)
        return nm_rpc_fail_chain(e, err, NULL);
    struct nm_block b;
    if ((err = nm_block_decode(bytes, len, &b))) {
        free(bytes);
        return nm_rpc_fail_chain(e, err, NULL);
    }
    size_t need = HEADER_JSON_BYTES;
    int rc = nm_rpc_page(r, 1, b.count, &first, &end, e);
    for (uint64_t i = first; !rc && i < end; i++)
        need += 2 * b.lengths[i] + 5;
    if (!rc)
        rc = nm_rpc_budget_take(r, need, "ask a page: chain_getBlock [hash, offset, limit]", e);
    if (rc) {
        nm_block_fini(&b);
        free(bytes);
        return -1;
    }
    cJSON *block = cJSON_CreateObject();
    nm_json_add(block, "header", nm_header_json(&b.header));
    cJSON *exts = cJSON_AddArrayToObject(block, "extrinsics");
    for (uint64_t i = first; i < end; i++) {
        size_t cap = 2 * b.lengths[i] + 3;
        char *hex = malloc(cap);
        if (hex) {
            nm_json_append(
                exts, cJSON_CreateString(nm_hex_encode(b.extrinsics[i], b.lengths[i], hex, cap)));
            free(hex);
        }
    }
    *result = cJSON_CreateObject();
    nm_json_add(*result, "block", block);
    add_justifications(*result, &b);
    if (paged) {
        nm_json_add_u64(*result, "extrinsicsTotal", b.count);
        nm_json_add_u64(*result, "extrinsicsOffset", first);
    }
    nm_block_fini(&b);
    free(bytes);
    return 0;
}

static int m_chain_getBlockHash(struct nm_rpc_request *r, cJSON **result,
                                struct nm_rpc_error_out *e)
{
    uint64_t height = r->chain->best.height;
    if (!nm_rpc_param_missing(nm_rpc_param(r, 0)) && nm_rpc_param_u64(r, 0, &height, e))
        return -1;
    struct nm_header h;
    if (nm_chain_header_at(r->chain, height, &h)) {
        *result = cJSON_CreateNull();
        return 0;
    }
    nm_hash hash;
    char hex[NM_HASH_HEXLEN];
    if (nm_header_hash(&h, &hash))
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    *result = cJSON_CreateString(nm_hash_hex(&hash, hex));
    return 0;
}

static int m_chain_getFinalizedHead(struct nm_rpc_request *r, cJSON **result,
                                    struct nm_rpc_error_out *e)
{
    (void)e;
    char hex[NM_HASH_HEXLEN];
    *result = cJSON_CreateString(nm_hash_hex(&r->chain->best_hash, hex));
    return 0;
}

/* Event JSON beyond its name and data: index, extrinsic, keys. */
#define EVENT_JSON_OVERHEAD "96"

/* [height?, offset?, limit?]: a block's events, or a page of them; the
 * page's size (from the stored text) is reserved from the answer budget
 * before it is built. */
static int m_events_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint64_t height = r->chain->best.height, total = 0, first, end, need = 64;
    if (!nm_rpc_param_missing(nm_rpc_param(r, 0)) && nm_rpc_param_u64(r, 0, &height, e))
        return -1;
    if (height > r->chain->best.height)
        return nm_rpc_fail_chain(e, NM_E_UNKNOWN_BLOCK, NULL);
    sqlite3_stmt *st = nm_db_stmt(r->chain->db, "SELECT COUNT(*) FROM events WHERE height=?1");
    if (!st)
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    nm_bind_u64(st, 1, height);
    if (nm_db_sum_u64(st, &total))
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    if (nm_rpc_page(r, 1, total, &first, &end, e))
        return -1;
    st = nm_db_stmt(r->chain->db, "SELECT LENGTH(name) + LENGTH(data) + " EVENT_JSON_OVERHEAD
                                  " FROM events WHERE height=?1 ORDER BY idx LIMIT ?2 OFFSET ?3");
    if (!st)
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    nm_bind_u64(st, 1, height);
    bind_page(st, 2, first, end - first);
    uint64_t page_bytes = 0;
    if (nm_db_sum_u64(st, &page_bytes))
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    need += page_bytes;
    if (nm_rpc_budget_take(r, need, "ask a page: events_get [height, offset, limit]", e))
        return -1;
    cJSON *events = nm_rpc_events_json(r->chain, height, -1, first, end - first);
    if (!events)
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "height", (double)height);
    nm_json_add_u64(*result, "total", total);
    nm_json_add_u64(*result, "offset", first);
    nm_json_add(*result, "events", events);
    return 0;
}

static int m_account_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    nm_account who;
    if (nm_rpc_param_account(r, 0, &who, e))
        return -1;
    struct nm_account_info info;
    int err = nm_balances_get(r->chain->db, &who, &info);
    if (err)
        return nm_rpc_fail_chain(e, err, NULL);
    cJSON *o = nm_staking_account_json(r->chain->db, &who);
    if (!o)
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    nm_json_add_account(o, "address", &who);
    nm_json_add_amount(o, "free", info.free);
    cJSON_AddNumberToObject(o, "nonce", (double)info.nonce);
    *result = o;
    return 0;
}

static int m_subnet_list(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    *result = nm_subnets_list_json(r->chain->db);
    return *result ? 0 : nm_rpc_fail_chain(e, NM_E_DB, NULL);
}

static int m_subnet_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint16_t id = 0;
    if (nm_rpc_param_subnet(r, 0, &id, e))
        return -1;
    int err = 0;
    *result = nm_subnets_get_json(r->chain->db, id, &err);
    if (!*result)
        return nm_rpc_fail_chain(e, err ? err : NM_E_DB, NULL);
    /* issue 16: what registering costs now */
    cJSON *reg = nm_registration_json(r->chain->db, &r->chain->rt.params, id,
                                      r->chain->best.height);
    if (!reg) {
        cJSON_Delete(*result);
        *result = NULL;
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    }
    cJSON_AddItemToObject(*result, "registration", reg);
    return 0;
}

/* One neuron's JSON at most: its fields and keys, an endpoint escaped. */
#define NEURON_JSON_BYTES (768 + 2 * NM_ENDPOINT_MAX)

/* [subnet, offset?, limit?]: the metagraph, or a page of it by uid; the
 * page's size is reserved from the answer budget before it is built. */
static int m_neuron_list(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint16_t id = 0;
    if (nm_rpc_param_subnet(r, 0, &id, e))
        return -1;
    struct nm_subnet s;
    uint32_t miners = 0, validators = 0;
    uint64_t first, end;
    int err = nm_subnets_get(r->chain->db, id, &s);
    if (!err)
        err = nm_registry_counts(r->chain->db, id, &miners, &validators);
    if (err)
        return nm_rpc_fail_chain(e, err, NULL);
    uint64_t total = (uint64_t)miners + validators;
    if (nm_rpc_page(r, 1, total, &first, &end, e) ||
        nm_rpc_budget_take(r, 64 + (end - first) * NEURON_JSON_BYTES,
                           "ask a page: neuron_list [subnet, offset, limit]", e))
        return -1;
    cJSON *neurons = nm_registry_neurons_json(r->chain->db, id, first, end - first);
    if (!neurons)
        return nm_rpc_fail_chain(e, NM_E_DB, NULL);
    /* weights/consensus: weight, incentive, reward, reputation, similarity */
    if ((err = nm_consensus_annotate_neurons(r->chain->db, id, neurons)) ||
        (err = nm_weights_annotate_neurons(r->chain->db, &r->chain->rt.params, id,
                                           r->chain->best.height, neurons))) {
        cJSON_Delete(neurons);
        return nm_rpc_fail_chain(e, err, NULL);
    }
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "subnet", id);
    nm_json_add_u64(*result, "total", total);
    nm_json_add_u64(*result, "offset", first);
    nm_json_add(*result, "neurons", neurons);
    return 0;
}

/* issue 15: one neuron of a subnet by uid, as neuron_list shows it, with
 * its last 16 epochs from the node's own history ("history"). */
static int m_neuron_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint16_t id = 0;
    uint64_t uid = 0;
    if (nm_rpc_param_subnet(r, 0, &id, e) || nm_rpc_param_u64(r, 1, &uid, e))
        return -1;
    if (uid > 65535)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: a uid is 0-65535");
    cJSON *list = NULL;
    int rc = m_neuron_list(r, &list, e);
    if (rc)
        return rc;
    const cJSON *n, *found = NULL;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(list, "neurons"))
    {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(n, "uid");
        if (cJSON_IsNumber(u) && u->valuedouble == (double)uid)
            found = n;
    }
    nm_account account;
    const cJSON *hot = cJSON_GetObjectItemCaseSensitive(found, "hotkey");
    if (!found || !cJSON_IsString(hot) || nm_ss58_decode(hot->valuestring, &account) != 0) {
        cJSON_Delete(list);
        char what[64];
        snprintf(what, sizeof what, "no neuron with uid %u on subnet %u", (unsigned)uid,
                 (unsigned)id);
        nm_rpc_fail_chain(e, NM_E_NOT_REGISTERED, what);
        /* the precise message is the one clients show */
        cJSON_ReplaceItemInObjectCaseSensitive(e->data, "message", cJSON_CreateString(e->message));
        return -1;
    }
    cJSON *one = cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(list, "neurons"),
                                            (cJSON *)found);
    cJSON_Delete(list);
    int err;
    cJSON *history = nm_consensus_history_json(r->chain->db, id, &account, 16, &err);
    if (!history) {
        cJSON_Delete(one);
        return nm_rpc_fail_chain(e, err, NULL);
    }
    cJSON_AddNumberToObject(one, "subnet", id);
    nm_json_add(one, "history", history);
    *result = one;
    return 0;
}

/* Substrate's author_* errors: 1010 with our reason in data. */
static int fail_tx(struct nm_rpc_error_out *e, int err)
{
    nm_rpc_fail_chain(e, err, NULL);
    int kind = err == NM_E_DUPLICATE_TX ? NM_E_RPC_TX_ALREADY_IMPORTED : NM_E_RPC_INVALID_TX;
    snprintf(e->message, sizeof e->message, "%s: %s", nm_strerror(kind), nm_strerror(err));
    e->code = nm_rpc_code(kind);
    return -1;
}

/* author_submitExtrinsic's answer once the admission queue has judged it
 * (node/admission.h): the reply the inline path makes, word for word. */
static void submitted(void *ud, int err, const nm_hash *hash)
{
    struct nm_rpc_later *l = ud;
    struct nm_rpc_methods *m = nm_rpc_later_methods(l);
    struct nm_rpc_error_out e = {0};
    cJSON *result = NULL;
    if (err) {
        if (m)
            nm_rpc_count_extrinsic(m, NM_RPC_EXT_REJECTED);
        fail_tx(&e, err);
    } else {
        char hex[NM_HASH_HEXLEN];
        result = cJSON_CreateString(nm_hash_hex(hash, hex));
    }
    nm_rpc_later_answer(l, result, &e);
}

/* Hands the bytes to the admission queue: NM_RPC_DEFERRED when queued, 0
 * when this request cannot wait (then the caller admits inline), or -1
 * with e filled for an error the queue answered at once. */
static int submit_later(struct nm_rpc_request *r, const uint8_t *bytes, size_t len,
                        struct nm_rpc_error_out *e)
{
    const struct nm_rpc_node_hooks *hooks = nm_rpc_methods_hooks(r->methods);
    struct nm_rpc_later *l;
    if (!hooks->admission || !r->can_defer || !(l = nm_rpc_later_new(r)))
        return 0;
    int err = nm_admission_submit(hooks->admission, bytes, len, submitted, l);
    if (!err)
        return NM_RPC_DEFERRED;
    nm_rpc_later_answer(l, NULL, NULL); /* sends nothing: this answer goes now */
    nm_rpc_count_extrinsic(r->methods, NM_RPC_EXT_REJECTED);
    return fail_tx(e, err);
}

/* deferrable: author_submitExtrinsic may answer later (NM_RPC_DEFERRED). */
static int submit(struct nm_rpc_request *r, bool deferrable, nm_hash *hash,
                  struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, 0);
    if (!cJSON_IsString(p))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected the extrinsic as 0x hex");
    size_t hexlen = strlen(p->valuestring);
    if (hexlen > 2 * NM_EXTRINSIC_MAX + 2) {
        nm_rpc_count_extrinsic(r->methods, NM_RPC_EXT_REJECTED);
        return fail_tx(e, NM_E_TOO_BIG);
    }
    uint8_t *bytes = malloc(hexlen / 2 + 1);
    if (!bytes)
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    size_t len;
    int err = nm_hex_decode(p->valuestring, bytes, hexlen / 2 + 1, 0, &len);
    if (!err && deferrable) {
        int rc = submit_later(r, bytes, len, e);
        if (rc) {
            free(bytes);
            return rc;
        }
    }
    if (!err)
        err = nm_chain_submit(r->chain, bytes, len, hash);
    free(bytes);
    if (err)
        nm_rpc_count_extrinsic(r->methods, NM_RPC_EXT_REJECTED);
    return err ? fail_tx(e, err) : 0;
}

static int m_author_submitExtrinsic(struct nm_rpc_request *r, cJSON **result,
                                    struct nm_rpc_error_out *e)
{
    nm_hash hash;
    int rc = submit(r, true, &hash, e);
    if (rc)
        return rc;
    char hex[NM_HASH_HEXLEN];
    *result = cJSON_CreateString(nm_hash_hex(&hash, hex));
    return 0;
}

/* Substrate's payment_queryInfo: what an encoded extrinsic would pay now
 * (issue 16: base + length + weight fees), without checking its signature
 * or nonce. */
static int m_payment_queryInfo(struct nm_rpc_request *r, cJSON **result,
                               struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, 0);
    if (!cJSON_IsString(p))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected the extrinsic as 0x hex");
    size_t hexlen = strlen(p->valuestring);
    if (hexlen > 2 * NM_EXTRINSIC_MAX + 2)
        return nm_rpc_fail_chain(e, NM_E_TOO_BIG, NULL);
    uint8_t *bytes = malloc(hexlen / 2 + 1);
    struct nm_call *call = NULL;
    struct nm_fee_rates rates;
    struct nm_fee fee;
    size_t len;
    int err = bytes ? nm_hex_decode(p->valuestring, bytes, hexlen / 2 + 1, 0, &len) : NM_E_NOMEM;
    nm_fee_rates_of(&r->chain->rt.params, &rates);
    if (!err && !(err = nm_extrinsic_call_new(bytes, len, &call)))
        err = nm_fee_compute(&rates, len, call, &fee);
    free(bytes);
    free(call);
    if (err)
        return nm_rpc_fail_chain(e, err, NULL);
    cJSON *o = *result = cJSON_CreateObject();
    nm_json_add_u64(o, "weight", fee.weight);
    cJSON_AddStringToObject(o, "class", "normal");
    nm_json_add_amount(o, "partialFee", fee.total);
    nm_json_add_u64(o, "length", len);
    nm_json_add_amount(o, "base_fee", fee.base_fee);
    nm_json_add_amount(o, "length_fee", fee.length_fee);
    nm_json_add_amount(o, "weight_fee", fee.weight_fee);
    return 0;
}

/* [offset, limit] optional: a page of the pool; the page's size is
 * reserved from the answer budget before anything is built (issue 17: a
 * full pool of 256 KiB transactions made a 2 GB answer). */
static int m_author_pendingExtrinsics(struct nm_rpc_request *r, cJSON **result,
                                      struct nm_rpc_error_out *e)
{
    struct nm_mempool *pool = &r->chain->pool;
    uint64_t first, end;
    if (nm_rpc_page(r, 0, pool->count, &first, &end, e))
        return -1;
    size_t bytes = 2;
    for (uint64_t i = first; i < end; i++)
        bytes += 2 * pool->txs[i].len + 5;
    if (nm_rpc_budget_take(r, bytes, "ask a page: author_pendingExtrinsics [offset, limit]", e))
        return -1;
    *result = cJSON_CreateArray();
    for (uint64_t i = first; i < end; i++) {
        size_t cap = 2 * pool->txs[i].len + 3;
        char *hex = malloc(cap);
        if (!hex)
            continue;
        nm_hex_encode(pool->txs[i].data, pool->txs[i].len, hex, cap);
        nm_json_append(*result, cJSON_CreateString(hex));
        free(hex);
    }
    return 0;
}

static int m_chain_subscribeNewHeads(struct nm_rpc_request *r, cJSON **result,
                                     struct nm_rpc_error_out *e)
{
    return nm_rpc_subscribe(r, "newHeads", NULL, result, e);
}

static int m_chain_unsubscribeNewHeads(struct nm_rpc_request *r, cJSON **result,
                                       struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "newHeads", result, e);
}

static int m_chain_subscribeFinalizedHeads(struct nm_rpc_request *r, cJSON **result,
                                           struct nm_rpc_error_out *e)
{
    return nm_rpc_subscribe(r, "finalizedHeads", NULL, result, e);
}

static int m_chain_unsubscribeFinalizedHeads(struct nm_rpc_request *r, cJSON **result,
                                             struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "finalizedHeads", result, e);
}

static int m_author_submitAndWatchExtrinsic(struct nm_rpc_request *r, cJSON **result,
                                            struct nm_rpc_error_out *e)
{
    if (!r->conn || !nm_rpc_conn_is_websocket(r->conn))
        return nm_rpc_fail(e, NM_RPC_INVALID_REQUEST, "subscriptions need a WebSocket connection");
    nm_hash hash;
    if (submit(r, false, &hash, e))
        return -1;
    return nm_rpc_subscribe(r, "extrinsic", &hash, result, e);
}

static int m_author_unwatchExtrinsic(struct nm_rpc_request *r, cJSON **result,
                                     struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "extrinsic", result, e);
}

static const struct nm_rpc_method chain_methods[] = {
    {.info = {.name = "system_health", .params = "[]",
              .summary = "peers, isSyncing, shouldHavePeers"}, .fn = m_system_health},
    {.info = {.name = "system_version", .params = "[]", .summary = "node version"},
     .fn = m_system_version},
    {.info = {.name = "system_name", .params = "[]", .summary = "node implementation name"},
     .fn = m_system_name},
    {.info = {.name = "system_chain", .params = "[]", .summary = "chain name"},
     .fn = m_system_chain},
    {.info = {.name = "system_properties", .params = "[]",
              .summary = "ss58Format, tokenDecimals, tokenSymbol"}, .fn = m_system_properties},
    {.info = {.name = "chain_info", .params = "[]",
              .summary = "height, finalized, hashes, epoch, parameters"}, .fn = m_chain_info},
    {.info = {.name = "chain_params", .params = "[]",
              .summary = "every chain parameter: value, unit, bounds, governable"},
     .fn = m_chain_params},
    {.info = {.name = "chain_getHeader", .params = "[hash?]",
              .summary = "a block header (best when no hash)"}, .fn = m_chain_getHeader},
    {.info = {.name = "chain_getBlock", .params = "[hash?, offset?, limit?]",
              .summary = "a block with its extrinsics, or a page of them"}, .fn = m_chain_getBlock},
    {.info = {.name = "chain_getBlockHash", .params = "[number?]",
              .summary = "hash of the block at a height"}, .fn = m_chain_getBlockHash},
    {.info = {.name = "chain_getFinalizedHead", .params = "[]",
              .summary = "hash of the last finalized block"}, .fn = m_chain_getFinalizedHead},
    {.info = {.name = "chain_subscribeNewHeads", .params = "[]",
              .summary = "notifies chain_newHead with each new header", .subscription = true},
     .fn = m_chain_subscribeNewHeads},
    {.info = {.name = "chain_unsubscribeNewHeads", .params = "[id]",
              .summary = "ends a new-heads subscription"}, .fn = m_chain_unsubscribeNewHeads},
    {.info = {.name = "chain_subscribeFinalizedHeads", .params = "[]",
              .summary = "notifies chain_finalizedHead with each header", .subscription = true},
     .fn = m_chain_subscribeFinalizedHeads},
    {.info = {.name = "chain_unsubscribeFinalizedHeads", .params = "[id]",
              .summary = "ends a finalized-heads subscription"},
     .fn = m_chain_unsubscribeFinalizedHeads},
    {.info = {.name = "events_get", .params = "[height?, offset?, limit?]",
              .summary = "events of a block, or a page of them"},
     .fn = m_events_get},
    {.info = {.name = "account_get", .params = "[address]",
              .summary = "balance, nonce and stake of an account"}, .fn = m_account_get},
    {.info = {.name = "subnet_list", .params = "[]", .summary = "every subnet"},
     .fn = m_subnet_list},
    {.info = {.name = "subnet_get", .params = "[id]", .summary = "one subnet"},
     .fn = m_subnet_get},
    {.info = {.name = "neuron_list", .params = "[subnet, offset?, limit?]",
              .summary = "the metagraph of a subnet, or a page of it"}, .fn = m_neuron_list},
    {.info = {.name = "neuron_get", .params = "[subnet, uid]",
              .summary = "one neuron with its last 16 epochs (stake, weight, incentive, "
                         "reward, reputation)"},
     .fn = m_neuron_get},
    {.info = {.name = "author_submitExtrinsic", .params = "[hex]",
              .summary = "submits a signed extrinsic; answers its hash"},
     .fn = m_author_submitExtrinsic},
    {.info = {.name = "author_submitAndWatchExtrinsic", .params = "[hex]",
              .summary = "submits and notifies author_extrinsicUpdate until finalized",
              .subscription = true}, .fn = m_author_submitAndWatchExtrinsic},
    {.info = {.name = "author_unwatchExtrinsic", .params = "[id]",
              .summary = "ends an extrinsic watch"}, .fn = m_author_unwatchExtrinsic},
    {.info = {.name = "payment_queryInfo", .params = "[hex]",
              .summary = "weight and fee an encoded extrinsic would pay"},
     .fn = m_payment_queryInfo},
    {.info = {.name = "author_pendingExtrinsics", .params = "[offset?, limit?]",
              .summary = "extrinsics in the pool, or a page of them (bounded by the response "
                         "size)"},
     .fn = m_author_pendingExtrinsics},
};

const struct nm_rpc_method_table nm_rpc_chain_methods = {
    chain_methods, sizeof chain_methods / sizeof chain_methods[0]};
