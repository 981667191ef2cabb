/* methods_bft.c - BFT finality JSON-RPC methods (issue 11): bft_authorities,
 * the chain spec's authority set with voting power and the quorum, and
 * bft_state, where this node's consensus engine stands; shapes in
 * docs/rpc.md. */
#include "rpc/method_api.h"
#include "rpc/methods_internal.h"

#include "node/ss58.h"

#include <stdio.h>

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
    char text[24];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    cJSON_AddStringToObject(o, key, text);
}

static int m_bft_authorities(struct nm_rpc_request *r, cJSON **result,
                             struct nm_rpc_error_out *e)
{
    (void)e;
    const struct nm_chain_spec *spec = &r->chain->spec;
    /* several authorities: the set of the next block (an equivocator
     * reported on chain is gone, governance's changes are in); one: the
     * spec's */
    const struct nm_bft_authority *set = r->chain->bft ? r->chain->bft_set.list
                                                        : spec->authorities;
    size_t count = r->chain->bft ? r->chain->bft_set.count : spec->authority_count;
    uint64_t total = 0;
    cJSON *out = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(out, "authorities");
    for (size_t i = 0; i < count; i++) {
        char addr[NM_SS58_STRLEN];
        cJSON *a = cJSON_CreateObject();
        cJSON_AddNumberToObject(a, "index", (double)i);
        cJSON_AddStringToObject(a, "account", nm_ss58_encode(&set[i].account, addr));
        add_u64(a, "power", set[i].power);
        cJSON_AddItemToArray(list, a);
        total += set[i].power; /* at most 128 x 2^53 */
    }
    add_u64(out, "totalPower", total);
    /* the least power that is more than 2/3 of the total */
    add_u64(out, "quorumPower", total ? total * 2 / 3 + 1 : 0);
    cJSON_AddStringToObject(out, "finality",
                            r->chain->bft ? "bft" : "instant");
    *result = out;
    return 0;
}

/* The engine's own view when this node votes; else what any node knows:
 * the height being decided is the one above the best (final) block. */
static int m_bft_state(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    const struct nm_rpc_node_hooks *h = nm_rpc_methods_hooks(r->methods);
    cJSON *out = h->bft_state ? h->bft_state(h->ud) : NULL;
    if (!out) {
        if (!(out = cJSON_CreateObject()))
            return nm_rpc_fail_chain(e, NM_E_NOMEM, "bft_state");
        cJSON_AddBoolToObject(out, "running", false);
        cJSON_AddNumberToObject(out, "height", (double)(r->chain->best.height + 1));
    }
    char hex[NM_HASH_HEXLEN];
    cJSON_AddStringToObject(out, "finality", r->chain->bft ? "bft" : "instant");
    cJSON_AddNumberToObject(out, "finalizedHeight", (double)r->chain->best.height);
    cJSON_AddStringToObject(out, "finalizedHash", nm_hash_hex(&r->chain->best_hash, hex));
    *result = out;
    return 0;
}

static int m_bft_subscribeRounds(struct nm_rpc_request *r, cJSON **result,
                                 struct nm_rpc_error_out *e)
{
    cJSON *now = NULL;
    if (m_bft_state(r, &now, e))
        return -1;
    return nm_rpc_subscribe_first(r, "bftRounds", NULL, "bft_round", now, result, e);
}

static int m_bft_unsubscribeRounds(struct nm_rpc_request *r, cJSON **result,
                                   struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "bftRounds", result, e);
}

void nm_rpc_bft_round_changed(struct nm_rpc_methods *m, cJSON *state)
{
    if (!nm_rpc_has_subscribers(m, "bftRounds")) {
        cJSON_Delete(state);
        return;
    }
    nm_rpc_publish(m, "bftRounds", "bft_round", state);
}

static const struct nm_rpc_method bft_methods[] = {
    {.info = {.name = "bft_authorities", .params = "[]",
              .summary = "the authority set: accounts, voting power, quorum"},
     .fn = m_bft_authorities},
    {.info = {.name = "bft_state", .params = "[]",
              .summary = "this node's consensus: height, round, step, lock, power seen"},
     .fn = m_bft_state},
    {.info = {.name = "bft_subscribeRounds", .params = "[]",
              .summary = "notifies bft_round with bft_state at each new height or round",
              .subscription = true},
     .fn = m_bft_subscribeRounds},
    {.info = {.name = "bft_unsubscribeRounds", .params = "[id]",
              .summary = "ends a round-change subscription"},
     .fn = m_bft_unsubscribeRounds},
};

const struct nm_rpc_method_table nm_rpc_bft_methods = {.methods = bft_methods,
    .count = sizeof bft_methods / sizeof bft_methods[0]};
