/* methods_consensus.c - JSON-RPC methods of weights and consensus:
 * epoch_info, weights_get, collusion_get (docs/rpc.md). The epoch_update
 * feed is epoch_subscribe in methods_node.c; these answer the details. */
#include "rpc/method_api.h"

#include "node/errors.h"
#include "node/pallets/consensus.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"

#include <stdlib.h>

/* An optional subnet parameter that, when given, must name a subnet. */
static int subnet_param(struct nm_rpc_request *r, int i, bool optional, uint16_t *out,
                        struct nm_rpc_error_out *e)
{
    *out = 0;
    if (optional && nm_rpc_param_missing(nm_rpc_param(r, i)))
        return 0;
    if (nm_rpc_param_subnet(r, i, out, e))
        return -1;
    struct nm_subnet *s = malloc(sizeof *s);
    if (!s)
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    int err = nm_subnets_get(r->chain->db, *out, s);
    free(s);
    return err ? nm_rpc_fail_chain(e, err, NULL) : 0;
}

static int m_epoch_info(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint16_t subnet;
    uint64_t epoch = 0;
    bool has_epoch = !nm_rpc_param_missing(nm_rpc_param(r, 1));
    if (subnet_param(r, 0, true, &subnet, e) || (has_epoch && nm_rpc_param_u64(r, 1, &epoch, e)))
        return -1;
    if (has_epoch && (subnet == 0 || epoch > INT64_MAX))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: an epoch needs a subnet before it");
    int err;
    struct nm_chain *c = r->chain;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->rt, c->best.height, &pos);
    *result = nm_consensus_epoch_json(c->db, &c->rt.params, &pos, subnet,
                                      has_epoch ? (int64_t)epoch : -1, &err);
    return *result ? 0 : nm_rpc_fail_chain(e, err, NULL);
}

static int m_weights_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint16_t subnet;
    struct nm_chain *c = r->chain;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->rt, c->best.height, &pos);
    uint64_t epoch = pos.epoch, uid = 0;
    bool has_uid = !nm_rpc_param_missing(nm_rpc_param(r, 2));
    if (subnet_param(r, 0, false, &subnet, e) ||
        (!nm_rpc_param_missing(nm_rpc_param(r, 1)) && nm_rpc_param_u64(r, 1, &epoch, e)) ||
        (has_uid && nm_rpc_param_u64(r, 2, &uid, e)))
        return -1;
    if (has_uid && uid > 65535)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: a uid is 0-65535");
    int err;
    *result = nm_weights_json(c->db, &c->rt.params, subnet, epoch, c->best.height, has_uid ? (int)uid : -1, &err);
    return *result ? 0 : nm_rpc_fail_chain(e, err, NULL);
}

static int m_collusion_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint16_t subnet;
    if (subnet_param(r, 0, false, &subnet, e))
        return -1;
    int err;
    *result = nm_consensus_collusion_json(r->chain->db, subnet, &err);
    return *result ? 0 : nm_rpc_fail_chain(e, err, NULL);
}

static const struct nm_rpc_method consensus_methods[] = {
    {.info = {.name = "epoch_info", .params = "[subnet?, epoch?]",
              .summary = "epoch progress, emissions, and subnet summaries (one subnet: with its "
                         "validators)"},
     .fn = m_epoch_info},
    {.info = {.name = "weights_get", .params = "[subnet, epoch?, uid?]",
              .summary = "weight submissions of an epoch's bucket, pending commits and the "
                         "subnet's rules"},
     .fn = m_weights_get},
    {.info = {.name = "collusion_get", .params = "[subnet]",
              .summary = "collusion findings of a subnet's last epoch"}, .fn = m_collusion_get},
};

const struct nm_rpc_method_table nm_rpc_consensus_methods = {
    consensus_methods, sizeof consensus_methods / sizeof consensus_methods[0]};
