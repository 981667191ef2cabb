/* methods_gov.c - governance JSON-RPC methods (GOV-001/002): gov_proposals
 * (the overview a Governance screen draws: parameters, treasury, council,
 * proposals with tallies, turnout against quorum, blocks and time left and
 * the caller's own vote) and gov_proposal (one proposal with its votes).
 * Governance events come with every other event through events_get.
 * Shapes in docs/rpc.md. */
#include "rpc/method_api.h"

#include "node/errors.h"
#include "node/pallets/governance.h"

#include <stdint.h>

/* Optional SS58 parameter i: *has is false when absent or null. */
static int optional_account(struct nm_rpc_request *r, int i, nm_account *out, bool *has,
                            struct nm_rpc_error_out *e)
{
    *has = !nm_rpc_param_missing(nm_rpc_param(r, i));
    return *has ? nm_rpc_param_account(r, i, out, e) : 0;
}

static int m_gov_proposals(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    const cJSON *all = nm_rpc_param(r, 0);
    if (!nm_rpc_param_missing(all) && !cJSON_IsBool(all))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: parameter 0 (all) must be true or false");
    nm_account me;
    bool has_me;
    if (optional_account(r, 1, &me, &has_me, e))
        return -1;
    struct nm_chain *c = r->chain;
    int err = 0;
    *result = nm_governance_overview_json(c->db, &c->rt.params, c->best.height, cJSON_IsTrue(all),
                                          has_me ? &me : NULL, &err);
    return *result ? 0 : nm_rpc_fail_chain(e, err, NULL);
}

static int m_gov_proposal(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    uint64_t id;
    if (nm_rpc_param_u64(r, 0, &id, e))
        return -1;
    if (id < 1 || id > UINT32_MAX)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: proposal id must be 1-4294967295");
    nm_account me;
    bool has_me;
    if (optional_account(r, 1, &me, &has_me, e))
        return -1;
    struct nm_chain *c = r->chain;
    int err = 0;
    *result = nm_governance_proposal_json(c->db, &c->rt.params, c->best.height, (uint32_t)id,
                                          has_me ? &me : NULL, &err);
    return *result ? 0 : nm_rpc_fail_chain(e, err, NULL);
}

static const struct nm_rpc_method gov_methods[] = {
    {.info = {.name = "gov_proposals", .params = "[all?, account?]",
              .summary = "governance overview: parameters, treasury, council, open (or all) "
                         "proposals"},
     .fn = m_gov_proposals},
    {.info = {.name = "gov_proposal", .params = "[id, account?]",
              .summary = "one proposal with its tally and votes"}, .fn = m_gov_proposal},
};

const struct nm_rpc_method_table nm_rpc_gov_methods = {gov_methods,
                                                       sizeof gov_methods / sizeof gov_methods[0]};
